"""Pages of the organizations registry (主体库): the list with search, filters and Excel export, the
detail page with every linked record (panels), create/edit, archive/restore, qualifications and IP,
and the merge of duplicates.

Views parse input, check the permission (403 without it; records outside the active region answer
404 through the selectors) and call the services, which apply the rules again. The Excel import runs
through the generic import pages of ``core`` (importer ``organizations``).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods, require_POST

from kejiju.core.errors import BusinessError
from kejiju.core.forms.attachments import region_choices
from kejiju.core.listing import Column, ListPage, render_list
from kejiju.core.permissions import active_region_code
from kejiju.core.selectors import code_items
from kejiju.engines.idcodes import check_credit_code
from kejiju.orgs import selectors, services
from kejiju.orgs.choices import OrgType, QualificationKind
from kejiju.orgs.filters import OrganizationFilter
from kejiju.orgs.forms import IpForm, MergeForm, OrganizationForm, QualificationForm, industry_choices
from kejiju.orgs.models import Organization
from kejiju.orgs.permissions import can_change_organization, can_merge_organization

IMPORTER = "organizations"
#: Candidates listed under each search box of the merge page.
MERGE_CANDIDATES = 20


def _require(request: HttpRequest, perm: str) -> None:
    """Own region without the permission answers 403 (house rule)."""
    if not request.user.has_perm(perm):
        raise PermissionDenied


def _status(org: Organization) -> str:
    if org.merged_into_id:
        return "已合并"
    return "已归档" if org.is_archived else "正常"


def _industry_names() -> dict[str, str]:
    return {item.code: item.name for item in code_items(kind="industry", active_only=False)}


def _columns(industries: dict[str, str]) -> list[Column]:
    def industry(org: Organization) -> str:
        code = org.industry_code
        return f"{code} {industries[code]}" if code in industries else code

    return [
        # sorted by pinyin initials, the order people expect of Chinese names
        Column("单位名称", lambda o: o.name, sort="name_initials", link=True),
        Column("统一社会信用代码", lambda o: o.credit_code, sort="credit_code"),
        Column("单位类型", lambda o: o.get_org_type_display(), sort="org_type"),
        Column("所属区划", lambda o: o.region.name, sort="region"),
        Column("行业门类", industry, sort="industry_code"),
        Column("法定代表人", lambda o: o.legal_representative),
        Column("联系人", lambda o: o.contact_person),
        Column("联系电话", lambda o: o.contact_phone),
        Column("成立日期", lambda o: o.founded_on.isoformat() if o.founded_on else "", sort="founded_on"),
        Column("职工人数", lambda o: o.staff_count, sort="staff_count"),
        Column("状态", _status),
    ]


# ------------------------------------------------------------------ list


@login_required
def organization_list_view(request: HttpRequest) -> HttpResponse:
    """单位列表: search by name / former name / credit code / pinyin initials, filters (type, region
    within scope, industry, a valid qualification, archived), sorting, pages and Excel export — all from
    the region-scoped selector, so the export never shows more than the screen."""
    _require(request, "orgs.view_organization")
    user = request.user
    filterset = OrganizationFilter(request.GET, queryset=Organization.objects.none(), request=request)
    filterset.is_valid()
    filters = filterset.selector_filters()
    queryset = selectors.organization_list(user=user, filters=filters)
    page = ListPage(
        title="单位列表",
        columns=_columns(_industry_names()),
        default_sort="name_initials",
        export_name="organizations",
        filters_template="orgs/organization_list_filters.html",
        actions_template="orgs/organization_list_actions.html",
        row_url=lambda o: reverse("orgs:organization_detail", args=[o.pk]),
    )
    scope = active_region_code(user)
    context = {
        "filters": filters,
        "filter_errors": [
            f"{filterset.filters[name].label}：{msg}" for name, msgs in filterset.errors.items() for msg in msgs
        ],
        "org_type_choices": OrgType.choices,
        "qualification_choices": QualificationKind.choices,
        "region_options": region_choices(scope, depth=1, floor=6),
        "industry_options": industry_choices()[1:],
        "can_add": user.has_perm("orgs.add_organization"),
        "can_import": user.has_perm("orgs.import_organization"),
        "can_merge": can_merge_organization(user),
        "import_url": reverse("core:import_upload", args=[IMPORTER]),
    }
    return render_list(request, queryset, page, context=context)


# ------------------------------------------------------------------ detail


def _visible_or_none(user: Any, pk: int | None) -> Organization | None:
    if not pk:
        return None
    try:
        return selectors.organization_get(user=user, pk=pk)
    except Http404:
        return None


def _panels(request: HttpRequest, org: Organization) -> list[dict[str, Any]]:
    """The registered panels, each rendered with its own context (``kejiju.orgs.panels``)."""
    rendered = []
    for panel in selectors.panels_for(request.user, org):
        html = render_to_string(
            panel["template"], {**panel["context"], "organization": org, "panel": panel}, request=request
        )
        rendered.append(
            {"key": panel["key"], "title": panel["title"], "html": mark_safe(html)}
        )  # rendered by the template engine (autoescaped)
    return rendered


@login_required
def organization_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    """One organization: basic information, former names, merge status, the panels (资质, 知识产权 and
    whatever other modules register), recent operations and the link to the field history."""
    _require(request, "orgs.view_organization")
    user = request.user
    org = selectors.organization_get(user=user, pk=pk)
    can_edit = can_change_organization(user, org)
    can_log = user.has_perm("core.view_operationlog")
    industries = _industry_names()
    context = {
        "org": org,
        "status": _status(org),
        "industry": f"{org.industry_code} {industries[org.industry_code]}"
        if org.industry_code in industries
        else org.industry_code,
        "aliases": selectors.organization_aliases(organization=org),
        "merged_into": _visible_or_none(user, org.merged_into_id),
        "merged_from": list(selectors.organization_list(user=user, filters={"archived": "1"}).filter(merged_into=org)),
        "panels": _panels(request, org),
        "operations": selectors.organization_operations(user=user, organization=org) if can_log else [],
        "can_log": can_log,
        "can_edit": can_edit,
        "can_merge": can_merge_organization(user) and not org.merged_into_id and not org.is_archived,
        "history_url": reverse("core:history_detail", kwargs={"model": "organization", "pk": org.pk}),
        "credit_warnings": check_credit_code(org.credit_code).warnings,
    }
    return render(request, "orgs/organization_detail.html", context)


# ------------------------------------------------------------------ create / edit


def _form_page(request: HttpRequest, form: OrganizationForm, org: Organization | None) -> HttpResponse:
    status = 400 if form.is_bound and form.errors else 200
    form.mark_invalid()
    return render(request, "orgs/organization_form.html", {"form": form, "org": org}, status=status)


def _credit_code_warnings(request: HttpRequest, org: Organization) -> None:
    """The GB 11714 check of the credit code is advice, not a rejection: shown after saving."""
    for warning in check_credit_code(org.credit_code).warnings:
        messages.warning(request, "统一社会信用代码提示：%(w)s" % {"w": warning})


@login_required
@require_http_methods(["GET", "POST"])
def organization_create_view(request: HttpRequest) -> HttpResponse:
    """新增单位 (``organization_create``): every field error on its field, nothing saved on error."""
    _require(request, "orgs.add_organization")
    if request.method == "POST":
        form = OrganizationForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                org = services.organization_create(actor=request.user, data=form.service_data())
            except BusinessError as exc:
                form.add_service_error(exc)
            else:
                messages.success(request, "已新增单位“%(n)s”。" % {"n": org.name})
                _credit_code_warnings(request, org)
                return redirect("orgs:organization_detail", pk=org.pk)
    else:
        form = OrganizationForm(user=request.user, initial={"region": active_region_code(request.user) or ""})
    return _form_page(request, form, None)


def _editable(request: HttpRequest, pk: int) -> Organization:
    """An organization the user may change: 404 outside the scope, 403 without the permission."""
    _require(request, "orgs.change_organization")
    org = selectors.organization_get(user=request.user, pk=pk)
    if not can_change_organization(request.user, org) and not org.merged_into_id:
        raise PermissionDenied
    return org


def _merged_refusal(request: HttpRequest, org: Organization) -> HttpResponse:
    messages.error(request, "该单位已合并，不能再修改。")
    return redirect("orgs:organization_detail", pk=org.pk)


@login_required
@require_http_methods(["GET", "POST"])
def organization_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    """修改单位 (``organization_update``); a new name keeps the old one as a former name."""
    org = _editable(request, pk)
    if org.merged_into_id:
        return _merged_refusal(request, org)
    if request.method == "POST":
        form = OrganizationForm(request.POST, user=request.user, current=org)
        if form.is_valid():
            try:
                org = services.organization_update(actor=request.user, organization=org, data=form.service_data())
            except BusinessError as exc:
                form.add_service_error(exc)
            else:
                messages.success(request, "已保存单位“%(n)s”。" % {"n": org.name})
                _credit_code_warnings(request, org)
                return redirect("orgs:organization_detail", pk=org.pk)
    else:
        initial = {name: getattr(org, name) for name in services.ORG_FIELDS if name != "region"}
        initial["region"] = org.region_id
        initial["founded_on"] = org.founded_on.isoformat() if org.founded_on else ""
        initial["staff_count"] = "" if org.staff_count is None else str(org.staff_count)
        form = OrganizationForm(user=request.user, current=org, initial=initial)
    return _form_page(request, form, org)


@login_required
@require_POST
def organization_archive_view(request: HttpRequest, pk: int) -> HttpResponse:
    """归档 (``archived=1``) or 恢复 (``archived=0``) an organization (confirmed on the page)."""
    org = _editable(request, pk)
    archived = request.POST.get("archived", "1") != "0"
    try:
        services.organization_archive(actor=request.user, organization=org, archived=archived)
    except BusinessError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, ("已归档单位“%(n)s”。" if archived else "已恢复单位“%(n)s”。") % {"n": org.name})
    return redirect("orgs:organization_detail", pk=org.pk)


@login_required
def organization_import_view(request: HttpRequest) -> HttpResponse:
    """导入单位: the generic two-phase import pages with the ``organizations`` importer."""
    _require(request, "orgs.import_organization")
    return redirect("core:import_upload", name=IMPORTER)


# ------------------------------------------------------------------ qualifications and IP


def _archive_record(
    request: HttpRequest, org: Organization, obj: Any, archive: Any, label: str, anchor: str
) -> HttpResponse:
    """The shared POST of 归档 / 恢复 (``archived=0``) for a record on the organization page: run the
    service, report in Chinese, return to the record's panel."""
    archived = request.POST.get("archived", "1") != "0"
    try:
        archive(archived)
    except BusinessError as exc:
        messages.error(request, exc.message)
    else:
        verb = "已归档" if archived else "已恢复"
        messages.success(request, "%(verb)s%(label)s“%(obj)s”。" % {"verb": verb, "label": label, "obj": obj})
    return redirect(reverse("orgs:organization_detail", args=[org.pk]) + "#" + anchor)


def _record_form_page(request: HttpRequest, template: str, form: Any, org: Organization, obj: Any) -> HttpResponse:
    status = 400 if form.is_bound and form.errors else 200
    form.mark_invalid()
    return render(request, template, {"form": form, "org": org, "obj": obj}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def qualification_form_view(request: HttpRequest, pk: int, qpk: int | None = None) -> HttpResponse:
    """新增 / 修改资质 (``qualification_save``): errors on their fields, nothing saved on error."""
    org = _editable(request, pk)
    if org.merged_into_id:
        return _merged_refusal(request, org)
    obj = selectors.qualification_get(user=request.user, organization=org, pk=qpk) if qpk else None
    if request.method == "POST":
        form = QualificationForm(request.POST)
        if form.is_valid():
            try:
                services.qualification_save(
                    actor=request.user, organization=org, qualification=obj, **form.service_data()
                )
            except BusinessError as exc:
                form.add_service_error(exc)
            else:
                messages.success(request, "已保存资质。")
                return redirect(reverse("orgs:organization_detail", args=[org.pk]) + "#qualifications")
    else:
        initial = {}
        if obj is not None:
            initial = {
                name: getattr(obj, name)
                for name in ("kind", "level", "certificate_no", "issuer", "issued_on", "expires_on", "note")
            }
        form = QualificationForm(initial=initial)
    return _record_form_page(request, "orgs/qualification_form.html", form, org, obj)


@login_required
@require_POST
def qualification_archive_view(request: HttpRequest, pk: int, qpk: int) -> HttpResponse:
    """归档 (or, with ``archived=0``, 恢复) a qualification."""
    org = _editable(request, pk)
    obj = selectors.qualification_get(user=request.user, organization=org, pk=qpk)
    return _archive_record(
        request,
        org,
        obj,
        lambda archived: services.qualification_archive(actor=request.user, qualification=obj, archived=archived),
        "资质",
        "qualifications",
    )


@login_required
@require_http_methods(["GET", "POST"])
def ip_form_view(request: HttpRequest, pk: int, ipk: int | None = None) -> HttpResponse:
    """新增 / 修改知识产权 (``ip_save``); Ⅰ类/Ⅱ类 follows from the type."""
    org = _editable(request, pk)
    if org.merged_into_id:
        return _merged_refusal(request, org)
    obj = selectors.ip_get(user=request.user, organization=org, pk=ipk) if ipk else None
    if request.method == "POST":
        form = IpForm(request.POST)
        if form.is_valid():
            try:
                services.ip_save(actor=request.user, organization=org, ip=obj, **form.service_data())
            except BusinessError as exc:
                form.add_service_error(exc)
            else:
                messages.success(request, "已保存知识产权。")
                return redirect(reverse("orgs:organization_detail", args=[org.pk]) + "#ip")
    else:
        initial = {}
        if obj is not None:
            initial = {
                name: getattr(obj, name)
                for name in ("ip_type", "title", "number", "applied_on", "granted_on", "status", "owners")
            }
        form = IpForm(initial=initial)
    return _record_form_page(request, "orgs/ip_form.html", form, org, obj)


@login_required
@require_POST
def ip_archive_view(request: HttpRequest, pk: int, ipk: int) -> HttpResponse:
    """归档 (or, with ``archived=0``, 恢复) an intellectual-property record."""
    org = _editable(request, pk)
    obj = selectors.ip_get(user=request.user, organization=org, pk=ipk)
    return _archive_record(
        request,
        org,
        obj,
        lambda archived: services.ip_archive(actor=request.user, ip=obj, archived=archived),
        "知识产权",
        "ip",
    )


# ------------------------------------------------------------------ merge

#: Rows of the side-by-side comparison: label and how to read the value.
MERGE_ROWS: list[tuple[str, Any]] = [
    ("单位名称", lambda o: o.name),
    ("统一社会信用代码", lambda o: o.credit_code),
    ("单位类型", lambda o: o.get_org_type_display()),
    ("所属区划", lambda o: f"{o.region.name}（{o.region_id}）"),
    ("行业门类", lambda o: o.industry_code),
    ("注册地址", lambda o: o.address),
    ("法定代表人", lambda o: o.legal_representative),
    ("联系人", lambda o: o.contact_person),
    ("联系电话", lambda o: o.contact_phone),
    ("成立日期", lambda o: o.founded_on.isoformat() if o.founded_on else ""),
    ("职工人数", lambda o: "" if o.staff_count is None else str(o.staff_count)),
    ("资质", lambda o: "%d 项" % selectors.organization_qualifications(organization=o).count()),
    ("知识产权", lambda o: "%d 项" % selectors.organization_ip(organization=o).count()),
    ("曾用名", lambda o: "、".join(a.name for a in selectors.organization_aliases(organization=o))),
    ("登记时间", lambda o: timezone.localtime(o.created_at).strftime("%Y-%m-%d %H:%M") if o.created_at else ""),
]


def _int(value: Any) -> int | None:
    text = str(value or "").strip()
    return int(text) if text.isdigit() and 0 < int(text) < 2**63 else None


@login_required
@require_http_methods(["GET", "POST"])
def organization_merge_view(request: HttpRequest) -> HttpResponse:
    """合并重复单位 (bureau admin, ``orgs.merge_organization``): search and pick the record to keep and
    the duplicate, compare them side by side, type a reason and confirm; ``organization_merge`` moves
    every linked record to the kept one and archives the duplicate with "已合并至"."""
    _require(request, "orgs.merge_organization")
    user = request.user
    params = request.POST if request.method == "POST" else request.GET
    keep_q = params.get("keep_q", "").strip()[:64]
    dup_q = params.get("dup_q", "").strip()[:64]
    keep = _visible_or_none(user, _int(params.get("keep")))
    duplicate = _visible_or_none(user, _int(params.get("duplicate")))
    form = (
        MergeForm(request.POST)
        if request.method == "POST"
        else MergeForm(initial={"keep": keep.pk if keep else None, "duplicate": duplicate.pk if duplicate else None})
    )
    if request.method == "POST" and form.is_valid():
        if keep is None or duplicate is None:
            form.add_error(None, "所选单位不存在或不在您的管辖范围内。")
        else:
            try:
                services.organization_merge(
                    actor=user, keep=keep, duplicate=duplicate, reason=form.cleaned_data["reason"]
                )
            except BusinessError as exc:
                form.add_error(exc.field if exc.field in ("reason",) else None, exc.message)
            else:
                messages.success(request, "已将“%(d)s”合并至“%(k)s”。" % {"d": duplicate.name, "k": keep.name})
                return redirect("orgs:organization_detail", pk=keep.pk)

    state = {
        "keep_q": keep_q,
        "dup_q": dup_q,
        "keep": keep.pk if keep else "",
        "duplicate": duplicate.pk if duplicate else "",
    }

    def pick_url(role: str, org: Organization) -> str:
        return "?" + urlencode({k: v for k, v in {**state, role: org.pk}.items() if v not in ("", None)})

    def candidates(q: str, role: str) -> list[dict[str, Any]]:
        if not q:
            return []
        found = selectors.organization_list(user=user, filters={"q": q}).order_by("name", "pk")[:MERGE_CANDIDATES]
        mine, other = (keep, duplicate) if role == "keep" else (duplicate, keep)
        return [
            {
                "org": o,
                "url": pick_url(role, o),
                "selected": mine is not None and mine.pk == o.pk,
                "taken": other is not None and other.pk == o.pk,
            }
            for o in found
        ]

    comparison = []
    if keep is not None and duplicate is not None:
        for label, read in MERGE_ROWS:
            left, right = str(read(keep) or ""), str(read(duplicate) or "")
            comparison.append({"label": label, "keep": left, "duplicate": right, "differs": left != right})
    swap_url = (
        "?" + urlencode({**state, "keep": state["duplicate"], "duplicate": state["keep"]}) if keep and duplicate else ""
    )
    context = {
        "form": form,
        "keep": keep,
        "duplicate": duplicate,
        "keep_q": keep_q,
        "dup_q": dup_q,
        "keep_candidates": candidates(keep_q, "keep"),
        "dup_candidates": candidates(dup_q, "duplicate"),
        "comparison": comparison,
        "swap_url": swap_url,
        "same": keep is not None and duplicate is not None and keep.pk == duplicate.pk,
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "orgs/organization_merge.html", context, status=status)

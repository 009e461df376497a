"""Pages of intellectual-property work (知识产权): the register of all IP records with search, filters and
Excel export, the patent counts by region and type (每万人 where a population is entered), the population
entry, the IP import (generic two-phase pages, importer ``ip``), the subsidy request, IP custody
agreements with their services, portfolio and yearly report, and enforcement/promotion records."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import conditional_escape, format_html
from django.views.decorators.http import require_http_methods, require_POST

from kejiju.core import actions as core_actions
from kejiju.core.audit import log_operation
from kejiju.core.errors import BusinessError
from kejiju.core.excel import write_workbook
from kejiju.core.forms.attachments import region_choices
from kejiju.core.listing import Column, ListPage, render_list
from kejiju.core.permissions import active_region_code
from kejiju.orgs import selectors, services
from kejiju.orgs.choices import CustodyServiceKind, IpCaseKind, IpStatus, IpType
from kejiju.orgs.forms import CustodyForm, CustodyServiceForm, IpCaseForm, PopulationForm
from kejiju.orgs.permissions import (
    can_add_custody,
    can_add_ip_case,
    can_change_custody,
    can_import_ip,
    can_set_population,
    can_subsidize_ip,
)


def _require(request: HttpRequest, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied


def _owner(ip: Any) -> str:
    if ip.organization_id:
        return ip.organization.name
    return ip.person.name if ip.person_id else ip.owners


def _xlsx(title: str, headers: list[str], rows: list[list[Any]], request: HttpRequest, name: str) -> HttpResponse:
    from urllib.parse import quote

    content = write_workbook(title[:31], headers, rows)
    log_operation(
        actor=request.user,
        action=core_actions.EXPORT,
        region=active_region_code(request.user) or None,
        extra={"list": name, "query": request.GET.urlencode()},
    )
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = "attachment; filename*=UTF-8''%s" % quote(f"{title}.xlsx")
    return response


def _year_param(request: HttpRequest) -> int:
    text = request.GET.get("year", "")
    return int(text) if text.isdigit() and 1900 <= int(text) <= 2100 else date.today().year


# ------------------------------------------------------------------ register


@login_required
def ip_list_view(request: HttpRequest) -> HttpResponse:
    """知识产权列表: every IP record in the region (organizations' and individuals'), filters, export."""
    _require(request, "orgs.view_intellectualproperty")
    user = request.user
    filters = {k: request.GET.get(k, "")[:64] for k in ("q", "ip_type", "status", "region", "year", "granted_year")}
    scope = active_region_code(user)
    if filters["region"] and scope is not None and not filters["region"].startswith(scope or ""):
        filters["region"] = ""
    page = ListPage(
        title="知识产权列表",
        columns=[
            Column("名称", lambda i: i.title, sort="title", link=True),
            Column("类型", lambda i: i.get_ip_type_display(), sort="ip_type"),
            Column("类别", lambda i: i.get_ip_class_display()),
            Column("申请号/登记号", lambda i: i.number, sort="number"),
            Column("申请日", lambda i: i.applied_on.isoformat() if i.applied_on else "", sort="applied_on"),
            Column("授权日", lambda i: i.granted_on.isoformat() if i.granted_on else "", sort="granted_on"),
            Column("状态", lambda i: i.get_status_display(), sort="status"),
            Column("权利人", _owner),
            Column("所属区划", lambda i: i.region.name, sort="region"),
        ],
        default_sort="-applied_on",
        export_name="ip",
        filters_template="orgs/ip_list_filters.html",
        actions_template="orgs/ip_list_actions.html",
        row_url=lambda i: reverse("orgs:ip_detail", args=[i.pk]),
    )
    context = {
        "filters": filters,
        "type_choices": IpType.choices,
        "status_choices": IpStatus.choices,
        "region_options": region_choices(scope, depth=1, floor=6),
        "can_import": can_import_ip(user),
        "import_url": reverse("core:import_upload", args=["ip"]),
    }
    return render_list(request, selectors.ip_list(user=user, filters=filters), page, context=context)


@login_required
def ip_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    """One IP record with its owner, dates, history link and the subsidy request (专利资助)."""
    _require(request, "orgs.view_intellectualproperty")
    ip = selectors.ip_record_get(user=request.user, pk=pk)
    context = {
        "ip": ip,
        "owner": _owner(ip),
        "can_subsidize": can_subsidize_ip(request.user, ip)
        and ip.status == IpStatus.GRANTED
        and ip.organization_id is not None,
        "subsidy_available": services.patent_subsidy_available(),
        "history_url": reverse("core:history_detail", kwargs={"model": "intellectualproperty", "pk": ip.pk}),
    }
    return render(request, "orgs/ip_detail.html", context)


@login_required
@require_POST
def ip_subsidy_view(request: HttpRequest, pk: int) -> HttpResponse:
    """申报专利资助: put the granted patent into the subsidy ledger (one ledger, in 企业培育)."""
    _require(request, "orgs.subsidize_intellectualproperty")
    ip = selectors.ip_record_get(user=request.user, pk=pk)
    try:
        services.ip_subsidy_request(actor=request.user, ip=ip)
    except BusinessError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已列入专利资助台账，待审核、公示与拨付。")
    return redirect("orgs:ip_detail", pk=ip.pk)


@login_required
def ip_import_view(request: HttpRequest) -> HttpResponse:
    _require(request, "orgs.import_intellectualproperty")
    return redirect("core:import_upload", name="ip")


# ------------------------------------------------------------------ counts


@login_required
def ip_stats_view(request: HttpRequest) -> HttpResponse:
    """专利统计: applications and grants of a year by child region (towns of a county…) and type, with
    每万人 figures where the population is entered; ``?export=xlsx`` downloads the table."""
    _require(request, "orgs.view_intellectualproperty")
    user = request.user
    scope = active_region_code(user) or ""
    region = request.GET.get("region", "")[:12] or scope
    if not region.isdigit() or (scope and not region.startswith(scope)):
        region = scope
    if not region:
        region = "34"
    year = _year_param(request)
    table = selectors.ip_counts(user=user, region=region, year=year)
    if request.GET.get("export") == "xlsx":
        headers = ["区划", *("申请·" + label for _, label in table["types"]), "申请合计"]
        headers += [
            *("授权·" + label for _, label in table["types"]),
            "授权合计",
            "常住人口",
            "每万人申请",
            "每万人授权",
        ]
        rows = []
        for r in [*table["rows"], {**table["total"], "name": "合计"}]:
            rows.append(
                [
                    r["name"],
                    *(r["applied"][t] for t, _ in table["types"]),
                    r["applied_total"],
                    *(r["granted"][t] for t, _ in table["types"]),
                    r["granted_total"],
                    r["population"] or "",
                    r["applied_per_10k"] if r["applied_per_10k"] is not None else "",
                    r["granted_per_10k"] if r["granted_per_10k"] is not None else "",
                ]
            )
        return _xlsx("%d年专利统计" % year, headers, rows, request, "ip_stats")
    context = {
        "table": table,
        "year": year,
        "region": region,
        "years": list(range(date.today().year, date.today().year - 10, -1)),
        "region_options": region_choices(scope or None, depth=1, floor=6) if scope is not None else [],
        "can_set_population": can_set_population(user),
    }
    return render(request, "orgs/ip_stats.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def population_view(request: HttpRequest) -> HttpResponse:
    """录入常住人口 (for 每万人专利数)."""
    _require(request, "orgs.change_regionpopulation")
    user = request.user
    scope = active_region_code(user)
    regions = region_choices(scope, depth=1, floor=6)
    if request.method == "POST":
        form = PopulationForm(request.POST, regions=regions)
        if form.is_valid():
            try:
                services.population_set(actor=user, **form.cleaned_data)
            except BusinessError as exc:
                form.add_service_error(exc)
            else:
                messages.success(request, "已保存常住人口。")
                return redirect(reverse("orgs:ip_stats") + "?year=%d" % form.cleaned_data["year"])
    else:
        form = PopulationForm(regions=regions, initial={"year": date.today().year - 1})
    form.mark_invalid()
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request,
        "orgs/simple_form.html",
        {"form": form, "title": "录入常住人口", "back": reverse("orgs:ip_stats")},
        status=status,
    )


# ------------------------------------------------------------------ custody


@login_required
def custody_list_view(request: HttpRequest) -> HttpResponse:
    """知识产权托管: agreements in the region; 年度服务报告 (``?report=<year>``) as Excel."""
    _require(request, "orgs.view_ipcustodyagreement")
    user = request.user
    if report := request.GET.get("report", ""):
        year = int(report) if report.isdigit() and 1900 <= int(report) <= 2100 else date.today().year
        rows = selectors.custody_report(user=user, year=year)
        kinds = list(CustodyServiceKind)
        headers = [
            "托管企业",
            "服务机构",
            "协议编号",
            "托管期",
            *(str(k.label) for k in kinds),
            "服务合计",
            "当年申请",
            "当年授权",
        ]
        data = [
            [
                r["agreement"].enterprise.name,
                r["agreement"].provider.name,
                r["agreement"].number,
                "%s 至 %s" % (r["agreement"].starts_on, r["agreement"].ends_on),
                *(r["by_kind"][str(k.value)] for k in kinds),
                r["services"],
                r["filed"],
                r["granted"],
            ]
            for r in rows
        ]
        return _xlsx("%d年知识产权托管服务报告" % year, headers, data, request, "ip_custody_report")
    filters = {k: request.GET.get(k, "")[:64] for k in ("q", "year")}
    page = ListPage(
        title="知识产权托管",
        columns=[
            Column("托管企业", lambda a: a.enterprise.name, link=True),
            Column("服务机构", lambda a: a.provider.name),
            Column("协议编号", lambda a: a.number),
            Column("开始", lambda a: a.starts_on.isoformat(), sort="starts_on"),
            Column("结束", lambda a: a.ends_on.isoformat(), sort="ends_on"),
            Column("所属区划", lambda a: a.region.name),
        ],
        default_sort="-starts_on",
        export_name="ip_custody",
        filters_template="orgs/custody_list_filters.html",
        actions_template="orgs/custody_list_actions.html",
        row_url=lambda a: reverse("orgs:custody_detail", args=[a.pk]),
    )
    context = {"filters": filters, "can_add": can_add_custody(user), "this_year": date.today().year}
    return render_list(request, selectors.custody_list(user=user, filters=filters), page, context=context)


def _org_by_code(request: HttpRequest, code: str) -> Any:
    return selectors.organization_by_credit_code(user=request.user, credit_code=code)


@login_required
@require_http_methods(["GET", "POST"])
def custody_create_view(request: HttpRequest) -> HttpResponse:
    """新增托管协议: provider and enterprise by credit code; the signed agreement as an attachment."""
    _require(request, "orgs.add_ipcustodyagreement")
    if request.method == "POST":
        form = CustodyForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            provider = _org_by_code(request, data["provider_code"])
            enterprise = _org_by_code(request, data["enterprise_code"])
            if provider is None:
                form.add_error("provider_code", "未找到该统一社会信用代码的单位（或不在您的管辖范围内）。")
            if enterprise is None:
                form.add_error("enterprise_code", "未找到该统一社会信用代码的单位（或不在您的管辖范围内）。")
            if provider is not None and enterprise is not None:
                try:
                    agreement = _save_custody(request, provider, enterprise, data)
                except BusinessError as exc:
                    form.add_service_error(exc)
                else:
                    messages.success(request, "已登记托管协议。")
                    return redirect("orgs:custody_detail", pk=agreement.pk)
    else:
        form = CustodyForm(
            initial={"starts_on": date.today(), "enterprise_code": request.GET.get("enterprise", "")[:18]}
        )
    form.mark_invalid()
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request,
        "orgs/simple_form.html",
        {"form": form, "title": "新增知识产权托管协议", "back": reverse("orgs:custody_list"), "multipart": True},
        status=status,
    )


def _save_custody(request: HttpRequest, provider: Any, enterprise: Any, data: dict[str, Any]) -> Any:
    """The agreement and its attachment in one transaction: a refused file stores no agreement."""
    from django.db import transaction

    from kejiju.core.services.attachments import attachment_create

    with transaction.atomic():
        agreement = services.custody_agreement_save(
            actor=request.user,
            provider=provider,
            enterprise=enterprise,
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            scope=data.get("scope") or "",
            number=data.get("number") or "",
        )
        upload = data.get("attachment")
        if upload:
            attachment_create(
                actor=request.user,
                fileobj=upload,
                name=upload.name,
                region=agreement.region_id,
                owner=agreement,
                purpose="托管协议",
            )
    return agreement


@login_required
@require_http_methods(["GET", "POST"])
def custody_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    """One agreement: period, scope, attachments, the services delivered (add one here), and the
    enterprise's IP portfolio (知识产权数据库)."""
    _require(request, "orgs.view_ipcustodyagreement")
    agreement = selectors.custody_get(user=request.user, pk=pk)
    portfolio = selectors.enterprise_portfolio(organization=agreement.enterprise)
    ips = [(str(i.pk), f"{i.get_ip_type_display()} {i.number} {i.title}") for i in portfolio["items"]]
    can_edit = can_change_custody(request.user, agreement)
    form = CustodyServiceForm(ips=ips, initial={"served_on": date.today()})
    status = 200
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        form = CustodyServiceForm(request.POST, ips=ips)
        if form.is_valid():
            data = dict(form.cleaned_data)
            chosen = str(data.pop("ip", "") or "")
            ip = next((i for i in portfolio["items"] if str(i.pk) == chosen), None)
            try:
                services.custody_service_add(actor=request.user, agreement=agreement, ip=ip, **data)
            except BusinessError as exc:
                form.add_service_error(exc)
            else:
                messages.success(request, "已登记托管服务。")
                return redirect("orgs:custody_detail", pk=agreement.pk)
        form.mark_invalid()
        status = 400
    context = {
        "agreement": agreement,
        "services_done": selectors.custody_services(agreement=agreement),
        "portfolio": portfolio,
        "form": form,
        "can_edit": can_edit,
        "attachments": selectors.custody_attachments(agreement=agreement),
    }
    return render(request, "orgs/custody_detail.html", context, status=status)


# ------------------------------------------------------------------ enforcement and promotion


class _Linked(str):
    """A list cell: plain text in the Excel export, a link on the page."""

    url: str = ""

    def __html__(self) -> str:
        return format_html('<a href="{}">{}</a>', self.url, str(self)) if self.url else conditional_escape(str(self))


def _linked(text: str, url: str) -> _Linked:
    cell = _Linked(text)
    cell.url = url
    return cell


def _activity_cell(activities: dict[str, Any], ref: str) -> str:
    """The linked outreach activity: its title as a link to its page, or a note when the user may not see it."""
    if not ref:
        return ""
    activity = activities.get(ref)
    if activity is None:
        return "（不在您管辖范围内的科普活动）"
    return _linked(activity.title, reverse("outreach:activity_detail", args=[activity.pk]))


@login_required
def ip_case_list_view(request: HttpRequest) -> HttpResponse:
    _require(request, "orgs.view_ipcase")
    user = request.user
    filters = {k: request.GET.get(k, "")[:64] for k in ("q", "kind", "year")}
    cases = selectors.ip_case_list(user=user, filters=filters)
    linked: dict[str, Any] = {}

    def activity(case: Any) -> str:
        # One query for every activity the listed records link to, read on the first linked row.
        if case.activity_ref and "loaded" not in linked:
            refs = cases.exclude(activity_ref="").values_list("activity_ref", flat=True).distinct()
            linked.update(loaded=True, found=selectors.ip_case_activities(user=user, refs=list(refs)))
        return _activity_cell(linked.get("found", {}), case.activity_ref)

    page = ListPage(
        title="知识产权保护与宣传",
        columns=[
            Column("名称", lambda c: c.title, sort="title", link=True),
            Column("类别", lambda c: c.get_kind_display(), sort="kind"),
            Column("日期", lambda c: c.occurred_on.isoformat(), sort="occurred_on"),
            Column("涉及单位", lambda c: c.organization.name if c.organization_id else ""),
            Column("移送（承办）单位", lambda c: c.referred_to),
            Column("结果", lambda c: c.outcome),
            Column("参加人数", lambda c: c.participants),
            Column("科普活动", activity),
        ],
        default_sort="-occurred_on",
        export_name="ip_cases",
        filters_template="orgs/ip_case_filters.html",
        actions_template="orgs/ip_case_actions.html",
        row_url=lambda c: reverse("orgs:ip_case_detail", args=[c.pk]),
    )
    context = {"filters": filters, "kind_choices": IpCaseKind.choices, "can_add": can_add_ip_case(user)}
    return render_list(request, cases, page, context=context)


@login_required
def ip_case_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    """One enforcement or promotion record; a linked outreach activity is shown with a link to its page."""
    _require(request, "orgs.view_ipcase")
    case = selectors.ip_case_get(user=request.user, pk=pk)
    activity = selectors.ip_case_activity(user=request.user, ref=case.activity_ref) if case.activity_ref else None
    context = {
        "case": case,
        "activity": activity,
        "history_url": reverse("core:history_detail", kwargs={"model": "ipcase", "pk": case.pk}),
    }
    return render(request, "orgs/ip_case_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def ip_case_create_view(request: HttpRequest) -> HttpResponse:
    """登记知识产权保护与宣传; a promotion event held through the outreach module is picked from a list."""
    _require(request, "orgs.add_ipcase")
    user = request.user
    regions = region_choices(active_region_code(user), depth=1, floor=6)
    activities = selectors.ip_activity_options(user=user)
    if request.method == "POST":
        form = IpCaseForm(request.POST, regions=regions, activities=activities)
        if form.is_valid():
            try:
                case = services.ip_case_save(actor=user, **form.cleaned_data)
            except BusinessError as exc:
                form.add_service_error(exc)
            else:
                messages.success(request, "已登记。")
                return redirect("orgs:ip_case_detail", pk=case.pk)
    else:
        # No date filled in: for a linked activity a blank date means "the day it was held".
        form = IpCaseForm(regions=regions, activities=activities)
    form.mark_invalid()
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request,
        "orgs/simple_form.html",
        {"form": form, "title": "登记知识产权保护与宣传", "back": reverse("orgs:ip_case_list")},
        status=status,
    )

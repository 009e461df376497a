"""Pages of the people registry and the talent pool (人才库): persons (list with search, filters and
Excel export, detail with roles and history, create/edit, archive/restore, import), their category
memberships, honours and training; talent categories; selection rounds from nomination to publicity and
granting; the public publicity page with objections; the statistics page with the age-structure chart.

Views parse input, check the permission (403 without it; records outside the active region answer 404
through the selectors) and call the services, which apply the rules again.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from kejiju.core.errors import BusinessError
from kejiju.core.forms.attachments import region_choices
from kejiju.core.listing import Column, ListPage, render_list
from kejiju.core.permissions import active_region_code
from kejiju.core.selectors import code_items
from kejiju.people import selectors, services
from kejiju.people.choices import AGE_BANDS, Education, NominationResult, RoundStatus, TitleLevel
from kejiju.people.forms import (
    CategoryForm,
    HandleForm,
    HonourForm,
    MembershipForm,
    NominationForm,
    ObjectionForm,
    PersonForm,
    PublishForm,
    RoundForm,
    ScoreForm,
    TrainingForm,
)
from kejiju.people.models import Person, SelectionRound
from kejiju.people.permissions import (
    can_change_person,
    can_manage_categories,
    can_manage_round,
    can_view_id_number,
    can_view_talent,
)
from kejiju.people.registry import person_roles
from kejiju.people.review import KEY as REVIEW_SOURCE_KEY
from kejiju.people.review import REVIEW_CRITERIA
from kejiju.people.workflows import ROUND_FLOW

IMPORTER = "persons"
TALENT_IMPORTER = "talents"


def _require(request: HttpRequest, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied


def _organization(user: Any, credit_code: str) -> tuple[int | None, str]:
    """The organization id for a credit code typed on a form, or an error message."""
    code = (credit_code or "").strip().upper()
    if not code:
        return None, ""
    from kejiju.orgs.selectors import organization_by_credit_code

    org = organization_by_credit_code(user=user, credit_code=code)
    return (org.pk, "") if org is not None else (None, "主体库中没有统一社会信用代码为 %s 的单位。" % code)


def _form_page(request: HttpRequest, template: str, form: Any, **context: Any) -> HttpResponse:
    status = 400 if form.is_bound and form.errors else 200
    form.mark_invalid()
    return render(request, template, {"form": form, **context}, status=status)


# ------------------------------------------------------------------------------------------- persons


def _id_cell(user: Any) -> Any:
    def cell(p: Person) -> str:
        return p.id_number if can_view_id_number(user, p) else p.masked_id_number

    return cell


def _person_columns(user: Any) -> list[Column]:
    return [
        Column("姓名", lambda p: p.name, sort="name_initials", link=True),
        Column("证件号码", _id_cell(user)),
        Column("性别", lambda p: p.get_gender_display()),
        Column("出生日期", lambda p: p.birth_date.isoformat() if p.birth_date else "", sort="birth_date"),
        Column("工作单位", lambda p: p.organization.name if p.organization_id else ""),
        Column("职称", lambda p: p.title),
        Column("最高学历", lambda p: p.get_education_display()),
        Column("所属区划", lambda p: p.region.name, sort="region"),
        Column("联系电话", lambda p: p.phone),
        Column("状态", lambda p: "已归档" if p.is_archived else "正常"),
    ]


PERSON_FILTERS = ("q", "region", "education", "title_level", "category", "archived")


@login_required
def person_list_view(request: HttpRequest) -> HttpResponse:
    """人员列表: search by name, pinyin initials, phone or whole ID number; filters (region, education,
    title level, talent category, archived); sorting, pages and Excel export from the region-scoped
    selector. ID numbers are masked for those who may not see them whole (also in the export)."""
    _require(request, "people.view_person")
    user = request.user
    filters = {key: str(request.GET.get(key, "")).strip()[:64] for key in PERSON_FILTERS}
    queryset = selectors.person_list(user=user, filters=filters)
    if filters["education"] in Education.values:
        queryset = queryset.filter(education=filters["education"])
    if filters["title_level"] in TitleLevel.values:
        queryset = queryset.filter(title_level=filters["title_level"])
    if filters["category"]:
        queryset = queryset.filter(
            memberships__category__code=filters["category"], memberships__is_archived=False
        ).distinct()
    page = ListPage(
        title="人员列表",
        columns=_person_columns(user),
        default_sort="name_initials",
        export_name="persons",
        filters_template="people/person_list_filters.html",
        actions_template="people/person_list_actions.html",
        row_url=lambda p: reverse("people:person_detail", args=[p.pk]),
    )
    context = {
        "filters": filters,
        "region_options": region_choices(active_region_code(user), depth=1, floor=6),
        "education_choices": Education.choices,
        "title_level_choices": TitleLevel.choices,
        "categories": selectors.talent_categories(),
        "can_add": user.has_perm("people.add_person"),
        "import_url": reverse("core:import_upload", args=[IMPORTER]),
    }
    return render_list(request, queryset, page, context=context)


@login_required
def person_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    """One person: fields (ID number masked unless allowed), the roles they play across the platform
    (``person_roles``), talent categories, honours, training (own records and the outreach module's
    activities), nominations, and the link to the field history."""
    _require(request, "people.view_person")
    user = request.user
    person = selectors.person_get(user=user, pk=pk)
    talent = can_view_talent(user, person)
    context = {
        "person": person,
        "id_number": person.id_number if can_view_id_number(user, person) else person.masked_id_number,
        "age": person.age_on(timezone.localdate()),
        "roles": person_roles(user, person),
        "can_edit": can_change_person(user, person),
        "can_log": user.has_perm("core.view_operationlog"),
        "talent": talent,
        "memberships": list(selectors.person_memberships(person=person, include_archived=True)) if talent else [],
        "honours": list(selectors.person_honours(person=person)) if talent else [],
        "trainings": list(selectors.person_trainings(person=person)) if talent else [],
        "activities": selectors.person_activities(person=person) if talent else [],
        "nominations": list(selectors.person_nominations(person=person)) if talent else [],
        "history_url": reverse("core:history_detail", kwargs={"model": "person", "pk": person.pk}),
    }
    return render(request, "people/person_detail.html", context)


def _person_initial(person: Person) -> dict[str, Any]:
    initial = {name: getattr(person, name) for name in services.PERSON_FIELDS if name not in ("region", "organization")}
    initial["region"] = person.region_id
    initial["organization"] = person.organization.credit_code if person.organization is not None else ""
    initial["birth_date"] = person.birth_date.isoformat() if person.birth_date else ""
    initial["subjects"] = ", ".join(person.subjects or [])
    initial["industries"] = ", ".join(person.industries or [])
    return initial


def _person_data(request: HttpRequest, form: PersonForm) -> dict[str, Any] | None:
    data = form.service_data()
    org_id, error = _organization(request.user, data.pop("organization", ""))
    if error:
        form.add_error("organization", error)
        return None
    data["organization"] = org_id
    if not data.get("id_type"):
        data["id_type"] = "resident"
    if data.get("id_type") == "resident" or not data.get("gender"):
        data.pop("gender", None)
    if data.get("id_type") == "resident" or not data.get("birth_date"):
        data.pop("birth_date", None)
    return data


@login_required
@require_http_methods(["GET", "POST"])
def person_create_view(request: HttpRequest) -> HttpResponse:
    """新增人员 (``person_create``): every field error on its field, nothing saved on error."""
    _require(request, "people.add_person")
    if request.method == "POST":
        form = PersonForm(request.POST, user=request.user)
        if form.is_valid():
            data = _person_data(request, form)
            if data is not None:
                try:
                    person = services.person_create(actor=request.user, data=data)
                except BusinessError as exc:
                    form.add_service_error(exc)
                else:
                    messages.success(request, "已新增人员“%(n)s”。" % {"n": person.name})
                    return redirect("people:person_detail", pk=person.pk)
    else:
        form = PersonForm(user=request.user, initial={"region": active_region_code(request.user) or ""})
    return _form_page(request, "people/person_form.html", form, person=None)


def _editable(request: HttpRequest, pk: int) -> Person:
    _require(request, "people.change_person")
    person = selectors.person_get(user=request.user, pk=pk)
    if not can_change_person(request.user, person):
        raise PermissionDenied
    return person


@login_required
@require_http_methods(["GET", "POST"])
def person_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    """修改人员 (``person_update``)."""
    person = _editable(request, pk)
    if request.method == "POST":
        form = PersonForm(request.POST, user=request.user)
        if form.is_valid():
            data = _person_data(request, form)
            if data is not None:
                try:
                    person = services.person_update(actor=request.user, person=person, data=data)
                except BusinessError as exc:
                    form.add_service_error(exc)
                else:
                    messages.success(request, "已保存人员“%(n)s”。" % {"n": person.name})
                    return redirect("people:person_detail", pk=person.pk)
    else:
        form = PersonForm(user=request.user, initial=_person_initial(person))
    return _form_page(request, "people/person_form.html", form, person=person)


@login_required
@require_POST
def person_archive_view(request: HttpRequest, pk: int) -> HttpResponse:
    """归档 (``archived=1``) or 恢复 (``archived=0``) a person."""
    person = _editable(request, pk)
    archived = request.POST.get("archived", "1") != "0"
    try:
        services.person_archive(actor=request.user, person=person, archived=archived)
    except BusinessError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, ("已归档人员“%(n)s”。" if archived else "已恢复人员“%(n)s”。") % {"n": person.name})
    return redirect("people:person_detail", pk=person.pk)


@login_required
def person_import_view(request: HttpRequest) -> HttpResponse:
    _require(request, "people.add_person")
    return redirect("core:import_upload", name=IMPORTER)


# ------------------------------------------------------------------------------------------- talent records


def _back(person: Person, anchor: str = "talent") -> HttpResponse:
    return redirect(reverse("people:person_detail", args=[person.pk]) + "#" + anchor)


@login_required
@require_http_methods(["GET", "POST"])
def membership_create_view(request: HttpRequest, pk: int) -> HttpResponse:
    """人才入库: put the person into a category with year and document."""
    person = _editable(request, pk)
    categories = selectors.talent_categories(active_only=True)
    if request.method == "POST":
        form = MembershipForm(request.POST, request.FILES, categories=categories)
        if form.is_valid():
            category = categories.filter(pk=form.cleaned_data["category"] or 0).first()
            if category is None:
                form.add_error("category", "请选择人才类别。")
            else:
                try:
                    services.membership_grant(
                        actor=request.user,
                        person=person,
                        category=category,
                        year=form.cleaned_data["year"],
                        document_no=form.cleaned_data["document_no"],
                        notes=form.cleaned_data["notes"],
                        upload=form.cleaned_data.get("upload"),
                    )
                except BusinessError as exc:
                    form.add_service_error(exc)
                else:
                    messages.success(request, "已将“%(p)s”加入“%(c)s”。" % {"p": person.name, "c": category.name})
                    return _back(person)
    else:
        form = MembershipForm(categories=categories)
    return _form_page(request, "people/record_form.html", form, person=person, title="人才入库", multipart=True)


@login_required
@require_POST
def membership_archive_view(request: HttpRequest, pk: int, mpk: int) -> HttpResponse:
    """出库 (with a reason)."""
    person = _editable(request, pk)
    membership = selectors.membership_get(person=person, pk=mpk)
    try:
        services.membership_archive(actor=request.user, membership=membership, reason=request.POST.get("reason", ""))
    except BusinessError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已将“%(p)s”移出“%(c)s”。" % {"p": person.name, "c": membership.category.name})
    return _back(person)


@login_required
@require_http_methods(["GET", "POST"])
def honour_form_view(request: HttpRequest, pk: int, hpk: int | None = None) -> HttpResponse:
    """新增 / 修改荣誉与入选."""
    person = _editable(request, pk)
    honour = selectors.honour_get(person=person, pk=hpk) if hpk else None
    if request.method == "POST":
        form = HonourForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.honour_save(
                    actor=request.user,
                    person=person,
                    honour=honour,
                    data=form.service_data(),
                    upload=form.cleaned_data.get("upload"),
                )
            except BusinessError as exc:
                form.add_service_error(exc)
            else:
                messages.success(request, "已保存荣誉记录。")
                return _back(person, "honours")
    else:
        initial = {}
        if honour is not None:
            initial = {k: getattr(honour, k) for k in ("title", "level", "year", "issuer", "document_no")}
        form = HonourForm(initial=initial)
    return _form_page(request, "people/record_form.html", form, person=person, title="荣誉与入选", multipart=True)


@login_required
@require_POST
def honour_archive_view(request: HttpRequest, pk: int, hpk: int) -> HttpResponse:
    person = _editable(request, pk)
    honour = selectors.honour_get(person=person, pk=hpk)
    archived = request.POST.get("archived", "1") != "0"
    try:
        services.honour_archive(actor=request.user, honour=honour, archived=archived)
    except BusinessError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已归档荣誉记录“%(t)s”。" % {"t": honour.title} if archived else "已恢复荣誉记录。")
    return _back(person, "honours")


@login_required
@require_http_methods(["GET", "POST"])
def training_form_view(request: HttpRequest, pk: int, tpk: int | None = None) -> HttpResponse:
    """新增 / 修改继续教育与培训记录."""
    person = _editable(request, pk)
    training = selectors.training_get(person=person, pk=tpk) if tpk else None
    if request.method == "POST":
        form = TrainingForm(request.POST)
        if form.is_valid():
            try:
                services.training_save(actor=request.user, person=person, training=training, data=form.service_data())
            except BusinessError as exc:
                form.add_service_error(exc)
            else:
                messages.success(request, "已保存培训记录。")
                return _back(person, "trainings")
    else:
        initial = {}
        if training is not None:
            initial = {k: getattr(training, k) for k in ("title", "organizer", "certificate_no")}
            initial.update(
                start_date=training.start_date.isoformat(),
                end_date=training.end_date.isoformat() if training.end_date else "",
                hours="" if training.hours is None else str(training.hours),
            )
        form = TrainingForm(initial=initial)
    return _form_page(request, "people/record_form.html", form, person=person, title="继续教育与培训")


@login_required
@require_POST
def training_archive_view(request: HttpRequest, pk: int, tpk: int) -> HttpResponse:
    person = _editable(request, pk)
    training = selectors.training_get(person=person, pk=tpk)
    try:
        services.training_archive(actor=request.user, training=training)
    except BusinessError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已归档培训记录“%(t)s”。" % {"t": training.title})
    return _back(person, "trainings")


# ------------------------------------------------------------------------------------------- talent list


@login_required
def talent_list_view(request: HttpRequest) -> HttpResponse:
    """人才库: the active memberships (one row per person and category), filtered by category, region,
    year and name; Excel export."""
    _require(request, "people.view_talentmembership")
    user = request.user
    filters = {key: str(request.GET.get(key, "")).strip()[:64] for key in ("q", "category", "region", "year")}
    queryset = selectors.talent_list(user=user, filters=filters)
    page = ListPage(
        title="人才库",
        columns=[
            Column("姓名", lambda m: m.person.name, sort="person__name_initials", link=True),
            Column("人才类别", lambda m: m.category.name, sort="category__order"),
            Column("入选年度", lambda m: m.year, sort="year"),
            Column("文件文号", lambda m: m.document_no),
            Column("性别", lambda m: m.person.get_gender_display()),
            Column("出生日期", lambda m: m.person.birth_date.isoformat() if m.person.birth_date else ""),
            Column("工作单位", lambda m: m.person.organization.name if m.person.organization_id else ""),
            Column("职称", lambda m: m.person.title),
            Column("主学科", lambda m: m.person.main_subject),
            Column("所属区划", lambda m: m.person.region.name, sort="region"),
        ],
        default_sort="category__order",
        export_name="talents",
        filters_template="people/talent_list_filters.html",
        actions_template="people/talent_list_actions.html",
        row_url=lambda m: reverse("people:person_detail", args=[m.person_id]),
    )
    context = {
        "filters": filters,
        "categories": selectors.talent_categories(),
        "region_options": region_choices(active_region_code(user), depth=1, floor=6),
        "can_import": can_change_person(user),
        "import_url": reverse("core:import_upload", args=[TALENT_IMPORTER]),
    }
    return render_list(request, queryset, page, context=context)


@login_required
def talent_stats_view(request: HttpRequest) -> HttpResponse:
    """人才统计: counts by category, age band, main subject, region and education; the age-structure
    chart (ECharts, ``people/talent_stats.js``) with the share under 35 and 55 and over."""
    _require(request, "people.view_talentmembership")
    user = request.user
    filters = {key: str(request.GET.get(key, "")).strip()[:12] for key in ("category", "region")}
    stats = selectors.talent_stats(user=user, filters=filters)
    names = {c.code: c.name for c in code_items(kind="subject", active_only=False)}
    stats["by_subject"] = {
        ("%s %s" % (code, names[code]) if code in names else code): n for code, n in stats["by_subject"].items()
    }
    chart = {
        "age": {"labels": list(stats["by_age"]), "values": list(stats["by_age"].values())},
        "category": {"labels": list(stats["by_category"]), "values": list(stats["by_category"].values())},
    }
    context = {
        "stats": stats,
        "chart": chart,
        "filters": filters,
        "categories": selectors.talent_categories(),
        "region_options": region_choices(active_region_code(user), depth=1, floor=6),
        "bands": AGE_BANDS,
    }
    return render(request, "people/talent_stats.html", context)


# ------------------------------------------------------------------------------------------- categories


@login_required
def category_list_view(request: HttpRequest) -> HttpResponse:
    _require(request, "people.view_talentcategory")
    from django.db.models import Count, Q

    categories = selectors.talent_categories().annotate(
        members=Count("memberships", filter=Q(memberships__is_archived=False))
    )
    return render(
        request,
        "people/category_list.html",
        {"categories": categories, "can_edit": can_manage_categories(request.user)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def category_form_view(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    if not can_manage_categories(request.user):
        raise PermissionDenied
    category = None
    if pk:
        from django.http import Http404

        category = selectors.talent_categories().filter(pk=pk).first()
        if category is None:
            raise Http404("人才类别不存在。")
    if request.method == "POST":
        form = CategoryForm(request.POST)
        if form.is_valid():
            try:
                services.category_save(actor=request.user, category=category, data=form.service_data())
            except BusinessError as exc:
                form.add_service_error(exc)
            else:
                messages.success(request, "已保存人才类别。")
                return redirect("people:category_list")
    else:
        initial: dict[str, Any] = {"is_active": True, "order": "100"}
        if category is not None:
            initial = {k: getattr(category, k) for k in ("code", "name", "description", "order", "is_active")}
        form = CategoryForm(initial=initial)
    return _form_page(request, "people/record_form.html", form, person=None, title="人才类别")


# ------------------------------------------------------------------------------------------- selection rounds


@login_required
def round_list_view(request: HttpRequest) -> HttpResponse:
    _require(request, "people.view_selectionround")
    user = request.user
    filters = {key: str(request.GET.get(key, "")).strip()[:20] for key in ("status", "category", "year")}
    page = ListPage(
        title="人才评选",
        columns=[
            Column("评选名称", lambda r: r.title, sort="title", link=True),
            Column("人才类别", lambda r: r.category.name),
            Column("年度", lambda r: r.year, sort="year"),
            Column("拟选名额", lambda r: r.quota or ""),
            Column("状态", lambda r: r.get_status_display(), sort="status"),
            Column("公示期", lambda r: "%s 至 %s" % (r.publicity_start, r.publicity_end) if r.publicity_start else ""),
            Column("所属区划", lambda r: r.region.name),
        ],
        default_sort="-year",
        export_name="selection_rounds",
        filters_template="people/round_list_filters.html",
        actions_template="people/round_list_actions.html",
        row_url=lambda r: reverse("people:round_detail", args=[r.pk]),
    )
    context = {
        "filters": filters,
        "status_choices": RoundStatus.choices,
        "categories": selectors.talent_categories(),
        "can_add": user.has_perm("people.add_selectionround"),
    }
    return render_list(request, selectors.round_list(user=user, filters=filters), page, context=context)


@login_required
@require_http_methods(["GET", "POST"])
def round_form_view(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """新建 / 修改人才评选."""
    user = request.user
    obj = None
    if pk:
        _require(request, "people.change_selectionround")
        obj = selectors.round_get(user=user, pk=pk)
        if not can_manage_round(user, obj):
            raise PermissionDenied
    else:
        _require(request, "people.add_selectionround")
    categories = selectors.talent_categories(active_only=True)
    if request.method == "POST":
        form = RoundForm(request.POST, categories=categories)
        if form.is_valid():
            try:
                if obj is None:
                    obj = services.round_create(actor=user, data=form.service_data())
                else:
                    obj = services.round_update(actor=user, selection_round=obj, data=form.service_data())
            except BusinessError as exc:
                form.add_service_error(exc)
            else:
                messages.success(request, "已保存人才评选“%(t)s”。" % {"t": obj.title})
                return redirect("people:round_detail", pk=obj.pk)
    else:
        initial: dict[str, Any] = {"year": str(timezone.localdate().year)}
        if obj is not None:
            initial = {
                k: getattr(obj, k)
                for k in ("title", "year", "quota", "rules", "decision_document_no", "publicity_contact")
            }
            initial["category"] = str(obj.category_id)
            initial["nomination_deadline"] = obj.nomination_deadline.isoformat() if obj.nomination_deadline else ""
        form = RoundForm(categories=categories, initial=initial)
    return _form_page(request, "people/record_form.html", form, person=None, title="人才评选", round=obj)


def _round_page(request: HttpRequest, obj: SelectionRound, status: int = 200, **forms: Any) -> HttpResponse:
    user = request.user
    manage = can_manage_round(user, obj)
    nominations = list(selectors.round_nominations(selection_round=obj))
    transitions: list[Any] = list(selectors.round_transitions(selection_round=obj))
    for t in transitions:
        step = ROUND_FLOW.actions.get(t.action)
        t.action_label = step.label if step else t.action
        t.to_label = ROUND_FLOW.labels.get(t.to_status, t.to_status)
    nomination_form = forms.get("nomination_form") or NominationForm()
    publish_form = forms.get("publish_form") or PublishForm(
        initial={"decision_document_no": obj.decision_document_no, "publicity_contact": obj.publicity_contact}
    )
    nomination_form.mark_invalid()
    publish_form.mark_invalid()
    review_url = ""
    if manage and obj.status == RoundStatus.REVIEWING and user.has_perm("review.add_reviewbatch"):
        # the round's nominees are offered as candidates of the review module's new batch form
        review_url = "%s?%s" % (
            reverse("review:batch_create"),
            urlencode(
                {
                    "source_key": REVIEW_SOURCE_KEY,
                    "kind": "selection",
                    "filter_round": str(obj.pk),
                    "title": "%s专家评审" % obj.title,
                    "criteria": REVIEW_CRITERIA,
                }
            ),
        )
    context = {
        "round": obj,
        "can_manage": manage,
        "actions": [a for a in ROUND_FLOW.available(obj.status) if a.name != "publish"] if manage else [],
        "can_publish": manage and ROUND_FLOW.allowed("publish", obj.status),
        "nominations": nominations,
        "selected_count": sum(1 for n in nominations if n.result == NominationResult.SELECTED),
        "objections": list(selectors.round_objections(selection_round=obj)),
        "transitions": transitions,
        "nomination_form": nomination_form,
        "publish_form": publish_form,
        "statuses": RoundStatus,
        "results": NominationResult,
        "public_url": reverse("people:public_round", args=[obj.pk]),
        "review_url": review_url,
        "review_batches": list(selectors.review_batches(user=user, selection_round=obj)),
    }
    return render(request, "people/round_detail.html", context, status=status)


@login_required
def round_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    """One round: settings, the status buttons (from ``ROUND_FLOW``), the nominees with scores and
    results, the publicity and objections, and the transition history."""
    _require(request, "people.view_selectionround")
    return _round_page(request, selectors.round_get(user=request.user, pk=pk))


def _managed_round(request: HttpRequest, pk: int) -> SelectionRound:
    _require(request, "people.change_selectionround")
    obj = selectors.round_get(user=request.user, pk=pk)
    if not can_manage_round(request.user, obj):
        raise PermissionDenied
    return obj


@login_required
@require_POST
def round_transition_view(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """One POST per step of the round's workflow; 发布公示 takes the publicity dates."""
    obj = _managed_round(request, pk)
    data = None
    publish_form = None
    if action == "publish":
        publish_form = PublishForm(request.POST)
        if not publish_form.is_valid():
            return _round_page(request, obj, status=400, publish_form=publish_form)
        data = publish_form.service_data()
    try:
        obj = services.round_transition(
            actor=request.user, selection_round=obj, action=action, reason=request.POST.get("reason", ""), data=data
        )
    except BusinessError as exc:
        if publish_form is not None:
            publish_form.add_service_error(exc)
            return _round_page(request, obj, status=400, publish_form=publish_form)
        messages.error(request, exc.message)
    else:
        messages.success(request, "评选已更新为“%(s)s”。" % {"s": obj.get_status_display()})
    return redirect("people:round_detail", pk=obj.pk)


@login_required
@require_POST
def nomination_create_view(request: HttpRequest, pk: int) -> HttpResponse:
    """推荐人选: find the person by document or register them, then nominate."""
    obj = _managed_round(request, pk)
    form = NominationForm(request.POST)
    if form.is_valid():
        data = form.service_data()
        org_id, error = _organization(request.user, data.pop("nominator", ""))
        if error:
            form.add_error("nominator", error)
        else:
            achievements = data.pop("achievements", "")
            person_data = {k: v for k, v in data.items() if v not in ("", None)}
            try:
                nomination = services.nomination_create(
                    actor=request.user,
                    selection_round=obj,
                    person_data=person_data,
                    nominator=org_id,
                    achievements=achievements,
                )
            except BusinessError as exc:
                form.add_service_error(exc)
            else:
                messages.success(request, "已推荐“%(n)s”。" % {"n": nomination.person.name})
                return redirect(reverse("people:round_detail", args=[obj.pk]) + "#nominations")
    return _round_page(request, obj, status=400, nomination_form=form)


@login_required
@require_POST
def nomination_action_view(request: HttpRequest, pk: int, npk: int, action: str) -> HttpResponse:
    """评审得分 (``score``), 入选 / 未入选 / 待定 (``decide``), 撤回 (``withdraw``) of one nominee."""
    obj = _managed_round(request, pk)
    nomination = selectors.nomination_get(user=request.user, selection_round=obj, pk=npk)
    try:
        if action == "score":
            form = ScoreForm(request.POST)
            form.is_valid()
            services.nomination_score(
                actor=request.user,
                nomination=nomination,
                score=form.cleaned_data.get("score", ""),
                opinion=form.cleaned_data.get("opinion", ""),
                reviewers=form.cleaned_data.get("reviewers", ""),
            )
        elif action == "decide":
            services.nomination_decide(
                actor=request.user,
                nomination=nomination,
                result=request.POST.get("result", ""),
                reason=request.POST.get("reason", "")[:300],
            )
        elif action == "withdraw":
            services.nomination_withdraw(
                actor=request.user, nomination=nomination, reason=request.POST.get("reason", "")
            )
        else:
            from django.http import Http404

            raise Http404("未知的操作。")
    except BusinessError as exc:
        messages.error(request, "%(n)s：%(m)s" % {"n": nomination.person.name, "m": exc.message})
    else:
        messages.success(request, "已更新“%(n)s”。" % {"n": nomination.person.name})
    return redirect(reverse("people:round_detail", args=[obj.pk]) + "#nominations")


@login_required
@require_POST
def objection_handle_view(request: HttpRequest, pk: int, opk: int) -> HttpResponse:
    obj = _managed_round(request, pk)
    objection = selectors.objection_get(selection_round=obj, pk=opk)
    form = HandleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择处理结论。")
    else:
        try:
            services.objection_handle(
                actor=request.user,
                objection=objection,
                upheld=form.cleaned_data["upheld"] == "1",
                handling=form.cleaned_data["handling"],
            )
        except BusinessError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "已处理异议。")
    return redirect(reverse("people:round_detail", args=[obj.pk]) + "#objections")


# ------------------------------------------------------------------------------------------- public pages


def public_round_list_view(request: HttpRequest) -> HttpResponse:
    """公示 (anonymous): the rounds whose publicity runs today."""
    return render(request, "people/public_round_list.html", {"rounds": selectors.public_rounds()})


@require_http_methods(["GET", "POST"])
def public_round_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A round's publicity page (anonymous): the period, the list (name, unit, title — never an ID
    number or phone), how to object, and the objection form while the period runs."""
    obj = selectors.round_public_get(pk=pk)
    nominees = list(selectors.round_selected(selection_round=obj))

    today = timezone.localdate()
    running = (
        obj.status == RoundStatus.PUBLICITY
        and obj.publicity_start is not None
        and obj.publicity_end is not None
        and obj.publicity_start <= today <= obj.publicity_end
    )
    submitted = False
    status = 200
    if request.method == "POST":
        form = ObjectionForm(request.POST, nominees=nominees)
        if form.is_valid():
            try:
                services.objection_submit(actor=request.user, selection_round=obj, data=form.service_data())
            except BusinessError as exc:
                form.add_service_error(exc)
                status = 400
            else:
                submitted = True
                form = ObjectionForm(nominees=nominees)
        else:
            status = 400
    else:
        form = ObjectionForm(nominees=nominees)
    form.mark_invalid()
    context = {
        "round": obj,
        "nominees": nominees,
        "running": running,
        "form": form,
        "submitted": submitted,
        "today": today,
    }
    return render(request, "people/public_round.html", context, status=status)

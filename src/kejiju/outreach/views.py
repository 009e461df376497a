"""Pages of the outreach app: commissioners (list, detail, assignments, diary, assessment), the
commissioner's own mobile pages, training and 科普 activities (plan → held / cancelled) with yearly
statistics, assessment templates and the configurable kinds.

Views parse input, check the permission (403 without it; records outside the active region answer 404
through the selectors) and call the services, which apply the rules again.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from kejiju.core.errors import BusinessError
from kejiju.core.forms.attachments import region_choices
from kejiju.core.listing import Column, ListPage, render_list
from kejiju.core.models import Department, User
from kejiju.core.permissions import active_region_code
from kejiju.outreach import selectors, services
from kejiju.outreach.choices import ActivityStatus, KindGroup
from kejiju.outreach.forms import (
    ActivityHoldForm,
    ActivityPlanForm,
    AssessmentForm,
    AssignmentForm,
    CancelForm,
    CommissionerEditForm,
    CommissionerForm,
    DiaryForm,
    KindForm,
    ServiceForm,
    TemplateForm,
)
from kejiju.outreach.models import Activity, Commissioner
from kejiju.outreach.permissions import (
    can_add_activity,
    can_add_commissioner,
    can_assess_commissioner,
    can_change_activity,
    can_change_commissioner,
    can_log_service,
    can_manage_kinds,
    can_manage_templates,
)
from kejiju.outreach.topics import has_topic_source, topic_suggestions


def _require(request: HttpRequest, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied


def _form_page(
    request: HttpRequest, form: ServiceForm, *, title: str, crumbs: list[tuple[str, str]], cancel: str, **extra: Any
) -> HttpResponse:
    form.mark_invalid()
    status = 400 if form.is_bound and (form.errors or form.file_errors) else 200
    context = {"form": form, "title": title, "crumbs": crumbs, "cancel_url": cancel, **extra}
    return render(request, extra.pop("template", None) or "outreach/form.html", context, status=status)


def _uploads(request: HttpRequest, name: str) -> list[services.Upload]:
    return services.as_uploads(request.FILES.getlist(name))


def _years() -> list[int]:
    this = date.today().year
    return list(range(this + 1, this - 6, -1))


def _org_choices(user: Any, limit: int = 500) -> list[tuple[str, str]]:
    from kejiju.orgs.selectors import organization_list

    return [("", "—")] + [(str(o.pk), o.name) for o in organization_list(user=user).order_by("name")[:limit]]


def _kind_choices(group: str) -> list[tuple[str, str]]:
    return [("", "请选择")] + [(k.code, k.name) for k in selectors.kind_list(group=group)]


def _error_text(exc: BusinessError) -> str:
    return exc.message


# ------------------------------------------------------------------ commissioners


def _commissioner_columns() -> list[Column]:
    return [
        Column("特派员", lambda c: c.display_name, link=True),
        Column("类别", lambda c: c.kind.name, sort="kind__sort"),
        Column("类型", lambda c: c.get_holder_type_display(), sort="holder_type"),
        Column("选派年度", lambda c: c.selection_year, sort="selection_year"),
        Column("选派区划", lambda c: c.region.name, sort="region"),
        Column("服务领域", lambda c: c.expertise),
        Column(
            "联系电话",
            lambda c: c.person.phone if c.person_id else (c.organization.contact_phone if c.organization_id else ""),
        ),
        Column("账号", lambda c: c.user.username if c.user_id else ""),
    ]


@login_required
def commissioner_list_view(request: HttpRequest) -> HttpResponse:
    """科技特派员 list: name, kind, selection year, region served; sorting, pages and Excel export."""
    _require(request, "outreach.view_commissioner")
    filters = {k: request.GET.get(k, "") for k in ("q", "kind", "year", "region", "archived")}
    qs = selectors.commissioner_list(user=request.user, filters=filters)
    page = ListPage(
        title="科技特派员",
        columns=_commissioner_columns(),
        default_sort="-selection_year",
        export_name="outreach_commissioners",
        filters_template="outreach/commissioner_list_filters.html",
        actions_template="outreach/commissioner_list_actions.html",
        row_url=lambda c: reverse("outreach:commissioner_detail", args=[c.pk]),
    )
    context = {
        "filters": filters,
        "kind_choices": _kind_choices(KindGroup.COMMISSIONER)[1:],
        "years": _years(),
        "region_options": region_choices(active_region_code(request.user), depth=2, floor=9),
        "can_add": can_add_commissioner(request.user),
    }
    return render_list(request, qs, page, context=context)


def _user_choices(user: Any) -> list[tuple[str, str]]:
    code = active_region_code(user)
    qs = User.objects.filter(role="commissioner", is_active=True)
    if code:
        qs = qs.filter(region__code__startswith=code[:6])
    return [("", "（无）")] + [(str(u.pk), "%s %s" % (u.full_name, u.username)) for u in qs.order_by("username")[:300]]


@login_required
@require_http_methods(["GET", "POST"])
def commissioner_create_view(request: HttpRequest) -> HttpResponse:
    """登记科技特派员: an individual (found by ID number or registered) or a legal person."""
    _require(request, "outreach.add_commissioner")
    form = CommissionerForm(
        request.POST or None, initial={"selection_year": date.today().year, "region": active_region_code(request.user)}
    )
    form.fields["kind"].widget.choices = _kind_choices(KindGroup.COMMISSIONER)
    form.fields["region"].widget.choices = region_choices(active_region_code(request.user), depth=1, floor=6)
    form.fields["organization"].widget.choices = _org_choices(request.user)
    form.fields["user"].widget.choices = _user_choices(request.user)
    if request.method == "POST" and form.is_valid():
        try:
            obj = services.commissioner_create(actor=request.user, data=form.service_data())
        except BusinessError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, "已登记科技特派员。")
            return redirect("outreach:commissioner_detail", pk=obj.pk)
    return _form_page(
        request,
        form,
        title="登记科技特派员",
        crumbs=[("科技特派员", reverse("outreach:commissioner_list"))],
        cancel=reverse("outreach:commissioner_list"),
    )


@login_required
def commissioner_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    """One commissioner: assignments with targets and agreements, service diary, trainings taken part in,
    linked requests, yearly assessments, and the field history."""
    _require(request, "outreach.view_commissioner")
    obj = selectors.commissioner_get(user=request.user, pk=pk)
    return render(request, "outreach/commissioner_detail.html", _commissioner_context(request, obj))


def _commissioner_context(request: HttpRequest, obj: Commissioner) -> dict[str, Any]:
    diaries = list(selectors.commissioner_diaries(commissioner=obj)[:50])
    refs = sorted({r for d in diaries for r in (d.request_refs or [])})
    return {
        "c": obj,
        "assignments": selectors.commissioner_assignments(commissioner=obj),
        "diaries": diaries,
        "refs": refs,
        "activities": selectors.commissioner_activities(commissioner=obj)[:50],
        "assessments": selectors.commissioner_assessments(commissioner=obj),
        "summary": selectors.commissioner_summary(commissioner=obj),
        "summary_year": selectors.commissioner_summary(commissioner=obj, year=date.today().year),
        "this_year": date.today().year,
        "can_edit": can_change_commissioner(request.user, obj),
        "can_assess": can_assess_commissioner(request.user, obj),
        "can_log": can_log_service(request.user, obj),
        "history_url": reverse("core:history_detail", kwargs={"model": "commissioner", "pk": obj.pk}),
    }


def _editable_commissioner(request: HttpRequest, pk: int) -> Commissioner:
    _require(request, "outreach.change_commissioner")
    obj = selectors.commissioner_get(user=request.user, pk=pk)
    if not can_change_commissioner(request.user, obj):
        raise PermissionDenied
    return obj


@login_required
@require_http_methods(["GET", "POST"])
def commissioner_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    obj = _editable_commissioner(request, pk)
    initial = {"kind": obj.kind.code, "expertise": obj.expertise, "user": obj.user_id or "", "notes": obj.notes}
    form = CommissionerEditForm(request.POST or None, initial=initial)
    form.fields["kind"].widget.choices = _kind_choices(KindGroup.COMMISSIONER)
    form.fields["user"].widget.choices = _user_choices(request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.commissioner_update(actor=request.user, commissioner=obj, data=form.data_dict())
        except BusinessError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, "已保存。")
            return redirect("outreach:commissioner_detail", pk=obj.pk)
    detail = reverse("outreach:commissioner_detail", args=[obj.pk])
    return _form_page(
        request,
        form,
        title="修改特派员 · %s" % obj.display_name,
        crumbs=[("科技特派员", reverse("outreach:commissioner_list")), (obj.display_name, detail)],
        cancel=detail,
    )


@login_required
@require_http_methods(["GET", "POST"])
def assignment_create_view(request: HttpRequest, pk: int) -> HttpResponse:
    """新增服务对象: a town/village or a cooperative/enterprise, period, targets and the agreement."""
    obj = _editable_commissioner(request, pk)
    form = AssignmentForm(request.POST or None, initial={"start_on": date.today().isoformat()})
    form.fields["target_region"].widget.choices = [("", "—")] + region_choices(
        active_region_code(request.user), depth=2, floor=12
    )
    form.fields["target_organization"].widget.choices = _org_choices(request.user)
    if request.method == "POST" and form.is_valid():
        files = _uploads(request, "agreement")
        try:
            services.assignment_save(
                actor=request.user, commissioner=obj, data=form.service_data(), agreement=files[0] if files else None
            )
        except BusinessError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, "已保存服务对象。")
            return redirect("outreach:commissioner_detail", pk=obj.pk)
    detail = reverse("outreach:commissioner_detail", args=[obj.pk])
    return _form_page(
        request,
        form,
        title="新增服务对象 · %s" % obj.display_name,
        crumbs=[("科技特派员", reverse("outreach:commissioner_list")), (obj.display_name, detail)],
        cancel=detail,
        multipart=True,
    )


def _diary_form(request: HttpRequest, commissioner: Commissioner) -> DiaryForm:
    form = DiaryForm(request.POST or None, initial={"served_on": date.today().isoformat()})
    from kejiju.core.models import Region

    choices: list[tuple[str, str]] = [("", "请选择")]
    for a in selectors.active_assignments(commissioner=commissioner):
        scope = a.target_region_id or (a.target_organization.region_id if a.target_organization is not None else "")
        if not scope:
            continue
        for region in Region.objects.filter(code__startswith=scope, is_active=True).order_by("code")[:200]:
            label = region.name if region.code == scope else "\u3000" + region.name
            if (region.code, label) not in choices:
                choices.append((region.code, label))
    form.fields["place_region"].widget.choices = choices
    form.fields["activity"].widget.choices = [("", "（无）")] + [
        (str(a.pk), "%s %s" % (a.planned_start, a.title)) for a in commissioner.activities.all()[:50]
    ]
    return form


def _diary_submit(request: HttpRequest, commissioner: Commissioner, form: DiaryForm) -> bool:
    if not form.is_valid():
        return False
    try:
        services.diary_create(
            actor=request.user, commissioner=commissioner, data=form.data_dict(), photos=_uploads(request, "photos")
        )
    except BusinessError as exc:
        form.add_service_error(exc)
        return False
    messages.success(request, "已记录服务日志。")
    return True


@login_required
@require_http_methods(["GET", "POST"])
def diary_create_view(request: HttpRequest, pk: int) -> HttpResponse:
    """记录服务日志 on behalf of a commissioner (bureau staff)."""
    obj = _editable_commissioner(request, pk)
    form = _diary_form(request, obj)
    if request.method == "POST" and _diary_submit(request, obj, form):
        return redirect("outreach:commissioner_detail", pk=obj.pk)
    detail = reverse("outreach:commissioner_detail", args=[obj.pk])
    return _form_page(
        request,
        form,
        title="记录服务日志 · %s" % obj.display_name,
        crumbs=[("科技特派员", reverse("outreach:commissioner_list")), (obj.display_name, detail)],
        cancel=detail,
        multipart=True,
    )


@login_required
@require_http_methods(["GET", "POST"])
def assessment_view(request: HttpRequest, pk: int) -> HttpResponse:
    """年度考核: choose a template, score each item 0–100; total and grade follow from the template."""
    _require(request, "outreach.assess_commissioner")
    obj = selectors.commissioner_get(user=request.user, pk=pk)
    if not can_assess_commissioner(request.user, obj):
        raise PermissionDenied
    templates = list(selectors.template_list(user=request.user))
    chosen_pk = (
        request.POST.get("template") or request.GET.get("template") or (str(templates[0].pk) if templates else "")
    )
    template = next((t for t in templates if str(t.pk) == str(chosen_pk)), None)
    year = (
        request.POST.get("year")
        or request.GET.get("year")
        or str(date.today().year - (1 if date.today().month < 7 else 0))
    )
    form = AssessmentForm(request.POST or None, initial={"year": year, "template": chosen_pk})
    form.fields["template"].widget.choices = [(str(t.pk), t.name) for t in templates]
    form.fields["template"].widget.attrs["class"] = "form-select js-autosubmit"
    items = list(template.items) if template else []
    scores = [request.POST.get("score_%d" % i, "") for i in range(len(items))]
    if request.method == "POST" and form.is_valid():
        if template is None:
            form.add_error("template", "请选择考核模板。")
        elif "score_0" in request.POST or not items:
            try:
                services.assessment_save(
                    actor=request.user,
                    commissioner=obj,
                    year=form.cleaned_data["year"],
                    template=template,
                    scores=scores,
                    comment=form.cleaned_data["comment"],
                )
            except BusinessError as exc:
                form.add_service_error(exc)
            else:
                messages.success(request, "已保存年度考核。")
                return redirect(reverse("outreach:commissioner_detail", args=[obj.pk]) + "#assessments")
    detail = reverse("outreach:commissioner_detail", args=[obj.pk])
    return _form_page(
        request,
        form,
        title="年度考核 · %s" % obj.display_name,
        crumbs=[("科技特派员", reverse("outreach:commissioner_list")), (obj.display_name, detail)],
        cancel=detail,
        template="outreach/assessment_form.html",
        items=[{"index": i, "score": scores[i], **item} for i, item in enumerate(items)],
        tpl=template,
        summary=selectors.commissioner_summary(
            commissioner=obj, year=int(year) if str(year).isdigit() and len(str(year)) == 4 else None
        ),
    )


# ------------------------------------------------------------------ the commissioner's own pages


@login_required
def my_home_view(request: HttpRequest) -> HttpResponse:
    """我的服务 (phone-sized): the commissioner's own assignments, this year's figures and recent diary."""
    _require(request, "outreach.add_servicediary")
    rows = []
    for c in selectors.commissioners_of_user(user=request.user):
        rows.append(
            {
                "c": c,
                "assignments": selectors.active_assignments(commissioner=c),
                "diaries": list(selectors.commissioner_diaries(commissioner=c)[:10]),
                "summary": selectors.commissioner_summary(commissioner=c, year=date.today().year),
                "assessments": list(selectors.commissioner_assessments(commissioner=c)[:3]),
            }
        )
    return render(request, "outreach/my_home.html", {"rows": rows, "this_year": date.today().year})


@login_required
@require_http_methods(["GET", "POST"])
def my_diary_create_view(request: HttpRequest, pk: int) -> HttpResponse:
    """记录服务 (phone-sized form) for one of the user's own commissioner records."""
    _require(request, "outreach.add_servicediary")
    obj = selectors.own_commissioner_get(user=request.user, pk=pk)
    form = _diary_form(request, obj)
    if request.method == "POST" and _diary_submit(request, obj, form):
        return redirect("outreach:my_home")
    return _form_page(
        request,
        form,
        title="记录服务",
        crumbs=[("我的服务", reverse("outreach:my_home"))],
        cancel=reverse("outreach:my_home"),
        multipart=True,
        narrow=True,
    )


# ------------------------------------------------------------------ diary list


@login_required
def diary_list_view(request: HttpRequest) -> HttpResponse:
    _require(request, "outreach.view_servicediary")
    filters = {k: request.GET.get(k, "") for k in ("q", "commissioner", "region", "year", "month")}
    qs = selectors.diary_list(user=request.user, filters=filters)
    page = ListPage(
        title="服务日志",
        columns=[
            Column("服务日期", lambda d: d.served_on.isoformat(), sort="served_on"),
            Column("特派员", lambda d: d.commissioner.display_name),
            Column("类别", lambda d: d.commissioner.kind.name),
            Column("服务地点", lambda d: ("%s %s" % (d.region.name, d.place)).strip(), sort="region"),
            Column("服务对象", lambda d: d.served),
            Column("服务内容", lambda d: d.content[:60]),
            Column("时长（小时）", lambda d: d.hours, sort="hours"),
            Column("关联工单", lambda d: "、".join(d.request_refs or [])),
        ],
        default_sort="-served_on",
        export_name="outreach_diaries",
        filters_template="outreach/diary_list_filters.html",
        row_url=lambda d: reverse("outreach:commissioner_detail", args=[d.commissioner_id]),
    )
    context = {
        "filters": filters,
        "years": _years(),
        "months": range(1, 13),
        "region_options": region_choices(active_region_code(request.user), depth=2, floor=9),
    }
    return render_list(request, qs, page, context=context)


# ------------------------------------------------------------------ activities


def _activity_columns() -> list[Column]:
    return [
        Column("活动名称", lambda a: a.title, sort="title", link=True),
        Column("类型", lambda a: a.kind.name, sort="kind__sort"),
        Column("状态", lambda a: a.get_status_display(), sort="status"),
        Column("乡镇", lambda a: a.region.name, sort="region"),
        Column("计划日期", lambda a: a.planned_start.isoformat(), sort="planned_start"),
        Column("实际日期", lambda a: a.start_on.isoformat() if a.start_on else "", sort="start_on"),
        Column("主题", lambda a: a.topic),
        Column(
            "主办",
            lambda a: (
                a.organizer_organization.name
                if a.organizer_organization_id
                else (a.organizer_department.name if a.organizer_department_id else "")
            ),
        ),
        Column("计划人次", lambda a: a.planned_attendance, sort="planned_attendance"),
        Column("参加人次", lambda a: a.attendance, sort="attendance"),
        Column("发放资料（份）", lambda a: a.materials, sort="materials"),
        Column("经费（元）", lambda a: a.cost, sort="cost"),
    ]


@login_required
def activity_list_view(request: HttpRequest) -> HttpResponse:
    """培训与科普活动 list with filters (year, month, kind, status, town, trainings only) and Excel export."""
    _require(request, "outreach.view_activity")
    filters = {k: request.GET.get(k, "") for k in ("q", "kind", "status", "year", "month", "region", "training")}
    qs = selectors.activity_list(user=request.user, filters=filters)
    page = ListPage(
        title="培训与科普活动",
        columns=_activity_columns(),
        default_sort="-planned_start",
        export_name="outreach_activities",
        filters_template="outreach/activity_list_filters.html",
        actions_template="outreach/activity_list_actions.html",
        row_url=lambda a: reverse("outreach:activity_detail", args=[a.pk]),
    )
    context = {
        "filters": filters,
        "kind_choices": _kind_choices(KindGroup.ACTIVITY)[1:],
        "status_choices": ActivityStatus.choices,
        "years": _years(),
        "months": range(1, 13),
        "region_options": region_choices(active_region_code(request.user), depth=2, floor=9),
        "can_add": can_add_activity(request.user),
    }
    return render_list(request, qs, page, context=context)


def _plan_form(request: HttpRequest, obj: Activity | None) -> ActivityPlanForm:
    from kejiju.people.selectors import person_list

    initial: dict[str, Any] = {"region": active_region_code(request.user)}
    if obj is not None:
        initial = {
            "kind": obj.kind.code,
            "title": obj.title,
            "topic": obj.topic,
            "region": obj.region_id,
            "venue": obj.venue,
            "planned_start": obj.planned_start.isoformat(),
            "planned_end": obj.planned_end.isoformat(),
            "planned_attendance": obj.planned_attendance if obj.planned_attendance is not None else "",
            "organizer_organization": obj.organizer_organization_id or "",
            "organizer_department": obj.organizer_department_id or "",
            "trainers": [str(p.pk) for p in obj.trainers.all()],
            "commissioners": [str(c.pk) for c in obj.commissioners.all()],
        }
    form = ActivityPlanForm(request.POST or None, initial=initial)
    form.fields["kind"].widget.choices = _kind_choices(KindGroup.ACTIVITY)
    form.fields["region"].widget.choices = [("", "请选择")] + region_choices(
        active_region_code(request.user), depth=1, floor=9
    )
    form.fields["organizer_organization"].widget.choices = _org_choices(request.user)
    code = active_region_code(request.user)
    depts = (
        Department.objects.restrict(request.user).filter(is_active=True)
        if code is not None
        else Department.objects.none()
    )
    form.fields["organizer_department"].widget.choices = [("", "—")] + [(str(d.pk), d.name) for d in depts[:100]]
    commissioners = list(selectors.commissioner_list(user=request.user)[:300])
    people = {str(c.person_id): "%s（特派员）" % c.person.name for c in commissioners if c.person is not None}
    for p in person_list(user=request.user).order_by("name")[:300]:
        people.setdefault(str(p.pk), "%s %s" % (p.name, p.title or ""))
    if obj is not None:
        for p in obj.trainers.all():
            people.setdefault(str(p.pk), p.name)
    form.fields["trainers"].choices = list(people.items())  # type: ignore[attr-defined]
    form.fields["commissioners"].choices = [  # type: ignore[attr-defined]
        (str(c.pk), "%s（%s）" % (c.display_name, c.kind.name)) for c in commissioners
    ]
    return form


@login_required
@require_http_methods(["GET", "POST"])
def activity_create_view(request: HttpRequest) -> HttpResponse:
    """计划活动; suggested topics (frequent service-line topics of the last season) when a provider exists."""
    _require(request, "outreach.add_activity")
    form = _plan_form(request, None)
    if request.method == "POST" and form.is_valid():
        try:
            obj = services.activity_plan(actor=request.user, data=form.data_dict())
        except BusinessError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, "已保存活动计划。")
            return redirect("outreach:activity_detail", pk=obj.pk)
    suggestions = topic_suggestions(active_region_code(request.user) or "") if has_topic_source() else []
    return _form_page(
        request,
        form,
        title="计划培训/科普活动",
        crumbs=[("培训与科普活动", reverse("outreach:activity_list"))],
        cancel=reverse("outreach:activity_list"),
        suggestions=suggestions,
    )


def _editable_activity(request: HttpRequest, pk: int) -> Activity:
    _require(request, "outreach.change_activity")
    obj = selectors.activity_get(user=request.user, pk=pk)
    if not can_change_activity(request.user, obj):
        raise PermissionDenied
    return obj


@login_required
@require_http_methods(["GET", "POST"])
def activity_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    obj = _editable_activity(request, pk)
    form = _plan_form(request, obj)
    if request.method == "POST" and form.is_valid():
        try:
            services.activity_update(actor=request.user, activity=obj, data=form.data_dict())
        except BusinessError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, "已保存活动计划。")
            return redirect("outreach:activity_detail", pk=obj.pk)
    detail = reverse("outreach:activity_detail", args=[obj.pk])
    return _form_page(
        request,
        form,
        title="修改活动计划 · %s" % obj.title,
        crumbs=[("培训与科普活动", reverse("outreach:activity_list")), (obj.title, detail)],
        cancel=detail,
    )


@login_required
def activity_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    """One activity: plan and actual, trainers, commissioners, photos, sign-in sheets, status history."""
    _require(request, "outreach.view_activity")
    obj = selectors.activity_get(user=request.user, pk=pk)
    can_edit = can_change_activity(request.user, obj)
    context = {
        "a": obj,
        "trainers": obj.trainers.all(),
        "commissioners": obj.commissioners.select_related("person", "organization", "kind"),
        "attendees": [r.person for r in obj.attendee_rows.select_related("person")[:500]],
        "photos": selectors.attachments_of(obj, "活动照片"),
        "sheets": selectors.attachments_of(obj, "签到表"),
        "transitions": selectors.activity_transitions(activity=obj),
        "can_edit": can_edit and obj.status != ActivityStatus.CANCELLED,
        "actions": [a for a in services.ACTIVITY_WORKFLOW.available(obj.status)] if can_edit else [],
        "history_url": reverse("core:history_detail", kwargs={"model": "activity", "pk": obj.pk}),
    }
    return render(request, "outreach/activity_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def activity_hold_view(request: HttpRequest, pk: int) -> HttpResponse:
    """登记举办情况: actual dates, 人次, 份, cost, photos and sign-in sheets (planned → held)."""
    obj = _editable_activity(request, pk)
    if obj.status == ActivityStatus.CANCELLED:
        messages.error(request, "已取消的活动不能登记举办情况。")
        return redirect("outreach:activity_detail", pk=obj.pk)
    initial = {
        "start_on": (obj.start_on or obj.planned_start).isoformat(),
        "end_on": (obj.end_on or obj.planned_end).isoformat(),
        "attendance": obj.attendance if obj.attendance is not None else "",
        "materials": obj.materials if obj.materials is not None else "",
        "cost": obj.cost if obj.cost is not None else "",
        "summary": obj.summary,
    }
    form = ActivityHoldForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.activity_hold(
                actor=request.user,
                activity=obj,
                data=form.data_dict(),
                photos=_uploads(request, "photos"),
                sign_in_sheets=_uploads(request, "sign_in_sheets"),
            )
        except BusinessError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, "已登记举办情况。")
            return redirect("outreach:activity_detail", pk=obj.pk)
    detail = reverse("outreach:activity_detail", args=[obj.pk])
    return _form_page(
        request,
        form,
        title="登记举办情况 · %s" % obj.title,
        crumbs=[("培训与科普活动", reverse("outreach:activity_list")), (obj.title, detail)],
        cancel=detail,
        multipart=True,
    )


@login_required
@require_http_methods(["GET", "POST"])
def activity_cancel_view(request: HttpRequest, pk: int) -> HttpResponse:
    obj = _editable_activity(request, pk)
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.activity_cancel(actor=request.user, activity=obj, reason=form.cleaned_data["reason"])
        except BusinessError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, "已取消活动。")
            return redirect("outreach:activity_detail", pk=obj.pk)
    detail = reverse("outreach:activity_detail", args=[obj.pk])
    return _form_page(
        request,
        form,
        title="取消活动 · %s" % obj.title,
        crumbs=[("培训与科普活动", reverse("outreach:activity_list")), (obj.title, detail)],
        cancel=detail,
    )


@login_required
def activity_stats_view(request: HttpRequest) -> HttpResponse:
    """年度计划完成情况 and held activities by town, month and kind."""
    _require(request, "outreach.view_activity")
    text = request.GET.get("year", "")
    year = int(text) if text.isdigit() and len(text) == 4 and 2000 <= int(text) <= 2100 else date.today().year
    region = request.GET.get("region", "")
    stats = selectors.activity_stats(user=request.user, year=year, region=region)
    context = {
        "stats": stats,
        "years": _years(),
        "region": region,
        "region_options": region_choices(active_region_code(request.user), depth=2, floor=9),
        "max_month": max([m["attendance"] for m in stats["by_month"]] + [1]),
    }
    return render(request, "outreach/activity_stats.html", context)


# ------------------------------------------------------------------ templates and kinds


@login_required
def template_list_view(request: HttpRequest) -> HttpResponse:
    _require(request, "outreach.view_assessmenttemplate")
    qs = selectors.template_list(user=request.user)
    page = ListPage(
        title="考核模板",
        columns=[
            Column("模板名称", lambda t: t.name, sort="name"),
            Column("适用年度", lambda t: t.year or "不限", sort="year"),
            Column("所属区划", lambda t: t.region.name),
            Column("考核项目（权重）", lambda t: "、".join("%s %s" % (i["name"], i["weight"]) for i in t.items)),
            Column("等次", lambda t: "、".join("%s≥%s" % (b["grade"], b["min"]) for b in t.grade_bands)),
        ],
        default_sort="-year",
        export_name="outreach_templates",
        actions_template="outreach/template_list_actions.html",
    )
    return render_list(request, qs, page, context={"can_add": can_manage_templates(request.user)})


@login_required
@require_http_methods(["GET", "POST"])
def template_create_view(request: HttpRequest) -> HttpResponse:
    _require(request, "outreach.add_assessmenttemplate")
    form = TemplateForm(
        request.POST or None,
        initial={
            "year": date.today().year,
            "items": "服务时长与频次 30\n服务目标完成 30\n培训与示范推广 20\n服务对象满意度 20",
            "grade_bands": "优秀 90\n良好 75\n合格 60\n不合格 0",
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.template_save(actor=request.user, data=form.service_data())
        except BusinessError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, "已保存考核模板。")
            return redirect("outreach:template_list")
    return _form_page(
        request,
        form,
        title="新增考核模板",
        crumbs=[("考核模板", reverse("outreach:template_list"))],
        cancel=reverse("outreach:template_list"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def kind_list_view(request: HttpRequest) -> HttpResponse:
    """类别设置: the configurable kinds of commissioners and activities; add one, enable or disable."""
    if not can_manage_kinds(request.user):
        raise PermissionDenied
    form = KindForm(
        request.POST if request.method == "POST" and "toggle" not in request.POST else None, initial={"sort": 100}
    )
    if request.method == "POST" and "toggle" in request.POST:
        kind = (
            selectors.kind_list(group=request.POST.get("group", ""), active_only=False)
            .filter(
                pk=int(request.POST["toggle"])
                if request.POST["toggle"].isdigit() and len(request.POST["toggle"]) < 10
                else 0
            )
            .first()
        )
        if kind is None:
            raise Http404("类别不存在。")
        services.kind_save(
            actor=request.user,
            group=kind.group,
            code=kind.code,
            name=kind.name,
            is_training=kind.is_training,
            sort=kind.sort,
            is_active=not kind.is_active,
            kind=kind,
        )
        messages.success(request, "已%s“%s”。" % ("停用" if kind.is_active else "启用", kind.name))
        return redirect("outreach:kind_list")
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.kind_save(
                actor=request.user,
                group=d["group"],
                code=d["code"],
                name=d["name"],
                is_training=d["is_training"],
                sort=int(d["sort"]) if str(d["sort"]).isdigit() and len(str(d["sort"])) < 6 else 100,
            )
        except BusinessError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, "已新增类别。")
            return redirect("outreach:kind_list")
    form.mark_invalid()
    context = {
        "form": form,
        "groups": [(label, selectors.kind_list(group=value, active_only=False)) for value, label in KindGroup.choices],
    }
    return render(request, "outreach/kind_list.html", context, status=400 if form.is_bound and form.errors else 200)

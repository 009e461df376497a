"""Pages of programmes and projects.

Views parse input, check the permission (403 without it; records outside the active region or not of
the applicant's organizations answer 404 through the selectors) and call the services, which apply the
rules again. Business errors come back as Chinese messages on the page; nothing is stored then."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import quote, urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from kejiju.core.audit import log_operation
from kejiju.core.errors import BusinessError, RowErrors
from kejiju.core.listing import Column, ListPage, render_list
from kejiju.core.permissions import active_region_code
from kejiju.programs import actions, selectors, services
from kejiju.programs import permissions as perms
from kejiju.programs.choices import (
    AcceptanceDecision,
    ApplicationStatus,
    BudgetCategory,
    CallStatus,
    ChangeKind,
    FieldType,
    FundSource,
    InspectionKind,
    ProgramKind,
    ProjectStatus,
)
from kejiju.programs.models import Application, Call, Project
from kejiju.programs.workflows import APPLICATION_FLOW, CALL_FLOW, DECISION_FLOW, PROJECT_FLOW, STAFF_BUTTONS

#: The scoring criteria the 立项评审 batch form starts with (staff may change them there).
REVIEW_CRITERIA = "创新性:30\n技术可行性:30\n预期效益:25\n团队与实施条件:15"

ROWS = 8  # blank rows offered in the members and budget tables


def _require(request: HttpRequest, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied


def _error_text(exc: BusinessError) -> str:
    if isinstance(exc, RowErrors):
        return " ".join(m for msgs in exc.errors.values() for m in msgs)
    return exc.message


def _run(request: HttpRequest, fn: Callable[[], Any], ok: str, back: str) -> HttpResponse:
    """Run a service; success → message, failure → the Chinese reason; both redirect back."""
    try:
        fn()
    except BusinessError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, ok)
    return redirect(back)


def _yuan(value: Any) -> str:
    return "" if value is None else f"{value:,.2f}"


def _dt(value: Any) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


# ------------------------------------------------------------------------------------------ public pages


def public_call_list_view(request: HttpRequest) -> HttpResponse:
    """申报指南 (public): published calls, open ones first."""
    now = timezone.now()
    calls = list(selectors.public_calls()[:200])
    return render(request, "programs/public_call_list.html", {"calls": calls, "now": now})


def public_call_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    call = selectors.public_call_get(pk=pk)
    return render(
        request,
        "programs/public_call_detail.html",
        {
            "call": call,
            "is_open": services.call_is_open(call),
            "attachments": selectors.attachments_of(owner=call),
            "can_apply": perms.can_apply(request.user),
        },
    )


def public_publicity_list_view(request: HttpRequest) -> HttpResponse:
    return render(request, "programs/public_publicity_list.html", {"decisions": selectors.public_publicities()[:100]})


def public_publicity_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    decision = selectors.public_publicity_get(pk=pk)
    items = decision.items.filter(excluded=False).select_related("application", "application__organization")
    return render(request, "programs/public_publicity_detail.html", {"decision": decision, "items": items})


# ------------------------------------------------------------------------------------------ programmes and calls


@login_required
def program_list_view(request: HttpRequest) -> HttpResponse:
    _require(request, "programs.view_program")
    page = ListPage(
        title="科技计划",
        columns=[
            Column("计划名称", lambda p: p.name, sort="name"),
            Column("类别", lambda p: p.get_kind_display(), sort="kind"),
            Column("主管科室", lambda p: p.department),
            Column("所属区划", lambda p: p.region_id, sort="region"),
            Column("启用", lambda p: "是" if p.is_active else "否"),
        ],
        default_sort="name",
        export_name="programs",
        actions_template="programs/program_list_actions.html",
    )
    return render_list(
        request,
        selectors.program_list(user=request.user),
        page,
        context={"can_add": request.user.has_perm("programs.add_program")},
    )


@login_required
def program_form_view(request: HttpRequest) -> HttpResponse:
    _require(request, "programs.add_program")
    errors: dict[str, list[str]] = {}
    data: dict[str, Any] = {"region": active_region_code(request.user) or ""}
    if request.method == "POST":
        data = {k: request.POST.get(k, "") for k in ("name", "kind", "department", "description", "region")}
        try:
            services.program_save(actor=request.user, data=data)
        except RowErrors as exc:
            errors = exc.errors
        except BusinessError as exc:
            errors = {"__all__": [exc.message]}
        else:
            messages.success(request, "已保存科技计划。")
            return redirect("programs:program_list")
    return render(request, "programs/program_form.html", {"data": data, "errors": errors, "kinds": ProgramKind.choices})


def _call_columns() -> list[Column]:
    return [
        Column("指南名称", lambda c: c.title, sort="title"),
        Column("科技计划", lambda c: c.program.name),
        Column("年度", lambda c: c.year, sort="year"),
        Column("状态", lambda c: c.get_status_display(), sort="status"),
        Column("申报开始", lambda c: _dt(c.opens_at), sort="opens_at"),
        Column("申报截止", lambda c: _dt(c.closes_at), sort="closes_at"),
        Column("属地推荐", lambda c: "需要" if c.needs_recommendation else "不需要"),
        Column("申报数", lambda c: c.application_count),
        Column("发布单位区划", lambda c: c.region.name),
    ]


@login_required
def call_list_view(request: HttpRequest) -> HttpResponse:
    """申报指南 (staff): every call in the region with its application count; Excel export."""
    _require(request, "programs.view_call")
    filters = {k: request.GET.get(k, "") for k in ("q", "status", "year", "program")}
    page = ListPage(
        title="申报指南",
        columns=_call_columns(),
        default_sort="-opens_at",
        export_name="calls",
        filters_template="programs/call_list_filters.html",
        actions_template="programs/call_list_actions.html",
        row_url=lambda c: reverse("programs:call_detail", args=[c.pk]),
    )
    return render_list(
        request,
        selectors.call_list(user=request.user, filters=filters),
        page,
        context={
            "filters": filters,
            "status_choices": CallStatus.choices,
            "can_add": perms.can_manage_call(request.user),
        },
    )


def _lines(text: str) -> list[list[str]]:
    return [[p.strip() for p in line.split("|")] for line in (text or "").splitlines() if line.strip()]


@login_required
def call_form_view(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """新增/修改指南: form fields and eligibility are edited as JSON (documented on the page)."""
    call = selectors.call_get(user=request.user, pk=pk) if pk else None
    if not perms.can_manage_call(request.user, call):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    if call:
        data: dict[str, Any] = {
            "program": call.program_id,
            "year": call.year,
            "title": call.title,
            "guide": call.guide,
            "opens_at": _dt(call.opens_at),
            "closes_at": _dt(call.closes_at),
            "budget_ceiling": call.budget_ceiling or "",
            "max_request": call.max_request or "",
            "needs_recommendation": call.needs_recommendation,
            "form_fields": json.dumps(call.form_fields, ensure_ascii=False, indent=1),
            "eligibility": json.dumps(call.eligibility, ensure_ascii=False),
            "review_criteria": call.review_criteria,
        }
    else:
        data = {
            "year": timezone.localdate().year,
            "needs_recommendation": True,
            "form_fields": json.dumps(DEFAULT_FORM, ensure_ascii=False, indent=1),
            "eligibility": json.dumps({"org_types": ["enterprise"], "one_per_org": True}, ensure_ascii=False),
            "review_criteria": REVIEW_CRITERIA,
        }
    if request.method == "POST":
        data = {
            k: request.POST.get(k, "")
            for k in (
                "program",
                "year",
                "title",
                "guide",
                "opens_at",
                "closes_at",
                "budget_ceiling",
                "max_request",
                "form_fields",
                "eligibility",
                "review_criteria",
            )
        }
        data["needs_recommendation"] = request.POST.get("needs_recommendation") == "1"
        payload = dict(data)
        for key in ("form_fields", "eligibility"):
            try:
                payload[key] = json.loads(data[key] or ("[]" if key == "form_fields" else "{}"))
            except ValueError:
                errors[key] = ["不是有效的 JSON。"]
        if not errors:
            try:
                call = services.call_save(actor=request.user, data=payload, call=call)
            except RowErrors as exc:
                errors = exc.errors
            except BusinessError as exc:
                errors = {"__all__": [exc.message]}
            else:
                upload = request.FILES.get("attachment")
                if upload:
                    from kejiju.core.services.attachments import attachment_create

                    try:
                        attachment_create(
                            actor=request.user,
                            fileobj=upload,
                            name=upload.name or "file",
                            region=call.region_id,
                            owner=call,
                            purpose="指南附件",
                        )
                    except BusinessError as exc:
                        messages.error(request, exc.message)
                messages.success(request, "已保存指南。")
                return redirect("programs:call_detail", call.pk)
    return render(
        request,
        "programs/call_form.html",
        {"call": call, "data": data, "errors": errors, "programs": selectors.program_list(user=request.user)},
        status=400 if errors else 200,
    )


DEFAULT_FORM = [
    {"key": "summary", "label": "项目简介", "type": "text", "required": True},
    {"key": "innovation", "label": "主要创新点", "type": "text", "required": True},
    {"key": "self_funds", "label": "自筹资金（元）", "type": "money", "required": False},
    {"key": "members", "label": "项目组成员", "type": "members", "required": True},
    {"key": "budget", "label": "经费预算", "type": "budget", "required": True},
    {"key": "plan", "label": "可行性研究报告", "type": "attachment", "required": True},
]


@login_required
def call_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, "programs.view_call")
    call = selectors.call_get(user=request.user, pk=pk)
    counts = {s: 0 for s in ApplicationStatus.values}
    for app in selectors.application_list(user=request.user, filters={"call": call.pk}).values_list(
        "status", flat=True
    ):
        counts[app] += 1
    review_url = ""
    if (
        counts[ApplicationStatus.IN_REVIEW]
        and perms.can_manage_call(request.user, call)
        and request.user.has_perm("review.add_reviewbatch")
    ):
        # the call's applications in review are offered as the candidates of the review module's new batch
        review_url = "%s?%s" % (
            reverse("review:batch_create"),
            urlencode(
                {
                    "source_key": "programs.application",
                    "kind": "call",
                    "filter_call": str(call.pk),
                    "title": "%s立项评审" % call.title,
                    "criteria": call.review_criteria or REVIEW_CRITERIA,
                }
            ),
        )
    return render(
        request,
        "programs/call_detail.html",
        {
            "call": call,
            "review_url": review_url,
            "review_batches": list(selectors.review_batches(user=request.user, call=call))
            if request.user.has_perm("review.view_reviewbatch")
            else [],
            "attachments": selectors.attachments_of(owner=call),
            "actions": CALL_FLOW.available(call.status)
            if request.user.has_perm("programs.publish_call") and perms.can_manage_call(request.user, call)
            else [],
            "counts": [(ApplicationStatus(s).label, s, n) for s, n in counts.items() if n],
            "can_edit": perms.can_manage_call(request.user, call),
            "can_decide": perms.can_approve_call(request.user, call),
            "decisions": call.decisions.all(),
            "transitions": selectors.transition_rows(CALL_FLOW, call.transitions.all()),
            "labels": CALL_FLOW.labels,
        },
    )


@login_required
@require_POST
def call_transition_view(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, "programs.view_call")
    call = selectors.call_get(user=request.user, pk=pk)
    action = request.POST.get("action", "")
    return _run(
        request,
        lambda: services.call_transition(
            actor=request.user, call=call, action=action, reason=request.POST.get("reason", "")
        ),
        "已执行。",
        reverse("programs:call_detail", args=[pk]),
    )


# ------------------------------------------------------------------------------------------ applications (staff)


def _app_columns() -> list[Column]:
    return [
        Column("项目名称", lambda a: a.title, sort="title"),
        Column("申报编号", lambda a: a.number, sort="number"),
        Column("申报单位", lambda a: a.organization.name),
        Column("所属区划", lambda a: a.region.name, sort="region"),
        Column("指南", lambda a: a.call.title),
        Column("申请资助（元）", lambda a: _yuan(a.requested_amount), sort="requested_amount"),
        Column("状态", lambda a: a.get_status_display(), sort="status"),
        Column("提交时间", lambda a: _dt(a.submitted_at), sort="submitted_at"),
        Column("评审得分", lambda a: a.review_score, sort="review_score"),
    ]


STAGES = [
    ("", "全部"),
    ("recommend", "待属地推荐"),
    ("check", "待形式审查"),
    ("review", "评审中"),
    ("approve", "待立项"),
]


@login_required
def application_list_view(request: HttpRequest) -> HttpResponse:
    """申报受理: the queues per stage (属地推荐, 形式审查, 评审, 立项) and every application in scope."""
    _require(request, "programs.view_application")
    filters = {k: request.GET.get(k, "") for k in ("q", "status", "call", "stage")}
    page = ListPage(
        title="申报受理",
        columns=_app_columns(),
        default_sort="-submitted_at",
        export_name="applications",
        filters_template="programs/application_list_filters.html",
        row_url=lambda a: reverse("programs:application_detail", args=[a.pk]),
    )
    return render_list(
        request,
        selectors.application_list(user=request.user, filters=filters),
        page,
        context={
            "filters": filters,
            "stages": STAGES,
            "status_choices": ApplicationStatus.choices,
            "calls": selectors.call_list(user=request.user)[:100],
        },
    )


def _subject_label(code: str) -> str:
    from kejiju.review.services import subject_codes

    name = subject_codes().get(code)
    return "%s %s" % (code, name) if name else code


def _application_context(request: HttpRequest, app: Application) -> dict[str, Any]:
    specs = app.call.form_fields or []
    return {
        "app": app,
        "specs": specs,
        "subject_labels": [_subject_label(c) for c in app.subjects or []],
        "cooperating": selectors.cooperating_names(app),
        "avoid_experts": list(app.avoid_experts or []),
        "field_rows": [
            (s["label"], (app.data or {}).get(s["key"], "")) for s in specs if s["type"] in ("text", "number", "money")
        ],
        "members": app.members.select_related("person"),
        "budget": app.budget_lines.all(),
        "attachments": selectors.labelled_attachments(owner=app, call=app.call),
        "transitions": selectors.transition_rows(APPLICATION_FLOW, app.transitions.all()),
        "labels": APPLICATION_FLOW.labels,
        "versions": app.versions.all(),
    }


@login_required
def application_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    """申报书 (staff): content, versions, timeline and the buttons the graph and the user's role allow."""
    _require(request, "programs.view_application")
    app = selectors.application_get(user=request.user, pk=pk)
    user = request.user
    buttons = []
    for action in APPLICATION_FLOW.available(app.status):
        if action.name not in STAFF_BUTTONS:
            continue
        if action.name in ("recommend", "county_return") and not perms.can_recommend_application(user, app):
            continue
        if action.name in ("start_check", "pass_check", "return", "reject") and not perms.can_check_application(
            user, app
        ):
            continue
        if action.name == "decline" and not perms.can_approve_call(user, app.call):
            continue
        buttons.append(action)
    ctx = _application_context(request, app)
    ctx.update(
        {
            "buttons": buttons,
            "can_review": app.status == ApplicationStatus.IN_REVIEW and perms.can_review_application(user, app),
        }
    )
    return render(request, "programs/application_detail.html", ctx)


@login_required
def application_versions_view(request: HttpRequest, pk: int) -> HttpResponse:
    """版本对比: what changed between consecutive submissions."""
    if perms.can_apply(request.user) and not request.user.has_perm("programs.view_application"):
        app = selectors.my_application_get(user=request.user, pk=pk)
    else:
        _require(request, "programs.view_application")
        app = selectors.application_get(user=request.user, pk=pk)
    versions = list(app.versions.select_related("created_by"))
    pairs = [
        (versions[i - 1], versions[i], selectors.snapshot_diff(versions[i - 1].snapshot, versions[i].snapshot))
        for i in range(1, len(versions))
    ]
    return render(request, "programs/application_versions.html", {"app": app, "versions": versions, "pairs": pairs})


@login_required
@require_POST
def application_transition_view(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, "programs.view_application")
    app = selectors.application_get(user=request.user, pk=pk)
    action = request.POST.get("action", "")
    return _run(
        request,
        lambda: services.application_transition(
            actor=request.user, application=app, action=action, reason=request.POST.get("reason", "")
        ),
        "已执行。",
        reverse("programs:application_detail", args=[pk]),
    )


@login_required
@require_POST
def application_review_view(request: HttpRequest, pk: int) -> HttpResponse:
    """录入评审结果 by hand (the panel's score and opinion)."""
    _require(request, "programs.review_application")
    app = selectors.application_get(user=request.user, pk=pk)
    p = request.POST
    return _run(
        request,
        lambda: services.application_review_record(
            actor=request.user, application=app, score=p.get("score"), opinion=p.get("opinion", ""), rank=p.get("rank")
        ),
        "已录入评审结果。",
        reverse("programs:application_detail", args=[pk]),
    )


# ------------------------------------------------------------------------------------------ decisions


@login_required
def decision_list_view(request: HttpRequest) -> HttpResponse:
    _require(request, "programs.view_approvaldecision")
    page = ListPage(
        title="立项决定",
        columns=[
            Column("会议", lambda d: d.meeting),
            Column("指南", lambda d: d.call.title),
            Column("决定日期", lambda d: d.decided_on, sort="decided_on"),
            Column("状态", lambda d: d.get_status_display(), sort="status"),
            Column("公示期", lambda d: "%s 至 %s" % (d.publicity_start, d.publicity_end) if d.publicity_start else ""),
            Column("文号", lambda d: d.doc_number),
        ],
        default_sort="-decided_on",
        export_name="decisions",
        row_url=lambda d: reverse("programs:decision_detail", args=[d.pk]),
    )
    return render_list(request, selectors.decision_list(user=request.user), page)


@login_required
def decision_create_view(request: HttpRequest, pk: int) -> HttpResponse:
    """拟立项: pick reviewed applications of the call and the amounts (the meeting's decision)."""
    _require(request, "programs.view_call")
    call = selectors.call_get(user=request.user, pk=pk)
    if not perms.can_approve_call(request.user, call):
        raise PermissionDenied
    candidates = selectors.application_list(user=request.user, filters={"call": call.pk, "stage": "approve"}).order_by(
        "-review_score"
    )
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        items = [
            (a.pk, request.POST.get("amount_%s" % a.pk, "")) for a in candidates if request.POST.get("pick_%s" % a.pk)
        ]
        try:
            decision = services.decision_create(
                actor=request.user,
                call=call,
                meeting=request.POST.get("meeting", ""),
                decided_on=request.POST.get("decided_on", ""),
                items=items,
                doc_number=request.POST.get("doc_number", ""),
            )
        except RowErrors as exc:
            errors = exc.errors
        except BusinessError as exc:
            errors = {"__all__": [exc.message]}
        else:
            messages.success(request, "已保存立项决定。")
            return redirect("programs:decision_detail", decision.pk)
    return render(
        request,
        "programs/decision_create.html",
        {"call": call, "candidates": candidates, "errors": errors, "post": request.POST},
    )


@login_required
def decision_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, "programs.view_approvaldecision")
    decision = selectors.decision_get(user=request.user, pk=pk)
    from kejiju.reports.selectors import documents_for_source

    return render(
        request,
        "programs/decision_detail.html",
        {
            "decision": decision,
            "items": decision.items.select_related("application", "application__organization"),
            "objections": decision.objections.all(),
            "can_act": perms.can_approve_call(request.user, decision.call),
            "actions": DECISION_FLOW.available(decision.status),
            "transitions": selectors.transition_rows(DECISION_FLOW, decision.transitions.all()),
            "labels": DECISION_FLOW.labels,
            "documents": documents_for_source(source="programs.approval:%s" % decision.pk),
            "projects": decision.projects.all(),
            "today": timezone.localdate(),
        },
    )


@login_required
@require_POST
def decision_step_view(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    """公示 / 登记异议 / 办结异议 / 确定立项 / 下达立项通知书."""
    _require(request, "programs.view_approvaldecision")
    decision = selectors.decision_get(user=request.user, pk=pk)
    p, user = request.POST, request.user
    steps: dict[str, tuple[Callable[[], Any], str]] = {
        "publish": (
            lambda: services.decision_publish(actor=user, decision=decision, start=p.get("start"), end=p.get("end")),
            "已发布公示。",
        ),
        "objection": (
            lambda: services.objection_record(
                actor=user,
                decision=decision,
                content=p.get("content", ""),
                received_on=p.get("received_on"),
                submitter=p.get("submitter", ""),
                item=decision.items.filter(pk=int(p["item"])).first() if p.get("item", "").isdigit() else None,
            ),
            "已登记异议。",
        ),
        "resolve": (
            lambda: services.objection_resolve(
                actor=user,
                objection=_objection(decision, p.get("objection")),
                resolution=p.get("resolution", ""),
                upheld=p.get("upheld") == "1",
            ),
            "已办结异议。",
        ),
        "confirm": (lambda: services.decision_confirm(actor=user, decision=decision), "已确定立项，项目已生成。"),
        "issue_notice": (lambda: services.decision_issue_notice(actor=user, decision=decision), "已生成立项通知书。"),
    }
    if step not in steps:
        raise Http404
    fn, ok = steps[step]
    return _run(request, fn, ok, reverse("programs:decision_detail", args=[pk]))


def _objection(decision: Any, pk: Any) -> Any:
    obj = decision.objections.filter(pk=int(pk) if str(pk or "").isdigit() else 0).first()
    if obj is None:
        raise BusinessError("异议不存在。", code="not_found")
    return obj


# ------------------------------------------------------------------------------------------ projects (staff)


def _project_columns() -> list[Column]:
    return [
        Column("项目名称", lambda p: p.title, sort="title"),
        Column("项目编号", lambda p: p.number, sort="number"),
        Column("承担单位", lambda p: p.organization.name),
        Column("科技计划", lambda p: p.program.name),
        Column("所属区划", lambda p: p.region.name, sort="region"),
        Column("立项日期", lambda p: p.approved_on, sort="approved_on"),
        Column("立项资助（元）", lambda p: _yuan(p.approved_amount), sort="approved_amount"),
        Column("已拨付（元）", lambda p: _yuan(p.paid or 0)),
        Column("状态", lambda p: p.get_status_display(), sort="status"),
    ]


@login_required
def project_list_view(request: HttpRequest) -> HttpResponse:
    _require(request, "programs.view_project")
    filters = {k: request.GET.get(k, "") for k in ("q", "status", "program", "year", "region", "call")}
    page = ListPage(
        title="项目管理",
        columns=_project_columns(),
        default_sort="-approved_on",
        export_name="projects",
        filters_template="programs/project_list_filters.html",
        row_url=lambda p: reverse("programs:project_detail", args=[p.pk]),
    )
    return render_list(
        request,
        selectors.project_list(user=request.user, filters=filters),
        page,
        context={
            "filters": filters,
            "status_choices": ProjectStatus.choices,
            "programs": selectors.program_list(user=request.user),
        },
    )


def _project_context(request: HttpRequest, project: Project) -> dict[str, Any]:
    contract = getattr(project, "contract", None)
    paid = services.paid_total(project)
    templates = list(selectors.performance_templates())
    wanted = request.GET.get("perf_template") or request.POST.get("template", "")
    # the scoring template of the performance form: the one picked (?perf_template=ID), else the first
    chosen = next((t for t in templates if str(t.pk) == wanted), templates[0] if templates else None)
    return {
        "project": project,
        "contract": contract,
        "timeline": selectors.timeline(project),
        "documents": selectors.project_documents(project),
        "attachments": selectors.labelled_attachments(owner=project, call=project.application.call),
        "application_attachments": selectors.labelled_attachments(
            owner=project.application, call=project.application.call
        ),
        "disbursements": project.disbursements.all(),
        "payments": project.payments.select_related("created_by"),
        "paid": paid,
        "balance": project.approved_amount - paid,
        "reports": project.reports.all(),
        "inspections": project.inspections.all(),
        "acceptance": getattr(project, "acceptance", None),
        "reviews": project.performance_reviews.select_related("template"),
        "changes": contract.changes.all() if contract else [],
        "today": timezone.localdate(),
        "budget": contract.budget_lines.all() if contract else [],
        "categories": BudgetCategory.choices,
        "sources": FundSource.choices,
        "change_kinds": ChangeKind.choices,
        "inspection_kinds": InspectionKind.choices,
        "decisions": AcceptanceDecision.choices,
        "templates": templates,
        "perf_template": chosen,
        "output_keys": services.OUTPUT_KEYS,
    }


@login_required
def project_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    """项目页: timeline (every transition), documents, contract, funds ledger, reports, inspections,
    acceptance and performance, with the forms of the steps the user may take."""
    _require(request, "programs.view_project")
    project = selectors.project_get(user=request.user, pk=pk)
    if not selectors.performance_templates().exists():
        services.default_template()
    ctx = _project_context(request, project)
    can_manage = perms.can_manage_project(request.user, project)
    review_kind = {ProjectStatus.ACCEPTANCE_APPLIED: "acceptance", ProjectStatus.IN_PROGRESS: "inspection"}.get(
        ProjectStatus(project.status)
    )
    review_url = ""
    if review_kind and can_manage and request.user.has_perm("review.add_reviewbatch"):
        # the call's projects at the same step are the candidates (this one among them) of a new batch
        review_url = "%s?%s" % (
            reverse("review:batch_create"),
            urlencode(
                {
                    "source_key": "programs.project",
                    "kind": review_kind,
                    "filter_call": str(project.application.call_id),
                    "title": "%s%s"
                    % (project.application.call.title, "验收评审" if review_kind == "acceptance" else "中期检查"),
                }
            ),
        )
    ctx.update(
        {
            "can_manage": can_manage,
            "can_pay": perms.can_pay_project(request.user, project),
            "actions": PROJECT_FLOW.available(project.status),
            "review_url": review_url,
            "review_label": "组织验收评审（抽取专家）" if review_kind == "acceptance" else "组织中期检查（抽取专家）",
            "review_batches": list(selectors.review_batches(user=request.user, project=project))
            if request.user.has_perm("review.view_reviewbatch")
            else [],
        }
    )
    return render(request, "programs/project_detail.html", ctx)


def _pairs(text: str, keys: tuple[str, ...]) -> list[dict[str, str]]:
    return [dict(zip(keys, parts + [""] * (len(keys) - len(parts)), strict=False)) for parts in _lines(text)]


def _budget_rows(post: Any) -> list[dict[str, str]]:
    rows = []
    for c, s, a, n in zip(
        post.getlist("budget_category"),
        post.getlist("budget_source"),
        post.getlist("budget_amount"),
        post.getlist("budget_note") or [""] * 100,
        strict=False,
    ):
        if str(a).strip() or str(n).strip():
            rows.append({"category": c, "source": s, "amount": a, "note": n})
    return rows


@login_required
@require_POST
def project_step_view(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    """The staff steps on a project: contract, signing, plan, payment, reports, inspections, changes,
    acceptance, performance, termination."""
    _require(request, "programs.view_project")
    project = selectors.project_get(user=request.user, pk=pk)
    p, user = request.POST, request.user

    def sign() -> Any:
        upload = request.FILES.get("scan")
        scan = (
            services.project_attach(
                actor=user, project=project, fileobj=upload, name=upload.name or "file", purpose="任务书扫描件"
            )
            if upload
            else None
        )
        return services.contract_sign(actor=user, project=project, signed_on=p.get("signed_on"), scan=scan)

    def change(approve: bool) -> Any:
        contract = getattr(project, "contract", None)
        obj = (
            contract.changes.filter(pk=int(p.get("change", "0") or 0) if p.get("change", "").isdigit() else 0).first()
            if contract
            else None
        )
        if obj is None:
            raise BusinessError("调整申请不存在。", code="not_found")
        return services.change_decide(actor=user, change=obj, approve=approve, reason=p.get("reason", ""))

    def report(accept: bool) -> Any:
        obj = project.reports.filter(pk=int(p["report"]) if p.get("report", "").isdigit() else 0).first()
        if obj is None:
            raise BusinessError("进展报告不存在。", code="not_found")
        return services.report_review(actor=user, report=obj, accept=accept, comment=p.get("comment", ""))

    def inspection_close() -> Any:
        obj = project.inspections.filter(pk=int(p["inspection"]) if p.get("inspection", "").isdigit() else 0).first()
        if obj is None:
            raise BusinessError("检查记录不存在。", code="not_found")
        return services.inspection_close(actor=user, inspection=obj)

    def pay() -> Any:
        d = (
            project.disbursements.filter(pk=int(p["disbursement"])).first()
            if p.get("disbursement", "").isdigit()
            else None
        )
        return services.payment_create(
            actor=user,
            project=project,
            amount=p.get("amount"),
            paid_on=p.get("paid_on"),
            voucher=p.get("voucher", ""),
            disbursement=d,
            note=p.get("note", ""),
        )

    def performance() -> Any:
        template = (
            selectors.performance_templates()
            .filter(pk=int(p.get("template") or 0) if p.get("template", "").isdigit() else 0)
            .first()
        )
        if template is None:
            raise RowErrors({"template": ["请选择评分模板。"]})
        return services.performance_review_create(
            actor=user,
            project=project,
            template=template,
            scores={i["key"]: p.get("score_%s" % i["key"]) for i in template.items},
            outputs={k: p.get("output_%s" % k) for k in services.OUTPUT_KEYS},
            funds_used=p.get("funds_used"),
            reviewed_on=p.get("reviewed_on"),
            opinion=p.get("opinion", ""),
        )

    steps: dict[str, tuple[Callable[[], Any], str]] = {
        "contract": (
            lambda: services.contract_save(
                actor=user,
                project=project,
                data={
                    "number": p.get("number", ""),
                    "starts_on": p.get("starts_on"),
                    "ends_on": p.get("ends_on"),
                    "targets": _pairs(p.get("targets", ""), ("name", "unit", "value")),
                    "milestones": _pairs(p.get("milestones", ""), ("due", "content")),
                    "budget": _budget_rows(p),
                },
            ),
            "已保存任务书。",
        ),
        "sign": (sign, "任务书已签订，项目进入执行。"),
        "plan": (
            lambda: services.disbursement_plan_save(
                actor=user, project=project, rows=_pairs(p.get("rows", ""), ("planned_on", "amount", "note"))
            ),
            "已保存拨付计划。",
        ),
        "pay": (pay, "已登记拨付。"),
        "report_accept": (lambda: report(True), "已确认进展报告。"),
        "report_return": (lambda: report(False), "已退回进展报告。"),
        "inspection": (
            lambda: services.inspection_create(actor=user, project=project, data=dict(p.items())),
            "已登记检查。",
        ),
        "inspection_close": (inspection_close, "已办结检查。"),
        "change_approve": (lambda: change(True), "已批准调整。"),
        "change_refuse": (lambda: change(False), "已不予批准调整。"),
        "panel": (
            lambda: services.acceptance_panel_record(
                actor=user, project=project, score=p.get("score"), opinion=p.get("opinion", "")
            ),
            "已录入验收专家组意见。",
        ),
        "decide": (
            lambda: services.acceptance_decide(
                actor=user,
                project=project,
                decision=p.get("decision", ""),
                decided_on=p.get("decided_on"),
                reason=p.get("reason", ""),
            ),
            "已作出验收结论。",
        ),
        "terminate": (
            lambda: services.project_terminate(actor=user, project=project, reason=p.get("reason", "")),
            "项目已终止。",
        ),
        "performance": (performance, "已保存绩效评价。"),
    }
    if step not in steps:
        raise Http404
    fn, ok = steps[step]
    return _run(request, fn, ok, reverse("programs:project_detail", args=[pk]))


@login_required
def payment_list_view(request: HttpRequest) -> HttpResponse:
    _require(request, "programs.view_project")
    filters = {k: request.GET.get(k, "") for k in ("program", "project")}
    page = ListPage(
        title="经费拨付明细",
        columns=[
            Column("项目", lambda x: x.project.title),
            Column("项目编号", lambda x: x.project.number),
            Column("科技计划", lambda x: x.project.program.name),
            Column("承担单位", lambda x: x.project.organization.name),
            Column("拨付日期", lambda x: x.paid_on, sort="paid_on"),
            Column("金额（元）", lambda x: _yuan(x.amount), sort="amount"),
            Column("凭证号", lambda x: x.voucher),
        ],
        default_sort="-paid_on",
        export_name="payments",
    )
    return render_list(request, selectors.payment_list(user=request.user, filters=filters), page)


@login_required
def ledger_view(request: HttpRequest) -> HttpResponse:
    """经费台账 per programme (approved, paid, balance)."""
    _require(request, "programs.view_project")
    rows = selectors.program_ledger(user=request.user)
    totals = {k: sum((r[k] for r in rows), 0) for k in ("projects", "approved", "paid", "balance")}
    return render(request, "programs/ledger.html", {"rows": rows, "totals": totals})


@login_required
def overdue_view(request: HttpRequest) -> HttpResponse:
    """逾期事项: progress reports past due and rectifications past their deadline."""
    _require(request, "programs.view_project")
    today = timezone.localdate()
    page = ListPage(
        title="逾期事项",
        columns=[
            Column("项目", lambda r: r.project.title),
            Column("承担单位", lambda r: r.project.organization.name),
            Column("事项", lambda r: r.period),
            Column("截止日期", lambda r: r.due_on, sort="due_on"),
            Column("逾期天数", lambda r: (today - r.due_on).days),
            Column("状态", lambda r: r.get_status_display()),
        ],
        default_sort="due_on",
        export_name="overdue",
        row_url=lambda r: reverse("programs:project_detail", args=[r.project_id]),
    )
    return render_list(request, selectors.overdue_reports(user=request.user, today=today), page)


def _attachment_allowed(user: Any, attachment: Any) -> bool:
    """A project's or application's attachment (or generated document file) for staff who see the
    record or for the applicant organization."""
    owner = attachment.owner
    if isinstance(owner, Call):
        return owner.status != CallStatus.DRAFT or perms.can_view_call(user, owner)
    if isinstance(owner, Application):
        return perms.is_applicant(user, owner) or (
            perms.can_view_application(user, owner) and owner.status != ApplicationStatus.DRAFT
        )
    if isinstance(owner, Project):
        return perms.is_applicant(user, owner) or perms.can_view_project(user, owner)
    # a generated document of a project (approval notice, acceptance certificate)
    source = getattr(owner, "source", "")
    if source.startswith("programs.approval:") or source.startswith("programs.acceptance:"):
        projects = (
            Project.objects.filter(decision_id=int(source.split(":")[1]))
            if source.startswith("programs.approval:")
            else Project.objects.filter(acceptance__pk=int(source.split(":")[1]))
        )
        return any(perms.is_applicant(user, p) or perms.can_view_project(user, p) for p in projects)
    return False


def file_view(request: HttpRequest, pk: Any) -> FileResponse:
    """Download a file of a call (public), an application, a project or its documents."""
    from kejiju.core.models import Attachment
    from kejiju.core.services.attachments import storage_path

    attachment = Attachment.objects.filter(pk=pk, is_archived=False).first()
    if attachment is None or not _attachment_allowed(request.user, attachment):
        raise Http404("附件不存在。")
    response = FileResponse(open(storage_path(attachment.storage_name), "rb"), content_type=attachment.mime_type)
    response["Content-Disposition"] = "attachment; filename*=UTF-8''%s" % quote(attachment.original_name)
    return response


@login_required
def project_dossier_view(request: HttpRequest, pk: int) -> HttpResponse:
    """项目档案 ZIP: the forms (application, contract, ledger, reports … as .xlsx/.docx, or PDF), every
    attachment and every generated document."""
    from kejiju.programs.dossier import build_dossier

    if request.user.has_perm("programs.view_project"):
        project = selectors.project_get(user=request.user, pk=pk)
    else:
        project = selectors.my_project_get(user=request.user, pk=pk)
    content = build_dossier(project)
    log_operation(actor=request.user, action=actions.DOSSIER_EXPORT, target=project, extra={"bytes": len(content)})
    response = HttpResponse(content, content_type="application/zip")
    response["Content-Disposition"] = "attachment; filename*=UTF-8''%s" % quote("项目档案_%s.zip" % project.number)
    return response


# ------------------------------------------------------------------------------------------ applicant side


def _require_applicant(request: HttpRequest) -> None:
    if not perms.can_apply(request.user):
        raise PermissionDenied


@login_required
def my_home_view(request: HttpRequest) -> HttpResponse:
    """我的申报与项目: open calls, the organizations' applications and projects, due reports."""
    _require_applicant(request)
    from kejiju.orgs.selectors import organizations_of_user

    projects = selectors.my_projects(user=request.user)
    return render(
        request,
        "programs/my_home.html",
        {
            "calls": selectors.open_calls(),
            "applications": selectors.my_applications(user=request.user),
            "projects": projects,
            "organizations": organizations_of_user(user=request.user),
            "due": [
                r for p in projects for r in p.reports.filter(status__in=("due", "returned")).order_by("due_on")[:1]
            ],
            "today": timezone.localdate(),
        },
    )


@login_required
@require_POST
def my_apply_view(request: HttpRequest, call_pk: int) -> HttpResponse:
    _require_applicant(request)
    from kejiju.orgs.selectors import organizations_of_user

    call = selectors.public_call_get(pk=call_pk)
    org_id = request.POST.get("organization", "")
    org = organizations_of_user(user=request.user).filter(pk=int(org_id) if org_id.isdigit() else 0).first()
    if org is None:
        messages.error(request, "请选择申报单位。")
        return redirect("programs:my_home")
    try:
        app = services.application_create(actor=request.user, call=call, organization=org)
    except BusinessError as exc:
        messages.error(request, exc.message)
        return redirect("programs:my_home")
    messages.success(request, "已创建申报书草稿。")
    return redirect("programs:my_application", app.pk)


def _form_data(request: HttpRequest, app: Application) -> dict[str, Any]:
    p = request.POST
    fields = {
        s["key"]: p.get("field_%s" % s["key"], "")
        for s in app.call.form_fields or []
        if s["type"] in ("text", "number", "money")
    }
    members = [
        {"name": n, "id_number": i, "role": r, "phone": ph, "is_leader": idx == 0}
        for idx, (n, i, r, ph) in enumerate(
            zip(
                p.getlist("member_name"),
                p.getlist("member_id"),
                p.getlist("member_role"),
                p.getlist("member_phone") or [""] * 100,
                strict=False,
            )
        )
        if n.strip() or i.strip()
    ]
    avoid = [
        {"name": n, "organization": o, "reason": r}
        for n, o, r in zip(
            p.getlist("avoid_name"), p.getlist("avoid_organization"), p.getlist("avoid_reason"), strict=False
        )
    ]
    return {
        "title": p.get("title", ""),
        "requested_amount": p.get("requested_amount", ""),
        "contact_person": p.get("contact_person", ""),
        "contact_phone": p.get("contact_phone", ""),
        "subjects": p.get("subjects", ""),
        "cooperating_organizations": p.get("cooperating_organizations", ""),
        "avoid_experts": avoid,
        "fields": fields,
        "members": members,
        "budget": _budget_rows(p),
    }


@login_required
def my_application_view(request: HttpRequest, pk: int) -> HttpResponse:
    """申报书 (applicant): the form while editable (保存草稿 / 上传附件 / 提交), else read-only with 撤回."""
    _require_applicant(request)
    app = selectors.my_application_get(user=request.user, pk=pk)
    errors: dict[str, list[str]] = {}
    posted: dict[str, Any] | None = None
    if request.method == "POST":
        op = request.POST.get("op", "save")
        user = request.user
        try:
            if op == "withdraw":
                services.application_withdraw(actor=user, application=app, reason=request.POST.get("reason", ""))
                messages.success(request, "已撤回申报书。")
            elif op == "reopen":
                services.application_reopen(actor=user, application=app)
                messages.success(request, "申报书可以重新编辑。")
            elif op == "upload":
                upload = request.FILES.get("file")
                if upload is None:
                    raise RowErrors({"file": ["请选择要上传的文件。"]})
                services.application_attach(
                    actor=user,
                    application=app,
                    key=request.POST.get("key", ""),
                    fileobj=upload,
                    name=upload.name or "file",
                )
                messages.success(request, "已上传附件。")
            else:
                posted = _form_data(request, app)
                services.application_save(actor=user, application=app, data=posted)
                if op == "submit":
                    services.application_submit(actor=user, application=app)
                    messages.success(request, "已提交申报书。")
                else:
                    messages.success(request, "已保存草稿。")
        except RowErrors as exc:
            errors = exc.errors
            messages.error(request, _error_text(exc))
        except BusinessError as exc:
            errors = {exc.field or "__all__": [exc.message]}
            messages.error(request, exc.message)
        else:
            return redirect("programs:my_application", app.pk)
        app = selectors.my_application_get(user=request.user, pk=pk)
    ctx = _application_context(request, app)
    editable = app.status in (ApplicationStatus.DRAFT, ApplicationStatus.RETURNED)
    members = (
        posted["members"]
        if posted
        else [
            {"name": m.person.name, "id_number": m.person.id_number, "role": m.role, "phone": m.person.phone}
            for m in ctx["members"]
        ]
    )
    budget = (
        posted["budget"]
        if posted
        else [{"category": b.category, "source": b.source, "amount": b.amount, "note": b.note} for b in ctx["budget"]]
    )
    from kejiju.review.services import applicant_avoid_max, subject_codes

    avoid_max = applicant_avoid_max()
    avoid_rows = posted["avoid_experts"] if posted else list(app.avoid_experts or [])
    values = posted["fields"] if posted else (app.data or {})
    ctx.update(
        {
            "subjects_value": posted["subjects"] if posted else ",".join(app.subjects or []),
            "subject_options": sorted(subject_codes().items()),
            "cooperating_value": posted["cooperating_organizations"] if posted else "\n".join(ctx["cooperating"]),
            "avoid_rows": avoid_rows + [{}] * max(avoid_max - len(avoid_rows), 0),
            "avoid_max": avoid_max,
            "editable": editable,
            "errors": errors,
            "posted": posted or {},
            "members_rows": members + [{}] * max(ROWS - len(members), 2),
            "budget_rows": budget + [{}] * max(ROWS - len(budget), 2),
            "inputs": [
                dict(s, value=values.get(s["key"], ""))
                for s in ctx["specs"]
                if s["type"] in ("text", "number", "money")
            ],
            "uploads": [s for s in ctx["specs"] if s["type"] == FieldType.ATTACHMENT],
            "has_members": any(s["type"] == "members" for s in ctx["specs"]),
            "has_budget": any(s["type"] == "budget" for s in ctx["specs"]),
            "categories": BudgetCategory.choices,
            "sources": FundSource.choices,
            "can_withdraw": APPLICATION_FLOW.allowed("withdraw", app.status),
            "can_reopen": APPLICATION_FLOW.allowed("reopen", app.status),
            "last_return": app.transitions.filter(action__in=("return", "county_return")).last(),
            "deadline": app.call.closes_at,
            "is_open": services.call_is_open(app.call),
        }
    )
    return render(request, "programs/my_application.html", ctx, status=400 if errors else 200)


@login_required
def my_project_view(request: HttpRequest, pk: int) -> HttpResponse:
    """项目 (applicant): contract, signed scan upload, progress reports, rectification, changes, acceptance."""
    _require_applicant(request)
    project = selectors.my_project_get(user=request.user, pk=pk)
    ctx = _project_context(request, project)
    return render(request, "programs/my_project.html", ctx)


@login_required
@require_POST
def my_project_step_view(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    _require_applicant(request)
    project = selectors.my_project_get(user=request.user, pk=pk)
    p, user = request.POST, request.user

    def report() -> Any:
        obj = project.reports.filter(pk=int(p["report"]) if p.get("report", "").isdigit() else 0).first()
        if obj is None:
            raise BusinessError("进展报告不存在。", code="not_found")
        return services.report_submit(
            actor=user, report=obj, content=p.get("content", ""), funds_used=p.get("funds_used")
        )

    def rectify() -> Any:
        obj = project.inspections.filter(pk=int(p["inspection"]) if p.get("inspection", "").isdigit() else 0).first()
        if obj is None:
            raise BusinessError("检查记录不存在。", code="not_found")
        return services.inspection_rectify(actor=user, inspection=obj, text=p.get("rectification", ""))

    def upload() -> Any:
        f = request.FILES.get("file")
        if f is None:
            raise RowErrors({"file": ["请选择要上传的文件。"]})
        return services.project_attach(
            actor=user, project=project, fileobj=f, name=f.name or "file", purpose=p.get("purpose", "项目材料")[:60]
        )

    def change() -> Any:
        after: dict[str, Any] = {"text": p.get("text", "")}
        if p.get("ends_on"):
            after["ends_on"] = p.get("ends_on")
        if p.get("kind") == "budget":
            after["budget"] = _budget_rows(p)
        if p.get("kind") == "targets":
            after["targets"] = _pairs(p.get("targets", ""), ("name", "unit", "value"))
        return services.change_request(
            actor=user, project=project, kind=p.get("kind", ""), reason=p.get("reason", ""), after=after
        )

    def acceptance() -> Any:
        targets = project.contract.targets if getattr(project, "contract", None) else []
        results = [{"name": t["name"], "achieved": p.get("achieved_%s" % i, "")} for i, t in enumerate(targets)]
        return services.acceptance_apply(actor=user, project=project, summary=p.get("summary", ""), results=results)

    steps: dict[str, tuple[Callable[[], Any], str]] = {
        "report": (report, "已提交进展报告。"),
        "rectify": (rectify, "已报送整改情况。"),
        "upload": (upload, "已上传。"),
        "change": (change, "已提交调整申请。"),
        "acceptance": (acceptance, "已申请验收。"),
    }
    if step not in steps:
        raise Http404
    fn, ok = steps[step]
    return _run(request, fn, ok, reverse("programs:my_project", args=[pk]))

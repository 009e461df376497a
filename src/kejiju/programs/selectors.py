"""Region-scoped reads of programmes and projects (house rule 2).

Staff lists start from ``Model.objects.restrict(user, perm)``; the applicant side (单位用户) starts from
the organizations the account acts for. A record outside either answers 404, like one that does not
exist."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from kejiju.core.models import Attachment
from kejiju.core.permissions import active_region_code, prefix_q
from kejiju.programs.choices import ApplicationStatus, CallStatus, DecisionStatus, ProjectStatus, ReportStatus
from kejiju.programs.models import (
    Application,
    ApprovalDecision,
    Call,
    Payment,
    PerformanceTemplate,
    Program,
    ProgressReport,
    Project,
)
from kejiju.programs.permissions import user_organization_ids

MAX_ID = 2**63 - 1


def _pk(pk: Any, message: str) -> int:
    try:
        value = int(pk)
    except (TypeError, ValueError):
        raise Http404(message) from None
    if not 0 < value <= MAX_ID:
        raise Http404(message)
    return value


def attachments_of(*, owner: Any) -> QuerySet[Attachment]:
    """Attachments of a record (not archived), oldest first."""
    return Attachment.objects.filter(
        owner_type=ContentType.objects.get_for_model(owner), owner_id=str(owner.pk), is_archived=False
    ).order_by("created_at")


def labelled_attachments(*, owner: Any, call: Any) -> list[Attachment]:
    """Attachments of an application or project with ``purpose_label``: an application's uploads are stored
    under their form field's key (``plan``), shown by the field's label in the call (可行性研究报告)."""
    labels = {spec.get("key"): spec.get("label") for spec in call.form_fields or [] if isinstance(spec, dict)}
    rows = list(attachments_of(owner=owner))
    for row in rows:
        row.purpose_label = labels.get(row.purpose) or row.purpose  # type: ignore[attr-defined]
    return rows


# ---------------------------------------------------------------- programmes and calls


def program_list(*, user: Any) -> QuerySet[Program]:
    return Program.objects.restrict(user, "programs.view_program").filter(is_archived=False)


def program_get(*, user: Any, pk: Any) -> Program:
    obj = program_list(user=user).filter(pk=_pk(pk, "科技计划不存在。")).first()
    if obj is None:
        raise Http404("科技计划不存在。")
    return obj


def call_list(*, user: Any, filters: dict[str, Any] | None = None) -> QuerySet[Any]:
    """Calls within the staff user's region. Filters: q, status, program, year."""
    qs = Call.objects.restrict(user, "programs.view_call").filter(is_archived=False).select_related("program", "region")
    filters = filters or {}
    if q := str(filters.get("q") or "").strip():
        qs = qs.filter(Q(title__contains=q) | Q(program__name__contains=q))
    if status := filters.get("status"):
        qs = qs.filter(status=status)
    if program := str(filters.get("program") or ""):
        if program.isdigit():
            qs = qs.filter(program_id=int(program))
    if year := str(filters.get("year") or ""):
        if year.isdigit():
            qs = qs.filter(year=int(year))
    return qs.annotate(application_count=Count("applications", filter=~Q(applications__status=ApplicationStatus.DRAFT)))


def call_get(*, user: Any, pk: Any) -> Call:
    obj = (
        Call.objects.restrict(user, "programs.view_call")
        .filter(pk=_pk(pk, "指南不存在。"))
        .select_related("program")
        .first()
    )
    if obj is None:
        raise Http404("指南不存在。")
    return obj


def public_calls() -> QuerySet[Call]:
    """Published calls (open, upcoming and closed), for the public page."""
    return (
        Call.objects.filter(status__in=(CallStatus.PUBLISHED, CallStatus.CLOSED), is_archived=False)
        .select_related("program", "region")
        .order_by("-closes_at")
    )


def public_call_get(*, pk: Any) -> Call:
    obj = public_calls().filter(pk=_pk(pk, "指南不存在。")).first()
    if obj is None:
        raise Http404("指南不存在。")
    return obj


def open_calls(*, now: Any = None) -> QuerySet[Call]:
    now = now or timezone.now()
    return public_calls().filter(status=CallStatus.PUBLISHED, opens_at__lte=now, closes_at__gte=now)


# ---------------------------------------------------------------- applications


def application_list(*, user: Any, filters: dict[str, Any] | None = None) -> QuerySet[Application]:
    """Applications within the staff user's region, drafts never shown. A bureau at or above a call's
    level does not see applications still waiting for 属地推荐 below it. Filters: q, status, call, stage
    (``recommend`` / ``check`` / ``review`` / ``approve`` queues)."""
    qs = (
        Application.objects.restrict(user, "programs.view_application")
        .exclude(status=ApplicationStatus.DRAFT)
        .select_related("call", "call__program", "organization", "region")
    )
    scope = active_region_code(user) or ""
    # a region at or above the call level sees pending-recommendation rows only of calls below it
    qs = (
        qs.exclude(Q(status=ApplicationStatus.PENDING_RECOMMENDATION) & Q(call__region__code__startswith=scope))
        if scope
        else qs.exclude(status=ApplicationStatus.PENDING_RECOMMENDATION)
    )
    filters = filters or {}
    if q := str(filters.get("q") or "").strip():
        qs = qs.filter(Q(title__contains=q) | Q(organization__name__contains=q) | Q(number__contains=q))
    if status := filters.get("status"):
        qs = qs.filter(status=status)
    if call := str(filters.get("call") or ""):
        if call.isdigit():
            qs = qs.filter(call_id=int(call))
    stage = filters.get("stage")
    if stage == "recommend":
        qs = qs.filter(status=ApplicationStatus.PENDING_RECOMMENDATION)
    elif stage == "check":
        qs = qs.filter(status__in=(ApplicationStatus.SUBMITTED, ApplicationStatus.CHECKING))
    elif stage == "review":
        qs = qs.filter(status=ApplicationStatus.IN_REVIEW)
    elif stage == "approve":
        qs = qs.filter(status=ApplicationStatus.REVIEWED)
    return qs


def application_get(*, user: Any, pk: Any) -> Application:
    obj = application_list(user=user).filter(pk=_pk(pk, "申报书不存在。")).first()
    if obj is None:
        raise Http404("申报书不存在。")
    return obj


def my_applications(*, user: Any) -> QuerySet[Application]:
    """The applications of the organizations the account acts for (单位用户), every status."""
    ids = user_organization_ids(user)
    return (
        Application.objects.filter(organization_id__in=ids)
        .select_related("call", "call__program", "organization")
        .order_by("-pk")
    )


def my_application_get(*, user: Any, pk: Any) -> Application:
    obj = my_applications(user=user).filter(pk=_pk(pk, "申报书不存在。")).first()
    if obj is None:
        raise Http404("申报书不存在。")
    return obj


def cooperating_names(application: Application) -> list[str]:
    """The names of an application's co-operating organizations (合作单位), by name."""
    return list(application.cooperating_organizations.order_by("name", "pk").values_list("name", flat=True))


def application_version_pairs(application: Application) -> list[Any]:
    return list(application.versions.all())


def mask_id_number(value: str) -> str:
    """An ID number with the middle hidden, as the people registry shows it (first four, last four)."""
    return value[:4] + "*" * max(len(value) - 8, 0) + value[-4:] if len(value) > 8 else "*" * len(value)


def _fmt_row(row: dict[str, Any]) -> str:
    return " ".join(mask_id_number(str(v)) if k == "id_number" else str(v) for k, v in row.items())


def _fmt_rows(rows: Any) -> str:
    """Member and budget rows of a version for the diff page (ID numbers masked)."""
    return "；".join(_fmt_row(r) if isinstance(r, dict) else str(r) for r in rows or [])


def snapshot_diff(old: dict[str, Any], new: dict[str, Any]) -> list[tuple[str, str, str]]:
    """Changed entries between two version snapshots as (what, before, after) rows."""
    labels = {
        "title": "项目名称",
        "requested_amount": "申请资助（元）",
        "contact_person": "联系人",
        "contact_phone": "联系电话",
    }
    rows: list[tuple[str, str, str]] = []
    for key, label in labels.items():
        if old.get(key) != new.get(key):
            rows.append((label, str(old.get(key, "")), str(new.get(key, ""))))
    of, nf = old.get("fields") or {}, new.get("fields") or {}
    for key in sorted(set(of) | set(nf)):
        if of.get(key) != nf.get(key):
            rows.append(("字段 " + key, str(of.get(key, "")), str(nf.get(key, ""))))
    for key, label in (
        ("subjects", "学科"),
        ("cooperating_organizations", "合作单位"),
        ("avoid_experts", "申请回避的专家"),
        ("members", "成员"),
        ("budget", "预算"),
        ("attachments", "附件"),
    ):
        if old.get(key) != new.get(key):
            rows.append((label, _fmt_rows(old.get(key)), _fmt_rows(new.get(key))))
    return rows


# ---------------------------------------------------------------- decisions


def decision_list(*, user: Any) -> QuerySet[ApprovalDecision]:
    return ApprovalDecision.objects.restrict(user, "programs.view_approvaldecision").select_related(
        "call", "call__program"
    )


def decision_get(*, user: Any, pk: Any) -> ApprovalDecision:
    obj = decision_list(user=user).filter(pk=_pk(pk, "立项决定不存在。")).first()
    if obj is None:
        raise Http404("立项决定不存在。")
    return obj


def public_publicities() -> QuerySet[ApprovalDecision]:
    """Publicity lists (公示) published so far, for the public page."""
    return (
        ApprovalDecision.objects.exclude(status=DecisionStatus.DRAFT)
        .select_related("call", "call__program")
        .order_by("-publicity_start", "-pk")
    )


def public_publicity_get(*, pk: Any) -> ApprovalDecision:
    obj = public_publicities().filter(pk=_pk(pk, "公示不存在。")).first()
    if obj is None:
        raise Http404("公示不存在。")
    return obj


# ---------------------------------------------------------------- projects


def project_list(*, user: Any, filters: dict[str, Any] | None = None) -> QuerySet[Any]:
    """Projects within the staff user's region. Filters: q, status, program, year, call."""
    qs = Project.objects.restrict(user, "programs.view_project").select_related(
        "program", "organization", "region", "call"
    )
    filters = filters or {}
    if q := str(filters.get("q") or "").strip():
        qs = qs.filter(Q(title__contains=q) | Q(number__contains=q) | Q(organization__name__contains=q))
    if status := filters.get("status"):
        qs = qs.filter(status=status)
    for key, column in (("program", "program_id"), ("call", "call_id")):
        value = str(filters.get(key) or "")
        if value.isdigit():
            qs = qs.filter(**{column: int(value)})
    if year := str(filters.get("year") or ""):
        if year.isdigit():
            qs = qs.filter(call__year=int(year))
    if region := str(filters.get("region") or "").strip():
        qs = qs.filter(prefix_q("region", region))
    return qs.annotate(paid=Sum("payments__amount"))


def project_get(*, user: Any, pk: Any) -> Project:
    obj = (
        Project.objects.restrict(user, "programs.view_project")
        .filter(pk=_pk(pk, "项目不存在。"))
        .select_related("program", "organization", "call", "application")
        .first()
    )
    if obj is None:
        raise Http404("项目不存在。")
    return obj


def my_projects(*, user: Any) -> QuerySet[Project]:
    return (
        Project.objects.filter(organization_id__in=user_organization_ids(user))
        .select_related("program", "organization", "call")
        .order_by("-pk")
    )


def my_project_get(*, user: Any, pk: Any) -> Project:
    obj = my_projects(user=user).filter(pk=_pk(pk, "项目不存在。")).first()
    if obj is None:
        raise Http404("项目不存在。")
    return obj


def payment_list(*, user: Any, filters: dict[str, Any] | None = None) -> QuerySet[Payment]:
    """Payments of projects within the staff user's region (the ledger)."""
    projects = Project.objects.restrict(user, "programs.view_project")
    qs = Payment.objects.filter(project__in=projects).select_related(
        "project", "project__program", "project__organization"
    )
    filters = filters or {}
    for key, column in (("program", "project__program_id"), ("project", "project_id")):
        value = str(filters.get(key) or "")
        if value.isdigit():
            qs = qs.filter(**{column: int(value)})
    return qs


def program_ledger(*, user: Any) -> list[dict[str, Any]]:
    """Per programme: projects, approved and paid amounts (the programme ledger)."""
    rows = []
    projects = Project.objects.restrict(user, "programs.view_project")
    for row in (
        projects.values("program_id", "program__name")
        .annotate(n=Count("id"), approved=Sum("approved_amount"))
        .order_by("program__name")
    ):
        paid = Payment.objects.filter(project__in=projects.filter(program_id=row["program_id"])).aggregate(
            s=Sum("amount")
        )["s"] or Decimal("0")
        rows.append(
            {
                "program_id": row["program_id"],
                "program": row["program__name"],
                "projects": row["n"],
                "approved": row["approved"] or Decimal("0"),
                "paid": paid,
                "balance": (row["approved"] or Decimal("0")) - paid,
            }
        )
    return rows


def overdue_reports(*, user: Any, today: date | None = None) -> QuerySet[ProgressReport]:
    """Progress reports past their due date and not submitted, for in-progress projects in scope."""
    today = today or timezone.localdate()
    projects = Project.objects.restrict(user, "programs.view_project").filter(status=ProjectStatus.IN_PROGRESS)
    return (
        ProgressReport.objects.filter(
            project__in=projects, due_on__lt=today, status__in=(ReportStatus.DUE, ReportStatus.RETURNED)
        )
        .select_related("project", "project__organization")
        .order_by("due_on")
    )


def performance_templates() -> QuerySet[PerformanceTemplate]:
    return PerformanceTemplate.objects.filter(is_active=True)


def transition_rows(flow: Any, qs: Any, kind: str = "") -> list[dict[str, Any]]:
    """Transitions as rows in Chinese: the action's label and the statuses' labels (never the codes)."""
    rows: list[dict[str, Any]] = []
    for t in qs.select_related("actor"):
        label = (
            flow.actions[t.action].label
            if t.action in flow.actions
            else {"create": "创建", "request": "提出申请"}.get(t.action, t.action)
        )
        rows.append(
            {
                "kind": kind,
                "at": t.at,
                "actor": t.actor,
                "action": label,
                "from": flow.labels.get(t.from_status, t.from_status),
                "to": flow.labels.get(t.to_status, t.to_status),
                "reason": t.reason,
            }
        )
    return rows


def timeline(project: Project) -> list[dict[str, Any]]:
    """Every transition of the project's application and the project itself (and its decision and
    contract changes), oldest first: who, when, from → to, reason."""
    from kejiju.programs.workflows import APPLICATION_FLOW, CHANGE_FLOW, DECISION_FLOW, PROJECT_FLOW

    rows: list[dict[str, Any]] = []

    def add(kind: str, flow: Any, qs: Any) -> None:
        rows.extend(transition_rows(flow, qs, kind))

    add("申报", APPLICATION_FLOW, project.application.transitions.all())
    add("立项", DECISION_FLOW, project.decision.transitions.all())
    add("项目", PROJECT_FLOW, project.transitions.all())
    contract = getattr(project, "contract", None)
    if contract is not None:
        for change in contract.changes.all():
            add("调整", CHANGE_FLOW, change.transitions.all())
    rows.sort(key=lambda r: r["at"])
    return rows


def project_documents(project: Project) -> list[Any]:
    """Generated documents of a project: its approval notice and acceptance certificate."""
    from kejiju.reports.selectors import documents_for_source

    docs = list(documents_for_source(source="programs.approval:%s" % project.decision_id))
    acceptance = getattr(project, "acceptance", None)
    if acceptance is not None:
        docs += list(documents_for_source(source="programs.acceptance:%s" % acceptance.pk))
    return docs


def review_batches(*, user: Any, call: Call | None = None, project: Project | None = None) -> QuerySet[Any]:
    """The review module's batches (评审批次) that review the call's applications (立项评审) or one project
    (验收评审, 中期检查): those whose items are these records as the programme review sources hand them
    over (``programs.application:<pk>``, ``programs.project:<pk>``). Only batches the user may see there;
    newest first, cancelled ones included with their status."""
    from kejiju.review.selectors import batches_reviewing
    from kejiju.review.sources import make_ref

    if call is not None:
        key = "programs.application"
        refs = [make_ref(key, pk) for pk in Application.objects.filter(call=call).values_list("pk", flat=True)]
    elif project is not None:
        key, refs = "programs.project", [make_ref("programs.project", project.pk)]
    else:
        raise TypeError("review_batches needs a call or a project")
    return batches_reviewing(user=user, source_key=key, refs=refs)

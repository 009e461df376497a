"""Writes of programmes and projects (house rule 1): keyword-only ``<noun>_<verb>(*, actor, …)``, one
transaction, validate → save inside ``acting(actor)`` → operation log. Status changes go through the
declared graphs of :mod:`kejiju.programs.workflows` and leave transition rows. Rule violations raise
``BusinessError`` (one reason) or ``RowErrors`` (reasons per field), and then nothing is stored."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from kejiju.core.audit import log_operation
from kejiju.core.errors import BusinessError, RowErrors
from kejiju.core.history import acting
from kejiju.core.permissions import can_manage_region
from kejiju.core.workflow import apply_transition
from kejiju.programs import actions
from kejiju.programs import permissions as perms
from kejiju.programs.choices import (
    AcceptanceDecision,
    ApplicationStatus,
    BudgetCategory,
    CallStatus,
    ChangeKind,
    ChangeStatus,
    DecisionStatus,
    FieldType,
    FundSource,
    InspectionKind,
    InspectionStatus,
    ProgramKind,
    ProjectStatus,
    ReportStatus,
)
from kejiju.programs.models import (
    Acceptance,
    Application,
    ApplicationMember,
    ApplicationTransition,
    ApplicationVersion,
    ApprovalDecision,
    ApprovalItem,
    BudgetLine,
    Call,
    CallTransition,
    ChangeTransition,
    Contract,
    ContractChange,
    DecisionTransition,
    Disbursement,
    Inspection,
    Objection,
    Payment,
    PerformanceReview,
    PerformanceTemplate,
    Program,
    ProgressReport,
    Project,
    ProjectTransition,
)
from kejiju.programs.workflows import (
    APPLICATION_FLOW,
    CALL_FLOW,
    CHANGE_FLOW,
    CHECK_ACTIONS,
    DECISION_FLOW,
    PROJECT_FLOW,
    RECOMMEND_ACTIONS,
)

MONEY_MAX = Decimal("999999999999.99")
_MONEY_RE = re.compile(r"^-?\d+(\.\d+)?$")
#: Reminder offsets: "before" once within REMIND_BEFORE_DAYS of the due date, "after" every week overdue.
REMIND_BEFORE_DAYS = 7


def _forbid() -> BusinessError:
    return BusinessError("您没有该操作的权限。", code="forbidden")


def _now() -> datetime:
    return timezone.now()


def _today() -> date:
    return timezone.localdate()


# ---------------------------------------------------------------------------------------------- parsing


def parse_money(
    value: Any, *, label: str, field: str, required: bool = True, allow_zero: bool = True
) -> Decimal | None:
    """Yuan as ``Decimal`` with at most two decimals (三位小数被拒绝), not negative, within 14 digits.
    Raises ``RowErrors({field: [...]})`` naming the field."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise RowErrors({field: ["%s不能为空。" % label]})
        return None
    if isinstance(value, bool) or isinstance(value, float):
        text = repr(value) if isinstance(value, float) else ""
    else:
        text = str(value).strip().replace(",", "").replace("，", "")
    if not _MONEY_RE.match(text):
        raise RowErrors({field: ["%s“%s”不是有效金额，应为数字（元），如 50000.00。" % (label, value)]})
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise RowErrors({field: ["%s“%s”不是有效金额。" % (label, value)]}) from None
    if amount.as_tuple().exponent < -2:  # type: ignore[operator]
        raise RowErrors({field: ["%s“%s”最多保留两位小数（精确到分）。" % (label, value)]})
    if amount < 0:
        raise RowErrors({field: ["%s不能为负数。" % label]})
    if not allow_zero and amount == 0:
        raise RowErrors({field: ["%s必须大于 0。" % label]})
    if amount > MONEY_MAX:
        raise RowErrors({field: ["%s超出上限。" % label]})
    return amount.quantize(Decimal("0.01"))


def parse_date(value: Any, *, label: str, field: str, required: bool = True) -> date | None:
    if value in (None, ""):
        if required:
            raise RowErrors({field: ["%s不能为空。" % label]})
        return None
    if isinstance(value, datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise RowErrors({field: ["%s“%s”不是有效日期，格式应为 2026-06-30。" % (label, value)]}) from None


def parse_required_date(value: Any, *, label: str, field: str) -> date:
    """A required date (see :func:`parse_date`)."""
    day = parse_date(value, label=label, field=field)
    assert day is not None
    return day


def parse_datetime(value: Any, *, label: str, field: str) -> datetime:
    """An aware datetime; a naive value is read as Asia/Shanghai (the server's zone)."""
    if value in (None, ""):
        raise RowErrors({field: ["%s不能为空。" % label]})
    if isinstance(value, datetime):
        result = value
    else:
        text = str(value).strip().replace("T", " ")
        try:
            result = datetime.fromisoformat(text)
        except ValueError:
            raise RowErrors({field: ["%s“%s”不是有效时间，格式应为 2026-06-30 17:00。" % (label, value)]}) from None
    if timezone.is_naive(result):
        result = timezone.make_aware(result, timezone.get_default_timezone())
    return result


def _text(data: dict[str, Any], key: str, *, label: str, limit: int, required: bool = False) -> str:
    value = data.get(key)
    text = "" if value is None else str(value).strip()
    if required and not text:
        raise RowErrors({key: ["%s不能为空。" % label]})
    if len(text) > limit:
        raise RowErrors({key: ["%s不能超过 %s 个字。" % (label, limit)]})
    return text


def _merge(errors: dict[str, list[str]], exc: RowErrors) -> None:
    for key, msgs in exc.errors.items():
        errors.setdefault(key, []).extend(msgs)


# ---------------------------------------------------------------------------------------------- programme


@transaction.atomic
def program_save(*, actor: Any, data: dict[str, Any], program: Program | None = None) -> Program:
    """Create or update a programme (科技计划). Raises ``RowErrors`` for bad fields, ``BusinessError``
    without ``programs.add_program``/``change_program`` or for a region outside the actor's scope."""
    perm = "programs.change_program" if program else "programs.add_program"
    if not actor.has_perm(perm) or (program is not None and not perms.can_act(actor, perm, program)):
        raise _forbid()
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    for key, label, limit, required in (
        ("name", "计划名称", 100, True),
        ("department", "主管科室", 60, False),
        ("description", "说明", 5000, False),
    ):
        try:
            values[key] = _text(data, key, label=label, limit=limit, required=required)
        except RowErrors as exc:
            _merge(errors, exc)
    kind = str(data.get("kind") or "")
    if kind not in ProgramKind.values:
        errors["kind"] = ["计划类别无效，应为：%s。" % "、".join(str(c.label) for c in ProgramKind)]
    region = str(data.get("region") or (program.region_id if program else "") or "")
    if not region or not can_manage_region(actor, region):
        errors["region"] = ["所属区划“%s”不在您的管辖范围内。" % region]
    if errors:
        raise RowErrors(errors)
    program = program or Program()
    for key, value in values.items():
        setattr(program, key, value)
    program.kind = kind
    program.region_id = region
    program.is_active = bool(data.get("is_active", True))
    created = program.pk is None
    with acting(actor):
        program.save()
    log_operation(actor=actor, action=actions.PROGRAM_SAVE, target=program, extra={"created": created})
    return program


# ---------------------------------------------------------------------------------------------- call

ELIGIBILITY_KEYS = {"org_types", "region_prefixes", "qualifications", "one_per_org"}
FIELD_KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


def clean_form_fields(raw: Any) -> list[dict[str, Any]]:
    """Validate a call's form definition: a list of ``{key, label, type, required}`` with unique keys and
    types from :class:`FieldType`. Raises ``RowErrors`` on ``form_fields``."""
    if not isinstance(raw, list):
        raise RowErrors({"form_fields": ["申报书字段应为列表。"]})
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    problems: list[str] = []
    for i, item in enumerate(raw, start=1):
        if not isinstance(item, dict):
            problems.append("第 %s 个字段应为对象。" % i)
            continue
        key = str(item.get("key") or "")
        ftype = str(item.get("type") or "")
        label = str(item.get("label") or "").strip()
        if not FIELD_KEY_RE.match(key):
            problems.append("第 %s 个字段的标识“%s”无效（小写字母开头，字母数字下划线）。" % (i, key))
        elif key in seen:
            problems.append("字段标识“%s”重复。" % key)
        if ftype not in FieldType.values:
            problems.append("第 %s 个字段的类型“%s”无效。" % (i, ftype))
        if not label:
            problems.append("第 %s 个字段缺少名称。" % i)
        seen.add(key)
        out.append({"key": key, "label": label[:100], "type": ftype, "required": bool(item.get("required"))})
    if problems:
        raise RowErrors({"form_fields": problems})
    return out


def clean_eligibility(raw: Any) -> dict[str, Any]:
    from kejiju.orgs.choices import OrgType, QualificationKind

    if raw in (None, ""):
        return {}
    if not isinstance(raw, dict):
        raise RowErrors({"eligibility": ["申报条件应为对象。"]})
    problems = ["未知的申报条件“%s”。" % k for k in sorted(set(raw) - ELIGIBILITY_KEYS)]
    org_types = [str(v) for v in raw.get("org_types") or []]
    quals = [str(v) for v in raw.get("qualifications") or []]
    prefixes = [str(v) for v in raw.get("region_prefixes") or []]
    problems += ["单位类型“%s”无效。" % v for v in org_types if v not in OrgType.values]
    problems += ["资质类型“%s”无效。" % v for v in quals if v not in QualificationKind.values]
    problems += ["区划代码“%s”无效。" % v for v in prefixes if not re.fullmatch(r"\d{2,12}", v)]
    if problems:
        raise RowErrors({"eligibility": problems})
    return {
        "org_types": org_types,
        "region_prefixes": prefixes,
        "qualifications": quals,
        "one_per_org": bool(raw.get("one_per_org")),
    }


def clean_review_criteria(raw: Any) -> str:
    """A call's scoring criteria for its 立项评审 (``"指标:分值"`` lines summing to 100, checked as the review
    module checks a batch's), normalized one a line; blank keeps the review module's default."""
    from kejiju.review.services import clean_criteria

    text = str(raw or "").strip()
    if not text:
        return ""
    try:
        items = clean_criteria(text)
    except RowErrors as exc:
        raise RowErrors({"review_criteria": exc.errors.get("criteria", [])}) from None
    return "\n".join("%s:%d" % (name, weight) for name, weight, _guide in items)


@transaction.atomic
def call_save(*, actor: Any, data: dict[str, Any], call: Call | None = None) -> Call:
    """Create or update a call (项目指南). The call's region is its programme's (the issuing bureau).
    Raises ``RowErrors`` (closing before opening, bad JSON, money with three decimals …)."""
    if not perms.can_manage_call(actor, call):
        raise _forbid()
    errors: dict[str, list[str]] = {}
    program = data.get("program") or (call.program if call else None)
    if isinstance(program, (int, str)) and str(program).isdigit():
        program = Program.objects.restrict(actor, "programs.view_program").filter(pk=int(program)).first()
    if not isinstance(program, Program) or not perms.can_act(actor, "programs.view_program", program):
        errors["program"] = ["请选择科技计划。"]
    values: dict[str, Any] = {}
    checks: list[tuple[str, Any]] = [
        ("title", lambda: _text(data, "title", label="指南名称", limit=200, required=True)),
        ("guide", lambda: _text(data, "guide", label="指南正文", limit=50000)),
        ("opens_at", lambda: parse_datetime(data.get("opens_at"), label="申报开始时间", field="opens_at")),
        ("closes_at", lambda: parse_datetime(data.get("closes_at"), label="申报截止时间", field="closes_at")),
        (
            "budget_ceiling",
            lambda: parse_money(
                data.get("budget_ceiling"), label="资助总额上限", field="budget_ceiling", required=False
            ),
        ),
        (
            "max_request",
            lambda: parse_money(data.get("max_request"), label="单项申请上限", field="max_request", required=False),
        ),
        ("form_fields", lambda: clean_form_fields(data.get("form_fields", call.form_fields if call else []))),
        ("eligibility", lambda: clean_eligibility(data.get("eligibility", call.eligibility if call else {}))),
        (
            "review_criteria",
            lambda: clean_review_criteria(data.get("review_criteria", call.review_criteria if call else "")),
        ),
    ]
    for key, fn in checks:
        try:
            values[key] = fn()
        except RowErrors as exc:
            _merge(errors, exc)
    try:
        year = int(str(data.get("year") or "").strip())
        if not 2000 <= year <= 2100:
            raise ValueError
        values["year"] = year
    except ValueError:
        errors["year"] = ["年度应为 2000—2100 之间的整数。"]
    if values.get("opens_at") and values.get("closes_at") and values["closes_at"] <= values["opens_at"]:
        errors.setdefault("closes_at", []).append("申报截止时间应晚于开始时间。")
    if errors:
        raise RowErrors(errors)
    assert isinstance(program, Program)
    call = call or Call(program=program)
    for key, value in values.items():
        setattr(call, key, value)
    call.program = program
    call.region_id = program.region_id
    call.needs_recommendation = bool(data.get("needs_recommendation", call.needs_recommendation))
    call.uses_review = bool(data.get("uses_review", call.uses_review))
    created = call.pk is None
    with acting(actor):
        call.save()
    log_operation(actor=actor, action=actions.CALL_SAVE, target=call, extra={"created": created})
    return call


@transaction.atomic
def call_transition(*, actor: Any, call: Call, action: str, reason: str = "") -> Call:
    """发布 / 截止 / 重新开放 a call."""
    call = Call.objects.select_for_update().get(pk=call.pk)
    if not (actor.has_perm("programs.publish_call") and perms.can_manage_call(actor, call)):
        raise _forbid()
    row = apply_transition(
        obj=call,
        workflow=CALL_FLOW,
        action=action,
        actor=actor,
        transition_model=CallTransition,
        fk_name="call",
        reason=reason,
    )
    log_operation(
        actor=actor, action=actions.CALL_TRANSITION, target=call, extra={"action": action, "to": row.to_status}
    )
    return call


def call_is_open(call: Call, now: datetime | None = None) -> bool:
    now = now or _now()
    return call.status == CallStatus.PUBLISHED and call.opens_at <= now <= call.closes_at


# ---------------------------------------------------------------------------------------------- application


def _require_applicant(actor: Any, application: Application) -> None:
    if not perms.is_applicant(actor, application):
        raise _forbid()


def _slot(call: Call, organization_id: int) -> str | None:
    return "%s:%s" % (call.pk, organization_id) if call.one_per_org else None


@transaction.atomic
def application_create(
    *, actor: Any, call: Call, organization: Any, data: dict[str, Any] | None = None, now: datetime | None = None
) -> Application:
    """Start a draft (申报书草稿) for an organization the actor acts for, while the call is open. A call
    allowing one application per organization refuses a second one (unless the first was withdrawn or
    rejected)."""
    if not perms.can_apply(actor) or organization.pk not in perms.user_organization_ids(actor):
        raise _forbid()
    if not call_is_open(call, now):
        raise BusinessError("该指南不在申报时间内（截止时间 %s），不能申报。" % _fmt(call.closes_at), code="closed")
    slot = _slot(call, organization.pk)
    application = Application(
        call=call,
        organization=organization,
        region_id=organization.region_id,
        title="",
        slot=slot,
        created_by=actor,
        contact_person=organization.contact_person or "",
        contact_phone=organization.contact_phone or "",
    )
    try:
        with transaction.atomic(), acting(actor):
            application.save()
    except IntegrityError:
        raise BusinessError(
            "该指南每个单位限报 1 项，“%s”已有申报书，不能再新建。" % organization.name, code="one_per_org"
        ) from None
    log_operation(actor=actor, action=actions.APP_SAVE, target=application, extra={"created": True})
    if data:
        application_save(actor=actor, application=application, data=data)
    return application


def _fmt(value: datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


def clean_members(raw: Any) -> list[dict[str, Any]]:
    """Validate member rows ``{name, id_number, id_type?, phone?, role?, is_leader?}`` (ID numbers per GB
    11643 through :func:`kejiju.people.services.check_person_id`). Errors on ``members`` name the row."""
    from kejiju.people.services import check_person_id

    if raw in (None, ""):
        return []
    if not isinstance(raw, list):
        raise RowErrors({"members": ["成员应为列表。"]})
    rows: list[dict[str, Any]] = []
    problems: list[str] = []
    seen: set[str] = set()
    for i, item in enumerate(raw, start=1):
        if not isinstance(item, dict):
            problems.append("成员第 %s 行格式无效。" % i)
            continue
        name = str(item.get("name") or "").strip()
        id_type = str(item.get("id_type") or "resident")
        if not name:
            problems.append("成员第 %s 行：姓名不能为空。" % i)
        value, errs, _ = check_person_id(id_type, str(item.get("id_number") or ""))
        problems += ["成员第 %s 行（%s）：%s" % (i, name or "未填姓名", e) for e in errs]
        if value and value in seen:
            problems.append("成员第 %s 行：证件号码 %s 重复。" % (i, value))
        seen.add(value)
        rows.append(
            {
                "name": name[:40],
                "id_type": id_type,
                "id_number": value,
                "phone": str(item.get("phone") or "").strip()[:40],
                "role": str(item.get("role") or "").strip()[:100],
                "is_leader": bool(item.get("is_leader")),
            }
        )
    if rows and not any(r["is_leader"] for r in rows):
        rows[0]["is_leader"] = True
    if sum(1 for r in rows if r["is_leader"]) > 1:
        problems.append("项目负责人只能有一名。")
    if problems:
        raise RowErrors({"members": problems})
    return rows


def clean_budget(raw: Any, *, field: str = "budget") -> list[dict[str, Any]]:
    """Validate budget rows ``{category, source, amount, note}``: known 科目, money with two decimals."""
    if raw in (None, ""):
        return []
    if not isinstance(raw, list):
        raise RowErrors({field: ["预算应为列表。"]})
    rows: list[dict[str, Any]] = []
    problems: list[str] = []
    for i, item in enumerate(raw, start=1):
        if not isinstance(item, dict):
            problems.append("预算第 %s 行格式无效。" % i)
            continue
        category = str(item.get("category") or "")
        source = str(item.get("source") or FundSource.GRANT)
        if category not in BudgetCategory.values:
            problems.append("预算第 %s 行：科目“%s”无效。" % (i, category))
        if source not in FundSource.values:
            problems.append("预算第 %s 行：资金来源“%s”无效。" % (i, source))
        try:
            amount = parse_money(item.get("amount"), label="预算第 %s 行金额" % i, field=field)
        except RowErrors as exc:
            problems += exc.errors[field]
            amount = None
        rows.append(
            {"category": category, "source": source, "amount": amount, "note": str(item.get("note") or "")[:200]}
        )
    if problems:
        raise RowErrors({field: problems})
    return rows


def clean_fields(call: Call, raw: Any) -> dict[str, Any]:
    """The call-defined text/number/money values (``{key: value}``); unknown keys are dropped."""
    if raw in (None, ""):
        return {}
    if not isinstance(raw, dict):
        raise RowErrors({"fields": ["申报书内容应为对象。"]})
    out: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for spec in call.form_fields or []:
        key, ftype, label = spec["key"], spec["type"], spec["label"]
        if key not in raw or ftype in (FieldType.MEMBERS, FieldType.BUDGET, FieldType.ATTACHMENT):
            continue
        value = raw[key]
        if value in (None, ""):
            out[key] = ""
            continue
        if ftype == FieldType.TEXT:
            text = str(value).strip()
            if len(text) > 20000:
                errors[key] = ["%s不能超过 20000 个字。" % label]
            out[key] = text
        elif ftype == FieldType.NUMBER:
            text = str(value).strip()
            if not re.fullmatch(r"-?\d{1,12}(\.\d{1,4})?", text):
                errors[key] = ["%s“%s”应为数字。" % (label, value)]
            out[key] = text
        elif ftype == FieldType.MONEY:
            try:
                out[key] = str(parse_money(value, label=label, field=key))
            except RowErrors as exc:
                _merge(errors, exc)
    if errors:
        raise RowErrors(errors)
    return out


#: The most co-operating organizations (合作单位) one application may name.
COOPERATING_MAX = 20


def clean_subjects(raw: Any) -> list[str]:
    """Subject codes (学科) of an application, main first: each a GB/T 13745 code, as the expert pool
    checks an expert's subjects (:func:`kejiju.review.services.subject_codes`); a list or a text split
    by commas, blanks or 、. Empty is allowed here (a draft); submission requires one."""
    from kejiju.review.services import split_words, subject_codes

    codes = split_words(raw)
    known = subject_codes()
    problems = ["学科代码“%s”不在《学科分类与代码》（GB/T 13745）中。" % c for c in codes if c not in known]
    if problems:
        raise RowErrors({"subjects": problems})
    return list(dict.fromkeys(codes))


def clean_avoid_experts(raw: Any) -> list[dict[str, str]]:
    """The experts the applicant asks to avoid (申请回避的专家), as typed — rows ``{name, organization,
    reason}`` (姓名 and 回避理由 required, 工作单位 optional), at most
    :func:`kejiju.review.services.applicant_avoid_max`. Wholly blank rows are dropped. The applicant
    never sees the expert pool: the review source matches the names at draw time."""
    from kejiju.review.services import applicant_avoid_max

    if raw in (None, ""):
        return []
    if not isinstance(raw, list):
        raise RowErrors({"avoid_experts": ["申请回避的专家应为列表。"]})
    rows: list[dict[str, str]] = []
    problems: list[str] = []
    for i, item in enumerate(raw, start=1):
        if not isinstance(item, dict):
            problems.append("申请回避的专家第 %s 行格式无效。" % i)
            continue
        name = "".join(str(item.get("name") or "").split())
        organization = str(item.get("organization") or "").strip()
        reason = str(item.get("reason") or "").strip()
        if not (name or organization or reason):
            continue
        if not name:
            problems.append("申请回避的专家第 %s 行：姓名不能为空。" % i)
        elif len(name) > 40:
            problems.append("申请回避的专家第 %s 行：姓名不能超过 40 个字。" % i)
        if len(organization) > 200:
            problems.append("申请回避的专家第 %s 行（%s）：工作单位不能超过 200 个字。" % (i, name or "未填姓名"))
        if not reason:
            problems.append("申请回避的专家第 %s 行（%s）：请填写回避理由。" % (i, name or "未填姓名"))
        elif len(reason) > 200:
            problems.append("申请回避的专家第 %s 行（%s）：回避理由不能超过 200 个字。" % (i, name or "未填姓名"))
        rows.append({"name": name, "organization": organization, "reason": reason})
    cap = applicant_avoid_max()
    if len(rows) > cap:
        problems.insert(0, "申请回避的专家最多 %d 名，现填写 %d 名。" % (cap, len(rows)))
    if problems:
        raise RowErrors({"avoid_experts": problems})
    return rows


def cooperating_scope(application: Application) -> Any:
    """The registry organizations an application may name as co-operating (合作单位): those filed within
    the call's region, not archived or merged, other than the applicant itself."""
    from django.apps import apps

    from kejiju.core.permissions import prefix_q

    organization = apps.get_model("orgs", "Organization")
    return (
        organization.objects.filter(prefix_q("region", application.call.region_id), is_archived=False)
        .exclude(pk=application.organization_id)
        .order_by("name", "pk")
    )


def clean_cooperating(application: Application, raw: Any) -> list[int]:
    """Co-operating organizations chosen from the registry: each entry an organization id (number) or
    the 单位名称 / 统一社会信用代码 (text) of an organization in :func:`cooperating_scope`. Errors name the
    row; duplicates count once."""
    if raw in (None, ""):
        return []
    if isinstance(raw, str):
        raw = raw.splitlines()
    if not isinstance(raw, list):
        raise RowErrors({"cooperating_organizations": ["合作单位应为列表。"]})
    scope = cooperating_scope(application)
    ids: list[int] = []
    problems: list[str] = []
    for i, item in enumerate(raw, start=1):
        if isinstance(item, bool):
            problems.append("合作单位第 %s 行格式无效。" % i)
            continue
        if isinstance(item, int):
            if item == application.organization_id:
                problems.append("合作单位第 %s 行：申报单位本身不能作为合作单位。" % i)
                continue
            org = scope.filter(pk=item).first() if 0 < item < 2**63 else None
            if org is None:
                problems.append("合作单位第 %s 行：单位 %s 不在本指南范围的单位名录中。" % (i, item))
                continue
            ids.append(org.pk)
            continue
        text = str(item or "").strip()
        if not text:
            continue
        if text == application.organization.name or text.upper() == application.organization.credit_code:
            problems.append("合作单位第 %s 行：“%s”是申报单位本身，不能作为合作单位。" % (i, text))
            continue
        found = list(scope.filter(credit_code=text.upper())[:1]) or list(scope.filter(name=text)[:2])
        if not found:
            problems.append(
                "合作单位第 %s 行：“%s”不在本指南范围的单位名录中（请填写完整的单位名称或统一社会信用代码）。"
                % (i, text[:60])
            )
        elif len(found) > 1:
            problems.append("合作单位第 %s 行：名录中有多个“%s”，请改填统一社会信用代码。" % (i, text[:60]))
        else:
            ids.append(found[0].pk)
    ids = list(dict.fromkeys(ids))
    if len(ids) > COOPERATING_MAX:
        problems.append("合作单位最多 %d 个，现填写 %d 个。" % (COOPERATING_MAX, len(ids)))
    if problems:
        raise RowErrors({"cooperating_organizations": problems})
    return ids


@transaction.atomic
def application_save(*, actor: Any, application: Application, data: dict[str, Any]) -> Application:
    """Save the draft (保存草稿): title, amount, contacts, form values, members, budget lines. Every value
    is checked for its type now (money with three decimals is refused); completeness waits for submit.
    Only while the application is a draft or returned for correction."""
    application = Application.objects.select_for_update().select_related("call").get(pk=application.pk)
    _require_applicant(actor, application)
    if application.status not in (ApplicationStatus.DRAFT, ApplicationStatus.RETURNED):
        raise BusinessError(
            "申报书当前状态为“%s”，不能修改。" % application.get_status_display(), code="bad_transition"
        )
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    checks: list[tuple[str, Any]] = []
    if "title" in data:
        checks.append(("title", lambda: _text(data, "title", label="项目名称", limit=200)))
    if "contact_person" in data:
        checks.append(("contact_person", lambda: _text(data, "contact_person", label="联系人", limit=40)))
    if "contact_phone" in data:
        checks.append(("contact_phone", lambda: _text(data, "contact_phone", label="联系电话", limit=40)))
    if "requested_amount" in data:
        checks.append(
            (
                "requested_amount",
                lambda: (
                    parse_money(data["requested_amount"], label="申请资助", field="requested_amount", required=False)
                    or Decimal("0")
                ),
            )
        )
    if "fields" in data:
        checks.append(("fields", lambda: clean_fields(application.call, data["fields"])))
    if "members" in data:
        checks.append(("members", lambda: clean_members(data["members"])))
    if "budget" in data:
        checks.append(("budget", lambda: clean_budget(data["budget"])))
    if "subjects" in data:
        checks.append(("subjects", lambda: clean_subjects(data["subjects"])))
    if "cooperating_organizations" in data:
        checks.append(
            ("cooperating_organizations", lambda: clean_cooperating(application, data["cooperating_organizations"]))
        )
    if "avoid_experts" in data:
        checks.append(("avoid_experts", lambda: clean_avoid_experts(data["avoid_experts"])))
    for key, fn in checks:
        try:
            values[key] = fn()
        except RowErrors as exc:
            _merge(errors, exc)
    if errors:
        raise RowErrors(errors)
    for key in ("title", "contact_person", "contact_phone", "requested_amount", "subjects", "avoid_experts"):
        if key in values:
            setattr(application, key, values[key])
    if "fields" in values:
        application.data = {**(application.data or {}), **values["fields"]}
    if "members" in values:
        application.members.all().delete()
        for order, row in enumerate(values["members"]):
            try:
                person = _person_ensure(actor, row, application)
            except RowErrors as exc:
                raise RowErrors(
                    {
                        "members": [
                            "成员第 %s 行（%s）：%s" % (order + 1, row["name"], m)
                            for ms in exc.errors.values()
                            for m in ms
                        ]
                    }
                ) from None
            ApplicationMember.objects.create(
                application=application, person=person, is_leader=row["is_leader"], role=row["role"], order=order
            )
    if "budget" in values:
        application.budget_lines.all().delete()
        BudgetLine.objects.bulk_create([BudgetLine(application=application, **row) for row in values["budget"]])
    with acting(actor):
        application.save()
    if "cooperating_organizations" in values:
        application.cooperating_organizations.set(values["cooperating_organizations"])
    log_operation(actor=actor, action=actions.APP_SAVE, target=application, extra={"fields": sorted(values)})
    return application


def _person_ensure(actor: Any, row: dict[str, Any], application: Application) -> Any:
    from kejiju.people.services import person_ensure

    data = {
        "name": row["name"],
        "id_type": row["id_type"],
        "id_number": row["id_number"],
        "region": application.region_id,
    }
    if row.get("phone"):
        data["phone"] = row["phone"]
    return person_ensure(actor=actor, data=data)


def application_attach(*, actor: Any, application: Application, key: str, fileobj: IO[bytes], name: str) -> Any:
    """Upload an attachment for the form field ``key`` (e.g. the feasibility report) while editable."""
    from kejiju.core.services.attachments import attachment_create

    _require_applicant(actor, application)
    if application.status not in (ApplicationStatus.DRAFT, ApplicationStatus.RETURNED):
        raise BusinessError(
            "申报书当前状态为“%s”，不能上传附件。" % application.get_status_display(), code="bad_transition"
        )
    keys = {f["key"] for f in application.call.form_fields or [] if f["type"] == FieldType.ATTACHMENT}
    if key not in keys and key != "other":
        raise BusinessError("附件类别“%s”不在本指南的申报材料清单中。" % key, code="invalid", field="key")
    return attachment_create(
        actor=actor, fileobj=fileobj, name=name, region=application.region_id, owner=application, purpose=key
    )


def application_attachments(application: Application) -> list[Any]:
    from kejiju.programs.selectors import attachments_of

    return list(attachments_of(owner=application))


def application_snapshot(application: Application) -> dict[str, Any]:
    """The application as a plain JSON object (kept as a version at each submission)."""
    return {
        "title": application.title,
        "requested_amount": str(application.requested_amount),
        "contact_person": application.contact_person,
        "contact_phone": application.contact_phone,
        "fields": dict(application.data or {}),
        "members": [
            {"name": m.person.name, "id_number": m.person.id_number, "role": m.role, "is_leader": m.is_leader}
            for m in application.members.select_related("person")
        ],
        "budget": [
            {"category": b.category, "source": b.source, "amount": str(b.amount), "note": b.note}
            for b in application.budget_lines.all()
        ],
        "subjects": list(application.subjects or []),
        "cooperating_organizations": [
            o.name for o in application.cooperating_organizations.order_by("name", "pk").only("name")
        ],
        "avoid_experts": [dict(r) for r in application.avoid_experts or []],
        "attachments": sorted("%s:%s" % (a.purpose, a.original_name) for a in application_attachments(application)),
    }


def eligibility_problems(application: Application, *, today: date | None = None) -> list[str]:
    """The call's eligibility rules the organization fails, as Chinese reasons (empty: eligible)."""
    from kejiju.orgs.selectors import organization_qualifications

    rules = application.call.eligibility or {}
    org = application.organization
    today = today or _today()
    problems: list[str] = []
    if rules.get("org_types") and org.org_type not in rules["org_types"]:
        from kejiju.orgs.choices import OrgType

        allowed = "、".join(str(OrgType(t).label) for t in rules["org_types"])
        problems.append(
            "本指南只受理以下类型单位申报：%s；“%s”为%s。" % (allowed, org.name, org.get_org_type_display())
        )
    prefixes = rules.get("region_prefixes") or []
    if prefixes and not any(org.region_id.startswith(p) for p in prefixes):
        problems.append("“%s”所在区划（%s）不在本指南的申报范围内。" % (org.name, org.region_id))
    needed = rules.get("qualifications") or []
    if needed:
        from kejiju.orgs.choices import QualificationKind

        valid = {q.kind for q in organization_qualifications(organization=org) if q.is_valid_on(today)}
        for kind in needed:
            if kind not in valid:
                problems.append("申报单位须持有有效的“%s”资质。" % QualificationKind(kind).label)
    return problems


def completeness_problems(application: Application) -> dict[str, list[str]]:
    """What is missing or inconsistent for submission: title, amount within the ceiling, required
    fields and attachments, the members' leader, budget lines adding up to the requested amount."""
    call = application.call
    errors: dict[str, list[str]] = {}
    if not application.title.strip():
        errors["title"] = ["项目名称不能为空。"]
    if not application.subjects:
        errors["subjects"] = ["请至少填写一个学科（GB/T 13745 代码，第一个为主学科）。"]
    if application.requested_amount <= 0:
        errors["requested_amount"] = ["申请资助金额必须大于 0。"]
    elif call.max_request is not None and application.requested_amount > call.max_request:
        errors["requested_amount"] = [
            "申请资助 %s 元超过本指南单项上限 %s 元。" % (application.requested_amount, call.max_request)
        ]
    purposes = {a.purpose for a in application_attachments(application)}
    members = list(application.members.all())
    lines = list(application.budget_lines.all())
    for spec in call.form_fields or []:
        key, ftype, label = spec["key"], spec["type"], spec["label"]
        if ftype == FieldType.ATTACHMENT:
            if spec.get("required") and key not in purposes:
                errors.setdefault(key, []).append("缺少必传附件“%s”。" % label)
        elif ftype == FieldType.MEMBERS:
            if spec.get("required") and not members:
                errors.setdefault("members", []).append("请填写%s。" % label)
        elif ftype == FieldType.BUDGET:
            if spec.get("required") and not lines:
                errors.setdefault("budget", []).append("请填写%s。" % label)
        elif spec.get("required") and not str((application.data or {}).get(key, "")).strip():
            errors.setdefault(key, []).append("%s不能为空。" % label)
    if lines:
        grant = sum((b.amount for b in lines if b.source == FundSource.GRANT), Decimal("0"))
        if grant != application.requested_amount:
            errors.setdefault("budget", []).append(
                "预算中专项资金合计 %s 元，与申请资助 %s 元不一致。" % (grant, application.requested_amount)
            )
    return errors


def _app_transition(
    actor: Any,
    application: Application,
    action: str,
    reason: str = "",
    extra: dict[str, Any] | None = None,
    update_fields: Iterable[str] = (),
) -> Any:
    row = apply_transition(
        obj=application,
        workflow=APPLICATION_FLOW,
        action=action,
        actor=actor,
        transition_model=ApplicationTransition,
        fk_name="application",
        reason=reason,
        extra=extra,
        update_fields=update_fields,
    )
    log_operation(
        actor=actor,
        action=actions.APP_TRANSITION,
        target=application,
        extra={"action": action, "from": row.from_status, "to": row.to_status, "reason": row.reason},
    )
    return row


def _notify_applicant(application: Application, title: str, body: str = "") -> None:
    from django.urls import reverse

    from kejiju.core.models import User
    from kejiju.core.notify import notify
    from kejiju.orgs.selectors import organization_member_ids

    users = User.objects.filter(pk__in=organization_member_ids(organization=application.organization), is_active=True)
    notify(
        recipients=users,
        title=title,
        body=body,
        category="programs",
        url=reverse("programs:my_application", args=[application.pk]),
        channels=("inapp", "email"),
    )


@transaction.atomic
def application_submit(*, actor: Any, application: Application, now: datetime | None = None) -> Application:
    """提交: before the deadline (server time, Asia/Shanghai), eligible, complete; keeps a version
    snapshot; goes to 属地推荐 when the call needs it, else straight to the formal check. Raises
    ``BusinessError`` (deadline, eligibility, state) or ``RowErrors`` (what is missing, per field)."""
    application = Application.objects.select_for_update().select_related("call", "organization").get(pk=application.pk)
    _require_applicant(actor, application)
    now = now or _now()
    call = application.call
    if application.status not in (ApplicationStatus.DRAFT, ApplicationStatus.RETURNED):
        APPLICATION_FLOW.check("submit", application.status)
    # a correction after 退回修改 may come after the deadline; a first submission may not
    resubmission = application.status == ApplicationStatus.RETURNED
    if not resubmission and not call_is_open(call, now):
        raise BusinessError("已超过申报截止时间（%s），不能提交。" % _fmt(call.closes_at), code="deadline")
    problems = eligibility_problems(application)
    if problems:
        raise BusinessError("不符合申报条件：" + "".join(problems), code="ineligible")
    missing = completeness_problems(application)
    if missing:
        raise RowErrors(missing, code="incomplete")
    number = application.version + 1
    ApplicationVersion.objects.create(
        application=application, number=number, snapshot=application_snapshot(application), created_by=actor
    )
    application.version = number
    application.submitted_at = now
    if not application.number:
        application.number = "%s-%s-%05d" % (call.year, call.pk, application.pk)
    # 属地推荐 applies to calls above county level (city or province)
    needs_county = call.needs_recommendation and len(call.region_id) < 6
    _app_transition(
        actor,
        application,
        "submit_to_county" if needs_county else "submit",
        extra={"version": number},
        update_fields=("version", "submitted_at", "number"),
    )
    return application


@transaction.atomic
def application_withdraw(*, actor: Any, application: Application, reason: str = "") -> Application:
    """撤回: the applicant takes the application back until the formal check starts. Frees the
    organization's place in a one-per-organization call."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    _require_applicant(actor, application)
    application.slot = None
    _app_transition(actor, application, "withdraw", reason, update_fields=("slot",))
    return application


@transaction.atomic
def application_reopen(*, actor: Any, application: Application) -> Application:
    """重新编辑 a withdrawn application (while the call is open; takes the place again)."""
    application = Application.objects.select_for_update().select_related("call").get(pk=application.pk)
    _require_applicant(actor, application)
    if not call_is_open(application.call):
        raise BusinessError("该指南已截止申报，撤回的申报书不能再编辑。", code="closed")
    application.slot = _slot(application.call, application.organization_id)
    try:
        with transaction.atomic():
            _app_transition(actor, application, "reopen", update_fields=("slot",))
    except IntegrityError:
        raise BusinessError("该指南每个单位限报 1 项，本单位已有其他申报书。", code="one_per_org") from None
    return application


@transaction.atomic
def application_transition(*, actor: Any, application: Application, action: str, reason: str = "") -> Application:
    """Staff steps: 推荐/退回 (county), 开始形式审查/通过/退回修改/不予受理 (issuing bureau), 不予立项.
    Checks the actor's role for the step and the graph; a wrong state or role changes nothing."""
    application = Application.objects.select_for_update().select_related("call").get(pk=application.pk)
    APPLICATION_FLOW.action(action)
    if action in RECOMMEND_ACTIONS:
        allowed = perms.can_recommend_application(actor, application)
    elif action in CHECK_ACTIONS:
        allowed = perms.can_check_application(actor, application)
    elif action == "decline":
        allowed = perms.can_approve_call(actor, application.call)
    else:
        allowed = False
    if not allowed:
        raise _forbid()
    extra_fields: tuple[str, ...] = ()
    if action == "reject":
        application.slot = None
        extra_fields = ("slot",)
    _app_transition(actor, application, action, reason, update_fields=extra_fields)
    if action in ("return", "county_return", "reject"):
        _notify_applicant(
            application, "申报书“%s”%s" % (application.title, APPLICATION_FLOW.action(action).label), reason
        )
    return application


def _record_review(
    actor: Any,
    application: Application,
    *,
    score: Decimal | None,
    rank: int | None,
    opinion: str,
    result: dict[str, Any],
) -> Application:
    if application.status != ApplicationStatus.IN_REVIEW:
        APPLICATION_FLOW.check("record_review", application.status)
    application.review_score = score
    application.review_rank = rank
    application.review_opinion = opinion
    application.review_result = result
    _app_transition(
        actor,
        application,
        "record_review",
        extra={"score": str(score) if score is not None else None},
        update_fields=("review_score", "review_rank", "review_opinion", "review_result"),
    )
    log_operation(actor=actor, action=actions.APP_REVIEW, target=application, extra=result)
    return application


def _parse_score(value: Any, field: str = "score") -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        score = Decimal(str(value).strip())
    except InvalidOperation:
        raise RowErrors({field: ["评分“%s”应为 0—100 的数字。" % value]}) from None
    if not score.is_finite() or not 0 <= score <= 100 or score.as_tuple().exponent < -2:  # type: ignore[operator]
        raise RowErrors({field: ["评分“%s”应为 0—100 的数字，最多两位小数。" % value]})
    return score


@transaction.atomic
def application_review_record(
    *, actor: Any, application: Application, score: Any, opinion: str, rank: Any = None, recommendation: str = ""
) -> Application:
    """Enter a review panel's result by hand (评审结果录入): score 0—100, opinion, optional rank."""
    application = Application.objects.select_for_update().select_related("call").get(pk=application.pk)
    if not perms.can_review_application(actor, application):
        raise _forbid()
    errors: dict[str, list[str]] = {}
    parsed = None
    try:
        parsed = _parse_score(score)
        if parsed is None:
            errors["score"] = ["评分不能为空。"]
    except RowErrors as exc:
        _merge(errors, exc)
    rank_value = None
    if rank not in (None, ""):
        if not str(rank).strip().isdigit() or not 0 < int(str(rank).strip()) < 100000:
            errors["rank"] = ["排名应为正整数。"]
        else:
            rank_value = int(str(rank).strip())
    if not str(opinion or "").strip():
        errors["opinion"] = ["评审意见不能为空。"]
    if errors:
        raise RowErrors(errors)
    return _record_review(
        actor,
        application,
        score=parsed,
        rank=rank_value,
        opinion=str(opinion).strip()[:5000],
        result={"source": "manual", "recommendation": recommendation[:100]},
    )


def apply_application_outcome(*, actor: Any, outcome: Any) -> None:
    """The review module's aggregated outcome (:class:`kejiju.review.sources.ReviewOutcome`) for an
    application in review: scores and opinions are stored and the application becomes 评审完成."""
    from kejiju.review.sources import split_ref

    _key, pk = split_ref(outcome.ref)
    application = Application.objects.select_for_update().filter(pk=int(pk)).first()
    if application is None:
        raise BusinessError("申报书不存在。", code="not_found")
    score = outcome.score_trimmed if outcome.score_trimmed is not None else outcome.score_mean
    _record_review(
        actor,
        application,
        score=score,
        rank=outcome.rank,
        opinion="\n".join(outcome.opinions)[:5000],
        result={
            "source": "review",
            "batch_id": outcome.batch_id,
            "batch": outcome.batch_title,
            "kind": outcome.kind,
            "mean": str(outcome.score_mean) if outcome.score_mean is not None else None,
            "reviewers": outcome.reviewers,
            "recommendation": outcome.recommendation,
        },
    )


# ---------------------------------------------------------------------------------------------- approval


@transaction.atomic
def decision_create(
    *, actor: Any, call: Call, meeting: str, decided_on: Any, items: list[tuple[Any, Any]], doc_number: str = ""
) -> ApprovalDecision:
    """A meeting decision (立项决定) on reviewed applications of a call with the amounts to fund. The sum
    stays within the call's budget ceiling and each amount within the application's request."""
    if not perms.can_approve_call(actor, call):
        raise _forbid()
    errors: dict[str, list[str]] = {}
    if not str(meeting or "").strip():
        errors["meeting"] = ["会议名称不能为空。"]
    day = None
    try:
        day = parse_required_date(decided_on, label="决定日期", field="decided_on")
    except RowErrors as exc:
        _merge(errors, exc)
    parsed: list[tuple[Application, Decimal]] = []
    problems: list[str] = []
    seen: set[int] = set()
    for app_id, amount in items:
        app = Application.objects.filter(call=call, pk=int(app_id) if str(app_id).isdigit() else 0).first()
        if app is None:
            problems.append("申报书 %s 不属于本指南。" % app_id)
            continue
        if app.pk in seen:
            problems.append("申报书“%s”重复。" % app.title)
            continue
        seen.add(app.pk)
        if app.status != ApplicationStatus.REVIEWED:
            problems.append(
                "“%s”当前状态为“%s”，只有评审完成的申报书可以立项。" % (app.title, app.get_status_display())
            )
        if ApprovalItem.objects.filter(application=app, excluded=False).exists():
            problems.append("“%s”已在其他立项决定中。" % app.title)
        try:
            value = parse_money(amount, label="“%s”资助金额" % app.title, field="items", allow_zero=False)
        except RowErrors as exc:
            problems += exc.errors["items"]
            continue
        assert value is not None
        if value > app.requested_amount:
            problems.append("“%s”资助金额 %s 元超过申请金额 %s 元。" % (app.title, value, app.requested_amount))
        parsed.append((app, value))
    if not items:
        problems.append("请至少选择一项拟立项的申报书。")
    total = sum((v for _, v in parsed), Decimal("0"))
    if call.budget_ceiling is not None:
        used = ApprovalItem.objects.filter(decision__call=call, excluded=False).aggregate(s=Sum("amount"))[
            "s"
        ] or Decimal("0")
        if used + total > call.budget_ceiling:
            problems.append(
                "资助合计 %s 元超过指南资助总额上限 %s 元（已立项 %s 元）。" % (total, call.budget_ceiling, used)
            )
    if problems:
        errors["items"] = problems
    if errors or day is None:
        raise RowErrors(errors)
    decision = ApprovalDecision(
        call=call,
        region_id=call.region_id,
        meeting=str(meeting).strip()[:200],
        decided_on=day,
        doc_number=str(doc_number or "").strip()[:60],
    )
    with acting(actor):
        decision.save()
    ApprovalItem.objects.bulk_create([ApprovalItem(decision=decision, application=a, amount=v) for a, v in parsed])
    log_operation(
        actor=actor,
        action=actions.DECISION_SAVE,
        target=decision,
        extra={"items": [[a.pk, str(v)] for a, v in parsed], "total": str(total)},
    )
    return decision


def _decision_transition(
    actor: Any, decision: ApprovalDecision, action: str, reason: str = "", update_fields: Iterable[str] = ()
) -> None:
    row = apply_transition(
        obj=decision,
        workflow=DECISION_FLOW,
        action=action,
        actor=actor,
        transition_model=DecisionTransition,
        fk_name="decision",
        reason=reason,
        update_fields=update_fields,
    )
    log_operation(
        actor=actor,
        action=actions.DECISION_TRANSITION,
        target=decision,
        extra={"action": action, "from": row.from_status, "to": row.to_status},
    )


def _lock_decision(actor: Any, decision: ApprovalDecision) -> ApprovalDecision:
    decision = ApprovalDecision.objects.select_for_update().select_related("call").get(pk=decision.pk)
    if not perms.can_approve_call(actor, decision.call):
        raise _forbid()
    return decision


@transaction.atomic
def decision_publish(*, actor: Any, decision: ApprovalDecision, start: Any, end: Any) -> ApprovalDecision:
    """发布公示: the list appears on the public publicity page between ``start`` and ``end``."""
    decision = _lock_decision(actor, decision)
    errors: dict[str, list[str]] = {}
    s = e = None
    try:
        s = parse_date(start, label="公示开始日期", field="publicity_start")
        e = parse_date(end, label="公示截止日期", field="publicity_end")
    except RowErrors as exc:
        _merge(errors, exc)
    if s and e and e < s:
        errors["publicity_end"] = ["公示截止日期不能早于开始日期。"]
    if errors:
        raise RowErrors(errors)
    decision.publicity_start, decision.publicity_end = s, e
    _decision_transition(actor, decision, "publish", update_fields=("publicity_start", "publicity_end"))
    return decision


@transaction.atomic
def objection_record(
    *,
    actor: Any,
    decision: ApprovalDecision,
    content: str,
    received_on: Any,
    submitter: str = "",
    item: ApprovalItem | None = None,
) -> Objection:
    """登记异议 received during publicity."""
    decision = _lock_decision(actor, decision)
    if decision.status != DecisionStatus.PUBLICIZED:
        raise BusinessError("只有公示中的名单可以登记异议。", code="bad_transition")
    if not str(content or "").strip():
        raise RowErrors({"content": ["异议内容不能为空。"]})
    day = parse_required_date(received_on, label="收到日期", field="received_on")
    if item is not None and item.decision_id != decision.pk:
        raise RowErrors({"item": ["所选项目不在本公示名单中。"]})
    objection = Objection.objects.create(
        decision=decision,
        item=item,
        content=str(content).strip()[:5000],
        received_on=day,
        submitter=str(submitter or "").strip()[:100],
        created_by=actor,
    )
    log_operation(actor=actor, action=actions.OBJECTION_SAVE, target=decision, extra={"objection": objection.pk})
    return objection


@transaction.atomic
def objection_resolve(*, actor: Any, objection: Objection, resolution: str, upheld: bool) -> Objection:
    """办结异议: an upheld objection against an item removes it from the list (its application is declined)."""
    decision = _lock_decision(actor, objection.decision)
    objection = Objection.objects.select_for_update().get(pk=objection.pk)
    if objection.resolved_at:
        raise BusinessError("该异议已办结。", code="bad_transition")
    if decision.status != DecisionStatus.PUBLICIZED:
        raise BusinessError("公示已结束，不能再办结异议。", code="bad_transition")
    if not str(resolution or "").strip():
        raise RowErrors({"resolution": ["处理结果不能为空。"]})
    objection.resolution = str(resolution).strip()[:5000]
    objection.upheld = bool(upheld)
    objection.resolved_at = _now()
    objection.resolved_by = actor
    objection.save()
    if upheld and objection.item_id:
        item = ApprovalItem.objects.select_related("application").get(pk=objection.item_id)
        item.excluded = True
        item.save(update_fields=["excluded"])
        app = Application.objects.select_for_update().get(pk=item.application_id)
        _app_transition(actor, app, "decline", "公示异议成立：%s" % objection.resolution[:200])
    log_operation(
        actor=actor,
        action=actions.OBJECTION_RESOLVE,
        target=decision,
        extra={"objection": objection.pk, "upheld": objection.upheld},
    )
    return objection


@transaction.atomic
def decision_confirm(*, actor: Any, decision: ApprovalDecision, today: date | None = None) -> list[Project]:
    """确定立项 after the publicity period with every objection resolved: each remaining item's
    application becomes 已立项 and a :class:`Project` is made with the approved amount."""
    decision = _lock_decision(actor, decision)
    today = today or _today()
    if decision.status == DecisionStatus.PUBLICIZED:
        if decision.publicity_end and today <= decision.publicity_end:
            raise BusinessError("公示期至 %s，公示期满后才能确定立项。" % decision.publicity_end, code="publicity")
        if decision.objections.filter(resolved_at__isnull=True).exists():
            raise BusinessError("还有未办结的公示异议，办结后才能确定立项。", code="objections")
    _decision_transition(actor, decision, "confirm")
    projects: list[Project] = []
    for item in decision.items.filter(excluded=False).select_related("application"):
        app = Application.objects.select_for_update().get(pk=item.application_id)
        _app_transition(actor, app, "approve", extra={"decision": decision.pk, "amount": str(item.amount)})
        project = Project(
            application=app,
            call=decision.call,
            program_id=decision.call.program_id,
            organization_id=app.organization_id,
            decision=decision,
            region_id=app.region_id,
            title=app.title,
            approved_amount=item.amount,
            approved_on=decision.decided_on,
            number="%s%s%04d" % (decision.call.program.kind[:2].upper(), decision.call.year, app.pk),
        )
        with acting(actor):
            project.save()
        ProjectTransition.objects.create(
            project=project,
            from_status="",
            to_status=project.status,
            action="create",
            actor=actor,
            reason="立项决定：%s" % decision.meeting,
        )
        projects.append(project)
    return projects


def approval_notice_payload(decision: ApprovalDecision) -> dict[str, Any]:
    """The GB/T 9704 JSON of the approval notice (立项通知书) with the list of projects and amounts."""
    from kejiju.core.models import Region

    issuer_region = Region.objects.get(code=decision.call.region_id)
    issuer = "%s科学技术局" % issuer_region.name
    rows = [["序号", "项目编号", "项目名称", "承担单位", "资助金额（万元）"]]
    for i, p in enumerate(decision.projects.select_related("organization").order_by("number"), start=1):
        rows.append(
            [str(i), p.number, p.title, p.organization.name, str((p.approved_amount / 10000).quantize(Decimal("0.01")))]
        )
    day = timezone.localdate()
    return {
        "issuer": issuer,
        "doc_number": decision.doc_number or None,
        "title": "%s关于下达%s年度%s项目的通知" % (issuer, decision.call.year, decision.call.program.name),
        "addressee": "各项目承担单位",
        "body": [
            {
                "type": "paragraph",
                "text": "经%s研究，并经公示无异议，现将%s年度%s立项项目下达给你们，请按要求签订项目任务书，认真组织实施。"
                % (decision.meeting, decision.call.year, decision.call.program.name),
            },
            {"type": "table", "rows": rows},
            {"type": "paragraph", "text": "特此通知。"},
        ],
        "date": day.isoformat(),
        "seal": True,
    }


@transaction.atomic
def decision_issue_notice(*, actor: Any, decision: ApprovalDecision) -> Any:
    """下达立项通知书: generates the GB/T 9704 notice (``source="programs.approval:<id>"``) and tells the
    applicants."""
    from kejiju.reports.services import document_issue

    decision = _lock_decision(actor, decision)
    DECISION_FLOW.check("issue_notice", decision.status)
    document = document_issue(
        actor=actor,
        data=approval_notice_payload(decision),
        region=decision.region_id,
        source="programs.approval:%s" % decision.pk,
    )
    decision.notice_document_id = document.pk
    _decision_transition(actor, decision, "issue_notice", update_fields=("notice_document_id",))
    for project in decision.projects.select_related("application", "organization"):
        _notify_applicant(project.application, "项目“%s”已立项" % project.title, "请登录系统签订项目任务书。")
    return document


# ---------------------------------------------------------------------------------------------- project


def _lock_project(actor: Any, project: Project, *, pay: bool = False) -> Project:
    project = Project.objects.select_for_update().select_related("call").get(pk=project.pk)
    allowed = perms.can_pay_project(actor, project) if pay else perms.can_manage_project(actor, project)
    if not allowed:
        raise _forbid()
    return project


def _project_transition(
    actor: Any, project: Project, action: str, reason: str = "", update_fields: Iterable[str] = ()
) -> None:
    row = apply_transition(
        obj=project,
        workflow=PROJECT_FLOW,
        action=action,
        actor=actor,
        transition_model=ProjectTransition,
        fk_name="project",
        reason=reason,
        update_fields=update_fields,
    )
    log_operation(
        actor=actor,
        action=actions.PROJECT_TRANSITION,
        target=project,
        extra={"action": action, "from": row.from_status, "to": row.to_status, "reason": row.reason},
    )


def clean_targets(raw: Any) -> list[dict[str, Any]]:
    """Contract targets ``[{name, unit, value}]`` with numeric values."""
    if raw in (None, ""):
        return []
    if not isinstance(raw, list):
        raise RowErrors({"targets": ["考核指标应为列表。"]})
    out, problems = [], []
    for i, t in enumerate(raw, start=1):
        if not isinstance(t, dict) or not str(t.get("name") or "").strip():
            problems.append("考核指标第 %s 行缺少指标名称。" % i)
            continue
        value = str(t.get("value") or "").strip()
        if not re.fullmatch(r"\d{1,12}(\.\d{1,4})?", value):
            problems.append("考核指标第 %s 行（%s）的目标值“%s”应为非负数。" % (i, t.get("name"), value))
        out.append(
            {"name": str(t["name"]).strip()[:100], "unit": str(t.get("unit") or "").strip()[:20], "value": value}
        )
    if problems:
        raise RowErrors({"targets": problems})
    return out


def clean_milestones(raw: Any) -> list[dict[str, Any]]:
    if raw in (None, ""):
        return []
    if not isinstance(raw, list):
        raise RowErrors({"milestones": ["进度安排应为列表。"]})
    out, problems = [], []
    for i, m in enumerate(raw, start=1):
        if not isinstance(m, dict):
            problems.append("进度安排第 %s 行格式无效。" % i)
            continue
        try:
            due = parse_date(m.get("due"), label="进度安排第 %s 行日期" % i, field="milestones")
        except RowErrors as exc:
            problems += exc.errors["milestones"]
            continue
        content = str(m.get("content") or "").strip()
        if not content:
            problems.append("进度安排第 %s 行缺少内容。" % i)
        out.append({"due": due.isoformat() if due else "", "content": content[:500]})
    if problems:
        raise RowErrors({"milestones": problems})
    return out


def _check_contract_budget(lines: list[dict[str, Any]], approved: Decimal) -> None:
    grant = sum((r["amount"] for r in lines if r["source"] == FundSource.GRANT), Decimal("0"))
    if lines and grant != approved:
        raise RowErrors({"budget": ["预算中专项资金合计 %s 元，应等于立项资助 %s 元。" % (grant, approved)]})


@transaction.atomic
def contract_save(*, actor: Any, project: Project, data: dict[str, Any]) -> Contract:
    """Draft the task agreement (任务书) while the project waits for signing: dates, targets, milestones,
    budget lines whose grant part equals the approved amount, co-operating organizations (a new
    contract given none takes the application's)."""
    project = _lock_project(actor, project)
    if project.status != ProjectStatus.PENDING_CONTRACT:
        raise BusinessError("任务书已签订，修改请走项目调整。", code="bad_transition")
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    for key, fn in (
        ("starts_on", lambda: parse_date(data.get("starts_on"), label="开始日期", field="starts_on")),
        ("ends_on", lambda: parse_date(data.get("ends_on"), label="结束日期", field="ends_on")),
        ("targets", lambda: clean_targets(data.get("targets"))),
        ("milestones", lambda: clean_milestones(data.get("milestones"))),
        ("budget", lambda: clean_budget(data.get("budget"))),
        ("number", lambda: _text(data, "number", label="任务书编号", limit=40)),
    ):
        try:
            values[key] = fn()
        except RowErrors as exc:
            _merge(errors, exc)
    if values.get("starts_on") and values.get("ends_on") and values["ends_on"] <= values["starts_on"]:
        errors.setdefault("ends_on", []).append("结束日期应晚于开始日期。")
    if "budget" in values:
        try:
            _check_contract_budget(values["budget"], project.approved_amount)
        except RowErrors as exc:
            _merge(errors, exc)
    coop_ids = [int(x) for x in data.get("cooperating_organizations") or [] if str(x).isdigit()]
    if errors:
        raise RowErrors(errors)
    contract = Contract.objects.filter(project=project).first() or Contract(project=project)
    created = contract.pk is None
    contract.number = values["number"] or project.number
    contract.starts_on, contract.ends_on = values["starts_on"], values["ends_on"]
    contract.targets, contract.milestones = values["targets"], values["milestones"]
    contract.save()
    contract.budget_lines.all().delete()
    BudgetLine.objects.bulk_create([BudgetLine(contract=contract, **row) for row in values["budget"]])
    if coop_ids:
        from kejiju.orgs.selectors import organization_list

        found = list(organization_list(user=actor).filter(pk__in=coop_ids).values_list("pk", flat=True))
        contract.cooperating_organizations.set(found)
    elif created and "cooperating_organizations" not in data:
        # a new 任务书 starts with the co-operating organizations named in the application
        contract.cooperating_organizations.set(project.application.cooperating_organizations.all())
    log_operation(actor=actor, action=actions.CONTRACT_SAVE, target=project, extra={"contract": contract.pk})
    return contract


def _report_schedule(contract: Contract) -> list[tuple[str, date]]:
    """Half-yearly progress reports from the start until the end (the last one at the end date)."""
    out: list[tuple[str, date]] = []
    day = contract.starts_on
    n = 1
    while True:
        month = day.month + 6
        year = day.year + (month - 1) // 12
        month = (month - 1) % 12 + 1
        nxt = date(year, month, min(day.day, 28))
        if nxt >= contract.ends_on:
            break
        out.append(("第 %s 期进展报告" % n, nxt))
        day, n = nxt, n + 1
    return out


@transaction.atomic
def contract_sign(*, actor: Any, project: Project, signed_on: Any, scan: Any) -> Contract:
    """签订任务书: needs the drafted contract and the signed scan (an uploaded attachment of the project);
    the project starts (执行中) and its progress reports are scheduled half-yearly."""
    project = _lock_project(actor, project)
    contract = Contract.objects.filter(project=project).first()
    if contract is None:
        raise BusinessError("请先填写任务书内容。", code="no_contract")
    if not contract.targets:
        raise RowErrors({"targets": ["任务书缺少考核指标。"]})
    day = parse_date(signed_on, label="签订日期", field="signed_on")
    if scan is None:
        raise RowErrors({"signed_scan": ["请上传签署后的任务书扫描件。"]})
    contract.signed_scan = scan
    contract.signed_on = day
    contract.save()
    _project_transition(actor, project, "sign_contract")
    for period, due in _report_schedule(contract):
        ProgressReport.objects.create(project=project, period=period, due_on=due)
    return contract


def project_attach(*, actor: Any, project: Project, fileobj: IO[bytes], name: str, purpose: str) -> Any:
    """Upload a project file (signed contract scan, report material, rectification evidence …) by staff
    managing the project or by the applicant organization."""
    from kejiju.core.services.attachments import attachment_create

    if not (perms.can_manage_project(actor, project) or perms.is_applicant(actor, project)):
        raise _forbid()
    return attachment_create(
        actor=actor, fileobj=fileobj, name=name, region=project.region_id, owner=project, purpose=purpose[:60]
    )


@transaction.atomic
def change_request(*, actor: Any, project: Project, kind: str, reason: str, after: dict[str, Any]) -> ContractChange:
    """申请调整 of a signed contract (by the applicant or staff): ``after`` holds the new values —
    ``ends_on`` (延期), ``budget`` lines (预算调整, grant total unchanged), ``targets``, or free text."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    if not (perms.is_applicant(actor, project) or perms.can_manage_project(actor, project)):
        raise _forbid()
    if project.status != ProjectStatus.IN_PROGRESS:
        raise BusinessError("只有执行中的项目可以申请调整。", code="bad_transition")
    if kind not in ChangeKind.values:
        raise RowErrors({"kind": ["调整类型无效。"]})
    if not str(reason or "").strip():
        raise RowErrors({"reason": ["调整理由不能为空。"]})
    contract = project.contract
    before: dict[str, Any] = {}
    clean_after: dict[str, Any] = {"text": str((after or {}).get("text") or "")[:2000]}
    if kind == ChangeKind.PERIOD:
        ends = parse_date((after or {}).get("ends_on"), label="延期后结束日期", field="ends_on")
        assert ends is not None
        if ends <= contract.ends_on:
            raise RowErrors({"ends_on": ["延期后结束日期应晚于原结束日期 %s。" % contract.ends_on]})
        before["ends_on"], clean_after["ends_on"] = contract.ends_on.isoformat(), ends.isoformat()
    elif kind == ChangeKind.BUDGET:
        lines = clean_budget((after or {}).get("budget"))
        _check_contract_budget(lines, project.approved_amount)
        before["budget"] = [
            {"category": b.category, "source": b.source, "amount": str(b.amount), "note": b.note}
            for b in contract.budget_lines.all()
        ]
        clean_after["budget"] = [{**r, "amount": str(r["amount"])} for r in lines]
    elif kind == ChangeKind.TARGETS:
        before["targets"], clean_after["targets"] = contract.targets, clean_targets((after or {}).get("targets"))
    if ContractChange.objects.filter(contract=contract, status=ChangeStatus.PENDING).exists():
        raise BusinessError("已有一项调整在审批中，请等待审批结果。", code="pending_change")
    change = ContractChange.objects.create(
        contract=contract,
        kind=kind,
        reason=str(reason).strip()[:2000],
        before=before,
        after=clean_after,
        requested_by=actor,
    )
    ChangeTransition.objects.create(
        change=change, from_status="", to_status=change.status, action="request", actor=actor, reason=change.reason
    )
    log_operation(actor=actor, action=actions.CHANGE_SAVE, target=project, extra={"change": change.pk, "kind": kind})
    return change


@transaction.atomic
def change_decide(*, actor: Any, change: ContractChange, approve: bool, reason: str = "") -> ContractChange:
    """批准 (the new values replace the contract's) or 不批准 a change request."""
    change = ContractChange.objects.select_for_update().select_related("contract__project").get(pk=change.pk)
    project = _lock_project(actor, change.contract.project)
    row = apply_transition(
        obj=change,
        workflow=CHANGE_FLOW,
        action="approve" if approve else "refuse",
        actor=actor,
        transition_model=ChangeTransition,
        fk_name="change",
        reason=reason,
    )
    if approve:
        contract = change.contract
        after = change.after
        if "ends_on" in after:
            contract.ends_on = date.fromisoformat(after["ends_on"])
        if "targets" in after:
            contract.targets = after["targets"]
        if "budget" in after:
            contract.budget_lines.all().delete()
            BudgetLine.objects.bulk_create(
                [
                    BudgetLine(
                        contract=contract,
                        category=r["category"],
                        source=r["source"],
                        amount=Decimal(r["amount"]),
                        note=r["note"],
                    )
                    for r in after["budget"]
                ]
            )
        contract.save()
    log_operation(
        actor=actor,
        action=actions.CHANGE_TRANSITION,
        target=project,
        extra={"change": change.pk, "to": row.to_status, "reason": reason},
    )
    return change


@transaction.atomic
def disbursement_plan_save(*, actor: Any, project: Project, rows: list[dict[str, Any]]) -> list[Disbursement]:
    """拨付计划: instalments ``[{planned_on, amount, note}]`` adding up to at most the approved amount.
    Instalments already paid against stay."""
    project = _lock_project(actor, project, pay=True)
    if not isinstance(rows, list) or not rows:
        raise RowErrors({"rows": ["请至少填写一期拨付计划。"]})
    problems: list[str] = []
    parsed: list[tuple[date, Decimal, str]] = []
    for i, r in enumerate(rows, start=1):
        try:
            day = parse_date(r.get("planned_on"), label="第 %s 期计划日期" % i, field="rows")
            amount = parse_money(r.get("amount"), label="第 %s 期金额" % i, field="rows", allow_zero=False)
            assert day is not None and amount is not None
            parsed.append((day, amount, str(r.get("note") or "")[:200]))
        except RowErrors as exc:
            problems += exc.errors["rows"]
        except (AttributeError, TypeError):
            problems.append("第 %s 期格式无效。" % i)
    total = sum((a for _, a, _ in parsed), Decimal("0"))
    if total > project.approved_amount:
        problems.append("拨付计划合计 %s 元超过立项资助 %s 元。" % (total, project.approved_amount))
    if problems:
        raise RowErrors({"rows": problems})
    if Payment.objects.filter(project=project, disbursement__isnull=False).exists():
        raise BusinessError("已按计划拨付过经费，拨付计划不能整体替换。", code="paid")
    project.disbursements.all().delete()
    created = Disbursement.objects.bulk_create(
        [
            Disbursement(project=project, seq=i, planned_on=d, amount=a, note=n)
            for i, (d, a, n) in enumerate(parsed, start=1)
        ]
    )
    log_operation(
        actor=actor,
        action=actions.DISBURSEMENT_SAVE,
        target=project,
        extra={"rows": [[d.isoformat(), str(a)] for d, a, _ in parsed]},
    )
    return created


def paid_total(project: Project) -> Decimal:
    """The sum paid so far, to the fen (SQLite's SUM drops the trailing zeros: 150000 → 150000.00)."""
    total = Payment.objects.filter(project=project).aggregate(s=Sum("amount"))["s"] or Decimal("0")
    return Decimal(total).quantize(Decimal("0.01"))


@transaction.atomic
def payment_create(
    *,
    actor: Any,
    project: Project,
    amount: Any,
    paid_on: Any,
    voucher: str = "",
    disbursement: Disbursement | None = None,
    note: str = "",
) -> Payment:
    """拨付 a payment: the project is signed and not terminated or failed; the paid total never exceeds
    the approved amount (the project row is locked, so two payments at once cannot both pass)."""
    project = _lock_project(actor, project, pay=True)
    if project.status in (ProjectStatus.PENDING_CONTRACT, ProjectStatus.TERMINATED, ProjectStatus.FAILED):
        raise BusinessError("项目当前状态为“%s”，不能拨付经费。" % project.get_status_display(), code="bad_transition")
    value = parse_money(amount, label="拨付金额", field="amount", allow_zero=False)
    day = parse_date(paid_on, label="拨付日期", field="paid_on")
    assert value is not None and day is not None
    if disbursement is not None and disbursement.project_id != project.pk:
        raise RowErrors({"disbursement": ["所选拨付批次不属于本项目。"]})
    already = paid_total(project)
    if already + value > project.approved_amount:
        raise RowErrors(
            {
                "amount": [
                    "拨付后累计 %s 元将超过立项资助 %s 元（已拨付 %s 元，最多还可拨付 %s 元）。"
                    % (already + value, project.approved_amount, already, project.approved_amount - already)
                ]
            }
        )
    payment = Payment.objects.create(
        project=project,
        disbursement=disbursement,
        amount=value,
        paid_on=day,
        voucher=str(voucher or "")[:60],
        note=str(note or "")[:200],
        created_by=actor,
    )
    log_operation(
        actor=actor,
        action=actions.PAYMENT_SAVE,
        target=project,
        extra={"payment": payment.pk, "amount": str(value), "paid_total": str(already + value)},
    )
    return payment


@transaction.atomic
def report_submit(*, actor: Any, report: ProgressReport, content: str, funds_used: Any = None) -> ProgressReport:
    """提交进展报告 (applicant), also after the due date (then it shows as late)."""
    report = ProgressReport.objects.select_for_update().select_related("project").get(pk=report.pk)
    if not perms.is_applicant(actor, report.project):
        raise _forbid()
    if report.status not in (ReportStatus.DUE, ReportStatus.RETURNED):
        raise BusinessError("该报告已提交。", code="bad_transition")
    if not str(content or "").strip():
        raise RowErrors({"content": ["进展情况不能为空。"]})
    report.funds_used = parse_money(funds_used, label="已使用经费", field="funds_used", required=False)
    report.content = str(content).strip()[:20000]
    report.status = ReportStatus.SUBMITTED
    report.submitted_at = _now()
    report.submitted_by = actor
    report.save()
    log_operation(
        actor=actor,
        action=actions.REPORT_SAVE,
        target=report.project,
        extra={"report": report.pk, "status": report.status, "late": _today() > report.due_on},
    )
    return report


@transaction.atomic
def report_review(*, actor: Any, report: ProgressReport, accept: bool, comment: str = "") -> ProgressReport:
    """确认 or 退回 a submitted progress report."""
    report = ProgressReport.objects.select_for_update().get(pk=report.pk)
    _lock_project(actor, report.project)
    if report.status != ReportStatus.SUBMITTED:
        raise BusinessError("只有已提交的报告可以审核。", code="bad_transition")
    if not accept and not str(comment or "").strip():
        raise RowErrors({"comment": ["退回时请填写意见。"]})
    report.status = ReportStatus.ACCEPTED if accept else ReportStatus.RETURNED
    report.comment = str(comment or "").strip()[:2000]
    report.save()
    log_operation(
        actor=actor,
        action=actions.REPORT_SAVE,
        target=report.project,
        extra={"report": report.pk, "status": report.status},
    )
    return report


def remind_due_reports(*, today: date | None = None) -> int:
    """Reminders for progress reports (run daily by ``kejiju programs remind``): once within
    ``REMIND_BEFORE_DAYS`` before the due date, then once a week while overdue, to the applicant's
    accounts (in-app, e-mail, SMS). Idempotent through the notification key. Returns how many
    notifications were created."""
    from django.urls import reverse

    from kejiju.core.models import User
    from kejiju.core.notify import notify
    from kejiju.orgs.selectors import organization_member_ids

    today = today or _today()
    due = ProgressReport.objects.filter(
        status__in=(ReportStatus.DUE, ReportStatus.RETURNED),
        due_on__lte=today + timedelta(days=REMIND_BEFORE_DAYS),
        project__status=ProjectStatus.IN_PROGRESS,
    ).select_related("project", "project__organization")
    sent = 0
    for report in due:
        days = (today - report.due_on).days
        if days <= 0:
            key, title = "programs.report:%s:before" % report.pk, "进展报告将于 %s 截止" % report.due_on
        else:
            key = "programs.report:%s:after:%s" % (report.pk, (days - 1) // 7)
            title = "进展报告已逾期 %s 天" % days
        users = User.objects.filter(
            pk__in=organization_member_ids(organization=report.project.organization), is_active=True
        )
        with transaction.atomic():
            created = notify(
                recipients=users,
                title="%s：%s" % (title, report.project.title),
                body="项目“%s”%s（截止 %s），请尽快登录系统提交。"
                % (report.project.title, report.period, report.due_on),
                url=reverse("programs:my_project", args=[report.project_id]),
                category="programs",
                key=key,
                channels=("inapp", "email", "sms"),
            )
            if created:
                log_operation(
                    actor=None,
                    action=actions.REMIND,
                    target=report.project,
                    extra={"report": report.pk, "key": key, "recipients": len(created)},
                )
        sent += len(created)
    return sent


@transaction.atomic
def inspection_create(*, actor: Any, project: Project, data: dict[str, Any]) -> Inspection:
    """中期检查/监理/审计 record with findings; a rectification deadline opens 整改."""
    project = _lock_project(actor, project)
    if project.status not in (ProjectStatus.IN_PROGRESS, ProjectStatus.ACCEPTANCE_APPLIED):
        raise BusinessError("只有执行中的项目可以检查。", code="bad_transition")
    kind = str(data.get("kind") or InspectionKind.MIDTERM)
    if kind not in InspectionKind.values:
        raise RowErrors({"kind": ["检查类型无效。"]})
    day = parse_required_date(data.get("inspected_on"), label="检查日期", field="inspected_on")
    due = parse_date(data.get("rectification_due"), label="整改期限", field="rectification_due", required=False)
    findings = _text(data, "findings", label="检查发现", limit=20000, required=True)
    inspection = Inspection.objects.create(
        project=project,
        kind=kind,
        inspected_on=day,
        findings=findings,
        conclusion=_text(data, "conclusion", label="检查结论", limit=100),
        rectification_due=due,
        status=InspectionStatus.RECTIFYING if due else InspectionStatus.CLOSED,
        created_by=actor,
    )
    log_operation(
        actor=actor,
        action=actions.INSPECTION_SAVE,
        target=project,
        extra={"inspection": inspection.pk, "status": inspection.status},
    )
    if due:
        _notify_applicant(
            project.application, "项目“%s”需整改" % project.title, "整改期限 %s：%s" % (due, findings[:200])
        )
    return inspection


@transaction.atomic
def inspection_rectify(*, actor: Any, inspection: Inspection, text: str) -> Inspection:
    """The applicant reports its rectification (整改情况)."""
    inspection = Inspection.objects.select_for_update().select_related("project").get(pk=inspection.pk)
    if not perms.is_applicant(actor, inspection.project):
        raise _forbid()
    if inspection.status != InspectionStatus.RECTIFYING:
        raise BusinessError("该检查无需整改或已办结。", code="bad_transition")
    if not str(text or "").strip():
        raise RowErrors({"rectification": ["整改情况不能为空。"]})
    inspection.rectification = str(text).strip()[:20000]
    inspection.save()
    log_operation(
        actor=actor,
        action=actions.INSPECTION_SAVE,
        target=inspection.project,
        extra={"inspection": inspection.pk, "rectified": True},
    )
    return inspection


@transaction.atomic
def inspection_close(*, actor: Any, inspection: Inspection) -> Inspection:
    """办结 an inspection after the rectification was reported."""
    inspection = Inspection.objects.select_for_update().get(pk=inspection.pk)
    _lock_project(actor, inspection.project)
    if inspection.status == InspectionStatus.CLOSED:
        raise BusinessError("该检查已办结。", code="bad_transition")
    if not inspection.rectification:
        raise BusinessError("单位尚未报送整改情况。", code="not_rectified")
    inspection.status = InspectionStatus.CLOSED
    inspection.save()
    log_operation(
        actor=actor,
        action=actions.INSPECTION_SAVE,
        target=inspection.project,
        extra={"inspection": inspection.pk, "status": "closed"},
    )
    return inspection


@transaction.atomic
def acceptance_apply(*, actor: Any, project: Project, summary: str, results: list[dict[str, Any]]) -> Acceptance:
    """申请验收 (applicant): the achieved value of every contract target."""
    project = Project.objects.select_for_update().select_related("call").get(pk=project.pk)
    if not perms.is_applicant(actor, project):
        raise _forbid()
    PROJECT_FLOW.check("apply_acceptance", project.status)
    targets = project.contract.targets
    achieved = {str(r.get("name")): str(r.get("achieved") or "").strip() for r in results or [] if isinstance(r, dict)}
    problems = []
    rows = []
    for t in targets:
        value = achieved.get(t["name"], "")
        if not re.fullmatch(r"\d{1,12}(\.\d{1,4})?", value):
            problems.append("请填写指标“%s”的完成值（非负数）。" % t["name"])
            continue
        rows.append({**t, "achieved": value, "met": Decimal(value) >= Decimal(t["value"])})
    if not str(summary or "").strip():
        raise RowErrors({"summary": ["完成情况总结不能为空。"]})
    if problems:
        raise RowErrors({"results": problems})
    acceptance, _ = Acceptance.objects.update_or_create(
        project=project, defaults={"summary": str(summary).strip()[:20000], "results": rows}
    )
    _project_transition(actor, project, "apply_acceptance")
    return acceptance


def _record_acceptance_panel(
    project: Project, score: Decimal | None, opinion: str, extra: dict[str, Any]
) -> Acceptance:
    acceptance = Acceptance.objects.filter(project=project).first()
    if acceptance is None or project.status != ProjectStatus.ACCEPTANCE_APPLIED:
        raise BusinessError("项目尚未申请验收，不能录入验收评审结果。", code="bad_transition")
    acceptance.panel_score, acceptance.panel_opinion = score, opinion
    acceptance.save()
    return acceptance


@transaction.atomic
def acceptance_panel_record(*, actor: Any, project: Project, score: Any, opinion: str) -> Acceptance:
    """录入验收专家组意见 by hand."""
    project = _lock_project(actor, project)
    parsed = _parse_score(score)
    if not str(opinion or "").strip():
        raise RowErrors({"opinion": ["专家组意见不能为空。"]})
    acceptance = _record_acceptance_panel(project, parsed, str(opinion).strip()[:5000], {})
    log_operation(actor=actor, action=actions.ACCEPTANCE_SAVE, target=project, extra={"panel_score": str(parsed)})
    return acceptance


def apply_project_outcome(*, actor: Any, outcome: Any) -> None:
    """The review module's outcome for a project: an acceptance review fills the panel result; an
    inspection review is kept on the latest open inspection."""
    from kejiju.review.sources import split_ref

    _key, pk = split_ref(outcome.ref)
    project = Project.objects.select_for_update().filter(pk=int(pk)).first()
    if project is None:
        raise BusinessError("项目不存在。", code="not_found")
    score = outcome.score_trimmed if outcome.score_trimmed is not None else outcome.score_mean
    result = {
        "batch_id": outcome.batch_id,
        "batch": outcome.batch_title,
        "score": str(score) if score is not None else None,
        "opinions": list(outcome.opinions),
        "recommendation": outcome.recommendation,
    }
    if outcome.kind == "inspection":
        inspection = (
            project.inspections.exclude(status=InspectionStatus.CLOSED).order_by("-inspected_on").first()
            or project.inspections.order_by("-inspected_on").first()
        )
        if inspection is None:
            raise BusinessError("项目没有检查记录。", code="bad_transition")
        inspection.review_result = result
        inspection.save(update_fields=["review_result", "updated_at"])
    else:
        _record_acceptance_panel(project, score, "\n".join(outcome.opinions)[:5000], result)
    log_operation(actor=actor, action=actions.ACCEPTANCE_SAVE, target=project, extra={"review": result})


def acceptance_certificate_payload(project: Project, acceptance: Acceptance) -> dict[str, Any]:
    from kejiju.core.models import Region

    issuer = "%s科学技术局" % Region.objects.get(code=project.call.region_id).name
    rows = [["考核指标", "单位", "目标值", "完成值", "是否完成"]]
    rows += [
        [r["name"], r.get("unit", ""), r["value"], r["achieved"], "是" if r.get("met") else "否"]
        for r in acceptance.results
    ]
    return {
        "issuer": issuer,
        "title": "%s项目验收证书" % project.title,
        "addressee": project.organization.name,
        "body": [
            {
                "type": "paragraph",
                "text": "项目编号：%s；承担单位：%s；立项资助：%s 元。"
                % (project.number, project.organization.name, project.approved_amount),
            },
            {"type": "table", "rows": rows},
            {"type": "paragraph", "text": "专家组意见：%s" % (acceptance.panel_opinion or "无")},
            {
                "type": "paragraph",
                "text": "验收结论：%s。%s" % (acceptance.get_decision_display(), acceptance.conditions),
            },
        ],
        "date": (acceptance.decided_on or _today()).isoformat(),
        "seal": True,
    }


_DECISION_ACTIONS: dict[str, str] = {
    AcceptanceDecision.PASS: "accept",
    AcceptanceDecision.CONDITIONAL: "accept_conditional",
    AcceptanceDecision.FAIL: "fail",
    AcceptanceDecision.TERMINATE: "terminate",
}


@transaction.atomic
def acceptance_decide(*, actor: Any, project: Project, decision: str, decided_on: Any, reason: str = "") -> Acceptance:
    """验收结论: pass, pass with conditions (``reason`` = the conditions), fail or terminate. Passing
    generates the acceptance certificate (``source="programs.acceptance:<id>"``)."""
    from kejiju.reports.services import document_issue

    project = _lock_project(actor, project)
    if decision not in _DECISION_ACTIONS:
        raise RowErrors({"decision": ["验收结论无效。"]})
    acceptance = Acceptance.objects.filter(project=project).first()
    if acceptance is None:
        raise BusinessError("项目尚未申请验收。", code="bad_transition")
    if acceptance.panel_opinion == "" and decision in (AcceptanceDecision.PASS, AcceptanceDecision.CONDITIONAL):
        raise BusinessError("请先录入验收专家组意见。", code="no_panel")
    day = parse_date(decided_on, label="验收日期", field="decided_on")
    acceptance.decision, acceptance.decided_on = decision, day
    acceptance.conditions = str(reason or "").strip()[:2000] if decision == AcceptanceDecision.CONDITIONAL else ""
    project.closed_on = day
    _project_transition(actor, project, _DECISION_ACTIONS[decision], reason, update_fields=("closed_on",))
    acceptance.save()
    if decision in (AcceptanceDecision.PASS, AcceptanceDecision.CONDITIONAL):
        document = document_issue(
            actor=actor,
            data=acceptance_certificate_payload(project, acceptance),
            region=project.call.region_id,
            source="programs.acceptance:%s" % acceptance.pk,
        )
        acceptance.certificate_document_id = document.pk
        acceptance.save(update_fields=["certificate_document_id", "updated_at"])
    log_operation(actor=actor, action=actions.ACCEPTANCE_SAVE, target=project, extra={"decision": decision})
    return acceptance


@transaction.atomic
def project_terminate(*, actor: Any, project: Project, reason: str) -> Project:
    """终止 a project before acceptance (reason required)."""
    project = _lock_project(actor, project)
    project.closed_on = _today()
    _project_transition(actor, project, "terminate", reason, update_fields=("closed_on",))
    return project


# ---------------------------------------------------------------------------------------------- performance

DEFAULT_TEMPLATE_ITEMS = [
    {"key": "targets", "label": "目标完成情况", "max": 40},
    {"key": "funds", "label": "资金使用与管理", "max": 20},
    {"key": "outputs", "label": "成果产出（专利、产品）", "max": 20},
    {"key": "benefits", "label": "经济社会效益（营收、就业、培训）", "max": 20},
]
OUTPUT_KEYS = {
    "patents": "专利（件）",
    "products": "新产品（个）",
    "revenue": "新增营收（万元）",
    "jobs": "新增就业（人）",
    "trainees": "培训人次",
}


def grade_of(total: Decimal) -> str:
    if total >= 90:
        return "优秀"
    if total >= 75:
        return "良好"
    if total >= 60:
        return "合格"
    return "不合格"


@transaction.atomic
def performance_template_save(*, actor: Any, name: str, items: list[dict[str, Any]]) -> PerformanceTemplate:
    """A scoring template: items with keys, labels and maxima adding up to 100."""
    if not actor.has_perm("programs.add_performancetemplate"):
        raise _forbid()
    problems = []
    keys = set()
    for i, item in enumerate(items or [], start=1):
        if (
            not isinstance(item, dict)
            or not FIELD_KEY_RE.match(str(item.get("key") or ""))
            or not str(item.get("label") or "").strip()
        ):
            problems.append("第 %s 个评分项缺少标识或名称。" % i)
            continue
        if item["key"] in keys:
            problems.append("评分项“%s”重复。" % item["key"])
        keys.add(item["key"])
        if not isinstance(item.get("max"), int) or item["max"] <= 0:
            problems.append("评分项“%s”的满分应为正整数。" % item.get("label"))
    if not problems and sum(int(i["max"]) for i in items) != 100:
        problems.append("各评分项满分之和应为 100。")
    if not str(name or "").strip():
        raise RowErrors({"name": ["名称不能为空。"]})
    if problems or not items:
        raise RowErrors({"items": problems or ["请至少定义一个评分项。"]})
    template, _ = PerformanceTemplate.objects.update_or_create(name=str(name).strip()[:100], defaults={"items": items})
    return template


def default_template() -> PerformanceTemplate:
    template, _ = PerformanceTemplate.objects.get_or_create(
        name="科技计划项目绩效评价（通用）", defaults={"items": DEFAULT_TEMPLATE_ITEMS}
    )
    return template


@transaction.atomic
def performance_review_create(
    *,
    actor: Any,
    project: Project,
    template: PerformanceTemplate,
    scores: dict[str, Any],
    outputs: dict[str, Any],
    funds_used: Any,
    reviewed_on: Any,
    opinion: str = "",
) -> PerformanceReview:
    """绩效评价 by the template: each item scored within its maximum; the total and grade follow."""
    project = _lock_project(actor, project)
    if project.status == ProjectStatus.PENDING_CONTRACT:
        raise BusinessError("项目尚未执行，不能开展绩效评价。", code="bad_transition")
    problems: dict[str, list[str]] = {}
    clean: dict[str, str] = {}
    total = Decimal("0")
    for item in template.items:
        raw = (scores or {}).get(item["key"])
        try:
            value = Decimal(str(raw).strip())
            if not value.is_finite() or not 0 <= value <= item["max"] or value.as_tuple().exponent < -1:  # type: ignore[operator]
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            problems.setdefault("scores", []).append(
                "“%s”得分“%s”应在 0—%s 之间（最多一位小数）。"
                % (item["label"], raw if raw is not None else "", item["max"])
            )
            continue
        clean[item["key"]] = str(value)
        total += value
    out: dict[str, str] = {}
    for key, label in OUTPUT_KEYS.items():
        v = str((outputs or {}).get(key) or "0").strip()
        if not re.fullmatch(r"\d{1,12}(\.\d{1,2})?", v):
            problems.setdefault("outputs", []).append("%s“%s”应为非负数。" % (label, v))
        out[key] = v
    try:
        used = parse_money(funds_used, label="经费使用", field="funds_used") or Decimal("0")
        if used > paid_total(project):
            problems.setdefault("funds_used", []).append(
                "经费使用 %s 元超过已拨付 %s 元。" % (used, paid_total(project))
            )
        day = parse_required_date(reviewed_on, label="评价日期", field="reviewed_on")
    except RowErrors as exc:
        _merge(problems, exc)
    if problems:
        raise RowErrors(problems)
    review = PerformanceReview.objects.create(
        project=project,
        template=template,
        reviewed_on=day,
        outputs=out,
        funds_used=used,
        scores=clean,
        total=total,
        grade=grade_of(total),
        opinion=str(opinion or "")[:5000],
        created_by=actor,
    )
    log_operation(
        actor=actor, action=actions.PERFORMANCE_SAVE, target=project, extra={"review": review.pk, "total": str(total)}
    )
    return review

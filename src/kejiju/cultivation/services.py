"""Writes of enterprise cultivation (house rule 1): the pipeline (培育库), R&D reserve filings and subsidies.

Other modules use two of these as a stable API: :func:`subsidy_policy_ensure` and
:func:`subsidy_award_create` (patent subsidies, platform recognition rewards …).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction

from kejiju.core.audit import log_operation
from kejiju.core.errors import BusinessError, RowErrors
from kejiju.core.history import acting
from kejiju.core.permissions import can_act
from kejiju.core.workflow import apply_transition
from kejiju.cultivation import actions, gaps
from kejiju.cultivation.choices import AwardStatus, FilingStatus, Stage
from kejiju.cultivation.models import (
    PipelineEntry,
    PipelineTransition,
    RdReserveFiling,
    RdReserveFilingTransition,
    SubsidyAward,
    SubsidyAwardTransition,
    SubsidyPolicy,
    SubsidyPolicyVersion,
)
from kejiju.cultivation.workflows import AWARD, FILING, PIPELINE
from kejiju.engines import subsidy
from kejiju.engines.tech_sme import InputError

HNTE_VALID_YEARS = 3
MIN_YEAR, MAX_YEAR = 2000, 2100


def _check_perm(actor: Any, perm: str, obj: Any = None) -> None:
    """``actor`` None is the system (commands, demo); a user needs ``perm`` within the record's region."""
    if actor is not None and not can_act(actor, perm, obj):
        raise BusinessError("您没有该操作的权限。", code="forbidden")


def check_year(year: Any, fld: str = "year") -> int:
    """A year between 2000 and 2100 (an int or a string of four digits)."""
    if isinstance(year, bool):
        raise BusinessError("年度应为四位数字。", code="invalid", field=fld)
    try:
        value = int(str(year).strip())
    except (TypeError, ValueError):
        raise BusinessError("年度“%(y)s”应为四位数字。" % {"y": year}, code="invalid", field=fld) from None
    if not MIN_YEAR <= value <= MAX_YEAR:
        raise BusinessError("年度应在 %d 至 %d 之间。" % (MIN_YEAR, MAX_YEAR), code="invalid", field=fld)
    return value


def parse_money(value: Any, fld: str, label: str) -> Decimal:
    """Yuan with at most two decimals, not negative, no exponent (``1e5`` is refused)."""
    text = str(value if value is not None else "").strip().replace(",", "")
    if not text:
        raise BusinessError("请填写%(l)s。" % {"l": label}, code="required", field=fld)
    if not re.fullmatch(r"\d{1,12}(\.\d+)?", text):
        raise BusinessError("%(l)s“%(v)s”不是有效的金额。" % {"l": label, "v": value}, code="invalid", field=fld)
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise BusinessError(
            "%(l)s“%(v)s”不是有效的金额。" % {"l": label, "v": value}, code="invalid", field=fld
        ) from None
    if amount != amount.quantize(Decimal("0.01")):
        raise BusinessError("%(l)s最多保留两位小数（分）。" % {"l": label}, code="invalid", field=fld)
    return amount.quantize(Decimal("0.01"))


def _engine_errors(exc: InputError) -> RowErrors:
    errors: dict[str, list[str]] = {}
    for p in exc.problems:
        key = p.field.split("（", 1)[0]
        errors.setdefault(key, []).append("%s：%s" % (p.field, p.message))
    return RowErrors(errors)


# ------------------------------------------------------------------------------------------ pipeline


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


@transaction.atomic
def pipeline_entry_create(
    *, actor: Any, organization: Any, year: Any, tech_sme_input: dict[str, Any], note: str = ""
) -> PipelineEntry:
    """Put an enterprise into the pipeline for a year with its 科技型中小企业 self-evaluation (the engine's
    result and rule version are stored). One entry per enterprise and year (``BusinessError``);
    bad figures raise :class:`RowErrors` naming each field; nothing is stored then."""
    _check_perm(actor, "cultivation.add_pipelineentry", organization)
    year = check_year(year)
    if PipelineEntry.objects.filter(organization=organization, year=year).exists():
        raise BusinessError(
            "“%(o)s”已在 %(y)d 年培育库中。" % {"o": organization, "y": year}, code="duplicate", field="year"
        )
    raw = {**tech_sme_input, "id": tech_sme_input.get("id") or organization.credit_code}
    try:
        result, missing = gaps.evaluate_tech_sme(raw)
    except InputError as exc:
        raise _engine_errors(exc) from None
    entry = PipelineEntry(
        organization=organization,
        region_id=organization.region_id,
        year=year,
        tech_sme_input=raw,
        tech_sme_result={**result, "gaps": missing},
        tech_sme_rule_version=result["rule_version"],
        tech_sme_passed=bool(result["passed"]),
        tech_sme_score=int(result["scores"]["total"]),
        note=note.strip()[:200],
    )
    with acting(actor):
        entry.save()
    PipelineTransition.objects.create(
        entry=entry, from_status="", to_status=entry.stage, action="create", actor=_user(actor)
    )
    log_operation(
        actor=actor,
        action=actions.ENTRY_CREATE,
        target=entry,
        extra={"organization": organization.pk, "year": year, "passed": entry.tech_sme_passed},
    )
    return entry


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


def _lock_entry(entry: PipelineEntry) -> PipelineEntry:
    return PipelineEntry.objects.select_for_update().select_related("organization").get(pk=entry.pk)


def _run_hnte(entry: PipelineEntry, hnte_input: dict[str, Any]) -> None:
    raw = {**hnte_input, "id": hnte_input.get("id") or entry.organization.credit_code}
    try:
        result, missing = gaps.evaluate_hnte(raw)
    except InputError as exc:
        raise _engine_errors(exc) from None
    entry.hnte_input = raw
    entry.hnte_result = result
    entry.hnte_rule_version = result["rule_version"]
    entry.hnte_gaps = missing
    entry.gap_count = sum(1 for v in result["conditions"].values() if v == "not_met")
    entry.innovation_min = int(result["innovation"]["min"])
    entry.innovation_max = int(result["innovation"]["max"])


HNTE_FIELDS = [
    "hnte_input",
    "hnte_result",
    "hnte_rule_version",
    "hnte_gaps",
    "gap_count",
    "innovation_min",
    "innovation_max",
]


@transaction.atomic
def pipeline_entry_transition(
    *,
    actor: Any,
    entry: PipelineEntry,
    action: str,
    reason: str = "",
    number: str = "",
    on: date | None = None,
    hnte_input: dict[str, Any] | None = None,
    certificate_no: str = "",
) -> PipelineEntry:
    """Move an entry along the pipeline (graph in :mod:`kejiju.cultivation.workflows`):

    * ``register`` — 科小入库: needs ``number`` (the 入库登记编号) and the evaluation passed;
    * ``reserve`` — 高企后备: runs the 高企 engine on ``hnte_input`` and stores the gap analysis with its rule
      version;
    * ``apply`` — application date ``on``;
    * ``recognise`` — ``certificate_no`` and date ``on``: valid three years; also recorded as the
      organization's 高企 qualification (``orgs.qualification_save``) so the registry counts it;
    * ``reject`` / ``lapse`` — with a reason.

    Raises ``BusinessError`` (wrong stage, missing data, no permission), changing nothing."""
    locked = _lock_entry(entry)
    _check_perm(actor, "cultivation.change_pipelineentry", locked)
    PIPELINE.check(action, locked.stage, reason)
    today = date.today()
    update: list[str] = []
    extra: dict[str, Any] = {}
    if action == "register":
        number = (number or "").strip()
        if not number:
            raise BusinessError("请填写科技型中小企业入库登记编号。", code="required", field="number")
        if len(number) > 40:
            raise BusinessError("入库登记编号不能超过 40 个字符。", code="invalid", field="number")
        if not locked.tech_sme_passed:
            raise BusinessError("科技型中小企业自评未通过，不能登记入库。", code="not_passed")
        if PipelineEntry.objects.filter(tech_sme_number=number).exclude(pk=locked.pk).exists():
            raise BusinessError("入库登记编号“%(n)s”已被使用。" % {"n": number}, code="duplicate", field="number")
        locked.tech_sme_number, locked.registered_on = number, on or today
        update += ["tech_sme_number", "registered_on"]
        extra["number"] = number
    elif action == "reserve":
        if not hnte_input:
            raise BusinessError("请填写高企测算数据以生成差距分析。", code="required", field="hnte_input")
        _run_hnte(locked, hnte_input)
        update += HNTE_FIELDS
        extra["gap_count"] = locked.gap_count
    elif action == "apply":
        locked.applied_on = on or today
        if locked.applied_on > today:
            raise BusinessError("申报日期不能晚于今天。", code="invalid", field="on")
        update.append("applied_on")
    elif action == "recognise":
        certificate_no = (certificate_no or "").strip()
        if not certificate_no:
            raise BusinessError("请填写高企证书编号。", code="required", field="certificate_no")
        if on is None:
            raise BusinessError("请填写认定（发证）日期。", code="required", field="on")
        if on > today:
            raise BusinessError("认定日期不能晚于今天。", code="invalid", field="on")
        expires = _add_years(on, HNTE_VALID_YEARS) - timedelta(days=1)
        from kejiju.orgs.services import qualification_save

        qualification = qualification_save(
            actor=actor,
            organization=locked.organization,
            kind="hnte",
            issued_on=on,
            expires_on=expires,
            certificate_no=certificate_no,
            level="national",
            note="培育库 %d 年" % locked.year,
        )
        locked.certificate_no, locked.recognised_on, locked.expires_on = certificate_no, on, expires
        locked.qualification_id = qualification.pk
        update += ["certificate_no", "recognised_on", "expires_on", "qualification_id"]
        extra.update(certificate_no=certificate_no, expires_on=expires.isoformat())
    apply_transition(
        obj=locked,
        workflow=PIPELINE,
        action=action,
        actor=actor,
        transition_model=PipelineTransition,
        fk_name="entry",
        reason=reason,
        extra=extra,
        status_field="stage",
        update_fields=update,
    )
    log_operation(
        actor=actor,
        action=actions.ENTRY_TRANSITION,
        target=locked,
        extra={"organization": locked.organization_id, "action": action, "stage": locked.stage, **extra},
    )
    return locked


@transaction.atomic
def pipeline_entry_analyse(*, actor: Any, entry: PipelineEntry, hnte_input: dict[str, Any]) -> PipelineEntry:
    """Re-run the 高企 gap analysis of an entry in 后备 or 申报 with new figures (stores result + version)."""
    locked = _lock_entry(entry)
    _check_perm(actor, "cultivation.change_pipelineentry", locked)
    if locked.stage not in (Stage.REGISTERED, Stage.RESERVE, Stage.APPLIED):
        raise BusinessError("当前阶段不能做高企差距分析。", code="bad_stage")
    _run_hnte(locked, hnte_input)
    with acting(actor):
        locked.save(update_fields=[*HNTE_FIELDS, "updated_at"])
    log_operation(
        actor=actor,
        action=actions.ENTRY_TRANSITION,
        target=locked,
        extra={"organization": locked.organization_id, "action": "analyse", "gap_count": locked.gap_count},
    )
    return locked


#: Days before expiry at which a reminder goes out (one notification per threshold).
REMIND_AT = (90, 30)


@dataclass
class RemindResult:
    reminded: int = 0
    lapsed: int = 0


@transaction.atomic
def pipeline_remind(*, actor: Any = None, today: date | None = None) -> RemindResult:
    """Renewal reminders (重新认定提醒): each recognised entry whose certificate expires within 90 (then
    30) days notifies the enterprise's accounts and the bureau staff of its region, once per threshold
    (idempotent keys); an entry past its expiry is moved to 已失效 (``lapse``) by the system."""
    from kejiju.core.models import User
    from kejiju.core.notify import notify
    from kejiju.orgs.selectors import organization_member_ids

    today = today or date.today()
    result = RemindResult()
    entries = PipelineEntry.objects.filter(stage=Stage.RECOGNISED, expires_on__isnull=False).select_related(
        "organization"
    )
    for entry in entries.filter(expires_on__lt=today):
        pipeline_entry_transition(actor=actor, entry=entry, action="lapse", reason="证书有效期已满（系统自动登记）")
        result.lapsed += 1
    for entry in entries.filter(expires_on__gte=today, expires_on__lte=today + timedelta(days=max(REMIND_AT))):
        assert entry.expires_on is not None
        left = (entry.expires_on - today).days
        threshold = min(t for t in REMIND_AT if left <= t)
        members = list(User.objects.filter(pk__in=organization_member_ids(organization=entry.organization)))
        staff = [
            u
            for u in User.objects.filter(is_active=True, role="bureau_staff")
            if u.region_id and entry.region_id.startswith(u.region_id)
        ]
        created = notify(
            recipients=members + staff,
            title="高新技术企业证书将于 %s 到期" % entry.expires_on.isoformat(),
            body="“%s”的高企证书（%s）还有 %d 天到期，请及时准备重新认定。"
            % (entry.organization, entry.certificate_no, left),
            url="/cultivation/pipeline/%d/" % entry.pk,
            category="cultivation",
            key="cultivation.hnte_expiry:%d:%s:%d" % (entry.pk, entry.expires_on.isoformat(), threshold),
            channels=("inapp", "sms"),
        )
        if created:
            result.reminded += 1
            log_operation(
                actor=actor,
                action=actions.ENTRY_REMIND,
                target=entry,
                extra={"organization": entry.organization_id, "days_left": left, "recipients": len(created)},
            )
    return result


# ------------------------------------------------------------------------------------------ R&D reserve filings


@transaction.atomic
def rd_filing_save(
    *,
    actor: Any,
    organization: Any,
    year: Any,
    reserve_amount: Any,
    rd_expense: Any,
    contact_person: str = "",
    note: str = "",
    attachments: list[Any] | None = None,
    filing: RdReserveFiling | None = None,
) -> RdReserveFiling:
    """Record (or correct, while not yet filed) an enterprise's R&D reserve filing for a year. One filing
    per enterprise and year; amounts in yuan (two decimals, not negative). A returned filing corrected
    here goes back to 待审核."""
    if filing is None:
        _check_perm(actor, "cultivation.add_rdreservefiling", organization)
    else:
        filing = RdReserveFiling.objects.select_for_update().get(pk=filing.pk)
        _check_perm(actor, "cultivation.change_rdreservefiling", filing)
        if filing.status == FilingStatus.FILED:
            raise BusinessError("已备案的记录不能修改。", code="filed")
        organization = filing.organization
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    for fld, value, label in (
        ("year", year, "年度"),
        ("reserve_amount", reserve_amount, "计提研发准备金"),
        ("rd_expense", rd_expense, "实际研发投入"),
    ):
        try:
            values[fld] = check_year(value) if fld == "year" else parse_money(value, fld, label)
        except BusinessError as exc:
            errors.setdefault(fld, []).append(exc.message)
    if len((contact_person or "").strip()) > 40:
        errors.setdefault("contact_person", []).append("联系人不能超过 40 个字。")
    if "year" in values:
        clash = RdReserveFiling.objects.filter(organization=organization, year=values["year"])
        if filing is not None:
            clash = clash.exclude(pk=filing.pk)
        if clash.exists():
            errors.setdefault("year", []).append("该企业 %d 年已有研发准备金备案。" % values["year"])
    if errors:
        raise RowErrors(errors)
    obj = filing or RdReserveFiling(organization=organization, region_id=organization.region_id)
    obj.year = values["year"]
    obj.reserve_amount, obj.rd_expense = values["reserve_amount"], values["rd_expense"]
    obj.contact_person, obj.note = (contact_person or "").strip(), (note or "").strip()[:200]
    with acting(actor):
        obj.save()
    if attachments:
        obj.attachments.add(*attachments)
    if filing is not None and filing.status == FilingStatus.RETURNED:
        apply_transition(
            obj=obj,
            workflow=FILING,
            action="resubmit",
            actor=actor,
            transition_model=RdReserveFilingTransition,
            fk_name="filing",
        )
    log_operation(
        actor=actor,
        action=actions.FILING_SAVE,
        target=obj,
        extra={"organization": organization.pk, "year": obj.year, "reserve_amount": str(obj.reserve_amount)},
    )
    return obj


@transaction.atomic
def rd_filing_transition(*, actor: Any, filing: RdReserveFiling, action: str, reason: str = "") -> RdReserveFiling:
    """Review a filing: ``file`` (审核通过, records the filing date) or ``return`` (with a reason)."""
    locked = RdReserveFiling.objects.select_for_update().get(pk=filing.pk)
    _check_perm(actor, "cultivation.review_rdreservefiling", locked)
    update: list[str] = []
    if action == "file":
        locked.filed_on = date.today()
        update.append("filed_on")
    apply_transition(
        obj=locked,
        workflow=FILING,
        action=action,
        actor=actor,
        transition_model=RdReserveFilingTransition,
        fk_name="filing",
        reason=reason,
        update_fields=update,
    )
    log_operation(
        actor=actor,
        action=actions.FILING_TRANSITION,
        target=locked,
        extra={"organization": locked.organization_id, "action": action, "status": locked.status},
    )
    return locked


# ------------------------------------------------------------------------------------------ subsidies


def _policy_text(code: str, name: str) -> tuple[str, str]:
    code, name = (code or "").strip(), (name or "").strip()
    if not re.fullmatch(r"[A-Za-z0-9_.\-]{1,40}", code):
        raise BusinessError("政策代码应为 1–40 位字母、数字、下划线、点或连字符。", code="invalid", field="code")
    if not name or len(name) > 100:
        raise BusinessError("政策名称不能为空，且不超过 100 个字。", code="invalid", field="name")
    return code, name


@transaction.atomic
def subsidy_policy_ensure(
    *, actor: Any, code: str, name: str, kind: str, params: dict[str, Any], effective_from: date
) -> SubsidyPolicyVersion:
    """The policy ``code`` with a version effective from ``effective_from`` having this formula: created
    when missing (policy and/or version), returned as is when identical (idempotent). A version on the
    same date with a different formula is refused — a change of rule is a new version with a new date.
    Raises ``BusinessError`` for a bad code, name, kind or params (field named)."""
    code, name = _policy_text(code, name)
    if not isinstance(effective_from, date):
        raise BusinessError("请填写生效日期。", code="required", field="effective_from")
    try:
        normal = subsidy.validate_params(kind, params)
    except subsidy.SubsidyError as exc:
        raise BusinessError(exc.message, code="invalid", field=exc.field) from None
    policy = SubsidyPolicy.objects.select_for_update().filter(code=code).first()
    version = (
        SubsidyPolicyVersion.objects.filter(policy=policy, effective_from=effective_from).first() if policy else None
    )
    if version is not None:
        if version.kind == kind and version.params == normal:
            return version
        raise BusinessError(
            "政策“%(c)s”在 %(d)s 已有不同的计算规则；修改规则请另设新的生效日期。"
            % {"c": code, "d": effective_from.isoformat()},
            code="conflict",
            field="effective_from",
        )
    if actor is not None and not actor.has_perm("cultivation.manage_subsidypolicy"):
        raise BusinessError("您没有维护奖补政策的权限。", code="forbidden")
    with acting(actor):
        if policy is None:
            policy = SubsidyPolicy.objects.create(code=code, name=name)
        version = SubsidyPolicyVersion.objects.create(
            policy=policy, effective_from=effective_from, kind=kind, params=normal
        )
    log_operation(
        actor=actor,
        action=actions.POLICY_SAVE,
        target=policy,
        region=getattr(actor, "region_id", None),
        extra={"code": code, "effective_from": effective_from.isoformat(), "kind": kind, "params": normal},
    )
    return version


def subsidy_version_for(*, policy_code: str, year: int) -> SubsidyPolicyVersion | None:
    """The version in force for ``year``: the latest one effective on or before 31 December of it."""
    return (
        SubsidyPolicyVersion.objects.filter(
            policy__code=policy_code, policy__is_active=True, effective_from__lte=date(year, 12, 31)
        )
        .select_related("policy")
        .order_by("-effective_from")
        .first()
    )


#: Descriptive keys a per-unit hand-off may carry next to its ``counts`` (the IP register sends the IP type
#: and number of the patent); they are not part of the formula.
_PER_UNIT_CONTEXT = {"ip_type", "number"}


def _formula_inputs(kind: str, inputs: dict[str, Any]) -> Any:
    """The inputs the formula reads. A per-unit hand-off ``{"counts": {unit: n}, "ip_type": …, "number": …}``
    (the IP register's 专利资助 request) is read as its ``counts``; any other shape goes to the formula as is."""
    if kind == "per_unit" and "counts" in inputs and set(inputs) - {"counts"} <= _PER_UNIT_CONTEXT:
        return inputs["counts"]
    return inputs


@transaction.atomic
def subsidy_award_create(
    *,
    actor: Any,
    policy_code: str,
    organization: Any,
    year: Any,
    inputs: dict[str, Any],
    source: str = "",
    person: Any = None,
) -> SubsidyAward:
    """Calculate a subsidy for ``organization`` (and optionally ``person``) for ``year`` with the policy
    version in force for that year; stores the inputs (normalised), the version, the explanation and the
    amount, status 已测算. With a ``source`` (e.g. ``"orgs.ip:12"``) the same source under the same policy
    is calculated once: a second call returns the existing, not rejected award. Raises ``BusinessError``
    with a Chinese reason when no policy or version applies or the inputs are bad (``field`` =
    ``inputs.<key>``); nothing is stored then."""
    _check_perm(actor, "cultivation.add_subsidyaward", organization)
    year = check_year(year)
    source = (source or "").strip()
    if len(source) > 80:
        raise BusinessError("来源记录标识不能超过 80 个字符。", code="invalid", field="source")
    if not SubsidyPolicy.objects.filter(code=policy_code).exists():
        raise BusinessError("奖补政策“%(c)s”不存在。" % {"c": policy_code}, code="no_policy", field="policy_code")
    version = subsidy_version_for(policy_code=policy_code, year=year)
    if version is None:
        raise BusinessError(
            "奖补政策“%(c)s”在 %(y)d 年没有生效的版本。" % {"c": policy_code, "y": year},
            code="no_version",
            field="year",
        )
    if not isinstance(inputs, dict):
        raise BusinessError("测算依据应为键值表。", code="invalid", field="inputs")
    if source:
        existing = (
            SubsidyAward.objects.filter(
                policy_version__policy=version.policy, organization=organization, source=source, person=person
            )
            .exclude(status=AwardStatus.REJECTED)
            .first()
        )
        if existing is not None:
            return existing
    try:
        calc = subsidy.calculate(version.kind, version.params, _formula_inputs(version.kind, inputs))
    except subsidy.SubsidyError as exc:
        raise BusinessError(exc.message, code="invalid", field=exc.field) from None
    award = SubsidyAward(
        organization=organization,
        region_id=organization.region_id,
        person=person,
        year=year,
        policy_version=version,
        inputs=calc.inputs,
        explanation=calc.explanation,
        amount=calc.amount,
        source=source,
    )
    with acting(actor):
        award.save()
    SubsidyAwardTransition.objects.create(
        award=award, from_status="", to_status=award.status, action="create", actor=_user(actor)
    )
    log_operation(
        actor=actor,
        action=actions.AWARD_CREATE,
        target=award,
        extra={
            "organization": organization.pk,
            "policy": version.policy.code,
            "version": version.pk,
            "amount": str(award.amount),
            "source": source,
        },
    )
    return award


_AWARD_PERMS = {
    "approve": "cultivation.approve_subsidyaward",
    "publicize": "cultivation.approve_subsidyaward",
    "reject": "cultivation.approve_subsidyaward",
    "pay": "cultivation.pay_subsidyaward",
}


@transaction.atomic
def subsidy_award_transition(
    *,
    actor: Any,
    award: SubsidyAward,
    action: str,
    reason: str = "",
    paid_on: date | None = None,
    voucher_no: str = "",
) -> SubsidyAward:
    """Approve, publicize, pay (date and voucher number; into the payment ledger) or reject an award.
    Raises ``BusinessError`` for a wrong status, a missing reason, date or voucher, or no permission."""
    locked = SubsidyAward.objects.select_for_update().get(pk=award.pk)
    _check_perm(actor, _AWARD_PERMS.get(action, "cultivation.approve_subsidyaward"), locked)
    AWARD.check(action, locked.status, reason)
    update: list[str] = []
    extra: dict[str, Any] = {}
    if action == "pay":
        voucher_no = (voucher_no or "").strip()
        if paid_on is None:
            raise BusinessError("请填写拨付日期。", code="required", field="paid_on")
        if paid_on > date.today():
            raise BusinessError("拨付日期不能晚于今天。", code="invalid", field="paid_on")
        if not voucher_no or len(voucher_no) > 60:
            raise BusinessError("请填写拨付凭证号（不超过 60 个字符）。", code="required", field="voucher_no")
        locked.paid_on, locked.voucher_no = paid_on, voucher_no
        update += ["paid_on", "voucher_no"]
        extra = {"paid_on": paid_on.isoformat(), "voucher_no": voucher_no}
    apply_transition(
        obj=locked,
        workflow=AWARD,
        action=action,
        actor=actor,
        transition_model=SubsidyAwardTransition,
        fk_name="award",
        reason=reason,
        extra=extra,
        update_fields=update,
    )
    log_operation(
        actor=actor,
        action=actions.AWARD_TRANSITION,
        target=locked,
        extra={"organization": locked.organization_id, "action": action, "amount": str(locked.amount), **extra},
    )
    return locked


def log_batch_evaluation(*, actor: Any, engine: str, rows: int, errors: int) -> None:
    """Audit a batch run of the evaluation tools (nothing else is stored)."""
    log_operation(
        actor=actor,
        action=actions.BATCH_EVALUATE,
        region=getattr(actor, "region_id", None),
        extra={"engine": engine, "rows": rows, "errors": errors},
    )


def log_self_assessment(*, actor: Any, organization: Any, engine: str, passed: Any) -> None:
    """Audit a self-assessment (the figures are not stored)."""
    log_operation(
        actor=actor,
        action=actions.SELF_ASSESS,
        target=organization,
        extra={"organization": organization.pk, "engine": engine, "passed": passed},
    )

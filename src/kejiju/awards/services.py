"""Writes of S&T awards (house rules 1, 4, 5).

Programme and cycle set-up (:func:`programme_save`, :func:`cycle_save`), the cycle's steps
(:func:`cycle_step`: open → close nominations → review → decide → publicize → close and grant),
nominations by organizations (:func:`nomination_save`, :func:`nomination_step`), review results from the
review module or entered by hand (:func:`nomination_review_result`), grades within quotas
(:func:`grade_set`), publicity objections (:func:`objection_file`, :func:`objection_resolve`),
certificates issued as documents on granting, the prize ledger (:func:`prize_pay`) and higher-level
awards (:func:`higher_award_save`). All money is exact (Decimal, two places).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from kejiju.awards import actions
from kejiju.awards.choices import CYCLE_FLOW, NOMINATION_FLOW, CycleStatus, NominationStatus
from kejiju.awards.models import (
    AwardCycle,
    AwardProgramme,
    CycleTransition,
    HigherAward,
    Nomination,
    NominationMember,
    NominationTransition,
    Objection,
    PrizePayment,
)
from kejiju.awards.permissions import can_edit_nomination, can_manage_awards, can_nominate_for
from kejiju.core.audit import log_operation
from kejiju.core.errors import BusinessError, RowErrors
from kejiju.core.history import acting
from kejiju.core.models import Region
from kejiju.core.permissions import can_manage_region
from kejiju.core.workflow import apply_transition
from kejiju.people.services import person_ensure

CENT = Decimal("0.01")


def money(value: Any, *, field: str, label: str) -> Decimal:
    """Exact yuan with at most two decimals, not negative; ``RowErrors`` on ``field`` otherwise."""
    if isinstance(value, float):
        value = repr(value)
    try:
        text = str(value).strip()
        if not text or "e" in text.lower():
            raise InvalidOperation
        amount = Decimal(text)
    except (InvalidOperation, ValueError):
        raise RowErrors({field: [f"{label}“{value}”不是有效的金额。"]}) from None
    if not amount.is_finite() or amount < 0:
        raise RowErrors({field: [f"{label}不能为负数。"]})
    if amount != amount.quantize(CENT):
        raise RowErrors({field: [f"{label}最多保留两位小数（分）。"]})
    return amount.quantize(CENT)


def _forbid(message: str) -> BusinessError:
    return BusinessError(message, code="forbidden")


# ------------------------------------------------------------------------------------------ set-up


def clean_grades(raw: Any) -> list[dict[str, Any]]:
    if not isinstance(raw, list) or not raw:
        raise RowErrors({"grades": ["至少设置一个奖励等级。"]})
    cleaned: list[dict[str, Any]] = []
    errors: list[str] = []
    for n, item in enumerate(raw, start=1):
        grade = str((item or {}).get("grade") or "").strip() if isinstance(item, dict) else ""
        if not grade or any(g["grade"] == grade for g in cleaned):
            errors.append(f"第{n}个等级的名称为空或重复。")
            continue
        try:
            prize = money(item.get("prize", 0), field="grades", label=f"“{grade}”的奖金")
        except RowErrors as exc:
            errors.extend(exc.errors["grades"])
            continue
        quota = item.get("quota")
        if quota not in (None, "") and (not str(quota).isdigit()):
            errors.append(f"“{grade}”的名额应为不小于 0 的整数。")
            continue
        cleaned.append({"grade": grade, "prize": str(prize), "quota": None if quota in (None, "") else int(quota)})
    if errors:
        raise RowErrors({"grades": errors})
    return cleaned


@transaction.atomic
def programme_save(
    *,
    actor: Any,
    name: str,
    categories: list[str],
    grades: Any,
    rules: str = "",
    region: str | None = None,
    programme: AwardProgramme | None = None,
) -> AwardProgramme:
    """Create or change an award programme. Raises ``RowErrors`` naming the field."""
    errors: dict[str, list[str]] = {}
    if not (name or "").strip():
        errors["name"] = ["奖励名称不能为空。"]
    cats = [c.strip() for c in categories or [] if c and c.strip()]
    if not cats:
        errors["categories"] = ["至少设置一个奖励类别。"]
    try:
        cleaned = clean_grades(grades)
    except RowErrors as exc:
        errors.update(exc.errors)
        cleaned = []
    if errors:
        raise RowErrors(errors)
    if programme is None:
        code = region or getattr(actor, "region_id", None) or ""
        if not code or not can_manage_region(actor, code) or not can_manage_awards(actor):
            raise _forbid("您没有在该区划设立奖励的权限。")
        programme = AwardProgramme(region_id=code)
    elif not can_manage_awards(actor, programme):
        raise _forbid("您没有修改该奖励项目的权限。")
    programme.name, programme.categories, programme.grades, programme.rules = name.strip(), cats, cleaned, rules
    with acting(actor):
        programme.save()
    log_operation(actor=actor, action=actions.PROGRAMME_SAVE, target=programme)
    return programme


@transaction.atomic
def cycle_save(
    *, actor: Any, programme: AwardProgramme, year: int, opens_at: datetime, closes_at: datetime
) -> AwardCycle:
    """Create a programme's cycle for a year (one per year), with its nomination window."""
    if not can_manage_awards(actor, programme):
        raise _forbid("您没有管理该奖励项目的权限。")
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise RowErrors({"year": ["年度应为 2000 至 2100 之间的年份。"]})
    if closes_at <= opens_at:
        raise RowErrors({"closes_at": ["推荐截止时间应晚于开始时间。"]})
    if AwardCycle.objects.filter(programme=programme, year=year).exists():
        raise RowErrors({"year": [f"{programme.name}已有 {year} 年度。"]})
    cycle = AwardCycle(
        programme=programme, region_id=programme.region_id, year=year, opens_at=opens_at, closes_at=closes_at
    )
    with acting(actor):
        cycle.save()
    log_operation(actor=actor, action=actions.CYCLE_SAVE, target=cycle, extra={"year": year})
    return cycle


@transaction.atomic
def cycle_step(
    *,
    actor: Any,
    cycle: AwardCycle,
    action: str,
    reason: str = "",
    publicity_from: date | None = None,
    publicity_until: date | None = None,
) -> AwardCycle:
    """Move a cycle along its graph. ``decide`` needs every checked nomination decided (拟授奖 or 不授奖);
    ``publicize`` needs the publicity period; ``close`` needs the period over and every objection
    resolved, then grants the awards and issues a certificate for each."""
    cycle = AwardCycle.objects.select_for_update().select_related("programme").get(pk=cycle.pk)
    if not can_manage_awards(actor, cycle):
        raise _forbid("您没有管理该奖励年度的权限。")
    CYCLE_FLOW.check(action, cycle.status, reason)
    nominations = cycle.nominations.filter(is_archived=False)
    fields: list[str] = []
    if action == "decide":
        undecided = nominations.filter(status=NominationStatus.PASSED).count()
        if undecided:
            raise BusinessError(f"还有 {undecided} 项推荐未评定是否授奖。", code="not_ready")
    elif action == "publicize":
        if publicity_from is None or publicity_until is None or publicity_until < publicity_from:
            raise RowErrors({"publicity_until": ["请填写公示起止日期，结束日期不早于开始日期。"]})
        cycle.publicity_from, cycle.publicity_until = publicity_from, publicity_until
        fields = ["publicity_from", "publicity_until"]
    elif action == "close":
        if cycle.publicity_until is not None and timezone.localdate() <= cycle.publicity_until:
            raise BusinessError("公示期尚未结束，不能授奖。", code="publicity_running")
        open_objections = Objection.objects.filter(nomination__cycle=cycle, upheld__isnull=True).count()
        if open_objections:
            raise BusinessError(f"还有 {open_objections} 条公示异议未处理。", code="objections_open")
    apply_transition(
        obj=cycle,
        workflow=CYCLE_FLOW,
        action=action,
        actor=actor,
        transition_model=CycleTransition,
        fk_name="cycle",
        reason=reason,
        update_fields=fields,
    )
    if action == "close":
        for nomination in nominations.filter(status=NominationStatus.AWARDED).select_for_update():
            apply_transition(
                obj=nomination,
                workflow=NOMINATION_FLOW,
                action="grant",
                actor=actor,
                transition_model=NominationTransition,
                fk_name="nomination",
            )
    log_operation(actor=actor, action=actions.CYCLE_STEP, target=cycle, extra={"action": action})
    if action == "close":
        transaction.on_commit(lambda: _issue_certificates(actor, cycle.pk))
    return cycle


def _issue_certificates(actor: Any, cycle_id: int) -> None:
    """After granting: one certificate (获奖证书, a GB/T 9704 决定 layout) per granted nomination."""
    for nomination in Nomination.objects.filter(cycle_id=cycle_id, status=NominationStatus.GRANTED, certificate=None):
        certificate_issue(actor=actor, nomination=nomination)


def certificate_issue(*, actor: Any, nomination: Nomination) -> Any:
    """The 获奖证书 of one granted nomination, kept with it (``awards.nomination:<pk>``)."""
    from kejiju.reports.services import document_issue

    nomination = Nomination.objects.select_related("cycle__programme", "organization").get(pk=nomination.pk)
    if nomination.status != NominationStatus.GRANTED:
        raise BusinessError("只有已授奖的项目可以生成证书。", code="bad_transition")
    if not can_manage_awards(actor, nomination.cycle):
        raise _forbid("您没有生成证书的权限。")
    cycle = nomination.cycle
    region = Region.objects.get(code=cycle.region_id)
    issuer = f"{region.name}人民政府"
    names = "、".join(m.person.name for m in nomination.members.select_related("person"))
    data = {
        "issuer": issuer,
        "title": f"{cycle.programme.name}证书",
        "addressee": nomination.organization.name,
        "body": [
            {
                "type": "paragraph",
                "text": "为表彰在推动科学技术进步工作中作出突出贡献的单位和个人，特颁发此证书。",
            },
            {
                "type": "table",
                "rows": [
                    ["项目名称", nomination.title],
                    ["奖励类别", nomination.category],
                    ["奖励等级", nomination.grade],
                    ["完成单位", nomination.organization.name],
                    ["主要完成人", names or "—"],
                    ["证书编号", f"{cycle.year}-{nomination.pk:04d}"],
                ],
                "header": False,
            },
        ],
        "date": date.today().isoformat(),
        "seal": True,
    }
    document = document_issue(
        actor=actor,
        data=data,
        region=cycle.region_id,
        source=f"awards.nomination:{nomination.pk}",
        kind="decision",
        with_pdf=False,
    )
    Nomination.objects.filter(pk=nomination.pk).update(certificate=document)
    log_operation(actor=actor, action=actions.CERTIFICATE_ISSUE, target=nomination, extra={"document": document.pk})
    return document


# ------------------------------------------------------------------------------------------ nominations


@transaction.atomic
def nomination_save(
    *,
    actor: Any,
    cycle: AwardCycle,
    organization: Any,
    data: dict[str, Any],
    members: list[dict[str, Any]],
    nominator: Any = None,
    nomination: Nomination | None = None,
) -> Nomination:
    """Create or change a nomination (draft or returned) while the cycle accepts nominations. The
    organization must be one the actor acts for (单位用户) or one in the staff member's region; the
    category one of the programme's; completers are persons with valid ID numbers (``person_ensure``),
    at most 15, no one twice. Raises ``RowErrors`` naming the field; nothing is stored on error."""
    cycle = AwardCycle.objects.select_related("programme").get(pk=cycle.pk)
    if not can_nominate_for(actor, organization):
        raise _forbid("您不能为该单位推荐奖励。")
    if cycle.status != CycleStatus.OPEN or not (cycle.opens_at <= timezone.now() <= cycle.closes_at):
        raise BusinessError("该奖励年度当前不受理推荐。", code="closed")
    if nomination is not None:
        nomination = Nomination.objects.select_for_update().get(pk=nomination.pk)
        if not can_edit_nomination(actor, nomination):
            raise _forbid("您不能修改该推荐。")
    errors: dict[str, list[str]] = {}
    title = str(data.get("title") or "").strip()
    if not title:
        errors["title"] = ["成果名称不能为空。"]
    category = str(data.get("category") or "")
    if category not in cycle.programme.categories:
        errors["category"] = ["奖励类别应为：%s。" % "、".join(cycle.programme.categories)]
    summary = str(data.get("summary") or "").strip()
    if not summary:
        errors["summary"] = ["请填写项目简介与主要创新点。"]
    if not members:
        errors["members"] = ["至少填写一位主要完成人。"]
    elif len(members) > 15:
        errors["members"] = ["主要完成人不能超过 15 人。"]
    if errors:
        raise RowErrors(errors)
    persons = []
    for n, member in enumerate(members, start=1):
        try:
            person = person_ensure(
                actor=actor,
                data={
                    "name": member.get("name"),
                    "id_number": member.get("id_number"),
                    "region": member.get("region") or organization.region_id,
                    "organization": organization.pk,
                },
            )
        except RowErrors as exc:
            raise RowErrors(
                {"members": [f"第{n}位完成人：{m}" for messages in exc.errors.values() for m in messages]}
            ) from None
        if person in persons:
            raise RowErrors({"members": [f"第{n}位完成人“{person.name}”重复。"]})
        persons.append(person)
    created = nomination is None
    if nomination is None:
        nomination = Nomination(cycle=cycle, region_id=organization.region_id, created_by=actor)
    nomination.title, nomination.category, nomination.summary = title, category, summary
    nomination.benefits = str(data.get("benefits") or "").strip()
    nomination.field_keywords = str(data.get("field_keywords") or "").strip()[:200]
    nomination.subjects = [s for s in data.get("subjects") or [] if s]
    nomination.organization = organization
    nomination.nominator = nominator
    with acting(actor):
        nomination.save()
    nomination.members.all().delete()
    NominationMember.objects.bulk_create(
        [
            NominationMember(
                nomination=nomination, person=p, position=n, contribution=str(m.get("contribution") or "")[:300]
            )
            for n, (p, m) in enumerate(zip(persons, members, strict=True), start=1)
        ]
    )
    log_operation(actor=actor, action=actions.NOMINATION_SAVE, target=nomination, extra={"created": created})
    return nomination


@transaction.atomic
def nomination_step(*, actor: Any, nomination: Nomination, action: str, reason: str = "") -> Nomination:
    """提交 by the nominating side before the deadline; 退回修改 / 形式审查通过 / 不予受理 by staff during the
    formal check (or while nominations are open); 撤销 by staff. Wrong state or role: ``BusinessError``."""
    nomination = Nomination.objects.select_for_update().select_related("cycle").get(pk=nomination.pk)
    cycle = nomination.cycle
    if action == "submit":
        if not can_edit_nomination(actor, nomination):
            raise _forbid("您不能提交该推荐。")
        if cycle.status != CycleStatus.OPEN or timezone.now() > cycle.closes_at:
            raise BusinessError("推荐已截止，不能提交。", code="closed")
    elif action in ("return", "pass", "reject"):
        if not can_manage_awards(actor, nomination):
            raise _forbid("您没有形式审查的权限。")
        if cycle.status not in (CycleStatus.OPEN, CycleStatus.CHECKING):
            raise BusinessError("奖励年度不在形式审查阶段。", code="bad_transition")
    elif action == "revoke":
        if not can_manage_awards(actor, nomination):
            raise _forbid("您没有撤销奖励的权限。")
    else:
        raise BusinessError("该操作需在评定结果中完成。", code="bad_transition")
    apply_transition(
        obj=nomination,
        workflow=NOMINATION_FLOW,
        action=action,
        actor=actor,
        transition_model=NominationTransition,
        fk_name="nomination",
        reason=reason,
    )
    log_operation(actor=actor, action=actions.NOMINATION_STEP, target=nomination, extra={"action": action})
    return nomination


@transaction.atomic
def nomination_review_result(
    *,
    actor: Any,
    nomination_id: int,
    score: Decimal | None,
    rank: int | None = None,
    reviewers: int = 0,
    opinions: tuple[str, ...] | list[str] = (),
) -> Nomination:
    """Record the panel's result (from the review module, or entered by staff) on a checked nomination
    while the cycle is in review."""
    nomination = Nomination.objects.select_for_update().select_related("cycle").get(pk=nomination_id)
    if not can_manage_awards(actor, nomination):
        raise _forbid("您没有记录评审结果的权限。")
    if nomination.cycle.status != CycleStatus.REVIEW or nomination.status not in (
        NominationStatus.PASSED,
        NominationStatus.AWARDED,
        NominationStatus.NOT_AWARDED,
    ):
        raise BusinessError("只有专家评审阶段、已通过形式审查的推荐可以记录评审结果。", code="bad_transition")
    if score is not None and not (Decimal(0) <= score <= Decimal(100)):
        raise RowErrors({"score": ["评审得分应在 0 至 100 之间。"]})
    nomination.review_score = None if score is None else Decimal(score).quantize(CENT)
    nomination.review_rank = rank
    nomination.review_opinions = "\n".join(o for o in opinions if o)
    with acting(actor):
        nomination.save(update_fields=["review_score", "review_rank", "review_opinions", "updated_at"])
    log_operation(
        actor=actor,
        action=actions.REVIEW_RESULT,
        target=nomination,
        extra={"score": str(nomination.review_score), "reviewers": reviewers},
    )
    return nomination


@transaction.atomic
def grade_set(*, actor: Any, nomination: Nomination, grade: str) -> Nomination:
    """评定: give a checked nomination a grade of the programme (拟授奖, with its prize) or none (不授奖),
    within the grade's quota for the cycle."""
    nomination = Nomination.objects.select_for_update().select_related("cycle__programme").get(pk=nomination.pk)
    if not can_manage_awards(actor, nomination):
        raise _forbid("您没有评定奖励的权限。")
    cycle = nomination.cycle
    if cycle.status != CycleStatus.REVIEW:
        raise BusinessError("只有专家评审阶段可以评定奖励等级。", code="bad_transition")
    if not grade:
        if nomination.status != NominationStatus.NOT_AWARDED:
            apply_transition(
                obj=nomination,
                workflow=NOMINATION_FLOW,
                action="not_award",
                actor=actor,
                transition_model=NominationTransition,
                fk_name="nomination",
            )
        nomination.grade, nomination.prize = "", Decimal(0)
    else:
        spec = next((g for g in cycle.programme.grades if g["grade"] == grade), None)
        if spec is None:
            raise RowErrors({"grade": ["奖励等级应为：%s。" % "、".join(g["grade"] for g in cycle.programme.grades)]})
        if spec.get("quota") is not None:
            used = (
                cycle.nominations.filter(grade=grade, status=NominationStatus.AWARDED).exclude(pk=nomination.pk).count()
            )
            if used >= spec["quota"]:
                raise RowErrors({"grade": [f"“{grade}”名额为 {spec['quota']} 项，已评满。"]})
        if nomination.status != NominationStatus.AWARDED:
            apply_transition(
                obj=nomination,
                workflow=NOMINATION_FLOW,
                action="award",
                actor=actor,
                transition_model=NominationTransition,
                fk_name="nomination",
            )
        nomination.grade, nomination.prize = grade, Decimal(spec["prize"])
    with acting(actor):
        nomination.save(update_fields=["grade", "prize", "updated_at"])
    log_operation(actor=actor, action=actions.GRADE_SET, target=nomination, extra={"grade": grade})
    return nomination


@transaction.atomic
def objection_file(*, nomination: Nomination, filed_by_name: str, content: str, contact: str = "") -> Objection:
    """A public objection during the publicity period (anyone may file; name and content required)."""
    nomination = Nomination.objects.select_related("cycle").get(pk=nomination.pk)
    cycle = nomination.cycle
    today = timezone.localdate()
    if cycle.status != CycleStatus.PUBLICITY or not (
        cycle.publicity_from and cycle.publicity_until and cycle.publicity_from <= today <= cycle.publicity_until
    ):
        raise BusinessError("不在公示期内，不受理异议。", code="closed")
    if nomination.status != NominationStatus.AWARDED:
        raise BusinessError("该项目不在公示名单中。", code="invalid")
    errors: dict[str, list[str]] = {}
    if not (filed_by_name or "").strip():
        errors["filed_by_name"] = ["请填写异议人姓名或单位（实名）。"]
    if not (content or "").strip():
        errors["content"] = ["请填写异议内容。"]
    if errors:
        raise RowErrors(errors)
    objection = Objection.objects.create(
        nomination=nomination,
        filed_by_name=filed_by_name.strip()[:60],
        contact=contact.strip()[:60],
        content=content.strip(),
    )
    log_operation(actor=None, action=actions.OBJECTION_FILE, target=nomination, extra={"objection": objection.pk})
    return objection


@transaction.atomic
def objection_resolve(*, actor: Any, objection: Objection, upheld: bool, resolution: str) -> Objection:
    """Resolve an objection; an upheld one revokes the award (with the resolution as the reason)."""
    objection = Objection.objects.select_for_update().select_related("nomination__cycle").get(pk=objection.pk)
    if not can_manage_awards(actor, objection.nomination):
        raise _forbid("您没有处理异议的权限。")
    if objection.upheld is not None:
        raise BusinessError("该异议已处理。", code="bad_transition")
    if not (resolution or "").strip():
        raise RowErrors({"resolution": ["请填写处理结果。"]})
    objection.upheld, objection.resolution = upheld, resolution.strip()
    objection.resolved_by, objection.resolved_at = actor, timezone.now()
    objection.save()
    if upheld and objection.nomination.status == NominationStatus.AWARDED:
        nomination_step(actor=actor, nomination=objection.nomination, action="revoke", reason=resolution.strip())
    log_operation(
        actor=actor,
        action=actions.OBJECTION_RESOLVE,
        target=objection.nomination,
        extra={"objection": objection.pk, "upheld": upheld},
    )
    return objection


@transaction.atomic
def prize_pay(
    *, actor: Any, nomination: Nomination, amount: Any, paid_on: date, payee: str, voucher: str = ""
) -> PrizePayment:
    """奖金发放 for a granted nomination; the payments never exceed its prize."""
    nomination = Nomination.objects.select_for_update().get(pk=nomination.pk)
    if not can_manage_awards(actor, nomination):
        raise _forbid("您没有发放奖金的权限。")
    if nomination.status != NominationStatus.GRANTED:
        raise BusinessError("只有已授奖的项目可以发放奖金。", code="bad_transition")
    value = money(amount, field="amount", label="发放金额")
    if value <= 0:
        raise RowErrors({"amount": ["发放金额应大于 0。"]})
    paid = nomination.payments.aggregate(total=Sum("amount"))["total"] or Decimal(0)
    if paid + value > nomination.prize:
        raise RowErrors({"amount": [f"累计发放将超过奖金 {nomination.prize} 元（已发放 {paid} 元）。"]})
    if not (payee or "").strip():
        raise RowErrors({"payee": ["请填写领取单位或个人。"]})
    payment = PrizePayment.objects.create(
        nomination=nomination,
        amount=value,
        paid_on=paid_on,
        payee=payee.strip()[:120],
        voucher=voucher.strip()[:60],
        recorded_by=actor,
    )
    log_operation(actor=actor, action=actions.PRIZE_PAY, target=nomination, extra={"amount": str(value)})
    return payment


@transaction.atomic
def higher_award_save(
    *,
    actor: Any,
    data: dict[str, Any],
    persons: list[dict[str, Any]] | None = None,
    organization: Any = None,
    award: HigherAward | None = None,
) -> HigherAward:
    """Record an award won at a higher level (级别 national/provincial/prefecture) for statistics."""
    from kejiju.awards.choices import AwardLevel

    if not can_manage_awards(actor, award):
        raise _forbid("您没有登记上级奖励的权限。")
    errors: dict[str, list[str]] = {}
    for name, label in (("name", "奖励名称"), ("title", "成果名称")):
        if not str(data.get(name) or "").strip():
            errors[name] = [f"{label}不能为空。"]
    if data.get("level") not in AwardLevel.values:
        errors["level"] = ["级别应为：%s。" % "、".join(str(c.label) for c in AwardLevel)]
    year_text = str(data.get("year") or "")
    year = int(year_text) if year_text.isdigit() else 0
    if not 2000 <= year <= 2100:
        errors["year"] = ["年度应为 2000 至 2100 之间的年份。"]
    try:
        prize = money(data.get("prize") or 0, field="prize", label="奖金")
    except RowErrors as exc:
        errors.update(exc.errors)
        prize = Decimal(0)
    region = str(data.get("region") or getattr(organization, "region_id", "") or getattr(actor, "region_id", "") or "")
    if not region or not can_manage_region(actor, region):
        errors["region"] = ["所属区划不在您的管辖范围内。"]
    if errors:
        raise RowErrors(errors)
    people = [person_ensure(actor=actor, data={**p, "region": p.get("region") or region}) for p in (persons or [])]
    award = award or HigherAward()
    award.region_id = region
    award.name, award.level, award.grade = str(data["name"]).strip(), data["level"], str(data.get("grade") or "")
    award.year, award.title, award.prize = year, str(data["title"]).strip(), prize
    award.organization = organization
    award.field_keywords = str(data.get("field_keywords") or "")[:200]
    award.document_number = str(data.get("document_number") or "")[:60]
    with acting(actor):
        award.save()
    award.persons.set(people)
    log_operation(actor=actor, action=actions.HIGHER_AWARD_SAVE, target=award, extra={"level": award.level})
    return award

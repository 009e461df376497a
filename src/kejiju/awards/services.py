"""Writes of S&T awards (house rules 1, 4, 5).

Programme and cycle set-up (:func:`programme_save`, :func:`cycle_save`), the cycle's steps
(:func:`cycle_step`: open → close nominations → review → decide → publicize → close and grant),
nominations by organizations (:func:`nomination_save`, :func:`nomination_step`), review results from the
review module or entered by hand (:func:`nomination_review_result`), grades within quotas
(:func:`grade_set`), the award committee's meeting and vote (:func:`meeting_save`, :func:`vote_record`,
:func:`vote_sheet`, :func:`vote_override`, applied by the decision), publicity objections (:func:`objection_file`, :func:`objection_resolve`),
certificates issued as documents on granting, the prize ledger (:func:`prize_pay`) and higher-level
awards (:func:`higher_award_save`). All money is exact (Decimal, two places).
"""

from __future__ import annotations

import re
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
    NominationVote,
    Objection,
    PrizePayment,
    VoteMeeting,
)
from kejiju.awards.permissions import can_edit_nomination, can_manage_awards, can_nominate_for
from kejiju.awards.voting import (
    fraction_text,
    parse_fraction,
    quorum_met,
    quorum_needed,
    rule_text,
    vote_passes,
)
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
    vote_quorum: str | None = None,
    vote_pass: str | None = None,
    vote_pass_exceeds: bool | None = None,
) -> AwardProgramme:
    """Create or change an award programme. The committee's vote rule (``vote_quorum``, ``vote_pass``
    as fractions like ``"2/3"``, ``vote_pass_exceeds``) keeps its value (2/3 and 2/3 when new) where not
    given. Raises ``RowErrors`` naming the field."""
    errors: dict[str, list[str]] = {}
    for field, value, label in (
        ("vote_quorum", vote_quorum, "会议法定人数比例"),
        ("vote_pass", vote_pass, "表决通过比例"),
    ):
        if value is not None:
            try:
                parse_fraction(value)
            except ValueError:
                errors[field] = [f"{label}“{value}”应为 0 至 1 之间的分数，如 2/3 或 1/2。"]
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
    if vote_quorum is not None:
        programme.vote_quorum = fraction_text(parse_fraction(vote_quorum))
    if vote_pass is not None:
        programme.vote_pass = fraction_text(parse_fraction(vote_pass))
    if vote_pass_exceeds is not None:
        programme.vote_pass_exceeds = bool(vote_pass_exceeds)
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
    """Move a cycle along its graph. ``decide`` needs the committee's vote on every checked nomination
    and applies it (:func:`_apply_votes`: 拟授奖 with the voted grade or 不授奖, or the adjusted outcome);
    ``publicize`` needs the publicity period; ``close`` needs the period over and every objection
    resolved, then grants the awards and issues a certificate for each."""
    cycle = AwardCycle.objects.select_for_update().select_related("programme").get(pk=cycle.pk)
    if not can_manage_awards(actor, cycle):
        raise _forbid("您没有管理该奖励年度的权限。")
    CYCLE_FLOW.check(action, cycle.status, reason)
    nominations = cycle.nominations.filter(is_archived=False)
    fields: list[str] = []
    if action == "decide":
        _apply_votes(actor, cycle)
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
def grade_set(
    *, actor: Any, nomination: Nomination, grade: str, reason: str = "", extra: dict[str, Any] | None = None
) -> Nomination:
    """评定: give a checked nomination a grade of the programme (拟授奖, with its prize) or none (不授奖),
    within the grade's quota for the cycle. ``reason`` and ``extra`` go into the transition row (the
    decision passes the committee's vote and any adjustment with its reason)."""
    return _grade_apply(actor, nomination, grade, reason=reason, extra=extra, check_quota=True)


def _grade_apply(
    actor: Any,
    nomination: Nomination,
    grade: str,
    *,
    reason: str = "",
    extra: dict[str, Any] | None = None,
    check_quota: bool,
) -> Nomination:
    """:func:`grade_set` itself. The decision passes ``check_quota=False``: it has checked the quotas
    against the grades as they will be once every vote is applied (:func:`_apply_votes`), which the
    grades held half-way through (one nomination moved, the next not yet) would wrongly exceed."""
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
                reason=reason,
                extra=extra,
            )
        nomination.grade, nomination.prize = "", Decimal(0)
    else:
        spec = next((g for g in cycle.programme.grades if g["grade"] == grade), None)
        if spec is None:
            raise RowErrors({"grade": ["奖励等级应为：%s。" % "、".join(g["grade"] for g in cycle.programme.grades)]})
        if check_quota and spec.get("quota") is not None:
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
                reason=reason,
                extra=extra,
            )
        nomination.grade, nomination.prize = grade, Decimal(spec["prize"])
    with acting(actor):
        nomination.save(update_fields=["grade", "prize", "updated_at"])
    log_operation(actor=actor, action=actions.GRADE_SET, target=nomination, extra={"grade": grade})
    return nomination


# ------------------------------------------------------------------------------------------ committee vote

#: nominations the committee votes on: checked (形式审查通过), or already given an outcome by hand
VOTABLE = (NominationStatus.PASSED, NominationStatus.AWARDED, NominationStatus.NOT_AWARDED)


def _count(value: Any, *, field: str, label: str, errors: dict[str, list[str]]) -> int:
    """A whole number of votes, not negative; the error goes to ``errors[field]``."""
    text = str(value).strip() if isinstance(value, (int, str)) and not isinstance(value, bool) else ""
    if re.fullmatch(r"-?[0-9]{1,6}", text) is None:
        shown = "" if value is None else str(value).strip()[:20]
        errors[field] = [f"{label}应为不小于 0 的整数（“{shown}”不是整数）。"]
        return 0
    number = int(text)
    if number < 0:
        errors[field] = [f"{label}不能为负数。"]
        return 0
    return number


def _vote_stage(actor: Any, cycle: AwardCycle, what: str) -> None:
    if not can_manage_awards(actor, cycle):
        raise _forbid(f"您没有{what}的权限。")
    if cycle.status != CycleStatus.REVIEW:
        raise BusinessError(f"只有专家评审阶段可以{what}。", code="bad_transition")


#: the most committee members a meeting records (the API's limit; the present count is a small integer)
MAX_COMMITTEE = 99


def clean_committee(raw: Any) -> list[dict[str, str]]:
    """Committee members ``[{"name", "unit"}]``: at least one and at most :data:`MAX_COMMITTEE`, names given
    (at most 40 characters, units 100), not repeated, without NUL characters."""
    if not isinstance(raw, list) or not raw:
        raise RowErrors({"members": ["请填写评审委员（姓名、单位），每人一行。"]})
    if len(raw) > MAX_COMMITTEE:
        raise RowErrors({"members": [f"评审委员至多 {MAX_COMMITTEE} 人（填写了 {len(raw)} 人）。"]})
    cleaned: list[dict[str, str]] = []
    errors: list[str] = []
    for n, item in enumerate(raw, start=1):
        name = str(item.get("name") or "").strip() if isinstance(item, dict) else ""
        unit = str(item.get("unit") or "").strip() if isinstance(item, dict) else ""
        if not name:
            errors.append(f"第{n}位委员的姓名为空。")
        elif "\x00" in name or "\x00" in unit:
            errors.append(f"第{n}位委员的姓名或单位含有空字符（NUL）。")
        elif len(name) > 40 or len(unit) > 100:
            errors.append(f"第{n}位委员的姓名最多 40 字、单位最多 100 字。")
        elif any(m["name"] == name and m["unit"] == unit for m in cleaned):
            errors.append(f"第{n}位委员“{name}”重复。")
        else:
            cleaned.append({"name": name, "unit": unit})
    if errors:
        raise RowErrors({"members": errors})
    return cleaned


@transaction.atomic
def meeting_save(
    *, actor: Any, cycle: AwardCycle, held_on: date | None, place: str, members: Any, members_present: Any
) -> VoteMeeting:
    """Record (or correct) the cycle's 评审委员会会议 while the cycle is in 专家评审: date, place, the
    committee members and how many are present. The members present must make the programme's quorum
    (default 2/3 of all members). Once votes are counted on the present number it cannot change.
    Raises ``RowErrors`` naming the field; nothing is stored on error."""
    cycle = AwardCycle.objects.select_for_update().select_related("programme").get(pk=cycle.pk)
    _vote_stage(actor, cycle, "登记评审委员会会议")
    errors: dict[str, list[str]] = {}
    if held_on is None:
        errors["held_on"] = ["请填写会议日期。"]
    elif held_on > timezone.localdate():
        errors["held_on"] = ["会议日期不能晚于今天（会后登记表决结果）。"]
    if not (place or "").strip():
        errors["place"] = ["请填写会议地点。"]
    elif "\x00" in place:
        errors["place"] = ["会议地点含有空字符（NUL）。"]
    elif len(place.strip()) > 120:
        errors["place"] = ["会议地点最多 120 字。"]
    try:
        committee = clean_committee(members)
    except RowErrors as exc:
        errors.update(exc.errors)
        committee = []
    present = _count(members_present, field="members_present", label="出席委员人数", errors=errors)
    total = len(committee)
    existing = VoteMeeting.objects.filter(cycle=cycle).first()
    if existing is not None:
        quorum, pass_fraction, exceeds = existing.quorum, existing.pass_fraction, existing.pass_exceeds
    else:
        programme = cycle.programme
        quorum, pass_fraction, exceeds = programme.vote_quorum, programme.vote_pass, programme.vote_pass_exceeds
    if committee and "members_present" not in errors:
        rule = parse_fraction(quorum)
        if present > total:
            errors["members_present"] = [f"出席委员人数 {present} 超过全体委员 {total} 人。"]
        elif present == 0 or not quorum_met(present, total, rule):
            errors["members_present"] = [
                f"出席委员 {present} 人，不足全体委员 {total} 人的 {fraction_text(rule)}"
                f"（至少 {quorum_needed(total, rule)} 人），会议不能进行表决。"
            ]
    if existing is not None and "members_present" not in errors and present != existing.members_present:
        counted = NominationVote.objects.filter(meeting=existing, is_current=True).count()
        if counted:
            errors["members_present"] = [
                f"已有 {counted} 项表决按出席 {existing.members_present} 人计票，出席委员人数不能再修改。"
            ]
    if errors:
        raise RowErrors(errors)
    assert held_on is not None
    meeting = existing or VoteMeeting(
        cycle=cycle, region_id=cycle.region_id, quorum=quorum, pass_fraction=pass_fraction, pass_exceeds=exceeds
    )
    meeting.held_on, meeting.place, meeting.members = held_on, place.strip(), committee
    meeting.members_present, meeting.recorded_by = present, actor
    with acting(actor):
        meeting.save()
    log_operation(
        actor=actor,
        action=actions.MEETING_SAVE,
        target=cycle,
        extra={"meeting": meeting.pk, "members": total, "present": present, "created": existing is None},
    )
    return meeting


def current_vote(nomination: Nomination) -> NominationVote | None:
    return NominationVote.objects.filter(nomination=nomination, is_current=True).first()


@transaction.atomic
def vote_record(
    *, actor: Any, nomination: Nomination, grade: str, votes_for: Any, votes_against: Any, votes_abstain: Any
) -> NominationVote:
    """Record the committee's secret ballot on a checked nomination for a proposed grade, as counts for,
    against and abstaining (whole numbers adding up to at most the members present). Whether it passed
    is computed exactly with the meeting's rule. A re-vote replaces the current counts; the earlier row
    stays as history. Raises ``RowErrors`` naming the field; nothing is stored on error."""
    nomination = Nomination.objects.select_for_update().select_related("cycle__programme").get(pk=nomination.pk)
    cycle = nomination.cycle
    _vote_stage(actor, cycle, "录入评审委员会表决")
    if nomination.status not in VOTABLE or nomination.is_archived:
        raise BusinessError(f"“{nomination.title}”未通过形式审查，不参加表决。", code="bad_transition")
    meeting = VoteMeeting.objects.filter(cycle=cycle).first()
    if meeting is None:
        raise BusinessError("请先登记评审委员会会议（日期、地点、委员和出席人数）。", code="no_meeting")
    errors: dict[str, list[str]] = {}
    grades = [g["grade"] for g in cycle.programme.grades]
    if grade not in grades:
        errors["grade"] = ["表决等级应为：%s。" % "、".join(grades)]
    counts = {
        "votes_for": _count(votes_for, field="votes_for", label="赞成票", errors=errors),
        "votes_against": _count(votes_against, field="votes_against", label="反对票", errors=errors),
        "votes_abstain": _count(votes_abstain, field="votes_abstain", label="弃权票", errors=errors),
    }
    total = sum(counts.values())
    if not errors and total > meeting.members_present:
        errors["votes"] = [f"赞成、反对、弃权票合计 {total} 票，超过出席委员 {meeting.members_present} 人。"]
    if errors:
        raise RowErrors(errors)
    fraction = parse_fraction(meeting.pass_fraction)
    passed = vote_passes(counts["votes_for"], meeting.members_present, fraction, meeting.pass_exceeds)
    previous = NominationVote.objects.select_for_update().filter(nomination=nomination, is_current=True).first()
    if previous is not None:
        NominationVote.objects.filter(pk=previous.pk).update(is_current=False)
    vote = NominationVote.objects.create(
        meeting=meeting,
        nomination=nomination,
        grade=grade,
        present=meeting.members_present,
        passed=passed,
        recorded_by=actor,
        **counts,
    )
    log_operation(
        actor=actor,
        action=actions.VOTE_RECORD,
        target=nomination,
        extra={
            "vote": vote.pk,
            "grade": grade,
            **counts,
            "present": meeting.members_present,
            "passed": passed,
            "rule": rule_text(fraction, meeting.pass_exceeds),
            "replaces": previous.pk if previous else None,
        },
    )
    return vote


@transaction.atomic
def vote_sheet(*, actor: Any, cycle: AwardCycle, rows: list[dict[str, Any]]) -> list[NominationVote]:
    """The vote sheet of a meeting: one row per nomination (``nomination`` id, ``grade``, ``votes_for``,
    ``votes_against``, ``votes_abstain``). A row equal to the current vote is left as it is. All rows
    are recorded or none: ``RowErrors`` lists every wrong row by its title."""
    cycle = AwardCycle.objects.get(pk=cycle.pk)
    _vote_stage(actor, cycle, "录入评审委员会表决")
    by_pk = {n.pk: n for n in cycle.nominations.filter(is_archived=False, status__in=VOTABLE)}
    errors: dict[str, list[str]] = {}
    recorded: list[NominationVote] = []
    for row in rows:
        nomination = by_pk.get(row.get("nomination"))  # type: ignore[arg-type]
        if nomination is None:
            errors.setdefault("nomination", []).append("推荐项目“%s”不在本年度的表决范围内。" % row.get("nomination"))
            continue
        current = current_vote(nomination)
        if current is not None and (
            current.grade,
            str(current.votes_for),
            str(current.votes_against),
            str(current.votes_abstain),
        ) == tuple(str(row.get(k, "")).strip() for k in ("grade", "votes_for", "votes_against", "votes_abstain")):
            continue
        try:
            recorded.append(
                vote_record(
                    actor=actor,
                    nomination=nomination,
                    grade=str(row.get("grade") or ""),
                    votes_for=row.get("votes_for"),
                    votes_against=row.get("votes_against"),
                    votes_abstain=row.get("votes_abstain"),
                )
            )
        except RowErrors as exc:
            for field, messages in exc.errors.items():
                errors.setdefault(field, []).extend(f"“{nomination.title}”：{m}" for m in messages)
    if errors:
        raise RowErrors(errors)
    return recorded


@transaction.atomic
def vote_override(*, actor: Any, nomination: Nomination, grade: str, reason: str) -> NominationVote:
    """Staff adjust the outcome the decision will give a voted nomination (another grade, or 不授奖, or
    an award although the vote failed) — only with a reason, which the decision writes into the
    nomination's transition. Choosing the vote's own outcome clears an adjustment."""
    nomination = Nomination.objects.select_for_update().select_related("cycle__programme").get(pk=nomination.pk)
    _vote_stage(actor, nomination.cycle, "调整表决结果")
    vote = NominationVote.objects.select_for_update().filter(nomination=nomination, is_current=True).first()
    if vote is None:
        raise BusinessError(f"“{nomination.title}”尚未表决，不能调整。", code="not_voted")
    grades = [g["grade"] for g in nomination.cycle.programme.grades]
    if grade and grade not in grades:
        raise RowErrors({"grade": ["授奖等级应为：%s，或不授奖。" % "、".join(grades)]})
    voted = vote.grade if vote.passed else ""
    if grade == voted:
        vote.overridden, vote.override_grade, vote.override_reason = False, "", ""
    else:
        if not (reason or "").strip():
            raise RowErrors({"reason": ["与表决结果不一致的评定须填写理由。"]})
        if "\x00" in reason:
            raise RowErrors({"reason": ["调整理由含有空字符（NUL）。"]})
        if len(reason.strip()) > 2000:
            raise RowErrors({"reason": ["调整理由最多 2000 字。"]})
        vote.overridden, vote.override_grade, vote.override_reason = True, grade, reason.strip()
    vote.overridden_by, vote.overridden_at = actor, timezone.now()
    vote.save(update_fields=["overridden", "override_grade", "override_reason", "overridden_by", "overridden_at"])
    log_operation(
        actor=actor,
        action=actions.VOTE_OVERRIDE,
        target=nomination,
        extra={"vote": vote.pk, "voted": voted, "grade": grade, "reason": vote.override_reason},
    )
    return vote


def _apply_votes(actor: Any, cycle: AwardCycle) -> None:
    """The decision: every checked nomination needs a current vote (and so the meeting); each gets the
    outcome of its vote (or the adjusted one, with its reason) as :func:`grade_set` gives it. The grades'
    quotas are checked first, on the grades as they will be after the decision (all votes applied, so a
    grade given by hand before the vote and moved by it no longer counts), and an excess names the
    nominations."""
    nominations = list(cycle.nominations.filter(is_archived=False, status__in=VOTABLE).order_by("review_rank", "pk"))
    if not nominations:
        return
    votes = {v.nomination_id: v for v in NominationVote.objects.filter(nomination__in=nominations, is_current=True)}
    missing = [n.title for n in nominations if n.pk not in votes]
    if missing:
        if not VoteMeeting.objects.filter(cycle=cycle).exists():
            raise BusinessError("尚未登记评审委员会会议，不能评定结果。", code="not_ready")
        raise BusinessError(
            "还有 %s 项推荐未经评审委员会表决：%s。" % (len(missing), "、".join(missing)), code="not_ready"
        )
    # the grades as they will be after the decision: the voted outcomes, and the grades kept by awarded
    # nominations of the cycle outside the vote (archived ones, which grade_set counts too)
    after = [(n.title, votes[n.pk].outcome_grade) for n in nominations]
    after += [
        (n.title, n.grade)
        for n in cycle.nominations.filter(status=NominationStatus.AWARDED)
        .exclude(pk__in=[n.pk for n in nominations])
        .order_by("review_rank", "pk")
    ]
    for spec in cycle.programme.grades:
        if spec.get("quota") is None:
            continue
        titles = [title for title, grade in after if grade == spec["grade"]]
        if len(titles) > spec["quota"]:
            raise BusinessError(
                "“%s”名额为 %s 项，表决（含调整）拟授 %s 项：%s。请重新表决或调整（须填理由）。"
                % (spec["grade"], spec["quota"], len(titles), "、".join(titles)),
                code="quota",
            )
    # the quotas hold for the result as a whole (checked above), whatever the order of the steps
    for nomination in sorted(nominations, key=lambda n: votes[n.pk].outcome_grade != ""):
        vote = votes[nomination.pk]
        extra = {
            "vote": vote.pk,
            "grade": vote.grade,
            "votes_for": vote.votes_for,
            "votes_against": vote.votes_against,
            "votes_abstain": vote.votes_abstain,
            "present": vote.present,
            "passed": vote.passed,
            "override": vote.overridden,
        }
        _grade_apply(
            actor,
            nomination,
            vote.outcome_grade,
            reason=vote.override_reason if vote.overridden else "",
            extra=extra,
            check_quota=False,
        )


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

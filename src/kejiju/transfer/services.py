"""Writes of the technology-transfer module (house rule 1): achievements, demands, matches and their
status changes, match events, technology contracts and co-operation agreements.

Field rules raise :class:`RowErrors` (``{field: [Chinese reasons]}``) so forms, the API and imports show
them on their fields; rule violations raise :class:`BusinessError`. Nothing is stored on any error.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction

from kejiju.core.audit import log_operation
from kejiju.core.errors import BusinessError, RowErrors
from kejiju.core.history import acting
from kejiju.core.models import Region
from kejiju.core.permissions import can_manage_region
from kejiju.core.workflow import apply_transition
from kejiju.engines.contact import is_phone, normalize_phone
from kejiju.transfer import actions, matching
from kejiju.transfer.choices import (
    ContractType,
    DemandStatus,
    MatchKind,
    MatchStatus,
    Maturity,
    PairOutcome,
    TechField,
    TransferForm,
)
from kejiju.transfer.models import (
    Achievement,
    Cooperation,
    Match,
    MatchEvent,
    MatchEventPair,
    MatchTransition,
    TechContract,
    TechDemand,
)
from kejiju.transfer.permissions import (
    can_change_achievement,
    can_change_contract,
    can_change_cooperation,
    can_change_demand,
    can_change_event,
    can_manage_match,
    can_post_demand,
    can_register_contract,
    can_save_achievement,
    can_save_cooperation,
    can_save_event,
)
from kejiju.transfer.workflows import MATCH_WORKFLOW

MAX_MONEY = Decimal("999999999999.99")
_REF = re.compile(r"^[a-z_]+\.[a-z_]+:\d{1,18}$")


class _Errors:
    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}

    def add(self, fld: str, message: str) -> None:
        self.errors.setdefault(fld, []).append(message)

    def raise_if_any(self) -> None:
        if self.errors:
            raise RowErrors(self.errors)


def parse_money(value: Any, label: str) -> Decimal | None:
    """An exact amount in yuan with at most two decimals (``None`` when empty). Raises ``ValueError`` with
    the Chinese reason: not a number, negative, too large, or three or more decimals (never rounded)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, float):
        value = repr(value)
    text = str(value).strip().replace(",", "").replace("，", "")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ValueError("%s“%s”不是有效金额。" % (label, value)) from None
    if not amount.is_finite():
        raise ValueError("%s“%s”不是有效金额。" % (label, value))
    if amount < 0:
        raise ValueError("%s不能为负数。" % label)
    if amount > MAX_MONEY:
        raise ValueError("%s超出允许范围。" % label)
    exponent = amount.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2:
        raise ValueError("%s“%s”最多两位小数（精确到分），请核对，不会自动舍入。" % (label, value))
    return amount.quantize(Decimal("0.01"))


def _has_nul(value: Any) -> bool:
    """A NUL character (which PostgreSQL cannot store in text) in the value."""
    return "\x00" in str(value or "")


def _nul_message(label: str) -> str:
    return "%s含有空字符（NUL），请删除后再保存。" % label


def _text(errors: _Errors, data: dict[str, Any], fld: str, label: str, limit: int, required: bool = False) -> str:
    value = str(data.get(fld) or "").strip()
    if _has_nul(value):
        errors.add(fld, _nul_message(label))
    elif required and not value:
        errors.add(fld, "请填写%s。" % label)
    elif len(value) > limit:
        errors.add(fld, "%s不能超过 %d 个字。" % (label, limit))
    return value[:limit]


def _choice(errors: _Errors, data: dict[str, Any], fld: str, label: str, choices: Any, required: bool = True) -> str:
    value = str(data.get(fld) or "").strip()
    if not value and required:
        errors.add(fld, "请选择%s。" % label)
    elif value and value not in choices.values:
        errors.add(fld, "%s无效，应为：%s。" % (label, "、".join(str(c.label) for c in choices)))
    return value


def _money(errors: _Errors, data: dict[str, Any], fld: str, label: str, required: bool = False) -> Decimal | None:
    try:
        amount = parse_money(data.get(fld), label)
    except ValueError as exc:
        errors.add(fld, str(exc))
        return None
    if amount is None and required:
        errors.add(fld, "请填写%s。" % label)
    return amount


def _phone(errors: _Errors, data: dict[str, Any], fld: str, required: bool = False) -> str:
    phone = normalize_phone(str(data.get(fld) or ""))
    if not phone and required:
        errors.add(fld, "请填写联系电话。")
    elif phone and not is_phone(phone):
        errors.add(fld, "联系电话“%s”不是有效的手机或固定电话号码。" % phone)
    return phone


def _date(errors: _Errors, data: dict[str, Any], fld: str, label: str, required: bool = False) -> date | None:
    value = data.get(fld)
    if value in (None, ""):
        if required:
            errors.add(fld, "请填写%s。" % label)
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        errors.add(fld, "%s“%s”不是有效日期，格式应为 2024-05-01。" % (label, value))
        return None


def _forbid() -> BusinessError:
    return BusinessError("您没有该操作的权限。", code="forbidden")


def _linked(org: Any, name: str) -> Any:
    """The organization a typed party name (合作院校、卖方、买方) is linked to: kept while the name is its name
    or one of its former names, cleared when the name was changed to another party."""
    if org is None:
        return None
    if name == org.name or org.aliases.filter(name=name).exists():
        return org
    return None


def _usable_org(org: Any, fld: str, label: str) -> None:
    if org is None:
        raise RowErrors({fld: ["请选择%s。" % label]})
    if getattr(org, "merged_into_id", None) or getattr(org, "is_archived", False):
        raise RowErrors({fld: ["%s“%s”已合并或归档。" % (label, org.name)]})


# ------------------------------------------------------------------ achievements


@transaction.atomic
def achievement_save(
    *, actor: Any, owner: Any, data: dict[str, Any], achievement: Achievement | None = None
) -> Achievement:
    """Register (or correct) an achievement of ``owner``: by bureau staff within their region or by the
    owner's own account. Title, summary, field, maturity, transfer form and contact are required; the
    price range is exact money with price_min ≤ price_max; related IP must belong to the owner. Raises
    :class:`RowErrors` / :class:`BusinessError`."""
    _usable_org(owner, "owner", "成果单位")
    allowed = can_change_achievement(actor, achievement) if achievement else can_save_achievement(actor, owner)
    if not allowed:
        raise _forbid()
    e = _Errors()
    values: dict[str, Any] = {
        "title": _text(e, data, "title", "成果名称", 200, True),
        "summary": _text(e, data, "summary", "成果简介", 5000, True),
        "keywords": _text(e, data, "keywords", "关键词", 200),
        "field": _choice(e, data, "field", "技术领域", TechField),
        "maturity": _choice(e, data, "maturity", "成熟度", Maturity),
        "transfer_form": _choice(e, data, "transfer_form", "拟转化方式", TransferForm),
        "price_min": _money(e, data, "price_min", "意向价格下限"),
        "price_max": _money(e, data, "price_max", "意向价格上限"),
        "contact_name": _text(e, data, "contact_name", "联系人", 40, True),
        "contact_phone": _phone(e, data, "contact_phone", True),
        "is_public": bool(data.get("is_public", True)),
    }
    if (
        values["price_min"] is not None
        and values["price_max"] is not None
        and values["price_min"] > values["price_max"]
    ):
        e.add("price_max", "意向价格上限不能低于下限。")
    ips = list(data.get("related_ip") or [])
    for ip in ips:
        if getattr(ip, "organization_id", None) != owner.pk:
            e.add("related_ip", "知识产权“%s”不属于成果单位。" % ip)
    e.raise_if_any()
    obj = achievement or Achievement(owner=owner)
    obj.owner, obj.region_id = owner, owner.region_id
    for key, value in values.items():
        setattr(obj, key, value)
    obj.match_tokens = matching.achievement_tokens(obj)
    with acting(actor):
        obj.save()
    obj.related_ip.set(ips)
    log_operation(actor=actor, action=actions.ACHIEVEMENT_SAVE, target=obj, extra={"organization": owner.pk})
    return obj


def related_ip_from_numbers(owner: Any, text: Any) -> list[Any]:
    """The owner's IP records named in ``text`` (application or registration numbers, one a line or
    separated by commas; ``ZL`` and the dot may be left out). A number the owner has not registered is an
    error on ``related_ip`` naming it. Raises :class:`RowErrors`."""
    from kejiju.orgs.selectors import ip_held_by_number, ip_number_key

    wanted = [n for n in re.split(r"[\s,，、；;]+", str(text or "")) if n]
    if not wanted:
        return []
    if owner is None:
        raise RowErrors({"related_ip": ["请先选择成果单位。"]})
    held = ip_held_by_number(organization=owner)
    found: dict[int, Any] = {}
    missing = []
    for number in wanted:
        ip = held.get(ip_number_key(number))
        if ip is None:
            missing.append(number)
        else:
            found[ip.pk] = ip
    if missing:
        raise RowErrors(
            {
                "related_ip": [
                    "“%s”不是成果单位“%s”已登记的知识产权，请核对号码或先在单位页面登记。"
                    % ("、".join(missing), owner.name)
                ]
            }
        )
    return list(found.values())


@transaction.atomic
def achievement_archive(*, actor: Any, achievement: Achievement, archived: bool = True) -> Achievement:
    """Withdraw (archive) or restore an achievement; never deleted."""
    obj = Achievement.objects.select_for_update().get(pk=achievement.pk)
    if not can_change_achievement(actor, obj):
        raise _forbid()
    obj.is_archived = archived
    with acting(actor):
        obj.save(update_fields=["is_archived", "updated_at"])
    log_operation(actor=actor, action=actions.ACHIEVEMENT_ARCHIVE, target=obj, extra={"archived": archived})
    return obj


@transaction.atomic
def retokenize() -> dict[str, int]:
    """Recompute the matcher's stored tokens (``match_tokens``) of all achievements, demands and persons
    (the experts, stored by the people registry) and write those that differ: after a restore of an older
    backup, a load that bypassed the services, or a change of the stop words or of the segmenter's version
    (``kejiju transfer retokenize``). Returns the rows read and written per model. A derived value, so no
    field history and no operation-log rows."""
    from kejiju.people.services import refresh_match_tokens

    a_read, a_written = matching.refresh_tokens(Achievement, matching.achievement_tokens, matching.ACHIEVEMENT_FIELDS)
    d_read, d_written = matching.refresh_tokens(TechDemand, matching.demand_tokens, matching.DEMAND_FIELDS)
    p_read, p_written = refresh_match_tokens()
    return {
        "achievements": a_read,
        "achievements_updated": a_written,
        "demands": d_read,
        "demands_updated": d_written,
        "persons": p_read,
        "persons_updated": p_written,
    }


# ------------------------------------------------------------------ demands


@transaction.atomic
def demand_save(*, actor: Any, enterprise: Any, data: dict[str, Any], demand: TechDemand | None = None) -> TechDemand:
    """Post (or correct) a technology demand of ``enterprise``: by its own account or by bureau staff in
    its region. Title, problem and field required; the budget is exact money; the deadline may not be in
    the past when posting. Raises :class:`RowErrors` / :class:`BusinessError`."""
    _usable_org(enterprise, "enterprise", "需求单位")
    allowed = can_change_demand(actor, demand) if demand else can_post_demand(actor, enterprise)
    if not allowed:
        raise _forbid()
    if demand is not None and demand.status == DemandStatus.CLOSED:
        raise BusinessError("需求已关闭，不能修改。", code="closed")
    e = _Errors()
    values: dict[str, Any] = {
        "title": _text(e, data, "title", "需求名称", 200, True),
        "problem": _text(e, data, "problem", "需求（难题）描述", 5000, True),
        "field": _choice(e, data, "field", "技术领域", TechField),
        "budget": _money(e, data, "budget", "预算"),
        "deadline": _date(e, data, "deadline", "期望解决时间"),
        "contact_name": _text(e, data, "contact_name", "联系人", 40),
        "contact_phone": _phone(e, data, "contact_phone"),
    }
    if demand is None and values["deadline"] is not None and values["deadline"] < date.today():
        e.add("deadline", "期望解决时间不能早于今天。")
    e.raise_if_any()
    obj = demand or TechDemand(enterprise=enterprise, posted_by=actor if getattr(actor, "pk", None) else None)
    obj.enterprise, obj.region_id = enterprise, enterprise.region_id
    for key, value in values.items():
        setattr(obj, key, value)
    obj.match_tokens = matching.demand_tokens(obj)
    with acting(actor):
        obj.save()
    log_operation(actor=actor, action=actions.DEMAND_SAVE, target=obj, extra={"organization": enterprise.pk})
    return obj


@transaction.atomic
def demand_close(*, actor: Any, demand: TechDemand) -> TechDemand:
    """Close a demand (solved elsewhere or withdrawn); its matches stay as they are."""
    obj = TechDemand.objects.select_for_update().get(pk=demand.pk)
    if not can_change_demand(actor, obj):
        raise _forbid()
    obj.status = DemandStatus.CLOSED
    with acting(actor):
        obj.save(update_fields=["status", "updated_at"])
    log_operation(actor=actor, action=actions.DEMAND_CLOSE, target=obj)
    return obj


# ------------------------------------------------------------------ matches


@transaction.atomic
def match_propose(
    *,
    actor: Any,
    demand: TechDemand,
    achievement: Achievement | None = None,
    expert: Any = None,
    score: Decimal | float = 0,
    explanation: str = "",
) -> Match:
    """Staff take a suggested pair (demand ↔ achievement, or demand ↔ expert) into the match list, keeping
    the matcher's score and explanation. Exactly one of ``achievement`` and ``expert``; one match per
    pair; a closed demand takes no new matches. Raises :class:`BusinessError`."""
    if not can_manage_match(actor, demand):
        raise _forbid()
    if (achievement is None) == (expert is None):
        raise BusinessError("请选择一项科技成果或一位专家。", code="invalid", field="achievement")
    if demand.status == DemandStatus.CLOSED:
        raise BusinessError("需求已关闭，不能再对接。", code="closed", field="demand")
    if achievement is not None and (achievement.is_archived or not achievement.is_public):
        raise BusinessError("该科技成果已撤回或未公开。", code="invalid", field="achievement")
    clash = (
        Match.objects.filter(demand=demand, achievement=achievement)
        if achievement
        else Match.objects.filter(demand=demand, expert=expert)
    )
    if clash.exists():
        raise BusinessError("该对接已在列表中。", code="duplicate", field="achievement" if achievement else "expert")
    try:
        score_value = Decimal(str(score)).quantize(Decimal("0.0001"))
    except InvalidOperation:
        score_value = Decimal(0)
    obj = Match(
        demand=demand,
        region_id=demand.region_id,
        kind=MatchKind.ACHIEVEMENT if achievement else MatchKind.EXPERT,
        achievement=achievement,
        expert=expert,
        score=max(min(score_value, Decimal("99.9999")), Decimal(0)),
        explanation=(explanation or "")[:300],
    )
    with acting(actor):
        obj.save()
    log_operation(
        actor=actor,
        action=actions.MATCH_PROPOSE,
        target=obj,
        extra={"demand": demand.pk, "organization": demand.enterprise_id},
    )
    return obj


@transaction.atomic
def match_transition(*, actor: Any, match: Match, action: str, reason: str = "") -> Match:
    """Move a match along the graph (confirm → agree, or decline with a reason). Agreement marks the
    demand 已对接. Raises :class:`BusinessError` for a wrong status, a missing reason or no permission."""
    obj = Match.objects.select_for_update().get(pk=match.pk)
    if not can_manage_match(actor, obj):
        raise _forbid()
    if _has_nul(reason):
        raise BusinessError(_nul_message("原因"), code="invalid", field="reason")
    row = apply_transition(
        obj=obj,
        workflow=MATCH_WORKFLOW,
        action=action,
        actor=actor,
        transition_model=MatchTransition,
        fk_name="match",
        reason=reason,
    )
    if obj.status == MatchStatus.AGREED:
        TechDemand.objects.filter(pk=obj.demand_id, status=DemandStatus.OPEN).update(status=DemandStatus.MATCHED)
    log_operation(
        actor=actor,
        action=actions.MATCH_TRANSITION,
        target=obj,
        extra={"from": row.from_status, "to": row.to_status, "reason": reason.strip()},
    )
    return obj


# ------------------------------------------------------------------ match events


@transaction.atomic
def event_save(
    *,
    actor: Any,
    region: Any,
    data: dict[str, Any],
    organizations: Iterable[Any] = (),
    experts: Iterable[Any] = (),
    pairs: Sequence[tuple[Match, str, str]] = (),
    event: MatchEvent | None = None,
) -> MatchEvent:
    """Record (or correct) a match event (对接会) with its participants and the pairs discussed, each with
    its outcome. An outcome 签订协议 on a confirmed match moves it to 已达成合作 (through
    :func:`match_transition`). Pairs must be confirmed or agreed matches in the actor's scope, each once.
    When correcting ``event``, the pairs already recorded stay as they are (their outcomes have moved the
    matches); ``pairs`` are further pairs discussed, and their parties join the participants. Raises
    :class:`RowErrors` / :class:`BusinessError`."""
    if not (can_change_event(actor, event) if event is not None else can_save_event(actor)):
        raise _forbid()
    code = str(getattr(region, "code", region) or "")
    e = _Errors()
    if not code or not Region.objects.filter(code=code).exists():
        e.add("region", "请选择所属区划。")
    elif not can_manage_region(actor, code):
        e.add("region", "所选区划不在您的管辖范围内。")
    title = _text(e, data, "title", "活动名称", 200, True)
    held_on = _date(e, data, "held_on", "举办日期", True)
    if held_on and held_on > date.today():
        e.add("held_on", "举办日期不能晚于今天（活动结束后再登记）。")
    venue = _text(e, data, "venue", "地点", 200)
    summary = _text(e, data, "summary", "活动纪要", 5000)
    count = data.get("participant_count") or 0
    try:
        count = int(count)
        if not 0 <= count <= 1_000_000:
            raise ValueError
    except (TypeError, ValueError):
        e.add("participant_count", "参会人数应为非负整数。")
        count = 0
    listed = set(event.pairs.values_list("match_id", flat=True)) if event is not None else set()
    seen: set[int] = set()
    for match, outcome, note in pairs:
        if outcome not in PairOutcome.values:
            e.add("pairs", "对接结果无效。")
        if _has_nul(note):
            e.add("pairs", _nul_message("对接“%s”的说明" % match))
        if match.pk in seen:
            e.add("pairs", "对接“%s”重复。" % match)
        elif match.pk in listed:
            e.add("pairs", "对接“%s”已列入本次活动。" % match)
        seen.add(match.pk)
        if match.status not in (MatchStatus.CONFIRMED, MatchStatus.AGREED) or not can_manage_match(actor, match):
            e.add("pairs", "对接“%s”尚未确认，不能列入活动。" % match)
    e.raise_if_any()
    assert held_on is not None  # required: checked above
    obj = event or MatchEvent()
    obj.region_id, obj.title, obj.held_on, obj.venue, obj.participant_count, obj.summary = (
        code,
        title,
        held_on,
        venue,
        count,
        summary,
    )
    with acting(actor):
        obj.save()
    if event is None:
        obj.organizations.set(list(organizations))
        obj.experts.set(list(experts))
    else:
        obj.organizations.add(*organizations)
        obj.experts.add(*experts)
    for match, outcome, note in pairs:
        MatchEventPair.objects.create(event=obj, match=match, outcome=outcome, note=(note or "")[:300])
        if outcome == PairOutcome.AGREEMENT and match.status == MatchStatus.CONFIRMED:
            match_transition(actor=actor, match=match, action="agree", reason="对接活动：%s" % title)
        elif outcome == PairOutcome.NONE and match.status == MatchStatus.CONFIRMED:
            match_transition(actor=actor, match=match, action="decline", reason="对接活动：%s 未达成" % title)
    extra: dict[str, Any] = {"pairs": len(pairs)}
    if event is not None:
        extra["edit"] = True
    log_operation(actor=actor, action=actions.EVENT_SAVE, target=obj, extra=extra)
    return obj


# ------------------------------------------------------------------ contracts


@transaction.atomic
def contract_register(
    *,
    actor: Any,
    region: Any,
    data: dict[str, Any],
    seller: Any = None,
    buyer: Any = None,
    match: Match | None = None,
    contract: TechContract | None = None,
) -> TechContract:
    """Register (or, with ``contract``, correct) a technology contract (技术合同登记). Type, title,
    registration number (unique), registration date, both parties' names (or organizations) and the amount
    (exact yuan: three decimals are refused, never rounded) are required; signed ≤ registered ≤ today.
    From a match, the parties default to the achievement's owner (seller) and the demanding enterprise
    (buyer) — on registration, or on a correction that chooses another match; a correction that keeps the
    match keeps the parties as given (an empty party stays empty). Raises :class:`RowErrors` /
    :class:`BusinessError`."""
    if not (can_change_contract(actor, contract) if contract is not None else can_register_contract(actor)):
        raise _forbid()
    if match is not None and (contract is None or contract.match_id != match.pk):
        # the parties of a match taken on registration (or newly chosen on correction): the achievement's
        # owner sells, the demanding enterprise buys; a correction never fills a party the user left alone
        if seller is None and match.achievement_id is not None:
            seller = match.achievement.owner  # type: ignore[union-attr]
        if buyer is None:
            buyer = match.demand.enterprise
    code = str(getattr(region, "code", region) or "") or str(getattr(seller, "region_id", "") or "")
    e = _Errors()
    if not code or not Region.objects.filter(code=code).exists():
        e.add("region", "请选择登记区划。")
    elif not can_manage_region(actor, code):
        e.add("region", "所选区划不在您的管辖范围内。")
    contract_type = _choice(e, data, "contract_type", "合同类型", ContractType)
    title = _text(e, data, "title", "合同名称", 200, True)
    number = re.sub(r"\s+", "", str(data.get("registration_no") or "")).upper()
    others = TechContract.objects.exclude(pk=contract.pk) if contract is not None else TechContract.objects.all()
    if not number:
        e.add("registration_no", "请填写登记编号。")
    elif not re.fullmatch(r"[0-9A-Z\-]{6,40}", number):
        e.add("registration_no", "登记编号“%s”格式不正确，应为 6 至 40 位数字、字母或连字符。" % number)
    elif others.filter(registration_no=number).exists():
        e.add("registration_no", "登记编号“%s”已登记，不能重复登记。" % number)
    registered_on = _date(e, data, "registered_on", "登记日期", True)
    signed_on = _date(e, data, "signed_on", "签订日期")
    if registered_on and registered_on > date.today():
        e.add("registered_on", "登记日期不能晚于今天。")
    if signed_on and signed_on > date.today():
        e.add("signed_on", "签订日期不能晚于今天。")
    elif signed_on and registered_on and signed_on > registered_on:
        e.add("signed_on", "签订日期不能晚于登记日期。")
    seller_name = _text(e, data, "seller_name", "卖方名称", 200) or (seller.name if seller else "")
    buyer_name = _text(e, data, "buyer_name", "买方名称", 200) or (buyer.name if buyer else "")
    if not seller_name:
        e.add("seller_name", "请填写卖方（受托方）名称。")
    if not buyer_name:
        e.add("buyer_name", "请填写买方（委托方）名称。")
    amount = _money(e, data, "amount", "合同成交额", required=True)
    if amount is not None and amount <= 0:
        e.add("amount", "合同成交额应大于 0。")
    if match is not None and match.status not in (MatchStatus.CONFIRMED, MatchStatus.AGREED):
        e.add("match", "来源对接尚未确认。")
    e.raise_if_any()
    assert registered_on is not None and amount is not None  # required: checked above
    obj = contract or TechContract()
    values: dict[str, Any] = {
        "region_id": code,
        "contract_type": contract_type,
        "title": title,
        "registration_no": number,
        "registered_on": registered_on,
        "signed_on": signed_on,
        "seller": seller,
        "seller_name": seller_name,
        "buyer": buyer,
        "buyer_name": buyer_name,
        "amount": amount,
        "match": match,
    }
    changed = [key for key, value in values.items() if getattr(obj, key) != value] if contract is not None else []
    for key, value in values.items():
        setattr(obj, key, value)
    with acting(actor):
        obj.save()
    if match is not None and match.status == MatchStatus.CONFIRMED:
        match_transition(actor=actor, match=match, action="agree", reason="技术合同登记 %s" % number)
    if contract is None:
        log_operation(actor=actor, action=actions.CONTRACT_REGISTER, target=obj, extra={"amount": str(amount)})
    else:
        log_operation(
            actor=actor,
            action=actions.CONTRACT_UPDATE,
            target=obj,
            extra={"amount": str(amount), "fields": [key.removesuffix("_id") for key in changed]},
        )
    return obj


# ------------------------------------------------------------------ co-operation agreements


@transaction.atomic
def cooperation_save(
    *,
    actor: Any,
    region: Any,
    data: dict[str, Any],
    partner: Any = None,
    local_party: Any = None,
    cooperation: Cooperation | None = None,
) -> Cooperation:
    """Record (or correct) a co-operation agreement with a university or institute and the projects under
    it (refs like ``programs.project:12`` or project names, one per line). Correcting needs the change
    permission and the agreement in the actor's region. The ``partner`` organization stays linked only
    while 合作院校名称 is its name (or a former name): a name changed to another institution drops the link.
    Raises :class:`RowErrors` / :class:`BusinessError`."""
    if not (can_change_cooperation(actor, cooperation) if cooperation is not None else can_save_cooperation(actor)):
        raise _forbid()
    code = str(getattr(region, "code", region) or "")
    e = _Errors()
    if not code or not Region.objects.filter(code=code).exists():
        e.add("region", "请选择所属区划。")
    elif not can_manage_region(actor, code):
        e.add("region", "所选区划不在您的管辖范围内。")
    title = _text(e, data, "title", "协议名称", 200, True)
    partner_name = _text(e, data, "partner_name", "合作院校（院所）名称", 200) or (partner.name if partner else "")
    if not partner_name:
        e.add("partner_name", "请填写合作院校（院所）名称。")
    signed_on = _date(e, data, "signed_on", "签订日期", True)
    ends_on = _date(e, data, "ends_on", "有效期至")
    if signed_on and ends_on and ends_on < signed_on:
        e.add("ends_on", "有效期至不能早于签订日期。")
    content = _text(e, data, "content", "合作内容", 5000)
    raw_projects = data.get("projects") or []
    if isinstance(raw_projects, str):
        raw_projects = raw_projects.splitlines()
    projects = [str(p).strip()[:200] for p in raw_projects if str(p).strip()]
    if any(_has_nul(p) for p in projects):
        e.add("projects", _nul_message("合作项目"))
    if len(projects) > 200:
        e.add("projects", "合作项目最多 200 项。")
    e.raise_if_any()
    assert signed_on is not None  # required: checked above
    partner = _linked(partner, partner_name)
    obj = cooperation or Cooperation()
    obj.region_id, obj.title, obj.partner, obj.partner_name = code, title, partner, partner_name
    obj.local_party, obj.signed_on, obj.ends_on, obj.content, obj.projects = (
        local_party,
        signed_on,
        ends_on,
        content,
        projects,
    )
    with acting(actor):
        obj.save()
    log_operation(actor=actor, action=actions.COOPERATION_SAVE, target=obj)
    return obj


def is_ref(value: str) -> bool:
    """Whether ``value`` is a record reference such as ``programs.project:12``."""
    return bool(_REF.match(value))

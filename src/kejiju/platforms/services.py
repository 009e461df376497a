"""Writes of innovation platforms (house rule 1): registry, status, yearly reports, evaluation, rewards."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction

from kejiju.core.audit import log_operation
from kejiju.core.errors import BusinessError, RowErrors
from kejiju.core.history import acting
from kejiju.core.permissions import can_act
from kejiju.core.workflow import apply_transition
from kejiju.platforms import actions
from kejiju.platforms.choices import PlatformLevel, PlatformStatus
from kejiju.platforms.models import (
    IndicatorTemplate,
    Platform,
    PlatformEvaluation,
    PlatformKind,
    PlatformReport,
    PlatformStatusChange,
)
from kejiju.platforms.workflows import STATUS

PLATFORM_FIELDS = (
    "name",
    "kind",
    "level",
    "host",
    "recognition_doc",
    "recognised_on",
    "area",
    "staff",
    "services",
    "contact_person",
    "contact_phone",
)
#: The subsidy policy a recognition reward is calculated under (kind ``by_level``).
REWARD_POLICY = "platform_recognition"


def _check_perm(actor: Any, perm: str, obj: Any = None) -> None:
    if actor is not None and not can_act(actor, perm, obj):
        raise BusinessError("您没有该操作的权限。", code="forbidden")


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


def _date(value: Any) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValueError(str(value)) from None


def _count(value: Any, label: str, fld: str, errors: dict[str, list[str]], *, required: bool = False) -> int | None:
    if value in (None, ""):
        if required:
            errors.setdefault(fld, []).append("请填写%s。" % label)
        return None
    text = str(value).strip()
    if isinstance(value, bool) or not re.fullmatch(r"\d{1,9}", text):
        errors.setdefault(fld, []).append("%s“%s”应为非负整数。" % (label, value))
        return None
    return int(text)


def _money(value: Any, label: str, fld: str, errors: dict[str, list[str]]) -> Decimal | None:
    if value in (None, ""):
        return None
    text = str(value).strip().replace(",", "")
    if isinstance(value, bool) or not re.fullmatch(r"\d{1,10}(\.\d+)?", text):
        errors.setdefault(fld, []).append("%s“%s”不是有效的非负数。" % (label, value))
        return None
    try:
        amount = Decimal(text)
    except InvalidOperation:
        errors.setdefault(fld, []).append("%s“%s”不是有效的数。" % (label, value))
        return None
    if amount != amount.quantize(Decimal("0.01")):
        errors.setdefault(fld, []).append("%s最多保留两位小数。" % label)
        return None
    return amount


@transaction.atomic
def platform_kind_save(*, actor: Any, code: str, name: str, order: int = 100, is_active: bool = True) -> PlatformKind:
    """Add or rename/disable a platform kind (code table: never deleted)."""
    if actor is not None and not actor.has_perm("platforms.manage_platformkind"):
        raise BusinessError("您没有维护平台类型的权限。", code="forbidden")
    code, name = (code or "").strip(), (name or "").strip()
    if not re.fullmatch(r"[a-z0-9_]{1,40}", code):
        raise BusinessError("类型代码应为 1–40 位小写字母、数字或下划线。", code="invalid", field="code")
    if not name or len(name) > 60:
        raise BusinessError("类型名称不能为空，且不超过 60 个字。", code="invalid", field="name")
    kind, _ = PlatformKind.objects.update_or_create(
        code=code, defaults={"name": name, "order": order, "is_active": is_active}
    )
    log_operation(actor=actor, action=actions.KIND_SAVE, target=kind, region=getattr(actor, "region_id", None))
    return kind


def clean_platform(raw: dict[str, Any], *, actor: Any = None) -> dict[str, Any]:
    """Check a platform's fields (``PLATFORM_FIELDS``; ``kind`` a code or pk, ``host`` an Organization
    the actor may see). Raises :class:`RowErrors` naming every bad field."""
    errors: dict[str, list[str]] = {}
    data: dict[str, Any] = {}
    name = re.sub(r"\s+", "", str(raw.get("name") or ""))
    if not name:
        errors.setdefault("name", []).append("平台名称不能为空。")
    elif len(name) > 200:
        errors.setdefault("name", []).append("平台名称不能超过 200 个字。")
    data["name"] = name
    kind = raw.get("kind")
    if isinstance(kind, PlatformKind):
        data["kind"] = kind
    else:
        text = str(kind or "").strip()
        found = PlatformKind.objects.filter(code=text).first()
        if found is None and text.isdigit() and len(text) < 10:
            found = PlatformKind.objects.filter(pk=int(text)).first()
        if found is None or not found.is_active:
            errors.setdefault("kind", []).append("平台类型“%s”不存在或已停用。" % text)
        data["kind"] = found
    level = str(raw.get("level") or "").strip()
    if level not in PlatformLevel.values:
        errors.setdefault("level", []).append("级别无效，应为：%s。" % "、".join(str(c.label) for c in PlatformLevel))
    data["level"] = level
    host = raw.get("host")
    if host is None or not hasattr(host, "region_id"):
        errors.setdefault("host", []).append("请选择依托单位。")
    elif actor is not None and not can_act(actor, "platforms.add_platform", host):
        errors.setdefault("host", []).append("依托单位不在您的管辖范围内。")
    data["host"] = host
    doc = str(raw.get("recognition_doc") or "").strip()
    if len(doc) > 100:
        errors.setdefault("recognition_doc", []).append("认定文件文号不能超过 100 个字。")
    data["recognition_doc"] = doc
    try:
        recognised = _date(raw.get("recognised_on"))
        if recognised is None:
            errors.setdefault("recognised_on", []).append("请填写认定日期。")
        elif recognised > date.today():
            errors.setdefault("recognised_on", []).append("认定日期不能晚于今天。")
        elif recognised.year < 1980:
            errors.setdefault("recognised_on", []).append("认定日期不合理。")
        data["recognised_on"] = recognised
    except ValueError:
        errors.setdefault("recognised_on", []).append(
            "认定日期“%s”不是有效日期，格式应为 2024-05-01。" % raw.get("recognised_on")
        )
    data["area"] = _money(raw.get("area"), "场地面积", "area", errors)
    data["staff"] = _count(raw.get("staff"), "服务人员数", "staff", errors)
    data["services"] = str(raw.get("services") or "").strip()[:2000]
    for fld, limit, label in (("contact_person", 40, "联系人"), ("contact_phone", 40, "联系电话")):
        value = str(raw.get(fld) or "").strip()
        if len(value) > limit:
            errors.setdefault(fld, []).append("%s不能超过 %d 个字。" % (label, limit))
        data[fld] = value
    if errors:
        raise RowErrors(errors)
    return data


@transaction.atomic
def platform_save(*, actor: Any, data: dict[str, Any], platform: Platform | None = None) -> Platform:
    """Register a platform (or correct one). Its region is the host organization's region. One name per
    kind and level. Raises :class:`RowErrors`."""
    if platform is None:
        _check_perm(actor, "platforms.add_platform")
    else:
        platform = Platform.objects.select_for_update().get(pk=platform.pk)
        _check_perm(actor, "platforms.change_platform", platform)
    values = clean_platform(data, actor=actor)
    clash = Platform.objects.filter(kind=values["kind"], level=values["level"], name=values["name"])
    if platform is not None:
        clash = clash.exclude(pk=platform.pk)
    if clash.exists():
        raise RowErrors({"name": ["同类型同级别已登记名为“%s”的平台。" % values["name"]]})
    obj = platform or Platform()
    for key, value in values.items():
        setattr(obj, key, value)
    obj.region_id = values["host"].region_id
    with acting(actor):
        obj.save()
    if platform is None:
        PlatformStatusChange.objects.create(
            platform=obj, from_status="", to_status=obj.status, action="create", actor=_user(actor)
        )
    log_operation(actor=actor, action=actions.PLATFORM_SAVE, target=obj, extra={"organization": obj.host_id})
    return obj


@transaction.atomic
def platform_transition(*, actor: Any, platform: Platform, action: str, reason: str = "") -> Platform:
    """Change a platform's status (warn / restore / revoke, each with a reason), with its history row."""
    locked = Platform.objects.select_for_update().get(pk=platform.pk)
    _check_perm(actor, "platforms.evaluate_platform", locked)
    apply_transition(
        obj=locked,
        workflow=STATUS,
        action=action,
        actor=actor,
        transition_model=PlatformStatusChange,
        fk_name="platform",
        reason=reason,
    )
    log_operation(
        actor=actor, action=actions.PLATFORM_STATUS, target=locked, extra={"action": action, "status": locked.status}
    )
    return locked


def can_report(actor: Any, platform: Platform) -> bool:
    """Bureau staff who may change the platform, or an account acting for its host organization."""
    if actor is None:
        return True
    if can_act(actor, "platforms.change_platform", platform):
        return True
    from kejiju.orgs.selectors import organizations_of_user

    return organizations_of_user(user=actor).filter(pk=platform.host_id).exists()


REPORT_COUNTS = (
    ("incubated", "在孵（服务）企业数"),
    ("graduates", "毕业企业数"),
    ("events", "举办活动数"),
    ("jobs", "带动就业人数"),
)


@transaction.atomic
def platform_report_save(*, actor: Any, platform: Platform, year: Any, data: dict[str, Any]) -> PlatformReport:
    """Save a platform's yearly report (one per year, corrected in place). Counts are non-negative
    integers, graduates not more than incubated, revenue yuan with two decimals. A revoked platform
    reports no more."""
    if not can_report(actor, platform):
        raise BusinessError("您没有填报该平台年度报告的权限。", code="forbidden")
    if platform.status == PlatformStatus.REVOKED:
        raise BusinessError("平台已撤销，不再填报年度报告。", code="revoked")
    errors: dict[str, list[str]] = {}
    y = _count(year, "年度", "year", errors, required=True)
    if y is not None and not 2000 <= y <= date.today().year:
        errors.setdefault("year", []).append("年度应在 2000 年至今年之间。")
    values: dict[str, Any] = {}
    for fld, label in REPORT_COUNTS:
        values[fld] = _count(data.get(fld), label, fld, errors, required=True)
    revenue = data.get("revenue")
    values["revenue"] = _money(revenue if revenue not in (None, "") else "0", "总收入", "revenue", errors)
    if values.get("incubated") is not None and values.get("graduates") is not None:
        if values["graduates"] > values["incubated"]:
            errors.setdefault("graduates", []).append("毕业企业数不能多于在孵（服务）企业数。")
    unknown = set(data) - {f for f, _ in REPORT_COUNTS} - {"revenue", "summary"}
    for key in sorted(unknown):
        errors.setdefault(key, []).append("未知字段“%s”。" % key)
    if errors:
        raise RowErrors(errors)
    assert y is not None
    report = PlatformReport.objects.filter(platform=platform, year=y).first() or PlatformReport(
        platform=platform, year=y
    )
    for key, value in values.items():
        setattr(report, key, value)
    report.summary = str(data.get("summary") or "").strip()[:5000]
    with acting(actor):
        report.save()
    log_operation(
        actor=actor, action=actions.REPORT_SAVE, target=platform, extra={"year": y, "organization": platform.host_id}
    )
    return report


def clean_template_items(items: Any) -> list[dict[str, Any]]:
    """Items ``[{"key", "name", "weight"}]``: unique keys, integer weights > 0 summing to 100."""
    if not isinstance(items, list) or not items:
        raise BusinessError("评价指标不能为空。", code="invalid", field="items")
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for n, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise BusinessError("第 %d 项指标格式有误。" % n, code="invalid", field="items")
        key = str(item.get("key") or "").strip()
        name = str(item.get("name") or "").strip()
        weight = item.get("weight")
        if not re.fullmatch(r"[a-z0-9_]{1,30}", key) or key in seen:
            raise BusinessError("第 %d 项指标代码无效或重复。" % n, code="invalid", field="items")
        if not name or len(name) > 60:
            raise BusinessError("第 %d 项指标名称不能为空，且不超过 60 个字。" % n, code="invalid", field="items")
        if isinstance(weight, bool) or not isinstance(weight, int) or weight <= 0:
            raise BusinessError("第 %d 项指标权重应为正整数。" % n, code="invalid", field="items")
        seen.add(key)
        out.append({"key": key, "name": name, "weight": weight})
    if sum(i["weight"] for i in out) != 100:
        raise BusinessError("各项指标权重之和应为 100。", code="invalid", field="items")
    return out


@transaction.atomic
def indicator_template_save(
    *, actor: Any, name: str, items: Any, template: IndicatorTemplate | None = None
) -> IndicatorTemplate:
    """Create or change an evaluation template (weights sum to 100)."""
    if actor is not None and not actor.has_perm("platforms.evaluate_platform"):
        raise BusinessError("您没有维护评价模板的权限。", code="forbidden")
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise BusinessError("模板名称不能为空，且不超过 100 个字。", code="invalid", field="name")
    clean = clean_template_items(items)
    obj = template or IndicatorTemplate()
    obj.name, obj.items = name, clean
    obj.save()
    log_operation(actor=actor, action=actions.TEMPLATE_SAVE, target=obj, region=getattr(actor, "region_id", None))
    return obj


def grade_of(total: Decimal) -> str:
    """优秀 ≥ 90, 良好 ≥ 75, 合格 ≥ 60, else 不合格."""
    if total >= 90:
        return "优秀"
    if total >= 75:
        return "良好"
    if total >= 60:
        return "合格"
    return "不合格"


@transaction.atomic
def platform_evaluate(
    *, actor: Any, platform: Platform, year: Any, template: IndicatorTemplate, scores: dict[str, Any], comment: str = ""
) -> PlatformEvaluation:
    """Score a platform's year with a template: each item 0–100 (integers or up to two decimals), total =
    Σ score × weight ÷ 100 (exact, two places), grade from the total. One evaluation per year
    (re-scoring replaces it). Raises :class:`RowErrors` naming the item."""
    locked = Platform.objects.select_for_update().get(pk=platform.pk)
    _check_perm(actor, "platforms.evaluate_platform", locked)
    errors: dict[str, list[str]] = {}
    y = _count(year, "年度", "year", errors, required=True)
    if y is not None and not 2000 <= y <= date.today().year:
        errors.setdefault("year", []).append("年度应在 2000 年至今年之间。")
    items = template.items
    clean: dict[str, str] = {}
    total = Decimal(0)
    if not isinstance(scores, dict):
        raise RowErrors({"scores": ["分项得分应为键值表。"]})
    for key in sorted(set(scores) - {i["key"] for i in items}):
        errors.setdefault(key, []).append("模板中没有指标“%s”。" % key)
    for item in items:
        value = _money(scores.get(item["key"]), item["name"], item["key"], errors)
        if value is None:
            if item["key"] not in errors:
                errors.setdefault(item["key"], []).append("请填写“%s”的得分。" % item["name"])
            continue
        if value > 100:
            errors.setdefault(item["key"], []).append("“%s”得分应在 0–100 之间。" % item["name"])
            continue
        clean[item["key"]] = str(value)
        total += value * item["weight"] / 100
    if errors:
        raise RowErrors(errors)
    assert y is not None
    total = total.quantize(Decimal("0.01"))
    evaluation = PlatformEvaluation.objects.filter(platform=locked, year=y).first() or PlatformEvaluation(
        platform=locked, year=y
    )
    evaluation.template, evaluation.scores, evaluation.total = template, clean, total
    evaluation.grade, evaluation.comment = grade_of(total), (comment or "").strip()[:2000]
    evaluation.evaluated_by = _user(actor)
    with acting(actor):
        evaluation.save()
    log_operation(
        actor=actor,
        action=actions.EVALUATE,
        target=locked,
        extra={"year": y, "total": str(total), "grade": evaluation.grade, "organization": locked.host_id},
    )
    return evaluation


@transaction.atomic
def platform_reward(*, actor: Any, platform: Platform, year: Any = None, policy_code: str = REWARD_POLICY) -> Any:
    """Calculate the recognition reward of a platform through the subsidy API (policy kind ``by_level``,
    input ``level``); once per platform (``source`` = ``platforms.platform:<pk>``). Raises
    ``BusinessError`` when the policy is missing or has no amount for the level."""
    from kejiju.cultivation.services import subsidy_award_create

    if platform.status == PlatformStatus.REVOKED:
        raise BusinessError("平台已撤销，不能计算认定奖补。", code="revoked")
    award = subsidy_award_create(
        actor=actor,
        policy_code=policy_code,
        organization=platform.host,
        year=year or platform.recognised_on.year,
        inputs={"level": platform.level},
        source="platforms.platform:%d" % platform.pk,
    )
    log_operation(
        actor=actor,
        action=actions.REWARD,
        target=platform,
        extra={"award": award.pk, "amount": str(award.amount), "organization": platform.host_id},
    )
    return award

"""Writes of the review app (house rule 1): the expert pool, review batches, the draw, invitations,
scoring, aggregation and the outcome handed back to the source app.

Every service is keyword-only, runs in one transaction, checks the actor, validates, saves inside
``acting(actor)`` and writes an operation-log row. Errors are ``BusinessError`` / ``RowErrors`` with a
Chinese reason naming the field; a failure changes nothing.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from kejiju.core.audit import log_operation
from kejiju.core.errors import BusinessError, RowErrors
from kejiju.core.history import acting
from kejiju.core.models import Region
from kejiju.core.notify import notify
from kejiju.core.permissions import active_region_code, can_manage_region
from kejiju.core.workflow import apply_transition
from kejiju.engines import assignment as engine
from kejiju.engines.contact import is_phone, normalize_phone
from kejiju.review import actions
from kejiju.review.choices import (
    TIMED_RELATIONS,
    AssignmentStatus,
    BatchMode,
    BatchStatus,
    ConflictKind,
    ConflictSource,
    DeclaredRelation,
    ExpertOrigin,
    ExpertStatus,
    Recommendation,
    ReviewFormat,
)
from kejiju.review.models import (
    ApplicantAvoid,
    Assignment,
    AssignmentTransition,
    AvailabilityWindow,
    BatchConflict,
    BatchItem,
    BatchTransition,
    Criterion,
    DrawRecord,
    Expert,
    ExpertRating,
    ExpertRelation,
    ExpertTransition,
    FeeSchedule,
    MeetingSession,
    ReviewBatch,
    ScoreSheet,
)
from kejiju.review.permissions import (
    can_add_batch,
    can_add_expert,
    can_change_batch,
    can_change_expert,
    can_draw_batch,
    expert_of,
    is_own_assignment,
)
from kejiju.review.sources import ReviewOutcome, ReviewSubject, review_source, review_sources
from kejiju.review.workflows import ASSIGNMENT_WORKFLOW, BATCH_WORKFLOW, EXPERT_WORKFLOW

#: Person fields an expert form passes on to the people registry.
PERSON_KEYS = (
    "name",
    "id_type",
    "id_number",
    "region",
    "phone",
    "email",
    "title",
    "subjects",
    "industries",
    "keywords",
)
EXPERT_KEYS = (
    "organization",
    "organization_name",
    "title",
    "subjects",
    "industries",
    "keywords",
    "phone",
    "email",
    "bank_account_name",
    "bank_name",
    "bank_account_no",
    "note",
)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_SPLIT = re.compile(r"[,，;；、\s]+")
_WITNESS_SPLIT = re.compile(r"[,，;；、\n]+")
TWO = Decimal("0.01")


@lru_cache(maxsize=1)
def subject_codes() -> dict[str, str]:
    """GB/T 13745-2009 codes and names as shipped with the platform."""
    from kejiju.core.services.codes import load_code_file

    return {str(i["code"]): str(i["name"]) for i in load_code_file("subject")["items"]}


def split_words(value: Any) -> list[str]:
    if value in (None, ""):
        return []
    if isinstance(value, str):
        value = _SPLIT.split(value)
    return [str(v).strip() for v in value if str(v).strip()]


# ============================================================================ expert pool


def clean_expert(data: dict[str, Any], *, instance: Expert | None = None) -> tuple[dict[str, Any], dict[str, list]]:
    """Check the expert's own fields (those present in ``data`` on update). Never writes.

    Rules: at least one subject, each a GB/T 13745 code (the first is the main subject); 联系电话 a phone
    number; 电子邮箱 an address; 银行账号 8–30 digits (spaces allowed when typing) and, when given, 开户名
    and 开户银行 too; text lengths within their fields."""
    out: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    creating = instance is None

    def err(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    if creating or "subjects" in data:
        subjects = split_words(data.get("subjects"))
        known = subject_codes()
        if not subjects:
            err("subjects", "请至少选择一个学科（第一个为主学科）。")
        for code in subjects:
            if code not in known:
                err("subjects", "学科代码“%s”不在《学科分类与代码》（GB/T 13745）中。" % code)
        out["subjects"] = list(dict.fromkeys(subjects))
    if "industries" in data:
        out["industries"] = split_words(data.get("industries"))
    for name, limit in (
        ("title", 60),
        ("keywords", 300),
        ("organization_name", 200),
        ("bank_account_name", 60),
        ("bank_name", 100),
    ):
        if name in data:
            text = str(data.get(name) or "").strip()
            if len(text) > limit:
                err(name, "不能超过 %d 个字。" % limit)
            out[name] = text
    if "note" in data:
        out["note"] = str(data.get("note") or "").strip()
    if "phone" in data:
        phone = normalize_phone(str(data.get("phone") or ""))
        if phone and not is_phone(phone):
            err("phone", "联系电话“%s”不是有效的电话号码。" % data.get("phone"))
        out["phone"] = phone
    if "email" in data:
        email = str(data.get("email") or "").strip()
        if email and not _EMAIL.fullmatch(email):
            err("email", "电子邮箱“%s”格式不正确。" % email)
        out["email"] = email
    if "bank_account_no" in data:
        raw = str(data.get("bank_account_no") or "")
        number = re.sub(r"[\s-]+", "", raw)
        if number and not number.isdigit():
            err("bank_account_no", "银行账号只能由数字组成。")
        elif number and not 8 <= len(number) <= 30:
            err("bank_account_no", "银行账号应为 8 至 30 位数字，现为 %d 位。" % len(number))
        out["bank_account_no"] = number
    account = out.get("bank_account_no", instance.bank_account_no if instance else "")
    if account and not errors.get("bank_account_no"):
        for name, label in (("bank_account_name", "开户名"), ("bank_name", "开户银行")):
            value = out.get(name, getattr(instance, name, "") if instance else "")
            if not value:
                err(name, "填写银行账号时须同时填写%s。" % label)
    if "organization" in data:
        org = data.get("organization")
        out["organization"] = getattr(org, "pk", org) or None
    return out, errors


def _person_data(data: dict[str, Any]) -> dict[str, Any]:
    person = {k: data[k] for k in PERSON_KEYS if k in data and data[k] not in (None, "")}
    org = data.get("organization")
    if org:
        person["organization"] = getattr(org, "pk", org)
    return person


def _check_organization(actor: Any, org_id: Any) -> None:
    if not org_id:
        return
    from django.http import Http404

    from kejiju.orgs.selectors import organization_get

    if actor is None:
        return
    try:
        organization_get(user=actor, pk=org_id)
    except Http404:
        raise RowErrors({"organization": ["所选工作单位不存在或不在您的管辖范围内。"]}) from None


def _save_expert(*, actor: Any, data: dict[str, Any], origin: str, status: str, check_scope: bool = True) -> Expert:
    from kejiju.people.services import person_ensure

    cleaned, errors = clean_expert(data)
    region = str(data.get("region") or "").strip()
    if not region:
        errors.setdefault("region", []).append("所属区划不能为空。")
    elif not Region.objects.filter(code=region).exists():
        errors.setdefault("region", []).append("区划代码“%s”不存在。" % region)
    elif check_scope and actor is not None and not can_manage_region(actor, region):
        errors.setdefault("region", []).append("所选区划不在您的管辖范围内。")
    if not str(data.get("name") or "").strip():
        errors.setdefault("name", []).append("姓名不能为空。")
    if errors:
        raise RowErrors(errors)
    _check_organization(actor, cleaned.get("organization"))
    person = person_ensure(actor=actor, data=_person_data({**data, **cleaned, "region": region}))
    if Expert.objects.filter(person=person).exists():
        raise RowErrors({"id_number": ["%s 已在专家库中，不能重复登记。" % person.name]})
    expert = Expert(person=person, name=person.name, region_id=region, origin=origin, status=status)
    for name, value in cleaned.items():
        setattr(expert, "organization_id" if name == "organization" else name, value)
    if not expert.phone:
        expert.phone = person.phone
    if not expert.email:
        expert.email = person.email
    with acting(actor):
        expert.save()
    return expert


@transaction.atomic
def expert_create(*, actor: Any, data: dict[str, Any], origin: str = ExpertOrigin.STAFF) -> Expert:
    """Add an expert to the pool (在库). The person is found by ID number or registered
    (``people.person_ensure``); one person has at most one expert profile. Raises ``RowErrors`` naming
    each bad field, ``BusinessError`` without permission. Logged as ``review.expert_create``."""
    if not can_add_expert(actor):
        raise BusinessError("您没有新增专家的权限。", code="forbidden")
    expert = _save_expert(actor=actor, data=data, origin=origin, status=ExpertStatus.ACTIVE)
    log_operation(actor=actor, action=actions.EXPERT_CREATE, target=expert, extra={"origin": origin})
    return expert


@transaction.atomic
def expert_apply(*, data: dict[str, Any]) -> Expert:
    """A person applies online to join the pool (自荐): stored as 待审核 until staff approve (workflow
    ``approve``/``reject``). Same field rules as :func:`expert_create`. Logged as ``review.expert_apply``."""
    if not str(data.get("id_number") or "").strip():
        raise RowErrors({"id_number": ["证件号码不能为空。"]})
    expert = _save_expert(
        actor=None, data=data, origin=ExpertOrigin.APPLICATION, status=ExpertStatus.APPLIED, check_scope=False
    )
    log_operation(actor=None, action=actions.EXPERT_APPLY, target=expert, actor_repr="%s（本人申请）" % expert.name)
    return expert


@transaction.atomic
def expert_update(*, actor: Any, expert: Expert, data: dict[str, Any]) -> Expert:
    """Change an expert's profile (only the fields in ``data``). Logged with the changed field names."""
    expert = Expert.objects.select_for_update().get(pk=expert.pk)
    if not can_change_expert(actor, expert):
        raise BusinessError("您没有修改该专家的权限。", code="forbidden")
    cleaned, errors = clean_expert({k: v for k, v in data.items() if k in EXPERT_KEYS}, instance=expert)
    if errors:
        raise RowErrors(errors)
    if "organization" in cleaned and cleaned["organization"] != expert.organization_id:
        _check_organization(actor, cleaned["organization"])
    changed = []
    for name, value in cleaned.items():
        attr = "organization_id" if name == "organization" else name
        if getattr(expert, attr) != value:
            setattr(expert, attr, value)
            changed.append(name)
    if changed:
        with acting(actor):
            expert.save()
        log_operation(actor=actor, action=actions.EXPERT_UPDATE, target=expert, extra={"fields": changed})
    return expert


@transaction.atomic
def expert_transition(*, actor: Any, expert: Expert, action: str, reason: str = "") -> Expert:
    """Move an expert along :data:`EXPERT_WORKFLOW` (审核通过、暂停、恢复、退出、除名…); the reason is
    kept on the profile and in the transition row. Raises ``BusinessError`` for a wrong status or a
    missing reason."""
    expert = Expert.objects.select_for_update().get(pk=expert.pk)
    if not can_change_expert(actor, expert):
        raise BusinessError("您没有修改该专家的权限。", code="forbidden")
    expert.status_reason = reason.strip()[:200]
    row = apply_transition(
        obj=expert,
        workflow=EXPERT_WORKFLOW,
        action=action,
        actor=actor,
        transition_model=ExpertTransition,
        fk_name="expert",
        reason=reason,
        update_fields=["status_reason"],
    )
    log_operation(
        actor=actor,
        action=actions.EXPERT_STATUS,
        target=expert,
        extra={"action": action, "from": row.from_status, "to": row.to_status, "reason": reason.strip()},
    )
    return expert


@transaction.atomic
def expert_account_create(*, actor: Any, expert: Expert, username: str = "") -> tuple[Any, str]:
    """Open the expert's own account (role 专家) with a random initial password, returned once to show to
    staff; the holder changes it at first login. Raises ``BusinessError`` when the expert already has one
    or is not in the pool."""
    from kejiju.core.choices import Role
    from kejiju.core.services.accounts import user_create

    expert = Expert.objects.select_for_update().get(pk=expert.pk)
    if not can_change_expert(actor, expert):
        raise BusinessError("您没有修改该专家的权限。", code="forbidden")
    if expert.user_id:
        raise BusinessError("该专家已有登录账号。", code="exists")
    if expert.status not in (ExpertStatus.ACTIVE, ExpertStatus.PAUSED):
        raise BusinessError("只有在库或暂停的专家可以开通账号。", code="bad_status")
    password = "Zj-" + secrets.token_urlsafe(9)
    user = user_create(
        actor=None,
        username=username or "zj%s" % expert.pk,
        full_name=expert.name,
        password=password,
        role=Role.EXPERT,
        region=expert.region,
        phone=expert.phone,
        email=expert.email,
    )
    expert.user = user
    with acting(actor):
        expert.save(update_fields=["user", "updated_at"])
    log_operation(actor=actor, action=actions.EXPERT_ACCOUNT, target=expert, extra={"username": user.username})
    return user, password


@transaction.atomic
def expert_link_account(*, actor: Any, expert: Expert, user: Any) -> Expert:
    """Link an existing 专家 account to the expert (setup and demo data)."""
    from kejiju.core.choices import Role

    expert = Expert.objects.select_for_update().get(pk=expert.pk)
    if actor is not None and not can_change_expert(actor, expert):
        raise BusinessError("您没有修改该专家的权限。", code="forbidden")
    if user.role != Role.EXPERT:
        raise BusinessError("只能绑定角色为“专家”的账号。", code="bad_role", field="user")
    if Expert.objects.filter(user=user).exclude(pk=expert.pk).exists():
        raise BusinessError("该账号已绑定其他专家。", code="taken", field="user")
    expert.user = user
    with acting(actor):
        expert.save(update_fields=["user", "updated_at"])
    log_operation(actor=actor, action=actions.EXPERT_ACCOUNT, target=expert, extra={"username": user.username})
    return expert


def _may_edit_own(actor: Any, expert: Expert) -> bool:
    own = expert_of(actor)
    return (own is not None and own.pk == expert.pk) or can_change_expert(actor, expert)


def relation_years(batch: ReviewBatch | None = None) -> int:
    """How many years a declared supervisor/student or co-author relation keeps counting: the batch's own
    setting, else ``settings.KEJIJU_REVIEW_RELATION_YEARS`` (default 3)."""
    from django.conf import settings

    if batch is not None and batch.relation_years:
        return int(batch.relation_years)
    return int(getattr(settings, "KEJIJU_REVIEW_RELATION_YEARS", DEFAULT_RELATION_YEARS))


#: Years a supervisor/student or co-author relation counts when neither the batch nor the settings say.
DEFAULT_RELATION_YEARS = 3
#: Kept for callers of the first version: the default number of years.
COAUTHOR_YEARS = DEFAULT_RELATION_YEARS


def _norm_name(value: Any) -> str:
    """A person's or organization's name for comparison: no blanks, full-width brackets as half-width."""
    text = re.sub(r"\s+", "", str(value or ""))
    return text.replace("（", "(").replace("）", ")")


@transaction.atomic
def expert_relation_add(*, actor: Any, expert: Expert, data: dict[str, Any]) -> ExpertRelation:
    """Declare a relation that creates conflicts (回避申报), by the expert from their own account or by staff.

    ``relation``: 近亲属 / 导师或学生 / 合作发表论著 / 其他利害关系 name a person — by ``id_number`` (with
    ``name``; the person is found or registered) or, without a number, by ``name`` and
    ``organization_name`` (matched against team members by name and organization); 导师或学生 and 合作发表
    take the ``year`` of the latest supervision or joint work (required for 合作发表) and lapse after the
    batch's number of years. ``organization`` names an organization (``organization_name``, or
    ``organization`` id for staff): every record of it, as applicant or co-operating organization, is avoided.

    Rules: the relation is one of the list; a person is named by a valid ID number or by name and
    organization; the year is between 1950 and this year; no duplicate of an earlier declaration; the
    expert may not name themself. Raises ``RowErrors`` naming the field, ``BusinessError`` without
    permission; a failure changes nothing. Logged as ``review.expert_relation``."""
    from kejiju.people.selectors import person_by_document
    from kejiju.people.services import check_person_id, person_ensure

    if not _may_edit_own(actor, expert):
        raise BusinessError("您没有修改该专家的权限。", code="forbidden")
    relation = str(data.get("relation") or "").strip()
    errors: dict[str, list[str]] = {}

    def err(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    if relation not in DeclaredRelation.values:
        err("relation", "关系无效，应为：%s。" % "、".join(str(c.label) for c in DeclaredRelation))
    name = re.sub(r"\s+", "", str(data.get("name") or ""))
    id_number = str(data.get("id_number") or "").strip()
    org_name = str(data.get("organization_name") or "").strip()
    org_id = data.get("organization")
    org_id = getattr(org_id, "pk", org_id) or None
    note = str(data.get("note") or "").strip()
    if len(note) > 200:
        err("note", "说明不能超过 200 个字。")
    if len(org_name) > 200:
        err("organization_name", "单位名称不能超过 200 个字。")
    if len(name) > 40:
        err("name", "姓名不能超过 40 个字。")
    year: int | None = None
    if data.get("year") not in (None, ""):
        try:
            year = int(str(data.get("year")).strip())
        except ValueError:
            year = -1
        if not 1950 <= year <= timezone.localdate().year:
            err("year", "年份应为 1950 年至今年之间的年份。")
    elif relation == DeclaredRelation.COAUTHOR:
        err("year", "合作发表须填写最近一次合作的年份。")
    row = ExpertRelation(
        expert=expert, relation=relation, year=year, note=note, declared_by_expert=_is_self(actor, expert)
    )
    person = None
    if relation == DeclaredRelation.ORGANIZATION:
        if org_id:
            _check_organization(actor, org_id)
            row.organization_id = int(org_id)
        elif not org_name:
            err("organization_name", "请填写需要回避的单位名称。")
        if org_name and expert.org_label and _norm_name(org_name) == _norm_name(expert.org_label):
            err("organization_name", "本人工作单位已自动回避，无须申报。")
        row.organization_name = org_name
    elif relation in DeclaredRelation.values:
        if id_number:
            value, id_errors, _ = check_person_id(str(data.get("id_type") or "resident"), id_number)
            if id_errors:
                errors.setdefault("id_number", []).extend(id_errors)
            elif not name and person_by_document(value) is None:
                err("name", "该证件号码尚未登记，请同时填写姓名。")
        elif not name or not org_name:
            err("id_number", "请填写关系人的身份证号码，或同时填写姓名和工作单位。")
        row.person_name, row.organization_name = name, org_name
    if errors:
        raise RowErrors(errors)
    if relation != DeclaredRelation.ORGANIZATION and id_number:
        person = person_ensure(
            actor=None,
            data={
                "name": name,
                "id_type": data.get("id_type") or "resident",
                "id_number": id_number,
                "region": expert.region_id,
            },
            update_blank=False,
        )
        if person.pk == expert.person_id:
            raise RowErrors({"id_number": ["不能申报与本人的关系。"]})
        row.person, row.person_name = person, person.name
    duplicate = ExpertRelation.objects.filter(expert=expert, relation=relation)
    if person is not None:
        duplicate = duplicate.filter(person=person)
    elif relation == DeclaredRelation.ORGANIZATION and row.organization_id:
        duplicate = duplicate.filter(organization_id=row.organization_id)
    else:
        duplicate = duplicate.filter(
            person__isnull=True,
            organization_id__isnull=True,
            person_name=row.person_name,
            organization_name=row.organization_name,
        )
    if duplicate.exists():
        raise RowErrors({"relation": ["已申报过相同的回避关系。"]})
    row.save()
    log_operation(
        actor=actor,
        action=actions.EXPERT_RELATION,
        target=expert,
        extra={
            "relation_id": row.pk,
            "relation": relation,
            "person": row.person_id,
            "name": row.person_name,
            "organization": row.organization_id,
            "organization_name": row.organization_name,
            "year": year,
            "by_expert": row.declared_by_expert,
        },
    )
    return row


@transaction.atomic
def expert_relation_remove(*, actor: Any, relation: ExpertRelation) -> None:
    """Withdraw a declaration (the expert or staff); conflicts already stored with drawn batches stay.
    Logged as ``review.expert_relation_remove`` with what was withdrawn."""
    row = ExpertRelation.objects.select_for_update().select_related("expert").get(pk=relation.pk)
    if not _may_edit_own(actor, row.expert):
        raise BusinessError("您没有修改该专家的权限。", code="forbidden")
    extra = {"relation_id": row.pk, "relation": row.relation, "target": row.target_label}
    row.delete()
    log_operation(actor=actor, action=actions.EXPERT_RELATION_REMOVE, target=relation.expert, extra=extra)


def _is_self(actor: Any, expert: Expert) -> bool:
    own = expert_of(actor)
    return own is not None and own.pk == expert.pk


#: The longest unavailability one declaration may cover.
MAX_UNAVAILABLE_DAYS = 366


@transaction.atomic
def expert_unavailable_add(*, actor: Any, expert: Expert, start: Any, end: Any, note: str = "") -> AvailabilityWindow:
    """Record a period the expert cannot review (不可参评时间), by the expert or staff. Batches whose review
    dates overlap it neither draw the expert nor call them in as a reserve.

    Rules: both dates valid; end not before start; not entirely in the past; at most one year long; no
    overlap with a period already declared; note at most 200 characters. Logged as
    ``review.expert_unavailable``."""
    if not _may_edit_own(actor, expert):
        raise BusinessError("您没有修改该专家的权限。", code="forbidden")
    errors: dict[str, list[str]] = {}
    days: dict[str, date] = {}
    for name, value, label in (("start", start, "起始日期"), ("end", end, "截止日期")):
        try:
            days[name] = value if isinstance(value, date) else date.fromisoformat(str(value).strip())
        except ValueError:
            errors[name] = ["%s“%s”不是有效日期（格式：2026-01-31）。" % (label, value)]
    note = str(note or "").strip()
    if len(note) > 200:
        errors["note"] = ["说明不能超过 200 个字。"]
    if not errors:
        if days["end"] < days["start"]:
            errors["end"] = ["截止日期不能早于起始日期。"]
        elif days["end"] < timezone.localdate():
            errors["end"] = ["截止日期已过，无须登记。"]
        elif (days["end"] - days["start"]).days >= MAX_UNAVAILABLE_DAYS:
            errors["end"] = ["一次登记的时段不能超过一年。"]
        elif expert.unavailable.filter(start__lte=days["end"], end__gte=days["start"]).exists():
            errors["start"] = ["与已登记的不可参评时段重叠。"]
    if errors:
        raise RowErrors(errors)
    window = AvailabilityWindow.objects.create(expert=expert, start=days["start"], end=days["end"], note=note)
    log_operation(
        actor=actor,
        action=actions.EXPERT_UNAVAILABLE,
        target=expert,
        extra={
            "window": window.pk,
            "start": days["start"].isoformat(),
            "end": days["end"].isoformat(),
            "by_expert": _is_self(actor, expert),
        },
    )
    return window


@transaction.atomic
def expert_unavailable_remove(*, actor: Any, window: AvailabilityWindow) -> None:
    """Withdraw an unavailability period; logged as ``review.expert_unavailable_remove``."""
    row = AvailabilityWindow.objects.select_for_update().select_related("expert").get(pk=window.pk)
    if not _may_edit_own(actor, row.expert):
        raise BusinessError("您没有修改该专家的权限。", code="forbidden")
    extra = {"window": row.pk, "start": row.start.isoformat(), "end": row.end.isoformat()}
    row.delete()
    log_operation(actor=actor, action=actions.EXPERT_UNAVAILABLE_REMOVE, target=window.expert, extra=extra)


@transaction.atomic
def expert_rate(
    *, actor: Any, expert: Expert, stars: Any, comment: str = "", batch: ReviewBatch | None = None
) -> ExpertRating:
    """Staff rate an expert's review work (1–5), optionally for one batch."""
    if not can_change_expert(actor, expert):
        raise BusinessError("您没有评价该专家的权限。", code="forbidden")
    try:
        value = int(str(stars))
    except ValueError:
        value = 0
    if not 1 <= value <= 5:
        raise RowErrors({"stars": ["评价应为 1 至 5 之间的整数。"]})
    rating = ExpertRating.objects.create(expert=expert, batch=batch, stars=value, comment=comment[:200], rated_by=actor)
    log_operation(actor=actor, action=actions.EXPERT_RATE, target=expert, extra={"stars": value})
    return rating


def parse_money(value: Any, field: str, label: str) -> Decimal:
    """A non-negative amount in yuan with at most two decimals (three decimals are refused)."""
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise RowErrors({field: ["%s“%s”不是有效金额。" % (label, value)]}) from None
    if not amount.is_finite():
        raise RowErrors({field: ["%s“%s”不是有效金额。" % (label, value)]})
    if amount < 0:
        raise RowErrors({field: ["%s不能为负数。" % label]})
    if amount >= Decimal("1e12"):  # checked before quantize, which cannot represent such numbers
        raise RowErrors({field: ["%s过大。" % label]})
    if amount != amount.quantize(TWO):
        raise RowErrors({field: ["%s最多保留两位小数。" % label]})
    return amount.quantize(TWO)


@transaction.atomic
def fee_save(*, actor: Any, region: str, kind: str, label: str, per_review: Any, per_meeting: Any = "0") -> FeeSchedule:
    """Set the fee (yuan) per reviewed record and per meeting for a review kind in a region."""
    if not can_change_batch(actor) or not can_manage_region(actor, region):
        raise BusinessError("您没有设置评审费标准的权限。", code="forbidden")
    kind = str(kind or "").strip()
    if not kind:
        raise RowErrors({"kind": ["评审类型不能为空。"]})
    kinds = {value: text for source in review_sources() for value, text in source.kinds}
    if kind not in kinds:
        raise RowErrors({"kind": ["评审类型无效，应为：%s。" % "、".join(dict.fromkeys(kinds.values()))]})
    review = parse_money(per_review, "per_review", "每件评审费")
    meeting = parse_money(per_meeting or "0", "per_meeting", "每次会评费")
    fee, _ = FeeSchedule.objects.get_or_create(
        region_id=region,
        kind=kind,
        defaults={"label": label or kind, "per_review": review, "per_meeting": meeting},
    )
    fee.label, fee.per_review, fee.per_meeting = (label or kind)[:60], review, meeting
    with acting(actor):
        fee.save()
    log_operation(actor=actor, action=actions.FEE_SAVE, target=fee, extra={"kind": kind, "per_review": str(review)})
    return fee


# ============================================================================ batches


def _int(data: dict[str, Any], name: str, label: str, default: int, lo: int, hi: int, errors: dict) -> int:
    raw = data.get(name, default)
    try:
        value = int(str(raw if raw not in (None, "") else default))
    except ValueError:
        errors.setdefault(name, []).append("%s应为整数。" % label)
        return default
    if not lo <= value <= hi:
        errors.setdefault(name, []).append("%s应在 %d 至 %d 之间。" % (label, lo, hi))
    return value


def clean_criteria(raw: Any) -> list[tuple[str, int, str]]:
    """Criteria as ``[(name, weight, guide)]`` from a list of dicts or ``"名称:分值"`` lines: names
    unique, weights positive integers summing to 100."""
    items: list[tuple[str, int, str]] = []
    errors: list[str] = []
    if isinstance(raw, str):
        rows: list[Any] = [line for line in raw.splitlines() if line.strip()]
    else:
        rows = list(raw or [])
    for n, row in enumerate(rows, start=1):
        if isinstance(row, str):
            label, _, points = row.replace("：", ":").rpartition(":")
            row = {"name": label, "weight": points}
        if not isinstance(row, dict):
            errors.append("第 %d 项格式有误。" % n)
            continue
        name = str(row.get("name") or "").strip()
        weight: int
        try:
            weight = int(str(row.get("weight")).strip())
        except ValueError:
            weight = 0
        if not name or len(name) > 60:
            errors.append("第 %d 项指标名称不能为空且不超过 60 个字。" % n)
        if weight <= 0:
            errors.append("第 %d 项“%s”的分值应为正整数。" % (n, name))
        items.append((name, weight, str(row.get("guide") or "")[:300]))
    if not items and not errors:
        errors.append("请至少设置一项评分指标。")
    names = [i[0] for i in items]
    if len(set(names)) != len(names):
        errors.append("评分指标名称不能重复。")
    total = sum(i[1] for i in items)
    if items and not errors and total != 100:
        errors.append("各项指标分值之和应为 100，现为 %d。" % total)
    if errors:
        raise RowErrors({"criteria": errors})
    return items


DEFAULT_CRITERIA = "创新性与先进性:30\n技术路线可行性:25\n预期经济社会效益:25\n团队与实施条件:20"


def _subject_facts(subject: ReviewSubject) -> dict[str, Any]:
    return {
        "organization_id": subject.organization_id,
        "cooperating_organization_ids": list(subject.cooperating_organization_ids),
        "subjects": list(subject.subjects),
        "keywords": subject.keywords,
        "member_person_ids": list(subject.member_person_ids),
        "avoid_person_ids": [[pk, reason] for pk, reason in subject.avoid_person_ids],
        "avoid_requests": subject.avoid_requests,
    }


@transaction.atomic
def batch_create(*, actor: Any, data: dict[str, Any]) -> ReviewBatch:
    """Create a review batch from a registered source and kind, with records taken from
    ``source.candidates`` (``refs``), the panel settings and the scoring criteria (weights sum to 100).
    Raises ``RowErrors`` naming each bad field; logged as ``review.batch_create``."""
    if not can_add_batch(actor):
        raise BusinessError("您没有新建评审批次的权限。", code="forbidden")
    errors: dict[str, list[str]] = {}
    title = str(data.get("title") or "").strip()
    if not title or len(title) > 120:
        errors["title"] = ["批次名称不能为空，且不超过 120 个字。"]
    source = review_source(str(data.get("source_key") or ""))
    kind = str(data.get("kind") or "")
    if source is None:
        errors["source_key"] = ["请选择评审对象。"]
    elif kind not in dict(source.kinds):
        errors["kind"] = ["评审类型无效，应为：%s。" % "、".join(label for _, label in source.kinds)]
    mode = str(data.get("mode") or BatchMode.DRAW)
    if mode not in BatchMode.values:
        errors["mode"] = ["分配方式应为“随机抽取”或“最优分配”。"]
    fmt = str(data.get("format") or ReviewFormat.ONLINE)
    if fmt not in ReviewFormat.values:
        errors["format"] = ["评审方式应为“网络评审”或“会议评审”。"]
    reviewers = _int(data, "reviewers_per_item", "每件评审专家数", 3, 1, 15, errors)
    reserves = _int(data, "reserves_per_item", "每件备选专家数", 2, 0, 10, errors)
    min_load = _int(data, "min_load", "每位专家最少评审件数", 0, 0, 100, errors)
    max_load = _int(data, "max_load", "每位专家最多评审件数", 5, 1, 100, errors)
    respond_days = _int(data, "respond_days", "邀请答复期限", 3, 1, 30, errors)
    if not errors.get("max_load") and min_load > max_load:
        errors.setdefault("min_load", []).append("最少评审件数不能大于最多评审件数。")
    try:
        spread = Decimal(str(data.get("spread_threshold") or "20"))
        if not spread.is_finite() or not 0 < spread <= 100:
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        errors["spread_threshold"] = ["分歧提示阈值应为 0 至 100 之间的分数。"]
        spread = Decimal(20)
    review_date = None
    if data.get("review_date") not in (None, ""):
        try:
            raw = data["review_date"]
            review_date = raw if isinstance(raw, date) else date.fromisoformat(str(raw))
        except ValueError:
            errors["review_date"] = ["评审日期“%s”不是有效日期（格式：2026-01-31）。" % data["review_date"]]
    review_end = None
    if data.get("review_end") not in (None, ""):
        try:
            raw = data["review_end"]
            review_end = raw if isinstance(raw, date) else date.fromisoformat(str(raw))
        except ValueError:
            errors["review_end"] = ["评审截止日期“%s”不是有效日期（格式：2026-01-31）。" % data["review_end"]]
        else:
            if review_date is None and "review_date" not in errors:
                errors["review_end"] = ["填写评审截止日期时须同时填写评审日期。"]
            elif review_date is not None and review_end < review_date:
                errors["review_end"] = ["评审截止日期不能早于评审日期。"]
    years = None
    if data.get("relation_years") not in (None, ""):
        years = _int(data, "relation_years", "师生、合作关系回避年限", 3, 1, 30, errors)
    region = str(data.get("region") or active_region_code(actor) or "")
    if not region or not Region.objects.filter(code=region).exists() or not can_manage_region(actor, region):
        errors["region"] = ["请选择您管辖范围内的区划。"]
    try:
        criteria = clean_criteria(data.get("criteria") or DEFAULT_CRITERIA)
    except RowErrors as exc:
        errors.update(exc.errors)
        criteria = []
    refs = [str(r) for r in (data.get("refs") or [])]
    subjects: list[ReviewSubject] = []
    if source is not None and "kind" not in errors:
        if not refs:
            errors["refs"] = ["请至少选择一个评审对象。"]
        else:
            offered = {
                s.ref: s for s in source.candidates(user=actor, kind=kind, filters=dict(data.get("filters") or {}))
            }
            missing = [r for r in refs if r not in offered]
            if missing:
                errors["refs"] = ["以下记录不可加入本批次：%s。" % "、".join(missing[:10])]
            subjects = [offered[r] for r in dict.fromkeys(refs) if r in offered]
            avoid_errors = _check_applicant_avoid(subjects)
            if avoid_errors:
                errors.setdefault("refs", []).extend(avoid_errors)
    if errors:
        raise RowErrors(errors)
    assert source is not None
    batch = ReviewBatch(
        region_id=region,
        title=title,
        source_key=source.key,
        kind=kind,
        format=fmt,
        mode=mode,
        reviewers_per_item=reviewers,
        reserves_per_item=reserves,
        min_load=min_load,
        max_load=max_load,
        avoid_same_county=bool(data.get("avoid_same_county")),
        review_date=review_date,
        review_end=review_end,
        relation_years=years,
        respond_days=respond_days,
        spread_threshold=spread.quantize(TWO),
        created_by=actor,
        note=str(data.get("note") or ""),
    )
    with acting(actor):
        batch.save()
    Criterion.objects.bulk_create(
        [Criterion(batch=batch, name=n, weight=w, guide=g, order=i) for i, (n, w, g) in enumerate(criteria)]
    )
    BatchItem.objects.bulk_create(
        [
            BatchItem(
                batch=batch,
                ref=s.ref,
                title=s.title[:200],
                region_code=s.region_code,
                facts=_subject_facts(s),
                reviewers=s.reviewers,
            )
            for s in subjects
        ]
    )
    log_operation(actor=actor, action=actions.BATCH_CREATE, target=batch, extra={"items": len(subjects)})
    return batch


#: Default number of experts an applicant may ask to avoid (setting ``KEJIJU_REVIEW_APPLICANT_AVOID_MAX``).
DEFAULT_APPLICANT_AVOID_MAX = 3


def applicant_avoid_max() -> int:
    """How many experts one applicant may name to avoid (申报单位申请回避), each with a reason."""
    from django.conf import settings

    return int(getattr(settings, "KEJIJU_REVIEW_APPLICANT_AVOID_MAX", DEFAULT_APPLICANT_AVOID_MAX))


def _check_applicant_avoid(subjects: list[ReviewSubject]) -> list[str]:
    """The applicant-named avoid lists the sources hand over: at most :func:`applicant_avoid_max` experts
    per record, each with a reason. A record breaking the rule is refused (named in the message)."""
    cap = applicant_avoid_max()
    problems: list[str] = []
    for s in subjects:
        named = list(s.avoid_person_ids or ())
        requested = len(named) if s.avoid_requests is None else s.avoid_requests
        if requested > cap:
            problems.append("“%s”的申报单位申请回避的专家 %d 名，超过上限 %d 名。" % (s.title[:60], requested, cap))
        if any(not str(reason or "").strip() for _, reason in named):
            problems.append("“%s”的申报单位申请回避专家须说明理由。" % s.title[:60])
    return problems


def _pk_or_none(value: Any) -> int | None:
    text = str(value if value is not None else "").strip()
    return int(text) if text.isdigit() and len(text) < 19 else None


@transaction.atomic
def applicant_avoid_add(*, actor: Any, batch: ReviewBatch, item: Any, expert: Any, reason: str) -> ApplicantAvoid:
    """Record an expert the applicant of one record asked to avoid (申报单位申请回避), from the applicant's
    request, before the draw: the expert must be in the batch's pool, a reason is required, and the
    record may name at most :func:`applicant_avoid_max` experts (those the source handed over included).
    Logged as ``review.applicant_avoid``."""
    batch = ReviewBatch.objects.select_for_update().get(pk=batch.pk)
    if not can_change_batch(actor, batch):
        raise BusinessError("您没有修改该评审批次的权限。", code="forbidden")
    if batch.status != BatchStatus.DRAFT:
        raise BusinessError("专家抽取后不能再登记申请回避的专家。", code="drawn")
    errors: dict[str, list[str]] = {}
    item_pk = _pk_or_none(item)
    row_item = batch.items.filter(pk=item_pk).first() if item_pk is not None else None
    if row_item is None:
        errors["item"] = ["评审对象不属于本批次。"]
    expert_pk = _pk_or_none(expert)
    chosen = next((e for e in batch_pool(batch) if e.pk == expert_pk), None) if expert_pk is not None else None
    if chosen is None:
        errors["expert"] = ["该专家不在本批次可抽取的专家中。"]
    reason = str(reason or "").strip()
    if not reason:
        errors["reason"] = ["请填写申请回避的理由。"]
    elif len(reason) > 200:
        errors["reason"] = ["申请回避的理由不超过 200 字。"]
    if row_item is not None and chosen is not None:
        named = {int(p) for p, _ in row_item.facts.get("avoid_person_ids") or [] if str(p).isdigit()}
        # what the applicant asked for counts, not how many pool experts their names matched
        requested = row_item.facts.get("avoid_requests")
        handed = requested if isinstance(requested, int) and requested >= 0 else len(named)
        entered = set(row_item.avoid_requests.values_list("expert_id", flat=True))
        cap = applicant_avoid_max()
        if chosen.person_id in named or chosen.pk in entered:
            errors["expert"] = ["%s 已申请回避。" % chosen.name]
        elif handed + len(entered) >= cap:
            errors["expert"] = ["“%s”最多申请回避 %d 名专家。" % (row_item.title[:60], cap)]
    if errors:
        raise RowErrors(errors)
    assert row_item is not None and chosen is not None
    row = ApplicantAvoid.objects.create(batch=batch, item=row_item, expert=chosen, reason=reason, created_by=actor)
    log_operation(
        actor=actor,
        action=actions.APPLICANT_AVOID,
        target=batch,
        extra={"item": row_item.pk, "expert": chosen.pk, "reason": reason},
    )
    return row


@transaction.atomic
def applicant_avoid_remove(*, actor: Any, avoid: ApplicantAvoid) -> None:
    """Withdraw an applicant's avoid request before the draw; logged as ``review.applicant_avoid_remove``."""
    batch = ReviewBatch.objects.select_for_update().get(pk=avoid.batch_id)
    if not can_change_batch(actor, batch):
        raise BusinessError("您没有修改该评审批次的权限。", code="forbidden")
    if batch.status != BatchStatus.DRAFT:
        raise BusinessError("专家抽取后不能再撤销申请回避的专家。", code="drawn")
    extra = {"item": avoid.item_id, "expert": avoid.expert_id, "reason": avoid.reason}
    ApplicantAvoid.objects.filter(pk=avoid.pk).delete()
    log_operation(actor=actor, action=actions.APPLICANT_AVOID_REMOVE, target=batch, extra=extra)


def review_span(batch: ReviewBatch) -> tuple[date, date] | None:
    """The batch's review dates (``review_date`` … ``review_end``), or ``None`` when not set."""
    if not batch.review_date:
        return None
    return batch.review_date, max(batch.review_end or batch.review_date, batch.review_date)


def unavailable_expert_ids(batch: ReviewBatch, expert_ids: Any = None) -> set[int]:
    """Experts with a declared unavailability overlapping the batch's review dates."""
    span = review_span(batch)
    if span is None:
        return set()
    qs = AvailabilityWindow.objects.filter(start__lte=span[1], end__gte=span[0])
    if expert_ids is not None:
        qs = qs.filter(expert_id__in=list(expert_ids))
    return set(qs.values_list("expert_id", flat=True))


def batch_pool(batch: ReviewBatch) -> list[Expert]:
    """The experts a batch draws from: in the pool (在库), of the batch's region, a region below it or one
    of its ancestors (a county batch may use the city's experts), and not unavailable on any of the
    batch's review dates (declared 不可参评时间)."""
    code = batch.region_id
    ancestors = [code[:n] for n in (2, 4, 6, 9) if n < len(code)]
    qs = (
        Expert.objects.filter(status=ExpertStatus.ACTIVE, is_archived=False)
        .filter(Q(region__code__startswith=code) | Q(region_id__in=ancestors))
        .select_related("organization")
    )
    span = review_span(batch)
    if span is not None:
        away = AvailabilityWindow.objects.filter(start__lte=span[1], end__gte=span[0])
        qs = qs.exclude(pk__in=away.values("expert_id"))
    return list(qs.order_by("pk"))


@dataclass(frozen=True)
class FoundConflict:
    item_id: int
    expert_id: int
    kind: str
    source: str
    detail: str


def _people_facts(person_ids: set[int]) -> dict[int, tuple[str, int | None, str]]:
    """Name, organization id and organization name of team members (through the expert's person
    relation: the people app owns the table)."""
    if not person_ids:
        return {}
    person_model = Expert._meta.get_field("person").related_model
    rows = person_model._default_manager.filter(pk__in=person_ids).values_list(  # type: ignore[union-attr]
        "pk", "name", "organization_id", "organization__name"
    )
    return {pk: (name, org, org_name or "") for pk, name, org, org_name in rows}


def _org_names(org_ids: set[int]) -> dict[int, str]:
    if not org_ids:
        return {}
    org_model = Expert._meta.get_field("organization").related_model
    return dict(org_model._default_manager.filter(pk__in=org_ids).values_list("pk", "name"))  # type: ignore[union-attr]


def batch_conflicts(batch: ReviewBatch, items: list[BatchItem], experts: list[Expert]) -> list[FoundConflict]:
    """Every conflict of interest between the batch's items and the experts, each with its kind and source.

    Derived from the source facts (系统比对): same or co-operating organization, team member, same county
    when the batch asks. Named by the applicant (申报单位提出): handed over by the source or entered by
    staff (:func:`applicant_avoid_add`). Declared by the expert (专家本人申报): a relation with a team member named by ID number or by name + organization (近亲属 always; 导师或学生 and
    合作发表 when the declared year is within the batch's :func:`relation_years`), a declared conflict with
    the applicant or a co-operating organization, and earlier self-declared conflicts on the same record."""
    found: list[FoundConflict] = []
    by_person = {e.person_id: e for e in experts}
    by_pk = {e.pk: e for e in experts}
    by_org: dict[int, list[Expert]] = {}
    for e in experts:
        if e.organization_id:
            by_org.setdefault(e.organization_id, []).append(e)
    person_rel: dict[int, list[ExpertRelation]] = {}
    named_rel: list[ExpertRelation] = []
    org_rel: list[ExpertRelation] = []
    for rel in ExpertRelation.objects.filter(expert__in=list(by_pk)).order_by("pk"):
        if rel.relation == DeclaredRelation.ORGANIZATION:
            org_rel.append(rel)
        elif rel.person_id:
            person_rel.setdefault(rel.person_id, []).append(rel)
        else:
            named_rel.append(rel)
    declared = BatchConflict.objects.filter(
        kind=ConflictKind.SELF_DECLARED, item__ref__in=[i.ref for i in items], expert__in=list(by_pk)
    ).values_list("item__ref", "expert_id", "detail")
    entered_avoid: dict[int, list[tuple[int, str]]] = {}
    for item_id, expert_id, reason in ApplicantAvoid.objects.filter(item__in=[i.pk for i in items]).values_list(
        "item_id", "expert_id", "reason"
    ):
        entered_avoid.setdefault(item_id, []).append((expert_id, reason))
    self_declared: dict[str, list[tuple[int, str]]] = {}
    for ref, expert_id, detail in declared:
        self_declared.setdefault(ref, []).append((expert_id, detail))
    member_ids = {int(p) for i in items for p in (i.facts.get("member_person_ids") or []) if str(p).isdigit()}
    members = _people_facts(member_ids) if named_rel else {}
    org_ids = {
        int(o)
        for i in items
        for o in [i.facts.get("organization_id"), *(i.facts.get("cooperating_organization_ids") or [])]
        if o and str(o).isdigit()
    }
    org_names = _org_names(org_ids) if any(not r.organization_id for r in org_rel) else {}
    this_year = timezone.localdate().year
    years = relation_years(batch)
    kind_of = {
        DeclaredRelation.RELATIVE: ConflictKind.RELATIVE,
        DeclaredRelation.SUPERVISOR: ConflictKind.SUPERVISOR,
        DeclaredRelation.COAUTHOR: ConflictKind.COAUTHOR,
        DeclaredRelation.OTHER: ConflictKind.SELF_DECLARED,
    }

    def lapsed(rel: ExpertRelation) -> bool:
        return rel.relation in TIMED_RELATIONS and rel.year is not None and this_year - rel.year > years

    def rel_detail(rel: ExpertRelation) -> str:
        text = "专家申报：%s %s" % (rel.get_relation_display(), rel.target_label)
        if rel.year:
            text += "（%d 年）" % rel.year
        return text + ("；%s" % rel.note if rel.note else "")

    for item in items:
        facts = item.facts

        def add(expert: Expert, kind: str, source: str, detail: str, item: BatchItem = item) -> None:
            found.append(FoundConflict(item.pk, expert.pk, kind, source, detail[:200]))

        org = facts.get("organization_id")
        coops = list(facts.get("cooperating_organization_ids") or [])
        for e in by_org.get(org, []) if org else []:
            add(e, ConflictKind.SAME_ORG, ConflictSource.DERIVED, "专家工作单位即申报单位")
        for coop in coops:
            for e in by_org.get(coop, []):
                add(e, ConflictKind.COOP_ORG, ConflictSource.DERIVED, "专家工作单位为合作单位")
        for pid in facts.get("member_person_ids") or []:
            if pid in by_person:
                add(by_person[pid], ConflictKind.TEAM_MEMBER, ConflictSource.DERIVED, "专家为项目团队成员")
            for rel in person_rel.get(pid, []):
                if not lapsed(rel):
                    add(
                        by_pk[rel.expert_id],
                        kind_of[DeclaredRelation(rel.relation)],
                        ConflictSource.DECLARED,
                        rel_detail(rel),
                    )
            member = members.get(pid)
            for rel in named_rel if member else []:
                assert member is not None
                if _norm_name(rel.person_name) != _norm_name(member[0]) or lapsed(rel):
                    continue
                if _norm_name(rel.organization_name) != _norm_name(member[2]):
                    continue
                add(
                    by_pk[rel.expert_id],
                    kind_of[DeclaredRelation(rel.relation)],
                    ConflictSource.DECLARED,
                    rel_detail(rel),
                )
        for rel in org_rel:
            for target in [org, *coops]:
                if not target:
                    continue
                if rel.organization_id:
                    hit = rel.organization_id == target
                else:
                    hit = _norm_name(rel.organization_name) == _norm_name(org_names.get(int(target), "")) != ""
                if hit:
                    add(by_pk[rel.expert_id], ConflictKind.SELF_DECLARED, ConflictSource.DECLARED, rel_detail(rel))
        for pid, reason in facts.get("avoid_person_ids") or []:
            if pid in by_person:
                add(
                    by_person[pid],
                    ConflictKind.APPLICANT_NAMED,
                    ConflictSource.APPLICANT,
                    "申报单位申请回避：%s" % str(reason).strip() if str(reason or "").strip() else "申报单位申请回避",
                )
        for expert_id, reason in entered_avoid.get(item.pk, []):
            if expert_id in by_pk:
                add(
                    by_pk[expert_id],
                    ConflictKind.APPLICANT_NAMED,
                    ConflictSource.APPLICANT,
                    "申报单位申请回避：%s" % reason,
                )
        for expert_id, detail in self_declared.get(item.ref, []):
            declared_by = by_pk.get(expert_id)
            if declared_by is not None:
                add(declared_by, ConflictKind.SELF_DECLARED, ConflictSource.DECLARED, detail)
        if batch.avoid_same_county and len(item.region_code) >= 6:
            county = item.region_code[:6]
            for e in experts:
                if len(e.region_id) >= 6 and e.region_id[:6] == county:
                    add(e, ConflictKind.SAME_COUNTY, ConflictSource.DERIVED, "专家与申报单位同属一县（市、区）")
    return found


#: Affinity of any expert for a record that names no subject (every expert is then eligible).
NO_SUBJECT_AFFINITY = 0.5


def _affinity(items: list[BatchItem], experts: list[Expert]) -> Any:
    """``None`` (the engine matches subjects itself) unless some record names no subject: then the full
    matrix, where such a record accepts every expert at :data:`NO_SUBJECT_AFFINITY` plus the keyword
    overlap, and the others keep the subject rule (no shared subject prefix → not eligible)."""
    import numpy as np

    if all(i.facts.get("subjects") for i in items):
        return None
    matrix = np.full((len(items), len(experts)), np.nan)
    expert_words = [set(split_words(e.keywords)) for e in experts]
    for row, item in enumerate(items):
        subjects = tuple(item.facts.get("subjects") or ())
        words = set(split_words(item.facts.get("keywords")))
        for col, e in enumerate(experts):
            base = engine.subject_score(subjects, tuple(e.subjects)) if subjects else NO_SUBJECT_AFFINITY
            if base is None:
                continue
            union = words | expert_words[col]
            matrix[row, col] = base + (len(words & expert_words[col]) / len(union) if union else 0.0)
    return matrix


def _county(code: str) -> str:
    """The county (县级) code of a region for 回避同县, or "" above county level (a city-level record or
    expert is in no county, so the rule never pairs them — as :func:`batch_conflicts` stores it)."""
    return code[:6] if len(code) >= 6 else ""


def batch_instance(
    batch: ReviewBatch, nonce: str = ""
) -> tuple[engine.Instance, list[BatchItem], list[Expert], list[FoundConflict]]:
    """The engine instance of a batch (ids are primary keys as text) with its items, pool and conflicts."""
    items = list(batch.items.order_by("pk"))
    experts = batch_pool(batch)
    conflicts = batch_conflicts(batch, items, experts)
    instance = engine.Instance(
        affinity=_affinity(items, experts),
        mode=batch.mode,  # type: ignore[arg-type]
        experts=tuple(
            engine.Expert(
                id=str(e.pk),
                max_load=batch.max_load,
                min_load=batch.min_load,
                subjects=tuple(e.subjects),
                organization=str(e.organization_id or ""),
                region=_county(e.region_id),
                keywords=tuple(split_words(e.keywords)),
            )
            for e in experts
        ),
        applications=tuple(
            engine.Application(
                id=str(i.pk),
                subjects=tuple(i.facts.get("subjects") or ()),
                organization=str(i.facts.get("organization_id") or ""),
                region=_county(i.region_code),
                reviewers=i.reviewers,
                keywords=tuple(split_words(i.facts.get("keywords"))),
            )
            for i in items
        ),
        reviewers_per_application=batch.reviewers_per_item,
        reserves_per_application=batch.reserves_per_item,
        conflicts=tuple(
            {
                (str(c.expert_id), str(c.item_id)): engine.Conflict(str(c.expert_id), str(c.item_id), c.kind)
                for c in conflicts
            }.values()
        ),
        avoid_same_region=batch.avoid_same_county,
        nonce=nonce,
    )
    return instance, items, experts, conflicts


def kind_label(batch: ReviewBatch) -> str:
    """The Chinese label of the batch's review kind (from its source)."""
    source = review_source(batch.source_key)
    return dict(source.kinds).get(batch.kind, batch.kind) if source else batch.kind


def _check_nonce(nonce: str) -> str:
    nonce = (nonce or "").strip()
    if not 4 <= len(nonce) <= 64:
        raise RowErrors({"nonce": ["请由监督人现场输入 4 至 64 位的随机码。"]})
    return nonce


def _draw_document(
    batch: ReviewBatch, record: dict[str, Any], experts: dict[int, Expert], items: list[BatchItem]
) -> dict[str, Any]:
    """The GB/T 9704 form of the draw record (抽取记录)."""
    from kejiju.core.models import Bureau

    bureau = Bureau.objects.filter(region_id=batch.region_id).first()
    issuer = getattr(bureau, "name", "") or "%s科学技术局" % batch.region.name
    when = timezone.localtime(record["at"])
    rows: list[list[str]] = [["序号", "评审对象", "评审专家", "备选专家（按顺位）"]]
    panel: dict[int, list[str]] = {}
    reserve: dict[int, list[str]] = {}
    for a in record["assignments"]:
        panel.setdefault(int(a["application"]), []).append(experts[int(a["expert"])].name)
    for r in sorted(record["reserves"], key=lambda r: (r["application"], r["rank"])):
        reserve.setdefault(int(r["application"]), []).append("%d.%s" % (r["rank"], experts[int(r["expert"])].name))
    for n, item in enumerate(items, start=1):
        rows.append([str(n), item.title, "、".join(panel.get(item.pk, [])), "、".join(reserve.get(item.pk, [])) or "—"])
    witnesses = "、".join(record["witnesses"]) or "—"
    body: list[dict[str, Any]] = [
        {
            "type": "paragraph",
            "text": "%s，%s组织“%s”（%s）评审专家%s。本记录由系统生成，一经保存不得修改。"
            % (
                when.strftime("%Y年%m月%d日%H时%M分"),
                issuer,
                batch.title,
                kind_label(batch),
                "随机抽取" if batch.mode == BatchMode.DRAW else "分配",
            ),
        },
        {"type": "heading", "level": 1, "text": "抽取设置"},
        {
            "type": "paragraph",
            "text": "评审对象 %d 项，每项评审专家 %d 名、备选 %d 名；每位专家评审 %d 至 %d 项；%s。专家库中符合条件的专家 %d 名，回避记录 %d 条。"
            % (
                len(items),
                batch.reviewers_per_item,
                batch.reserves_per_item,
                batch.min_load,
                batch.max_load,
                "回避同县（市、区）专家" if batch.avoid_same_county else "不限专家所在县（市、区）",
                record["pool"],
                record["conflicts"],
            ),
        },
        {"type": "heading", "level": 1, "text": "监督与见证"},
        {
            "type": "paragraph",
            "text": "监督人：%s；见证人：%s；操作人：%s。监督人现场输入的随机码：%s。"
            % (record["supervisor"] or "—", witnesses, record["actor"], record["nonce"] or "—"),
        },
        {
            "type": "paragraph",
            "text": "输入摘要（SHA-256）：%s；随机种子摘要（SHA-256）：%s。以相同输入和随机码重新计算，结果相同。"
            % (record["inputs_digest"], record["seed_digest"]),
        },
        {"type": "heading", "level": 1, "text": "抽取结果"},
        {"type": "table", "rows": rows, "header": True},
    ]
    return {
        "issuer": issuer,
        "title": "%s\n评审专家抽取记录" % batch.title,
        "body": body,
        "date": when.date().isoformat(),
        "seal": False,
        "layout": "letter",
    }


@transaction.atomic
def batch_draw(
    *, actor: Any, batch: ReviewBatch, nonce: str = "", supervisor: str = "", witnesses: Any = ()
) -> DrawRecord:
    """Run the assignment for a batch (随机抽取 with the supervisor's nonce, or 最优分配) and keep the sealed
    draw record. On success: conflicts stored with their source, panels invited (notified), ordered reserves
    kept, a GB/T 9704 抽取记录 issued (``source="review.batch:<id>"``), batch → 评审中. When no feasible
    assignment exists nothing changes but an (unsuccessful) record with the shortfall per item: the caller
    shows ``record.result["shortfall"]``; never a partial result. Raises ``BusinessError`` for a wrong
    status, no permission, a missing nonce (draw mode) or no witness (draw mode)."""
    from kejiju.reports.services import document_issue

    batch = ReviewBatch.objects.select_for_update().get(pk=batch.pk)
    if not can_draw_batch(actor, batch):
        raise BusinessError("您没有抽取评审专家的权限。", code="forbidden")
    BATCH_WORKFLOW.check("draw", batch.status)
    # a witness is written "办公室 周敏": names are separated by commas, 、 or new lines, never by blanks
    raw_names = _WITNESS_SPLIT.split(witnesses) if isinstance(witnesses, str) else list(witnesses)
    names = [" ".join(str(w).split())[:60] for w in raw_names if str(w).strip()]
    supervisor = (supervisor or "").strip()[:60]
    if batch.mode == BatchMode.DRAW:
        nonce = _check_nonce(nonce)
        errors: dict[str, list[str]] = {}
        if not supervisor:
            errors["supervisor"] = ["随机抽取须填写监督人。"]
        if not names:
            errors["witnesses"] = ["随机抽取须至少填写一名见证人。"]
        if errors:
            raise RowErrors(errors)
    else:
        nonce = (nonce or "").strip()[:64]
    if not batch.items.exists():
        raise BusinessError("批次中没有评审对象。", code="empty")
    instance, items, experts, conflicts = batch_instance(batch, nonce)
    result = engine.solve(instance)
    inputs_digest = hashlib.sha256(engine.canonical_json(instance).encode("utf-8")).hexdigest()
    out = engine.result_to_dict(result)
    by_id = {e.pk: e for e in experts}
    titles = {str(i.pk): i.title for i in items}
    for s in out["shortfall"]:
        if s.get("application"):
            s["title"] = titles.get(str(s["application"]), "")
        if s.get("expert"):
            s["expert_name"] = by_id[int(s["expert"])].name
    record_data = {
        "at": timezone.now(),
        "assignments": out["assignments"],
        "reserves": out["reserves"],
        "witnesses": names,
        "supervisor": supervisor,
        "nonce": nonce,
        "inputs_digest": inputs_digest,
        "seed_digest": result.seed_digest,
        "actor": getattr(actor, "full_name", "") or str(actor),
        "pool": len(experts),
        "conflicts": len(conflicts),
    }
    summary = {
        **out,
        "pool": len(experts),
        "conflicts": len(conflicts),
        "items": len(items),
        # the engine input itself, so anyone can re-run the draw (``kejiju assign``) and check the digests
        "instance": engine.instance_to_dict(instance),
    }
    if result.status != "ok":
        # the failed attempt is kept (committed) for the audit; nothing else changes
        record = DrawRecord(
            batch=batch,
            mode=batch.mode,
            ok=False,
            nonce=nonce,
            supervisor=supervisor,
            witnesses=names,
            inputs_digest=inputs_digest,
            seed_digest=result.seed_digest,
            result=summary,
            actor=actor,
        )
        record.save()
        log_operation(
            actor=actor, action=actions.BATCH_DRAW_FAILED, target=batch, extra={"shortfall": len(out["shortfall"])}
        )
        return record
    BatchConflict.objects.bulk_create(
        [
            BatchConflict(
                batch=batch, item_id=c.item_id, expert_id=c.expert_id, kind=c.kind, source=c.source, detail=c.detail
            )
            for c in conflicts
        ]
    )
    rows = [
        Assignment(batch=batch, item_id=int(a.application), expert_id=int(a.expert), panel=True, affinity=a.score)
        for a in result.assignments
    ] + [
        Assignment(batch=batch, item_id=int(r.application), expert_id=int(r.expert), panel=False, rank=r.rank)
        for r in result.reserves
    ]
    Assignment.objects.bulk_create(rows)
    document = document_issue(
        actor=actor,
        data=_draw_document(batch, record_data, by_id, items),
        region=batch.region_id,
        source="review.batch:%s" % batch.pk,
        with_pdf=False,
    )
    record = DrawRecord(
        batch=batch,
        mode=batch.mode,
        ok=True,
        nonce=nonce,
        supervisor=supervisor,
        witnesses=names,
        inputs_digest=inputs_digest,
        seed_digest=result.seed_digest,
        result=summary,
        actor=actor,
        document_id=document.pk,
    )
    record.save()
    apply_transition(
        obj=batch,
        workflow=BATCH_WORKFLOW,
        action="draw",
        actor=actor,
        transition_model=BatchTransition,
        fk_name="batch",
        extra={"draw": record.pk},
    )
    log_operation(
        actor=actor,
        action=actions.BATCH_DRAW,
        target=batch,
        extra={"draw": record.pk, "seed_digest": result.seed_digest, "panels": len(result.assignments)},
    )
    for a in Assignment.objects.filter(batch=batch, panel=True).select_related("expert", "item"):
        _invite(actor=actor, assignment=a, batch=batch)
    return record


def _invite(*, actor: Any, assignment: Assignment, batch: ReviewBatch) -> None:
    now = timezone.now()
    assignment.invited_at = now
    assignment.respond_by = now + timedelta(days=batch.respond_days)
    assignment.panel = True
    apply_transition(
        obj=assignment,
        workflow=ASSIGNMENT_WORKFLOW,
        action="invite",
        actor=actor,
        transition_model=AssignmentTransition,
        fk_name="assignment",
        update_fields=["invited_at", "respond_by", "panel"],
    )
    expert = assignment.expert
    recipients = [expert.user] if expert.user_id else []
    notify(
        recipients=recipients,
        title="评审邀请：%s" % batch.title,
        body="邀请您评审“%s”，请在 %s 前登录系统答复。"
        % (assignment.item.title, timezone.localtime(assignment.respond_by).strftime("%Y-%m-%d %H:%M")),
        url="/review/my/%s/" % assignment.pk,
        category="review",
        key="review.invite:%s" % assignment.pk,
        channels=("inapp", "sms"),
        phones=[expert.phone] if expert.phone and not recipients else [],
    )


def _load(batch: ReviewBatch, expert_id: int) -> int:
    return Assignment.objects.filter(
        batch=batch,
        expert_id=expert_id,
        panel=True,
        status__in=[AssignmentStatus.INVITED, AssignmentStatus.ACCEPTED, AssignmentStatus.SUBMITTED],
    ).count()


def _promote_reserve(*, actor: Any, batch: ReviewBatch, item: BatchItem, replaced: Assignment) -> Assignment | None:
    """Invite the next reserve (lowest rank) of the item who is still in the pool and below the maximum
    load; logged as ``review.replace`` (or with ``reserve: None`` when none is left, and staff notified)."""
    for reserve in (
        Assignment.objects.select_for_update()
        .filter(item=item, panel=False, status=AssignmentStatus.RESERVE)
        .select_related("expert", "item")
        .order_by("rank", "pk")
    ):
        if reserve.expert.status != ExpertStatus.ACTIVE or _load(batch, reserve.expert_id) >= batch.max_load:
            continue
        if unavailable_expert_ids(batch, [reserve.expert_id]):
            log_operation(
                actor=actor,
                action=actions.REPLACE,
                target=batch,
                extra={"item": item.pk, "skipped": reserve.expert_id, "reason": "unavailable"},
            )
            continue
        _invite(actor=actor, assignment=reserve, batch=batch)
        log_operation(
            actor=actor,
            action=actions.REPLACE,
            target=batch,
            extra={"item": item.pk, "out": replaced.expert_id, "in": reserve.expert_id, "rank": reserve.rank},
        )
        return reserve
    log_operation(
        actor=actor,
        action=actions.REPLACE,
        target=batch,
        extra={"item": item.pk, "out": replaced.expert_id, "in": None},
    )
    notify(
        recipients=[batch.created_by],
        title="备选专家已用完：%s" % item.title,
        body="“%s”的备选专家已全部递补或不可用，请补充抽取。" % batch.title,
        url="/review/batches/%s/" % batch.pk,
        category="review",
    )
    return None


def _own_assignment(actor: Any, assignment: Assignment) -> Assignment:
    locked = Assignment.objects.select_for_update().select_related("batch", "item", "expert").get(pk=assignment.pk)
    if not is_own_assignment(actor, locked):
        raise BusinessError("这不是您的评审任务。", code="forbidden")
    if locked.batch.status != BatchStatus.SCORING:
        raise BusinessError("该评审批次已结束或已取消。", code="closed")
    return locked


@transaction.atomic
def assignment_accept(*, actor: Any, assignment: Assignment, declare: bool) -> Assignment:
    """The expert accepts an invitation, confirming the no-conflict declaration (本人与该评审对象无利害关系)
    — without it the record's documents stay closed. Refused after the deadline."""
    a = _own_assignment(actor, assignment)
    if not declare:
        raise RowErrors({"declare": ["请确认无利害关系声明后再接受邀请；如有利害关系，请选择“回避”。"]})
    if a.status == AssignmentStatus.INVITED and a.respond_by and a.respond_by < timezone.now():
        raise BusinessError("已超过答复期限，邀请已失效。", code="expired")
    a.declared_at = timezone.now()
    apply_transition(
        obj=a,
        workflow=ASSIGNMENT_WORKFLOW,
        action="accept",
        actor=actor,
        transition_model=AssignmentTransition,
        fk_name="assignment",
        update_fields=["declared_at"],
    )
    log_operation(actor=actor, action=actions.DECLARE, target=a.batch, extra={"assignment": a.pk, "item": a.item_id})
    log_operation(actor=actor, action=actions.RESPOND, target=a.batch, extra={"assignment": a.pk, "accept": True})
    return a


@transaction.atomic
def assignment_decline(*, actor: Any, assignment: Assignment, reason: str, conflict: bool = False) -> Assignment:
    """The expert declines (with a reason), or declares a conflict of interest (回避, stored as a
    self-declared conflict that also applies to later batches of the same record). The next reserve is
    invited."""
    a = _own_assignment(actor, assignment)
    apply_transition(
        obj=a,
        workflow=ASSIGNMENT_WORKFLOW,
        action="decline",
        actor=actor,
        transition_model=AssignmentTransition,
        fk_name="assignment",
        reason=reason,
        extra={"conflict": conflict},
    )
    a.declined_reason = reason.strip()[:200]
    a.save(update_fields=["declined_reason", "updated_at"])
    if conflict:
        BatchConflict.objects.create(
            batch=a.batch,
            item=a.item,
            expert=a.expert,
            kind=ConflictKind.SELF_DECLARED,
            source=ConflictSource.DECLARED,
            detail=reason.strip()[:200],
        )
        log_operation(actor=actor, action=actions.CONFLICT_DECLARE, target=a.batch, extra={"assignment": a.pk})
    log_operation(
        actor=actor,
        action=actions.RESPOND,
        target=a.batch,
        extra={"assignment": a.pk, "accept": False, "conflict": conflict},
    )
    ScoreSheet.objects.filter(assignment=a, submitted_at__isnull=True).delete()
    _promote_reserve(actor=actor, batch=a.batch, item=a.item, replaced=a)
    return a


@transaction.atomic
def assignments_expire(*, now: datetime | None = None) -> int:
    """Invitations past their deadline without an answer become 逾期未答复 and the next reserve is invited
    (the ``kejiju review expire`` command). Returns how many expired."""
    now = now or timezone.now()
    count = 0
    for a in (
        Assignment.objects.select_for_update()
        .filter(status=AssignmentStatus.INVITED, respond_by__lt=now, batch__status=BatchStatus.SCORING)
        .select_related("batch", "item", "expert")
        .order_by("pk")
    ):
        apply_transition(
            obj=a,
            workflow=ASSIGNMENT_WORKFLOW,
            action="expire",
            actor=None,
            transition_model=AssignmentTransition,
            fk_name="assignment",
            reason="超过答复期限",
        )
        log_operation(actor=None, action=actions.RESPOND, target=a.batch, extra={"assignment": a.pk, "expired": True})
        _promote_reserve(actor=None, batch=a.batch, item=a.item, replaced=a)
        count += 1
    return count


# ============================================================================ scoring


def _parse_score(raw: Any, criterion: Criterion) -> Decimal:
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        raise RowErrors({"c%s" % criterion.pk: ["“%s”的得分“%s”不是数字。" % (criterion.name, raw)]}) from None
    if not value.is_finite() or value < 0 or value > criterion.weight:
        raise RowErrors({"c%s" % criterion.pk: ["“%s”的得分应在 0 至 %d 之间。" % (criterion.name, criterion.weight)]})
    if value != value.quantize(Decimal("0.1")):
        raise RowErrors({"c%s" % criterion.pk: ["“%s”的得分最多保留一位小数。" % criterion.name]})
    return value


@transaction.atomic
def sheet_save(
    *,
    actor: Any,
    assignment: Assignment,
    scores: dict[str, Any],
    comment: str = "",
    recommendation: str = "",
    submit: bool = False,
) -> ScoreSheet:
    """Save (or with ``submit`` submit) the expert's score sheet: points per criterion (0 … its weight,
    one decimal), comment, recommendation. Submitting needs every criterion, a comment and a
    recommendation; it locks the sheet (later saves are refused) and refreshes the batch aggregate.
    ``scores`` maps criterion id (text) to points."""
    a = _own_assignment(actor, assignment)
    if a.status == AssignmentStatus.SUBMITTED:
        raise BusinessError("评分已提交，不能修改。", code="locked")
    if a.status != AssignmentStatus.ACCEPTED:
        raise BusinessError("请先接受邀请并声明无利害关系。", code="not_accepted")
    criteria = list(a.batch.criteria.all())
    values: dict[str, str] = {}
    errors: dict[str, list[str]] = {}
    for c in criteria:
        raw = scores.get(str(c.pk))
        if raw in (None, ""):
            if submit:
                errors["c%s" % c.pk] = ["请填写“%s”的得分。" % c.name]
            continue
        try:
            values[str(c.pk)] = str(_parse_score(raw, c))
        except RowErrors as exc:
            errors.update(exc.errors)
    recommendation = str(recommendation or "")
    if recommendation and recommendation not in Recommendation.values:
        errors["recommendation"] = ["推荐意见无效。"]
    if submit and not recommendation:
        errors["recommendation"] = ["请选择推荐意见。"]
    if submit and not comment.strip():
        errors["comment"] = ["请填写评审意见。"]
    if len(comment) > 5000:
        errors["comment"] = ["评审意见不能超过 5000 字。"]
    if errors:
        raise RowErrors(errors)
    sheet, _ = ScoreSheet.objects.get_or_create(assignment=a)
    sheet.scores = values
    sheet.total = sum((Decimal(v) for v in values.values()), Decimal(0)) if len(values) == len(criteria) else None
    sheet.comment = comment.strip()
    sheet.recommendation = recommendation
    if submit:
        sheet.submitted_at = timezone.now()
    sheet.save()
    if submit:
        apply_transition(
            obj=a,
            workflow=ASSIGNMENT_WORKFLOW,
            action="submit",
            actor=actor,
            transition_model=AssignmentTransition,
            fk_name="assignment",
        )
        log_operation(
            actor=actor,
            action=actions.SCORE_SUBMIT,
            target=a.batch,
            extra={"assignment": a.pk, "total": str(sheet.total)},
        )
        batch_aggregate(batch=a.batch)
    return sheet


def _q(value: Decimal) -> Decimal:
    return value.quantize(TWO, rounding=ROUND_HALF_UP)


def aggregate_scores(totals: list[Decimal], threshold: Decimal) -> dict[str, Any]:
    """Mean, trimmed mean (drop one highest and one lowest when there are at least three scores), spread
    (highest − lowest) and whether it exceeds ``threshold``."""
    if not totals:
        return {"mean": None, "trimmed": None, "spread": None, "warning": False}
    ordered = sorted(totals)
    mean = sum(ordered, Decimal(0)) / len(ordered)
    kept = ordered[1:-1] if len(ordered) >= 3 else ordered
    trimmed = sum(kept, Decimal(0)) / len(kept)
    spread = ordered[-1] - ordered[0]
    return {"mean": _q(mean), "trimmed": _q(trimmed), "spread": _q(spread), "warning": spread > threshold}


def batch_aggregate(*, batch: ReviewBatch) -> list[BatchItem]:
    """Recompute every item's aggregate from the submitted sheets and rank the items by trimmed mean
    (ties share a rank); items without any submitted sheet are unranked."""
    items = list(batch.items.order_by("pk"))
    sheets: dict[int, list[ScoreSheet]] = {}
    for sheet in ScoreSheet.objects.filter(assignment__batch=batch, submitted_at__isnull=False).select_related(
        "assignment"
    ):
        sheets.setdefault(sheet.assignment.item_id, []).append(sheet)
    for item in items:
        own = sheets.get(item.pk, [])
        agg = aggregate_scores([s.total for s in own if s.total is not None], batch.spread_threshold)
        item.score_mean, item.score_trimmed, item.score_spread = agg["mean"], agg["trimmed"], agg["spread"]
        item.spread_warning = agg["warning"]
        votes = Counter(s.recommendation for s in own if s.recommendation)
        item.recommendation = votes.most_common(1)[0][0] if votes else ""
    ranked = sorted((i for i in items if i.score_trimmed is not None), key=lambda i: -i.score_trimmed)  # type: ignore[operator]
    previous: Decimal | None = None
    rank = 0
    for position, item in enumerate(ranked, start=1):
        if item.score_trimmed != previous:
            rank, previous = position, item.score_trimmed
        item.rank = rank
    for item in items:
        if item.score_trimmed is None:
            item.rank = None
    BatchItem.objects.bulk_update(
        items, ["score_mean", "score_trimmed", "score_spread", "spread_warning", "recommendation", "rank"]
    )
    return items


@transaction.atomic
def batch_close(*, actor: Any, batch: ReviewBatch) -> ReviewBatch:
    """Finish the batch: every panel member of every item has submitted; aggregate and hand each item's
    :class:`ReviewOutcome` to its source (``apply_outcome``). A refusal by the source rolls everything
    back. Batch → 已完成."""
    batch = ReviewBatch.objects.select_for_update().get(pk=batch.pk)
    if not can_change_batch(actor, batch):
        raise BusinessError("您没有修改该评审批次的权限。", code="forbidden")
    BATCH_WORKFLOW.check("close", batch.status)
    pending = Assignment.objects.filter(
        batch=batch, panel=True, status__in=[AssignmentStatus.INVITED, AssignmentStatus.ACCEPTED]
    ).count()
    if pending:
        raise BusinessError("还有 %d 份评审未提交，不能汇总。" % pending, code="pending")
    items = batch_aggregate(batch=batch)
    source = review_source(batch.source_key)
    if source is None:
        raise BusinessError("评审对象“%s”已不可用，无法回传结果。" % batch.source_key, code="no_source")
    opinions: dict[int, list[str]] = {}
    counts: Counter[int] = Counter()
    for sheet in ScoreSheet.objects.filter(assignment__batch=batch, submitted_at__isnull=False).select_related(
        "assignment"
    ):
        opinions.setdefault(sheet.assignment.item_id, []).append(sheet.comment)
        counts[sheet.assignment.item_id] += 1
    now = timezone.now()
    for item in items:
        source.apply_outcome(
            actor=actor,
            outcome=ReviewOutcome(
                ref=item.ref,
                batch_id=batch.pk,
                batch_title=batch.title,
                kind=batch.kind,
                score_mean=item.score_mean,
                score_trimmed=item.score_trimmed,
                rank=item.rank,
                reviewers=counts[item.pk],
                recommendation=item.recommendation,
                opinions=tuple(opinions.get(item.pk, [])),
                extra={
                    "spread": str(item.score_spread) if item.score_spread is not None else None,
                    "warning": item.spread_warning,
                },
            ),
        )
        item.outcome_applied_at = now
    BatchItem.objects.bulk_update(items, ["outcome_applied_at"])
    apply_transition(
        obj=batch,
        workflow=BATCH_WORKFLOW,
        action="close",
        actor=actor,
        transition_model=BatchTransition,
        fk_name="batch",
    )
    log_operation(actor=actor, action=actions.BATCH_CLOSE, target=batch, extra={"items": len(items)})
    return batch


@transaction.atomic
def batch_cancel(*, actor: Any, batch: ReviewBatch, reason: str) -> ReviewBatch:
    """Cancel a batch (with a reason); the draw record stays."""
    batch = ReviewBatch.objects.select_for_update().get(pk=batch.pk)
    if not can_change_batch(actor, batch):
        raise BusinessError("您没有修改该评审批次的权限。", code="forbidden")
    apply_transition(
        obj=batch,
        workflow=BATCH_WORKFLOW,
        action="cancel",
        actor=actor,
        transition_model=BatchTransition,
        fk_name="batch",
        reason=reason,
    )
    log_operation(actor=actor, action=actions.BATCH_UPDATE, target=batch, extra={"cancel": reason.strip()})
    return batch


@transaction.atomic
def meeting_save(
    *, actor: Any, batch: ReviewBatch, held_at: Any, place: str, chair: str = "", attendee_ids: Any = ()
) -> MeetingSession:
    """Record a meeting review (会评) of the batch with the experts who attended (only panel members).
    Only once the panels are drawn (评审中, or 已完成 to record a meeting afterwards); never on a cancelled
    batch."""
    if not can_change_batch(actor, batch):
        raise BusinessError("您没有修改该评审批次的权限。", code="forbidden")
    if batch.status not in (BatchStatus.SCORING, BatchStatus.CLOSED):
        raise BusinessError(
            "评审批次“%s”%s，不能登记评审会议。"
            % (batch.title, "已取消" if batch.status == BatchStatus.CANCELLED else "尚未抽取专家"),
            code="status",
        )
    errors: dict[str, list[str]] = {}
    when = held_at
    if not isinstance(when, datetime):
        try:
            when = datetime.fromisoformat(str(held_at))
        except ValueError:
            errors["held_at"] = ["会议时间“%s”无效（格式：2026-01-31 09:00）。" % held_at]
    if isinstance(when, datetime) and timezone.is_naive(when):
        when = timezone.make_aware(when)
    place = (place or "").strip()
    if not place:
        errors["place"] = ["会议地点不能为空。"]
    panel = set(Assignment.objects.filter(batch=batch, panel=True).values_list("expert_id", flat=True))
    try:
        ids = {int(x) for x in attendee_ids}
    except (TypeError, ValueError):
        ids = {-1}
    if ids - panel:
        errors["attendees"] = ["出席专家须为本批次评审组成员。"]
    if errors:
        raise RowErrors(errors)
    session = MeetingSession.objects.create(batch=batch, held_at=when, place=place[:120], chair=chair.strip()[:40])
    session.attendees.set(sorted(ids))
    log_operation(
        actor=actor, action=actions.MEETING_SAVE, target=batch, extra={"meeting": session.pk, "attendees": len(ids)}
    )
    return session


def fee_schedule_for(batch: ReviewBatch) -> FeeSchedule | None:
    """The fee schedule of the batch's review kind in its region or the nearest region above, if any."""
    code = batch.region_id
    prefixes = [code[:n] for n in (2, 4, 6, 9, 12) if n <= len(code)]
    return (
        FeeSchedule.objects.filter(kind=batch.kind, region_id__in=prefixes, is_archived=False)
        .order_by("-region_id")
        .first()
    )


def payment_rows(*, batch: ReviewBatch) -> list[dict[str, Any]]:
    """The fee list of a batch (评审费发放表): per expert, submitted reviews × per-review fee plus meetings
    attended × per-meeting fee (:func:`fee_schedule_for`). Without a schedule for the batch's kind the
    list is refused (``BusinessError``) rather than listing zero amounts."""
    fee = fee_schedule_for(batch)
    if fee is None:
        raise BusinessError(
            "尚未设置“%s”的评审费标准，请先在“评审费标准”中设置后再导出发放表。" % kind_label(batch), code="no_fee"
        )
    per_review = fee.per_review
    per_meeting = fee.per_meeting
    reviews = Counter(
        Assignment.objects.filter(batch=batch, status=AssignmentStatus.SUBMITTED).values_list("expert_id", flat=True)
    )
    meetings: Counter[int] = Counter()
    for session in batch.meetings.prefetch_related("attendees"):
        for e in session.attendees.all():
            meetings[e.pk] += 1
    rows = []
    for expert in Expert.objects.filter(pk__in=set(reviews) | set(meetings)).order_by("name", "pk"):
        amount = per_review * reviews[expert.pk] + per_meeting * meetings[expert.pk]
        rows.append(
            {
                "expert": expert,
                "reviews": reviews[expert.pk],
                "meetings": meetings[expert.pk],
                "amount": amount.quantize(TWO),
            }
        )
    return rows

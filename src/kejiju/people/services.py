"""Writes of the people registry (house rule 1).

Field rules live in :func:`clean_person` so that forms, the API, imports and the apps that register a
person in passing (an expert, a commissioner, a project team member) give the same Chinese reasons for the
same bad value. :func:`person_ensure` is how those apps find-or-create the one record of a person.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone

from kejiju.core.audit import log_operation
from kejiju.core.bulk import refresh_column
from kejiju.core.errors import BusinessError, RowErrors
from kejiju.core.history import acting
from kejiju.core.models import Region
from kejiju.core.permissions import can_manage_region, can_see
from kejiju.core.workflow import apply_transition
from kejiju.engines.contact import is_phone, normalize_phone
from kejiju.engines.idcodes import check_id_number
from kejiju.engines.pinyin import name_initials
from kejiju.engines.textmatch import encode_tokens, tokenize
from kejiju.people import actions
from kejiju.people.choices import (
    Education,
    Gender,
    HonourLevel,
    IdType,
    NominationResult,
    ObjectionStatus,
    RoundStatus,
    TitleLevel,
)
from kejiju.people.models import (
    Honour,
    Nomination,
    Objection,
    Person,
    SelectionRound,
    SelectionRoundTransition,
    TalentCategory,
    TalentMembership,
    TrainingRecord,
)
from kejiju.people.permissions import (
    can_add_person,
    can_add_round,
    can_change_person,
    can_manage_categories,
    can_manage_round,
)
from kejiju.people.workflows import ROUND_FLOW

PERSON_FIELDS = (
    "name",
    "id_type",
    "id_number",
    "region",
    "gender",
    "birth_date",
    "ethnicity",
    "phone",
    "email",
    "organization",
    "position",
    "title",
    "title_level",
    "education",
    "major",
    "subjects",
    "industries",
    "keywords",
    "notes",
)

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PASSPORT = re.compile(r"^[A-Z0-9]{5,20}$")


@dataclass
class CleanPerson:
    """Validated person fields, or the reasons they are not."""

    data: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def error(self, fld: str, message: str) -> None:
        self.errors.setdefault(fld, []).append(message)


def check_person_id(id_type: str, raw: str) -> tuple[str, list[str], dict[str, str]]:
    """Normalise and check one document number: ``(value, errors, details)``. Resident ID numbers follow
    GB 11643 (details carry birth_date and sex); passports and permits are 5–20 letters or digits."""
    if id_type == IdType.RESIDENT:
        check = check_id_number(raw or "")
        return check.value, list(check.errors), dict(check.details)
    value = re.sub(r"\s+", "", str(raw or "")).upper()
    if not value:
        return value, ["证件号码不能为空。"], {}
    if not _PASSPORT.fullmatch(value):
        return value, ["证件号码应为 5 至 20 位字母或数字。"], {}
    return value, [], {}


def _as_list(value: Any) -> list[str]:
    if value in (None, ""):
        return []
    if isinstance(value, str):
        value = re.split(r"[,，;；、\s]+", value)
    return [str(v).strip() for v in value if str(v).strip()]


def _outside(actor: Any, person: Person) -> bool:
    """Whether ``person`` lies outside ``actor``'s region (their name must then not be disclosed)."""
    return actor is not None and not can_see(actor, person)


def subject_errors(codes: list[str]) -> list[str]:
    """The reasons why subject codes (学科代码) are not GB/T 13745 codes (empty when all are)."""
    from kejiju.review.services import subject_codes

    known = subject_codes()
    return ["学科代码“%s”不在《学科分类与代码》（GB/T 13745）中。" % c for c in codes if c not in known]


def clean_person(data: dict[str, Any], *, instance: Person | None = None, actor: Any = None) -> CleanPerson:
    """Check person fields (only those present in ``data`` on update). Never writes.

    Rules: 姓名 required (≤ 40); 证件类型 one of :class:`IdType`; 证件号码 valid for its type and not held by
    another person; 所属区划 an existing region; 联系电话 a phone number; 电子邮箱 an address; codes of 性别,
    学历, 职称级别 from their lists; 学科代码 from GB/T 13745. For a resident ID number the birth date and
    gender are derived from it (a different value given by hand is an error). With ``actor``, a number held
    by a person outside the actor's region is refused without naming that person."""
    result = CleanPerson()
    get = data.get
    creating = instance is None

    def present(name: str) -> bool:
        return creating or name in data

    if present("name"):
        name = str(get("name") or "").strip()
        if not name:
            result.error("name", "姓名不能为空。")
        elif len(name) > 40:
            result.error("name", "姓名不能超过 40 个字。")
        result.data["name"] = name
    id_type = str(get("id_type") or (instance.id_type if instance else IdType.RESIDENT))
    if id_type not in IdType.values:
        result.error("id_type", "证件类型无效，应为：%s。" % "、".join(str(c.label) for c in IdType))
    elif present("id_number") or present("id_type"):
        raw = get("id_number") if "id_number" in data else (instance.id_number if instance else "")
        value, errors, details = check_person_id(id_type, str(raw or ""))
        for message in errors:
            result.error("id_number", message)
        result.data["id_type"] = id_type
        result.data["id_number"] = value
        if not errors:
            taken = Person.objects.filter(id_type=id_type, id_number=value)
            if instance is not None:
                taken = taken.exclude(pk=instance.pk)
            holder = taken.first()
            if holder is not None and _outside(actor, holder):
                result.error("id_number", "该证件号码的人员不在您的管辖范围内，同一人只能有一条记录。")
            elif holder is not None:
                result.error("id_number", "证件号码 %s 已登记为“%s”，同一人只能有一条记录。" % (value, holder.name))
            if details.get("birth_date"):
                result.data["birth_date"] = date.fromisoformat(details["birth_date"])
                result.data["gender"] = Gender.MALE if details.get("sex") == "男" else Gender.FEMALE
    if present("region"):
        code = str(get("region") or "").strip()
        if not code:
            result.error("region", "所属区划不能为空。")
        elif not Region.objects.filter(code=code).exists():
            result.error("region", "区划代码“%s”不存在。" % code)
        result.data["region"] = code
    if "gender" in data and "gender" not in result.data:
        gender = str(get("gender") or "")
        if gender and gender not in Gender.values:
            result.error("gender", "性别应为“男”或“女”。")
        result.data["gender"] = gender
    if "birth_date" in data and "birth_date" not in result.data:
        born = get("birth_date")
        if born in (None, ""):
            result.data["birth_date"] = None
        else:
            try:
                result.data["birth_date"] = born if isinstance(born, date) else date.fromisoformat(str(born))
            except ValueError:
                result.error("birth_date", "出生日期“%s”不是有效日期（格式：2026-01-31）。" % born)
    if "phone" in data:
        phone = normalize_phone(str(get("phone") or ""))
        if phone and not is_phone(phone):
            result.error("phone", "联系电话“%s”不是有效的电话号码。" % get("phone"))
        result.data["phone"] = phone
    if "email" in data:
        email = str(get("email") or "").strip()
        if email and not _EMAIL.fullmatch(email):
            result.error("email", "电子邮箱“%s”格式不正确。" % email)
        result.data["email"] = email
    for name, choices, label in (
        ("education", Education, "最高学历"),
        ("title_level", TitleLevel, "职称级别"),
    ):
        if name in data:
            value = str(get(name) or "")
            if value and value not in choices.values:
                result.error(name, "%s无效，应为：%s。" % (label, "、".join(str(c.label) for c in choices)))
            result.data[name] = value
    for name in ("subjects", "industries"):
        if name in data:
            result.data[name] = _as_list(get(name))
    for message in subject_errors(result.data.get("subjects", [])):
        result.error("subjects", message)
    if "organization" in data:
        org = get("organization")
        result.data["organization"] = getattr(org, "pk", org) or None
    for name, limit in (("ethnicity", 20), ("position", 60), ("title", 60), ("major", 80), ("keywords", 300)):
        if name in data:
            text = str(get(name) or "").strip()
            if len(text) > limit:
                result.error(name, "不能超过 %d 个字。" % limit)
            result.data[name] = text
    if "notes" in data:
        result.data["notes"] = str(get("notes") or "").strip()
    return result


def _apply(person: Person, data: dict[str, Any]) -> None:
    for name, value in data.items():
        if name == "region":
            person.region_id = value
        elif name == "organization":
            person.organization_id = value
        else:
            setattr(person, name, value)
    person.name_initials = name_initials(person.name)[:80]
    person.match_tokens = match_tokens(person)


@transaction.atomic
def person_create(*, actor: Any, data: dict[str, Any], check_perm: bool = True) -> Person:
    """Register a person. Raises ``RowErrors`` naming each bad field, or ``BusinessError`` when the actor
    may not add people or the region lies outside their scope. Logged as ``people.create``.

    ``check_perm=False`` is for other apps' services that register a person as part of their own checked
    operation (an expert application, a project team member); the region scope is still checked."""
    if check_perm and not can_add_person(actor):
        raise BusinessError("您没有新增人员的权限。", code="forbidden")
    cleaned = clean_person(data, actor=actor)
    if cleaned.errors:
        raise RowErrors(cleaned.errors)
    if actor is not None and not can_manage_region(actor, cleaned.data["region"]):
        raise BusinessError("所选区划不在您的管辖范围内。", code="out_of_scope", field="region")
    person = Person()
    _apply(person, cleaned.data)
    with acting(actor):
        person.save()
    log_operation(actor=actor, action=actions.PERSON_CREATE, target=person, extra={"id_type": person.id_type})
    return person


@transaction.atomic
def person_update(*, actor: Any, person: Person, data: dict[str, Any], check_perm: bool = True) -> Person:
    """Change a person's fields (only those in ``data``). Same rules as :func:`person_create`; logged as
    ``people.update`` with the changed field names."""
    person = Person.objects.select_for_update().get(pk=person.pk)
    if check_perm and not can_change_person(actor, person):
        raise BusinessError("您没有修改该人员的权限。", code="forbidden")
    cleaned = clean_person(data, instance=person, actor=actor)
    if cleaned.errors:
        raise RowErrors(cleaned.errors)
    if "region" in cleaned.data and actor is not None and not can_manage_region(actor, cleaned.data["region"]):
        raise BusinessError("所选区划不在您的管辖范围内。", code="out_of_scope", field="region")
    changed = [
        name
        for name, value in cleaned.data.items()
        if getattr(person, name + "_id" if name in ("region", "organization") else name) != value
    ]
    if changed:
        _apply(person, cleaned.data)
        with acting(actor):
            person.save()
        log_operation(actor=actor, action=actions.PERSON_UPDATE, target=person, extra={"fields": changed})
    return person


@transaction.atomic
def person_archive(*, actor: Any, person: Person, archived: bool = True) -> Person:
    """Archive (or restore) a person; roles elsewhere keep pointing to the record. Logged."""
    person = Person.objects.select_for_update().get(pk=person.pk)
    if not can_change_person(actor, person):
        raise BusinessError("您没有修改该人员的权限。", code="forbidden")
    if person.is_archived != archived:
        person.is_archived = archived
        with acting(actor):
            person.save(update_fields=["is_archived", "updated_at"])
        log_operation(actor=actor, action=actions.PERSON_ARCHIVE, target=person, extra={"archived": archived})
    return person


def person_ensure(*, actor: Any, data: dict[str, Any], update_blank: bool = True) -> Person:
    """Find the person by document (``id_type`` default resident, ``id_number``) or register them.

    The one way other apps obtain a Person: an existing record is reused (one person, one record) and, with
    ``update_blank``, its empty fields are filled from ``data``; a different name for the same number is an
    error on ``name`` (a typo or a wrong number — never silently two people), which names the registered
    person only when they lie within the actor's region. Raises ``RowErrors``."""
    id_type = str(data.get("id_type") or IdType.RESIDENT)
    value, errors, _details = check_person_id(id_type, str(data.get("id_number") or ""))
    if errors:
        raise RowErrors({"id_number": errors})
    existing = Person.objects.filter(id_type=id_type, id_number=value).first()
    if existing is None:
        return person_create(actor=actor, data={**data, "id_type": id_type, "id_number": value}, check_perm=False)
    name = str(data.get("name") or "").strip()
    if name and name != existing.name and _outside(actor, existing):
        raise RowErrors(
            {"name": ["证件号码 %s 已登记，与填写的姓名“%s”不一致（该人员不在您的管辖范围内）。" % (value, name)]}
        )
    if name and name != existing.name:
        raise RowErrors({"name": ["证件号码 %s 已登记为“%s”，与填写的姓名“%s”不一致。" % (value, existing.name, name)]})
    if update_blank:
        fill = {
            k: v
            for k, v in data.items()
            if k in PERSON_FIELDS
            and k not in ("id_type", "id_number", "name", "region")
            and v not in (None, "", [])
            and getattr(existing, k + "_id" if k == "organization" else k) in (None, "", [])
        }
        if fill:
            return person_update(actor=actor, person=existing, data=fill, check_perm=False)
    return existing


# ===================================================================================== matcher tokens
#
# The technology-transfer module ranks experts for a demand (专家推荐) by the tokens of a short text; they
# are stored with the person (``match_tokens``) whenever the text changes, so that the suggestions page
# does not segment up to 3,000 texts on every view. The same stored form as the transfer module's records.

#: The fields an expert's matcher text is made of.
MATCH_FIELDS = ("keywords", "title", "major")


def match_text(person: Any) -> str:
    """What an expert is matched on: the keywords twice (for weight), the title and the major."""
    return f"{person.keywords} {person.keywords} {person.title} {person.major}"


def match_tokens(person: Any) -> str | None:
    """The value of ``match_tokens`` for the person's current text: the segmenter's tokens joined by single
    spaces; None (the text is segmented when read) should a token ever hold a space."""
    return encode_tokens(tokenize(match_text(person)))


def refresh_match_tokens(model: Any = Person, *, batch: int = 1000) -> tuple[int, int]:
    """Recompute the stored tokens of every person (``model`` may be the migration's historical model) and
    write those that differ; returns (rows read, rows written). A derived value: no field history, no
    operation-log row per person (``kejiju transfer retokenize``, the migration that added the field)."""
    return refresh_column(model, "match_tokens", match_tokens, MATCH_FIELDS, batch=batch)


# ============================================================================================= talent pool
#
# Categories are data; memberships, honours and training records hang off the one Person record; a
# selection round walks ROUND_FLOW and, when granted, adds its selected persons to its category.

YEAR_MIN = 1950
_SCORE_MAX = Decimal("100")


def _year(value: Any, label: str, errors: dict[str, list[str]], fld: str) -> int | None:
    text = str(value if value is not None else "").strip()
    this_year = timezone.localdate().year
    if not text:
        errors.setdefault(fld, []).append("%s不能为空。" % label)
        return None
    if not text.isdigit() or not YEAR_MIN <= int(text) <= this_year + 1:
        errors.setdefault(fld, []).append("%s应为 %d 至 %d 之间的年份。" % (label, YEAR_MIN, this_year + 1))
        return None
    return int(text)


def _text(
    data: dict[str, Any], fld: str, label: str, limit: int, errors: dict[str, list[str]], required: bool = False
) -> str:
    text = str(data.get(fld) or "").strip()
    if required and not text:
        errors.setdefault(fld, []).append("%s不能为空。" % label)
    elif len(text) > limit:
        errors.setdefault(fld, []).append("%s不能超过 %d 个字。" % (label, limit))
    return text


def _date(
    data: dict[str, Any], fld: str, label: str, errors: dict[str, list[str]], required: bool = False
) -> date | None:
    value = data.get(fld)
    if value in (None, ""):
        if required:
            errors.setdefault(fld, []).append("%s不能为空。" % label)
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        errors.setdefault(fld, []).append("%s“%s”不是有效日期（格式：2026-01-31）。" % (label, value))
        return None


def _decimal(
    value: Any, label: str, fld: str, errors: dict[str, list[str]], places: int, maximum: Decimal
) -> Decimal | None:
    text = str(value if value is not None else "").strip()
    if not text:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        errors.setdefault(fld, []).append("%s“%s”不是数字。" % (label, text))
        return None
    if not number.is_finite() or number < 0 or number > maximum:
        errors.setdefault(fld, []).append("%s应在 0 至 %s 之间。" % (label, maximum))
        return None
    exponent = number.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -places:
        errors.setdefault(fld, []).append("%s最多保留 %d 位小数。" % (label, places))
        return None
    return number


def _require_change(actor: Any, person: Person) -> None:
    if not can_change_person(actor, person):
        raise BusinessError("您没有修改该人员的权限。", code="forbidden")


def _attach(actor: Any, upload: Any, region: str, owner: Any, purpose: str) -> Any:
    if upload is None:
        return None
    from kejiju.core.services.attachments import attachment_create

    return attachment_create(
        actor=actor, fileobj=upload, name=getattr(upload, "name", "file"), region=region, owner=owner, purpose=purpose
    )


# ---------------------------------------------------------------------------------------- categories


@transaction.atomic
def category_save(*, actor: Any, data: dict[str, Any], category: TalentCategory | None = None) -> TalentCategory:
    """Add or change a talent category (代码 letters/digits, 名称 unique, 排序, 启用). Categories are never
    deleted; a disabled one keeps its memberships but takes no new ones. Logged."""
    if not can_manage_categories(actor):
        raise BusinessError("您没有维护人才类别的权限。", code="forbidden")
    errors: dict[str, list[str]] = {}
    name = _text(data, "name", "类别名称", 40, errors, required=True)
    code = str(data.get("code") or (category.code if category else "")).strip().lower()
    if not re.fullmatch(r"[a-z][a-z0-9_-]{0,39}", code):
        errors.setdefault("code", []).append("代码应为以字母开头的 1 至 40 位小写字母、数字、下划线或连字符。")
    description = _text(data, "description", "说明", 300, errors)
    order_text = str(data.get("order") if data.get("order") is not None else "100").strip() or "100"
    if not order_text.isdigit() or int(order_text) > 100000:
        errors.setdefault("order", []).append("排序应为 0 至 100000 的整数。")
    others = TalentCategory.objects.exclude(pk=category.pk) if category else TalentCategory.objects.all()
    if name and others.filter(name=name).exists():
        errors.setdefault("name", []).append("已有名为“%s”的人才类别。" % name)
    if code and others.filter(code=code).exists():
        errors.setdefault("code", []).append("代码“%s”已被使用。" % code)
    if errors:
        raise RowErrors(errors)
    obj = category or TalentCategory()
    obj.code, obj.name, obj.description, obj.order = code, name, description, int(order_text)
    obj.is_active = bool(data.get("is_active", True)) if "is_active" in data or category is None else obj.is_active
    obj.save()
    log_operation(actor=actor, action=actions.CATEGORY_SAVE, target=obj, extra={"code": code})
    return obj


# ---------------------------------------------------------------------------------------- memberships


@transaction.atomic
def membership_grant(
    *,
    actor: Any,
    person: Person,
    category: TalentCategory,
    year: Any,
    document_no: str = "",
    notes: str = "",
    selection_round: SelectionRound | None = None,
    upload: Any = None,
    check_perm: bool = True,
) -> TalentMembership:
    """Put a person into a talent category (入库) for ``year`` with the granting document. Rules: the
    category is enabled, the year is 1950…next year, the person is not already an active member of it, and
    an archived person takes no new category. Logged as ``people.membership_grant``."""
    person = Person.objects.select_for_update().get(pk=person.pk)
    if check_perm:
        _require_change(actor, person)
    errors: dict[str, list[str]] = {}
    year_value = _year(year, "入选年度", errors, "year")
    data = {"document_no": document_no, "notes": notes}
    document = _text(data, "document_no", "文件文号", 80, errors)
    note = _text(data, "notes", "备注", 300, errors)
    if not category.is_active:
        errors.setdefault("category", []).append("人才类别“%s”已停用，不能再入库。" % category.name)
    if person.is_archived:
        errors.setdefault("person", []).append("人员“%s”已归档，不能入库。" % person.name)
    if TalentMembership.objects.filter(person=person, category=category, is_archived=False).exists():
        errors.setdefault("category", []).append("“%s”已在“%s”中。" % (person.name, category.name))
    if errors or year_value is None:
        raise RowErrors(errors)
    membership = TalentMembership(
        person=person,
        category=category,
        year=year_value,
        document_no=document,
        notes=note,
        selection_round=selection_round,
        region_id=person.region_id,
    )
    with acting(actor):
        membership.save()
        if upload is not None:
            membership.attachment = _attach(actor, upload, person.region_id, membership, "入库文件")
            membership.save(update_fields=["attachment", "updated_at"])
    log_operation(
        actor=actor,
        action=actions.MEMBERSHIP_GRANT,
        target=membership,
        extra={"person": person.pk, "category": category.code, "year": year_value},
    )
    return membership


@transaction.atomic
def membership_archive(*, actor: Any, membership: TalentMembership, reason: str = "") -> TalentMembership:
    """Take a person out of a category (出库), keeping the record (house rule 6). A reason is required."""
    membership = TalentMembership.objects.select_for_update().select_related("person").get(pk=membership.pk)
    _require_change(actor, membership.person)
    reason = reason.strip()
    if not reason:
        raise BusinessError("请填写出库原因。", code="reason_required", field="reason")
    if not membership.is_archived:
        membership.is_archived = True
        membership.notes = ("%s（出库：%s）" % (membership.notes, reason)).strip()[:300]
        with acting(actor, reason):
            membership.save(update_fields=["is_archived", "notes", "updated_at"])
        log_operation(actor=actor, action=actions.MEMBERSHIP_ARCHIVE, target=membership, extra={"reason": reason})
    return membership


# ---------------------------------------------------------------------------------------- honours, training


@transaction.atomic
def honour_save(
    *, actor: Any, person: Person, data: dict[str, Any], honour: Honour | None = None, upload: Any = None
) -> Honour:
    """Record (or change) an honour or selection of a person: 荣誉名称 required, 级别 from the list, 年度
    1950…next year, 授予单位 and 文件文号 optional, a scanned document optional. Logged."""
    _require_change(actor, person)
    errors: dict[str, list[str]] = {}
    title = _text(data, "title", "荣誉名称", 120, errors, required=True)
    level = str(data.get("level") or HonourLevel.COUNTY)
    if level not in HonourLevel.values:
        errors.setdefault("level", []).append("级别无效，应为：%s。" % "、".join(str(c.label) for c in HonourLevel))
    year_value = _year(data.get("year"), "年度", errors, "year")
    issuer = _text(data, "issuer", "授予单位", 80, errors)
    document = _text(data, "document_no", "文件文号", 80, errors)
    if errors:
        raise RowErrors(errors)
    obj = Honour.objects.select_for_update().get(pk=honour.pk) if honour else Honour(person=person)
    obj.title, obj.level, obj.year, obj.issuer, obj.document_no = title, level, year_value, issuer, document
    obj.region_id = person.region_id
    with acting(actor):
        obj.save()
        if upload is not None:
            obj.attachment = _attach(actor, upload, person.region_id, obj, "荣誉文件")
            obj.save(update_fields=["attachment", "updated_at"])
    log_operation(actor=actor, action=actions.HONOUR_SAVE, target=obj, extra={"person": person.pk})
    return obj


@transaction.atomic
def honour_archive(*, actor: Any, honour: Honour, archived: bool = True) -> Honour:
    """Archive (or restore) an honour record. Logged."""
    honour = Honour.objects.select_for_update().select_related("person").get(pk=honour.pk)
    _require_change(actor, honour.person)
    if honour.is_archived != archived:
        honour.is_archived = archived
        with acting(actor):
            honour.save(update_fields=["is_archived", "updated_at"])
        log_operation(actor=actor, action=actions.HONOUR_ARCHIVE, target=honour, extra={"archived": archived})
    return honour


@transaction.atomic
def training_save(
    *, actor: Any, person: Person, data: dict[str, Any], training: TrainingRecord | None = None
) -> TrainingRecord:
    """Record a continuing-education or training course taken elsewhere: 培训名称 and 开始日期 required,
    结束日期 not before the start, 学时 0–9999.9 with one decimal. Logged."""
    _require_change(actor, person)
    errors: dict[str, list[str]] = {}
    title = _text(data, "title", "培训名称", 120, errors, required=True)
    organizer = _text(data, "organizer", "主办单位", 80, errors)
    start = _date(data, "start_date", "开始日期", errors, required=True)
    end = _date(data, "end_date", "结束日期", errors)
    if start and end and end < start:
        errors.setdefault("end_date", []).append("结束日期不能早于开始日期。")
    if start and start > timezone.localdate() + timedelta(days=366):
        errors.setdefault("start_date", []).append("开始日期不能晚于一年以后。")
    hours = _decimal(data.get("hours"), "学时", "hours", errors, 1, Decimal("9999.9"))
    certificate = _text(data, "certificate_no", "证书编号", 60, errors)
    if errors:
        raise RowErrors(errors)
    obj = TrainingRecord.objects.select_for_update().get(pk=training.pk) if training else TrainingRecord(person=person)
    obj.title, obj.organizer, obj.start_date, obj.end_date = title, organizer, start, end
    obj.hours, obj.certificate_no, obj.region_id = hours, certificate, person.region_id
    with acting(actor):
        obj.save()
    log_operation(actor=actor, action=actions.TRAINING_SAVE, target=obj, extra={"person": person.pk})
    return obj


@transaction.atomic
def training_archive(*, actor: Any, training: TrainingRecord, archived: bool = True) -> TrainingRecord:
    """Archive (or restore) a training record. Logged."""
    training = TrainingRecord.objects.select_for_update().select_related("person").get(pk=training.pk)
    _require_change(actor, training.person)
    if training.is_archived != archived:
        training.is_archived = archived
        with acting(actor):
            training.save(update_fields=["is_archived", "updated_at"])
        log_operation(actor=actor, action=actions.TRAINING_ARCHIVE, target=training, extra={"archived": archived})
    return training


# ---------------------------------------------------------------------------------------- selection rounds


def _round_fields(data: dict[str, Any], errors: dict[str, list[str]]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    values["title"] = _text(data, "title", "评选名称", 120, errors, required=True)
    values["year"] = _year(data.get("year"), "年度", errors, "year")
    category = data.get("category")
    if isinstance(category, TalentCategory):
        values["category"] = category
    else:
        text = str(category or "")
        found = TalentCategory.objects.filter(pk=int(text)).first() if text.isdigit() and len(text) < 19 else None
        if found is None:
            found = TalentCategory.objects.filter(code=str(category or "")).first()
        if found is None:
            errors.setdefault("category", []).append("请选择人才类别。")
        elif not found.is_active:
            errors.setdefault("category", []).append("人才类别“%s”已停用。" % found.name)
        values["category"] = found
    quota = str(data.get("quota") if data.get("quota") is not None else "").strip()
    if quota and (not quota.isdigit() or not 0 < int(quota) <= 10000):
        errors.setdefault("quota", []).append("拟选名额应为 1 至 10000 的整数。")
    values["quota"] = int(quota) if quota.isdigit() else None
    values["nomination_deadline"] = _date(data, "nomination_deadline", "推荐截止日期", errors)
    values["rules"] = _text(data, "rules", "评选条件", 5000, errors)
    values["decision_document_no"] = _text(data, "decision_document_no", "认定文件文号", 80, errors)
    values["publicity_contact"] = _text(data, "publicity_contact", "异议受理电话", 60, errors)
    return values


def _check_round_perm(actor: Any, obj: SelectionRound | None = None) -> None:
    if not can_manage_round(actor, obj):
        raise BusinessError("您没有管理人才评选的权限。", code="forbidden")


@transaction.atomic
def round_create(*, actor: Any, data: dict[str, Any]) -> SelectionRound:
    """Set up a selection round in the actor's region (``region``, default their active region): 评选名称,
    人才类别 (enabled), 年度, optional 名额, 推荐截止日期, 评选条件. Starts as 草稿. Logged."""
    if not can_add_round(actor):
        raise BusinessError("您没有新建人才评选的权限。", code="forbidden")
    errors: dict[str, list[str]] = {}
    values = _round_fields(data, errors)
    region = str(
        data.get("region") or getattr(actor, "active_region_code", None) or getattr(actor, "region_id", "") or ""
    )
    if not region or not Region.objects.filter(code=region).exists():
        errors.setdefault("region", []).append("所属区划不存在。")
    if errors:
        raise RowErrors(errors)
    if actor is not None and not can_manage_region(actor, region):
        raise BusinessError("所选区划不在您的管辖范围内。", code="out_of_scope", field="region")
    obj = SelectionRound(region_id=region, **values)
    with acting(actor):
        obj.save()
    log_operation(actor=actor, action=actions.ROUND_SAVE, target=obj, extra={"created": True})
    return obj


@transaction.atomic
def round_update(*, actor: Any, selection_round: SelectionRound, data: dict[str, Any]) -> SelectionRound:
    """Change a round's settings; only before the decision (草稿, 推荐中, 评审中). Logged."""
    obj = SelectionRound.objects.select_for_update().get(pk=selection_round.pk)
    _check_round_perm(actor, obj)
    if obj.status not in (RoundStatus.DRAFT, RoundStatus.NOMINATING, RoundStatus.REVIEWING):
        raise BusinessError("评选“%s”已%s，不能再修改设置。" % (obj.title, obj.get_status_display()), code="bad_status")
    errors: dict[str, list[str]] = {}
    values = _round_fields(data, errors)
    if (
        values.get("category") is not None
        and values["category"].pk != obj.category_id
        and obj.status != RoundStatus.DRAFT
    ):
        errors.setdefault("category", []).append("开始推荐后不能更改人才类别。")
    if errors:
        raise RowErrors(errors)
    for name, value in values.items():
        setattr(obj, name, value)
    with acting(actor):
        obj.save()
    log_operation(actor=actor, action=actions.ROUND_SAVE, target=obj, extra={"created": False})
    return obj


def _active_nominations(obj: SelectionRound) -> Any:
    return Nomination.objects.filter(selection_round=obj, is_archived=False)


@transaction.atomic
def round_transition(
    *, actor: Any, selection_round: SelectionRound, action: str, reason: str = "", data: dict[str, Any] | None = None
) -> SelectionRound:
    """Move a round along :data:`ROUND_FLOW`. Extra rules per step:

    * 进入评审 — at least one nomination;
    * 确定人选 — every nomination has a result (入选 / 未入选) and the selected fit the quota;
    * 发布公示 — ``data`` gives 公示开始 and 公示结束 (end not before start, at least one selected);
    * 认定入库 — the publicity period is over (today after 公示结束) and every objection handled; each
      selected person then joins the round's category for its year with the decision document (a person
      already in the category keeps the existing membership);
    * 取消评选 — a reason.

    Writes the transition row and the operation log; a refused step changes nothing (``BusinessError``
    or ``RowErrors``)."""
    obj = SelectionRound.objects.select_for_update().select_related("category").get(pk=selection_round.pk)
    _check_round_perm(actor, obj)
    step = ROUND_FLOW.check(action, obj.status, reason)
    data = data or {}
    fields: list[str] = []
    extra: dict[str, Any] = {}
    nominations = _active_nominations(obj)
    if step.name == "start_review" and not nominations.exists():
        raise BusinessError("还没有推荐人选，不能进入评审。", code="no_nominations")
    if step.name == "decide":
        pending = nominations.filter(result=NominationResult.PENDING).count()
        if pending:
            raise BusinessError("还有 %d 名推荐人选未确定结果（入选或未入选）。" % pending, code="pending")
        selected = nominations.filter(result=NominationResult.SELECTED).count()
        if not selected:
            raise BusinessError("没有入选人员，不能确定人选；如不再评选请取消。", code="none_selected")
        if obj.quota is not None and selected > obj.quota:
            raise BusinessError("入选 %d 人，超过拟选名额 %d 人。" % (selected, obj.quota), code="over_quota")
        extra["selected"] = selected
    if step.name == "publish":
        errors: dict[str, list[str]] = {}
        start = _date(data, "publicity_start", "公示开始", errors, required=True)
        end = _date(data, "publicity_end", "公示结束", errors, required=True)
        if start and end and end < start:
            errors.setdefault("publicity_end", []).append("公示结束日期不能早于开始日期。")
        contact = _text(data, "publicity_contact", "异议受理电话", 60, errors) or obj.publicity_contact
        document = _text(data, "decision_document_no", "认定文件文号", 80, errors) or obj.decision_document_no
        if errors:
            raise RowErrors(errors)
        obj.publicity_start, obj.publicity_end = start, end
        obj.publicity_contact, obj.decision_document_no = contact, document
        fields += ["publicity_start", "publicity_end", "publicity_contact", "decision_document_no"]
        extra.update({"publicity_start": str(start), "publicity_end": str(end)})
    if step.name == "grant":
        today = timezone.localdate()
        if obj.publicity_end is None or today <= obj.publicity_end:
            raise BusinessError(
                "公示期至 %s 结束，期满后才能认定入库。" % (obj.publicity_end or "—"), code="publicity_running"
            )
        open_count = Objection.objects.filter(
            selection_round=obj, status=ObjectionStatus.OPEN, is_archived=False
        ).count()
        if open_count:
            raise BusinessError("还有 %d 条公示异议未处理。" % open_count, code="open_objections")
    _apply_round_step(obj, step.name, actor, reason, extra, fields)
    if step.name == "grant":
        granted = 0
        for nomination in nominations.filter(result=NominationResult.SELECTED).select_related("person"):
            if TalentMembership.objects.filter(
                person=nomination.person, category=obj.category, is_archived=False
            ).exists():
                continue
            membership_grant(
                actor=actor,
                person=nomination.person,
                category=obj.category,
                year=obj.year,
                document_no=obj.decision_document_no,
                selection_round=obj,
                notes="经“%s”评选认定。" % obj.title,
                check_perm=False,
            )
            granted += 1
        extra["granted"] = granted
    log_operation(
        actor=actor,
        action=actions.ROUND_TRANSITION,
        target=obj,
        extra={"action": step.name, "to": obj.status, **extra},
    )
    return obj


def _apply_round_step(
    obj: SelectionRound, action: str, actor: Any, reason: str, extra: dict[str, Any], fields: list[str]
) -> None:
    apply_transition(
        obj=obj,
        workflow=ROUND_FLOW,
        action=action,
        actor=actor,
        transition_model=SelectionRoundTransition,
        fk_name="selection_round",
        reason=reason,
        extra=extra,
        update_fields=fields,
    )


# ---------------------------------------------------------------------------------------- nominations


def _round_in(obj: SelectionRound, *statuses: str, doing: str) -> None:
    if obj.status not in statuses:
        raise BusinessError(
            "评选“%s”当前为“%s”，不能%s。" % (obj.title, obj.get_status_display(), doing), code="bad_status"
        )


@transaction.atomic
def nomination_create(
    *,
    actor: Any,
    selection_round: SelectionRound,
    person_data: dict[str, Any],
    nominator: Any = None,
    achievements: str = "",
) -> Nomination:
    """Nominate a person in a round that is collecting nominations (推荐中). The person is found by
    document or registered (:func:`person_ensure`: a bad ID number, a passport in the wrong format or a
    name that differs from the one registered under the number are field errors); the same person twice
    in one round is refused. Logged."""
    obj = SelectionRound.objects.select_for_update().get(pk=selection_round.pk)
    _check_round_perm(actor, obj)
    _round_in(obj, RoundStatus.NOMINATING, doing="推荐人选")
    errors: dict[str, list[str]] = {}
    text = _text({"achievements": achievements}, "achievements", "主要业绩", 5000, errors)
    if errors:
        raise RowErrors(errors)
    person = person_ensure(actor=actor, data={"region": obj.region_id, **person_data})
    if _active_nominations(obj).filter(person=person).exists():
        raise RowErrors({"id_number": ["“%s”已在本次评选的推荐人选中。" % person.name]})
    nomination = Nomination(
        selection_round=obj,
        person=person,
        nominator_id=getattr(nominator, "pk", nominator) or None,
        achievements=text,
        region_id=obj.region_id,
    )
    with acting(actor):
        nomination.save()
    log_operation(actor=actor, action=actions.NOMINATION_CREATE, target=nomination, extra={"round": obj.pk})
    return nomination


@transaction.atomic
def nomination_withdraw(*, actor: Any, nomination: Nomination, reason: str = "") -> Nomination:
    """Withdraw a nomination while nominations are still collected. Logged."""
    nomination = Nomination.objects.select_for_update().select_related("selection_round").get(pk=nomination.pk)
    _check_round_perm(actor, nomination.selection_round)
    _round_in(nomination.selection_round, RoundStatus.NOMINATING, doing="撤回推荐")
    if not nomination.is_archived:
        nomination.is_archived = True
        with acting(actor, reason):
            nomination.save(update_fields=["is_archived", "updated_at"])
        log_operation(actor=actor, action=actions.NOMINATION_WITHDRAW, target=nomination, extra={"reason": reason})
    return nomination


@transaction.atomic
def nomination_score(
    *, actor: Any, nomination: Nomination, score: Any, opinion: str = "", reviewers: Any = None
) -> Nomination:
    """Enter the review result by hand (评审得分 0–100, two decimals at most; 评审意见; number of reviewers)
    while the round is 评审中 — the way to record a review held outside the review module; it clears the
    rank an expert batch gave. Logged."""
    nomination = Nomination.objects.select_for_update().select_related("selection_round").get(pk=nomination.pk)
    _check_round_perm(actor, nomination.selection_round)
    _round_in(nomination.selection_round, RoundStatus.REVIEWING, doing="录入评审结果")
    errors: dict[str, list[str]] = {}
    value = _decimal(score, "评审得分", "score", errors, 2, _SCORE_MAX)
    if value is None and "score" not in errors:
        errors["score"] = ["评审得分不能为空。"]
    text = _text({"opinion": opinion}, "opinion", "评审意见", 5000, errors)
    count_text = str(reviewers if reviewers is not None else "").strip()
    if count_text and (not count_text.isdigit() or int(count_text) > 999):
        errors.setdefault("reviewers", []).append("评审专家数应为 0 至 999 的整数。")
    if errors:
        raise RowErrors(errors)
    nomination.score = value
    nomination.review_opinion = text
    # a score entered by hand is not the expert batch's: its rank no longer holds
    nomination.review_rank = None
    if count_text:
        nomination.reviewers = int(count_text)
    with acting(actor):
        nomination.save(update_fields=["score", "review_opinion", "reviewers", "review_rank", "updated_at"])
    log_operation(actor=actor, action=actions.NOMINATION_SCORE, target=nomination, extra={"score": str(value)})
    return nomination


@transaction.atomic
def nomination_decide(*, actor: Any, nomination: Nomination, result: str, reason: str = "") -> Nomination:
    """Mark a nominee 入选 or 未入选 (or back to 待定) while the round is 评审中. Logged."""
    nomination = Nomination.objects.select_for_update().select_related("selection_round").get(pk=nomination.pk)
    _check_round_perm(actor, nomination.selection_round)
    _round_in(nomination.selection_round, RoundStatus.REVIEWING, doing="确定评选结果")
    allowed = (NominationResult.PENDING, NominationResult.SELECTED, NominationResult.NOT_SELECTED)
    if result not in allowed:
        raise RowErrors({"result": ["评选结果应为：待定、入选或未入选。"]})
    if nomination.is_archived:
        raise BusinessError("该推荐已撤回。", code="withdrawn")
    errors: dict[str, list[str]] = {}
    text = _text({"reason": reason}, "reason", "结果说明", 300, errors)
    if errors:
        raise RowErrors(errors)
    nomination.result, nomination.result_reason = result, text
    with acting(actor):
        nomination.save(update_fields=["result", "result_reason", "updated_at"])
    log_operation(actor=actor, action=actions.NOMINATION_DECIDE, target=nomination, extra={"result": result})
    return nomination


def nomination_apply_review(
    *,
    actor: Any,
    nomination_id: int,
    score: Decimal | None,
    reviewers: int,
    opinions: tuple[str, ...],
    rank: int | None = None,
) -> Nomination:
    """Store the review module's aggregated result on a nomination (called through the review source):
    the score, the number of experts, their opinions and the rank in the batch. Refused unless the round
    is 评审中."""
    nomination = Nomination.objects.select_for_update().select_related("selection_round").get(pk=nomination_id)
    _round_in(nomination.selection_round, RoundStatus.REVIEWING, doing="接收评审结果")
    if nomination.is_archived:
        raise BusinessError("该推荐已撤回。", code="withdrawn")
    nomination.score = score.quantize(Decimal("0.01")) if score is not None else None
    nomination.reviewers = reviewers
    nomination.review_opinion = "\n".join(o for o in opinions if o)[:5000]
    nomination.review_rank = rank
    with acting(actor):
        nomination.save(update_fields=["score", "reviewers", "review_opinion", "review_rank", "updated_at"])
    log_operation(
        actor=actor,
        action=actions.NOMINATION_SCORE,
        target=nomination,
        extra={"score": str(score), "rank": rank, "source": "review"},
    )
    return nomination


# ---------------------------------------------------------------------------------------- publicity


@transaction.atomic
def objection_submit(*, actor: Any, selection_round: SelectionRound, data: dict[str, Any]) -> Objection:
    """Receive an objection during the publicity period (from the public page or entered by staff): 异议人
    and 联系电话 (a valid phone) required, 异议内容 10–2000 字, optionally against one selected nominee of
    this round. Refused outside the publicity period. Logged."""
    obj = SelectionRound.objects.select_for_update().get(pk=selection_round.pk)
    today = timezone.localdate()
    if (
        obj.status != RoundStatus.PUBLICITY
        or obj.is_archived
        or obj.publicity_start is None
        or obj.publicity_end is None
        or not obj.publicity_start <= today <= obj.publicity_end
    ):
        raise BusinessError("该评选不在公示期内，不能提出异议。", code="not_in_publicity")
    errors: dict[str, list[str]] = {}
    name = _text(data, "submitter_name", "异议人", 40, errors, required=True)
    phone = normalize_phone(str(data.get("submitter_phone") or ""))
    if not phone:
        errors.setdefault("submitter_phone", []).append("联系电话不能为空。")
    elif not is_phone(phone):
        errors.setdefault("submitter_phone", []).append(
            "联系电话“%s”不是有效的电话号码。" % data.get("submitter_phone")
        )
    content = _text(data, "content", "异议内容", 2000, errors, required=True)
    if content and len(content) < 10:
        errors.setdefault("content", []).append("异议内容至少 10 个字，请写明事实和理由。")
    nomination = None
    target = str(data.get("nomination") or "").strip()
    if target:
        nomination = (
            _active_nominations(obj).filter(pk=target, result=NominationResult.SELECTED).first()
            if target.isdigit() and int(target) < 2**63
            else None
        )
        if nomination is None:
            errors.setdefault("nomination", []).append("请选择公示名单中的人员。")
    if errors:
        raise RowErrors(errors)
    objection = Objection(
        selection_round=obj,
        nomination=nomination,
        submitter_name=name,
        submitter_phone=phone,
        content=content,
        region_id=obj.region_id,
    )
    with acting(actor if getattr(actor, "pk", None) else None):
        objection.save()
    log_operation(
        actor=actor if getattr(actor, "pk", None) else None,
        action=actions.OBJECTION_SUBMIT,
        target=objection,
        region=obj.region_id,
        extra={"round": obj.pk},
    )
    return objection


@transaction.atomic
def objection_handle(*, actor: Any, objection: Objection, upheld: bool, handling: str) -> Objection:
    """Handle an objection (处理意见 required). Upheld against a nominee, the nominee leaves the list
    (公示后撤销) and will not join the category. Only during publicity. Logged."""
    objection = Objection.objects.select_for_update().select_related("selection_round").get(pk=objection.pk)
    _check_round_perm(actor, objection.selection_round)
    _round_in(objection.selection_round, RoundStatus.PUBLICITY, doing="处理异议")
    if objection.status != ObjectionStatus.OPEN:
        raise BusinessError("该异议已处理。", code="handled")
    errors: dict[str, list[str]] = {}
    text = _text({"handling": handling}, "handling", "处理意见", 2000, errors, required=True)
    if errors:
        raise RowErrors(errors)
    objection.status = ObjectionStatus.UPHELD if upheld else ObjectionStatus.DISMISSED
    objection.handling, objection.handled_at = text, timezone.now()
    with acting(actor):
        objection.save(update_fields=["status", "handling", "handled_at", "updated_at"])
        if upheld and objection.nomination_id:
            nomination = Nomination.objects.select_for_update().get(pk=objection.nomination_id)
            nomination.result = NominationResult.WITHDRAWN
            nomination.result_reason = ("公示异议成立：%s" % text)[:300]
            nomination.save(update_fields=["result", "result_reason", "updated_at"])
    log_operation(actor=actor, action=actions.OBJECTION_HANDLE, target=objection, extra={"upheld": upheld})
    return objection

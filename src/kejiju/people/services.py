"""Writes of the people registry (house rule 1).

Field rules live in :func:`clean_person` so that forms, the API, imports and the apps that register a
person in passing (an expert, a commissioner, a project team member) give the same Chinese reasons for the
same bad value. :func:`person_ensure` is how those apps find-or-create the one record of a person.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import transaction

from kejiju.core.audit import log_operation
from kejiju.core.errors import BusinessError, RowErrors
from kejiju.core.history import acting
from kejiju.core.models import Region
from kejiju.core.permissions import can_manage_region
from kejiju.engines.contact import is_phone, normalize_phone
from kejiju.engines.idcodes import check_id_number
from kejiju.engines.pinyin import name_initials
from kejiju.people import actions
from kejiju.people.choices import Education, Gender, IdType, TitleLevel
from kejiju.people.models import Person
from kejiju.people.permissions import can_add_person, can_change_person

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


def clean_person(data: dict[str, Any], *, instance: Person | None = None) -> CleanPerson:
    """Check person fields (only those present in ``data`` on update). Never writes.

    Rules: 姓名 required (≤ 40); 证件类型 one of :class:`IdType`; 证件号码 valid for its type and not held by
    another person; 所属区划 an existing region; 联系电话 a phone number; 电子邮箱 an address; codes of 性别,
    学历, 职称级别 from their lists. For a resident ID number the birth date and gender are derived from it
    (a different value given by hand is an error)."""
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
            if holder is not None:
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
        value = get("birth_date")
        if value in (None, ""):
            result.data["birth_date"] = None
        else:
            try:
                result.data["birth_date"] = value if isinstance(value, date) else date.fromisoformat(str(value))
            except ValueError:
                result.error("birth_date", "出生日期“%s”不是有效日期（格式：2026-01-31）。" % value)
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


@transaction.atomic
def person_create(*, actor: Any, data: dict[str, Any], check_perm: bool = True) -> Person:
    """Register a person. Raises ``RowErrors`` naming each bad field, or ``BusinessError`` when the actor
    may not add people or the region lies outside their scope. Logged as ``people.create``.

    ``check_perm=False`` is for other apps' services that register a person as part of their own checked
    operation (an expert application, a project team member); the region scope is still checked."""
    if check_perm and not can_add_person(actor):
        raise BusinessError("您没有新增人员的权限。", code="forbidden")
    cleaned = clean_person(data)
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
    cleaned = clean_person(data, instance=person)
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
    error on ``name`` (a typo or a wrong number — never silently two people). Raises ``RowErrors``."""
    id_type = str(data.get("id_type") or IdType.RESIDENT)
    value, errors, _details = check_person_id(id_type, str(data.get("id_number") or ""))
    if errors:
        raise RowErrors({"id_number": errors})
    existing = Person.objects.filter(id_type=id_type, id_number=value).first()
    if existing is None:
        return person_create(actor=actor, data={**data, "id_type": id_type, "id_number": value}, check_perm=False)
    name = str(data.get("name") or "").strip()
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

"""Writes of the organizations registry (house rule 1).

Field rules live in :func:`clean_organization` so that the form, the API and the Excel import give the
same Chinese reasons for the same bad value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.apps import apps
from django.db import transaction

from kejiju.core.audit import log_operation
from kejiju.core.errors import BusinessError, RowErrors
from kejiju.core.history import acting
from kejiju.core.models import CodeItem, Region
from kejiju.core.permissions import can_act, can_manage_region
from kejiju.engines.contact import is_phone, normalize_phone
from kejiju.engines.idcodes import check_credit_code, normalize_region_code
from kejiju.engines.pinyin import name_initials
from kejiju.orgs import actions, ipnumbers
from kejiju.orgs.choices import IP_CLASS_OF_TYPE, IpStatus, IpType, OrgType, QualificationKind, QualificationLevel
from kejiju.orgs.models import (
    IntellectualProperty,
    Organization,
    OrganizationAlias,
    OrganizationMember,
    Qualification,
)

ORG_FIELDS = (
    "name",
    "credit_code",
    "region",
    "org_type",
    "industry_code",
    "address",
    "legal_representative",
    "contact_person",
    "contact_phone",
    "founded_on",
    "staff_count",
    "main_products",
)


@dataclass
class CleanResult:
    """Validated organization fields, or the reasons they are not."""

    data: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)
    warnings: dict[str, list[str]] = field(default_factory=dict)

    def error(self, fld: str, message: str) -> None:
        self.errors.setdefault(fld, []).append(message)


def _parse_date(value: Any) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip().replace("/", "-").replace(".", "-")
    match = re.fullmatch(r"(\d{4})年(\d{1,2})月(\d{1,2})日", text)
    if match:
        text = "-".join(match.groups())
    try:
        year, month, day = (int(p) for p in text.split("-"))
        return date(year, month, day)
    except (ValueError, TypeError):
        raise ValueError(text) from None


def industry_codes() -> set[str]:
    return set(CodeItem.objects.filter(kind="industry", is_active=True).values_list("code", flat=True))


#: 单位类型 by code (enterprise) and by Chinese label (企业).
_ORG_TYPES: dict[str, str] = {
    **{str(c.value): str(c.value) for c in OrgType},
    **{str(c.label): str(c.value) for c in OrgType},
}


def org_type_value(value: str) -> str | None:
    """Accept the code (enterprise) or the Chinese label (企业)."""
    return _ORG_TYPES.get((value or "").strip())


def clean_organization(
    raw: dict[str, Any],
    *,
    actor: Any = None,
    known_regions: set[str] | None = None,
    known_industries: set[str] | None = None,
    today: date | None = None,
) -> CleanResult:
    """Check one organization's fields. ``raw`` keys are ``ORG_FIELDS`` (region as a code). Errors name
    the field and the reason in Chinese; the GB 11714 check of the credit code is a warning only."""
    result = CleanResult()
    today = today or date.today()
    name = re.sub(r"\s+", "", str(raw.get("name") or ""))
    if not name:
        result.error("name", "单位名称不能为空。")
    elif len(name) > 200:
        result.error("name", "单位名称不能超过 200 个字。")
    result.data["name"] = name

    check = check_credit_code(str(raw.get("credit_code") or ""))
    for message in check.errors:
        result.error("credit_code", message)
    if check.warnings:
        result.warnings["credit_code"] = check.warnings
    result.data["credit_code"] = check.value

    region_code = normalize_region_code(str(raw.get("region") or ""))
    if not region_code:
        result.error("region", "所属区划代码不能为空。")
    else:
        exists = (
            region_code in known_regions
            if known_regions is not None
            else Region.objects.filter(code=region_code).exists()
        )
        if not exists:
            result.error("region", "所属区划代码“%(c)s”不存在。" % {"c": region_code})
        elif actor is not None and not can_manage_region(actor, region_code):
            result.error("region", "所属区划“%(c)s”不在您的管辖范围内。" % {"c": region_code})
    result.data["region"] = region_code

    org_type = org_type_value(str(raw.get("org_type") or ""))
    if org_type is None and not str(raw.get("org_type") or "").strip():
        result.error("org_type", "单位类型不能为空，应为：%s。" % "、".join(str(c.label) for c in OrgType))
    elif org_type is None:
        result.error("org_type", "单位类型无效，应为：%s。" % "、".join(str(c.label) for c in OrgType))
    result.data["org_type"] = org_type or ""

    industry = str(raw.get("industry_code") or "").strip().upper()
    if industry:
        match = re.match(r"^([A-T])(\d{2})?", industry)
        code = industry if not match else (match.group(2) or match.group(1))
        known = known_industries if known_industries is not None else industry_codes()
        if code not in known:
            result.error("industry_code", "行业代码“%(c)s”不是有效的国民经济行业门类或大类。" % {"c": industry})
        industry = code
    result.data["industry_code"] = industry

    for fld, limit in (("address", 200), ("legal_representative", 40), ("contact_person", 40)):
        value = str(raw.get(fld) or "").strip()
        if len(value) > limit:
            result.error(fld, "内容不能超过 %(n)s 个字。" % {"n": limit})
        result.data[fld] = value

    phone = normalize_phone(str(raw.get("contact_phone") or ""))
    if phone and not is_phone(phone):
        result.error("contact_phone", "联系电话“%(p)s”不是有效的手机或固定电话号码。" % {"p": phone})
    result.data["contact_phone"] = phone

    try:
        founded = _parse_date(raw.get("founded_on"))
        if founded is not None and founded > today:
            result.error("founded_on", "成立日期不能晚于今天。")
        elif founded is not None and founded.year < 1800:
            result.error("founded_on", "成立日期不合理。")
        result.data["founded_on"] = founded
    except ValueError:
        result.error("founded_on", "成立日期“%(v)s”不是有效日期，格式应为 2020-05-01。" % {"v": raw.get("founded_on")})

    staff = raw.get("staff_count")
    if staff in (None, ""):
        result.data["staff_count"] = None
    else:
        text = str(staff).strip()
        if not re.fullmatch(r"\d{1,7}", text):
            result.error("staff_count", "职工人数“%(v)s”应为非负整数。" % {"v": staff})
            result.data["staff_count"] = None
        else:
            result.data["staff_count"] = int(text)
    result.data["main_products"] = str(raw.get("main_products") or "").strip()
    return result


def _raise_if_errors(result: CleanResult) -> None:
    if result.errors:
        raise RowErrors(result.errors)


def _check_perm(actor: Any, perm: str, obj: Any = None) -> None:
    if actor is not None and not can_act(actor, perm, obj):
        raise BusinessError("您没有该操作的权限。", code="forbidden")


@transaction.atomic
def organization_create(*, actor: Any, data: dict[str, Any]) -> Organization:
    """Register an organization. Raises :class:`RowErrors` for invalid fields and a duplicate credit code
    (naming the existing record's name)."""
    _check_perm(actor, "orgs.add_organization")
    result = clean_organization(data, actor=actor)
    existing = Organization.objects.filter(credit_code=result.data["credit_code"]).first()
    if existing is not None:
        result.error("credit_code", "统一社会信用代码已登记为“%(n)s”。" % {"n": existing.name})
    _raise_if_errors(result)
    values = dict(result.data)
    org = Organization(region_id=values.pop("region"), **values)
    org.name_initials = name_initials(org.name)
    with acting(actor):
        org.save()
    log_operation(actor=actor, action=actions.ORG_CREATE, target=org)
    return org


@transaction.atomic
def organization_update(*, actor: Any, organization: Organization, data: dict[str, Any]) -> Organization:
    """Change an organization's fields. A new name keeps the old one as a former name (曾用名) and is
    logged as ``orgs.rename``; the credit code may be corrected only to one not used by another record."""
    org = Organization.objects.select_for_update().get(pk=organization.pk)
    _check_perm(actor, "orgs.change_organization", org)
    if org.merged_into_id:
        raise BusinessError("该单位已合并，不能再修改。", code="merged")
    result = clean_organization(data, actor=actor)
    clash = Organization.objects.filter(credit_code=result.data["credit_code"]).exclude(pk=org.pk).first()
    if clash is not None:
        result.error("credit_code", "统一社会信用代码已登记为“%(n)s”。" % {"n": clash.name})
    _raise_if_errors(result)
    old_name = org.name
    values = dict(result.data)
    org.region_id = values.pop("region")
    for key, value in values.items():
        setattr(org, key, value)
    org.name_initials = name_initials(org.name)
    with acting(actor):
        org.save()
    if old_name != org.name:
        OrganizationAlias.objects.create(organization=org, name=old_name, source="rename")
        log_operation(actor=actor, action=actions.ORG_RENAME, target=org, extra={"from": old_name, "to": org.name})
    log_operation(actor=actor, action=actions.ORG_UPDATE, target=org)
    return org


#: Foreign keys to Organization that a merge moves to the kept record: (app_label.Model, field name).
#: Later modules add theirs with :func:`register_merge_relation`.
_MERGE_RELATIONS: list[tuple[str, str]] = [
    ("orgs.Qualification", "organization"),
    ("orgs.IntellectualProperty", "organization"),
]


def register_merge_relation(model_label: str, field_name: str) -> None:
    if (model_label, field_name) not in _MERGE_RELATIONS:
        _MERGE_RELATIONS.append((model_label, field_name))


@transaction.atomic
def organization_merge(*, actor: Any, keep: Organization, duplicate: Organization, reason: str) -> Organization:
    """Merge a duplicate record into the one kept (bureau admin, perm ``orgs.merge_organization``): every
    linked record moves to ``keep``, the duplicate's name becomes a former name, the duplicate is archived
    with ``merged_into`` set (never deleted), and the merge is logged with the counts moved."""
    if actor is None or not actor.has_perm("orgs.merge_organization"):
        raise BusinessError("只有科技局管理员可以合并单位。", code="forbidden")
    if keep.pk == duplicate.pk:
        raise BusinessError("不能把单位与自身合并。", code="invalid", field="duplicate")
    if not (reason or "").strip():
        raise BusinessError("请填写合并原因。", code="required", field="reason")
    locked = {o.pk: o for o in Organization.objects.select_for_update().filter(pk__in=[keep.pk, duplicate.pk])}
    kept, dup = locked[keep.pk], locked[duplicate.pk]
    for org in (kept, dup):
        if not can_act(actor, "orgs.change_organization", org):
            raise BusinessError("单位不存在。", code="not_found")
        if org.merged_into_id or org.is_archived:
            raise BusinessError("“%(n)s”已合并或归档，不能再合并。" % {"n": org.name}, code="merged")
    moved: dict[str, int] = {}
    with acting(actor, "合并重复单位"):
        for label, fld in _MERGE_RELATIONS:
            model = apps.get_model(label)
            rows = list(model.objects.filter(**{fld: dup}))
            for row in rows:
                setattr(row, fld, kept)
                row.save(update_fields=[fld])
            moved[label] = len(rows)
        OrganizationAlias.objects.filter(organization=dup).update(organization=kept)
        OrganizationAlias.objects.create(organization=kept, name=dup.name, source="merge")
        dup.merged_into = kept
        dup.is_archived = True
        dup.save(update_fields=["merged_into", "is_archived", "updated_at"])
    log_operation(
        actor=actor,
        action=actions.ORG_MERGE,
        target=kept,
        extra={
            "duplicate": dup.pk,
            "duplicate_name": dup.name,
            "duplicate_code": dup.credit_code,
            "moved": moved,
            "reason": reason.strip(),
        },
    )
    return kept


@transaction.atomic
def organization_archive(*, actor: Any, organization: Organization, archived: bool = True) -> Organization:
    """Archive (hide from lists) or restore an organization; never deleted. A merged duplicate cannot
    be archived or restored (:class:`BusinessError`)."""
    org = Organization.objects.select_for_update().get(pk=organization.pk)
    _check_perm(actor, "orgs.change_organization", org)
    if org.merged_into_id:
        # a merged duplicate stays archived: restoring it would list the same organization twice
        raise BusinessError("该单位已合并，不能归档或恢复。", code="merged")
    org.is_archived = archived
    with acting(actor):
        org.save(update_fields=["is_archived", "updated_at"])
    log_operation(actor=actor, action=actions.ORG_ARCHIVE, target=org, extra={"archived": archived})
    return org


def _dates_in_order(first: date | None, second: date | None, message: str, fld: str) -> None:
    if first and second and second < first:
        raise BusinessError(message, code="invalid", field=fld)


@transaction.atomic
def qualification_save(
    *,
    actor: Any,
    organization: Organization,
    kind: str,
    issued_on: date,
    expires_on: date | None = None,
    level: str = "",
    certificate_no: str = "",
    issuer: str = "",
    note: str = "",
    qualification: Qualification | None = None,
) -> Qualification:
    """Add (or correct) a qualification of an organization. The expiry date may not precede the issue
    date; 高企 certificates default to three years; one certificate number per kind."""
    _check_perm(actor, "orgs.change_organization", organization)
    if kind not in QualificationKind.values:
        raise BusinessError("资质类型无效。", code="invalid", field="kind")
    if level and level not in QualificationLevel.values:
        raise BusinessError("资质级别无效。", code="invalid", field="level")
    if issued_on is None:
        raise BusinessError("请填写发证日期。", code="required", field="issued_on")
    if issued_on > date.today():
        raise BusinessError("发证日期不能晚于今天。", code="invalid", field="issued_on")
    if kind == QualificationKind.HNTE and expires_on is None:
        try:
            expires_on = issued_on.replace(year=issued_on.year + 3)
        except ValueError:  # 29 February
            expires_on = issued_on.replace(year=issued_on.year + 3, day=28)
    _dates_in_order(issued_on, expires_on, "有效期至不能早于发证日期。", "expires_on")
    certificate_no = certificate_no.strip()
    if certificate_no:
        clash = Qualification.objects.filter(kind=kind, certificate_no=certificate_no, is_archived=False)
        if qualification is not None:
            clash = clash.exclude(pk=qualification.pk)
        if clash.exists():
            raise BusinessError(
                "证书编号“%(n)s”已登记。" % {"n": certificate_no}, code="duplicate", field="certificate_no"
            )
    obj = qualification or Qualification(organization=organization)
    obj.region_id = organization.region_id
    obj.kind, obj.level, obj.certificate_no, obj.issuer = kind, level, certificate_no, issuer.strip()[:100]
    obj.issued_on, obj.expires_on, obj.note = issued_on, expires_on, note.strip()[:200]
    with acting(actor):
        obj.save()
    log_operation(actor=actor, action=actions.QUAL_SAVE, target=obj, extra={"organization": organization.pk})
    return obj


def check_ip_number(ip_type: str, number: str) -> str | None:
    """A Chinese reason when an application or registration number does not fit its type: a CN patent
    application number needs its shape (year + type digit matching the type + serial), and the right
    check digit (202320123456.1, or ZL202320123456.1); a software copyright 2023SR0123456; a plant variety
    CNA…; other types only need a number. See :mod:`kejiju.orgs.ipnumbers`."""
    return ipnumbers.check_number(ip_type, ipnumbers.normalize_ip_number(number))


def _ip_owner_region(actor: Any, organization: Organization | None, person: Any) -> str:
    """The region of an IP record (its organization's, else the individual owner's), after the actor's
    right to change it is checked."""
    if organization is not None:
        _check_perm(actor, "orgs.change_organization", organization)
        return str(organization.region_id)
    if person is None:
        raise BusinessError("请选择权利人单位或填写个人权利人。", code="required", field="organization")
    _check_perm(actor, "orgs.change_intellectualproperty")
    region = str(getattr(person, "region_id", "") or "")
    if actor is not None and not can_manage_region(actor, region):
        raise BusinessError("个人权利人所在区划不在您的管辖范围内。", code="out_of_scope", field="person")
    return region


@transaction.atomic
def ip_save(
    *,
    actor: Any,
    organization: Organization | None,
    ip_type: str,
    title: str,
    number: str,
    applied_on: date | None = None,
    granted_on: date | None = None,
    status: str = IpStatus.APPLIED,
    owners: str = "",
    ip: IntellectualProperty | None = None,
    person: Any = None,
) -> IntellectualProperty:
    """Add (or correct) an intellectual-property record of an organization, or of a person (``person``,
    obtained through ``kejiju.people.services.person_ensure``) for an individual's patent. Class I/II
    follows from the type; the number must fit the type (:func:`check_ip_number`) and is stored in its
    canonical form; the grant date may not precede the application date nor lie in the future; a granted
    record needs its grant date; one record per type and number (a duplicate is refused, naming the
    owner already holding it). Raises :class:`BusinessError`."""
    region = _ip_owner_region(actor, organization, person)
    if ip_type not in IpType.values:
        raise BusinessError("知识产权类型无效。", code="invalid", field="ip_type")
    if status not in IpStatus.values:
        raise BusinessError("状态无效。", code="invalid", field="status")
    title, number = (title or "").strip(), ipnumbers.normalize_ip_number(number or "")
    if not title:
        raise BusinessError("请填写名称。", code="required", field="title")
    if not number:
        raise BusinessError("请填写申请号或登记号。", code="required", field="number")
    reason = ipnumbers.check_number(ip_type, number)
    if reason:
        raise BusinessError(reason, code="invalid", field="number")
    number = ipnumbers.canonical_number(ip_type, number)
    _dates_in_order(applied_on, granted_on, "授权日不能早于申请日。", "granted_on")
    today = date.today()
    if applied_on and applied_on > today:
        raise BusinessError("申请日不能晚于今天。", code="invalid", field="applied_on")
    if granted_on and granted_on > today:
        raise BusinessError("授权日不能晚于今天。", code="invalid", field="granted_on")
    if status == IpStatus.GRANTED and granted_on is None:
        raise BusinessError("已授权的知识产权须填写授权日。", code="required", field="granted_on")
    clash = IntellectualProperty.objects.filter(ip_type=ip_type, number=number)
    if ip is not None:
        clash = clash.exclude(pk=ip.pk)
    existing = clash.select_related("organization", "person").first()
    if existing is not None:
        holder = existing.organization or existing.person or ""
        raise BusinessError(
            "“%(n)s”已登记（权利人：%(o)s），不能重复录入。" % {"n": number, "o": holder},
            code="duplicate",
            field="number",
        )
    obj = ip or IntellectualProperty()
    obj.organization, obj.person = organization, person
    obj.region_id = region
    obj.ip_type, obj.ip_class = ip_type, IP_CLASS_OF_TYPE[ip_type]
    obj.title, obj.number, obj.applied_on, obj.granted_on = title[:200], number, applied_on, granted_on
    obj.status, obj.owners = status, owners.strip()[:200]
    with acting(actor):
        obj.save()
    log_operation(
        actor=actor,
        action=actions.IP_SAVE,
        target=obj,
        extra={"organization": organization.pk if organization else None, "person": getattr(person, "pk", None)},
    )
    return obj


@transaction.atomic
def qualification_archive(*, actor: Any, qualification: Qualification, archived: bool = True) -> Qualification:
    """Archive (withdraw a wrongly entered or revoked certificate from the record) or restore a
    qualification; never deleted. Raises :class:`BusinessError` without the right to change the
    organization."""
    obj = Qualification.objects.select_for_update().get(pk=qualification.pk)
    _check_perm(actor, "orgs.change_organization", obj.organization)
    obj.is_archived = archived
    with acting(actor):
        obj.save(update_fields=["is_archived", "updated_at"])
    log_operation(
        actor=actor,
        action=actions.QUAL_ARCHIVE,
        target=obj,
        extra={"organization": obj.organization_id, "archived": archived},
    )
    return obj


@transaction.atomic
def ip_archive(*, actor: Any, ip: IntellectualProperty, archived: bool = True) -> IntellectualProperty:
    """Archive or restore an intellectual-property record; never deleted (its number stays taken, so a
    restored record cannot clash). Raises :class:`BusinessError` without the right to change the
    organization."""
    obj = IntellectualProperty.objects.select_for_update().get(pk=ip.pk)
    if obj.organization is not None:
        _check_perm(actor, "orgs.change_organization", obj.organization)
    else:
        _check_perm(actor, "orgs.change_intellectualproperty", obj)
    obj.is_archived = archived
    with acting(actor):
        obj.save(update_fields=["is_archived", "updated_at"])
    log_operation(
        actor=actor,
        action=actions.IP_ARCHIVE,
        target=obj,
        extra={"organization": obj.organization_id, "archived": archived},
    )
    return obj


@transaction.atomic
def organization_member_add(*, actor: Any, organization: Organization, user: Any, is_contact: bool = True) -> Any:
    """Let ``user`` (an account with the 单位用户 role) act for ``organization``. The actor must be allowed to
    change the organization; the account must be a 单位用户 within the actor's scope. Idempotent. Logged."""
    from kejiju.core.choices import Role

    if not can_act(actor, "orgs.change_organization", organization):
        raise BusinessError("您没有管理该单位用户的权限。", code="forbidden")
    if user.role != Role.ORG_USER:
        raise BusinessError("只有“单位用户”角色的账号可以绑定单位。", code="invalid", field="user")
    if not can_manage_region(actor, user.region_id or ""):
        raise BusinessError("该账号不在您的管辖范围内。", code="out_of_scope", field="user")
    member, created = OrganizationMember.objects.get_or_create(
        organization=organization, user=user, defaults={"is_contact": is_contact}
    )
    if created:
        log_operation(actor=actor, action=actions.MEMBER_ADD, target=organization, extra={"user": user.pk})
    return member


@transaction.atomic
def organization_member_remove(*, actor: Any, organization: Organization, user: Any) -> None:
    """Stop ``user`` acting for ``organization`` (their past submissions stay theirs). Logged."""
    if not can_act(actor, "orgs.change_organization", organization):
        raise BusinessError("您没有管理该单位用户的权限。", code="forbidden")
    deleted, _ = OrganizationMember.objects.filter(organization=organization, user=user).delete()
    if deleted:
        log_operation(actor=actor, action=actions.MEMBER_REMOVE, target=organization, extra={"user": user.pk})


# ------------------------------------------------------------------ IP owners, population, custody, cases


def ip_person_ensure(*, actor: Any, data: dict[str, Any]) -> Any:
    """The individual owner of a patent as a ``people.Person`` (found by document or registered), the way
    every app obtains a person. Raises :class:`RowErrors` naming ``id_number`` or ``name``."""
    from kejiju.people.services import person_ensure

    return person_ensure(actor=actor, data=data)


@transaction.atomic
def population_set(*, actor: Any, region: Any, year: int, population: int) -> Any:
    """Enter (or correct) the resident population of a region in a year, the base of 每万人专利数.
    Needs ``orgs.change_regionpopulation`` and the region in the actor's scope; 1900 ≤ year ≤ 2100 and a
    population of 1 to 200,000,000. Raises :class:`BusinessError`."""
    from kejiju.orgs.models import RegionPopulation

    code = str(getattr(region, "code", region) or "")
    _check_perm(actor, "orgs.change_regionpopulation")
    if not code or not Region.objects.filter(code=code).exists():
        raise BusinessError("区划不存在。", code="invalid", field="region")
    if actor is not None and not can_manage_region(actor, code):
        raise BusinessError("所选区划不在您的管辖范围内。", code="out_of_scope", field="region")
    if not isinstance(year, int) or not 1900 <= year <= 2100:
        raise BusinessError("年度应在 1900 至 2100 之间。", code="invalid", field="year")
    if not isinstance(population, int) or not 0 < population <= 200_000_000:
        raise BusinessError("常住人口应为 1 至 2 亿之间的整数（单位：人）。", code="invalid", field="population")
    obj, _ = RegionPopulation.objects.update_or_create(region_id=code, year=year, defaults={"population": population})
    log_operation(
        actor=actor, action=actions.POPULATION_SET, region=code, extra={"year": year, "population": population}
    )
    return obj


@transaction.atomic
def custody_agreement_save(
    *,
    actor: Any,
    provider: Organization,
    enterprise: Organization,
    starts_on: date,
    ends_on: date,
    scope: str = "",
    number: str = "",
    agreement: Any = None,
) -> Any:
    """Record (or correct) an IP custody agreement (知识产权托管协议) between the bureau's service provider
    and an enterprise. The enterprise must be in the actor's scope and not merged; provider ≠ enterprise;
    the end may not precede the start; one enterprise has no two agreements with the same provider over
    overlapping periods. Raises :class:`BusinessError`."""
    from kejiju.orgs.models import IpCustodyAgreement

    perm = "orgs.change_ipcustodyagreement" if agreement is not None else "orgs.add_ipcustodyagreement"
    _check_perm(actor, perm, enterprise)
    if provider is None:
        raise BusinessError("请选择托管服务机构。", code="required", field="provider")
    if enterprise is None:
        raise BusinessError("请选择托管企业。", code="required", field="enterprise")
    if provider.pk == enterprise.pk:
        raise BusinessError("托管服务机构与托管企业不能是同一单位。", code="invalid", field="enterprise")
    for org, fld in ((provider, "provider"), (enterprise, "enterprise")):
        if org.merged_into_id or org.is_archived:
            raise BusinessError("“%(n)s”已合并或归档。" % {"n": org.name}, code="invalid", field=fld)
    if starts_on is None:
        raise BusinessError("请填写托管开始日。", code="required", field="starts_on")
    if ends_on is None:
        raise BusinessError("请填写托管结束日。", code="required", field="ends_on")
    _dates_in_order(starts_on, ends_on, "托管结束日不能早于开始日。", "ends_on")
    overlap = IpCustodyAgreement.objects.filter(
        provider=provider, enterprise=enterprise, is_archived=False, starts_on__lte=ends_on, ends_on__gte=starts_on
    )
    if agreement is not None:
        overlap = overlap.exclude(pk=agreement.pk)
    if overlap.exists():
        raise BusinessError("该企业在这段时间内已有同一机构的托管协议。", code="duplicate", field="starts_on")
    obj = agreement or IpCustodyAgreement()
    obj.provider, obj.enterprise, obj.region_id = provider, enterprise, enterprise.region_id
    obj.starts_on, obj.ends_on = starts_on, ends_on
    obj.scope, obj.number = (scope or "").strip()[:2000], (number or "").strip()[:40]
    with acting(actor):
        obj.save()
    log_operation(actor=actor, action=actions.CUSTODY_SAVE, target=obj, extra={"organization": enterprise.pk})
    return obj


@transaction.atomic
def custody_service_add(
    *,
    actor: Any,
    agreement: Any,
    kind: str,
    served_on: date,
    description: str,
    ip: IntellectualProperty | None = None,
) -> Any:
    """Record a service delivered under a custody agreement. The date must lie within the agreement's
    period and not in the future; a linked IP record must belong to the enterprise. Raises
    :class:`BusinessError`."""
    from kejiju.orgs.choices import CustodyServiceKind
    from kejiju.orgs.models import IpCustodyService

    _check_perm(actor, "orgs.change_ipcustodyagreement", agreement)
    if kind not in CustodyServiceKind.values:
        raise BusinessError("服务类型无效。", code="invalid", field="kind")
    if served_on is None:
        raise BusinessError("请填写服务日期。", code="required", field="served_on")
    if not agreement.starts_on <= served_on <= agreement.ends_on:
        raise BusinessError(
            "服务日期应在托管期内（%(a)s 至 %(b)s）。" % {"a": agreement.starts_on, "b": agreement.ends_on},
            code="invalid",
            field="served_on",
        )
    if served_on > date.today():
        raise BusinessError("服务日期不能晚于今天。", code="invalid", field="served_on")
    description = (description or "").strip()
    if not description:
        raise BusinessError("请填写服务内容。", code="required", field="description")
    if ip is not None and ip.organization_id != agreement.enterprise_id:
        raise BusinessError("所选知识产权不属于托管企业。", code="invalid", field="ip")
    obj = IpCustodyService(
        agreement=agreement,
        region_id=agreement.region_id,
        kind=kind,
        served_on=served_on,
        description=description[:300],
        ip=ip,
    )
    with acting(actor):
        obj.save()
    log_operation(
        actor=actor,
        action=actions.CUSTODY_SERVICE_ADD,
        target=obj,
        extra={"organization": agreement.enterprise_id, "agreement": agreement.pk},
    )
    return obj


@transaction.atomic
def ip_case_save(
    *,
    actor: Any,
    region: Any,
    kind: str,
    title: str = "",
    occurred_on: date | None = None,
    organization: Organization | None = None,
    referred_to: str = "",
    outcome: str = "",
    activity_ref: str = "",
    participants: int | None = None,
    case: Any = None,
) -> Any:
    """Record an IP enforcement case referred, a mediation, or a promotion event (世界知识产权日). A
    promotion held through the outreach module is linked by its reference (``outreach.activity:12``), not
    re-entered: the activity must be one the actor may see (their region) and not cancelled; a blank name,
    date or number of participants is taken from it (title, held date, attendance). Raises
    :class:`BusinessError`; nothing is stored then."""
    from kejiju.orgs import selectors
    from kejiju.orgs.choices import IpCaseKind
    from kejiju.orgs.models import IpCase

    code = str(getattr(region, "code", region) or "")
    _check_perm(actor, "orgs.change_ipcase" if case is not None else "orgs.add_ipcase")
    if not code or not Region.objects.filter(code=code).exists():
        raise BusinessError("请选择所属区划。", code="required", field="region")
    if actor is not None and not can_manage_region(actor, code):
        raise BusinessError("所选区划不在您的管辖范围内。", code="out_of_scope", field="region")
    if kind not in IpCaseKind.values:
        raise BusinessError("类别无效。", code="invalid", field="kind")
    title = (title or "").strip()
    activity_ref = (activity_ref or "").strip()
    if activity_ref:
        if kind != IpCaseKind.PROMOTION:
            raise BusinessError("只有宣传活动可以关联科普活动。", code="invalid", field="activity_ref")
        activity = selectors.ip_case_activity(user=actor, ref=activity_ref, linkable=True)
        if activity is None:
            if selectors.ip_case_activity(user=actor, ref=activity_ref) is not None:
                raise BusinessError("所选科普活动已取消，不能关联。", code="invalid", field="activity_ref")
            raise BusinessError("所选科普活动不存在或不在您的管辖范围内。", code="not_found", field="activity_ref")
        activity_ref = selectors.activity_ref_of(activity)
        title = title or activity.title
        if occurred_on is None:
            if activity.start_on is None:
                raise BusinessError("所选科普活动尚未登记举办情况，请填写日期。", code="required", field="occurred_on")
            occurred_on = activity.start_on
        if participants is None:
            participants = activity.attendance
    if not title:
        raise BusinessError("请填写名称。", code="required", field="title")
    if occurred_on is None:
        raise BusinessError("请填写日期。", code="required", field="occurred_on")
    if occurred_on > date.today():
        raise BusinessError("日期不能晚于今天。", code="invalid", field="occurred_on")
    if participants is not None and not 0 <= participants <= 10_000_000:
        raise BusinessError("参加人数不合理。", code="invalid", field="participants")
    obj = case or IpCase()
    obj.region_id, obj.kind, obj.title, obj.occurred_on = code, kind, title[:200], occurred_on
    referred_to, outcome = (referred_to or "").strip()[:100], (outcome or "").strip()[:300]
    obj.organization, obj.referred_to, obj.outcome = organization, referred_to, outcome
    obj.activity_ref, obj.participants = activity_ref, participants
    with acting(actor):
        obj.save()
    log_operation(
        actor=actor,
        action=actions.IP_CASE_SAVE,
        target=obj,
        extra={"organization": organization.pk if organization else None, "activity": activity_ref or None},
    )
    return obj


#: The 专利资助 policy code this module applies (versioned in the cultivation subsidy ledger).
PATENT_SUBSIDY_POLICY = "ip.patent_subsidy"


def _cultivation_services() -> Any:
    """The cultivation module's subsidy services, or ``None`` while that module has none (the subsidy then
    cannot be requested — there is one subsidy ledger, never a second one here)."""
    try:
        from kejiju.cultivation import services as cultivation_services
    except ImportError:
        return None
    if not hasattr(cultivation_services, "subsidy_award_create"):
        return None
    return cultivation_services


def patent_subsidy_available() -> bool:
    return _cultivation_services() is not None


@transaction.atomic
def ip_subsidy_request(*, actor: Any, ip: IntellectualProperty, year: int | None = None) -> Any:
    """Put a granted patent of an organization into the subsidy ledger (专利资助) under the versioned
    ``ip.patent_subsidy`` policy (kind ``per_unit``: an amount per IP type, capped); approval, publicity and
    payment happen in that ledger. Raises :class:`BusinessError` when the record is not a granted patent
    of an organization, or the ledger is not available."""
    _check_perm(actor, "orgs.subsidize_intellectualproperty", ip)
    cultivation = _cultivation_services()
    if cultivation is None:
        raise BusinessError("专利资助台账（企业培育模块）尚未启用。", code="unavailable")
    if ip.organization is None:
        raise BusinessError("个人专利不在单位专利资助范围内。", code="invalid", field="organization")
    if ip.status != IpStatus.GRANTED or ip.granted_on is None:
        raise BusinessError("只有已授权的知识产权可以申报资助。", code="invalid", field="status")
    award = cultivation.subsidy_award_create(
        actor=actor,
        policy_code=PATENT_SUBSIDY_POLICY,
        organization=ip.organization,
        year=year or ip.granted_on.year,
        inputs={"counts": {ip.ip_type: 1}, "ip_type": ip.ip_type, "number": ip.number},
        source="orgs.ip:%d" % ip.pk,
    )
    log_operation(
        actor=actor,
        action=actions.IP_SUBSIDY,
        target=ip,
        extra={"organization": ip.organization_id, "award": getattr(award, "pk", None)},
    )
    return award

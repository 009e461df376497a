"""Many figures at once (``compute_figures``, used by the work report and the dashboard): exactly the figures
of ``compute_figure`` one by one — value, record count, query text, record ids — and one aggregate query per
table whatever the number of indicators over it."""

from __future__ import annotations

import logging
from dataclasses import asdict
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.apps import apps
from django.db import connection
from django.db.models import Avg, Max
from django.test.utils import CaptureQueriesContext

from kejiju.core.indicators import Indicator, aggregate_value, register_indicator, registered_indicators, sum_value
from kejiju.stats import selectors, services
from kejiju.stats.figures import Figure, compute_figure, compute_figures
from kejiju.stats.periods import Period, parse_period
from kejiju.stats.tests import factories as f
from kejiju.stats.workreport import collect_figures

PERIODS = [Period(2026), Period(2025), parse_period("2026H1"), parse_period("2026Q4")]
REGIONS = ["34", "3411", "341181", "341182", "341181100"]


def _quals(**filters: Any) -> Any:
    def records(region: str, start: date, end: date) -> Any:
        model = apps.get_model("orgs", "Qualification")
        return model.objects.filter(
            region__code__startswith=region, issued_on__gte=start, issued_on__lte=end, **filters
        ).select_related("organization")

    return records


def _by_org_name(region: str, start: date, end: date) -> Any:
    """A join in the filter: another FROM clause, another group."""
    return _quals(kind="hnte")(region, start, end).filter(organization__name__contains="甲")


def _none(region: str, start: date, end: date) -> Any:
    return _quals()(region, start, end).filter(pk__in=[])


def _distinct(region: str, start: date, end: date) -> Any:
    return _quals()(region, start, end).distinct()


def _broken(region: str, start: date, end: date) -> Any:
    model = apps.get_model("orgs", "Qualification")
    return model.objects.filter(no_such_field=1)


def _everything(region: str, start: date, end: date) -> Any:
    return apps.get_model("orgs", "Qualification").objects.all()


def _max_issued_year(qs: Any) -> Decimal:
    day = qs.aggregate(v=Max("issued_on"))["v"]
    return Decimal(day.year if day else 0)


EXTRA = (
    Indicator("batch.quals_all", "全部资质", "", "项", "cultivation", _quals(), order=1),
    Indicator("batch.quals_hnte", "高企", "", "家", "cultivation", _quals(kind="hnte", is_archived=False), order=2),
    Indicator("batch.quals_tsme", "科小", "", "家", "cultivation", _quals(kind="tech_sme"), order=3),
    Indicator("batch.quals_named", "甲字号高企", "", "家", "cultivation", _by_org_name, order=4),
    Indicator("batch.quals_none", "空", "", "家", "cultivation", _none, order=5),
    Indicator("batch.quals_distinct", "去重", "", "家", "cultivation", _distinct, order=6),
    Indicator("batch.broken", "坏指标", "", "项", "cultivation", _broken, order=7),
    Indicator("batch.everything", "不分区划", "", "项", "cultivation", _everything, order=8),
    Indicator(
        "batch.staff_wan",
        "职工（万人）",
        "",
        "万人",
        "programs",
        f.TEST_INDICATORS[2].records,
        value=sum_value("staff_count", Decimal("0.0001")),
        decimals=4,
        order=9,
    ),
    Indicator(
        "batch.staff_avg",
        "平均职工",
        "",
        "人",
        "programs",
        f.TEST_INDICATORS[2].records,
        value=aggregate_value(lambda c: Avg("staff_count", filter=c), lambda v: Decimal(str(v or 0))),
        additive=False,
        order=10,
    ),
    Indicator(
        "batch.latest_year",
        "最近发证年份",
        "",
        "年",
        "cultivation",
        _quals(),
        value=_max_issued_year,
        additive=False,
        order=11,
    ),
)


@pytest.fixture
def batch_indicators(test_indicators: list[str]) -> Any:
    for ind in EXTRA:
        register_indicator(ind)
    services.catalogue_sync()
    yield test_indicators + [i.code for i in EXTRA]
    f.unregister([i.code for i in EXTRA])


def _data(staff: Any) -> None:
    from kejiju.orgs.services import organization_update

    f.qualification("341181", "hnte", date(2026, 1, 1), name="甲科技有限公司")
    f.qualification("341181", "hnte", date(2026, 6, 30))
    f.qualification("341181100", "hnte", date(2026, 7, 1), name="甲乙科技有限公司")
    f.qualification("341181100", "tech_sme", date(2026, 10, 1))
    f.qualification("341182", "hnte", date(2025, 12, 31), name="甲丙科技有限公司")
    f.qualification("341182", "tech_sme", date(2026, 3, 31))
    f.qualification("341181", "tech_sme", date(2025, 1, 1))
    for region, founded, staff_count in (
        ("341181", "2026-02-01", "25"),
        ("341181100", "2026-11-30", "7"),
        ("341182", "2025-05-05", "120"),
    ):
        org = f.organization(region)
        organization_update(
            actor=None,
            organization=org,
            data={
                "name": org.name,
                "credit_code": org.credit_code,
                "region": region,
                "org_type": "enterprise",
                "founded_on": founded,
                "staff_count": staff_count,
            },
        )
    f.entered_indicator()
    f.entered_value(staff, "341181", "2.35")


def _comparable(fig: Figure) -> dict[str, Any]:
    data = asdict(fig)
    data.pop("computed_at")
    return data


def test_fast_path_gives_the_same_figures(regions: Any, staff: Any, batch_indicators: list[str]) -> None:
    _data(staff)
    codes = batch_indicators + ["entered.rd_share"]
    nonzero = 0
    for region in REGIONS:
        fast = compute_figures(codes, region, PERIODS, with_ids=[PERIODS[0].key, PERIODS[2].key])
        assert set(fast) == {(c, p.key) for c in codes for p in PERIODS}
        for code in codes:
            for period in PERIODS:
                one = compute_figure(code, region, period, with_ids=period.key in (PERIODS[0].key, PERIODS[2].key))
                assert _comparable(fast[(code, period.key)]) == _comparable(one), (code, region, period.key)
                nonzero += bool(one.value)
    assert nonzero > 40  # the comparison is not between zeros
    broken = compute_figures(["batch.broken"], "3411", PERIODS[:1])[("batch.broken", "2026")]
    assert broken.value is None and broken.extra.get("error")


def test_fast_path_flag_with_ids(regions: Any, staff: Any, batch_indicators: list[str]) -> None:
    _data(staff)
    fast = compute_figures(["testorgs.hnte_new"], "3411", PERIODS[:2], with_ids=True)
    assert (
        fast[("testorgs.hnte_new", "2026")].record_ids
        == compute_figure("testorgs.hnte_new", "3411", Period(2026), with_ids=True).record_ids
    )
    assert len(fast[("testorgs.hnte_new", "2025")].record_ids or []) == 1


def test_every_registered_indicator_takes_the_fast_path(regions: Any, caplog: Any) -> None:
    """Every module's indicators compile as grouped queries (none falls back) and give the one-by-one
    figures."""
    codes = [i.code for i in registered_indicators()]
    with caplog.at_level(logging.WARNING, logger="kejiju.stats.figures"):
        fast = compute_figures(codes, "3411", PERIODS[:2])
    assert not [r for r in caplog.records if "one by one" in r.getMessage()]
    for code in codes:
        for period in PERIODS[:2]:
            one = compute_figure(code, "3411", period)
            assert _comparable(fast[(code, period.key)]) == _comparable(one), code


def _one_table_indicators(n: int) -> list[str]:
    kinds = ["hnte", "tech_sme", "tech_center", "other"]
    codes = []
    for i in range(n):
        code = "batch.many_%02d" % i
        register_indicator(
            Indicator(code, "资质 %d" % i, "", "项", "cultivation", _quals(kind=kinds[i % len(kinds)]), order=50 + i)
        )
        codes.append(code)
    return codes


def test_query_count_is_constant_in_the_number_of_indicators(regions: Any, test_indicators: list[str]) -> None:
    f.qualification("341181", "hnte", date(2026, 3, 1))
    counts = {}
    try:
        for n in (2, 6, 20):
            codes = _one_table_indicators(n)
            with CaptureQueriesContext(connection) as ctx:
                compute_figures(codes, "3411", [Period(2026), Period(2025)])
            # one SELECT (inside a savepoint: the test runs in a transaction)
            counts[n] = [q["sql"].split()[0] for q in ctx.captured_queries]
    finally:
        f.unregister(["batch.many_%02d" % i for i in range(20)])
    assert counts[2] == counts[6] == counts[20]
    assert counts[2].count("SELECT") == 1


def test_report_query_count_is_constant(regions: Any, test_indicators: list[str]) -> None:
    """The work report's figures: adding indicators over a table already counted adds no query."""
    f.qualification("341181", "hnte", date(2026, 3, 1))
    counts = {}
    try:
        for n in (2, 12):
            _one_table_indicators(n)
            services.catalogue_sync()
            with CaptureQueriesContext(connection) as ctx:
                figs = collect_figures("3411", Period(2026))
            counts[n] = len(ctx.captured_queries)
            assert figs.current["testorgs.hnte_new"].value == 1
    finally:
        f.unregister(["batch.many_%02d" % i for i in range(12)])
    assert counts[2] == counts[12]


def test_dashboard_uses_the_same_figures(regions: Any, staff: Any, batch_indicators: list[str]) -> None:
    _data(staff)
    panels = selectors.dashboard(region=regions["city"], year=2026, ranking=False)
    for panel in panels:
        for row in panel.rows:
            one = compute_figure(row.figure.code, "3411", Period(2026))
            assert (row.figure.value, row.figure.record_count) == (one.value, one.record_count)


def test_record_ids_take_one_query_per_table(regions: Any, test_indicators: list[str]) -> None:
    """定稿 lists the records of every figure: one more query per table (not one per figure), and the same
    ids, in the same order, as each figure's own query."""
    f.qualification("341181", "hnte", date(2026, 3, 1))
    f.qualification("341181100", "tech_sme", date(2026, 5, 1))
    f.qualification("341182", "hnte", date(2025, 3, 1))
    f.qualification("341182", "other", date(2026, 8, 1))
    counts = {}
    try:
        for n in (2, 6, 20):
            codes = _one_table_indicators(n)
            with CaptureQueriesContext(connection) as ctx:
                fast = compute_figures(codes, "3411", [Period(2026), Period(2025)], with_ids=["2026"])
            counts[n] = [q["sql"].split()[0] for q in ctx.captured_queries]
            for code in codes:
                one = compute_figure(code, "3411", Period(2026), with_ids=True)
                assert fast[(code, "2026")].record_ids == one.record_ids, code
                assert len(one.record_ids or []) == fast[(code, "2026")].record_count
                assert fast[(code, "2025")].record_ids is None
    finally:
        f.unregister(["batch.many_%02d" % i for i in range(20)])
    assert counts[2] == counts[6] == counts[20]
    # the values, then the ids (read through a server-side cursor on PostgreSQL: DECLARE … CURSOR FOR SELECT)
    statements = [s for s in counts[2] if s not in ("SAVEPOINT", "RELEASE")]
    assert statements in (["SELECT", "SELECT"], ["SELECT", "DECLARE"])
    assert fast[("batch.many_00", "2026")].record_ids  # not a comparison of empty lists


def test_record_ids_through_a_join_that_repeats_rows(regions: Any, caplog: Any) -> None:
    """A filter over a reverse relation repeats an organization once per matching qualification: the
    count and the ids repeat it too, exactly as the figure's own query does."""
    from kejiju.orgs.services import qualification_save

    def records(region: str, start: date, end: date) -> Any:
        model = apps.get_model("orgs", "Organization")
        return model.objects.filter(
            region__code__startswith=region, qualifications__issued_on__gte=start, qualifications__issued_on__lte=end
        )

    twice = f.qualification("341181", "hnte", date(2026, 3, 1)).organization
    qualification_save(
        actor=None, organization=twice, kind="tech_sme", issued_on=date(2026, 9, 1), certificate_no="GR99000001"
    )
    once = f.qualification("341182", "hnte", date(2026, 4, 1)).organization
    f.qualification("341182", "hnte", date(2025, 4, 1))
    codes = ["batch.orgs_qualified", "batch.orgs_qualified_hnte"]
    register_indicator(Indicator(codes[0], "有资质单位", "", "家", "cultivation", records, order=1))
    register_indicator(
        Indicator(
            codes[1],
            "有高企资质单位",
            "",
            "家",
            "cultivation",
            lambda r, s, e: records(r, s, e).filter(qualifications__kind="hnte"),
            order=2,
        )
    )
    try:
        with caplog.at_level(logging.WARNING, logger="kejiju.stats.figures"):
            fast = compute_figures(codes, "3411", [Period(2026), Period(2025)], with_ids=True)
        assert not [r for r in caplog.records if "one by one" in r.getMessage()]
        for code in codes:
            for period in (Period(2026), Period(2025)):
                one = compute_figure(code, "3411", period, with_ids=True)
                assert _comparable(fast[(code, period.key)]) == _comparable(one), (code, period.key)
    finally:
        f.unregister(codes)
    assert fast[(codes[0], "2026")].record_ids == sorted([twice.pk, twice.pk, once.pk])
    assert fast[(codes[0], "2026")].record_count == 3

"""Statistics in the browser: the city's dashboard shows the year, a figure opens exactly its records, and
the work report is drafted, generated and downloaded — its appendix matching the figures behind it."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date
from typing import Any

import docx
import pytest
from playwright.sync_api import expect

from kejiju.core.testing.factories import role_user

pytestmark = pytest.mark.e2e


@pytest.fixture
def only_test_indicators() -> Iterator[None]:
    from kejiju.core import indicators
    from kejiju.stats.tests.factories import register_test_indicators

    saved = dict(indicators._registry)
    indicators._registry.clear()
    register_test_indicators()
    yield
    indicators._registry.clear()
    indicators._registry.update(saved)


def test_dashboard_drilldown_and_work_report(
    page: Any, login: Any, tree: dict, screenshot: Any, only_test_indicators: None
) -> None:
    from kejiju.stats.tests import factories as f

    page.set_default_timeout(60_000)  # report generation typesets a .docx; loaded CI machines are slow
    names = []
    for n in range(12):
        county = "341181100" if n < 8 else "341182"
        names.append(
            f.qualification(
                county, "hnte", date(2026, 1 + n % 11, 5), name=f"滁州高企样本{n + 1:02d}有限公司"
            ).organization.name
        )
    f.qualification("341181", "hnte", date(2025, 5, 1), name="去年认定的高企有限公司")
    f.qualification("341181", "tech_sme", date(2026, 5, 1), name="科小入库样本有限公司")
    user = role_user("bureau_staff", "3411", username="city_stats", full_name="赵统计")
    login(user.username)

    page.goto("/stats/?year=2026")
    expect(page.get_by_test_id("dashboard-title")).to_contain_text("滁州市 2026年")
    figure = page.get_by_test_id("figure-testorgs.hnte_new")
    expect(figure).to_have_text("12")
    expect(page.get_by_test_id("panel-cultivation")).to_contain_text("同比增长1100.0%")
    expect(page.locator("[data-testid=chart-cultivation] canvas")).to_have_count(1)
    expect(page.locator("[data-testid=ranking-cultivation] canvas")).to_have_count(1)
    screenshot("stats-dashboard")

    with page.expect_navigation():
        figure.click()
    expect(page.get_by_test_id("records-count")).to_have_text("共 12 条")
    rows = page.locator("table.kejiju-table tbody tr")
    expect(rows).to_have_count(12)
    listed = sorted(rows.locator("td:first-child").all_inner_texts())
    assert listed == sorted(names)
    screenshot("stats-records")

    page.goto("/stats/reports/new/")
    page.locator("#id_region").select_option("3411")
    page.locator("#id_period").fill("2026")
    page.locator("#id_problems").fill("一是企业研发投入总体不足。\n二是高层次平台偏少。")
    page.locator("#id_plans").fill("继续实施高企培育行动。")
    with page.expect_navigation():
        page.get_by_test_id("form-save").click()
    preview = page.get_by_test_id("report-preview")
    expect(preview).to_contain_text("新认定高新技术企业12家")
    expect(preview).to_contain_text("一是企业研发投入总体不足。")
    with page.expect_navigation():
        page.get_by_test_id("report-generate").click()
    screenshot("stats-report")
    with page.expect_download() as info:
        page.get_by_test_id("report-download").click()
    with open(info.value.path(), "rb") as handle:
        opened = docx.Document(io.BytesIO(handle.read()))
    text = "\n".join(p.text for p in opened.paragraphs)
    assert "主要工作及成效" in text and "存在的问题" in text and "主要数据及来源" in text
    appendix = [[c.text for c in r.cells] for r in opened.tables[-1].rows]
    assert appendix[0] == ["序号", "指标代码", "指标名称", "统计口径", "数值", "记录数"]
    codes = {row[1]: row for row in appendix[1:]}
    assert codes["testorgs.hnte_new"][4:] == ["12家", "12"]
    assert codes["testorgs.tech_sme_new"][4:] == ["1家", "1"]

"""Pages of the statistics app: the four-actor matrix, the dashboard and the records behind a figure,
forms with bad input, table export and the work-report flow."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from kejiju.core.testing.factories import role_user
from kejiju.core.testing.matrix import Endpoint, matrix_cases, run_matrix_case
from kejiju.stats import services
from kejiju.stats.models import EnteredValue, TableLayout, WorkReport
from kejiju.stats.tests import factories as f


def _staff(code: str) -> Any:
    return role_user("bureau_staff", code)


def _entered(code: str) -> Any:
    f.entered_indicator()
    return f.entered_value(_staff(code), code, "3.21")


def _layout(code: str) -> TableLayout:
    services.catalogue_sync()
    f.entered_indicator()
    return services.layout_save(
        actor=_staff(code),
        data={"name": "科技统计表甲", "region": code, "layout": {"rows": ["entered.rd_share"], "columns": ["self"]}},
    )


def _report(code: str) -> WorkReport:
    return services.report_save(actor=_staff(code), data={"region": code, "period": "2026", "title": "矩阵工作总结"})


def _target(code: str) -> Any:
    f.entered_indicator()
    return services.target_save(actor=_staff(code), indicator="entered.rd_share", region=code, year=2026, value="7.77")


def _template(code: str) -> Any:
    f.entered_indicator()
    return services.template_save(
        actor=_staff(code),
        data={"region": code, "area": "general", "text": "研发投入占比{entered.rd_share}%，模板甲。"},
    )


def _records_url(code: str) -> str:
    return reverse("stats:records") + "?indicator=testorgs.hnte_new&region=%s&period=2026" % code


ENDPOINTS = [
    Endpoint(
        "dashboard",
        perm="stats.view_indicatordefinition",
        make=lambda c: c,
        url=lambda c: reverse("stats:dashboard") + "?region=" + c,
    ),
    Endpoint("records", perm="stats.view_indicatordefinition", make=lambda c: c, url=_records_url),
    Endpoint(
        "additivity",
        perm="stats.view_indicatordefinition",
        make=lambda c: c,
        url=lambda c: reverse("stats:additivity") + "?region=" + c,
    ),
    Endpoint(
        "catalogue",
        perm="stats.view_indicatordefinition",
        detail=False,
        make=lambda c: c,
        url=lambda c: reverse("stats:indicator_list"),
    ),
    Endpoint(
        "entered-list",
        perm="stats.view_enteredvalue",
        detail=False,
        make=_entered,
        url=lambda o: reverse("stats:entered_list"),
        marker=lambda o: "3.21%",
    ),
    Endpoint(
        "target-list",
        perm="stats.view_target",
        detail=False,
        make=_target,
        url=lambda o: reverse("stats:target_list"),
        marker=lambda o: "7.77",
    ),
    Endpoint(
        "layout-list",
        perm="stats.view_tablelayout",
        detail=False,
        make=_layout,
        url=lambda o: reverse("stats:layout_list"),
        marker=lambda o: o.name,
    ),
    Endpoint(
        "layout-table",
        perm="stats.view_tablelayout",
        make=_layout,
        url=lambda o: reverse("stats:layout_table", args=[o.pk]),
    ),
    Endpoint(
        "template-list",
        perm="stats.view_paragraphtemplate",
        detail=False,
        make=_template,
        url=lambda o: reverse("stats:template_list"),
        marker=lambda o: "模板甲",
    ),
    Endpoint(
        "report-list",
        perm="stats.view_workreport",
        detail=False,
        make=_report,
        url=lambda o: reverse("stats:report_list"),
        marker=lambda o: o.title,
    ),
    Endpoint(
        "report-detail",
        perm="stats.view_workreport",
        make=_report,
        url=lambda o: reverse("stats:report_detail", args=[o.pk]),
    ),
    Endpoint(
        "report-figures",
        perm="stats.view_workreport",
        make=_report,
        url=lambda o: reverse("stats:report_figures", args=[o.pk]),
    ),
]


@pytest.mark.parametrize("case", matrix_cases(ENDPOINTS), ids=str)
def test_permission_matrix(case: Any, client: Any, test_indicators: list[str]) -> None:
    run_matrix_case(case, client)


def test_dashboard_and_records_behind_a_figure(
    client: Any, regions: Any, staff: Any, test_indicators: list[str]
) -> None:
    quals = [f.qualification("341181100", "hnte", name=f"天长高企{n}号有限公司") for n in range(3)]
    other = f.qualification("341182", "hnte", name="明光别家有限公司")
    old = f.qualification("341181", "hnte", date(2025, 4, 1), name="天长去年高企有限公司")
    client.force_login(staff)
    page = client.get(reverse("stats:dashboard") + "?year=2026").content.decode()
    assert "天长市 2026年" in page and 'data-testid="figure-testorgs.hnte_new">3<' in page
    assert 'id="stats-data"' in page and "同比增长200.0%" in page
    listing = client.get(_records_url("341181")).content.decode()
    assert "共 3 条" in listing
    for q in quals:
        assert q.organization.name in listing
    assert other.organization.name not in listing and old.organization.name not in listing
    export = client.get(_records_url("341181") + "&export=xlsx")
    sheet = load_workbook(io.BytesIO(export.content)).active
    assert sheet.max_row == 4 and sheet.cell(1, 1).value == "单位名称"
    assert client.get(reverse("stats:dashboard") + "?region=341182").status_code == 404
    assert client.get(reverse("stats:dashboard") + "?year=abc").status_code == 404
    assert client.get(reverse("stats:records") + "?indicator=nope&region=341181&period=2026").status_code == 404
    assert client.get(reverse("stats:records") + "?indicator=testorgs.hnte_new&period=2026x").status_code == 404


def test_entered_value_form_errors_store_nothing(client: Any, regions: Any, staff: Any) -> None:
    f.entered_indicator()
    client.force_login(staff)
    url = reverse("stats:entered_create")
    response = client.post(url, {"indicator": "entered.rd_share", "region": "341181", "period": "2026", "value": "abc"})
    page = response.content.decode()
    assert response.status_code == 200 and "不是有效的数字" in page and "请上传来源文件" in page
    assert EnteredValue.objects.count() == 0
    upload = io.BytesIO(f.PDF)
    upload.name = "统计公报.pdf"
    response = client.post(
        url,
        {"indicator": "entered.rd_share", "region": "341181", "period": "2026", "value": "2.5", "source_file": upload},
    )
    assert response.status_code == 302 and EnteredValue.objects.get().value == Decimal("2.5")
    # correcting keeps the source document already attached
    response = client.post(url, {"indicator": "entered.rd_share", "region": "341181", "period": "2026", "value": "2.6"})
    assert response.status_code == 302 and EnteredValue.objects.get().value == Decimal("2.6")


def test_layout_form_and_export(client: Any, regions: Any, staff: Any, test_indicators: list[str]) -> None:
    f.qualification("341181100", "hnte")
    client.force_login(staff)
    bad = client.post(reverse("stats:layout_create"), {"name": "表", "region": "341181", "layout": "{rows: 1}"})
    assert "不是有效的 JSON" in bad.content.decode() and TableLayout.objects.count() == 0
    ok = client.post(
        reverse("stats:layout_create"),
        {
            "name": "高企统计表",
            "region": "341181",
            "layout": '{"rows": ["testorgs.hnte_new"], "columns": ["self", "children"]}',
        },
    )
    assert ok.status_code == 302
    layout = TableLayout.objects.get()
    page = client.get(reverse("stats:layout_table", args=[layout.pk]) + "?period=2026").content.decode()
    assert "天长街道" in page
    export = client.get(reverse("stats:layout_table", args=[layout.pk]) + "?period=2026&export=xlsx")
    sheet = load_workbook(io.BytesIO(export.content)).active
    assert sheet.cell(3, 4).value == "天长市" and sheet.cell(4, 4).value == 1 and sheet.cell(4, 5).value == 1


def test_report_flow(client: Any, regions: Any, staff: Any, make_user: Any, test_indicators: list[str]) -> None:
    f.qualification("341181", "hnte")
    client.force_login(staff)
    response = client.post(
        reverse("stats:report_create"),
        {"region": "341181", "period": "2026", "problems": "企业研发投入不足。", "plans": "培育高企。"},
    )
    assert response.status_code == 302
    report = WorkReport.objects.get()
    page = client.get(reverse("stats:report_detail", args=[report.pk])).content.decode()
    assert "企业研发投入不足。" in page and "主要数据及来源" in page and "新认定高新技术企业1家" in page
    response = client.post(reverse("stats:report_generate", args=[report.pk]))
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.document is not None and report.document.output_id
    download = client.get(reverse("core:attachment_download", args=[report.document.output_id]))
    assert download.status_code == 200
    leader = make_user("bureau_leader", "341181")
    client.force_login(leader)
    client.post(reverse("stats:report_transition", args=[report.pk, "freeze"]))
    report.refresh_from_db()
    assert report.status == "frozen"
    figures = client.get(reverse("stats:report_figures", args=[report.pk])).json()
    assert figures[0]["indicator"] == "testorgs.hnte_new" and figures[0]["records"] == 1


def test_other_pages_render(client: Any, regions: Any, staff: Any, test_indicators: list[str]) -> None:
    client.force_login(staff)
    for name in (
        "indicator_create",
        "entered_create",
        "target_create",
        "layout_create",
        "template_create",
        "report_create",
        "indicator_list",
        "entered_list",
        "target_list",
        "additivity",
    ):
        assert client.get(reverse("stats:" + name)).status_code == 200, name
    bad = client.post(
        reverse("stats:template_create"), {"region": "341181", "area": "cultivation", "order": 1, "text": "{nope.code}"}
    )
    assert "不是已登记的指标代码" in bad.content.decode()

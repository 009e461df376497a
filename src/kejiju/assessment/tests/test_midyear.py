"""年中进度 (mid-year progress): a town reports the value so far per quantitative item and a text per
qualitative one; every rule violation is refused naming the field with nothing stored; re-reporting keeps
history; the staff table computes exact percentages and 滞后; the year-end scoring never reads it."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType

from kejiju.assessment.choices import MidyearStatus, SchemeStatus
from kejiju.assessment.models import AssessmentScheme, AssessmentTarget, MidyearProgress
from kejiju.assessment.selectors import midyear_progress
from kejiju.assessment.services import (
    MIDYEAR_EVIDENCE_PURPOSE,
    assessor_score_submit,
    evidence_add,
    evidence_for,
    midyear_evidence_for,
    midyear_open,
    midyear_report,
    midyear_threshold_set,
    scheme_publish,
    scheme_start_scoring,
    self_assessment_reopen,
    self_assessment_save,
    self_assessment_submit,
)
from kejiju.assessment.tests.test_services import PNG, issued
from kejiju.core.errors import BusinessError, RowErrors
from kejiju.core.models import Attachment, OperationLog

TOWN = "341181100"
SECOND = "341181101"


def good_values(value: str = "450") -> dict[str, dict[str, Any]]:
    return {"N1": {"value": value, "note": "上半年培训 9 期"}, "Q1": {"note": "已调整领导小组"}}


def nothing_stored() -> bool:
    return (
        not MidyearProgress.objects.exists()
        and not OperationLog.objects.filter(action="assessment.midyear_report").exists()
        and not Attachment.objects.filter(purpose__startswith=MIDYEAR_EVIDENCE_PURPOSE).exists()
    )


def test_town_reports_with_evidence_and_an_audit_row(world: dict[str, Any]) -> None:
    _, targets = issued(world)
    target = targets[TOWN]
    progress = midyear_report(
        actor=world["town"],
        target=target,
        values=good_values(),
        evidence=[("N1", io.BytesIO(PNG), "签到表.png")],
    )
    progress.refresh_from_db()
    assert progress.values == {"N1": {"value": "450", "note": "上半年培训 9 期"}, "Q1": {"note": "已调整领导小组"}}
    assert progress.region_id == TOWN and progress.reported_by == world["town"]
    evidence = midyear_evidence_for(progress)
    assert [a.original_name for a in evidence["N1"]] == ["签到表.png"]
    assert evidence["N1"][0].purpose == "年中进度佐证:N1"
    assert evidence["N1"][0].owner_type == ContentType.objects.get_for_model(MidyearProgress)
    log = OperationLog.objects.get(action="assessment.midyear_report")
    assert log.actor == world["town"] and log.extra == {"items": ["N1", "Q1"], "replaced": False, "evidence": ["N1"]}
    # the mid-year evidence is not the year-end self-assessment's evidence
    assert evidence_for(AssessmentTarget.objects.get(pk=target.pk)) == {}
    # nor are the mid-year values the self-assessment
    assert AssessmentTarget.objects.get(pk=target.pk).self_values == {}


def test_re_reporting_replaces_values_and_keeps_history(world: dict[str, Any]) -> None:
    _, targets = issued(world)
    midyear_report(actor=world["town"], target=targets[TOWN], values=good_values("450"))
    progress = midyear_report(actor=world["staff"], target=targets[TOWN], values={"N1": {"value": "520.5"}})
    progress.refresh_from_db()
    assert progress.values == {"N1": {"value": "520.5", "note": ""}} and progress.reported_by == world["staff"]
    assert MidyearProgress.objects.count() == 1
    history = list(progress.history.order_by("history_date"))
    assert [h.values["N1"]["value"] for h in history] == ["450", "520.5"]
    assert history[0].history_user == world["town"] and history[1].history_user == world["staff"]
    assert history[1].history_change_reason == "重新报送年中进度"
    logs = OperationLog.objects.filter(action="assessment.midyear_report").order_by("pk")
    assert [entry.extra["replaced"] for entry in logs] == [False, True]


@pytest.mark.parametrize(
    ("values", "field", "words"),
    [
        ({"ZZ": {"value": "1"}}, "ZZ", "考核细则中没有指标“ZZ”"),
        ({"N1": {"value": "很多"}}, "N1", "“培训农民”的累计完成值“很多”不是有效的数字"),
        ({"N1": {"value": "-3"}}, "N1", "累计完成值不能为负数"),
        ({"N1": {"value": "1.234"}}, "N1", "最多保留 2 位小数"),
        ({"N1": {"value": "1e5"}}, "N1", "不是有效的数字"),
        ({"N1": {"note": "只有说明"}}, "N1", "请填写“培训农民”的累计完成值"),
        ({"Q1": {"note": "  "}}, "Q1", "请填写“领导重视、机构健全”的进展情况"),
        ({"B1": {"value": "1"}}, "B1", "不报送年中进度"),
        ({"N1": {"value": "1", "note": "长" * 2001}}, "N1", "最多 2000 字"),
        ({"N1": {"value": "1" * 29}}, "N1", "数值过大"),
        ({"N1": {"value": "1" + "0" * 15}}, "N1", "过大"),
        ({"N1": {"value": "9" * 40 + ".5"}}, "N1", "数值过大"),
        ({"N1": {"value": "5", "note": "进展\x00"}}, "N1", "空字符"),
        ({"Q1": {"note": "已\x00调整"}}, "Q1", "空字符"),
        ({}, "values", "请至少填报一项"),
    ],
)
def test_bad_report_is_refused_naming_the_field(
    world: dict[str, Any], values: dict[str, Any], field: str, words: str
) -> None:
    _, targets = issued(world)
    with pytest.raises(RowErrors) as error:
        midyear_report(actor=world["town"], target=targets[TOWN], values=values)
    assert words in " ".join(error.value.errors[field])
    assert nothing_stored()


def test_one_bad_item_stores_none_of_the_good_ones(world: dict[str, Any]) -> None:
    _, targets = issued(world)
    midyear_report(actor=world["town"], target=targets[TOWN], values=good_values("450"))
    with pytest.raises(RowErrors):
        midyear_report(actor=world["town"], target=targets[TOWN], values={"N1": {"value": "600"}, "Q1": {"note": ""}})
    progress = MidyearProgress.objects.get()
    assert progress.values["N1"]["value"] == "450" and progress.history.count() == 1
    assert OperationLog.objects.filter(action="assessment.midyear_report").count() == 1


def test_bad_evidence_stores_nothing(world: dict[str, Any]) -> None:
    _, targets = issued(world)
    with pytest.raises(RowErrors) as wrong_item:
        midyear_report(
            actor=world["town"],
            target=targets[TOWN],
            values=good_values(),
            evidence=[("D1", io.BytesIO(PNG), "a.png")],
        )
    assert "D1" in wrong_item.value.errors["evidence_item"][0]
    with pytest.raises(BusinessError) as bad_type:
        midyear_report(
            actor=world["town"],
            target=targets[TOWN],
            values=good_values(),
            evidence=[("N1", io.BytesIO(b"MZ\x90\x00"), "a.exe")],
        )
    assert bad_type.value.field == "file"
    assert nothing_stored()


def test_a_town_cannot_report_for_another_town(world: dict[str, Any]) -> None:
    _, targets = issued(world)
    with pytest.raises(BusinessError) as other:
        midyear_report(actor=world["town"], target=targets[SECOND], values=good_values())
    assert other.value.code == "forbidden" and "年中进度" in other.value.message
    with pytest.raises(BusinessError) as other_county:
        midyear_report(actor=world["other_staff"], target=targets[TOWN], values=good_values())
    assert other_county.value.code == "forbidden"
    assert nothing_stored()


def test_report_is_closed_after_the_self_assessment_and_in_scoring(world: dict[str, Any]) -> None:
    scheme, targets = issued(world)
    target = targets[TOWN]
    self_assessment_save(actor=world["town"], target=target, values={"N1": {"actual": "900"}})
    evidence_add(actor=world["town"], target=target, item_code="N1", fileobj=io.BytesIO(PNG), name="a.png")
    self_assessment_submit(actor=world["town"], target=target)
    with pytest.raises(BusinessError) as submitted:
        midyear_report(actor=world["town"], target=target, values=good_values())
    assert submitted.value.code == "bad_transition" and "已提交自评" in submitted.value.message
    AssessmentScheme.objects.filter(pk=scheme.pk).update(status=SchemeStatus.SCORING)
    with pytest.raises(BusinessError) as scoring:
        midyear_report(actor=world["staff"], target=targets[SECOND], values=good_values())
    assert scoring.value.code == "bad_transition" and "考核评分中" in scoring.value.message
    assert nothing_stored()


def test_report_stays_closed_when_the_self_assessment_is_returned(world: dict[str, Any]) -> None:
    """退回自评 puts the 目标任务书 back to 已下达 for correcting the year-end self-assessment; the mid-year
    report was closed by the first submission and does not open again."""
    _, targets = issued(world)
    target = targets[TOWN]
    self_assessment_save(actor=world["town"], target=target, values={"N1": {"actual": "900"}})
    evidence_add(actor=world["town"], target=target, item_code="N1", fileobj=io.BytesIO(PNG), name="a.png")
    self_assessment_submit(actor=world["town"], target=target)
    self_assessment_reopen(actor=world["staff"], target=target, reason="完成值与佐证不符")
    target = AssessmentTarget.objects.get(pk=target.pk)
    assert not midyear_open(target)
    with pytest.raises(BusinessError) as returned:
        midyear_report(actor=world["town"], target=target, values=good_values())
    assert returned.value.code == "bad_transition" and "提交自评" in returned.value.message
    assert nothing_stored()


def test_mid_year_figures_do_not_change_year_end_scoring(world: dict[str, Any]) -> None:
    """The same flow as the scoring test, with a (very low) mid-year report and mid-year evidence first:
    the self-assessment still needs its own evidence and the totals are the same (85 and 90)."""
    scheme, targets = issued(world)
    a, b = targets[TOWN], targets[SECOND]
    midyear_report(
        actor=world["town"],
        target=a,
        values={"N1": {"value": "10"}, "Q1": {"note": "起步"}},
        evidence=[("N1", io.BytesIO(PNG), "年中.png")],
    )
    self_assessment_save(actor=world["town"], target=a, values={"N1": {"actual": "800"}})
    with pytest.raises(RowErrors) as evidence:
        self_assessment_submit(actor=world["town"], target=a)
    assert "佐证材料" in evidence.value.errors["N1"][0]
    for target, actual in ((a, "800"), (b, "1200")):
        self_assessment_save(actor=world["staff"], target=target, values={"N1": {"actual": actual}})
        evidence_add(actor=world["staff"], target=target, item_code="N1", fileobj=io.BytesIO(PNG), name="a.png")
        self_assessment_submit(actor=world["staff"], target=target)
    scheme_start_scoring(actor=world["staff"], scheme=scheme)
    assessor_score_submit(actor=world["leader"], target=a, scores={"Q1": "36", "B1": "2"})
    assessor_score_submit(actor=world["leader"], target=b, scores={"Q1": "30"})
    assessor_score_submit(actor=world["town_assessor"], target=a, scores={"Q1": "34"})
    scheme_publish(actor=world["staff"], scheme=scheme)
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.total, a.grade, a.rank) == (Decimal("85.00"), "良好", 2)
    assert (b.total, b.grade, b.rank) == (Decimal("90.00"), "优秀", 1)
    n1 = next(i for i in a.result["items"] if i["code"] == "N1")
    assert n1["provenance"] == {"source": "self"} and "完成 800 / 目标 1000" in n1["explanation"]
    assert MidyearProgress.objects.get(target=a).values["N1"]["value"] == "10"  # untouched by the year end


def test_progress_table_percentages_lagging_and_unreported(world: dict[str, Any]) -> None:
    scheme, targets = issued(world)
    # 499.99 / 1000 = 49.999 %: shown 49.9 (cut, never rounded up to 50.0) and below the default 50 → 滞后
    midyear_report(actor=world["town"], target=targets[TOWN], values={"N1": {"value": "499.99", "note": "受汛期影响"}})
    table = midyear_progress(user=world["staff"], scheme=scheme)
    assert table.threshold == Decimal("50.0") and table.total == 4  # 2 towns × (N1, Q1)
    cells = {(r.target.region_id, r.code): r for r in table.rows}
    n1 = cells[(TOWN, "N1")]
    assert n1.percent == Decimal("49.999") and n1.shown_percent == Decimal("49.9")
    assert n1.status == MidyearStatus.LAGGING and n1.status_display == "滞后" and n1.note == "受汛期影响"
    assert n1.target_value == Decimal("1000") and n1.value == Decimal("499.99")
    assert cells[(TOWN, "Q1")].status == MidyearStatus.NOT_FILLED
    assert cells[(SECOND, "N1")].status == MidyearStatus.UNREPORTED and cells[(SECOND, "N1")].percent is None
    assert [t.region_id for t in table.unreported] == [SECOND] and table.lagging == 1
    midyear_threshold_set(actor=world["staff"], scheme=scheme, threshold="40")
    scheme.refresh_from_db()
    again = midyear_progress(user=world["staff"], scheme=scheme)
    assert next(r for r in again.rows if r.code == "N1" and r.target.region_id == TOWN).status == "on_track"
    assert again.lagging == 0
    # filters and sorting
    only = midyear_progress(user=world["staff"], scheme=scheme, filters={"status": "unreported"})
    assert {r.target.region_id for r in only.rows} == {SECOND} and len(only.rows) == 2
    by_item = midyear_progress(user=world["staff"], scheme=scheme, filters={"item": "N1", "sort": "-percent"})
    assert [r.target.region_id for r in by_item.rows] == [TOWN, SECOND]  # no percentage last
    named = midyear_progress(user=world["staff"], scheme=scheme, filters={"q": "新街"})
    assert {r.target.assessee_name for r in named.rows} == {"新街镇"}
    # a town sees only its own row before publication
    own = midyear_progress(user=world["town"], scheme=scheme)
    assert {r.target.region_id for r in own.rows} == {TOWN}


def test_zero_or_missing_target_gives_no_percentage(world: dict[str, Any]) -> None:
    scheme, targets = issued(world)
    AssessmentTarget.objects.filter(pk=targets[TOWN].pk).update(targets={"N1": "0"})
    midyear_report(actor=world["town"], target=targets[TOWN], values={"N1": {"value": "5"}})
    row = next(r for r in midyear_progress(user=world["staff"], scheme=scheme).rows if r.code == "N1")
    assert row.percent is None and row.status == MidyearStatus.REPORTED


@pytest.mark.parametrize(
    ("threshold", "words"),
    [
        ("", "请填写"),
        ("120", "0 至 100"),
        ("-1", "0 至 100"),
        ("45.55", "1 位小数"),
        ("一半", "不是有效的数字"),
        ("1" * 40, "数值过大"),
    ],
)
def test_bad_threshold_is_refused(world: dict[str, Any], threshold: str, words: str) -> None:
    scheme, _ = issued(world)
    with pytest.raises(RowErrors) as error:
        midyear_threshold_set(actor=world["staff"], scheme=scheme, threshold=threshold)
    assert words in error.value.errors["midyear_threshold"][0]
    scheme.refresh_from_db()
    assert scheme.midyear_threshold == Decimal("50.0")
    assert not OperationLog.objects.filter(action="assessment.midyear_threshold").exists()


def test_threshold_rules_and_audit(world: dict[str, Any]) -> None:
    scheme, _ = issued(world)
    with pytest.raises(BusinessError) as other:
        midyear_threshold_set(actor=world["other_staff"], scheme=scheme, threshold="40")
    assert other.value.code == "forbidden"
    with pytest.raises(BusinessError):
        midyear_threshold_set(actor=world["town"], scheme=scheme, threshold="40")
    scheme = midyear_threshold_set(actor=world["staff"], scheme=scheme, threshold="45.5")
    assert scheme.midyear_threshold == Decimal("45.5")
    log = OperationLog.objects.get(action="assessment.midyear_threshold")
    assert log.actor == world["staff"] and log.extra == {"from": "50.0", "to": "45.5"}
    AssessmentScheme.objects.filter(pk=scheme.pk).update(status=SchemeStatus.PUBLISHED)
    with pytest.raises(BusinessError) as published:
        midyear_threshold_set(actor=world["staff"], scheme=scheme, threshold="30")
    assert published.value.code == "bad_transition"
    scheme.refresh_from_db()
    assert scheme.midyear_threshold == Decimal("45.5")


# ----------------------------------------------------------------- pages


def page(name: str, *args: Any) -> str:
    from django.urls import reverse

    return reverse(f"assessment:{name}", args=args)


def test_town_form_reports_and_shows_errors(client: Any, world: dict[str, Any]) -> None:
    scheme, targets = issued(world)
    target = targets[TOWN]
    client.force_login(world["town"])
    detail = client.get(page("target_detail", target.pk)).content.decode()
    assert page("target_midyear", target.pk) in detail and "年中进度报送" in detail
    form = client.get(page("target_midyear", target.pk))
    html = form.content.decode()
    assert form.status_code == 200 and 'name="mid_N1_value"' in html and 'name="mid_Q1_note"' in html
    assert 'name="mid_B1_value"' not in html  # bonus items are not part of the mid-year report
    bad = client.post(page("target_midyear", target.pk), {"mid_N1_value": "-5", "mid_Q1_note": "进行中"})
    text = bad.content.decode()
    assert bad.status_code == 400 and "累计完成值不能为负数" in text and "进行中" in text  # input kept
    assert nothing_stored()
    empty = client.post(page("target_midyear", target.pk), {"mid_N1_value": " ", "mid_Q1_note": ""})
    assert empty.status_code == 400 and "请至少填报一项" in empty.content.decode()
    png = io.BytesIO(PNG)
    png.name = "签到表.png"
    ok = client.post(
        page("target_midyear", target.pk),
        {"mid_N1_value": "300", "mid_N1_note": "3 期", "mid_Q1_note": "", "evidence_item": "N1", "evidence": png},
    )
    assert ok.status_code == 302
    progress = MidyearProgress.objects.get(target=target)
    assert progress.values == {"N1": {"value": "300", "note": "3 期"}}
    assert [a.original_name for a in midyear_evidence_for(progress)["N1"]] == ["签到表.png"]
    shown = client.get(page("target_midyear", target.pk)).content.decode()
    assert "签到表.png" in shown and 'value="300"' in shown and "已报送" in shown
    # another town's form answers 404; the staff table is the bureau's only
    assert client.get(page("target_midyear", targets[SECOND].pk)).status_code == 404
    assert client.post(page("target_midyear", targets[SECOND].pk), {"mid_N1_value": "1"}).status_code == 404
    assert client.get(page("scheme_midyear", scheme.pk)).status_code == 403


def test_form_is_read_only_once_closed(client: Any, world: dict[str, Any]) -> None:
    _, targets = issued(world)
    target = targets[TOWN]
    midyear_report(actor=world["town"], target=target, values=good_values())
    AssessmentTarget.objects.filter(pk=target.pk).update(status="submitted")
    client.force_login(world["town"])
    html = client.get(page("target_midyear", target.pk)).content.decode()
    assert 'name="mid_N1_value"' not in html and "现已关闭" in html and "450" in html
    refused = client.post(page("target_midyear", target.pk), {"mid_N1_value": "999"})
    assert refused.status_code == 400 and "提交自评之前" in refused.content.decode()
    assert MidyearProgress.objects.get().values["N1"]["value"] == "450"


def test_staff_table_threshold_and_export(client: Any, world: dict[str, Any]) -> None:
    from openpyxl import load_workbook

    scheme, targets = issued(world)
    midyear_report(actor=world["town"], target=targets[TOWN], values=good_values("300"))
    client.force_login(world["staff"])
    detail = client.get(page("scheme_detail", scheme.pk)).content.decode()
    assert page("scheme_midyear", scheme.pk) in detail
    html = client.get(page("scheme_midyear", scheme.pk)).content.decode()
    assert "30.0%" in html and "滞后" in html and "未报送" in html and "新街镇" in html
    filtered = client.get(page("scheme_midyear", scheme.pk), {"status": "lagging"}).content.decode()
    assert "30.0%" in filtered and "共 1 / 4 项" in filtered
    export = client.get(page("scheme_midyear", scheme.pk), {"export": "xlsx", "item": "N1"})
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(export.content)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0][:9] == [
        "被考核单位",
        "指标代码",
        "指标",
        "类型",
        "目标值",
        "累计完成",
        "单位",
        "完成比例（%）",
        "状态",
    ]
    assert rows[1][:9] == ["天长街道", "N1", "培训农民", "定量", 1000, 300, "人次", 30, "滞后"]
    assert rows[2][0] == "新街镇" and rows[2][8] == "未报送" and len(rows) == 3
    assert OperationLog.objects.filter(action="core.export", extra__list="assessment_midyear").exists()
    bad = client.post(page("scheme_midyear", scheme.pk), {"midyear_threshold": "150"}, follow=True)
    assert "0 至 100" in bad.content.decode()
    client.post(page("scheme_midyear", scheme.pk), {"midyear_threshold": "25"})
    scheme.refresh_from_db()
    assert scheme.midyear_threshold == Decimal("25.0")
    assert "正常" in client.get(page("scheme_midyear", scheme.pk), {"item": "N1"}).content.decode()


# ----------------------------------------------------------------- API


def api(name: str, *args: Any) -> str:
    from django.urls import reverse

    return reverse(f"assessment_api:{name}", args=args, urlconf="kejiju.config.urls")


@pytest.mark.urls("kejiju.config.urls")
def test_api_town_reports_and_staff_reads(client: Any, world: dict[str, Any]) -> None:
    scheme, targets = issued(world)
    target = targets[TOWN]
    client.force_login(world["town"])
    before = client.get(api("target_midyear", target.pk)).json()
    assert before["reported"] is False and before["open"] is True and before["values"] == {}
    ok = client.post(api("target_midyear", target.pk), {"values": good_values("620")}, content_type="application/json")
    assert ok.status_code == 200, ok.content
    assert ok.json()["values"]["N1"] == {"value": "620", "note": "上半年培训 9 期"} and ok.json()["reported"] is True
    other = client.post(
        api("target_midyear", targets[SECOND].pk), {"values": good_values()}, content_type="application/json"
    )
    assert other.status_code == 404
    assert client.get(api("scheme_midyear", scheme.pk)).status_code == 403  # towns do not read the table
    client.force_login(world["staff"])
    table = client.get(api("scheme_midyear", scheme.pk), {"item": "N1", "sort": "-percent"}).json()
    assert table["threshold"] == "50.0" and table["unreported"] == ["新街镇"] and table["lagging"] == 0
    first = table["rows"][0]
    assert (first["assessee_name"], first["percent"], first["status"], first["value"]) == (
        "天长街道",
        "62.0",
        "on_track",
        "620",
    )
    assert table["rows"][1]["status"] == "unreported" and table["rows"][1]["percent"] is None
    bad = client.get(api("scheme_midyear", scheme.pk), {"status": "late"})
    assert bad.status_code == 400 and "状态" in bad.json()["detail"]


@pytest.mark.urls("kejiju.config.urls")
@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"values": {"N1": {"value": "12.345"}}}, "N1", "2 位小数"),
        ({"values": {"N1": {"value": "-3"}}}, "N1", "负数"),
        ({"values": {"N1": {"value": "很多"}}}, "N1", "培训农民"),
        ({"values": {"ZZ": {"value": "1"}}}, "ZZ", "没有指标"),
        ({"values": {"Q1": {}}}, "Q1", "进展情况"),
        ({"values": {"N1": {"value": "1", "x": 1}}}, "values", "不支持此字段"),
        ({"values": {}}, "values", "至少填报一项"),
        ({}, "values", "年中进度"),
    ],
)
def test_api_bad_report_is_refused_in_chinese(
    body: Any, field: str, words: str, client: Any, world: dict[str, Any]
) -> None:
    _, targets = issued(world)
    client.force_login(world["town"])
    response = client.post(api("target_midyear", targets[TOWN].pk), body, content_type="application/json")
    assert response.status_code == 400, response.content
    payload = response.json()
    assert words in payload["detail"] or words in str(payload.get("errors")), payload
    assert field in payload.get("errors", {}) or payload.get("field") == field
    assert nothing_stored()


def test_pages_and_api_refuse_huge_numbers_and_nul_without_a_500(client: Any, world: dict[str, Any]) -> None:
    """Numbers too long for exact arithmetic and NUL characters (which PostgreSQL refuses) are a Chinese 400
    naming the item on the form, the threshold form and the API; nothing is stored."""
    scheme, targets = issued(world)
    target = targets[TOWN]
    client.force_login(world["town"])
    huge = client.post(page("target_midyear", target.pk), {"mid_N1_value": "1" * 40, "mid_Q1_note": "进行中"})
    assert huge.status_code == 400 and "数值过大" in huge.content.decode()
    nul = client.post(page("target_midyear", target.pk), {"mid_N1_value": "5", "mid_N1_note": "培训\x009 期"})
    assert nul.status_code == 400 and "空字符" in nul.content.decode()
    assert nothing_stored()
    client.force_login(world["staff"])
    refused = client.post(page("scheme_midyear", scheme.pk), {"midyear_threshold": "1" * 40}, follow=True)
    assert refused.status_code == 200 and "数值过大" in refused.content.decode()
    scheme.refresh_from_db()
    assert scheme.midyear_threshold == Decimal("50.0")
    assert not OperationLog.objects.filter(action="assessment.midyear_threshold").exists()


@pytest.mark.urls("kejiju.config.urls")
def test_api_refuses_a_huge_value_in_chinese(client: Any, world: dict[str, Any]) -> None:
    _, targets = issued(world)
    client.force_login(world["town"])
    body = {"values": {"N1": {"value": "1" * 29}}}
    response = client.post(api("target_midyear", targets[TOWN].pk), body, content_type="application/json")
    assert response.status_code == 400, response.content
    assert response.json()["field"] == "N1" and "数值过大" in response.json()["detail"]
    assert nothing_stored()


def test_largest_value_against_the_smallest_target_keeps_table_export_and_api_working(
    client: Any, world: dict[str, Any]
) -> None:
    """The percentage of the largest accepted value over a target of 0.01 still fits exact decimal
    arithmetic: the page, the Excel export and the API answer (no 500)."""
    from openpyxl import load_workbook

    scheme, targets = issued(world)
    target = targets[TOWN]
    AssessmentTarget.objects.filter(pk=target.pk).update(targets={"N1": "0.01"})
    midyear_report(actor=world["town"], target=target, values={"N1": {"value": "9" * 15 + ".99"}})
    client.force_login(world["staff"])
    assert client.get(page("scheme_midyear", scheme.pk)).status_code == 200
    export = client.get(page("scheme_midyear", scheme.pk), {"export": "xlsx", "item": "N1", "q": "天长"})
    assert export.status_code == 200
    rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][0] == "天长街道" and rows[1][8] == "正常"


@pytest.mark.urls("kejiju.config.urls")
def test_api_table_with_the_largest_value_against_the_smallest_target(client: Any, world: dict[str, Any]) -> None:
    scheme, targets = issued(world)
    AssessmentTarget.objects.filter(pk=targets[TOWN].pk).update(targets={"N1": "0.01"})
    midyear_report(actor=world["town"], target=targets[TOWN], values={"N1": {"value": "9" * 15 + ".99"}})
    client.force_login(world["staff"])
    response = client.get(api("scheme_midyear", scheme.pk), {"item": "N1", "sort": "-percent"})
    assert response.status_code == 200, response.content
    assert response.json()["rows"][0]["percent"] == "9" * 16 + "900.0"

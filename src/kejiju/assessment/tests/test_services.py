"""The assessment flow: scheme → targets → self-assessment with evidence → scores → results → appeal."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from kejiju.assessment.choices import SchemeStatus, TargetStatus
from kejiju.assessment.models import AssessmentScheme, AssessmentTarget, AssessorScore, SchemeTransition
from kejiju.assessment.services import (
    appeal_decide,
    appeal_file,
    assessor_score_submit,
    evidence_add,
    scheme_issue,
    scheme_publish,
    scheme_save,
    scheme_start_scoring,
    self_assessment_save,
    self_assessment_submit,
)
from kejiju.assessment.tests.conftest import TEMPLATE
from kejiju.core.errors import BusinessError, RowErrors
from kejiju.core.models import OperationLog

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def make_scheme(world: dict[str, Any], **changes: Any) -> AssessmentScheme:
    values: dict[str, Any] = {
        "actor": world["staff"],
        "name": "2026年度乡镇科技进步目标责任制考核",
        "year": 2026,
        "template": TEMPLATE,
        "self_assessment_due": world["due"],
        "assessors": [world["leader"], world["town_assessor"]],
    }
    values.update(changes)
    return scheme_save(**values)


def issued(world: dict[str, Any]) -> tuple[AssessmentScheme, dict[str, AssessmentTarget]]:
    scheme = make_scheme(world)
    targets = scheme_issue(actor=world["staff"], scheme=scheme, default_targets={"N1": "1000"})
    return scheme, {t.region_id: t for t in targets}


def test_issue_creates_one_target_per_town(world: dict[str, Any]) -> None:
    scheme, targets = issued(world)
    assert set(targets) == {"341181100", "341181101"}
    assert targets["341181100"].targets == {"N1": "1000"} and targets["341181100"].assessee_name == "天长街道"
    scheme.refresh_from_db()
    assert scheme.status == SchemeStatus.ISSUED
    assert SchemeTransition.objects.get(scheme=scheme).action == "issue"
    assert OperationLog.objects.filter(action="assessment.scheme_issue").count() == 1
    with pytest.raises(BusinessError):  # frozen once issued
        make_scheme(world, scheme=scheme, name="改名")


@pytest.mark.parametrize(
    ("change", "field", "fragment"),
    [
        (
            {"template": {"items": [{**TEMPLATE["items"][0], "weight": 30}, *TEMPLATE["items"][1:]]}},
            "template",
            "100 分",
        ),
        ({"name": " "}, "name", "不能为空"),
        ({"year": 1990}, "year", "年份"),
    ],
)
def test_bad_scheme_stores_nothing(world: dict[str, Any], change: dict[str, Any], field: str, fragment: str) -> None:
    with pytest.raises(RowErrors) as error:
        make_scheme(world, **change)
    assert fragment in " ".join(error.value.errors[field])
    assert AssessmentScheme.objects.count() == 0


def test_self_assessment_needs_values_and_evidence(world: dict[str, Any]) -> None:
    _, targets = issued(world)
    target = targets["341181100"]
    with pytest.raises(RowErrors) as missing:
        self_assessment_submit(actor=world["town"], target=target)
    assert "N1" in missing.value.errors
    with pytest.raises(RowErrors) as negative:
        self_assessment_save(actor=world["town"], target=target, values={"N1": {"actual": "-3"}})
    assert "负数" in negative.value.errors["N1"][0]
    with pytest.raises(RowErrors) as decimals:
        self_assessment_save(actor=world["town"], target=target, values={"N1": {"actual": "1.234"}})
    assert "2 位小数" in decimals.value.errors["N1"][0]
    self_assessment_save(actor=world["town"], target=target, values={"N1": {"actual": "800", "note": "冬春培训"}})
    with pytest.raises(RowErrors) as evidence:
        self_assessment_submit(actor=world["town"], target=target)
    assert "佐证材料" in evidence.value.errors["N1"][0]
    evidence_add(actor=world["town"], target=target, item_code="N1", fileobj=io.BytesIO(PNG), name="签到表.png")
    target = self_assessment_submit(actor=world["town"], target=target)
    assert target.status == TargetStatus.SUBMITTED and target.self_submitted_at is not None
    with pytest.raises(BusinessError):
        self_assessment_save(actor=world["town"], target=target, values={"N1": {"actual": "900"}})


def test_late_self_assessment_is_refused(world: dict[str, Any]) -> None:
    _, targets = issued(world)
    AssessmentScheme.objects.update(self_assessment_due=timezone.now() - timedelta(minutes=1))
    with pytest.raises(BusinessError) as late:
        self_assessment_save(actor=world["town"], target=targets["341181100"], values={"N1": {"actual": "1"}})
    assert late.value.code == "deadline_passed"
    assert AssessmentTarget.objects.get(pk=targets["341181100"].pk).self_values == {}


def test_a_town_cannot_fill_in_another_town(world: dict[str, Any]) -> None:
    _, targets = issued(world)
    with pytest.raises(BusinessError) as other:
        self_assessment_save(actor=world["town"], target=targets["341181101"], values={"N1": {"actual": "1"}})
    assert other.value.code == "forbidden"


def scored_scheme(world: dict[str, Any]) -> tuple[AssessmentScheme, dict[str, AssessmentTarget]]:
    scheme, targets = issued(world)
    for code, actual in (("341181100", "800"), ("341181101", "1200")):
        self_assessment_save(actor=world["staff"], target=targets[code], values={"N1": {"actual": actual}})
        evidence_add(actor=world["staff"], target=targets[code], item_code="N1", fileobj=io.BytesIO(PNG), name="a.png")
        self_assessment_submit(actor=world["staff"], target=targets[code])
    scheme_start_scoring(actor=world["staff"], scheme=scheme)
    return scheme, targets


def test_scores_results_ranking_and_grades(world: dict[str, Any]) -> None:
    scheme, targets = scored_scheme(world)
    a, b = targets["341181100"], targets["341181101"]
    assessor_score_submit(actor=world["leader"], target=a, scores={"Q1": "36", "B1": "2"})
    assessor_score_submit(actor=world["leader"], target=b, scores={"Q1": "30"})
    assessor_score_submit(actor=world["town_assessor"], target=a, scores={"Q1": "34"})
    scheme = scheme_publish(actor=world["staff"], scheme=scheme)
    a.refresh_from_db()
    b.refresh_from_db()
    # a: Q1 mean 35 + N1 60 × 0.8 = 48 + bonus 2 = 85 → 良好; b: 30 + 60 = 90 → 优秀
    assert (a.total, a.grade, a.rank) == (Decimal("85.00"), "良好", 2)
    assert (b.total, b.grade, b.rank) == (Decimal("90.00"), "优秀", 1)
    assert a.status == TargetStatus.PUBLISHED and scheme.status == SchemeStatus.PUBLISHED
    n1 = next(i for i in a.result["items"] if i["code"] == "N1")
    assert n1["provenance"] == {"source": "self"} and "完成 800 / 目标 1000" in n1["explanation"]


def test_honour_list_names_the_top_grade_after_publication(world: dict[str, Any], monkeypatch: Any) -> None:
    from kejiju.assessment.services import honour_list_issue

    monkeypatch.setattr("kejiju.reports.services.find_soffice", lambda: None)
    scheme, targets = scored_scheme(world)
    assessor_score_submit(actor=world["leader"], target=targets["341181100"], scores={"Q1": "36"})
    assessor_score_submit(actor=world["leader"], target=targets["341181101"], scores={"Q1": "30"})
    with pytest.raises(BusinessError) as early:
        honour_list_issue(actor=world["staff"], scheme=scheme)
    assert "公布后" in early.value.message
    scheme = scheme_publish(actor=world["staff"], scheme=scheme)
    with pytest.raises(BusinessError):
        honour_list_issue(actor=world["other_staff"], scheme=scheme)
    assert not OperationLog.objects.filter(action="assessment.honour_list").exists()
    document = honour_list_issue(actor=world["staff"], scheme=scheme)
    assert "考核结果的通报" in document.title and document.source == "assessment.scheme:%s" % scheme.pk
    table = next(block for block in document.payload["body"] if block["type"] == "table")
    assert [row[1] for row in table["rows"][1:]] == [
        t.assessee_name for t in AssessmentTarget.objects.filter(scheme=scheme, grade="优秀").order_by("rank")
    ]
    log = OperationLog.objects.get(action="assessment.honour_list")
    assert log.actor == world["staff"] and log.extra["document"] == document.pk


def test_scoring_rules(world: dict[str, Any]) -> None:
    _, targets = scored_scheme(world)
    a, b = targets["341181100"], targets["341181101"]
    with pytest.raises(BusinessError) as own:
        assessor_score_submit(actor=world["town_assessor"], target=b, scores={"Q1": "30"})
    assert "本单位" in own.value.message
    with pytest.raises(RowErrors) as rubric:
        assessor_score_submit(actor=world["leader"], target=a, scores={"Q1": "45"})
    assert "0 至 40" in rubric.value.errors["Q1"][0]
    with pytest.raises(RowErrors) as missing:
        assessor_score_submit(actor=world["leader"], target=a, scores={})
    assert "Q1" in missing.value.errors
    with pytest.raises(BusinessError):
        assessor_score_submit(actor=world["other_staff"], target=a, scores={"Q1": "30"})
    assert AssessorScore.objects.count() == 0
    assessor_score_submit(actor=world["leader"], target=a, scores={"Q1": "30"})
    with pytest.raises(BusinessError) as again:
        assessor_score_submit(actor=world["leader"], target=a, scores={"Q1": "39"})
    assert again.value.code == "locked"


def test_veto_and_appeal(world: dict[str, Any]) -> None:
    scheme, targets = issued(world)
    a = targets["341181100"]
    self_assessment_save(actor=world["town"], target=a, values={"N1": {"actual": "1000"}, "V1": {"triggered": True}})
    evidence_add(actor=world["town"], target=a, item_code="N1", fileobj=io.BytesIO(PNG), name="a.png")
    self_assessment_submit(actor=world["town"], target=a)
    AssessmentScheme.objects.update(self_assessment_due=timezone.now() - timedelta(minutes=1))
    scheme_start_scoring(actor=world["staff"], scheme=scheme)
    assessor_score_submit(actor=world["leader"], target=a, scores={"Q1": "40"})
    assessor_score_submit(actor=world["leader"], target=targets["341181101"], scores={"Q1": "20"})
    scheme_publish(actor=world["staff"], scheme=scheme)
    a.refresh_from_db()
    assert a.total == Decimal("100.00") and a.grade == "不合格"
    b = AssessmentTarget.objects.get(region_id="341181101")
    assert b.total == Decimal("20.00") and b.rank == 2
    with pytest.raises(BusinessError):
        appeal_file(actor=world["town"], target=b, reason="不是本镇")
    appeal = appeal_file(actor=world["staff"], target=b, reason="培训台账漏报，经核实应加 30 分")
    with pytest.raises(BusinessError):
        appeal_decide(actor=world["staff"], appeal=appeal, accept=True, decision="", adjustment="30")
    appeal_decide(actor=world["staff"], appeal=appeal, accept=True, decision="经核实采纳", adjustment="30")
    b.refresh_from_db()
    assert b.adjustment == Decimal("30.00") and b.total == Decimal("50.00")
    assert b.history.filter(history_change_reason="经核实采纳").exists()
    assert OperationLog.objects.filter(action="assessment.appeal_decide").exists()

"""Assessment pages: the permission matrix and the flow in the browser's terms (forms and buttons)."""

from __future__ import annotations

import io
import json
from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from kejiju.assessment.choices import SchemeStatus
from kejiju.assessment.models import AssessmentScheme, AssessmentTarget
from kejiju.assessment.services import scheme_issue, scheme_save
from kejiju.assessment.tests.conftest import TEMPLATE
from kejiju.core.testing.factories import region, role_user
from kejiju.core.testing.matrix import Endpoint, matrix_cases, run_matrix_case


def _scheme(code: str) -> AssessmentScheme:
    region(code + "100")
    staff = role_user("bureau_staff", code)
    return scheme_save(
        actor=staff,
        name=f"考核方案{code}",
        year=2026,
        template=TEMPLATE,
        self_assessment_due=timezone.now() + timedelta(days=5),
    )


def _target(code: str) -> AssessmentTarget:
    scheme = _scheme(code)
    staff = role_user("bureau_staff", code)
    return scheme_issue(actor=staff, scheme=scheme, default_targets={"N1": "100"})[0]


ENDPOINTS = [
    Endpoint(
        "scheme list",
        "assessment.view_assessmentscheme",
        make=_scheme,
        url=lambda obj: reverse("assessment:scheme_list"),
        detail=False,
        marker=lambda obj: obj.name,
    ),
    Endpoint(
        "scheme detail",
        "assessment.view_assessmentscheme",
        make=_scheme,
        url=lambda obj: reverse("assessment:scheme_detail", args=[obj.pk]),
    ),
    Endpoint(
        "target detail",
        "assessment.view_assessmentscheme",
        make=_target,
        url=lambda obj: reverse("assessment:target_detail", args=[obj.pk]),
    ),
    Endpoint(
        "target midyear",
        "assessment.view_assessmentscheme",
        make=_target,
        url=lambda obj: reverse("assessment:target_midyear", args=[obj.pk]),
    ),
    Endpoint(
        "scheme midyear",
        ("assessment.view_assessmentscheme", "assessment.change_assessmentscheme"),
        make=_target,
        url=lambda obj: reverse("assessment:scheme_midyear", args=[obj.scheme_id]),
    ),
]


@pytest.mark.parametrize("case", matrix_cases(ENDPOINTS), ids=str)
def test_permission_matrix(case: Any, client: Any, db: Any) -> None:
    run_matrix_case(case, client)


def test_create_issue_self_assess_score_publish(client: Any, world: dict[str, Any]) -> None:
    client.force_login(world["staff"])
    page = client.get(reverse("assessment:scheme_create"))
    assert page.status_code == 200 and "党政领导重视科技工作" in page.content.decode()  # default template offered
    bad = dict(
        name="2026年度考核",
        year="2026",
        assessee_kind="town",
        self_assessment_due="2030-12-20T17:00",
        template=json.dumps({"items": [{"code": "X", "name": "x", "kind": "qualitative", "weight": 50}]}),
    )
    response = client.post(reverse("assessment:scheme_create"), bad)
    assert response.status_code == 400 and "合计应为 100 分" in response.content.decode()
    assert AssessmentScheme.objects.count() == 0
    broken = client.post(reverse("assessment:scheme_create"), {**bad, "template": "{"})
    assert broken.status_code == 400 and "不是有效的 JSON" in broken.content.decode()
    good = {**bad, "template": json.dumps(TEMPLATE), "assessors": [str(world["leader"].pk)]}
    response = client.post(reverse("assessment:scheme_create"), good)
    scheme = AssessmentScheme.objects.get()
    assert response.status_code == 302 and list(scheme.assessors.all()) == [world["leader"]]
    client.post(reverse("assessment:scheme_action", args=[scheme.pk, "issue"]), {"target_N1": "500"})
    scheme.refresh_from_db()
    assert scheme.status == SchemeStatus.ISSUED and scheme.targets.count() == 2
    target = scheme.targets.get(region_id="341181100")
    assert target.targets == {"N1": "500"}

    client.force_login(world["town"])
    detail = client.get(reverse("assessment:target_detail", args=[target.pk]))
    assert detail.status_code == 200 and 'name="item_N1_actual"' in detail.content.decode()
    other = scheme.targets.get(region_id="341181101")
    assert client.get(reverse("assessment:target_detail", args=[other.pk])).status_code == 404
    png = io.BytesIO(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    png.name = "签到表.png"
    client.post(
        reverse("assessment:target_self", args=[target.pk]),
        {"item_N1_actual": "450", "evidence_item": "N1", "evidence": png, "submit": "1"},
    )
    target.refresh_from_db()
    assert target.status == "submitted" and target.self_values["N1"]["actual"] == "450"

    client.force_login(world["staff"])
    AssessmentScheme.objects.update(self_assessment_due=timezone.now() - timedelta(minutes=1))
    client.post(reverse("assessment:scheme_action", args=[scheme.pk, "start_scoring"]))
    client.force_login(world["leader"])
    client.post(reverse("assessment:target_score", args=[target.pk]), {"score_Q1": "38"})
    client.post(reverse("assessment:target_score", args=[other.pk]), {"score_Q1": "20"})
    client.force_login(world["staff"])
    client.post(reverse("assessment:scheme_action", args=[scheme.pk, "publish"]))
    target.refresh_from_db()
    assert (str(target.total), target.grade, target.rank) == ("92.00", "优秀", 1)
    export = client.get(reverse("assessment:scheme_detail", args=[scheme.pk]), {"export": "xlsx"})
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    detail = client.get(reverse("assessment:scheme_detail", args=[scheme.pk])).content.decode()
    assert "公布考核结果（考核评分中 → 已公布）" in detail

"""The assessment API: the four-actor matrix on every endpoint, the flow (self-assessment → submit →
scoring → results), bad input answered 400 in Chinese with nothing stored, and the schema fuzzer."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.urls import reverse
from rest_framework.authtoken.models import Token

from kejiju.assessment.choices import TargetStatus
from kejiju.assessment.models import AssessmentTarget, AssessorScore, MidyearProgress
from kejiju.assessment.services import evidence_add, scheme_publish
from kejiju.assessment.tests.test_services import PNG, issued, scored_scheme
from kejiju.assessment.tests.test_views import _scheme, _target
from kejiju.core.testing.factories import UserFactory, grant_perms, region
from kejiju.core.testing.matrix import Endpoint, matrix_cases, run_matrix_case

URLS = "kejiju.config.urls"
pytestmark = pytest.mark.urls(URLS)
VIEW = "assessment.view_assessmentscheme"


def api(name: str, *args: Any) -> str:
    return reverse(f"assessment_api:{name}", args=args, urlconf=URLS)


ENDPOINTS = [
    Endpoint(
        "scheme list",
        VIEW,
        make=_scheme,
        url=lambda o: api("scheme_list"),
        kind="api",
        detail=False,
        marker=lambda o: o.name,
    ),
    Endpoint("scheme detail", VIEW, make=_scheme, url=lambda o: api("scheme_detail", o.pk), kind="api"),
    Endpoint("scheme results", VIEW, make=_target, url=lambda o: api("scheme_results", o.scheme_id), kind="api"),
    Endpoint(
        "target list",
        VIEW,
        make=_target,
        url=lambda o: api("target_list"),
        kind="api",
        detail=False,
        marker=lambda o: o.assessee_name,
    ),
    Endpoint("target detail", VIEW, make=_target, url=lambda o: api("target_detail", o.pk), kind="api"),
    Endpoint("target scores", VIEW, make=_target, url=lambda o: api("target_scores", o.pk), kind="api"),
    Endpoint("target midyear", VIEW, make=_target, url=lambda o: api("target_midyear", o.pk), kind="api"),
    Endpoint(
        "scheme midyear",
        (VIEW, "assessment.change_assessmentscheme"),
        make=_target,
        url=lambda o: api("scheme_midyear", o.scheme_id),
        kind="api",
    ),
]


@pytest.mark.parametrize("case", matrix_cases(ENDPOINTS), ids=str)
def test_permission_matrix(case: Any, client: Any, db: Any) -> None:
    run_matrix_case(case, client)


WRITES = [
    ("target_self", "assessment.change_assessmenttarget", {"values": {}}),
    ("target_submit", "assessment.change_assessmenttarget", {}),
    ("target_scores", "assessment.score_assessment", {"scores": {}}),
    ("target_midyear", "assessment.change_assessmenttarget", {"values": {"N1": {"value": "1"}}}),
]


@pytest.mark.parametrize(("name", "perm", "body"), WRITES, ids=[w[0] for w in WRITES])
@pytest.mark.parametrize("actor", ["anonymous", "own_without_perm", "other_with_perm"])
def test_write_matrix(name: str, perm: str, body: dict[str, Any], actor: str, client: Any, db: Any) -> None:
    """Writes: anonymous 401/403, own region without the permission 403, other region 404; nothing changes."""
    region("341181")
    region("341182")
    target = _target("341181")
    if actor != "anonymous":
        user = UserFactory(region=region("341181" if actor.startswith("own") else "341182"))
        grant_perms(user, VIEW, *([perm] if actor.endswith("with_perm") else []))
        client.force_login(user)
    response = client.post(api(name, target.pk), body, content_type="application/json")
    expected = {"anonymous": (401, 403), "own_without_perm": (403,), "other_with_perm": (404,)}[actor]
    assert response.status_code in expected
    target.refresh_from_db()
    assert target.self_values == {} and target.status == TargetStatus.ISSUED and not AssessorScore.objects.exists()
    assert not MidyearProgress.objects.exists()


def test_self_assessment_submit_score_and_ranking(client: Any, world: dict[str, Any]) -> None:
    scheme, targets = issued(world)
    target = targets["341181100"]
    client.force_login(world["town"])
    # the town sees only its own target before publication
    listed = client.get(api("target_list")).json()
    assert [row["id"] for row in listed["results"]] == [target.pk]
    ok = client.post(
        api("target_self", target.pk),
        {"values": {"N1": {"actual": "1200", "note": "培训台账"}, "D1": {"count": 0}}},
        content_type="application/json",
    )
    assert ok.status_code == 200, ok.content
    assert ok.json()["self_values"]["N1"]["actual"] == "1200"
    # evidence is required before submitting: 400 naming the item, nothing changes
    missing = client.post(api("target_submit", target.pk), content_type="application/json")
    assert missing.status_code == 400 and "佐证材料" in missing.json()["detail"]
    target.refresh_from_db()
    assert target.status == TargetStatus.ISSUED
    evidence_add(actor=world["town"], target=target, item_code="N1", fileobj=io.BytesIO(PNG), name="签到表.png")
    done = client.post(api("target_submit", target.pk), content_type="application/json")
    assert done.status_code == 200 and done.json()["status"] == "submitted"
    again = client.post(
        api("target_self", target.pk), {"values": {"N1": {"actual": "1"}}}, content_type="application/json"
    )
    assert again.status_code == 400 and "不能再修改" in again.json()["detail"]


def test_scoring_and_results(client: Any, world: dict[str, Any]) -> None:
    scheme, targets = scored_scheme(world)
    a, b = targets["341181100"], targets["341181101"]
    client.force_login(world["leader"])
    out_of_range = client.post(api("target_scores", a.pk), {"scores": {"Q1": "45"}}, content_type="application/json")
    assert out_of_range.status_code == 400 and "Q1" in out_of_range.json()["errors"]
    three_places = client.post(
        api("target_scores", a.pk), {"scores": {"Q1": "35.555"}}, content_type="application/json"
    )
    assert three_places.status_code == 400 and "2 位小数" in three_places.json()["detail"]
    assert not AssessorScore.objects.exists()
    created = client.post(
        api("target_scores", a.pk), {"scores": {"Q1": "36"}, "comments": "工作扎实"}, content_type="application/json"
    )
    assert created.status_code == 201 and created.json()["scores"] == {"Q1": "36"}
    assert (
        client.post(api("target_scores", b.pk), {"scores": {"Q1": "30"}}, content_type="application/json").status_code
        == 201
    )
    twice = client.post(api("target_scores", a.pk), {"scores": {"Q1": "30"}}, content_type="application/json")
    assert twice.status_code == 400 and AssessorScore.objects.count() == 2
    # an assessor never scores their own town
    client.force_login(world["town_assessor"])
    own = client.post(api("target_scores", b.pk), {"scores": {"Q1": "40"}}, content_type="application/json")
    assert own.status_code == 403
    scheme_publish(actor=world["staff"], scheme=scheme)
    client.force_login(world["town"])
    ranking = client.get(api("scheme_results", scheme.pk)).json()["results"]
    assert [row["rank"] for row in ranking] == [1, 2]
    assert all(row["grade"] and row["total"] for row in ranking)
    client.force_login(world["staff"])
    scores = client.get(api("target_scores", a.pk)).json()["results"]
    assert len(scores) == 1 and scores[0]["comments"] == "工作扎实"


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"values": {"N1": {"actual": "12.345"}}}, "N1", "2 位小数"),
        ({"values": {"N1": {"actual": "-3"}}}, "N1", "负数"),
        ({"values": {"N1": {"actual": "很多"}}}, "N1", "培训农民"),
        ({"values": {"ZZ": {"actual": "1"}}}, "ZZ", "没有该指标"),
        ({"values": "N1=3"}, "values", "自评"),
        ({"values": {"N1": {"actual": "1", "x": 1}}}, "values", "不支持此字段"),
        ({}, "values", "自评"),
        ([1, 2], "non_field_errors", "JSON 对象"),
    ],
)
def test_bad_self_assessment_is_refused_in_chinese(
    body: Any, field: str, words: str, client: Any, world: dict[str, Any]
) -> None:
    _, targets = issued(world)
    target = targets["341181100"]
    client.force_login(world["town"])
    response = client.post(api("target_self", target.pk), body, content_type="application/json")
    assert response.status_code == 400, response.content
    payload = response.json()
    assert words in payload["detail"] or words in str(payload.get("errors")), payload
    assert field in payload.get("errors", {}) or payload.get("field") == field or field == "non_field_errors"
    target.refresh_from_db()
    assert target.self_values == {}


def test_junk_ids_and_filters(client: Any, world: dict[str, Any]) -> None:
    client.force_login(world["staff"])
    for url in ("/api/v1/assessment/targets/abc/", "/api/v1/assessment/schemes/99999999999999999999/"):
        assert client.get(url).status_code == 404
    bad = client.get(api("scheme_list"), {"year": "明年"})
    assert bad.status_code == 400 and "考核年度" in bad.json()["detail"]
    assert client.get(api("target_list"), {"status": "x\x00"}).status_code == 400
    assert AssessmentTarget.objects.count() == 0


# ---------------------------------------------------------------- schema fuzzing

OPERATIONS = [
    ("GET", "/api/v1/assessment/schemes/"),
    ("GET", "/api/v1/assessment/schemes/{id}/"),
    ("GET", "/api/v1/assessment/schemes/{id}/results/"),
    ("GET", "/api/v1/assessment/targets/"),
    ("GET", "/api/v1/assessment/targets/{id}/"),
    ("POST", "/api/v1/assessment/targets/{id}/self-assessment/"),
    ("POST", "/api/v1/assessment/targets/{id}/submit/"),
    ("GET", "/api/v1/assessment/targets/{id}/scores/"),
    ("GET", "/api/v1/assessment/targets/{id}/midyear/"),
    ("POST", "/api/v1/assessment/targets/{id}/midyear/"),
    ("GET", "/api/v1/assessment/schemes/{id}/midyear/"),
    ("POST", "/api/v1/assessment/targets/{id}/scores/"),
]


@pytest.fixture(scope="module")
def schema_path(tmp_path_factory: Any) -> Path:
    path = tmp_path_factory.mktemp("schema") / "openapi.yaml"
    call_command("spectacular", "--file", str(path), "--urlconf", URLS)
    return Path(path)


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=lambda v: v)
def test_api_never_answers_500(
    schema_path: Path, world: dict[str, Any], keep_connection: Any, method: str, path: str, settings: Any
) -> None:
    import schemathesis
    from django.core.wsgi import get_wsgi_application
    from hypothesis import HealthCheck, given
    from hypothesis import settings as hsettings
    from schemathesis import GenerationMode
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

    settings.ROOT_URLCONF = URLS
    scheme, targets = issued(world)
    target = targets["341181100"]
    token = Token.objects.create(user=world["staff"])
    headers = {"Authorization": f"Token {token.key}"}
    schema = schemathesis.openapi.from_path(schema_path)
    operation = schema[path][method]
    app = get_wsgi_application()
    checks = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
    pk = scheme.pk if "schemes" in path else target.pk
    fixed = {"path_parameters": {"id": pk}} if "{id}" in path else {}
    # with its one parameter fixed, a detail GET or a body-less POST has no input left to make invalid
    fixed_only = "{id}" in path and (method == "GET" or path.endswith("/submit/"))
    modes = [GenerationMode.POSITIVE] if fixed_only else list(GenerationMode)
    for mode in modes:

        @hsettings(
            max_examples=15, derandomize=True, database=None, deadline=None, suppress_health_check=list(HealthCheck)
        )
        @given(case=operation.as_strategy(generation_mode=mode, **fixed))
        def fuzz(case: Any) -> None:
            case.call_and_validate(app=app, headers=headers, checks=checks)

        fuzz()

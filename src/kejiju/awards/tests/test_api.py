"""The awards API: the four-actor matrix on every endpoint, nomination by an organization user, the
archive search and the prize ledger, bad input answered 400 in Chinese with nothing stored, and the
schema fuzzer."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.urls import reverse
from rest_framework.authtoken.models import Token

from kejiju.awards.choices import NominationStatus
from kejiju.awards.models import Nomination
from kejiju.awards.services import higher_award_save, prize_pay
from kejiju.awards.tests.test_services import member, nominate, world  # noqa: F401  (fixture)
from kejiju.awards.tests.test_views import _cycle, _nomination
from kejiju.core.testing.factories import UserFactory, grant_perms, region, role_user
from kejiju.core.testing.matrix import Endpoint, matrix_cases, run_matrix_case

URLS = "kejiju.config.urls"
pytestmark = pytest.mark.urls(URLS)


def api(name: str, *args: Any) -> str:
    return reverse(f"awards_api:{name}", args=args, urlconf=URLS)


def _granted(code: str) -> Nomination:
    """A nomination granted an award with part of its prize paid (the status set directly: the decision
    flow is tested with the services)."""
    nomination = _nomination(code)
    Nomination.objects.filter(pk=nomination.pk).update(
        status=NominationStatus.GRANTED, grade="一等奖", prize=Decimal("50000.00")
    )
    prize_pay(
        actor=role_user("bureau_staff", code),
        nomination=nomination,
        amount="20000",
        paid_on=date(2026, 12, 1),
        payee="领奖单位" + code,
    )
    return nomination


def _higher(code: str) -> Any:
    return higher_award_save(
        actor=role_user("bureau_staff", code),
        data={
            "name": "安徽省科学技术奖",
            "level": "provincial",
            "grade": "三等奖",
            "year": 2025,
            "title": f"上级奖成果{code}",
            "prize": "20000",
        },
        persons=[member(3, "王五")],
    )


VIEW_CYCLE, VIEW_NOM = "awards.view_awardcycle", "awards.view_nomination"
ENDPOINTS = [
    Endpoint(
        "programme list",
        VIEW_CYCLE,
        make=lambda c: _cycle(c).programme,
        url=lambda o: api("programme_list"),
        kind="api",
        detail=False,
        marker=lambda o: o.name,
    ),
    Endpoint(
        "programme detail",
        VIEW_CYCLE,
        make=lambda c: _cycle(c).programme,
        url=lambda o: api("programme_detail", o.pk),
        kind="api",
    ),
    Endpoint(
        "cycle list",
        VIEW_CYCLE,
        make=_cycle,
        url=lambda o: api("cycle_list"),
        kind="api",
        detail=False,
        marker=lambda o: o.programme.name,
    ),
    Endpoint("cycle detail", VIEW_CYCLE, make=_cycle, url=lambda o: api("cycle_detail", o.pk), kind="api"),
    Endpoint(
        "nomination list",
        VIEW_NOM,
        make=_nomination,
        url=lambda o: api("nomination_list"),
        kind="api",
        detail=False,
        marker=lambda o: o.title,
    ),
    Endpoint("nomination detail", VIEW_NOM, make=_nomination, url=lambda o: api("nomination_detail", o.pk), kind="api"),
    Endpoint(
        "winners",
        VIEW_NOM,
        make=_granted,
        url=lambda o: api("winner_list"),
        kind="api",
        detail=False,
        marker=lambda o: o.title,
    ),
    Endpoint(
        "higher awards",
        "awards.view_higheraward",
        make=_higher,
        url=lambda o: api("higher_award_list"),
        kind="api",
        detail=False,
        marker=lambda o: o.title,
    ),
    Endpoint(
        "prize ledger",
        VIEW_NOM,
        make=_granted,
        url=lambda o: api("prize_ledger"),
        kind="api",
        detail=False,
        marker=lambda o: "领奖单位",
    ),
]


@pytest.mark.parametrize("case", matrix_cases(ENDPOINTS), ids=str)
def test_permission_matrix(case: Any, client: Any, db: Any) -> None:
    run_matrix_case(case, client)


@pytest.mark.parametrize("actor", ["anonymous", "own_without_perm", "other_with_perm"])
def test_transition_matrix(actor: str, client: Any, db: Any) -> None:
    region("341181")
    region("341182")
    nomination = _nomination("341181")
    if actor != "anonymous":
        user = UserFactory(region=region("341181" if actor.startswith("own") else "341182"))
        grant_perms(user, VIEW_NOM, *(["awards.change_nomination"] if actor.endswith("with_perm") else []))
        client.force_login(user)
    response = client.post(
        api("nomination_transition", nomination.pk), {"action": "pass"}, content_type="application/json"
    )
    assert (
        response.status_code in {"anonymous": (401, 403), "own_without_perm": (403,), "other_with_perm": (404,)}[actor]
    )
    nomination.refresh_from_db()
    assert nomination.status == NominationStatus.DRAFT


@pytest.mark.parametrize("actor", ["anonymous", "own_not_member", "other_staff", "member"])
def test_my_endpoints_matrix(actor: str, client: Any, world: dict[str, Any]) -> None:  # noqa: F811
    """Organization endpoints need no staff permission but only show the account's own organizations."""
    mine = nominate(world)
    users = {
        "own_not_member": role_user("org_user", "341181"),
        "other_staff": world["other_staff"],
        "member": world["applicant"],
    }
    if actor != "anonymous":
        client.force_login(users[actor])
    listed = client.get(api("my_nomination_list"))
    detail = client.get(api("my_nomination_detail", mine.pk))
    cycles = client.get(api("my_cycle_list"))
    submit = client.post(api("my_nomination_submit", mine.pk), content_type="application/json")
    if actor == "anonymous":
        assert {listed.status_code, detail.status_code, cycles.status_code, submit.status_code} <= {401, 403}
    elif actor == "member":
        assert listed.status_code == 200 and mine.title in listed.content.decode()
        assert detail.status_code == 200 and detail.json()["members"][0]["position"] == 1
        assert cycles.status_code == 200 and cycles.json()["count"] == 1
        assert submit.status_code == 200 and submit.json()["status"] == "submitted"
    else:
        assert listed.status_code == 200 and mine.title not in listed.content.decode()
        assert detail.status_code == 404 and submit.status_code == 404
        assert cycles.json()["count"] == 0
    if actor != "member":
        mine.refresh_from_db()
        assert mine.status == NominationStatus.DRAFT


def test_nominate_submit_and_check(client: Any, world: dict[str, Any]) -> None:  # noqa: F811
    client.force_login(world["applicant"])
    body = {
        "cycle": world["cycle"].pk,
        "organization": world["org"].pk,
        "title": "优质稻米绿色高效栽培技术集成与推广",
        "category": "科技进步奖",
        "summary": "集成稻虾共养与绿色防控技术。",
        "field_keywords": "水稻 绿色防控",
        "subjects": ["210"],
        "members": [member(1, "李四"), member(2)],
    }
    created = client.post(api("my_nomination_list"), body, content_type="application/json")
    assert created.status_code == 201, created.content
    data = created.json()
    assert data["status"] == "draft" and [m["name"] for m in data["members"]] == ["李四", "完成人2"]
    submitted = client.post(api("my_nomination_submit", data["id"]), content_type="application/json")
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"
    client.force_login(world["staff"])
    no_reason = client.post(
        api("nomination_transition", data["id"]), {"action": "return"}, content_type="application/json"
    )
    assert no_reason.status_code == 400
    passed = client.post(api("nomination_transition", data["id"]), {"action": "pass"}, content_type="application/json")
    assert passed.status_code == 200 and passed.json()["status"] == "passed"
    listed = client.get(api("nomination_list"), {"status": "passed", "cycle": world["cycle"].pk}).json()
    assert [row["id"] for row in listed["results"]] == [data["id"]]


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"title": ""}, "title", "成果名称"),
        ({"category": "自然科学奖"}, "category", "奖励类别"),
        ({"members": []}, "members", "完成人"),
        ({"members": [{"name": "张三", "id_number": "341181198001010000"}]}, "members", "第1位完成人"),
        ({"members": [member(1), member(1)]}, "members", "重复"),
        ({"cycle": 999999}, "cycle", "奖励年度"),
        ({"organization": "abc"}, "organization", "完成单位"),
        ({"subjects": "210"}, "subjects", "学科"),
        ({"surprise": 1}, "surprise", "不支持此字段"),
    ],
)
def test_bad_nomination_is_refused_in_chinese(
    change: dict[str, Any],
    field: str,
    words: str,
    client: Any,
    world: dict[str, Any],  # noqa: F811
) -> None:
    client.force_login(world["applicant"])
    body = {
        "cycle": world["cycle"].pk,
        "organization": world["org"].pk,
        "title": "成果",
        "category": "科技进步奖",
        "summary": "简介",
        "members": [member(1)],
        **change,
    }
    response = client.post(api("my_nomination_list"), body, content_type="application/json")
    assert response.status_code == 400, response.content
    payload = response.json()
    assert words in payload["detail"], payload
    assert payload.get("field") == field or field in payload.get("errors", {})
    assert not Nomination.objects.exists()


def test_winner_archive_search_and_ledger(client: Any, world: dict[str, Any]) -> None:  # noqa: F811
    a = nominate(world, "优质稻米栽培技术")
    b = nominate(world, "设施蔬菜物联网监测")
    Nomination.objects.filter(pk__in=[a.pk, b.pk]).update(status=NominationStatus.GRANTED, prize=Decimal("30000"))
    Nomination.objects.filter(pk=a.pk).update(field_keywords="水稻")
    prize_pay(actor=world["staff"], nomination=a, amount="10000.50", paid_on=date(2026, 12, 1), payee="甲单位")
    higher_award_save(
        actor=world["staff"],
        data={
            "name": "安徽省科学技术奖",
            "level": "provincial",
            "grade": "三等奖",
            "year": 2025,
            "title": "电缆新材料",
            "prize": "20000",
        },
        organization=world["org"],
        persons=[member(3, "王五")],
    )
    client.force_login(world["staff"])

    def titles(name: str, **params: str) -> list[str]:
        response = client.get(api(name), params)
        assert response.status_code == 200, response.content
        return sorted(row["title"] for row in response.json()["results"])

    assert titles("winner_list") == sorted([a.title, b.title])
    assert titles("winner_list", field="水稻") == [a.title]
    assert titles("winner_list", q="蔬菜") == [b.title]
    assert titles("winner_list", organization=world["org"].name[:4]) == sorted([a.title, b.title])
    assert titles("winner_list", person="完成人1") == sorted([a.title, b.title])
    assert titles("winner_list", person="无此人") == []
    assert titles("higher_award_list", person="王五") == ["电缆新材料"]
    assert titles("higher_award_list", person="完成人1") == []
    ledger = client.get(api("prize_ledger"), {"nomination": a.pk}).json()["results"]
    assert [(row["amount"], row["prize"], row["payee"]) for row in ledger] == [("10000.50", "30000.00", "甲单位")]
    assert client.get(api("prize_ledger"), {"cycle": "下一年"}).status_code == 400
    assert client.get(api("winner_list"), {"q": "a\x00"}).status_code == 400
    client.force_login(world["other_staff"])
    assert titles("winner_list") == [] and client.get(api("prize_ledger")).json()["count"] == 0


# ---------------------------------------------------------------- schema fuzzing

OPERATIONS = [
    ("GET", "/api/v1/awards/programmes/"),
    ("GET", "/api/v1/awards/programmes/{id}/"),
    ("GET", "/api/v1/awards/cycles/"),
    ("GET", "/api/v1/awards/cycles/{id}/"),
    ("GET", "/api/v1/awards/cycles/{id}/meeting/"),
    ("POST", "/api/v1/awards/cycles/{id}/meeting/"),
    ("GET", "/api/v1/awards/cycles/{id}/votes/"),
    ("POST", "/api/v1/awards/cycles/{id}/votes/"),
    ("POST", "/api/v1/awards/cycles/{id}/votes/override/"),
    ("GET", "/api/v1/awards/nominations/"),
    ("GET", "/api/v1/awards/nominations/{id}/"),
    ("POST", "/api/v1/awards/nominations/{id}/transition/"),
    ("GET", "/api/v1/awards/winners/"),
    ("GET", "/api/v1/awards/higher-awards/"),
    ("GET", "/api/v1/awards/prize-ledger/"),
    ("GET", "/api/v1/awards/my/cycles/"),
    ("GET", "/api/v1/awards/my/nominations/"),
    ("POST", "/api/v1/awards/my/nominations/"),
    ("GET", "/api/v1/awards/my/nominations/{id}/"),
    ("POST", "/api/v1/awards/my/nominations/{id}/submit/"),
]


@pytest.fixture(scope="module")
def schema_path(tmp_path_factory: Any) -> Path:
    path = tmp_path_factory.mktemp("schema") / "openapi.yaml"
    call_command("spectacular", "--file", str(path), "--urlconf", URLS)
    return Path(path)


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=lambda v: v)
def test_api_never_answers_500(
    schema_path: Path,
    world: dict[str, Any],  # noqa: F811
    keep_connection: Any,
    method: str,
    path: str,
    settings: Any,
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
    nomination = nominate(world)
    user = world["applicant"] if "/my/" in path else world["staff"]
    token = Token.objects.create(user=user)
    headers = {"Authorization": f"Token {token.key}"}
    schema = schemathesis.openapi.from_path(schema_path)
    operation = schema[path][method]
    app = get_wsgi_application()
    checks = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
    pk = {"programmes": world["programme"].pk, "cycles": world["cycle"].pk}.get(path.split("/")[4], nomination.pk)
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

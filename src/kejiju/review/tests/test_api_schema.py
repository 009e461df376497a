"""The review API never answers a server error and keeps to its schema (property tests).

The schema is generated from the code now (drf-spectacular), restricted to ``/api/v1/review/``, and every
operation is driven by schemathesis with data that fits it and data that does not, against the WSGI
application: staff operations as a bureau account of county 341181 holding the review permissions, the
expert's own operations as an expert with an invitation. Kept small (``max_examples``) so the module
runs in well under a minute."""

from __future__ import annotations

import os
from typing import Any

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, given, settings
from rest_framework.authtoken.models import Token
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from kejiju.review import services
from kejiju.review.models import Assignment
from kejiju.review.tests.factories import batch_data, make_expert

PREFIX = "/api/v1/review/"
APP = get_wsgi_application()
CHECKS = [
    not_a_server_error,
    negative_data_rejection,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
FUZZ = settings(
    max_examples=int(os.environ.get("KEJIJU_REVIEW_FUZZ_EXAMPLES", "8")),
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    print_blob=True,
)


def _schema() -> Any:
    raw = SchemaGenerator().get_schema(request=None, public=True)
    raw = {**raw, "paths": {p: item for p, item in raw["paths"].items() if p.startswith(PREFIX)}}
    return schemathesis.openapi.from_dict(raw)


SCHEMA = _schema()
OPERATIONS = sorted(
    (method.upper(), path)
    for path, item in SCHEMA.raw_schema["paths"].items()
    for method in item
    if method in ("get", "post", "patch", "put", "delete")
)
MINE = "/my/"


def test_every_review_operation_is_fuzzed() -> None:
    assert ("GET", "/api/v1/review/experts/") in OPERATIONS
    assert ("POST", "/api/v1/review/my/assignments/{id}/score/") in OPERATIONS


@pytest.fixture
def world(db: Any, keep_connection: None, staff: Any, source: Any) -> dict[str, Any]:
    """A drawn batch in county 341181: the staff token, and the token of an invited expert."""
    source.add(1)
    experts = [make_expert(staff) for _ in range(4)]
    users = [services.expert_account_create(actor=staff, expert=e)[0] for e in experts]
    for u in users:
        u.must_change_password = False
        u.save(update_fields=["must_change_password"])
    batch = services.batch_create(actor=staff, data=batch_data(source, reviewers_per_item=2, reserves_per_item=1))
    services.batch_draw(actor=staff, batch=batch, nonce="fz01", supervisor="监督人", witnesses="见证人")
    invited = Assignment.objects.filter(batch=batch, panel=True).select_related("expert__user").first()
    assert invited is not None
    expert_user = invited.expert.user
    return {
        "staff": {"Authorization": "Token %s" % Token.objects.create(user=staff).key},
        "expert": {"Authorization": "Token %s" % Token.objects.create(user=expert_user).key},
        "ids": {"experts": experts[0].pk, "batches": batch.pk, "assignments": invited.pk},
    }


def _run(operation: Any, mode: GenerationMode, headers: dict[str, str], **fixed: Any) -> None:
    @FUZZ
    @given(case=operation.as_strategy(generation_mode=mode, **fixed))
    def fuzz(case: Any) -> None:
        case.call_and_validate(app=APP, headers=headers, checks=CHECKS)

    fuzz()


CASES = [
    pytest.param(method, path, mode, id="%s %s %s" % (method, path, mode.value))
    for method, path in OPERATIONS
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
]


@pytest.mark.parametrize(("method", "path", "mode"), CASES)
def test_review_api_never_fails(world: dict[str, Any], method: str, path: str, mode: GenerationMode) -> None:
    """Random requests: never a 5xx, always a documented, schema-valid answer."""
    headers = world["expert"] if MINE in path else world["staff"]
    _run(SCHEMA[path][method], mode, headers)


@pytest.mark.parametrize(
    ("method", "path"),
    [pytest.param(m, p, id="%s %s" % (m, p)) for m, p in OPERATIONS if "{id}" in p],
)
def test_review_api_on_existing_records(world: dict[str, Any], method: str, path: str) -> None:
    """The same on records that exist (random ids mostly answer 404)."""
    headers = world["expert"] if MINE in path else world["staff"]
    key = "assignments" if MINE in path else path.split("/")[4]
    _run(SCHEMA[path][method], GenerationMode.POSITIVE, headers, path_parameters={"id": world["ids"][key]})


def test_expert_flow_calls_conform_to_schema(world: dict[str, Any]) -> None:
    """Well-formed calls that succeed, and the refusals that follow (scoring after submission), answer
    as documented: never a 5xx."""
    pk = world["ids"]["assignments"]
    batch = Assignment.objects.get(pk=pk).batch
    full = {str(c.pk): str(c.weight) for c in batch.criteria.all()}
    path = "/api/v1/review/my/assignments/{id}/"
    calls = [
        (path + "respond/", {"accept": True, "declare_no_conflict": False}, 400),
        (path + "respond/", {"accept": True, "declare_no_conflict": True}, 200),
        (path + "score/", {"scores": {"999999": "1"}, "submit": False}, 200),
        (path + "score/", {"scores": full, "submit": True}, 400),
        (path + "score/", {"scores": full, "comment": "创新性强。", "recommendation": "support", "submit": True}, 200),
        (path + "score/", {"scores": full, "comment": "再改", "recommendation": "support"}, 400),
        (path + "respond/", {"accept": False, "reason": "晚了"}, 400),
    ]
    for url, body, expected in calls:
        case = SCHEMA[url]["POST"].Case(path_parameters={"id": pk}, body=body)
        response = case.call_and_validate(app=APP, headers=world["expert"], checks=CHECKS)
        assert response.status_code == expected, "%s %s: %s" % (url, body, response.text)

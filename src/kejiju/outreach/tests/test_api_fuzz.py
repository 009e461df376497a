"""The outreach API against its own OpenAPI schema: generated requests (valid and invalid) never get a
5xx nor an answer the schema does not describe."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from rest_framework.authtoken.models import Token

from kejiju.outreach.tests.factories import make_activity, make_assignment, make_commissioner

pytestmark = pytest.mark.django_db

OPERATIONS = [
    ("GET", "/api/v1/outreach/commissioners/"),
    ("POST", "/api/v1/outreach/commissioners/"),
    ("GET", "/api/v1/outreach/commissioners/{id}/"),
    ("POST", "/api/v1/outreach/commissioners/{id}/diaries/"),
    ("GET", "/api/v1/outreach/diaries/"),
    ("GET", "/api/v1/outreach/activities/"),
    ("POST", "/api/v1/outreach/activities/"),
    ("GET", "/api/v1/outreach/activities/{id}/"),
    ("POST", "/api/v1/outreach/activities/{id}/hold/"),
    ("POST", "/api/v1/outreach/activities/{id}/cancel/"),
]


@pytest.fixture(scope="module")
def schema_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("schema") / "openapi.yaml"
    call_command("spectacular", "--file", str(path))
    return path


@pytest.fixture
def world(regions, make_user, keep_connection):
    actor = make_user("bureau_staff", "341181")
    c = make_commissioner(actor)
    make_assignment(actor, c)
    a = make_activity(
        actor, planned_start=date.today() - timedelta(days=3), planned_end=date.today() - timedelta(days=2)
    )
    token = Token.objects.create(user=actor)
    return {"headers": {"Authorization": f"Token {token.key}"}, "commissioner": c, "activity": a}


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=lambda v: v)
def test_api_conforms_to_schema(schema_path: Path, world, method, path):
    import schemathesis
    from django.core.wsgi import get_wsgi_application
    from hypothesis import HealthCheck, given, settings
    from schemathesis import GenerationMode
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

    schema = schemathesis.openapi.from_path(schema_path)
    operation = schema[path][method]
    app = get_wsgi_application()
    checks = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
    target = world["commissioner"] if "commissioners" in path else world["activity"]
    fixed = {"path_parameters": {"id": target.pk}} if "{id}" in path else {}
    # with its one parameter fixed, a detail GET has no input left to make invalid
    modes = [GenerationMode.POSITIVE] if method == "GET" and "{id}" in path else list(GenerationMode)
    for mode in modes:

        @settings(
            max_examples=15, derandomize=True, database=None, deadline=None, suppress_health_check=list(HealthCheck)
        )
        @given(case=operation.as_strategy(generation_mode=mode, **fixed))
        def fuzz(case):
            case.call_and_validate(app=app, headers=world["headers"], checks=checks)

        fuzz()

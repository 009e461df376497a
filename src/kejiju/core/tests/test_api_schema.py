"""The OpenAPI schema: the committed file is the generated one, and the API keeps its promises.

The property tests drive every operation of the committed ``docs/api/openapi.yaml`` through
schemathesis (data that fits the schema and data that does not) against the WSGI application,
as a token user holding every core permission in province 34. Whatever comes in, the answer
must be documented, JSON, valid against the schema, and never a server error.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from django.apps import apps
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.core.wsgi import get_wsgi_application
from django.db import connection
from hypothesis import HealthCheck, given, settings
from rest_framework.authtoken.models import Token
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from kejiju.core.choices import Role
from kejiju.core.testing.factories import UserFactory, grant_perms, region

SCHEMA_FILE = Path(__file__).resolve().parents[4] / "docs" / "api" / "openapi.yaml"

SCHEMA = schemathesis.openapi.from_path(SCHEMA_FILE)
APP = get_wsgi_application()
CHECKS = [
    not_a_server_error,
    negative_data_rejection,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
#: Deterministic, quick enough for every ``make test`` (SQLite and PostgreSQL).
FUZZ = settings(
    max_examples=30,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    print_blob=True,
)
OPERATIONS = [
    ("GET", "/api/v1/me/"),
    ("POST", "/api/v1/token/"),
    ("GET", "/api/v1/regions/"),
    ("POST", "/api/v1/regions/"),
    ("GET", "/api/v1/regions/{code}/"),
    ("PATCH", "/api/v1/regions/{code}/"),
    ("GET", "/api/v1/users/"),
    ("POST", "/api/v1/users/"),
    ("GET", "/api/v1/users/{id}/"),
    ("PATCH", "/api/v1/users/{id}/"),
]


def test_committed_schema_is_current(tmp_path: Path) -> None:
    """``docs/api/openapi.yaml`` is what drf-spectacular generates now, without warnings
    (regenerate with ``make schema``)."""
    generated = tmp_path / "openapi.yaml"
    call_command("spectacular", "--file", str(generated), "--validate", "--fail-on-warn")
    now, committed = generated.read_text(encoding="utf-8"), SCHEMA_FILE.read_text(encoding="utf-8")
    if connection.vendor != "sqlite":
        # The committed schema is generated on SQLite (make schema). Integer bounds and formats come
        # from the database's integer ranges (SQLite's are all 64-bit): compare everything else.
        bounds = re.compile(r"^\s*(maximum|minimum|format): .*\n", re.MULTILINE)
        now, committed = bounds.sub("", now), bounds.sub("", committed)
    assert now == committed, "docs/api/openapi.yaml is out of date: run `make schema` and commit the result"


def test_schema_endpoint_is_public(client: Any) -> None:
    response = client.get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    assert response.json()["paths"].keys() == SCHEMA.raw_schema["paths"].keys()


def test_schema_lists_every_core_operation_once() -> None:
    """Every core operation is fuzzed below (other apps' paths live under /api/v1/<app label>/)."""
    other_apps = {config.label for config in apps.get_app_configs()} - {"core"}
    listed = {
        (method.upper(), path)
        for path, item in SCHEMA.raw_schema["paths"].items()
        if path.split("/")[3] not in other_apps
        for method in item
    }
    assert listed == set(OPERATIONS)


@pytest.fixture
def api_world(db: Any, keep_connection: None) -> dict[str, Any]:
    """A few regions of province 34, a second account to look at, and the token of an account
    in province 34 holding every core permission."""
    for code in ("34", "3411", "341181", "341182", "341181100", "341181100001"):
        region(code)
    actor = UserFactory(username="fuzz-admin", role=Role.BUREAU_ADMIN, region=region("34"))
    grant_perms(actor, *[f"core.{p.codename}" for p in Permission.objects.filter(content_type__app_label="core")])
    other = UserFactory(username="fuzz-target", role=Role.BUREAU_STAFF, region=region("341181"))
    token = Token.objects.create(user=actor)
    return {"headers": {"Authorization": f"Token {token.key}"}, "actor": actor, "other": other}


def _run(operation: Any, mode: GenerationMode, headers: dict[str, str], **fixed: Any) -> None:
    @FUZZ
    @given(case=operation.as_strategy(generation_mode=mode, **fixed))
    def fuzz(case: Any) -> None:
        case.call_and_validate(app=APP, headers=headers, checks=CHECKS)

    fuzz()


#: Operations × generation modes; an operation without any input has no negative data.
FUZZ_CASES = [
    pytest.param(method, path, mode, id=f"{method} {path} {mode}")
    for method, path in OPERATIONS
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    if mode == GenerationMode.POSITIVE or (method, path) != ("GET", "/api/v1/me/")
]


@pytest.mark.parametrize(("method", "path", "mode"), FUZZ_CASES)
def test_api_conforms_to_schema(api_world: dict[str, Any], method: str, path: str, mode: GenerationMode) -> None:
    """Generated requests never get a 5xx nor an answer the schema does not describe."""
    _run(SCHEMA[path][method], mode, api_world["headers"])


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/v1/regions/{code}/"),
        ("PATCH", "/api/v1/regions/{code}/"),
        ("GET", "/api/v1/users/{id}/"),
        ("PATCH", "/api/v1/users/{id}/"),
    ],
    ids=lambda v: v,
)
def test_existing_records_conform_to_schema(api_world: dict[str, Any], method: str, path: str) -> None:
    """The same on records that exist (random path parameters mostly answer 404)."""
    fixed = {"code": "341181100"} if "{code}" in path else {"id": api_world["other"].pk}
    _run(SCHEMA[path][method], GenerationMode.POSITIVE, api_world["headers"], path_parameters=fixed)


def test_successful_calls_conform_to_schema(api_world: dict[str, Any], password: str) -> None:
    """Well-formed calls that succeed (random data rarely does) answer as documented too."""
    other = api_world["other"]
    calls = [
        ("GET", "/api/v1/me/", {}, 200),
        ("GET", "/api/v1/regions/", {"query": {"parent": "341181", "level": 9, "q": "测试", "is_active": True}}, 200),
        ("POST", "/api/v1/regions/", {"body": {"code": "341181100002", "name": "测试二村", "kind": "村委会"}}, 201),
        ("GET", "/api/v1/regions/{code}/", {"path_parameters": {"code": "341181100002"}}, 200),
        (
            "PATCH",
            "/api/v1/regions/{code}/",
            {"path_parameters": {"code": "341181100"}, "body": {"name": "新名街道", "is_active": False}},
            200,
        ),
        (
            "GET",
            "/api/v1/users/",
            {"query": {"q": "fuzz", "role": "bureau_staff", "active": True, "region": "3411"}},
            200,
        ),
        (
            "POST",
            "/api/v1/users/",
            {
                "body": {
                    "username": "schema-new",
                    "full_name": "新账号",
                    "password": "Schema-Test-2026",
                    "role": "bureau_staff",
                    "region": "341181",
                    "phone": "13912345678",
                    "email": "new@example.org",
                }
            },
            201,
        ),
        ("GET", "/api/v1/users/{id}/", {"path_parameters": {"id": other.pk}}, 200),
        (
            "PATCH",
            "/api/v1/users/{id}/",
            {"path_parameters": {"id": other.pk}, "body": {"full_name": "改名", "region": "341182"}},
            200,
        ),
        ("POST", "/api/v1/token/", {"body": {"username": "fuzz-admin", "password": password}}, 200),
    ]
    for method, path, data, expected in calls:
        case = SCHEMA[path][method].Case(**data)
        response = case.call_and_validate(app=APP, headers=api_world["headers"], checks=CHECKS)
        assert response.status_code == expected, f"{method} {path}: {response.status_code} {response.text}"

"""A NUL character in any query, form or JSON field is refused before any view runs (400, Chinese message
naming the field, nothing changed): SQLite would keep it, PostgreSQL refuses it with an error that would
otherwise surface as a server error. Run on both databases."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from kejiju.core.models import Region

pytestmark = pytest.mark.django_db


def _api(user: Any) -> APIClient:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def test_form_field_with_nul_is_refused_and_nothing_stored(client: Any, regions: Any, make_user: Any) -> None:
    admin = make_user("system_admin", None)
    client.force_login(admin)
    response = client.post(reverse("core:region_create"), {"code": "341181199", "name": "新\x00镇", "level": "town"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "“name”含有空字符（NUL）" in body and "未作任何修改" in body
    assert not Region.objects.filter(code="341181199").exists()


def test_query_parameter_with_nul_is_refused(client: Any, regions: Any, make_user: Any) -> None:
    client.force_login(make_user("system_admin", None))
    response = client.get(reverse("core:oplog_list"), {"q": "a\x00b"})
    assert response.status_code == 400 and "“q”含有空字符" in response.content.decode()


def test_json_field_with_nul_names_its_path(regions: Any, make_user: Any) -> None:
    admin = make_user("system_admin", None)
    response = _api(admin).post(
        "/api/v1/regions/", {"code": "341181198", "name": "新镇", "extra": [{"note": "x\u0000"}]}, format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["field"] == "extra[0].note" and "含有空字符" in body["detail"] and body["code"] == "invalid"
    assert not Region.objects.filter(code="341181198").exists()
    # an escaped backslash is ordinary text, and the request goes on to the API's own checks
    ok = _api(admin).post("/api/v1/regions/", {"code": "341181197", "name": "新\\u0000镇"}, format="json")
    assert ok.status_code != 400 or "空字符" not in ok.json()["detail"]


def test_ordinary_requests_pass(client: Any, regions: Any, make_user: Any) -> None:
    client.force_login(make_user("system_admin", None))
    assert client.get(reverse("core:oplog_list"), {"q": "登录"}).status_code == 200

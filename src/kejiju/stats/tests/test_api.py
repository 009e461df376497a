"""The statistics API: the four-actor matrix, figures with provenance, entered values and bad input."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from kejiju.core.testing.factories import role_user
from kejiju.core.testing.matrix import Endpoint, matrix_cases, run_matrix_case
from kejiju.stats.models import EnteredValue
from kejiju.stats.tests import factories as f


def _entered(code: str) -> Any:
    f.entered_indicator()
    return f.entered_value(role_user("bureau_staff", code), code, "4.56")


ENDPOINTS = [
    Endpoint(
        "api-indicators",
        perm="stats.view_indicatordefinition",
        kind="api",
        detail=False,
        make=lambda c: c,
        url=lambda c: reverse("stats_api:indicator_list"),
    ),
    Endpoint(
        "api-value",
        perm="stats.view_indicatordefinition",
        kind="api",
        make=lambda c: c,
        url=lambda c: reverse("stats_api:value") + "?indicator=testorgs.hnte_new&period=2026&region=" + c,
    ),
    Endpoint(
        "api-entered",
        perm="stats.view_enteredvalue",
        kind="api",
        detail=False,
        make=_entered,
        url=lambda o: reverse("stats_api:entered_value_list"),
        marker=lambda o: "4.5600",
    ),
]


@pytest.mark.parametrize("case", matrix_cases(ENDPOINTS), ids=str)
def test_permission_matrix(case: Any, client: Any, test_indicators: list[str]) -> None:
    run_matrix_case(case, client)


@pytest.fixture
def api(staff: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(staff)
    return client


def test_value_with_provenance(api: APIClient, regions: Any, test_indicators: list[str]) -> None:
    f.qualification("341181100", "hnte")
    f.qualification("341181100", "hnte")
    data = api.get(reverse("stats_api:value"), {"indicator": "testorgs.hnte_new", "period": "2026"}).json()
    assert data["value"] == "2.0000" and data["record_count"] == 2 and data["source"] == "computed"
    assert "orgs_qualification" in data["query"] and data["records_url"].startswith("/stats/records/")
    indicators = api.get(reverse("stats_api:indicator_list")).json()
    assert "testorgs.hnte_new" in str(indicators)
    assert api.get(reverse("stats_api:indicator_detail", args=["testorgs.hnte_new"])).json()["unit"] == "家"
    assert api.get(reverse("stats_api:indicator_detail", args=["nope"])).status_code == 404


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"indicator": "testorgs.hnte_new", "period": "2026", "region": "341182"}, 404),
        ({"indicator": "testorgs.hnte_new", "period": "abc"}, 400),
        ({"indicator": "testorgs.hnte_new", "period": "2026H3"}, 400),
        ({"indicator": "testorgs.hnte_new", "period": "2026", "region": "34\x00"}, 400),
        ({"period": "2026"}, 400),
        ({"indicator": "nope.x", "period": "2026"}, 404),
    ],
)
def test_value_bad_input(
    api: APIClient, regions: Any, test_indicators: list[str], params: dict[str, str], code: int
) -> None:
    assert api.get(reverse("stats_api:value"), params).status_code == code


def test_entered_value_create(api: APIClient, regions: Any, staff: Any) -> None:
    f.entered_indicator()
    from kejiju.core.services.attachments import attachment_create

    doc = attachment_create(actor=staff, fileobj=f.pdf_file(), name="公报.pdf", region="341181")
    url = reverse("stats_api:entered_value_list")
    body = {
        "indicator": "entered.rd_share",
        "region": "341181",
        "period": "2026",
        "value": "abc",
        "source_document": str(doc.pk),
    }
    bad = api.post(url, body, format="json")
    assert bad.status_code == 400 and "不是有效的数字" in bad.json()["detail"]
    missing = api.post(url, {**body, "value": "2.1", "source_document": None}, format="json")
    assert missing.status_code == 400 and "来源文件" in missing.json()["detail"]
    assert EnteredValue.objects.count() == 0
    ok = api.post(url, {**body, "value": "2.1"}, format="json")
    assert ok.status_code == 201 and ok.json()["value"] == "2.1000"
    assert api.get(url, {"period": "2026"}).json()["count"] == 1
    assert api.get(url, {"period": "x"}).status_code == 400


@pytest.mark.parametrize("bad", ["\x00", "a\x00b", "%00", "x" * 500, "🙂", "1e999", "-1", "../", "2026H0"])
def test_odd_input_never_500(api: APIClient, client: Any, staff: Any, regions: Any, bad: str) -> None:
    for url, params in [
        (reverse("stats_api:value"), {"indicator": bad, "period": bad, "region": bad}),
        (reverse("stats_api:indicator_list"), {"area": bad, "source": bad}),
        (reverse("stats_api:entered_value_list"), {"indicator": bad, "period": bad, "region": bad}),
    ]:
        assert api.get(url, params).status_code < 500
    assert (
        api.post(
            reverse("stats_api:entered_value_list"),
            {"indicator": bad, "region": bad, "period": bad, "value": bad},
            format="json",
        ).status_code
        == 400
    )
    client.force_login(staff)
    for name in ("stats:records", "stats:dashboard", "stats:additivity", "stats:entered_list"):
        assert (
            client.get(reverse(name), {"indicator": bad, "region": bad, "period": bad, "year": bad}).status_code < 500
        )

"""Platform pages and API: permission matrix, create, report by the host, evaluation, reward, indicators."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from kejiju.core.indicators import get_indicator
from kejiju.core.testing.matrix import Endpoint, matrix_cases, run_matrix_case
from kejiju.cultivation.services import subsidy_policy_ensure
from kejiju.platforms.models import IndicatorTemplate, Platform, PlatformKind
from kejiju.platforms.services import platform_save
from kejiju.platforms.tests.factories import enterprise

pytestmark = pytest.mark.django_db


def _kind() -> PlatformKind:
    return PlatformKind.objects.get_or_create(code="incubator", defaults={"name": "科技企业孵化器"})[0]


def _platform(region_code: str, level: str = "city", on: str = "2023-05-01") -> Platform:
    host = enterprise(region_code)
    return platform_save(
        actor=None,
        data={"name": "孵化器%s" % host.pk, "kind": _kind(), "level": level, "host": host, "recognised_on": on},
    )


V = "platforms.view_platform"
ENDPOINTS = [
    Endpoint(
        "platform_list",
        V,
        _platform,
        lambda o: reverse("platforms:platform_list"),
        detail=False,
        marker=lambda o: o.name,
    ),
    Endpoint("platform_detail", V, _platform, lambda o: reverse("platforms:platform_detail", args=[o.pk])),
    Endpoint(
        "platform_edit",
        (V, "platforms.change_platform"),
        _platform,
        lambda o: reverse("platforms:platform_edit", args=[o.pk]),
    ),
    Endpoint(
        "api_platform_list",
        V,
        _platform,
        lambda o: "/api/v1/platforms/",
        kind="api",
        detail=False,
        marker=lambda o: o.name,
    ),
    Endpoint("api_platform_detail", V, _platform, lambda o: f"/api/v1/platforms/{o.pk}/", kind="api"),
]


@pytest.mark.parametrize("case", matrix_cases(ENDPOINTS), ids=str)
def test_permission_matrix(case, client):
    run_matrix_case(case, client)


@pytest.fixture
def staff(regions, make_user):
    return make_user("bureau_staff", "341181")


def test_create_page_and_errors(client, staff):
    host = enterprise()
    _kind()
    client.force_login(staff)
    bad = client.post(
        reverse("platforms:platform_create"),
        {"name": "", "kind": "incubator", "level": "x", "host": host.pk, "recognised_on": "2023-01-01"},
    )
    text = bad.content.decode()
    assert 'data-testid="form-errors"' in text and "平台名称不能为空" in text and Platform.objects.count() == 0
    ok = client.post(
        reverse("platforms:platform_create"),
        {
            "name": "天长市科技企业孵化器",
            "kind": "incubator",
            "level": "provincial",
            "host": host.pk,
            "recognised_on": "2023-01-01",
            "area": "1200",
        },
    )
    p = Platform.objects.get()
    assert ok.status_code == 302 and p.area == 1200
    assert client.get(reverse("platforms:platform_list") + "?export=xlsx")["Content-Type"].startswith("application/vnd")


def test_report_by_host_member(client, staff, make_user):
    from kejiju.orgs.services import organization_member_add

    p = _platform("341181")
    member = make_user("org_user", "341181")
    organization_member_add(actor=staff, organization=p.host, user=member)
    client.force_login(member)
    assert p.name in client.get(reverse("platforms:my_platforms")).content.decode()
    bad = client.post(
        reverse("platforms:platform_report", args=[p.pk]),
        {"year": "2024", "incubated": "3", "graduates": "5", "events": "1", "jobs": "1"},
    )
    assert "毕业企业数不能多于" in bad.content.decode()
    ok = client.post(
        reverse("platforms:platform_report", args=[p.pk]),
        {"year": "2024", "incubated": "30", "graduates": "5", "events": "12", "jobs": "100", "revenue": "1000000"},
    )
    assert ok.status_code == 302 and p.reports.get().incubated == 30
    stranger = make_user("org_user", "341181")
    client.force_login(stranger)
    assert client.get(reverse("platforms:platform_report", args=[p.pk])).status_code == 404


def test_evaluate_status_and_reward(client, staff):
    p = _platform("341181", level="provincial")
    template = IndicatorTemplate.objects.create(name="t", items=[{"key": "a", "name": "A", "weight": 100}])
    client.force_login(staff)
    client.post(
        reverse("platforms:platform_evaluate", args=[p.pk]), {"template": template.pk, "year": "2024", "score_a": "55"}
    )
    assert p.evaluations.get().grade == "不合格"
    client.post(reverse("platforms:platform_action", args=[p.pk]), {"action": "warn", "reason": "评价不合格"})
    p.refresh_from_db()
    assert p.status == "warning"
    r = client.post(reverse("platforms:platform_reward", args=[p.pk]), follow=True)
    assert "不存在" in r.content.decode()
    subsidy_policy_ensure(
        actor=None,
        code="platform_recognition",
        name="平台认定奖励",
        kind="by_level",
        params={"table": {"provincial": 300000}},
        effective_from=date(2020, 1, 1),
    )
    r = client.post(reverse("platforms:platform_reward", args=[p.pk]))
    assert r.status_code == 302 and "/cultivation/awards/" in r["Location"]


def test_indicators_list_exactly_the_counted(regions):
    a = _platform("341181", level="provincial", on="2024-03-01")
    _platform("341181", level="city", on="2024-04-01")
    _platform("341182", level="provincial", on="2024-05-01")
    _platform("341181", level="provincial", on="2023-05-01")
    ind = get_indicator("platforms.recognised_provincial")
    records = ind.records("341181", date(2024, 1, 1), date(2024, 12, 31))
    assert list(records) == [a] and ind.value(records) == 1
    assert (
        get_indicator("platforms.recognised").value(
            get_indicator("platforms.recognised").records("3411", date(2024, 1, 1), date(2024, 12, 31))
        )
        == 3
    )
    assert (
        get_indicator("platforms.valid").value(
            get_indicator("platforms.valid").records("341181", date(2024, 1, 1), date(2024, 12, 31))
        )
        == 3
    )

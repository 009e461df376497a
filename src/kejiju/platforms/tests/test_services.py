"""Platform services: registry, status history, yearly report, evaluation, recognition reward."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from kejiju.core.errors import BusinessError, RowErrors
from kejiju.core.models import OperationLog
from kejiju.cultivation.services import subsidy_policy_ensure
from kejiju.platforms import selectors
from kejiju.platforms.models import Platform, PlatformKind, PlatformReport
from kejiju.platforms.services import (
    indicator_template_save,
    platform_evaluate,
    platform_report_save,
    platform_reward,
    platform_save,
    platform_transition,
)
from kejiju.platforms.tests.factories import enterprise

pytestmark = pytest.mark.django_db

ITEMS = [
    {"key": "service", "name": "服务能力", "weight": 40},
    {"key": "result", "name": "孵化成效", "weight": 60},
]


@pytest.fixture
def staff(regions, make_user):
    PlatformKind.objects.get_or_create(code="maker_space", defaults={"name": "众创空间"})
    return make_user("bureau_staff", "341181")


@pytest.fixture
def host(regions):
    return enterprise()


def pdata(host_org, **overrides):
    base = {
        "name": "天长市青年创业众创空间",
        "kind": "maker_space",
        "level": "provincial",
        "host": host_org,
        "recognition_doc": "皖科高秘〔2023〕88号",
        "recognised_on": "2023-09-01",
        "area": "2500.50",
        "staff": "12",
        "services": "创业辅导、投融资对接",
    }
    base.update(overrides)
    return base


def test_save_happy_path(staff, host):
    p = platform_save(actor=staff, data=pdata(host))
    assert p.region_id == host.region_id and p.status == "good" and p.area == Decimal("2500.50")
    assert OperationLog.objects.filter(action="platforms.save", target_id=str(p.pk)).exists()
    assert p.history.first().history_user_id == staff.pk
    assert selectors.platform_counts(user=staff) == [
        {"kind": "众创空间", "national": 0, "provincial": 1, "city": 0, "county": 0}
    ]


@pytest.mark.parametrize(
    "fld,value,fragment",
    [
        ("name", "", "不能为空"),
        ("kind", "nope", "不存在"),
        ("level", "galactic", "级别无效"),
        ("host", None, "依托单位"),
        ("recognised_on", "2023-13-01", "不是有效日期"),
        ("recognised_on", "2999-01-01", "不能晚于今天"),
        ("staff", "-3", "非负整数"),
        ("area", "1e5", "不是有效"),
        ("area", "10.123", "两位小数"),
    ],
)
def test_save_bad_input(staff, host, fld, value, fragment):
    with pytest.raises(RowErrors) as exc:
        platform_save(actor=staff, data=pdata(host, **{fld: value}))
    assert fragment in "".join(exc.value.errors[fld])
    assert Platform.objects.count() == 0


def test_host_out_of_scope(staff, regions):
    other = enterprise("341182")
    with pytest.raises(RowErrors) as exc:
        platform_save(actor=staff, data=pdata(other))
    assert "管辖范围" in exc.value.errors["host"][0]


def test_status_history(staff, host):
    p = platform_save(actor=staff, data=pdata(host))
    with pytest.raises(BusinessError, match="理由"):
        platform_transition(actor=staff, platform=p, action="warn")
    p = platform_transition(actor=staff, platform=p, action="warn", reason="年度评价不合格")
    p = platform_transition(actor=staff, platform=p, action="revoke", reason="连续两年不合格")
    assert [t.to_status for t in selectors.platform_history(platform=p)] == ["good", "warning", "revoked"]
    with pytest.raises(BusinessError, match="不能执行"):
        platform_transition(actor=staff, platform=p, action="restore", reason="x")
    with pytest.raises(BusinessError, match="已撤销"):
        platform_report_save(
            actor=staff, platform=p, year=2024, data={"incubated": 1, "graduates": 0, "events": 0, "jobs": 0}
        )


def test_report_by_host_member_and_rules(staff, host, make_user):
    from kejiju.orgs.services import organization_member_add

    p = platform_save(actor=staff, data=pdata(host))
    member = make_user("org_user", "341181")
    stranger = make_user("org_user", "341181")
    organization_member_add(actor=staff, organization=host, user=member)
    report = platform_report_save(
        actor=member,
        platform=p,
        year=2024,
        data={"incubated": 30, "graduates": 5, "events": 12, "revenue": "1200000.00", "jobs": 260},
    )
    assert report.graduates == 5 and report.revenue == Decimal("1200000.00")
    with pytest.raises(BusinessError, match="权限"):
        platform_report_save(actor=stranger, platform=p, year=2024, data={})
    with pytest.raises(RowErrors) as exc:
        platform_report_save(
            actor=member,
            platform=p,
            year=2024,
            data={"incubated": -1, "graduates": 5, "events": 1, "jobs": 1, "revenue": "1.001", "visitors": 3},
        )
    assert set(exc.value.errors) == {"incubated", "revenue", "visitors"}
    assert PlatformReport.objects.get().incubated == 30


def test_evaluation_and_template(staff, host):
    p = platform_save(actor=staff, data=pdata(host))
    with pytest.raises(BusinessError, match="100"):
        indicator_template_save(actor=staff, name="t", items=[{"key": "a", "name": "A", "weight": 50}])
    template = indicator_template_save(actor=staff, name="测试模板", items=ITEMS)
    ev = platform_evaluate(
        actor=staff, platform=p, year=2024, template=template, scores={"service": 80, "result": "90.5"}
    )
    assert ev.total == Decimal("86.30") and ev.grade == "良好"
    with pytest.raises(RowErrors) as exc:
        platform_evaluate(actor=staff, platform=p, year=2024, template=template, scores={"service": 101, "bogus": 1})
    assert set(exc.value.errors) == {"service", "result", "bogus"}
    ev.refresh_from_db()
    assert ev.total == Decimal("86.30")


def test_reward_by_level(staff, host):
    p = platform_save(actor=staff, data=pdata(host))
    with pytest.raises(BusinessError, match="不存在"):
        platform_reward(actor=staff, platform=p)
    subsidy_policy_ensure(
        actor=staff,
        code="platform_recognition",
        name="创新平台认定奖励",
        kind="by_level",
        params={"table": {"national": 500000, "provincial": 200000}},
        effective_from=date(2020, 1, 1),
    )
    award = platform_reward(actor=staff, platform=p)
    assert award.amount == Decimal("200000.00") and award.year == 2023 and award.source == f"platforms.platform:{p.pk}"
    assert platform_reward(actor=staff, platform=p).pk == award.pk

"""``kejiju demo``: accounts, regions, determinism, idempotence, the registry, --accounts, --if-empty."""

from __future__ import annotations

import hashlib
import io
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command

from kejiju.core import actions, demo
from kejiju.core.choices import RegionSource, Role
from kejiju.core.demo import DEMO_PASSWORD, DemoContext, register_demo, run_demo
from kejiju.core.models import Bureau, Department, OperationLog, Region, User

COUNTY_ACCOUNTS = {
    "admin",
    "city_admin",
    "city_leader",
    "city_staff",
    "county_admin",
    "county_staff",
    "county_leader",
    "town_staff",
    "expert_demo",
    "commissioner_demo",
    "org_demo",
}


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


def digest() -> str:
    """A digest of everything the core contributor generates."""
    h = hashlib.sha256()
    for row in Region.objects.order_by("code").values_list("code", "name", "kind", "parent_id", "level", "source"):
        h.update(repr(row).encode())
    for row in Bureau.objects.order_by("region_id").values_list("region_id", "name", "short_name"):
        h.update(repr(row).encode())
    for row in Department.objects.order_by("region_id", "name").values_list("region_id", "name"):
        h.update(repr(row).encode())
    for row in User.objects.order_by("username").values_list(
        "username", "full_name", "role", "region_id", "department__name"
    ):
        h.update(repr(row).encode())
    return h.hexdigest()


def counts() -> dict[str, int]:
    return {
        "regions": Region.objects.count(),
        "users": User.objects.count(),
        "bureaus": Bureau.objects.count(),
        "departments": Department.objects.count(),
    }


@pytest.fixture
def extra_contributors() -> Iterator[list[str]]:
    """Names registered by a test are removed afterwards (the registry is process-wide)."""
    names: list[str] = []
    yield names
    for name in names:
        demo._REGISTRY.pop(name, None)


@pytest.mark.django_db
def test_county_scale_creates_accounts_regions_and_bureaus() -> None:
    output = run("--scale", "county")
    assert "演示数据生成完毕" in output and "秒" in output

    users = {u.username: u for u in User.objects.select_related("department")}
    assert COUNTY_ACCOUNTS <= set(users)  # mingguang_staff only at city/province scale
    # other modules' demos add accounts of applicant organizations only
    assert all(users[name].role == Role.ORG_USER for name in set(users) - COUNTY_ACCOUNTS)
    for user in users.values():
        assert user.check_password(DEMO_PASSWORD)
        assert not user.must_change_password
        assert user.groups.filter(name=Role(user.role).label).exists()
    assert users["admin"].role == Role.SYSTEM_ADMIN and users["admin"].is_superuser and users["admin"].region is None
    assert (users["city_staff"].region_id, users["city_staff"].department.name) == ("3411", "计划科")
    assert users["city_admin"].role == Role.BUREAU_ADMIN and users["city_leader"].role == Role.BUREAU_LEADER
    assert users["county_admin"].region_id == "341181" and users["county_leader"].role == Role.BUREAU_LEADER
    for name in ("expert_demo", "commissioner_demo", "org_demo"):
        assert users[name].region_id == "341181"

    # Real codes from the national list, generated towns and villages below 天长市 only.
    assert Region.objects.get(code="341181").name == "天长市"
    assert Region.objects.get(code="3411").name == "滁州市"
    assert Region.objects.get(code="34").name == "安徽省"
    towns = list(Region.objects.filter(level=9).order_by("code"))
    assert 8 <= len(towns) <= 15
    assert [t.code for t in towns] == ["341181%03d" % (100 + i) for i in range(len(towns))]
    assert all(t.name.endswith(("镇", "乡", "街道")) for t in towns)
    assert len({t.name for t in towns}) == len(towns)
    for town in towns:
        villages = list(Region.objects.filter(parent=town).order_by("code"))
        assert 5 <= len(villages) <= 12
        assert [v.code for v in villages] == ["%s%03d" % (town.code, i + 1) for i in range(len(villages))]
        assert all(v.name.endswith(("村", "社区")) for v in villages)
    for region in Region.objects.filter(level__gt=6):
        assert region.source == RegionSource.DEMO
        assert region.level == len(region.code)
        assert region.parent_id == region.code[:-3]
    assert users["town_staff"].region_id == towns[0].code and users["town_staff"].role == Role.TOWN_STATION
    # Bulk-created regions still have their history rows.
    assert Region.history.filter(code=towns[0].code).exists()

    tianchang = Bureau.objects.get(region_id="341181")
    assert (tianchang.name, tianchang.short_name) == ("天长市科学技术局", "天科")
    assert Bureau.objects.get(region_id="3411").name == "滁州市科学技术局"
    assert set(tianchang.departments.values_list("name", flat=True)) == {
        "办公室",
        "计划科",
        "高新技术科",
        "农村科技科",
        "政策法规科",
    }

    log = OperationLog.objects.get(action=actions.DEMO_LOAD)
    assert log.region_id == "341181" and log.batch_id is not None
    assert log.extra["scale"] == "county" and log.extra["新建乡镇"] == len(towns)


@pytest.mark.django_db
def test_city_scale_covers_chuzhou_and_mingguang_sees_only_its_county() -> None:
    run("--scale", "city", "--seed", "7")
    counties = ["341102", "341103", "341122", "341124", "341125", "341126", "341181", "341182"]
    for code in counties:
        assert Region.objects.filter(level=9, parent_id=code).count() >= 8
        assert Bureau.objects.filter(region_id=code).exists()
    assert not Region.objects.filter(level=9).exclude(code__startswith="3411").exists()
    assert Bureau.objects.get(region_id="341102").name == "滁州市琅琊区科学技术局"
    mingguang = User.objects.get(username="mingguang_staff")
    assert mingguang.region_id == "341182"
    visible = Region.objects.restrict(mingguang, "core.view_region")
    assert visible.filter(code__startswith="341182").exists()
    assert not visible.filter(code__startswith="341181").exists()


@pytest.mark.slow
@pytest.mark.django_db
def test_province_scale_is_fast_and_keeps_three_villages_per_town() -> None:
    started = time.monotonic()
    ctx = run_demo(scale="province", seed=1, log=lambda _msg: None)
    assert time.monotonic() - started < 60
    assert len(ctx.county_codes) == Region.objects.filter(level=6, code__startswith="34").count() > 100
    assert set(Region.objects.filter(level=9).values_list("parent_id", flat=True)) == set(ctx.county_codes)
    assert len(ctx.village_codes) == 3 * len(ctx.town_codes)
    assert Bureau.objects.get(region_id="34").name == "安徽省科学技术厅"
    assert Bureau.objects.count() == 1 + len(ctx.city_codes) + len(ctx.county_codes)
    assert User.objects.filter(username="mingguang_staff").exists()


@pytest.mark.django_db(transaction=True)
def test_same_seed_gives_the_same_data_in_a_fresh_database() -> None:
    run("--scale", "county", "--seed", "42")
    first = digest()
    call_command("flush", interactive=False, verbosity=0)
    run("--scale", "county", "--seed", "42")
    assert digest() == first
    call_command("flush", interactive=False, verbosity=0)
    run("--scale", "county", "--seed", "43")
    assert digest() != first


@pytest.mark.django_db
def test_second_run_is_idempotent() -> None:
    run("--scale", "county")
    before, first_digest = counts(), digest()
    output = run("--scale", "county")
    assert "新建乡镇 0 个" in output and "新建账号 0 个" in output
    assert counts() == before
    assert digest() == first_digest
    assert OperationLog.objects.filter(action=actions.DEMO_LOAD).count() == 2


@pytest.mark.django_db
def test_accounts_table_lists_every_account_with_the_password() -> None:
    assert "尚未生成演示账号" in run("--accounts")
    run("--scale", "county")
    output = run("--accounts")
    for header in ("账号", "密码", "角色", "区划", "说明"):
        assert header in output
    for username in COUNTY_ACCOUNTS:
        assert username in output
    assert DEMO_PASSWORD in output and "科室工作人员" in output and "滁州市 计划科" in output
    # --accounts alone only prints: nothing generated.
    assert OperationLog.objects.filter(action=actions.DEMO_LOAD).count() == 1
    # A holder who changed the demo password is not shown the old one.
    user = User.objects.get(username="county_staff")
    user.set_password("Another-pass-2026")
    user.save()
    line = next(line for line in run("--accounts").splitlines() if line.startswith("county_staff"))
    assert "（已修改）" in line and DEMO_PASSWORD not in line


@pytest.mark.django_db
def test_if_empty_generates_once_then_leaves_the_database_alone() -> None:
    output = run("--scale", "county", "--if-empty")
    assert User.objects.filter(username="admin").exists()
    assert "演示数据生成完毕" in output
    before = counts()
    output = run("--scale", "city", "--if-empty")
    assert "跳过" in output
    assert counts() == before
    assert not User.objects.filter(username="mingguang_staff").exists()
    assert OperationLog.objects.filter(action=actions.DEMO_LOAD).count() == 1


@pytest.mark.django_db
def test_registered_contributor_runs_after_core_with_context(extra_contributors: list[str]) -> None:
    seen: dict[str, Any] = {}

    def contributor(ctx: DemoContext) -> None:
        seen["towns"] = list(ctx.town_codes)
        seen["counties"] = list(ctx.county_codes)
        seen["users"] = set(ctx.users)
        seen["bureau_users"] = set(ctx.bureau_users)
        seen["draw"] = ctx.rng.random()
        seen["actor"] = ctx.actor_for(ctx.town_codes[0]).username
        ctx.log("测试模块：完成")

    extra_contributors.append("zz_test")
    register_demo("zz_test", contributor, order=50)
    assert [name for name, _ in demo.registered_demos()][:1] == ["core"]
    output = run("--scale", "county", "--seed", "5")
    assert "测试模块：完成" in output and "[zz_test]" in output
    assert seen["counties"] == ["341181"]
    assert seen["towns"] == list(Region.objects.filter(level=9).order_by("code").values_list("code", flat=True))
    assert seen["users"] == COUNTY_ACCOUNTS
    assert "county_staff" in seen["bureau_users"] and "expert_demo" not in seen["bureau_users"]
    assert seen["actor"] == "county_staff"
    first_draw = seen["draw"]
    run("--scale", "county", "--seed", "5")
    assert seen["draw"] == first_draw  # seeded by seed and contributor name


@pytest.mark.django_db
def test_failing_contributor_changes_nothing(extra_contributors: list[str]) -> None:
    def broken(ctx: DemoContext) -> None:
        raise RuntimeError("boom")

    extra_contributors.append("zz_broken")
    register_demo("zz_broken", broken, order=60)
    logs_before = OperationLog.objects.count()
    with pytest.raises(RuntimeError):
        run("--scale", "county")
    assert counts() == {"regions": 0, "users": 0, "bureaus": 0, "departments": 0}
    assert OperationLog.objects.count() == logs_before


def test_unknown_scale_is_refused() -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("demo", "--scale", "nation")

"""Audit: the action registry, the operation log page and the field-history pages."""

from __future__ import annotations

import io
import uuid
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.urls import reverse

from kejiju.core import audit
from kejiju.core.audit import (
    HISTORY_MODELS,
    action_label,
    history_list,
    log_operation,
    register_action,
    register_history_model,
    registered_actions,
)
from kejiju.core.history import acting
from kejiju.core.models import CodeItem, OperationLog, Region
from kejiju.core.services.codes import code_set_active
from kejiju.core.testing.factories import region
from kejiju.core.testing.matrix import Endpoint, matrix_cases, run_matrix_case

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def isolated_registry(monkeypatch: Any) -> None:
    """Registrations made by a test do not leak into the next one."""
    monkeypatch.setattr(audit, "_ACTIONS", dict(audit._ACTIONS))
    monkeypatch.setattr(audit, "HISTORY_MODELS", dict(audit.HISTORY_MODELS))


def rename(code: str, name: str, actor: Any, reason: str = "") -> Region:
    """A command-style change: no request, the actor given by ``acting()``."""
    obj = Region.objects.get(code=code)
    with acting(actor, reason=reason):
        obj.name = name
        obj.save()
    return obj


# --- registry ----------------------------------------------------------------------------------


def test_register_action_rules(isolated_registry: None) -> None:
    assert register_action("demo.approve", "立项") == "demo.approve"
    assert register_action("demo.approve", "立项") == "demo.approve"  # same label again is fine
    with pytest.raises(ValueError):
        register_action("demo.approve", "批准")
    with pytest.raises(ValueError):
        register_action("noapp", "没有应用前缀")
    assert registered_actions()["demo.approve"] == "立项"
    assert action_label("demo.approve") == "立项"
    assert action_label("demo.unknown") == "demo.unknown"
    assert list(registered_actions()) == sorted(registered_actions())


@pytest.mark.django_db
def test_log_operation_rejects_unregistered_codes(regions: Any) -> None:
    with pytest.raises(ValueError):
        log_operation(actor=None, action="core.no_such_action", region="341181")
    assert not OperationLog.objects.filter(action="core.no_such_action").exists()


@pytest.mark.django_db
def test_log_operation_takes_region_from_target(regions: Any, make_user: Any) -> None:
    staff = make_user("bureau_staff", "341181")
    log = log_operation(actor=staff, action="core.user_update", target=staff)
    assert log.region_id == "341181" and log.actor_repr == str(staff)
    log = log_operation(actor=None, action="core.region_update", target=regions["town"])
    assert log.region_id == "341181100" and log.actor_repr == "系统"


def test_register_history_model_rules(isolated_registry: None) -> None:
    entry = register_history_model("demo_region", "core.Region", "演示区划", scope_fields=("code",))
    assert audit.HISTORY_MODELS["demo_region"] is entry
    assert entry.model is Region
    register_history_model("demo_region", "core.Region", "演示区划", scope_fields=("code",))
    with pytest.raises(ValueError):
        register_history_model("demo_region", "core.User", "账号")
    with pytest.raises(ValueError):
        register_history_model("Bad Key", "core.Region", "区划")


def test_core_models_are_registered() -> None:
    assert {"region", "bureau", "department", "user", "attachment", "codeitem"} <= set(HISTORY_MODELS)
    assert HISTORY_MODELS["codeitem"].unscoped_perm == "core.change_codeitem"


# --- operation log page ------------------------------------------------------------------------


@pytest.fixture
def logs(regions: Any, make_user: Any) -> dict[str, Any]:
    zhang = make_user("bureau_staff", "341181", username="zhangsan", full_name="张三")
    li = make_user("bureau_staff", "341182", username="lisi", full_name="李四")
    batch = uuid.uuid4()
    rows = {
        "own": log_operation(actor=zhang, action="core.region_update", region="341181", extra={"字段": "名称"}),
        "town": log_operation(
            actor=zhang, action="core.export", region="341181100", batch_id=batch, ip_address="10.1.2.3"
        ),
        "other": log_operation(actor=li, action="core.region_update", region="341182"),
    }
    OperationLog.objects.filter(pk=rows["own"].pk).update(created_at=datetime(2026, 3, 1, 9, 0, tzinfo=SHANGHAI))
    OperationLog.objects.filter(pk=rows["town"].pk).update(created_at=datetime(2026, 3, 5, 23, 30, tzinfo=SHANGHAI))
    return {"zhang": zhang, "li": li, "batch": batch, **rows}


def _oplog(client: Any, **params: str) -> str:
    response = client.get(reverse("core:oplog_list"), params)
    assert response.status_code == 200
    return response.content.decode()


def test_oplog_scope_county_does_not_see_other_county(client: Any, logs: dict[str, Any], make_user: Any) -> None:
    leader = make_user("bureau_leader", "341181")
    client.force_login(leader)
    body = _oplog(client)
    assert "张三" in body and "李四" not in body
    assert "10.1.2.3" in body
    assert "{&quot;字段&quot;:&quot;名称&quot;}" in body  # compact JSON (HTML-escaped)
    assert "修改区划" in body  # Chinese label of the action
    city = make_user("bureau_leader", "3411")
    client.force_login(city)
    body = _oplog(client)
    assert "张三" in body and "李四" in body


def test_oplog_filters(client: Any, logs: dict[str, Any], make_user: Any) -> None:
    client.force_login(make_user("bureau_leader", "3411"))
    body = _oplog(client, actor="李")
    assert "李四" in body and "张三" not in body
    body = _oplog(client, actor="zhangsan", action="core.export")
    assert "10.1.2.3" in body and "修改区划" not in body.split("<tbody>")[1]
    body = _oplog(client, date_from="2026-03-05", date_to="2026-03-05")
    table = body.split("<tbody>")[1]
    assert "10.1.2.3" in table and "2026-03-01" not in table  # 23:30 Beijing time still counts as 3-05
    body = _oplog(client, region="341181100")
    table = body.split("<tbody>")[1]
    assert "10.1.2.3" in table and "李四" not in table and "2026-03-01" not in table
    body = _oplog(client, batch=str(logs["batch"]))
    table = body.split("<tbody>")[1]
    assert "10.1.2.3" in table and "李四" not in table


def test_oplog_bad_filters_are_chinese_errors(client: Any, logs: dict[str, Any], make_user: Any) -> None:
    client.force_login(make_user("bureau_leader", "341181"))
    body = _oplog(client, date_from="2026-13-45", batch="not-a-uuid", region="341182", action="evil.code")
    assert "起始日期：格式不正确，应为 年-月-日" in body
    assert "批次：格式不正确" in body
    assert "区划：所选区划不在您的管辖范围内。" in body
    assert "操作：所选操作类型不存在。" in body
    assert "李四" not in body  # an ignored filter never widens the scope
    body = _oplog(client, date_from="2026-03-05", date_to="2026-03-01")
    assert "截止日期：截止日期不能早于起始日期。" in body


def test_oplog_export_escapes_formulas_and_is_logged(client: Any, logs: dict[str, Any], make_user: Any) -> None:
    leader = make_user("bureau_leader", "341181")
    log_operation(actor=None, action="core.region_update", region="341181", actor_repr='=HYPERLINK("x")')
    client.force_login(leader)
    response = client.get(reverse("core:oplog_list"), {"export": "xlsx"})
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("时间", "操作人", "操作", "对象", "区划", "IP", "附加信息")
    actors = [r[1] for r in rows[1:]]
    assert '\'=HYPERLINK("x")' in actors
    assert "李四" not in actors
    assert OperationLog.objects.filter(action="core.export", actor=leader).exists()


def test_oplog_sorting(client: Any, logs: dict[str, Any], make_user: Any) -> None:
    client.force_login(make_user("bureau_leader", "3411"))
    body = _oplog(client, sort="created_at")
    assert body.index("2026-03-01") < body.index("2026-03-05")
    body = _oplog(client, sort="-created_at")
    assert body.index("2026-03-05") < body.index("2026-03-01")


# --- field history -----------------------------------------------------------------------------


@pytest.fixture
def changes(regions: Any, make_user: Any) -> dict[str, Any]:
    admin = make_user("system_admin", None, username="admin1", full_name="管理员")
    staff = make_user("bureau_staff", "341181", username="wangwu", full_name="王五")
    rename("341181", "天长市（新）", staff, reason="更正名称")
    rename("341182", "明光市（新）", admin)
    item = CodeItem.objects.get(kind="industry", code="65")
    code_set_active(actor=admin, item=item, active=False)
    return {"admin": admin, "staff": staff, "item": item}


def test_history_actor_is_the_acting_user_without_a_request(changes: dict[str, Any]) -> None:
    latest = Region.objects.get(code="341181").history.first()
    assert latest.history_user == changes["staff"]
    assert latest.history_change_reason == "更正名称"
    assert latest.history_type == "~"


def test_history_list_scope(client: Any, changes: dict[str, Any], make_user: Any) -> None:
    leader = make_user("bureau_leader", "341181")
    client.force_login(leader)
    response = client.get(reverse("core:history_list"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "天长市（新）" in body and "王五" in body and "更正名称" in body and "修改" in body
    assert "明光市（新）" not in body
    assert "软件和信息技术服务业" not in body  # code tables need core.change_codeitem
    rows = list(history_list(user=leader)[0:100])
    assert all(r.key != "codeitem" for r in rows)
    assert {r.key for r in rows} >= {"region", "user"}
    client.force_login(changes["admin"])
    body = client.get(reverse("core:history_list")).content.decode()
    assert "明光市（新）" in body and "软件和信息技术服务业" in body


def test_history_list_filters(client: Any, changes: dict[str, Any], make_user: Any) -> None:
    client.force_login(changes["admin"])
    url = reverse("core:history_list")
    table = client.get(url, {"model": "codeitem"}).content.decode().split("<tbody>")[1]
    assert "软件和信息技术服务业" in table and "天长市（新）" not in table
    table = client.get(url, {"model": "region", "actor": "王五"}).content.decode().split("<tbody>")[1]
    assert "天长市（新）" in table and "明光市（新）" not in table
    table = client.get(url, {"region": "341182"}).content.decode().split("<tbody>")[1]
    assert "明光市（新）" in table and "天长市（新）" not in table and "软件" not in table
    table = client.get(url, {"date_from": "2099-01-01"}).content.decode().split("<tbody>")[1]
    assert "没有符合条件的记录" in table
    body = client.get(url, {"model": "nonsense", "type": "?"}).content.decode()
    assert "所选对象类型不存在。" in body and "所选变更类型不存在。" in body


def test_history_pagination_and_count(changes: dict[str, Any]) -> None:
    rows = history_list(user=changes["admin"], filters={"model": "region"})
    total = rows.count()
    assert total == Region.objects.count() + 2  # one creation per region, two renames
    first, second = rows[0:1], rows[1:2]
    assert first[0].date >= second[0].date


def test_history_export_escapes_formulas(client: Any, changes: dict[str, Any], make_user: Any) -> None:
    leader = make_user("bureau_leader", "341181")
    rename("341181", "=1+1", changes["staff"])
    client.force_login(leader)
    response = client.get(reverse("core:history_list"), {"model": "region", "export": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("时间", "操作人", "对象类型", "对象", "变更类型", "变更原因")
    objects = [r[3] for r in rows[1:]]
    assert "'=1+1（341181）" in objects
    assert not any(str(o).startswith("=") for o in objects)
    assert not any("341182" in str(o) for o in objects)


def test_history_detail_with_diff_and_compare(client: Any, changes: dict[str, Any], make_user: Any) -> None:
    leader = make_user("bureau_leader", "341181")
    rename("341181", "天长市", changes["admin"])
    client.force_login(leader)
    url = reverse("core:history_detail", args=["region", "341181"])
    response = client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count('data-testid="version"') == 3
    assert '<span class="diff-del">天长市（新）</span> → <span class="diff-add">天长市</span>' in body
    assert "名称" in body  # the verbose name, not "name"
    versions = list(Region.objects.get(code="341181").history.order_by("history_date", "history_id"))
    response = client.get(url, {"a": versions[0].history_id, "b": versions[1].history_id})
    body = response.content.decode()
    assert 'data-testid="compare-table"' in body
    assert '<td><span class="diff-del">天长市</span></td><td><span class="diff-add">天长市（新）</span></td>' in body
    assert "区划代码" in body  # unchanged fields are listed too
    response = client.get(url, {"a": versions[0].history_id, "b": "999999"})
    assert response.status_code == 400
    assert "请选择该记录的两个版本进行比较。" in response.content.decode()
    response = client.get(url, {"a": versions[0].history_id, "b": versions[0].history_id})
    assert "请选择两个不同的版本进行比较。" in response.content.decode()


def test_history_detail_404s(client: Any, changes: dict[str, Any], make_user: Any) -> None:
    leader = make_user("bureau_leader", "341181")
    client.force_login(leader)
    assert client.get(reverse("core:history_detail", args=["region", "341182"])).status_code == 404
    assert client.get(reverse("core:history_detail", args=["nonsense", "341181"])).status_code == 404
    assert client.get(reverse("core:history_detail", args=["region", "999999"])).status_code == 404
    assert client.get(reverse("core:history_detail", args=["user", "abc"])).status_code == 404
    item = changes["item"]
    assert client.get(reverse("core:history_detail", args=["codeitem", item.pk])).status_code == 404
    client.force_login(changes["admin"])
    response = client.get(reverse("core:history_detail", args=["codeitem", item.pk]))
    assert response.status_code == 200
    assert '<span class="diff-del">是</span> → <span class="diff-add">否</span>' in response.content.decode()


def test_user_history_never_shows_passwords(client: Any, changes: dict[str, Any]) -> None:
    client.force_login(changes["admin"])
    body = client.get(reverse("core:history_detail", args=["user", changes["staff"].pk])).content.decode()
    assert "王五" in body
    assert "argon2" not in body and "md5$" not in body
    assert ">密码</th>" not in body and ">上次登录</th>" not in body


def test_history_without_permission_is_403(client: Any, regions: Any, make_user: Any) -> None:
    client.force_login(make_user("bureau_staff", "341181"))
    assert client.get(reverse("core:history_list")).status_code == 403
    assert client.get(reverse("core:history_detail", args=["region", "341181"])).status_code == 403


# --- permission matrix -------------------------------------------------------------------------


def _make_log(code: str) -> OperationLog:
    return log_operation(actor=None, action="core.region_update", region=code, actor_repr="矩阵标记操作人" + code)


def _make_renamed_region(code: str) -> Region:
    region(code)
    return rename(code, "矩阵改名" + code, None)


ENDPOINTS = [
    Endpoint(
        "oplog list",
        perm="core.view_operationlog",
        detail=False,
        make=_make_log,
        url=lambda obj: reverse("core:oplog_list"),
        marker=lambda obj: obj.actor_repr,
    ),
    Endpoint(
        "history list",
        perm="core.view_operationlog",
        detail=False,
        make=_make_renamed_region,
        url=lambda obj: reverse("core:history_list"),
        marker=lambda obj: obj.name,
    ),
    Endpoint(
        "history detail",
        perm="core.view_operationlog",
        detail=True,
        make=_make_renamed_region,
        url=lambda obj: reverse("core:history_detail", args=["region", obj.code]),
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize("case", matrix_cases(ENDPOINTS), ids=str)
def test_permission_matrix(case: Any, client: Any) -> None:
    run_matrix_case(case, client)

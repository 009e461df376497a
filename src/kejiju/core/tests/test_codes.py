"""National code tables: shipped data, automatic loading, disable/enable (never delete)."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from kejiju.core.apps import load_code_tables
from kejiju.core.errors import BusinessError
from kejiju.core.models import CodeItem, OperationLog
from kejiju.core.services.codes import CODE_FILES, code_set_active, codes_load, load_code_file
from kejiju.core.testing.factories import UserFactory

SECTION_RANGES = {
    "A": (1, 5),
    "B": (6, 12),
    "C": (13, 43),
    "D": (44, 46),
    "E": (47, 50),
    "F": (51, 52),
    "G": (53, 60),
    "H": (61, 62),
    "I": (63, 65),
    "J": (66, 69),
    "K": (70, 70),
    "L": (71, 72),
    "M": (73, 75),
    "N": (76, 79),
    "O": (80, 82),
    "P": (83, 83),
    "Q": (84, 85),
    "R": (86, 90),
    "S": (91, 96),
    "T": (97, 97),
}


# --- shipped data ------------------------------------------------------------------------------


def test_industry_file_has_20_sections_and_97_divisions() -> None:
    data = load_code_file("industry")
    assert data["edition"] == "GB/T 4754-2017"
    sections = [i for i in data["items"] if i["level"] == 1]
    divisions = [i for i in data["items"] if i["level"] == 2]
    assert len(sections) == 20 and len(divisions) == 97
    assert [s["code"] for s in sections] == list("ABCDEFGHIJKLMNOPQRST")
    assert [d["code"] for d in divisions] == [f"{n:02d}" for n in range(1, 98)]
    for division in divisions:
        low, high = SECTION_RANGES[division["parent"]]
        assert low <= int(division["code"]) <= high, division
    names = {i["code"]: i["name"] for i in data["items"]}
    assert names["I"] == "信息传输、软件和信息技术服务业"
    assert names["58"] == "多式联运和运输代理业"
    assert names["65"] == "软件和信息技术服务业"
    assert names["73"] == "研究和试验发展"


def test_subject_file_has_62_first_level_subjects_in_five_groups() -> None:
    data = load_code_file("subject")
    assert data["edition"] == "GB/T 13745-2009"
    codes = [i["code"] for i in data["items"]]
    assert len(codes) == 62 == len(set(codes))
    assert all(len(c) == 3 and c.isdigit() for c in codes)
    assert [len(g["codes"]) for g in data["groups"]] == [9, 4, 6, 24, 19]
    assert sorted(c for g in data["groups"] for c in g["codes"]) == sorted(codes)
    names = {i["code"]: i["name"] for i in data["items"]}
    assert names["413"] == "信息与系统科学相关工程与技术"
    assert names["910"] == "统计学"
    assert "500" not in names


def test_hightech_file_has_the_8_fields() -> None:
    data = load_code_file("hightech_field")
    assert [(i["code"], i["name"]) for i in data["items"]] == [
        ("1", "电子信息"),
        ("2", "生物与新医药"),
        ("3", "航空航天"),
        ("4", "新材料"),
        ("5", "高技术服务"),
        ("6", "新能源与节能"),
        ("7", "资源与环境"),
        ("8", "先进制造与自动化"),
    ]


# --- loading -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_tables_are_loaded_after_migrate() -> None:
    assert CodeItem.objects.filter(kind="industry").count() == 117
    assert CodeItem.objects.filter(kind="industry", level=2).count() == 97
    assert CodeItem.objects.filter(kind="subject").count() == 62
    assert CodeItem.objects.filter(kind="hightech_field").count() == 8


@pytest.mark.django_db
def test_post_migrate_handler_fills_an_empty_table_only() -> None:
    CodeItem.objects.filter(kind="hightech_field").delete()  # test set-up only: the platform never deletes
    disabled = CodeItem.objects.get(kind="industry", code="16")
    disabled.is_active = False
    disabled.save()
    load_code_tables("default")
    assert CodeItem.objects.filter(kind="hightech_field").count() == 8
    assert CodeItem.objects.filter(kind="industry").count() == 117
    assert not CodeItem.objects.get(kind="industry", code="16").is_active  # never re-enabled
    log = OperationLog.objects.filter(action="core.code_load").latest("id")
    assert log.actor is None and log.actor_repr == "系统"
    assert log.extra["created"] == 8
    logs = OperationLog.objects.filter(action="core.code_load").count()
    load_code_tables("default")  # nothing empty: nothing written
    assert OperationLog.objects.filter(action="core.code_load").count() == logs


@pytest.mark.django_db
def test_codes_load_is_idempotent() -> None:
    assert codes_load(actor=None) == {"created": 0, "updated": 0}


@pytest.mark.django_db
def test_deeper_level_file_loads_in_tree_order(tmp_path: Path) -> None:
    path = tmp_path / "二级学科.json"
    path.write_text(
        json.dumps(
            {
                "edition": "GB/T 13745-2009",
                "items": [
                    {"code": "41320", "name": "信息安全技术", "parent": "413", "level": 2},
                    {"code": "4132010", "name": "密码学", "parent": "41320", "level": 3},
                ],
            },
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    out = io.StringIO()
    call_command("codes", "load", "--kind", "subject", "--file", str(path), stdout=out)
    assert "新增 2 条" in out.getvalue()
    codes = list(CodeItem.objects.filter(kind="subject").values_list("code", flat=True))
    assert codes[codes.index("413") + 1 : codes.index("413") + 3] == ["41320", "4132010"]


@pytest.mark.parametrize(
    ("items", "message"),
    [
        ([{"code": "99901", "name": "无上级", "parent": "999", "level": 2}], "上级代码 999 不存在"),
        (
            [
                {"code": "41320", "name": "甲", "parent": "413", "level": 2},
                {"code": "41320", "name": "乙", "parent": "413", "level": 2},
            ],
            "重复",
        ),
        ([{"code": "", "name": "无代码"}], "缺少代码或名称"),
        ([{"code": "41399", "name": "层级错", "parent": "413", "level": "二"}], "层级"),
    ],
)
@pytest.mark.django_db
def test_bad_file_changes_nothing(tmp_path: Path, items: list[dict[str, Any]], message: str) -> None:
    before = CodeItem.objects.count()
    path = tmp_path / "bad.json"
    # a valid first item, so that a later error proves nothing was written
    good = {"code": "11010", "name": "数学史", "parent": "110", "level": 2}
    path.write_text(
        json.dumps({"edition": "GB/T 13745-2009", "items": [good, *items]}, ensure_ascii=False), encoding="utf-8"
    )
    with pytest.raises(BusinessError) as info:
        codes_load(actor=None, kind="subject", extra_file=path)
    assert message in info.value.message and info.value.message.endswith("。")
    assert CodeItem.objects.count() == before


@pytest.mark.django_db
def test_bad_command_input_is_a_chinese_error(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    with pytest.raises(CommandError, match="不是有效的 JSON"):
        call_command("codes", "load", "--kind", "subject", "--file", str(broken))
    with pytest.raises(CommandError, match="须指明代码表"):
        call_command("codes", "load", "--file", str(broken))
    with pytest.raises(CommandError, match="不存在"):
        call_command("codes", "load", "--kind", "subject", "--file", str(tmp_path / "none.json"))


@pytest.mark.django_db
def test_list_command_prints_a_table() -> None:
    out = io.StringIO()
    call_command("codes", "list", "--kind", "hightech_field", stdout=out)
    text = out.getvalue()
    assert "1\t电子信息" in text and "共 8 条" in text
    assert len(CODE_FILES) == 3


# --- disable / enable --------------------------------------------------------------------------


def test_disable_and_enable_write_history_and_audit(client: Any, regions: Any, make_user: Any) -> None:
    admin = make_user("system_admin", None)
    item = CodeItem.objects.get(kind="industry", code="65")
    client.force_login(admin)
    url = reverse("core:code_set_active", args=[item.pk])
    response = client.post(url, {"active": "0"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert not item.is_active
    latest = item.history.first()
    assert latest.history_user == admin and latest.history_change_reason == "停用代码"
    assert latest.is_active is False
    log = OperationLog.objects.get(action="core.code_toggle")
    assert log.actor == admin and log.extra == {"kind": "industry", "code": "65", "active": False}
    # still listed, greyed, never deleted
    body = client.get(reverse("core:code_list"), {"kind": "industry", "q": "软件"}).content.decode()
    assert 'code-inactive" data-testid="code-65"' in body
    assert CodeItem.objects.filter(pk=item.pk).exists()
    client.post(url, {"active": "1"})
    item.refresh_from_db()
    assert item.is_active
    assert item.history.first().history_change_reason == "启用代码"
    assert OperationLog.objects.filter(action="core.code_toggle").count() == 2


def test_setting_the_same_state_writes_nothing(regions: Any, make_user: Any) -> None:
    admin = make_user("system_admin", None)
    item = CodeItem.objects.get(kind="subject", code="110")
    versions = item.history.count()
    code_set_active(actor=admin, item=item, active=True)
    assert item.history.count() == versions
    assert not OperationLog.objects.filter(action="core.code_toggle").exists()


def test_bad_active_value_changes_nothing(client: Any, regions: Any, make_user: Any) -> None:
    admin = make_user("system_admin", None)
    item = CodeItem.objects.get(kind="subject", code="110")
    client.force_login(admin)
    response = client.post(reverse("core:code_set_active", args=[item.pk]), {"active": "maybe"}, follow=True)
    assert "操作参数有误" in response.content.decode()
    item.refresh_from_db()
    assert item.is_active


def test_without_change_permission_is_403(client: Any, regions: Any, make_user: Any) -> None:
    staff = make_user("bureau_staff", "341181")
    item = CodeItem.objects.get(kind="industry", code="65")
    client.force_login(staff)
    assert client.post(reverse("core:code_set_active", args=[item.pk]), {"active": "0"}).status_code == 403
    item.refresh_from_db()
    assert item.is_active
    with pytest.raises(BusinessError):
        code_set_active(actor=staff, item=item, active=False)
    body = client.get(reverse("core:code_list")).content.decode()
    assert "停用</button>" not in body  # no buttons without the permission


def test_set_active_is_post_only_and_404_for_unknown(client: Any, regions: Any, make_user: Any) -> None:
    admin = make_user("system_admin", None)
    client.force_login(admin)
    item = CodeItem.objects.get(kind="industry", code="65")
    assert client.get(reverse("core:code_set_active", args=[item.pk])).status_code == 405
    assert client.post(reverse("core:code_set_active", args=[999999]), {"active": "0"}).status_code == 404


def test_code_list_tabs_search_and_permission(client: Any, regions: Any, make_user: Any) -> None:
    assert client.get(reverse("core:code_list")).status_code == 302  # anonymous → login
    nobody = UserFactory(region=regions["county"])
    client.force_login(nobody)
    assert client.get(reverse("core:code_list")).status_code == 403
    staff = make_user("bureau_staff", "341181")
    client.force_login(staff)
    body = client.get(reverse("core:code_list"), {"kind": "subject", "q": "统计"}).content.decode()
    assert "统计学" in body and "数学" not in body
    body = client.get(reverse("core:code_list"), {"kind": "hightech_field"}).content.decode()
    assert "先进制造与自动化" in body
    body = client.get(reverse("core:code_list"), {"kind": "nonsense"}).content.decode()
    assert "农、林、牧、渔业" in body  # unknown tab falls back to the first table

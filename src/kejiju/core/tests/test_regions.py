"""Regions (行政区划): loading a province, adding and importing towns and villages, the tree, the
detail and edit pages, the import pages and the ``kejiju regions`` command."""

from __future__ import annotations

import io
import json
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from kejiju.core import actions
from kejiju.core.errors import BusinessError
from kejiju.core.excel import write_workbook
from kejiju.core.models import OperationLog, Region
from kejiju.core.selectors import region_counters, region_counts_below
from kejiju.core.services.regions import (
    bureau_save,
    department_save,
    region_create,
    region_update,
    regions_import,
    regions_load_province,
)
from kejiju.core.testing.factories import UserFactory, region
from kejiju.core.testing.matrix import Endpoint, matrix_cases, run_matrix_case

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _snapshot() -> tuple[int, int]:
    return Region.objects.count(), OperationLog.objects.count()


def _xlsx(rows: list[list[Any]], headers: tuple[str, ...] = ("区划代码", "名称", "类型")) -> bytes:
    return write_workbook("区划", list(headers), rows)


# --- loading a province ---------------------------------------------------------------------


@pytest.mark.django_db
def test_load_province_34_creates_121_rows_and_is_idempotent():
    result = regions_load_province(actor=None, province_code="34")
    assert result == {"created": 121, "updated": 0, "total": 121}
    assert Region.objects.filter(code__startswith="34").count() == 121
    assert Region.objects.filter(level=2).count() == 1
    assert Region.objects.filter(level=4).count() == 16
    assert Region.objects.filter(level=6).count() == 104
    tianchang = Region.objects.get(code="341181")
    assert (tianchang.name, tianchang.parent_id, tianchang.kind) == ("天长市", "3411", "县级市")
    assert OperationLog.objects.filter(action=actions.REGION_LOAD, region_id="34").count() == 1

    again = regions_load_province(actor=None, province_code="340000")
    assert again == {"created": 0, "updated": 0, "total": 121}
    assert Region.objects.count() == 121


@pytest.mark.django_db
def test_load_province_restores_a_changed_name():
    regions_load_province(actor=None, province_code="34")
    Region.objects.filter(code="341181").update(name="改过的名字")
    assert regions_load_province(actor=None, province_code="34")["updated"] == 1
    assert Region.objects.get(code="341181").name == "天长市"


@pytest.mark.django_db
@pytest.mark.parametrize("code", ["99", "3", "abc", "３４", ""])
def test_load_unknown_province_writes_nothing(code):
    before = _snapshot()
    with pytest.raises(BusinessError) as exc:
        regions_load_province(actor=None, province_code=code)
    assert exc.value.field == "province"
    assert exc.value.message.endswith("。")
    assert _snapshot() == before


# --- creating towns and villages --------------------------------------------------------------


@pytest.mark.django_db
def test_create_town_and_village(regions, make_user):
    user = make_user("bureau_staff", "341181")
    town = region_create(actor=user, code="341181101", name=" 铜城镇 ", kind="镇")
    village = region_create(actor=user, code="341181101001", name="龙岗村", kind="村委会")
    assert (town.name, town.level, town.parent_id, town.source) == ("铜城镇", 9, "341181", "form")
    assert (village.level, village.parent_id) == (12, "341181101")
    logs = OperationLog.objects.filter(action=actions.REGION_CREATE).order_by("id")
    assert [(log.target_id, log.region_id, log.actor_id) for log in logs] == [
        ("341181101", "341181101", user.pk),
        ("341181101001", "341181101001", user.pk),
    ]
    assert town.history.first().history_user == user


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("code", "name", "kind", "field"),
    [
        ("34118110", "某镇", "镇", "code"),  # 8 digits
        ("3411811011", "某镇", "镇", "code"),  # 10 digits
        ("34118110a", "某镇", "镇", "code"),  # not digits
        ("３４１１８１１０１", "某镇", "镇", "code"),  # full-width digits
        ("341181000", "某镇", "镇", "code"),  # zero town part
        ("341182101", "某镇", "镇", "code"),  # another county: out of scope
        ("341181100", "重复街道", "街道", "code"),  # exists (fixture)
        ("341181199001", "某村", "村委会", "code"),  # parent town 341181199 missing
        ("341181101", "", "镇", "name"),  # empty name
        ("341181101", "   ", "镇", "name"),  # blank name
        ("341181101", "名" * 65, "镇", "name"),  # too long
        ("341181101", "某镇", "村委会", "kind"),  # village kind on a town code
    ],
)
def test_create_violations_store_nothing(regions, make_user, code, name, kind, field):
    user = make_user("bureau_staff", "341181")
    before = _snapshot()
    with pytest.raises(BusinessError) as exc:
        region_create(actor=user, code=code, name=name, kind=kind)
    assert exc.value.field == field
    assert exc.value.message.endswith("。")
    assert _snapshot() == before


@pytest.mark.django_db
def test_create_under_disabled_parent_is_refused(regions, make_user):
    user = make_user("bureau_staff", "341181")
    region_update(actor=user, region=regions["town"], name="天长街道", kind="街道", is_active=False)
    before = _snapshot()
    with pytest.raises(BusinessError, match="已停用"):
        region_create(actor=user, code="341181100002", name="新村", kind="村委会")
    assert _snapshot() == before


# --- editing -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_update_renames_disables_and_logs(regions, make_user):
    user = make_user("bureau_staff", "341181")
    updated = region_update(actor=user, region=regions["town"], name="天长街道办", kind="街道", is_active=False)
    assert (updated.name, updated.kind, updated.is_active) == ("天长街道办", "街道", False)
    log = OperationLog.objects.get(action=actions.REGION_UPDATE)
    assert log.extra["before"] == {"name": "天长街道", "kind": "", "is_active": True}
    # unchanged values write nothing
    region_update(actor=user, region=updated, name="天长街道办", kind="街道", is_active=False)
    assert OperationLog.objects.filter(action=actions.REGION_UPDATE).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "kind", "field"), [("", "街道", "name"), ("名" * 65, "", "name"), ("天长街道", "居委会", "kind")]
)
def test_update_violations_change_nothing(regions, make_user, name, kind, field):
    user = make_user("bureau_staff", "341181")
    before = _snapshot()
    with pytest.raises(BusinessError) as exc:
        region_update(actor=user, region=regions["town"], name=name, kind=kind, is_active=True)
    assert exc.value.field == field
    assert _snapshot() == before
    assert Region.objects.get(code="341181100").name == "天长街道"


@pytest.mark.django_db
def test_update_out_of_scope_is_refused(regions, make_user):
    user = make_user("bureau_staff", "341182")
    with pytest.raises(BusinessError):
        region_update(actor=user, region=regions["town"], name="改名", kind="", is_active=True)
    assert Region.objects.get(code="341181100").name == "天长街道"


# --- import service ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_import_happy_path_parents_first(regions, make_user):
    user = make_user("bureau_staff", "341181")
    rows = [
        {"区划代码": "341181101001", "名称": "龙岗村", "类型": "村委会"},  # parent comes later in the file
        {"区划代码": "341181101", "名称": "铜城镇", "类型": "镇"},
        {"区划代码": "", "名称": "", "类型": ""},  # blank row skipped
        {"区划代码": "341181100002", "名称": "新河社区", "类型": "居委会"},
    ]
    preview = regions_import(actor=user, rows=rows, commit=False, headers=["区划代码", "名称", "类型"])
    assert preview.ok and preview.rows == 3 and preview.created == 0
    assert [r["code"] for r in preview.to_create] == ["341181101", "341181101001", "341181100002"]
    assert not Region.objects.filter(code="341181101").exists()

    report = regions_import(actor=user, rows=rows, commit=True)
    assert report.as_dict() == {"ok": True, "rows": 3, "created": 3, "updated": 0, "errors": [], "warnings": []}
    assert Region.objects.get(code="341181101001").parent_id == "341181101"
    assert Region.objects.get(code="341181101").source == "import"
    log = OperationLog.objects.get(action=actions.REGION_IMPORT)
    assert log.batch_id is not None and log.extra["created"] == 3 and log.region_id == "341181"


@pytest.mark.django_db
def test_import_with_errors_changes_nothing_and_reports_row_and_column(regions, make_user):
    user = make_user("bureau_staff", "341181")
    rows = [
        {"区划代码": "341181101", "名称": "铜城镇", "类型": "镇"},  # row 2: fine
        {"区划代码": "34118110", "名称": "短码镇", "类型": "镇"},  # row 3: bad length
        {"区划代码": "341181102", "名称": "", "类型": "镇"},  # row 4: empty name
        {"区划代码": "341181101", "名称": "又一个", "类型": "镇"},  # row 5: repeats row 2
        {"区划代码": "341181100", "名称": "天长街道", "类型": "街道"},  # row 6: exists
        {"区划代码": "341182101", "名称": "外县镇", "类型": "镇"},  # row 7: out of scope
        {"区划代码": "341181188001", "名称": "孤村", "类型": "村委会"},  # row 8: no parent
        {"区划代码": "341181103", "名称": "错类型", "类型": "居委会"},  # row 9: kind mismatch
    ]
    before = _snapshot()
    report = regions_import(actor=user, rows=rows, commit=True)
    assert not report.ok and report.created == 0
    assert _snapshot() == before
    got = {(e["row"], e["column"]) for e in report.errors}
    assert got == {
        (3, "区划代码"),
        (4, "名称"),
        (5, "区划代码"),
        (6, "区划代码"),
        (7, "区划代码"),
        (8, "区划代码"),
        (9, "类型"),
    }
    by_row = {e["row"]: e for e in report.errors}
    assert "第 2 行重复" in by_row[5]["message"]
    assert by_row[3]["value"] == "34118110"
    assert "管辖范围" in by_row[7]["message"]
    assert "上级区划“341181188”不存在" in by_row[8]["message"]


@pytest.mark.django_db
def test_import_missing_columns_and_empty_file(regions, make_user):
    user = make_user("bureau_staff", "341181")
    report = regions_import(actor=user, rows=[{"代码": "341181101"}], headers=["代码", "名称"], commit=True)
    assert [(e["row"], e["column"]) for e in report.errors] == [(1, "区划代码")]
    empty = regions_import(actor=user, rows=[], headers=["区划代码", "名称", "类型"], commit=True)
    assert not empty.ok and "没有数据" in empty.errors[0]["message"]
    assert not OperationLog.objects.filter(action=actions.REGION_IMPORT).exists()


# --- counts ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_counts_below_one_query_per_counter(regions, django_assert_num_queries):
    town2 = region("341181101", "铜城镇")
    for code in ("341181100", "341181100001", "341181101", "341181"):
        UserFactory(region=Region.objects.get(code=code))
    UserFactory(region=regions["other_county"])
    nodes = [regions["county"], regions["town"], town2, regions["other_county"]]
    with django_assert_num_queries(len(region_counters())):  # 账号, 附件 and what other apps register
        counts = region_counts_below(nodes=nodes)
    assert counts["341181"]["users"] == 4
    assert counts["341181100"]["users"] == 2
    assert counts["341181101"]["users"] == 1
    assert counts["341182"]["users"] == 1
    assert counts["341181"]["attachments"] == 0


# --- pages -----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_tree_page_shows_counts_children_and_vintage(client, regions, make_user, settings):
    staff = make_user("bureau_staff", "341181")
    for _ in range(3):
        UserFactory(region=regions["town"])
    UserFactory(region=regions["other_county"])
    client.force_login(staff)
    response = client.get(reverse("core:region_tree"))
    assert response.status_code == 200
    body = response.content.decode()
    top = response.context["top"]
    assert top["region"].code == "341181"
    assert dict((c["label"], c["value"]) for c in top["counts"])["账号"] == 4  # three in the town + staff
    town = next(n for n in response.context["nodes"] if n["region"].code == "341181100")
    assert dict((c["label"], c["value"]) for c in town["counts"])["账号"] == 3
    assert town["children"] == 1
    assert "天长街道" in body and "明光市" not in body
    assert settings.KEJIJU_REGION_DATA_VINTAGE in body
    assert "新增乡镇/村" in body and "导入乡镇/村" in body
    assert f'hx-get="{reverse("core:region_tree")}?parent=341181100"' in body


@pytest.mark.django_db
def test_tree_buttons_hidden_without_permission(client, regions, make_user):
    client.force_login(make_user("bureau_leader", "341181"))
    body = client.get(reverse("core:region_tree")).content.decode()
    assert "天长街道" in body
    assert "新增乡镇/村" not in body and "导入乡镇/村" not in body


@pytest.mark.django_db
def test_tree_children_partial_and_scope(client, regions, make_user):
    client.force_login(make_user("bureau_staff", "341181"))
    url = reverse("core:region_tree")
    partial = client.get(url, {"parent": "341181100"}, HTTP_HX_REQUEST="true")
    assert partial.status_code == 200
    body = partial.content.decode()
    assert "测试村" in body and "<html" not in body
    assert client.get(url, {"parent": "341182"}, HTTP_HX_REQUEST="true").status_code == 404
    assert client.get(url, {"parent": "999999"}, HTTP_HX_REQUEST="true").status_code == 404
    plain = client.get(url, {"parent": "341181100"})
    assert plain.status_code == 302 and plain["Location"] == reverse("core:region_detail", args=["341181100"])


@pytest.mark.django_db
def test_tree_search_by_name_and_code_prefix(client, regions, make_user):
    client.force_login(make_user("bureau_staff", "341181"))
    url = reverse("core:region_tree")
    by_name = [n["region"].code for n in client.get(url, {"q": "测试村"}).context["results"]]
    assert by_name == ["341181100001"]
    by_code = [n["region"].code for n in client.get(url, {"q": "3411811"}).context["results"]]
    assert by_code == ["341181100", "341181100001"]
    assert client.get(url, {"q": "明光"}).context["results"] == []  # other county


@pytest.mark.django_db
def test_tree_whole_deployment_for_system_admin(client, regions, make_user):
    client.force_login(make_user("system_admin", None))
    response = client.get(reverse("core:region_tree"))
    assert response.status_code == 200
    assert response.context["top"]["region"].code == "34"
    assert [n["region"].code for n in response.context["nodes"]] == ["3411"]


@pytest.mark.django_db
def test_detail_page(client, regions, make_user):
    staff = make_user("bureau_staff", "341181")
    bureau = bureau_save(actor=None, region=regions["county"], name="天长市科学技术局", short_name="天科")
    department_save(actor=None, bureau=bureau, name="综合科")
    client.force_login(staff)
    response = client.get(reverse("core:region_detail", args=["341181"]))
    assert response.status_code == 200
    body = response.content.decode()
    for text in (
        "天长市",
        "县级",
        "天长街道",
        "天长市科学技术局",
        "综合科",
        "国家区划数据包",
        reverse("core:history_detail", kwargs={"model": "region", "pk": "341181"}),
        reverse("core:region_edit", args=["341181"]),
    ):
        assert text in body, text
    village = client.get(reverse("core:region_detail", args=["341181100001"]))
    crumbs = [a.code for a in village.context["ancestors"]]
    assert crumbs == ["341181", "341181100"]  # the chain stops at the user's region
    assert client.get(reverse("core:region_detail", args=["341182"])).status_code == 404
    assert client.get(reverse("core:region_detail", args=["3411"])).status_code == 404
    assert client.get(reverse("core:region_detail", args=["nonsense"])).status_code == 404


@pytest.mark.django_db
def test_detail_children_are_paginated(client, regions, make_user):
    for n in range(1, 56):
        region(f"341181100{n:03d}", f"分页村{n:03d}")
    client.force_login(make_user("bureau_staff", "341181"))
    url = reverse("core:region_detail", args=["341181100"])
    first = client.get(url)
    assert len(first.context["children"]) == 50 and first.context["page_obj"].paginator.count == 55
    assert len(client.get(url, {"page": 2}).context["children"]) == 5


@pytest.mark.django_db
def test_create_view_happy_path(client, regions, make_user):
    staff = make_user("bureau_staff", "341181")
    client.force_login(staff)
    url = reverse("core:region_create")
    assert client.get(url, {"parent": "341181"}).context["form"].initial["code"] == "341181"
    response = client.post(url, {"code": "341181101", "name": "铜城镇", "kind": "镇"})
    assert response.status_code == 302
    assert response["Location"] == reverse("core:region_detail", args=["341181101"])
    assert Region.objects.get(code="341181101").name == "铜城镇"
    assert OperationLog.objects.filter(action=actions.REGION_CREATE, actor=staff).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "field", "text"),
    [
        ({"code": "3411811", "name": "某镇", "kind": "镇"}, "code", "9 位"),
        ({"code": "34118110x", "name": "某镇", "kind": "镇"}, "code", "9 位"),
        ({"code": "341182101", "name": "某镇", "kind": "镇"}, "code", "管辖范围"),  # forged code of another county
        ({"code": "341181100", "name": "某镇", "kind": "镇"}, "code", "已存在"),
        ({"code": "341181177001", "name": "某村", "kind": "村委会"}, "code", "上级区划"),
        ({"code": "341181101", "name": "", "kind": "镇"}, "name", "请填写名称"),
        ({"code": "", "name": "", "kind": ""}, "code", "请填写区划代码"),
    ],
)
def test_create_view_errors_next_to_field(client, regions, make_user, data, field, text):
    client.force_login(make_user("bureau_staff", "341181"))
    before = _snapshot()
    response = client.post(reverse("core:region_create"), data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors and text in " ".join(errors[field])
    assert f'data-field="{field}"' in response.content.decode()
    assert _snapshot() == before


@pytest.mark.django_db
def test_create_view_needs_permission(client, regions, make_user):
    client.force_login(make_user("bureau_leader", "341181"))
    assert client.get(reverse("core:region_create")).status_code == 403
    assert client.post(reverse("core:region_create"), {"code": "341181101", "name": "x"}).status_code == 403
    assert not Region.objects.filter(code="341181101").exists()


@pytest.mark.django_db
def test_edit_view_scope_and_update(client, regions, make_user):
    region("341182100", "明光街道")
    staff = make_user("bureau_staff", "341181")
    client.force_login(staff)
    assert client.get(reverse("core:region_edit", args=["341182100"])).status_code == 404
    assert (
        client.post(
            reverse("core:region_edit", args=["341182100"]), {"name": "改名", "kind": "街道", "is_active": "on"}
        ).status_code
        == 404
    )
    assert Region.objects.get(code="341182100").name == "明光街道"

    url = reverse("core:region_edit", args=["341181100"])
    assert client.get(url).status_code == 200
    response = client.post(url, {"name": "天长街道办事处", "kind": "街道"})  # checkbox unticked: disable
    assert response.status_code == 302
    town = Region.objects.get(code="341181100")
    assert (town.name, town.kind, town.is_active) == ("天长街道办事处", "街道", False)
    assert OperationLog.objects.filter(action=actions.REGION_UPDATE, actor=staff).count() == 1

    bad = client.post(url, {"name": "", "kind": "街道", "is_active": "on"})
    assert bad.status_code == 200 and "请填写名称" in " ".join(bad.context["form"].errors["name"])
    assert Region.objects.get(code="341181100").name == "天长街道办事处"

    client.force_login(make_user("bureau_leader", "341181"))
    assert client.get(url).status_code == 403


# --- import pages ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_import_view_two_phase(client, regions, make_user):
    staff = make_user("bureau_staff", "341181")
    client.force_login(staff)
    url = reverse("core:region_import")
    assert client.get(url).status_code == 200
    upload = SimpleUploadedFile(
        "乡镇.xlsx", _xlsx([["341181101", "铜城镇", "镇"], ["341181101001", "龙岗村", "村委会"]]), content_type=XLSX
    )
    preview = client.post(url, {"file": upload})
    assert preview.status_code == 200
    assert preview.context["report"].ok
    token = preview.context["token"]
    assert token and "龙岗村" in preview.content.decode()
    assert not Region.objects.filter(code="341181101").exists()  # nothing written before confirming

    assert client.post(url, {"token": "forged"}).status_code == 302
    assert not Region.objects.filter(code="341181101").exists()

    done = client.post(url, {"token": token})
    assert done.status_code == 302 and done["Location"] == reverse("core:region_tree")
    assert Region.objects.filter(code__in=["341181101", "341181101001"]).count() == 2
    assert OperationLog.objects.filter(action=actions.REGION_IMPORT, actor=staff).count() == 1
    # the token is used up: a second confirm writes nothing more
    assert client.post(url, {"token": token}).status_code == 302
    assert OperationLog.objects.filter(action=actions.REGION_IMPORT).count() == 1


@pytest.mark.django_db
def test_import_view_errors_listed_nothing_written(client, regions, make_user):
    client.force_login(make_user("bureau_staff", "341181"))
    csv = "区划代码,名称,类型\n341181101,铜城镇,镇\n341182101,外县镇,镇\n12345,,镇\n".encode()
    before = _snapshot()
    response = client.post(reverse("core:region_import"), {"file": SimpleUploadedFile("a.csv", csv)})
    assert response.status_code == 200
    body = response.content.decode()
    assert not response.context["token"] and "确认导入" not in body
    assert "第 3 行" in body and "第 4 行" in body and "管辖范围" in body and "未写入任何数据" in body
    assert {(e["row"], e["column"]) for e in response.context["report"].errors} == {
        (3, "区划代码"),
        (4, "区划代码"),
        (4, "名称"),
    }
    assert _snapshot() == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content", "text"),
    [
        ("a.xlsx", b"this is not a workbook", "无法读取"),
        ("a.txt", b"x", "只支持"),
        ("a.csv", b"", "空"),
    ],
)
def test_import_view_unreadable_files(client, regions, make_user, name, content, text):
    client.force_login(make_user("bureau_staff", "341181"))
    before = _snapshot()
    response = client.post(reverse("core:region_import"), {"file": SimpleUploadedFile(name, content)})
    assert response.status_code == 200
    assert text in " ".join(response.context["form"].errors["file"])
    assert _snapshot() == before


@pytest.mark.django_db
def test_import_pages_need_permission(client, regions, make_user):
    client.force_login(make_user("bureau_leader", "341181"))
    assert client.get(reverse("core:region_import")).status_code == 403
    assert client.get(reverse("core:region_import_template")).status_code == 403


@pytest.mark.django_db
def test_import_template_download(client, regions, make_user):
    client.force_login(make_user("bureau_staff", "341181"))
    response = client.get(reverse("core:region_import_template"))
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["区划", "说明"]
    sheet = book["区划"]
    assert [c.value for c in sheet[1]] == ["区划代码", "名称", "类型"]
    lists = [dv for dv in sheet.data_validations.dataValidation if dv.type == "list"]
    assert len(lists) == 1 and str(lists[0].sqref).startswith("C2")
    assert lists[0].formula1 == '"镇,乡,街道,村委会,居委会"'
    example = [c.value for c in book["说明"][3]]
    assert example == ["341181101001", "示例村", "村委会"]


# --- command line ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_cli_load(capsys):
    call_command("regions", "load", "--province", "34")
    assert "新增 121 条" in capsys.readouterr().out
    call_command("regions", "load", "--province", "34")
    assert "新增 0 条" in capsys.readouterr().out
    with pytest.raises(CommandError, match="不存在"):
        call_command("regions", "load", "--province", "99")
    assert Region.objects.count() == 121


@pytest.mark.django_db
def test_cli_import_report_and_commit(tmp_path, regions, make_user):
    make_user("bureau_staff", "341181", username="tcstaff")
    source = tmp_path / "乡镇.xlsx"
    source.write_bytes(_xlsx([["341181101", "铜城镇", "镇"], ["341181101001", "龙岗村", ""]]))
    report = tmp_path / "report.json"
    before = _snapshot()
    call_command("regions", "import", str(source), "--report", str(report), "--user", "tcstaff")
    assert _snapshot() == before  # without --commit nothing is written
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["ok"] is True and data["rows"] == 2 and data["created"] == 0 and data["errors"] == []
    assert data["warnings"] == [{"row": 3, "column": "类型", "value": "", "message": "未填写类型。"}]
    assert set(data) == {"ok", "rows", "created", "updated", "errors", "warnings"}

    call_command("regions", "import", str(source), "--commit", "--report", str(report), "--user", "tcstaff")
    assert json.loads(report.read_text(encoding="utf-8"))["created"] == 2
    assert Region.objects.get(code="341181101001").parent_id == "341181101"
    log = OperationLog.objects.get(action=actions.REGION_IMPORT)
    assert log.actor.username == "tcstaff"


@pytest.mark.django_db
def test_cli_import_errors_exit_nonzero_and_write_nothing(tmp_path, regions, make_user):
    make_user("bureau_staff", "341181", username="tcstaff")
    source = tmp_path / "bad.csv"
    source.write_text("区划代码,名称,类型\n341181101,铜城镇,镇\n341182101,外县镇,镇\n", encoding="utf-8")
    report = tmp_path / "report.json"
    before = _snapshot()
    with pytest.raises(CommandError, match="1 处错误"):
        call_command("regions", "import", str(source), "--commit", "--report", str(report), "--user", "tcstaff")
    assert _snapshot() == before
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["ok"] is False and data["created"] == 0
    assert data["errors"] == [
        {"row": 3, "column": "区划代码", "value": "341182101", "message": "区划代码不在您的管辖范围内。"}
    ]


@pytest.mark.django_db
def test_cli_bad_input(tmp_path, regions):
    before = _snapshot()
    with pytest.raises(CommandError, match="不存在"):
        call_command("regions", "import", str(tmp_path / "missing.xlsx"))
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a workbook")
    with pytest.raises(CommandError, match="无法读取"):
        call_command("regions", "import", str(broken), "--commit")
    good = tmp_path / "good.csv"
    good.write_text("区划代码,名称,类型\n341181101,铜城镇,镇\n", encoding="utf-8")
    with pytest.raises(CommandError, match="账号"):
        call_command("regions", "import", str(good), "--commit", "--user", "nobody")
    with pytest.raises(CommandError, match="目录"):
        call_command("regions", "import", str(good), "--commit", "--report", str(tmp_path / "no" / "r.json"))
    assert _snapshot() == before


@pytest.mark.django_db
def test_cli_list(capsys, regions):
    call_command("regions", "list", "--under", "341181")
    out = capsys.readouterr().out
    assert "341181100\t天长街道" in out and "测试村" not in out and "共 1 条" in out
    call_command("regions", "list", "--under", "341181", "--all")
    assert "测试村" in capsys.readouterr().out
    with pytest.raises(CommandError, match="不存在"):
        call_command("regions", "list", "--under", "999999")


# --- permission matrix ------------------------------------------------------------------------------


def _make_town(code: str) -> Region:
    return region(f"{code}101", "矩阵测试镇")


ENDPOINTS = [
    Endpoint(
        "region_tree",
        perm="core.view_region",
        detail=False,
        make=_make_town,
        url=lambda obj: reverse("core:region_tree"),
        marker=lambda obj: obj.name,
    ),
    Endpoint(
        "region_detail",
        perm="core.view_region",
        make=_make_town,
        url=lambda obj: reverse("core:region_detail", args=[obj.code]),
    ),
    Endpoint(
        "region_edit",
        perm="core.change_region",
        make=_make_town,
        url=lambda obj: reverse("core:region_edit", args=[obj.code]),
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize("case", matrix_cases(ENDPOINTS), ids=str)
def test_permission_matrix(case, client):
    run_matrix_case(case, client)

"""The organizations import: the template, every error case (row, column, nothing written), create then
update, all-or-nothing, the CLI and its JSON report, .csv/.xls reading, the web flow end to end, and a
5,000-row file."""

from __future__ import annotations

import csv
import io
import json
import re
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from kejiju.core.importing import get_importer, run_import, template_workbook
from kejiju.core.models import OperationLog
from kejiju.engines.idcodes import make_credit_code
from kejiju.orgs.models import Organization, OrganizationAlias

pytestmark = pytest.mark.django_db

HEADERS = [
    "单位名称",
    "统一社会信用代码",
    "所属区划代码",
    "单位类型",
    "行业门类",
    "注册地址",
    "法定代表人",
    "联系人",
    "联系电话",
    "成立日期",
    "职工人数",
]
IMPORTER = get_importer("organizations")
DATA_DIR = Path(__file__).parent / "data"


def code(n: int) -> str:
    return make_credit_code(f"91341181MA{n:07d}")


def row(n: int, **overrides: str) -> list[str]:
    values = {
        "单位名称": f"天长市导入测试{n}有限公司",
        "统一社会信用代码": code(n),
        "所属区划代码": "341181",
        "单位类型": "企业",
        "行业门类": "C 制造业",
        "注册地址": "天长市千秋大道",
        "法定代表人": "张三",
        "联系人": "李四",
        "联系电话": "13912345678",
        "成立日期": "2019-05-01",
        "职工人数": "50",
    }
    values.update(overrides)
    return [values[h] for h in HEADERS]


def xlsx(rows: list[list[str]], headers: list[str] = HEADERS) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(headers)
    for r in rows:
        sheet.append(r)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows: list[list[str]], encoding: str) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADERS)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


@pytest.fixture
def staff(regions, make_user):
    return make_user("bureau_staff", "341181")


def validate(data: bytes, actor, filename: str = "单位.xlsx", commit: bool = False):
    return run_import(IMPORTER, data, filename, actor=actor, commit=commit)


# ------------------------------------------------------------------ template


def test_template_has_headers_and_drop_down_on_org_type(staff):
    book = load_workbook(io.BytesIO(template_workbook(IMPORTER)))
    sheet = book.worksheets[0]
    headers = [c.value for c in sheet[1]]
    assert headers == HEADERS
    type_col = "ABCDEFGHIJK"[HEADERS.index("单位类型")]
    validations = [dv for dv in sheet.data_validations.dataValidation if dv.type == "list"]
    on_type = [dv for dv in validations if any(str(r).startswith(f"{type_col}2") for r in dv.sqref.ranges)]
    assert on_type, "no drop-down on 单位类型"
    source = on_type[0].formula1
    codes = book["代码"]
    listed = [c.value for c in codes[type_col] if c.value]
    assert "企业" in listed and "农民专业合作社" in listed and type_col in source
    assert "说明" in book.sheetnames


# ------------------------------------------------------------------ error cases


@pytest.mark.parametrize(
    ("column", "value", "fragment"),
    [
        ("统一社会信用代码", "91110000600037341N", "校验位"),
        ("统一社会信用代码", "12345", "18 位"),
        ("所属区划代码", "341181999", "不存在"),
        ("所属区划代码", "341182", "管辖范围"),
        ("单位名称", "", "不能为空"),
        ("单位类型", "", "单位类型不能为空"),
        ("单位类型", "公司", "单位类型无效"),
        ("成立日期", "2020-02-30", "成立日期"),
        ("职工人数", "三十", "非负整数"),
        ("联系电话", "9999", "联系电话"),
    ],
)
def test_each_error_names_row_and_column_and_writes_nothing(staff, column, value, fragment):
    rows = [row(1), row(2, **{column: value}), row(3)]
    report = validate(xlsx(rows), staff, commit=True)
    assert not report.ok and not report.committed
    errors = report.as_dict()["errors"]
    assert len(errors) == 1, errors
    error = errors[0]
    assert error["row"] == 3 and error["column"] == column and error["value"] == value
    assert fragment in error["message"]
    assert Organization.objects.count() == 0
    assert not OperationLog.objects.filter(action="orgs.import").exists()


def test_duplicate_code_inside_the_file(staff):
    report = validate(xlsx([row(1), row(2), row(3, 统一社会信用代码=code(1))]), staff, commit=True)
    assert report.as_dict()["errors"] == [
        {"row": 4, "column": "统一社会信用代码", "value": code(1), "message": "统一社会信用代码与第 2 行重复。"}
    ]
    assert Organization.objects.count() == 0


def test_missing_required_column(staff):
    headers = [h for h in HEADERS if h != "单位类型"]
    report = validate(xlsx([[v for h, v in zip(HEADERS, row(1), strict=True) if h != "单位类型"]], headers), staff)
    assert report.errors == [
        {"row": 1, "column": "单位类型", "value": "", "message": "缺少必填列“单位类型”，请使用导入模板。"}
    ]


def test_unreadable_file(staff):
    report = validate(b"this is not a workbook", staff, filename="x.xlsx")
    assert not report.ok and "无法读取" in report.errors[0]["message"]


# ------------------------------------------------------------------ create, update, all or nothing


def test_good_file_creates_then_second_import_updates_and_keeps_former_name(staff):
    report = validate(xlsx([row(1), row(2)]), staff, commit=True)
    assert report.ok and report.committed and (report.created, report.updated) == (2, 0)
    org = Organization.objects.get(credit_code=code(1))
    assert org.industry_code == "C" and org.staff_count == 50 and org.region_id == "341181"
    assert org.history.first().history_user_id == staff.pk
    log = OperationLog.objects.get(action="orgs.import")
    assert log.batch_id is not None and log.extra["created"] == 2 and log.actor == staff

    from kejiju.orgs.services import organization_update

    organization_update(
        actor=staff,
        organization=org,
        data={
            **{
                f: getattr(org, f)
                for f in (
                    "name",
                    "credit_code",
                    "org_type",
                    "industry_code",
                    "contact_phone",
                    "founded_on",
                    "staff_count",
                )
            },
            "region": org.region_id,
            "main_products": "育秧机械",
        },
    )
    report = validate(xlsx([row(1, 单位名称="天长市改名后科技有限公司", 职工人数="60"), row(3)]), staff, commit=True)
    assert (report.created, report.updated) == (1, 1)
    org.refresh_from_db()
    assert org.name == "天长市改名后科技有限公司" and org.staff_count == 60
    assert org.main_products == "育秧机械"  # not a column of the sheet: left as it was
    assert OrganizationAlias.objects.filter(organization=org, name="天长市导入测试1有限公司", source="rename").exists()
    assert Organization.objects.count() == 3
    assert org.history.count() == 3


def test_one_bad_row_among_100_writes_nothing(staff):
    rows = [row(n) for n in range(1, 101)]
    rows[63] = row(64, 成立日期="2020/13/45")
    report = validate(xlsx(rows), staff, commit=True)
    assert report.rows == 100 and [e["row"] for e in report.errors] == [65]
    assert Organization.objects.count() == 0


def test_update_of_a_record_outside_scope_is_refused(regions, make_user, staff):
    other = make_user("bureau_staff", "341182")
    validate(xlsx([row(1, 所属区划代码="341182")]), other, commit=True)
    report = validate(xlsx([row(1)]), staff, commit=True)
    assert not report.ok and "管辖范围外" in report.errors[0]["message"]
    assert Organization.objects.get().region_id == "341182"


# ------------------------------------------------------------------ other file formats


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030"])
def test_csv_files(staff, encoding):
    report = validate(csv_bytes([row(1), row(2, 单位类型="农民专业合作社")], encoding), staff, "单位.csv", commit=True)
    assert report.ok, report.errors
    assert set(Organization.objects.values_list("name", flat=True)) == {
        "天长市导入测试1有限公司",
        "天长市导入测试2有限公司",
    }
    assert Organization.objects.get(credit_code=code(2)).org_type == "cooperative"


def test_xls_file(staff):
    """A legacy .xls (BIFF8, written by xlwt) with a number cell for a region code and a date cell."""
    data = (DATA_DIR / "organizations.xls").read_bytes()
    report = validate(data, staff, "organizations.xls", commit=True)
    assert report.ok, report.errors
    org = Organization.objects.get(name="天长市旧版表格科技有限公司")
    assert org.founded_on.isoformat() == "2019-05-01" and org.staff_count == 120
    assert Organization.objects.get(name="天长市稻香农民专业合作社").region_id == "341181100"


# ------------------------------------------------------------------ CLI


def test_cli_validates_only_and_writes_the_json_report(staff, tmp_path):
    path = tmp_path / "单位.xlsx"
    path.write_bytes(xlsx([row(1), row(2, 所属区划代码="341181999")]))
    report_path = tmp_path / "report.json"
    with pytest.raises(CommandError) as exc:
        call_command(
            "import",
            "organizations",
            str(path),
            "--report",
            str(report_path),
            "--user",
            staff.username,
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )
    assert exc.value.returncode == 1 and "未写入任何数据" in str(exc.value)
    report = json.loads(report_path.read_text(encoding="utf-8"))
    assert list(report) == ["ok", "rows", "created", "updated", "errors", "warnings"]
    assert report["ok"] is False and report["rows"] == 2 and report["created"] == 1 and report["updated"] == 0
    assert report["errors"] == [
        {"row": 3, "column": "所属区划代码", "value": "341181999", "message": "所属区划代码“341181999”不存在。"}
    ]
    assert all(set(w) == {"row", "column", "value", "message"} for w in report["warnings"])
    assert report["warnings"] and report["warnings"][0]["column"] == "统一社会信用代码"  # GB 11714 advice
    assert Organization.objects.count() == 0


def test_cli_without_commit_writes_nothing_and_with_commit_writes(staff, tmp_path):
    path = tmp_path / "单位.xlsx"
    path.write_bytes(xlsx([row(1), row(2)]))
    out = io.StringIO()
    call_command("import", "organizations", str(path), stdout=out)
    assert "未写入任何数据" in out.getvalue() and Organization.objects.count() == 0
    report_path = tmp_path / "r.json"
    out = io.StringIO()
    call_command(
        "import",
        "organizations",
        str(path),
        "--commit",
        "--user",
        staff.username,
        "--report",
        str(report_path),
        stdout=out,
    )
    assert Organization.objects.count() == 2 and "批次号" in out.getvalue()
    report = json.loads(report_path.read_text(encoding="utf-8"))
    assert report["ok"] is True and report["created"] == 2 and report["errors"] == []
    assert OperationLog.objects.get(action="orgs.import").actor == staff


def test_cli_bad_arguments(staff, tmp_path, make_user):
    with pytest.raises(CommandError, match="不存在或无法读取"):
        call_command("import", "organizations", str(tmp_path / "missing.xlsx"))
    path = tmp_path / "a.xlsx"
    path.write_bytes(xlsx([row(1)]))
    with pytest.raises(CommandError, match="未知的导入类型"):
        call_command("import", "nonsense", str(path))
    with pytest.raises(CommandError, match="不存在或已停用"):
        call_command("import", "organizations", str(path), "--user", "nobody")
    leader = make_user("bureau_leader", "341181")
    with pytest.raises(CommandError, match="没有"):
        call_command("import", "organizations", str(path), "--user", leader.username)
    assert Organization.objects.count() == 0


# ------------------------------------------------------------------ web flow


def _upload(client, data: bytes, name: str = "单位.xlsx"):
    return client.post(reverse("core:import_upload", args=["organizations"]), {"file": _named(data, name)})


def _named(data: bytes, name: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)


def test_web_flow_end_to_end(client, staff, settings, make_user):
    client.force_login(staff)
    # the menu entry, the template download
    upload_url = reverse("core:import_upload", args=["organizations"])
    page = client.get(upload_url)
    assert page.status_code == 200 and "单位导入" in page.content.decode()
    template = client.get(reverse("core:import_template", args=["organizations"]))
    assert template.status_code == 200
    assert [c.value for c in load_workbook(io.BytesIO(template.content)).worksheets[0][1]] == HEADERS

    # a file with errors: the preview lists them, the error workbook marks them, no commit possible
    response = _upload(client, xlsx([row(1), row(2, 统一社会信用代码="91110000600037341N"), row(3, 职工人数="x")]))
    assert response.status_code == 302
    preview_url = response["Location"]
    token = preview_url.rstrip("/").split("/")[-1]
    stored = Path(settings.KEJIJU_FILES_DIR) / "imports" / token
    assert (stored / "upload").exists()
    body = client.get(preview_url).content.decode()
    assert 'data-testid="import-errors"' in body and "第 3 行" in body and "第 4 行" in body and "校验位" in body
    assert 'data-testid="import-confirm"' not in body
    errors = client.get(reverse("core:import_errors", args=["organizations", token]))
    assert errors.status_code == 200
    sheet = load_workbook(io.BytesIO(errors.content)).active
    header = [c.value for c in sheet[1]]
    assert header[-1] == "错误说明"
    bad = sheet.cell(row=3, column=HEADERS.index("统一社会信用代码") + 1)
    assert bad.fill.fgColor.rgb.endswith("FFC7CE") and "校验位" in bad.comment.text
    assert "职工人数" in sheet.cell(row=4, column=len(header)).value
    refused = client.post(reverse("core:import_commit", args=["organizations", token]))
    assert refused.status_code == 302 and Organization.objects.count() == 0

    # a good file: preview with counts, commit, result page with the batch id
    response = _upload(client, xlsx([row(1), row(2)]))
    preview_url = response["Location"]
    token = preview_url.rstrip("/").split("/")[-1]
    body = client.get(preview_url).content.decode()
    assert 'data-testid="import-confirm"' in body and 'data-testid="count-created">2<' in body
    assert Organization.objects.count() == 0  # the preview writes nothing

    # another account cannot use the token
    other = make_user("bureau_staff", "341181")
    other_client = client.__class__()
    other_client.force_login(other)
    assert other_client.post(reverse("core:import_commit", args=["organizations", token])).status_code == 302
    assert Organization.objects.count() == 0

    response = client.post(reverse("core:import_commit", args=["organizations", token]))
    assert response.status_code == 302 and response["Location"].endswith("/result/")
    assert Organization.objects.count() == 2
    assert not (Path(settings.KEJIJU_FILES_DIR) / "imports" / token).exists()  # deleted after commit
    body = client.get(response["Location"]).content.decode()
    log = OperationLog.objects.get(action="orgs.import")
    assert 'data-testid="result-created">2 条' in body and str(log.batch_id) in body
    # a second click on the same token imports nothing more
    again = client.post(reverse("core:import_commit", args=["organizations", token]))
    assert again.status_code == 302 and Organization.objects.count() == 2


def test_web_upload_of_unreadable_file_answers_on_the_form(client, staff):
    client.force_login(staff)
    response = _upload(client, b"garbage", "x.xlsx")
    assert response.status_code == 400 and "无法读取" in response.content.decode()
    response = _upload(client, b"a,b\n", "x.txt")
    assert response.status_code == 400 and "只支持" in response.content.decode()
    headers_only = xlsx([], HEADERS[:2])
    response = _upload(client, headers_only)
    assert response.status_code == 400 and "缺少必填列" in response.content.decode()


def test_web_import_needs_the_permission(client, make_user, regions):
    leader = make_user("bureau_leader", "341181")
    client.force_login(leader)
    for name in ("core:import_upload", "core:import_template"):
        assert client.get(reverse(name, args=["organizations"])).status_code == 403
    assert client.get(reverse("core:import_upload", args=["nonsense"])).status_code == 404
    client.logout()
    assert client.get(reverse("core:import_upload", args=["organizations"])).status_code == 302


def test_5000_rows_validate_and_preview_quickly(client, staff):
    rows = [row(n, 单位名称=f"天长市批量测试单位{n}") for n in range(1, 5001)]
    rows[4321] = row(4322, 成立日期="不是日期")
    data = xlsx(rows)
    client.force_login(staff)
    started = time.monotonic()
    response = _upload(client, data)
    preview = client.get(response["Location"])
    elapsed = time.monotonic() - started
    body = preview.content.decode()
    assert preview.status_code == 200
    assert 'data-testid="count-rows">5000<' in body and 'data-testid="count-created">4999<' in body
    assert "第 4323 行" in body and 'data-testid="count-errors">1<' in body
    assert len(body) < 2_000_000  # only the first page of warnings is rendered (5,000 GB 11714 notes)
    warnings = int(re.search(r"共 (\d+) 条提示", body).group(1))  # GB 11714 advice on most generated codes
    assert warnings > 100 and body.count('<td class="text-nowrap">第 ') == 1 + 100  # the error + one page
    assert elapsed < 60, f"5,000 rows took {elapsed:.1f}s"
    assert Organization.objects.count() == 0


def test_pending_upload_expires_and_is_deleted(client, staff, settings, monkeypatch):
    client.force_login(staff)
    response = _upload(client, xlsx([row(1)]))
    token = response["Location"].rstrip("/").split("/")[-1]
    stored = Path(settings.KEJIJU_FILES_DIR) / "imports" / token
    assert stored.is_dir()
    # (patched by name: tests, like other apps, do not import core's views)
    monkeypatch.setattr("kejiju.core.views.imports.PENDING_TTL_SECONDS", -1)
    response = client.get(reverse("core:import_preview", args=["organizations", token]))
    assert response.status_code == 302 and response["Location"] == reverse("core:import_upload", args=["organizations"])
    assert not stored.exists()
    assert client.post(reverse("core:import_commit", args=["organizations", token])).status_code == 302
    assert Organization.objects.count() == 0


def test_upload_size_limit(client, staff, monkeypatch):
    monkeypatch.setattr("kejiju.core.views.imports.MAX_UPLOAD_BYTES", 100)
    client.force_login(staff)
    response = _upload(client, xlsx([row(1)]))
    assert response.status_code == 400 and "不能超过" in response.content.decode()


def test_blank_optional_cells_keep_stored_values_on_update(staff):
    """Bad input never loses data: re-importing a list with empty optional cells does not clear them."""
    assert validate(xlsx([row(1)]), staff, commit=True).created == 1
    report = validate(
        xlsx([row(1, 联系电话="", 职工人数="", 注册地址="", 单位名称="天长市导入测试一有限公司")]), staff, commit=True
    )
    assert report.ok and report.updated == 1
    org = Organization.objects.get(credit_code=code(1))
    assert org.name == "天长市导入测试一有限公司"  # a filled cell still updates
    assert (org.contact_phone, org.staff_count, org.address) == ("13912345678", 50, "天长市千秋大道")


def test_a_nul_character_in_any_cell_refuses_the_file_and_marks_the_cell(staff):
    """Every importer: a NUL in a cell (which PostgreSQL cannot store) is an error on that row and column,
    shown as ␀; nothing is written and the marked-up workbook opens."""
    from kejiju.core.importing import error_workbook

    data = csv_bytes([row(1), row(2, 单位名称="天长市\x00科技公司"), row(3)], "utf-8")
    report = validate(data, staff, filename="单位.csv", commit=True)
    assert not report.committed
    (error,) = report.as_dict()["errors"]
    assert (error["row"], error["column"], error["value"]) == (3, "单位名称", "天长市\u2400科技公司")
    assert "空字符" in error["message"]
    assert Organization.objects.count() == 0 and not OperationLog.objects.filter(action="orgs.import").exists()
    sheet = load_workbook(io.BytesIO(error_workbook(IMPORTER, data, "单位.csv", report))).active
    assert sheet.cell(row=3, column=HEADERS.index("单位名称") + 1).value == "天长市\u2400科技公司"

"""专家导入 (Excel, two-phase): the template, every row checked with row/column/reason, nothing stored when any
row is wrong, then all rows stored through the expert service (person registered, origin 导入, logged), and
the same through ``kejiju import experts``."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command
from openpyxl import Workbook, load_workbook

from kejiju.core.importing import get_importer, run_import, template_workbook
from kejiju.core.models import OperationLog
from kejiju.review.choices import ExpertOrigin, ExpertStatus
from kejiju.review.importers import FIELD_HEADERS
from kejiju.review.models import Expert
from kejiju.review.tests.factories import id_number, make_expert

pytestmark = pytest.mark.django_db

IMPORTER = get_importer("experts")
HEADERS = list(FIELD_HEADERS.values())


def row(name: str, number: str, **over: str) -> list[str]:
    values = {
        "姓名": name,
        "身份证号码": number,
        "所属区划代码": "341181",
        "工作单位": "滁州学院",
        "职称": "教授",
        "学科代码": "520,510",
        "行业": "制造业",
        "专长关键词": "嵌入式 物联网",
        "联系电话": "13912345678",
        "电子邮箱": "zj@example.cn",
        "开户名": name,
        "开户银行": "中国工商银行滁州分行",
        "银行账号": "6222 0213 1400 1234 567",
    }
    values.update(over)
    return [values[h] for h in HEADERS]


def xlsx(rows: list[list[str]]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADERS)
    for r in rows:
        sheet.append(r)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_template_has_the_columns() -> None:
    assert IMPORTER is not None
    sheet = load_workbook(io.BytesIO(template_workbook(IMPORTER))).worksheets[0]
    assert [c.value for c in sheet[1]][: len(HEADERS)] == HEADERS


def test_preview_then_commit(staff: Any) -> None:
    assert IMPORTER is not None
    data = xlsx([row("王建国", id_number()), row("李秀英", id_number(), 学科代码="210")])
    preview = run_import(IMPORTER, data, "专家.xlsx", actor=staff, commit=False)
    assert preview.ok and preview.created == 2 and not preview.committed
    assert not Expert.objects.exists()
    report = run_import(IMPORTER, data, "专家.xlsx", actor=staff, commit=True)
    assert report.committed
    experts = {e.name: e for e in Expert.objects.all()}
    assert set(experts) == {"王建国", "李秀英"}
    wang = experts["王建国"]
    assert wang.origin == ExpertOrigin.IMPORT and wang.status == ExpertStatus.ACTIVE
    assert wang.subjects == ["520", "510"] and wang.bank_account_no == "6222021314001234567"
    assert wang.person.name == "王建国"
    assert OperationLog.objects.filter(action="review.expert_import", batch_id=report.batch_id).exists()
    assert OperationLog.objects.filter(action="review.expert_create").count() == 2


def test_one_bad_row_stores_nothing(staff: Any) -> None:
    assert IMPORTER is not None
    known = make_expert(staff, name="赵已在")
    number = id_number()
    data = xlsx(
        [
            row("周正常", id_number()),
            row("吴学科", id_number(), 学科代码="999"),
            row("郑号码", "341181197001010000"),
            row("钱重复", number),
            row("孙重复", number),
            row("赵已在", known.person.id_number),
            row("冯区划", id_number(), 所属区划代码="350102"),
            row("", id_number()),
        ]
    )
    report = run_import(IMPORTER, data, "专家.xlsx", actor=staff, commit=True)
    assert not report.ok and not report.committed
    where = {(e["row"], e["column"]) for e in report.errors}
    assert (3, "学科代码") in where
    assert (4, "身份证号码") in where
    assert (6, "身份证号码") in where  # same number as row 5
    assert (7, "身份证号码") in where  # already in the pool
    assert (8, "所属区划代码") in where
    assert (9, "姓名") in where
    assert 2 not in {e["row"] for e in report.errors}
    assert all(e["message"] for e in report.errors)
    assert list(Expert.objects.values_list("name", flat=True)) == ["赵已在"]
    assert not OperationLog.objects.filter(action="review.expert_import").exists()


def test_command_line_import(staff: Any, tmp_path: Any) -> None:
    path = tmp_path / "专家.xlsx"
    path.write_bytes(xlsx([row("陈志强", id_number())]))
    out = io.StringIO()
    call_command("import", "experts", str(path), stdout=out)
    assert "未写入任何数据" in out.getvalue() and not Expert.objects.exists()
    call_command("import", "experts", str(path), "--commit", "--user", staff.username, stdout=io.StringIO())
    assert list(Expert.objects.values_list("name", flat=True)) == ["陈志强"]


def test_another_regions_person_is_never_named(staff: Any, make_user: Any) -> None:
    """A row carrying the ID number of a person registered in another county (here an expert there) is
    refused without disclosing that person's name; inside the region the name helps staff correct the row."""
    other = make_user("bureau_staff", "341182", username="review-other")
    far = make_expert(other, "341182", name="钱远方")
    near = make_expert(staff, name="孙近邻")
    data = xlsx([row("随便猜", far.person.id_number), row("孙近", near.person.id_number)])
    report = run_import(IMPORTER, data, "专家.xlsx", actor=staff, commit=False)
    messages = "\n".join(e["message"] for e in report.errors)
    assert "钱远方" not in messages and "不在您的管辖范围内" in messages
    assert "已登记为“孙近邻”" in messages

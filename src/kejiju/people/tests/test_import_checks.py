"""Talent and persons imports: a person of another region is refused by document number without their
name, subject codes are checked, registering a new person needs the right to add people, and a NUL
character in any cell is an error on its cell — each with nothing stored. The person pages' service
(``clean_person`` / ``person_ensure``) does not disclose another region's person either."""

from __future__ import annotations

import io

import pytest
import xlsxwriter

from kejiju.core.errors import RowErrors
from kejiju.core.importing import get_importer, run_import
from kejiju.core.models import OperationLog
from kejiju.core.testing.factories import UserFactory, grant_perms, region
from kejiju.people.models import Person, TalentMembership
from kejiju.people.services import person_create, person_ensure
from kejiju.people.tests.factories import category, id_number, make_person, person_data

pytestmark = pytest.mark.django_db

BASE = {"所属区划代码": "341181", "入选年度": "2025", "文件文号": "天科〔2025〕9号", "人才类别": "乡土人才"}


@pytest.fixture
def staff(regions, make_user):
    category()
    return make_user("bureau_staff", "341181")


@pytest.fixture
def stranger(regions, make_user):
    """A person registered by the neighbouring county."""
    other = make_user("bureau_staff", "341182")
    return make_person(other, name="邻县张三", region="341182", id_number=id_number(region6="341182"))


def _sheet(importer_name, rows):
    """An .xlsx upload (written as Excel stores control characters, so a NUL survives the round trip)."""
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True})
    sheet = book.add_worksheet()
    headers = get_importer(importer_name).headers()
    sheet.write_row(0, 0, headers)
    for r, row in enumerate(rows, start=1):
        for c, header in enumerate(headers):
            sheet.write_string(r, c, row.get(header, ""))
    book.close()
    return buf.getvalue()


def _csv(importer_name, rows):
    headers = get_importer(importer_name).headers()
    lines = [",".join(headers)] + [",".join(row.get(h, "") for h in headers) for row in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _talents(actor, rows, *, csv=False):
    importer = get_importer("talents")
    if csv:
        return run_import(importer, _csv("talents", rows), "talents.csv", actor=actor, commit=True)
    return run_import(importer, _sheet("talents", rows), "talents.xlsx", actor=actor, commit=True)


def _messages(report):
    return {(e["row"], e["column"]): e["message"] for e in report.errors}


def _counts():
    return Person.objects.count(), TalentMembership.objects.count(), OperationLog.objects.count()


def test_talent_import_does_not_disclose_another_regions_person(staff, stranger):
    before = _counts()
    report = _talents(staff, [{**BASE, "姓名": "随便写", "证件号码": stranger.id_number}])
    assert not report.committed
    messages = _messages(report)
    assert set(messages) == {(2, "证件号码")}
    assert "该证件号码的人员不在您的管辖范围内" in messages[(2, "证件号码")]
    assert "邻县张三" not in " ".join(e["message"] for e in report.errors)
    assert _counts() == before


def test_talent_import_checks_subject_codes(staff):
    before = _counts()
    report = _talents(staff, [{**BASE, "姓名": "新秀", "证件号码": id_number(), "学科代码": "210,999"}])
    assert not report.committed
    message = _messages(report)[(2, "学科代码")]
    assert "999" in message and "GB/T 13745" in message and "210" not in message
    assert _counts() == before
    # an existing person whose subjects are already filled: the code is checked all the same
    person = make_person(staff, name="老王")
    before = _counts()
    report = _talents(staff, [{**BASE, "姓名": "老王", "证件号码": person.id_number, "学科代码": "999"}])
    assert "999" in _messages(report)[(2, "学科代码")] and _counts() == before
    report = _talents(staff, [{**BASE, "姓名": "新秀", "证件号码": id_number(), "学科代码": "210，230"}])
    assert report.committed, report.errors
    assert Person.objects.get(name="新秀").subjects == ["210", "230"]


def test_registering_a_new_person_needs_the_add_permission(regions):
    category()
    clerk = UserFactory(region=region("341181"), username="clerk")
    grant_perms(clerk, "people.change_person", "people.view_person")
    owner = UserFactory(region=region("341181"), username="owner")
    grant_perms(owner, "people.add_person")
    known = make_person(owner, name="老李")
    before = _counts()
    rows = [
        {**BASE, "姓名": "老李", "证件号码": known.id_number},
        {**BASE, "姓名": "新人", "证件号码": id_number()},
    ]
    report = _talents(clerk, rows)
    assert not report.committed
    messages = _messages(report)
    assert set(messages) == {(3, "证件号码")}
    assert "新增人员" in messages[(3, "证件号码")] and "管辖范围" not in messages[(3, "证件号码")]
    assert _counts() == before
    report = _talents(clerk, rows[:1])
    assert report.committed, report.errors
    assert TalentMembership.objects.filter(person=known).count() == 1
    assert OperationLog.objects.filter(action="people.talent_import").count() == 1


@pytest.mark.parametrize("csv", [True, False])
def test_nul_in_a_talent_cell_is_an_error_on_its_cell(staff, csv):
    before = _counts()
    fresh = id_number()
    rows = [
        {**BASE, "姓名": "新秀", "证件号码": fresh, "文件文号": "天科\x00〔2025〕9号"},
        {**BASE, "姓名": "新人", "证件号码": id_number(), "备注": "a\x00b"},
    ]
    report = _talents(staff, rows, csv=csv)
    assert not report.committed
    messages = _messages(report)
    assert set(messages) == {(2, "文件文号"), (3, "备注")}
    assert all("含有空字符（NUL）" in m for m in messages.values())
    assert _counts() == before


def test_nul_in_a_persons_cell_is_an_error_on_its_cell(staff):
    before = _counts()
    row = {"姓名": "新\x00秀", "证件号码": id_number(), "所属区划代码": "341181", "职务": "站长"}
    importer = get_importer("persons")
    report = run_import(importer, _csv("persons", [row]), "persons.csv", actor=staff, commit=True)
    assert not report.committed
    assert "含有空字符（NUL）" in _messages(report)[(2, "姓名")]
    assert _counts() == before


def test_person_create_does_not_disclose_another_regions_person(staff, stranger):
    before = _counts()
    with pytest.raises(RowErrors) as exc:
        person_create(actor=staff, data=person_data(name="王五", id_number=stranger.id_number))
    message = " ".join(exc.value.errors["id_number"])
    assert "不在您的管辖范围内" in message and "邻县张三" not in message
    with pytest.raises(RowErrors) as exc:
        person_ensure(actor=staff, data={"name": "王五", "id_number": stranger.id_number, "region": "341181"})
    assert "邻县张三" not in " ".join(exc.value.errors["name"])
    assert _counts() == before
    # within the region the registered name still helps to find the typo
    mine = make_person(staff, name="刘洋")
    with pytest.raises(RowErrors) as exc:
        person_create(actor=staff, data=person_data(name="刘阳", id_number=mine.id_number))
    assert "刘洋" in exc.value.errors["id_number"][0]


def test_person_create_checks_subject_codes(staff):
    with pytest.raises(RowErrors) as exc:
        person_create(actor=staff, data=person_data(subjects="210, 999"))
    assert exc.value.errors["subjects"] == ["学科代码“999”不在《学科分类与代码》（GB/T 13745）中。"]
    assert Person.objects.count() == 0

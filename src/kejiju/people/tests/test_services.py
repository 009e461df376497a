"""Person services: create, update, archive, ensure — rules, audit rows, and no change on failure."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kejiju.core.errors import BusinessError, RowErrors
from kejiju.core.models import OperationLog
from kejiju.engines.idcodes import id_check_char, make_id_number
from kejiju.people.models import Person
from kejiju.people.selectors import person_by_document, person_get, person_list
from kejiju.people.services import (
    check_person_id,
    clean_person,
    person_archive,
    person_create,
    person_ensure,
    person_update,
)
from kejiju.people.tests.factories import id_number, make_person, person_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(regions, make_user):
    return make_user("bureau_staff", "341181")


@pytest.fixture
def leader(regions, make_user):
    return make_user("bureau_leader", "341181")


def test_create_derives_birth_date_and_gender_and_logs(staff):
    number = make_id_number("341181", date(1979, 2, 3), 123)
    person = person_create(actor=staff, data=person_data(name="李华", id_number=number.lower()))
    assert person.id_number == number
    assert person.birth_date == date(1979, 2, 3) and person.gender == "male"
    assert person.name_initials.strip() and "lh" in person.name_initials
    assert OperationLog.objects.filter(action="people.create", target_id=str(person.pk), actor=staff).exists()
    assert person.history.first().history_user_id == staff.pk


def test_create_upgrades_a_fifteen_digit_number(staff):
    first17 = "341181" + "19800101" + "012"
    legacy = "341181800101012"
    person = person_create(actor=staff, data=person_data(id_number=legacy))
    assert person.id_number == first17 + id_check_char(first17)


def test_passport_is_kept_as_typed(staff):
    person = person_create(
        actor=staff, data=person_data(name="John Smith", id_type="passport", id_number=" e1234 5678 ", gender="male")
    )
    assert person.id_number == "E12345678" and person.birth_date is None and person.gender == "male"


@pytest.mark.parametrize(
    "field,value,fragment",
    [
        ("name", "", "姓名不能为空"),
        ("name", "张" * 41, "40"),
        ("id_number", "", "不能为空"),
        ("id_number", "34118119850615001", "18 位"),
        ("id_number", "341181198506150010", "校验位"),
        ("id_number", "341181198502300012", "出生日期"),
        ("id_number", "34118A198506150012", "前 17 位"),
        ("id_type", "idcard", "证件类型无效"),
        ("region", "999999", "不存在"),
        ("region", "", "不能为空"),
        ("phone", "9999", "联系电话"),
        ("email", "not-an-email", "电子邮箱"),
        ("education", "phd", "最高学历无效"),
        ("title_level", "top", "职称级别无效"),
        ("keywords", "字" * 301, "300"),
    ],
)
def test_create_rule_violations_change_nothing(staff, field, value, fragment):
    with pytest.raises(RowErrors) as exc:
        person_create(actor=staff, data=person_data(**{field: value}))
    assert field in exc.value.errors, exc.value.errors
    assert fragment in "".join(exc.value.errors[field])
    assert Person.objects.count() == 0
    assert not OperationLog.objects.filter(action="people.create").exists()


@pytest.mark.parametrize("value", ["E12", "E1234567890123456789012", "E123-456", "护照123456"])
def test_bad_passport_numbers(staff, value):
    with pytest.raises(RowErrors) as exc:
        person_create(actor=staff, data=person_data(id_type="passport", id_number=value))
    assert "5 至 20 位" in exc.value.errors["id_number"][0]
    assert Person.objects.count() == 0


def test_duplicate_id_number_is_refused(staff):
    first = make_person(staff, name="王芳")
    with pytest.raises(RowErrors) as exc:
        person_create(actor=staff, data=person_data(name="王芳", id_number=first.id_number))
    assert "已登记为“王芳”" in exc.value.errors["id_number"][0]
    assert Person.objects.count() == 1


def test_same_number_different_document_type_is_another_person(staff):
    make_person(staff, id_type="passport", id_number="G12345678")
    other = make_person(staff, id_type="hmt", id_number="G12345678")
    assert other.pk and Person.objects.count() == 2


def test_hand_given_birth_date_is_overridden_by_the_id_number(staff):
    number = make_id_number("341181", date(1990, 1, 1), 2)
    person = person_create(actor=staff, data=person_data(id_number=number, birth_date="1970-01-01", gender="male"))
    assert person.birth_date == date(1990, 1, 1) and person.gender == "female"


def test_create_requires_permission_and_scope(regions, make_user, leader):
    with pytest.raises(BusinessError) as exc:
        person_create(actor=leader, data=person_data())
    assert exc.value.code == "forbidden"
    other = make_user("bureau_staff", "341182")
    with pytest.raises(BusinessError) as exc:
        person_create(actor=other, data=person_data(region="341181"))
    assert exc.value.code == "out_of_scope"
    assert Person.objects.count() == 0


def test_update_changes_only_given_fields_and_logs(staff):
    person = make_person(staff, name="赵强")
    person_update(actor=staff, person=person, data={"phone": "0550-7012345", "title": "研究员"})
    person.refresh_from_db()
    assert person.phone == "0550-7012345" and person.title == "研究员" and person.name == "赵强"
    log = OperationLog.objects.get(action="people.update", target_id=str(person.pk))
    assert sorted(log.extra["fields"]) == ["phone", "title"]


def test_update_without_change_writes_no_log(staff):
    person = make_person(staff)
    person_update(actor=staff, person=person, data={"title": person.title})
    assert not OperationLog.objects.filter(action="people.update").exists()


def test_update_to_a_taken_number_changes_nothing(staff):
    a = make_person(staff, name="甲")
    b = make_person(staff, name="乙")
    with pytest.raises(RowErrors):
        person_update(actor=staff, person=b, data={"id_number": a.id_number, "phone": "13900000000"})
    b.refresh_from_db()
    assert b.phone == "13805501234"


def test_update_out_of_scope_region_refused(staff):
    person = make_person(staff)
    with pytest.raises(BusinessError) as exc:
        person_update(actor=staff, person=person, data={"region": "341182"})
    assert exc.value.code == "out_of_scope"


def test_archive_and_restore(staff):
    person = make_person(staff)
    person_archive(actor=staff, person=person)
    person.refresh_from_db()
    assert person.is_archived
    assert person_list(user=staff).count() == 0
    assert person_get(user=staff, pk=person.pk) == person
    person_archive(actor=staff, person=person, archived=False)
    assert OperationLog.objects.filter(action="people.archive").count() == 2


def test_archive_requires_permission(staff, leader):
    person = make_person(staff)
    with pytest.raises(BusinessError):
        person_archive(actor=leader, person=person)
    person.refresh_from_db()
    assert not person.is_archived


# ------------------------------------------------------------------ person_ensure


def test_ensure_creates_then_reuses(staff):
    data = person_data(name="陈静", phone="")
    first = person_ensure(actor=staff, data=data)
    again = person_ensure(actor=staff, data={**data, "phone": "13911112222"})
    assert first.pk == again.pk and Person.objects.count() == 1
    again.refresh_from_db()
    assert again.phone == "13911112222"  # a blank field is filled


def test_ensure_keeps_existing_values(staff):
    person = make_person(staff, name="刘洋", phone="13800001111")
    same = person_ensure(actor=staff, data={"name": "刘洋", "id_number": person.id_number, "phone": "13999999999"})
    same.refresh_from_db()
    assert same.phone == "13800001111"


def test_ensure_with_a_different_name_is_an_error(staff):
    person = make_person(staff, name="刘洋")
    with pytest.raises(RowErrors) as exc:
        person_ensure(actor=staff, data={"name": "刘阳", "id_number": person.id_number})
    assert "不一致" in exc.value.errors["name"][0]
    assert Person.objects.count() == 1


@pytest.mark.parametrize("value", ["", "123", "341181198506150010"])
def test_ensure_with_a_bad_number_changes_nothing(staff, value):
    with pytest.raises(RowErrors) as exc:
        person_ensure(actor=staff, data=person_data(id_number=value))
    assert "id_number" in exc.value.errors
    assert Person.objects.count() == 0


def test_ensure_does_not_need_the_add_permission(leader, staff):
    person = person_ensure(actor=leader, data=person_data())
    assert person.pk


def test_ensure_passport(staff):
    a = person_ensure(actor=staff, data=person_data(id_type="passport", id_number="p1234567", name="Anna"))
    b = person_ensure(actor=staff, data={"id_type": "passport", "id_number": "P1234567", "name": "Anna"})
    assert a.pk == b.pk


def test_by_document(staff):
    person = make_person(staff)
    assert person_by_document(person.id_number.lower()) == person
    assert person_by_document(person.id_number, "passport") is None


def test_clean_person_never_writes(staff):
    result = clean_person(person_data())
    assert not result.errors and Person.objects.count() == 0


def test_masked_id_number(staff):
    person = make_person(staff)
    masked = person.masked_id_number
    assert masked[:4] == person.id_number[:4] and masked[-4:] == person.id_number[-4:] and "*" * 10 in masked


# ------------------------------------------------------------------ hypothesis on ID numbers


@settings(max_examples=200, deadline=None)
@given(
    birth=st.dates(min_value=date(1900, 1, 1), max_value=date(2020, 12, 31)),
    seq=st.integers(min_value=0, max_value=999),
)
def test_every_generated_number_is_valid_and_derives_its_birth_date(birth, seq):
    number = make_id_number("341181", birth, seq)
    value, errors, details = check_person_id("resident", number)
    assert not errors and value == number
    assert details["birth_date"] == birth.isoformat()
    assert details["sex"] == ("男" if seq % 2 else "女")


@settings(max_examples=200, deadline=None)
@given(
    birth=st.dates(min_value=date(1900, 1, 1), max_value=date(2020, 12, 31)),
    seq=st.integers(min_value=0, max_value=999),
    wrong=st.sampled_from("0123456789X"),
)
def test_any_other_check_character_is_rejected(birth, seq, wrong):
    number = make_id_number("341181", birth, seq)
    if wrong == number[-1]:
        return
    _value, errors, _ = check_person_id("resident", number[:-1] + wrong)
    assert any("校验位" in e for e in errors)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=30))
def test_check_person_id_never_raises(raw):
    for id_type in ("resident", "passport", "hmt"):
        value, errors, _ = check_person_id(id_type, raw)
        assert isinstance(value, str) and isinstance(errors, list)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seq=st.integers(min_value=0, max_value=999))
def test_create_with_generated_numbers_is_unique(staff, seq):
    number = id_number(sequence=seq)
    existing = Person.objects.filter(id_number=number).first()
    if existing is None:
        person_create(actor=staff, data=person_data(id_number=number))
    else:
        with pytest.raises(RowErrors):
            person_create(actor=staff, data=person_data(id_number=number))
    assert Person.objects.filter(id_number=number).count() == 1

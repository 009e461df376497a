"""GB 32100 and GB 11643 validators against the spec's vectors, plus property tests."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kejiju.engines.idcodes import (
    USCC_CHARSET,
    check_credit_code,
    check_id_number,
    make_credit_code,
    make_id_number,
    make_org_code,
    uscc_check_char,
)

VALID_USCC = [
    "91110000600037341L",
    "91620105L015101280",  # S mod 31 = 0 → check '0'
    "121200004013590816",
    "12440300MB2C92173E",
    "91330100MA27YTKRXE",
    "91330000143853115H",
    "91130400104365768G",
    "91310000703010619L",
]


@pytest.mark.parametrize("code", VALID_USCC)
def test_valid_credit_codes(code):
    result = check_credit_code(code)
    assert result.ok, result.errors


def test_credit_code_wrong_check():
    result = check_credit_code("91110000600037341N")
    assert not result.ok
    assert "校验位" in result.errors[0] and "L" in result.errors[0]


def test_credit_code_bad_characters():
    result = check_credit_code("9111000060003IOZSV")
    assert not result.ok and "不允许的字符" in result.errors[0]


def test_credit_code_normalisation():
    assert check_credit_code(" 9111-0000 6000 37341l ").value == "91110000600037341L"


def test_credit_code_length_and_empty():
    assert "18 位" in check_credit_code("9111").errors[0]
    assert "不能为空" in check_credit_code("").errors[0]


def test_authority_and_category():
    bad_authority = make_credit_code("B1110000600037341")
    assert any("登记管理部门" in e for e in check_credit_code(bad_authority).errors)
    bad_category = make_credit_code("9411000060003734X")
    assert any("机构类别" in e for e in check_credit_code(bad_category).errors)


@pytest.mark.parametrize("first", ["A1", "N2", "Y1"])
def test_letter_authorities_are_valid(first):
    # python-stdnum wrongly rejects these; the standard allows them
    code = make_credit_code(first + "341181" + make_org_code("MA2T3K4P"))
    assert check_credit_code(code).ok


def test_org_code_check_is_warning_only():
    good = make_org_code("MA2T3K4P")
    wrong = good[:8] + ("1" if good[8] != "1" else "2")  # wrong GB 11714 check at position 17
    result = check_credit_code(make_credit_code("91341181" + wrong))
    assert result.ok
    assert result.warnings and "GB 11714" in result.warnings[0]
    assert not check_credit_code(make_credit_code("91341181" + good)).warnings


@given(st.text(alphabet=USCC_CHARSET, min_size=17, max_size=17))
def test_any_body_with_its_check_char_passes_the_checksum(body):
    code = body + uscc_check_char(body)
    result = check_credit_code(code)
    assert not any("校验位错误" in e for e in result.errors)


@given(st.text(alphabet=USCC_CHARSET, min_size=17, max_size=17), st.sampled_from(USCC_CHARSET))
def test_a_single_changed_check_char_fails(body, other):
    right = uscc_check_char(body)
    if other != right:
        assert any("校验位错误" in e for e in check_credit_code(body + other).errors)


ID_VECTORS = [
    ("11010519491231002X", True, "女"),
    ("440524188001010014", True, "男"),
    ("360426199101010071", True, None),
    ("44011320141005001x", True, None),
    ("110105194912310070", True, None),
]


@pytest.mark.parametrize("number,ok,sex", ID_VECTORS)
def test_id_vectors(number, ok, sex):
    result = check_id_number(number)
    assert result.ok is ok, result.errors
    if sex:
        assert result.details["sex"] == sex


def test_id_invalid_date():
    result = check_id_number("110105194902300010")
    assert not result.ok and "出生日期" in result.errors[0]


def test_id_future_birth_date():
    number = make_id_number("341181", date(2030, 1, 1), 11)
    assert not check_id_number(number, today=date(2026, 11, 23)).ok


def test_id_legacy_15_upgraded():
    result = check_id_number("110105491231002")
    assert result.ok
    assert result.value == "11010519491231002X"
    assert result.warnings


def test_id_wrong_check_and_length():
    assert "校验位" in check_id_number("110105194912310071").errors[0]
    assert "18 位" in check_id_number("1101051949").errors[0]


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2020, 12, 31)), st.integers(0, 999))
def test_generated_ids_are_valid(birth, seq):
    assert check_id_number(make_id_number("341181", birth, seq)).ok

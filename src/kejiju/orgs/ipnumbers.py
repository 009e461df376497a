"""Shapes and check digits of Chinese IP numbers (pure Python, no Django).

* Patent application numbers (专利申请号, since 2003): 4-digit year + type digit (1 invention, 2 utility
  model, 3 design, 8 PCT invention entering China, 9 PCT utility model) + 7-digit serial, then a dot and the
  check digit: 202320123456.1, often written with the ``ZL`` prefix of a granted patent. Before 2003 the
  number had 8 digits (2-digit year + type + 5-digit serial).
* The check digit: multiply the digits left to right by the weights 2, 3, 4, 5, 6, 7, 8, 9 (repeating),
  sum, take the remainder modulo 11; a remainder of 10 is written ``X``.
* Software copyright registration numbers (软件著作权登记号): year + ``SR`` + 6 or 7 digits
  (2023SR0123456).
* Plant variety rights (植物新品种权申请号): ``CNA`` + year + serial, optionally with a check part
  (CNA20191234.5); other types only need a non-empty number.
"""

from __future__ import annotations

import re

PATENT_TYPES = {"invention": ("1", "8"), "defense_patent": ("1", "8"), "utility": ("2", "9"), "design": ("3",)}

_PATENT = re.compile(r"^(?:ZL)?(?P<body>\d{4}[12389]\d{7}|\d{2}[12389]\d{5})\.?(?P<check>[0-9X])$")
_SOFTWARE = re.compile(r"^\d{4}SR\d{6,7}$")
_PLANT = re.compile(r"^CNA\d{6,12}(?:\.[0-9X])?$")

WEIGHTS = (2, 3, 4, 5, 6, 7, 8, 9)


def patent_check_digit(body: str) -> str:
    """The check digit of a patent application number's digits (8 or 12 of them)."""
    total = sum(int(c) * WEIGHTS[i % 8] for i, c in enumerate(body))
    rest = total % 11
    return "X" if rest == 10 else str(rest)


def make_patent_number(year: int, type_digit: str, serial: int) -> str:
    """A valid application number (202320123456.1) from its parts (demo data, tests)."""
    body = f"{year:04d}{type_digit}{serial:07d}"
    return f"{body}.{patent_check_digit(body)}"


def normalize_ip_number(number: str) -> str:
    """Upper case without spaces; full-width dots and ``ZL`` prefixes kept as typed (checked later)."""
    return re.sub(r"\s+", "", number or "").replace("．", ".").replace("。", ".").upper()


def check_number(ip_type: str, number: str) -> str | None:
    """A Chinese reason when ``number`` does not fit ``ip_type``, else ``None``; ``number`` normalized."""
    if ip_type in PATENT_TYPES:
        match = _PATENT.match(number)
        if not match:
            return "专利申请号“%(n)s”格式不正确，应为 12 位数字加校验位，如 202320123456.1。" % {"n": number}
        body, check = match.group("body"), match.group("check")
        type_digit = body[4] if len(body) == 12 else body[2]
        if type_digit not in PATENT_TYPES[ip_type]:
            return (
                "专利申请号“%(n)s”第 %(p)s 位为“%(d)s”，与所选类型不符（发明为 1/8，实用新型为 2/9，外观设计为 3）。"
                % {
                    "n": number,
                    "p": 5 if len(body) == 12 else 3,
                    "d": type_digit,
                }
            )
        expected = patent_check_digit(body)
        if check != expected:
            return "专利申请号“%(n)s”校验位错误，按号码计算应为“%(c)s”。" % {"n": number, "c": expected}
        return None
    if ip_type == "software" and not _SOFTWARE.match(number):
        return "软件著作权登记号“%(n)s”格式不正确，应如 2023SR0123456。" % {"n": number}
    if ip_type == "plant_variety" and not _PLANT.match(number):
        return "植物新品种权申请号“%(n)s”格式不正确，应如 CNA20191234.5。" % {"n": number}
    return None


def canonical_number(ip_type: str, number: str) -> str:
    """The stored form: normalized, and for a valid patent number without ``ZL`` and with the dot, so that
    ZL202320123456.1 and 2023201234561 are found as the same (duplicate) patent."""
    number = normalize_ip_number(number)
    if ip_type in PATENT_TYPES:
        match = _PATENT.match(number)
        if match:
            return f"{match.group('body')}.{match.group('check')}"
    return number

"""National identifier validators: 统一社会信用代码 (GB 32100-2015) and 公民身份号码 (GB 11643-1999).

Rules restated in the project's official-rules spec §3 and §4. Both validators normalise (strip spaces and
hyphens, upper-case) and return a result with the normalised value, errors (Chinese, each a reason that
makes the value invalid) and warnings (Chinese, worth a look but not a rejection).

Checked against the spec's test vectors; before going live for a bureau, confirm against the standard text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

# --- GB 32100-2015 -------------------------------------------------------------------------------

USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_VALUES = {c: i for i, c in enumerate(USCC_CHARSET)}
USCC_WEIGHTS = [pow(3, i, 31) for i in range(17)]  # 1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28

#: Registering authority (position 1) → (name, allowed category codes at position 2 → name).
USCC_AUTHORITIES: dict[str, tuple[str, dict[str, str]]] = {
    "1": ("机构编制", {"1": "机关", "2": "事业单位", "3": "中央编办直接管理机构编制的群众团体", "9": "其他"}),
    "2": ("外交", {"1": "外国常驻新闻机构", "9": "其他"}),
    "3": (
        "司法行政",
        {
            "1": "律师执业机构",
            "2": "公证处",
            "3": "基层法律服务所",
            "4": "司法鉴定机构",
            "5": "仲裁委员会",
            "9": "其他",
        },
    ),
    "4": ("文化", {"1": "外国在华文化中心", "9": "其他"}),
    "5": ("民政", {"1": "社会团体", "2": "民办非企业单位", "3": "基金会", "9": "其他"}),
    "6": ("旅游", {"1": "外国旅游部门常驻代表机构", "2": "港澳台地区旅游部门常驻内地（大陆）代表机构", "9": "其他"}),
    "7": ("宗教", {"1": "宗教活动场所", "2": "宗教院校", "9": "其他"}),
    "8": ("工会", {"1": "基层工会", "9": "其他"}),
    "9": ("工商（市场监管）", {"1": "企业", "2": "个体工商户", "3": "农民专业合作社"}),
    "A": ("中央军委改革和编制办公室", {"1": "军队事业单位", "9": "其他"}),
    "N": ("农业", {"1": "组级集体经济组织", "2": "村级集体经济组织", "3": "乡镇级集体经济组织", "9": "其他"}),
    "Y": ("其他", {"1": "其他"}),
}

ORG_CODE_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2]


@dataclass
class CodeCheck:
    """The outcome of validating one identifier."""

    value: str
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    details: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


def normalize(value: str) -> str:
    """Strip spaces (including full-width) and hyphens, upper-case."""
    return re.sub(r"[\s\-\u3000]", "", value or "").upper()


def uscc_check_char(first17: str) -> str:
    """The GB 32100 check character for 17 valid characters: (31 − Σ v·w mod 31) mod 31."""
    total = sum(USCC_VALUES[c] * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_CHARSET[(31 - total % 31) % 31]


def org_code_check_char(first8: str) -> str | None:
    """The GB 11714 check character of an organization code (positions 9–17 of a USCC)."""
    total = 0
    for char, weight in zip(first8, ORG_CODE_WEIGHTS, strict=True):
        if char.isdigit():
            total += int(char) * weight
        elif "A" <= char <= "Z":
            total += (ord(char) - ord("A") + 10) * weight
        else:
            return None
    check = 11 - total % 11
    return "X" if check == 10 else "0" if check == 11 else str(check)


def check_credit_code(raw: str) -> CodeCheck:
    """Validate a 统一社会信用代码: length 18, character set (no I, O, S, V, Z), registering authority and
    category, GB/T 2260-shaped region digits, and the check character. The GB 11714 check on positions
    9–17 is a warning only (the standard mandates position 18 alone)."""
    value = normalize(raw)
    result = CodeCheck(value)
    if not value:
        result.errors.append("统一社会信用代码不能为空。")
        return result
    if len(value) != 18:
        result.errors.append("统一社会信用代码应为 18 位，当前为 %d 位。" % len(value))
        return result
    bad = sorted({c for c in value if c not in USCC_VALUES})
    if bad:
        result.errors.append("统一社会信用代码含有不允许的字符：%s（不使用 I、O、S、V、Z）。" % "、".join(bad))
        return result
    authority = USCC_AUTHORITIES.get(value[0])
    if authority is None:
        result.errors.append("第 1 位登记管理部门代码“%s”无效。" % value[0])
    else:
        result.details["authority"] = authority[0]
        category = authority[1].get(value[1])
        if category is None:
            result.errors.append("第 2 位机构类别代码“%s”对登记管理部门“%s”无效。" % (value[1], authority[0]))
        else:
            result.details["category"] = category
    if not value[2:8].isdigit():
        result.errors.append("第 3–8 位登记管理机关行政区划码应为 6 位数字。")
    else:
        result.details["region"] = value[2:8]
    expected = uscc_check_char(value[:17])
    if value[17] != expected:
        result.errors.append("校验位错误：第 18 位应为“%s”，实为“%s”。" % (expected, value[17]))
    org_check = org_code_check_char(value[8:16])
    if org_check is None or org_check != value[16]:
        result.warnings.append("第 9–17 位组织机构代码的校验位（GB 11714）不符，请核对。")
    return result


def is_credit_code(raw: str) -> bool:
    return check_credit_code(raw).ok


def make_credit_code(first17: str) -> str:
    """Complete 17 characters with their check character (demo data and tests)."""
    first17 = normalize(first17)
    return first17 + uscc_check_char(first17)


def make_org_code(first8: str) -> str:
    """Complete an 8-character organization code body with its GB 11714 check character."""
    check = org_code_check_char(first8)
    if check is None:
        raise ValueError(first8)
    return first8 + check


# --- GB 11643-1999 -------------------------------------------------------------------------------

ID_WEIGHTS = [pow(2, 17 - i, 11) for i in range(17)]  # 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2
ID_CHECK = "10X98765432"


def id_check_char(first17: str) -> str:
    """The GB 11643 check character (ISO 7064 MOD 11-2), 10 written as X."""
    total = sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK[total % 11]


def _birth_date(text: str) -> date | None:
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        return None


def check_id_number(raw: str, *, today: date | None = None, upgrade_legacy: bool = True) -> CodeCheck:
    """Validate a 公民身份号码: 18 characters (17 digits + digit or X) with a real birth date not in the
    future and the right check character; a legacy 15-digit number is accepted and upgraded to 18 digits
    (``value`` is then the upgraded number, with a warning). Unknown address codes are not rejected
    (codes change over time)."""
    value = normalize(raw)
    result = CodeCheck(value)
    today = today or date.today()
    if not value:
        result.errors.append("身份证号码不能为空。")
        return result
    if len(value) == 15:
        if not value.isdigit():
            result.errors.append("15 位身份证号码应全部为数字。")
            return result
        birth = _birth_date("19" + value[6:12])
        if birth is None:
            result.errors.append("身份证号码中的出生日期“19%s”不是有效日期。" % value[6:12])
            return result
        if not upgrade_legacy:
            result.details.update(birth_date=birth.isoformat(), sex="男" if int(value[14]) % 2 else "女")
            return result
        first17 = value[:6] + "19" + value[6:]
        value = first17 + id_check_char(first17)
        result.value = value
        result.warnings.append("15 位旧号码已升级为 18 位：%s。" % value)
    if len(value) != 18:
        result.errors.append("身份证号码应为 18 位，当前为 %d 位。" % len(value))
        return result
    if not value[:17].isdigit() or not (value[17].isdigit() or value[17] == "X"):
        result.errors.append("身份证号码前 17 位应为数字，第 18 位为数字或 X。")
        return result
    birth = _birth_date(value[6:14])
    if birth is None:
        result.errors.append("身份证号码中的出生日期“%s”不是有效日期。" % value[6:14])
        return result
    if birth > today:
        result.errors.append("身份证号码中的出生日期“%s”不合理。" % birth.isoformat())
    expected = id_check_char(value[:17])
    if value[17] != expected:
        result.errors.append("校验位错误：第 18 位应为“%s”，实为“%s”。" % (expected, value[17]))
    result.details.update(birth_date=birth.isoformat(), sex="男" if int(value[16]) % 2 else "女", region=value[:6])
    return result


def is_id_number(raw: str) -> bool:
    return check_id_number(raw).ok


def make_id_number(region6: str, birth: date, sequence: int) -> str:
    """A valid 18-digit number for demo data and tests (sequence 0–999; odd = male)."""
    first17 = f"{region6}{birth:%Y%m%d}{sequence:03d}"
    return first17 + id_check_char(first17)


# --- GB/T 2260 and statistical region codes ------------------------------------------------------


def normalize_region_code(raw: str) -> str:
    """The stored form of a region code (prefix without trailing zero groups): the published 6-digit
    ``340000`` → ``34``, ``341100`` → ``3411``; a 12-digit statistical code ``341181000000`` → ``341181``,
    ``341181100000`` → ``341181100``. Other strings are returned stripped."""
    code = re.sub(r"\s", "", raw or "")
    if not code.isdigit():
        return code
    if len(code) == 12:
        if code.endswith("000000"):
            code = code[:6]
        elif code.endswith("000"):
            return code[:9]
        else:
            return code
    if len(code) == 9 and code.endswith("000"):
        code = code[:6]
    if len(code) == 6:
        if code.endswith("0000"):
            return code[:2]
        if code.endswith("00"):
            return code[:4]
    return code

"""Chinese phone numbers: mobile (11 digits, 1[3-9]…) or landline with area code, optional extension."""

from __future__ import annotations

import re

_MOBILE = re.compile(r"^(?:\+?86)?1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{2,3}-?[2-9]\d{6,7}(?:-\d{1,6})?$")
_SERVICE = re.compile(r"^(?:400|800)-?\d{3}-?\d{4}$|^1\d{4,5}$")


def normalize_phone(value: str) -> str:
    return re.sub(r"[\s()（）]", "", value or "").replace("－", "-").replace("—", "-")


def is_phone(value: str) -> bool:
    """True for a mobile number, a landline with area code (0551-62345678, 055162345678), a 400/800 number
    or a short service number such as 12396."""
    text = normalize_phone(value)
    return bool(_MOBILE.match(text.replace("-", "")) or _LANDLINE.match(text) or _SERVICE.match(text))


def is_mobile(value: str) -> bool:
    return bool(_MOBILE.match(normalize_phone(value).replace("-", "")))

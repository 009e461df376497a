"""The permission core: one predicate for region scope, used by querysets, views, API and
services alike (design §2, house rule 3).

A user sees a record when its owner region — or, for cross-region records, its assigned region —
lies within the user's *active* region: the account's own region or, after the region switcher,
a region below it. Codes are GB/T 2260 prefixes (``34`` ⊃ ``3411`` ⊃ ``341181`` ⊃ 9- and
12-digit town and village codes), so "within" is "starts with".
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.db.models import Q

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from django.db.models import Model

    from kejiju.core.models import User

#: The scope field of most domain models; cross-region models add ``assigned_region``.
DEFAULT_SCOPE_FIELDS: tuple[str, ...] = ("region",)


def account_region_code(user: User | AnonymousUser) -> str | None:
    """The region code an account is tied to, ``""`` for the whole deployment (a system
    administrator without a region), ``None`` when the account sees nothing."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    code: str | None = getattr(user, "region_id", None)
    if code:
        return code
    return "" if user.is_superuser else None


def active_region_code(user: User | AnonymousUser) -> str | None:
    """The region the user is working in now: the switcher's choice when it lies within the
    account's region, else the account's region."""
    own = account_region_code(user)
    if own is None:
        return None
    chosen: str | None = getattr(user, "active_region_code", None)
    if chosen and chosen.startswith(own):
        return chosen
    return own


def region_within(code: str | None, scope: str | None) -> bool:
    """True when region ``code`` lies within (or is) region ``scope``."""
    if scope is None or code is None:
        return False
    return code.startswith(scope)


def code_column(field: str) -> str:
    """The column holding a scope field's region code (``code`` on Region itself)."""
    return field if field == "code" else f"{field}_id"


def prefix_q(field: str, code: str) -> Q:
    """Records whose scope field ``field`` names region ``code`` or a region below it. On a
    foreign key to Region the lookup goes through ``code`` (its primary key), which Django
    answers from the key column without a join."""
    lookup = "code__startswith" if field == "code" else f"{field}__code__startswith"
    return Q(**{lookup: code})


def scope_q(user: User | AnonymousUser, fields: Iterable[str] = DEFAULT_SCOPE_FIELDS) -> Q | None:
    """The filter for records within the user's active region, over the owner and assigned
    region fields; ``None`` means no restriction (the whole deployment); a Q matching nothing
    when the account has no region."""
    scope = active_region_code(user)
    if scope is None:
        return Q(pk__in=[])
    if scope == "":
        return None
    condition = Q()
    for field in fields:
        condition |= prefix_q(field, scope)
    return condition


def obj_region_codes(obj: Model) -> list[str]:
    """The owner and assigned region codes of a record (``SCOPE_FIELDS`` of its model)."""
    fields: tuple[str, ...] = getattr(type(obj), "SCOPE_FIELDS", DEFAULT_SCOPE_FIELDS)
    codes = []
    for field in fields:
        value: Any = getattr(obj, code_column(field), None)
        if value:
            codes.append(str(value))
    return codes


def can_see(user: User | AnonymousUser, obj: Model) -> bool:
    """The cross-region rule: the record is visible when its owner region or its assigned
    region lies within the user's active region."""
    scope = active_region_code(user)
    if scope is None:
        return False
    return any(code.startswith(scope) for code in obj_region_codes(obj))


def can_act(user: User | AnonymousUser, perm: str, obj: Model | None = None) -> bool:
    """Model permission ``perm`` and, for a record, region scope."""
    if not getattr(user, "is_authenticated", False) or not user.has_perm(perm):
        return False
    return obj is None or can_see(user, obj)


def can_manage_region(user: User | AnonymousUser, code: str) -> bool:
    """Whether the user's account region contains region ``code`` (for writes that name a region:
    a forged region id outside the account answers as "does not exist")."""
    return region_within(code, account_region_code(user))

"""Test data helpers of the organizations registry, for other apps' tests (not used by the application)."""

from __future__ import annotations

from typing import Any

from kejiju.engines.idcodes import make_credit_code
from kejiju.orgs.ipnumbers import make_patent_number as make_patent_number


def organization_data(n: int = 1, **overrides: Any) -> dict[str, Any]:
    """Valid input for ``organization_create``: a 天长市 enterprise numbered ``n`` (unique credit code)."""
    base: dict[str, Any] = {
        "name": f"天长市测试{n}科技有限公司",
        "credit_code": make_credit_code("91341181MA%07d" % n),
        "region": "341181",
        "org_type": "enterprise",
        "industry_code": "C",
    }
    base.update(overrides)
    return base

"""Test helpers of the transfer app: organizations, achievements, demands and matches."""

from __future__ import annotations

from datetime import date
from itertools import count
from typing import Any

from kejiju.core.testing.factories import UserFactory, grant_perms, region
from kejiju.engines.idcodes import make_credit_code
from kejiju.orgs.services import organization_create
from kejiju.transfer import services

_seq = count(1)


def maker(code: str = "341181") -> Any:
    """A bureau account of ``code`` allowed to do everything in this module."""
    n = next(_seq)
    return grant_perms(
        UserFactory(region=region(code), username=f"tmaker{n}"),
        "orgs.add_organization",
        *(
            f"transfer.{v}_{m}"
            for m in ("achievement", "techdemand", "match", "matchevent", "techcontract", "cooperation")
            for v in ("add", "change", "view")
        ),
    )


def org(actor: Any, name: str = "", code: str = "341181", org_type: str = "enterprise") -> Any:
    n = next(_seq)
    return organization_create(
        actor=actor,
        data={
            "name": name or f"测试企业{n}",
            "credit_code": make_credit_code(f"91{code[:6]}MA{n + 5000:07d}"),
            "region": code,
            "org_type": org_type,
        },
    )


def achievement(actor: Any, owner: Any, **data: Any) -> Any:
    values = {
        "title": "新型水稻育秧基质及其制备方法",
        "summary": "以秸秆和菌渣为原料的水稻育秧基质，透气保水，提高出苗率和秧苗素质。",
        "keywords": "水稻,育秧,基质",
        "field": "agriculture",
        "maturity": "industrial",
        "transfer_form": "license",
        "price_min": "100000",
        "price_max": "300000.50",
        "contact_name": "王工",
        "contact_phone": "13905501234",
    }
    values.update(data)
    return services.achievement_save(actor=actor, owner=owner, data=values)


def demand(actor: Any, enterprise: Any, **data: Any) -> Any:
    values = {
        "title": "水稻育秧基质板结问题",
        "problem": "现用育秧基质容易板结，出苗率低，希望引进新型育秧基质配方。",
        "field": "agriculture",
        "budget": "50000",
        "deadline": date(date.today().year + 1, 6, 30),
    }
    values.update(data)
    return services.demand_save(actor=actor, enterprise=enterprise, data=values)

"""Computed indicators of intellectual property (area ``ip``), registered for the statistics app."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.urls import reverse

from kejiju.core.indicators import Column, Indicator, register_indicator

COLUMNS = (
    Column("类型", "get_ip_type_display"),
    Column("名称", "title"),
    Column("申请号/登记号", "number"),
    Column("权利人", "owners"),
)


def _ip(date_field: str, types: tuple[str, ...]) -> Any:
    def records(region: str, start: date, end: date) -> Any:
        from kejiju.core.permissions import prefix_q
        from kejiju.orgs.models import IntellectualProperty

        return IntellectualProperty.objects.filter(
            prefix_q("region", region),
            is_archived=False,
            ip_type__in=types,
            **{f"{date_field}__gte": start, f"{date_field}__lte": end},
        )

    return records


def _list(extra: str) -> Any:
    def url(region: str, start: date, end: date) -> str:
        query = f"region={region}{extra}"
        if start.year == end.year:
            key = "granted_year" if "status=granted" in extra else "year"
            query += f"&{key}={start.year}"
        return reverse("orgs:ip_list") + "?" + query

    return url


PATENTS = ("invention", "utility", "design", "defense_patent")

register_indicator(
    Indicator(
        "ip.patents_applied",
        "专利申请量",
        "期内申请的发明、实用新型、外观设计专利件数（按申请日）。",
        "件",
        "ip",
        _ip("applied_on", PATENTS),
        columns=COLUMNS,
        order=10,
    )
)
register_indicator(
    Indicator(
        "ip.patents_granted",
        "专利授权量",
        "期内授权的发明、实用新型、外观设计专利件数（按授权日）。",
        "件",
        "ip",
        _ip("granted_on", PATENTS),
        list_url=_list("&status=granted"),
        columns=COLUMNS,
        order=20,
    )
)
register_indicator(
    Indicator(
        "ip.inventions_granted",
        "发明专利授权量",
        "期内授权的发明专利件数（按授权日）。",
        "件",
        "ip",
        _ip("granted_on", ("invention",)),
        list_url=_list("&ip_type=invention&status=granted"),
        columns=COLUMNS,
        order=30,
    )
)


def _custody(region: str, start: date, end: date) -> Any:
    from kejiju.core.permissions import prefix_q
    from kejiju.orgs.models import IpCustodyAgreement

    return IpCustodyAgreement.objects.filter(
        prefix_q("region", region), is_archived=False, starts_on__lte=end, ends_on__gte=start
    )


register_indicator(
    Indicator(
        "ip.custody_agreements",
        "知识产权托管企业",
        "期内处于托管期的知识产权托管协议份数（一企一协议）。",
        "家",
        "ip",
        _custody,
        columns=(
            Column("托管企业", "enterprise.name"),
            Column("服务机构", "provider.name"),
            Column("开始", "starts_on"),
        ),
        order=40,
    )
)

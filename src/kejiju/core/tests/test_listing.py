"""The list pages' paginator: exact counts by default, capped counts where a list opts in."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import RequestFactory

from kejiju.core.listing import CappedPaginator, Column, ListPage, render_list
from kejiju.core.models import Region


@pytest.fixture
def many_regions(regions: dict[str, Any]) -> None:
    Region.objects.bulk_create(
        [Region(code="341181100%03d" % i, name="村%d" % i, level=12, parent_id="341181100") for i in range(2, 30)]
    )


@pytest.mark.django_db
def test_capped_paginator_counts_up_to_the_cap(many_regions: None) -> None:
    total = Region.objects.count()
    exact = CappedPaginator(Region.objects.order_by("code"), 5, cap=total)
    assert exact.count == total and not exact.capped
    capped = CappedPaginator(Region.objects.order_by("code"), 5, cap=10)
    assert capped.count == 10 and capped.capped and capped.num_pages == 2
    assert [r.code for r in capped.page(2).object_list] == list(
        Region.objects.order_by("code").values_list("code", flat=True)[5:10]
    )


@pytest.mark.django_db
def test_list_page_shows_n_plus_when_capped(many_regions: None, make_user: Any) -> None:
    request = RequestFactory().get("/")
    request.user = make_user("bureau_staff", "341181")
    columns = [Column("代码", lambda r: r.code)]
    html = render_list(request, Region.objects.order_by("code"), ListPage("区划", columns, count_cap=10)).content
    assert "共 10+ 条" in html.decode()
    html = render_list(request, Region.objects.order_by("code"), ListPage("区划", columns)).content
    assert "共 %d 条" % Region.objects.count() in html.decode()

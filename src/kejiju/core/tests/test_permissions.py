"""The permission core: scope predicate, restrict(), cross-region rule, history actor."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from hypothesis import given
from hypothesis import strategies as st

from kejiju.core.history import acting
from kejiju.core.models import Attachment, Region, User
from kejiju.core.permissions import (
    account_region_code,
    active_region_code,
    can_act,
    can_manage_region,
    can_see,
    region_within,
)
from kejiju.core.testing.factories import UserFactory, grant_perms, region

pytestmark = pytest.mark.django_db


def test_anonymous_sees_nothing(regions):
    assert account_region_code(AnonymousUser()) is None
    assert User.objects.restrict(AnonymousUser()).count() == 0


def test_county_user_sees_own_county_only(regions):
    own = UserFactory(region=regions["county"], perms=["core.view_user"])
    town_user = UserFactory(region=regions["town"])
    other = UserFactory(region=regions["other_county"])
    seen = set(User.objects.restrict(own, "core.view_user"))
    assert own in seen and town_user in seen
    assert other not in seen


def test_without_permission_restrict_is_empty(regions):
    user = UserFactory(region=regions["city"])
    assert User.objects.restrict(user, "core.view_user").count() == 0
    assert User.objects.restrict(user).count() >= 1  # no permission asked: scope only


def test_city_user_sees_all_counties(regions):
    city = UserFactory(region=regions["city"], perms=["core.view_user"])
    a = UserFactory(region=regions["county"])
    b = UserFactory(region=regions["other_county"])
    seen = set(User.objects.restrict(city, "core.view_user"))
    assert {a, b} <= seen


def test_region_switcher_narrows_scope(regions):
    city = UserFactory(region=regions["city"], perms=["core.view_user"])
    b = UserFactory(region=regions["other_county"])
    city.active_region_code = "341181"
    assert active_region_code(city) == "341181"
    assert b not in set(User.objects.restrict(city, "core.view_user"))
    # a forged code outside the account's region is ignored
    county = UserFactory(region=regions["county"])
    county.active_region_code = "341182"
    assert active_region_code(county) == "341181"


def test_superuser_without_region_sees_everything(regions):
    admin = UserFactory(region=None, is_superuser=True)
    assert account_region_code(admin) == ""
    UserFactory(region=regions["other_county"])
    assert User.objects.restrict(admin, "core.view_user").count() == User.objects.count()


def test_user_without_region_and_not_superuser_sees_nothing(regions):
    user = UserFactory(region=None, perms=["core.view_user"])
    assert account_region_code(user) is None
    assert User.objects.restrict(user, "core.view_user").count() == 0


def test_inactive_user_sees_nothing(regions):
    user = UserFactory(region=regions["county"], perms=["core.view_user"], is_active=False)
    assert User.objects.restrict(user, "core.view_user").count() == 0


def test_region_model_scope_is_its_code(regions):
    user = UserFactory(region=regions["county"])
    codes = set(Region.objects.restrict(user).values_list("code", flat=True))
    assert codes == {"341181", "341181100", "341181100001"}


class _CrossRegion:
    """A stand-in for a cross-region record (owner and assigned region)."""

    SCOPE_FIELDS = ("region", "assigned_region")

    def __init__(self, region_id: str, assigned_region_id: str | None) -> None:
        self.region_id = region_id
        self.assigned_region_id = assigned_region_id


def test_cross_region_record_visible_to_owner_and_assignee(regions):
    owner = UserFactory(region=regions["county"])
    assignee = UserFactory(region=regions["other_county"])
    third = UserFactory(region=region("341122"))
    record = _CrossRegion("341181100", "341182")
    assert can_see(owner, record)  # type: ignore[arg-type]
    assert can_see(assignee, record)  # type: ignore[arg-type]
    assert not can_see(third, record)  # type: ignore[arg-type]


def test_cross_region_queryset_uses_both_fields(regions):
    from kejiju.core.permissions import scope_q

    user = UserFactory(region=regions["other_county"])
    q = scope_q(user, ("region", "assigned_region"))
    assert q is not None
    text = str(q)
    assert "region__code__startswith" in text and "assigned_region__code__startswith" in text
    assert text.count("341182") == 2


def test_can_act_checks_permission_and_scope(regions, tmp_path):
    user = UserFactory(region=regions["county"])
    attachment = Attachment(
        region_id="341182",
        original_name="x.pdf",
        kind="pdf",
        mime_type="application/pdf",
        size=1,
        sha256="0" * 64,
        storage_name="a" * 40,
        uploaded_by=user,
    )
    assert not can_act(user, "core.view_attachment")
    grant_perms(user, "core.view_attachment")
    user = User.objects.get(pk=user.pk)
    assert can_act(user, "core.view_attachment")
    assert not can_act(user, "core.view_attachment", attachment)
    attachment.region_id = "341181100"
    assert can_act(user, "core.view_attachment", attachment)


def test_can_manage_region(regions):
    county = UserFactory(region=regions["county"])
    assert can_manage_region(county, "341181100001")
    assert not can_manage_region(county, "341182")
    assert not can_manage_region(county, "34")


@given(
    scope=st.from_regex(r"\A\d{2}(\d{2}(\d{2}(\d{3}(\d{3})?)?)?)?\Z"),
    code=st.from_regex(r"\A\d{2}(\d{2}(\d{2}(\d{3}(\d{3})?)?)?)?\Z"),
)
def test_region_within_is_prefix(scope, code):
    assert region_within(code, scope) == code.startswith(scope)
    assert region_within(code, code)
    assert not region_within(code, None)


def test_history_records_service_actor(regions):
    actor = UserFactory(region=regions["county"])
    town = Region.objects.get(code="341181100")
    with acting(actor, "测试修改"):
        town.name = "新名称街道"
        town.save()
    latest = town.history.first()
    assert latest.history_user_id == actor.pk
    assert latest.history_change_reason == "测试修改"
    # outside a service there is no actor
    town.name = "再改"
    town.save()
    assert town.history.first().history_user_id is None
    assert not town.history.first().history_change_reason


def test_must_change_password_is_enforced_on_every_page(client, regions):
    from django.urls import reverse

    user = UserFactory(region=regions["county"], must_change_password=True)
    client.force_login(user)
    response = client.get(reverse("core:home"))
    assert response.status_code == 302 and response["Location"] == reverse("core:password_change")
    assert client.get(reverse("core:password_change")).status_code == 200

"""单位用户: accounts acting for organizations."""

from __future__ import annotations

from typing import Any

import pytest

from kejiju.core.choices import Role
from kejiju.core.errors import BusinessError
from kejiju.core.models import OperationLog
from kejiju.orgs.selectors import organization_member_ids, organizations_of_user
from kejiju.orgs.services import (
    organization_archive,
    organization_create,
    organization_member_add,
    organization_member_remove,
)
from kejiju.orgs.testing import organization_data as data


@pytest.fixture
def world(regions: Any, make_user: Any) -> dict[str, Any]:
    staff = make_user(Role.BUREAU_STAFF, "341181")
    return {
        "staff": staff,
        "org": organization_create(actor=staff, data=data(1)),
        "applicant": make_user(Role.ORG_USER, "341181"),
        "other_staff": make_user(Role.BUREAU_STAFF, "341182"),
        "other_applicant": make_user(Role.ORG_USER, "341182"),
    }


def test_bind_list_and_unbind(world: dict[str, Any]) -> None:
    staff, org, applicant = world["staff"], world["org"], world["applicant"]
    organization_member_add(actor=staff, organization=org, user=applicant)
    organization_member_add(actor=staff, organization=org, user=applicant)  # idempotent
    assert list(organizations_of_user(user=applicant)) == [org]
    assert organization_member_ids(organization=org) == [applicant.pk]
    assert OperationLog.objects.filter(action="orgs.member_add").count() == 1
    organization_member_remove(actor=staff, organization=org, user=applicant)
    assert list(organizations_of_user(user=applicant)) == []
    assert OperationLog.objects.filter(action="orgs.member_remove").count() == 1


def test_archived_organizations_are_not_acted_for(world: dict[str, Any]) -> None:
    organization_member_add(actor=world["staff"], organization=world["org"], user=world["applicant"])
    organization_archive(actor=world["staff"], organization=world["org"])
    assert list(organizations_of_user(user=world["applicant"])) == []


def test_rules(world: dict[str, Any]) -> None:
    staff, org = world["staff"], world["org"]
    with pytest.raises(BusinessError) as role:
        organization_member_add(actor=staff, organization=org, user=world["other_staff"])
    assert role.value.field == "user"
    with pytest.raises(BusinessError) as scope:
        organization_member_add(actor=staff, organization=org, user=world["other_applicant"])
    assert scope.value.code == "out_of_scope"
    with pytest.raises(BusinessError) as perm:
        organization_member_add(actor=world["other_staff"], organization=org, user=world["applicant"])
    assert perm.value.code == "forbidden"
    assert organization_member_ids(organization=org) == []
    assert not OperationLog.objects.filter(action__startswith="orgs.member").exists()

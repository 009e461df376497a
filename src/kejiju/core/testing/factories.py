"""factory-boy factories for core records (tests and benchmarks only)."""

from __future__ import annotations

from typing import Any, cast

import factory
from django.contrib.auth.models import Permission

from kejiju.core.choices import RegionLevel, Role
from kejiju.core.models import Region, User

TEST_PASSWORD = "Kejiju-test-2026"


def region(code: str, name: str | None = None, kind: str = "") -> Region:
    """Get or create a region and every missing ancestor (names are placeholders)."""
    existing = Region.objects.filter(code=code).first()
    if existing:
        return existing
    parent = None
    for length in (2, 4, 6, 9):
        if length < len(code):
            parent = region(code[:length])
    level = len(code)
    default = {2: "测试省", 4: "测试市", 6: "测试县", 9: "测试镇", 12: "测试村"}[level] + code
    obj = Region(code=code, name=name or default, level=RegionLevel(level), kind=kind, parent=parent)
    obj.save()
    return obj


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"测试用户{n}")
    role = Role.BUREAU_STAFF
    password = factory.django.Password(TEST_PASSWORD)

    @factory.post_generation
    def perms(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if extracted:
            grant_perms(cast(User, self), *extracted)


def grant_perms(user: User, *perms: str) -> User:
    """Give ``user`` model permissions directly (``app_label.codename``)."""
    for perm in perms:
        app_label, codename = perm.split(".", 1)
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    # Django caches permissions on the instance
    for attr in ("_perm_cache", "_user_perm_cache", "_group_perm_cache"):
        if hasattr(user, attr):
            delattr(user, attr)
    return user


def role_user(role: str, region_code: str | None, username: str | None = None, **kwargs: Any) -> User:
    """A user with ``role`` (and its group permissions) in region ``region_code``."""
    from kejiju.core.roles import sync_roles, sync_user_groups

    sync_roles()
    user = cast(
        User,
        UserFactory(
            role=role,
            region=region(region_code) if region_code else None,
            username=username or factory.Faker._get_faker().unique.user_name(),
            **kwargs,
        ),
    )
    if role == Role.SYSTEM_ADMIN:
        user.is_superuser = user.is_staff = True
        user.save()
    sync_user_groups(user)
    return user

"""Roles as Django groups with model permissions (design §2).

Each app grants its permissions to roles with :func:`grant` at import time (from its
``AppConfig.ready``); :func:`sync_roles` makes the groups match after every migration, and
:func:`sync_user_groups` puts an account in the group of its role.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from kejiju.core.choices import Role

_GRANTS: dict[str, set[str]] = defaultdict(set)

ALL_BUREAU = (Role.BUREAU_ADMIN, Role.BUREAU_LEADER, Role.BUREAU_STAFF)


def grant(roles: Any, *perms: str) -> None:
    """Give ``perms`` (``app_label.codename``) to each role in ``roles``."""
    if isinstance(roles, str):
        roles = [roles]
    for role in roles:
        _GRANTS[str(role)].update(perms)


def granted(role: str) -> set[str]:
    return set(_GRANTS.get(role, set()))


def group_name(role: str) -> str:
    return Role(role).label


def sync_roles(**kwargs: Any) -> None:
    """Create one group per role and set its permissions to exactly the granted ones.

    Connected to ``post_migrate``, which Django sends once per installed app (each app's permissions
    are created by its own signal): the groups are synchronised once, after the last app's, when every
    permission exists. Called without ``app_config`` it runs at once."""
    from django.apps import apps
    from django.contrib.auth.models import Group, Permission

    app_config = kwargs.get("app_config")
    if app_config is not None:
        with_models = [config for config in apps.get_app_configs() if config.models_module is not None]
        if app_config is not with_models[-1]:
            return
    using = kwargs.get("using", "default")
    by_key = {
        "%s.%s" % (app_label, codename): pk
        for pk, app_label, codename in Permission.objects.using(using).values_list(
            "pk", "content_type__app_label", "codename"
        )
    }
    for role in Role:
        group, _ = Group.objects.using(using).get_or_create(name=group_name(role))
        group.permissions.set(sorted(by_key[perm] for perm in granted(role) if perm in by_key))


def sync_user_groups(user: Any) -> None:
    """Put the account in its role's group only (other role groups are removed)."""
    from django.contrib.auth.models import Group

    role_groups = {group_name(r) for r in Role}
    current = [g for g in user.groups.all() if g.name in role_groups]
    target, _ = Group.objects.get_or_create(name=group_name(user.role))
    for group in current:
        if group != target:
            user.groups.remove(group)
    user.groups.add(target)


# Core grants.
grant(
    Role.SYSTEM_ADMIN,
    "core.view_region",
    "core.add_region",
    "core.change_region",
    "core.import_region",
    "core.view_user",
    "core.add_user",
    "core.change_user",
    "core.unlock_user",
    "core.view_operationlog",
    "core.view_attachment",
    "core.add_attachment",
    "core.change_attachment",
    "core.view_codeitem",
    "core.change_codeitem",
    "core.view_bureau",
    "core.change_bureau",
    "core.view_department",
    "core.add_department",
    "core.change_department",
)
grant(
    Role.BUREAU_ADMIN,
    "core.view_region",
    "core.add_region",
    "core.change_region",
    "core.import_region",
    "core.view_user",
    "core.add_user",
    "core.change_user",
    "core.unlock_user",
    "core.view_operationlog",
    "core.view_attachment",
    "core.add_attachment",
    "core.view_codeitem",
    "core.view_bureau",
    "core.change_bureau",
    "core.view_department",
    "core.add_department",
    "core.change_department",
)
grant(
    Role.BUREAU_LEADER,
    "core.view_region",
    "core.view_user",
    "core.view_operationlog",
    "core.view_attachment",
    "core.view_codeitem",
    "core.view_bureau",
    "core.view_department",
)
grant(
    Role.BUREAU_STAFF,
    "core.view_region",
    "core.add_region",
    "core.change_region",
    "core.import_region",
    "core.view_attachment",
    "core.add_attachment",
    "core.view_codeitem",
    "core.view_bureau",
    "core.view_department",
    "core.view_user",
)
grant(Role.TOWN_STATION, "core.view_region", "core.view_attachment", "core.add_attachment", "core.view_codeitem")
grant(
    (Role.EXPERT, Role.COMMISSIONER, Role.ORG_USER), "core.view_attachment", "core.add_attachment", "core.view_codeitem"
)

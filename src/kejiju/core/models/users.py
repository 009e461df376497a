"""Accounts: one user per person, tied to a region, with one role."""

from __future__ import annotations

from typing import ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from simple_history.models import HistoricalRecords

from kejiju.core.choices import Role
from kejiju.core.history import history_user_getter
from kejiju.core.querysets import RegionScopedQuerySet


class KejijuUserManager(UserManager.from_queryset(RegionScopedQuerySet)):  # type: ignore[misc]
    pass


class User(AbstractUser):
    """An account. ``region`` bounds everything the account sees and manages; ``role`` is mirrored
    in a Django group that carries the model permissions. A system administrator may have no
    region (the whole deployment)."""

    SCOPE_FIELDS: ClassVar[tuple[str, ...]] = ("region",)

    full_name = models.CharField("姓名", max_length=40)
    phone = models.CharField("手机号码", max_length=20, blank=True)
    region = models.ForeignKey(
        "core.Region", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="所属区划"
    )
    role = models.CharField("角色", max_length=20, choices=Role.choices, default=Role.BUREAU_STAFF)
    department = models.ForeignKey(
        "core.Department", on_delete=models.PROTECT, null=True, blank=True, related_name="members", verbose_name="科室"
    )
    locked_until = models.DateTimeField("锁定至", null=True, blank=True)
    must_change_password = models.BooleanField("下次登录须修改密码", default=False)
    password_changed_at = models.DateTimeField("密码修改时间", null=True, blank=True)

    history = HistoricalRecords(
        get_user=history_user_getter,
        user_model="core.User",
        excluded_fields=["password", "last_login"],
    )
    objects = KejijuUserManager()  # type: ignore[misc]

    class Meta:
        verbose_name = "账号"
        verbose_name_plural = "账号"
        ordering = ["username"]
        permissions = [("unlock_user", "可以解除账号锁定")]

    def __str__(self) -> str:
        return f"{self.full_name or self.username}（{self.username}）"

    #: Set per request by the region switcher middleware; read by the scope predicate.
    active_region_code: str | None = None  # type: ignore[misc]

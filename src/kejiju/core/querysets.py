"""The region-scoped queryset: the one place where "who sees which records" becomes SQL.

Every domain model's manager is built from :class:`RegionScopedQuerySet`; list views, the API,
exports and statistics all start from ``Model.objects.restrict(user, perm)``
(NetBox's ``restrict()``, design §2 and house rule 2).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from django.db import models

from kejiju.core.permissions import prefix_q, scope_q

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from kejiju.core.models import User

M = TypeVar("M", bound=models.Model)


class RegionScopedQuerySet(models.QuerySet[M]):
    """A queryset that knows the model's scope fields (``Model.SCOPE_FIELDS``)."""

    def restrict(self, user: User | AnonymousUser, perm: str | None = None) -> RegionScopedQuerySet[M]:
        """Records ``user`` may see: none without ``perm`` (``app.codename``), else those whose owner
        region or assigned region lies within the user's active region. A superuser without a
        region sees everything."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if perm is not None and not user.has_perm(perm):
            return self.none()
        fields: tuple[str, ...] = getattr(self.model, "SCOPE_FIELDS", ("region",))
        condition = scope_q(user, fields)
        if condition is None:
            return self
        return self.filter(condition)

    def within(self, code: str) -> RegionScopedQuerySet[M]:
        """Records owned by ``code`` or any region below it (no user check: statistics helpers)."""
        field: str = getattr(self.model, "SCOPE_FIELDS", ("region",))[0]
        return self.filter(prefix_q(field, code))


class RegionScopedManager(models.Manager[Any]):
    def get_queryset(self) -> RegionScopedQuerySet[Any]:
        return RegionScopedQuerySet(self.model, using=self._db)

    def restrict(self, user: Any, perm: str | None = None) -> RegionScopedQuerySet[Any]:
        return self.get_queryset().restrict(user, perm)

"""Reads of the people registry, region-scoped (house rule 2)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from kejiju.people.models import Person


def person_list(*, user: Any, filters: dict[str, Any] | None = None) -> QuerySet[Person]:
    """People the user may see (``people.view_person`` within their region). Filters: ``q`` (name,
    initials, phone, exact ID number), ``region`` (code prefix), ``archived`` ("1" for archived only)."""
    filters = filters or {}
    qs = Person.objects.restrict(user, "people.view_person").select_related("organization", "region")
    q = str(filters.get("q") or "").strip()
    if q:
        qs = qs.filter(
            Q(name__icontains=q) | Q(name_initials__istartswith=q.lower()) | Q(phone=q) | Q(id_number=q.upper())
        )
    region = str(filters.get("region") or "").strip()
    if region:
        qs = qs.filter(region_id__startswith=region)
    qs = qs.filter(is_archived=str(filters.get("archived") or "") == "1")
    return qs


def person_get(*, user: Any, pk: Any) -> Person:
    """One person the user may see, else 404 (not yours and not there look the same)."""
    try:
        return person_list(user=user, filters={"archived": ""}).get(pk=pk)
    except (Person.DoesNotExist, ValueError, TypeError):
        try:
            return person_list(user=user, filters={"archived": "1"}).get(pk=pk)
        except (Person.DoesNotExist, ValueError, TypeError):
            raise Http404("人员不存在。") from None


def person_by_document(id_number: str, id_type: str = "resident") -> Person | None:
    """The person holding this document number, unscoped (used by services that must keep one record per
    person, never shown to a user as such)."""
    return Person.objects.filter(id_type=id_type, id_number=id_number.strip().upper()).first()

"""Region-scoped reads of official documents (house rule 2)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from kejiju.core.models import Bureau, Region
from kejiju.core.permissions import account_region_code, active_region_code
from kejiju.reports.choices import DocumentKind, DocumentStatus
from kejiju.reports.models import DocumentTransition, OfficialDocument


def document_list(*, user: Any, filters: dict[str, Any] | None = None) -> QuerySet[OfficialDocument]:
    """Documents within the user's active region (none without ``reports.view_officialdocument``), not
    archived. Filters: ``q`` (title or 发文字号 contains), ``status``, ``kind``; unknown values are ignored."""
    qs = OfficialDocument.objects.restrict(user, "reports.view_officialdocument").filter(is_archived=False)
    qs = qs.select_related("region", "created_by")
    filters = filters or {}
    if q := str(filters.get("q") or "").strip():
        qs = qs.filter(Q(title__contains=q) | Q(doc_number__contains=q))
    if (status := filters.get("status")) in DocumentStatus.values:
        qs = qs.filter(status=status)
    if (kind := filters.get("kind")) in DocumentKind.values:
        qs = qs.filter(kind=kind)
    return qs


def document_get(*, user: Any, pk: Any) -> OfficialDocument:
    """One document the user may see, else 404 ("not yours" and "does not exist" answer alike)."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404("公文不存在。") from None
    if not 0 < pk < 2**63:
        raise Http404("公文不存在。")
    obj = (
        OfficialDocument.objects.restrict(user, "reports.view_officialdocument")
        .select_related("region", "created_by", "output", "pdf")
        .filter(pk=pk)
        .first()
    )
    if obj is None:
        raise Http404("公文不存在。")
    return obj


def document_transitions(*, document: OfficialDocument) -> QuerySet[DocumentTransition]:
    """The status changes of a document (already checked visible), oldest first."""
    return document.transitions.select_related("actor").order_by("at", "pk")


@dataclass(frozen=True)
class IssuerDefaults:
    """What a new document's form starts with: the issuing body, its 发文字号 代字 and the region."""

    issuer: str
    code_word: str
    region_code: str


def issuer_defaults(*, user: Any) -> IssuerDefaults:
    """The issuer of the user's working region: its bureau's name (``core.Bureau``), else the region name
    + 科学技术局; the 代字 is the bureau's short name (empty when unknown)."""
    code = active_region_code(user) or account_region_code(user) or ""
    if not code:
        return IssuerDefaults("", "", "")
    bureau = Bureau.objects.filter(region_id=code).first()
    if bureau is not None:
        return IssuerDefaults(bureau.name, bureau.short_name, code)
    region = Region.objects.filter(code=code).first()
    return IssuerDefaults((region.name + "科学技术局") if region else "", "", code)


def documents_for_source(*, source: str) -> QuerySet[OfficialDocument]:
    """Documents generated for one record of another app (``"programs.project:12"``), newest first.
    Unscoped: the caller shows them on a page of a record the user may already see."""
    return OfficialDocument.objects.filter(source=source, is_archived=False).select_related("output", "pdf")


def documents_for_sources(*, prefix: str) -> QuerySet[OfficialDocument]:
    """Documents whose source starts with ``prefix`` (e.g. every document of ``"programs.project:12"``
    and its sub-records named ``"programs.project:12/…"``)."""
    return OfficialDocument.objects.filter(source__startswith=prefix, is_archived=False).select_related("output", "pdf")

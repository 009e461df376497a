"""Reads of the assessment module, region-scoped (house rule 2)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from kejiju.assessment.models import AssessmentScheme, AssessmentTarget
from kejiju.core.permissions import prefix_q


def scheme_list(*, user: Any, filters: dict[str, Any] | None = None) -> QuerySet[AssessmentScheme]:
    """Schemes of the user's region and the regions above it that assess them: a bureau sees its own and
    its subordinates' schemes; a town station sees the schemes that assess its town; a named assessor sees
    the schemes they score. Filters: ``year``, ``status``, ``q`` (name)."""
    filters = filters or {}
    if not getattr(user, "is_authenticated", False) or not user.has_perm("assessment.view_assessmentscheme"):
        return AssessmentScheme.objects.none()
    own = AssessmentScheme.objects.restrict(user, "assessment.view_assessmentscheme")
    code = getattr(user, "active_region_code", None) or getattr(user, "region_id", None) or ""
    assessed = prefix_q("targets__region", code) if code else Q()
    qs = AssessmentScheme.objects.filter(Q(pk__in=own.values("pk")) | assessed | Q(assessors=user)).distinct()
    if str(filters.get("year") or "").isdigit():
        qs = qs.filter(year=int(filters["year"]))
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    if filters.get("q"):
        qs = qs.filter(name__icontains=str(filters["q"]).strip())
    return qs.select_related("region").filter(is_archived=False)


def scheme_get(*, user: Any, pk: Any) -> AssessmentScheme:
    try:
        return scheme_list(user=user).get(pk=pk)
    except (AssessmentScheme.DoesNotExist, ValueError, TypeError):
        raise Http404("考核方案不存在。") from None


def scheme_targets(*, user: Any, scheme: AssessmentScheme) -> QuerySet[AssessmentTarget]:
    """The targets of a scheme the user may see: all of them for the issuing bureau and named assessors;
    a town station only its own (and, once published, the whole ranking)."""
    qs = scheme.targets.select_related("region", "department").order_by("rank", "region_id", "pk")
    from kejiju.assessment.permissions import can_manage_assessment

    if can_manage_assessment(user, scheme) or scheme.assessors.filter(pk=user.pk).exists():
        return qs
    if scheme.status == "published":
        return qs
    code = getattr(user, "region_id", None) or ""
    return qs.filter(prefix_q("region", code)) if code else qs.none()


def target_get(*, user: Any, pk: Any) -> AssessmentTarget:
    """One target the user may open (its town, the bureau, or a named assessor), else 404."""
    try:
        target = AssessmentTarget.objects.select_related("scheme", "region").get(pk=pk)
    except (AssessmentTarget.DoesNotExist, ValueError, TypeError):
        raise Http404("目标任务书不存在。") from None
    scheme = scheme_get(user=user, pk=target.scheme_id)
    if not scheme_targets(user=user, scheme=scheme).filter(pk=target.pk).exists():
        raise Http404("目标任务书不存在。")
    return target


def dossier_list(*, user: Any, filters: dict[str, Any] | None = None) -> QuerySet[Any]:
    """Dossiers in the user's region (``assessment.view_assessmentscheme``)."""
    from kejiju.assessment.models import ProgressDossier

    qs = ProgressDossier.objects.restrict(user, "assessment.view_assessmentscheme").filter(is_archived=False)
    year = str((filters or {}).get("year") or "")
    if year.isdigit():
        qs = qs.filter(year=int(year))
    return qs.select_related("region")


def dossier_get(*, user: Any, pk: Any) -> Any:
    from kejiju.assessment.models import ProgressDossier

    try:
        return dossier_list(user=user).get(pk=pk)
    except (ProgressDossier.DoesNotExist, ValueError, TypeError):
        raise Http404("考核材料不存在。") from None


def target_list(*, user: Any, filters: dict[str, Any] | None = None) -> QuerySet[AssessmentTarget]:
    """Targets the user may open, across the schemes they see (the rules of :func:`scheme_targets`):
    every target of a scheme the user manages or is named assessor of, or of a published scheme; else
    the targets of the user's own town. Filters: ``scheme`` (id), ``status``, ``year``."""
    filters = filters or {}
    schemes = scheme_list(user=user)
    if not schemes.exists():
        return AssessmentTarget.objects.none()
    managed = AssessmentScheme.objects.restrict(user, "assessment.change_assessmentscheme").values("pk")
    code = getattr(user, "region_id", None) or ""
    visible = Q(scheme__in=managed) | Q(scheme__assessors=user) | Q(scheme__status="published")
    if code:
        visible |= prefix_q("region", code)
    qs = AssessmentTarget.objects.filter(scheme__in=schemes.values("pk")).filter(visible).distinct()
    if filters.get("scheme"):
        qs = qs.filter(scheme_id=filters["scheme"])
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    if filters.get("year"):
        qs = qs.filter(scheme__year=filters["year"])
    return qs.select_related("scheme", "region", "department").order_by("-scheme__year", "scheme_id", "rank", "pk")


def target_scores(*, user: Any, target: AssessmentTarget) -> QuerySet[Any]:
    """The assessors' scores of a target: all of them for the issuing bureau, otherwise only the user's own."""
    from kejiju.assessment.permissions import can_manage_assessment

    qs = target.scores.select_related("assessor").order_by("submitted_at", "pk")
    return qs if can_manage_assessment(user, target.scheme) else qs.filter(assessor=user)

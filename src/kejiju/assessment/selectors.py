"""Reads of the assessment module, region-scoped (house rule 2)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from kejiju.assessment.choices import MidyearStatus
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


# ----------------------------------------------------------------- 年中进度 (mid-year progress)

MIDYEAR_SORTS = {
    "assessee": "被考核单位",
    "item": "指标",
    "percent": "完成比例（低→高）",
    "-percent": "完成比例（高→低）",
    "status": "状态",
}


@dataclass
class MidyearRow:
    """One assessee × indicator cell of the mid-year progress table. ``percent`` is the exact value so far
    ÷ target × 100 (``None`` without a positive target); ``shown_percent`` cuts it to one decimal (never
    rounded up, so a value shown as 49.9 is always below a threshold of 50)."""

    target: AssessmentTarget
    code: str
    name: str
    kind: str
    unit: str
    target_value: Decimal | None
    value: Decimal | None
    percent: Decimal | None
    status: str
    note: str
    evidence: list[Any] = field(default_factory=list)
    reported_at: Any = None

    @property
    def shown_percent(self) -> Decimal | None:
        return None if self.percent is None else self.percent.quantize(Decimal("0.1"), rounding=ROUND_DOWN)

    @property
    def status_display(self) -> str:
        return MidyearStatus(self.status).label


@dataclass
class MidyearTable:
    scheme: AssessmentScheme
    threshold: Decimal
    rows: list[MidyearRow]
    total: int
    reported: list[AssessmentTarget]
    unreported: list[AssessmentTarget]
    lagging: int


def _exact(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except ArithmeticError:
        return None


def midyear_progress(*, user: Any, scheme: AssessmentScheme, filters: dict[str, Any] | None = None) -> MidyearTable:
    """The mid-year progress table of a scheme for the user's visible targets (the issuing bureau sees all):
    per assessee × quantitative item the target, the value so far, the percentage and 滞后 below the scheme's
    threshold; per qualitative item the progress text; assessees without a report are 未报送.
    Filters: ``q`` (assessee name), ``item`` (item code), ``status`` (a ``MidyearStatus`` value),
    ``sort`` (a key of ``MIDYEAR_SORTS``; default by assessee then item)."""
    from kejiju.assessment.models import MidyearProgress
    from kejiju.assessment.services import midyear_evidence_for, midyear_items, parse_template

    filters = filters or {}
    targets = list(scheme_targets(user=user, scheme=scheme).order_by("region_id", "department_id", "pk"))
    reports = {
        p.target_id: p for p in MidyearProgress.objects.filter(target__in=[t.pk for t in targets], is_archived=False)
    }
    items = midyear_items(parse_template(scheme.template))
    threshold = scheme.midyear_threshold
    rows: list[MidyearRow] = []
    for target in targets:
        report = reports.get(target.pk)
        evidence = midyear_evidence_for(report)
        for item in items:
            entry = report.values.get(item.code) if report is not None else None
            target_value = _exact(target.targets.get(item.code)) if item.kind == "quantitative" else None
            value = _exact(entry.get("value")) if entry and item.kind == "quantitative" else None
            percent = value * 100 / target_value if value is not None and target_value else None
            if report is None:
                status = MidyearStatus.UNREPORTED
            elif entry is None:
                status = MidyearStatus.NOT_FILLED
            elif percent is None:
                status = MidyearStatus.REPORTED
            else:
                status = MidyearStatus.LAGGING if percent < threshold else MidyearStatus.ON_TRACK
            rows.append(
                MidyearRow(
                    target=target,
                    code=item.code,
                    name=item.name,
                    kind=item.kind,
                    unit=item.unit,
                    target_value=target_value,
                    value=value,
                    percent=percent,
                    status=str(status),
                    note=(entry or {}).get("note", ""),
                    evidence=evidence.get(item.code, []),
                    reported_at=report.reported_at if report else None,
                )
            )
    total = len(rows)
    lagging = sum(1 for r in rows if r.status == MidyearStatus.LAGGING)
    q = str(filters.get("q") or "").strip()
    if q:
        rows = [r for r in rows if q in r.target.assessee_name]
    if filters.get("item"):
        rows = [r for r in rows if r.code == str(filters["item"])]
    if filters.get("status"):
        rows = [r for r in rows if r.status == str(filters["status"])]
    sort = str(filters.get("sort") or "")
    position = {t.pk: n for n, t in enumerate(targets)}
    codes = {item.code: n for n, item in enumerate(items)}
    if sort == "item":
        rows.sort(key=lambda r: (codes[r.code], position[r.target.pk]))
    elif sort in ("percent", "-percent"):
        # rows without a percentage always last
        sign = -1 if sort == "-percent" else 1
        rows.sort(key=lambda r: (r.percent is None, sign * (r.percent or 0), position[r.target.pk], codes[r.code]))
    elif sort == "status":
        ranks = {s: n for n, s in enumerate(MidyearStatus.values)}
        rows.sort(key=lambda r: (ranks[r.status], position[r.target.pk], codes[r.code]))
    return MidyearTable(
        scheme=scheme,
        threshold=threshold,
        rows=rows,
        total=total,
        reported=[t for t in targets if t.pk in reports],
        unreported=[t for t in targets if t.pk not in reports],
        lagging=lagging,
    )

"""Reads of the service line and the knowledge base, region-scoped (house rule 2).

Requests are visible to the owner region (the caller's village) and the assigned region (the town it was
dispatched or transferred to), and to their assignee's own account. Statistics are aggregate queries with
a constant number of queries per page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.http import Http404
from django.utils import timezone
from django.utils.safestring import SafeString

from kejiju.core.models import Region
from kejiju.core.permissions import active_region_code, scope_q
from kejiju.service import textsearch
from kejiju.service.choices import OPEN_STATUSES, LossStatus, RequestStatus, Visibility
from kejiju.service.models import (
    Callback,
    DutySlot,
    EarlyWarning,
    KnowledgeArticle,
    ProblemCategory,
    ServiceRequest,
    ServiceSubject,
)

DEFAULT_SCORE = {"volume": 1, "satisfaction": 10, "complaint": 5}


def subjects(active_only: bool = True) -> QuerySet[ServiceSubject]:
    qs = ServiceSubject.objects.all()
    return qs.filter(is_active=True) if active_only else qs


def categories(active_only: bool = True) -> QuerySet[ProblemCategory]:
    qs = ProblemCategory.objects.all()
    return qs.filter(is_active=True) if active_only else qs


def _person_ids(user: Any) -> list[int]:
    """The people records of an account (normally none or one): its assigned requests are visible."""
    from django.apps import apps

    Person = apps.get_model("people", "Person")
    return list(Person.objects.filter(user_id=user.pk).values_list("pk", flat=True))


def may_list_requests(user: Any) -> bool:
    """The account may open request pages at all: with the permission, or as a person with assignments."""
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(user.has_perm("service.view_servicerequest") or _person_ids(user))


def _visible(user: Any) -> QuerySet[ServiceRequest]:
    """Requests within the user's region (with ``service.view_servicerequest``) or assigned to them."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return ServiceRequest.objects.none()
    people = _person_ids(user)
    mine = Q(assignee_id__in=people) if people else None
    if user.has_perm("service.view_servicerequest"):
        cond = scope_q(user, ServiceRequest.SCOPE_FIELDS)
        if cond is None:
            return ServiceRequest.objects.all()
        return ServiceRequest.objects.filter(cond | mine if mine is not None else cond)
    return ServiceRequest.objects.filter(mine) if mine is not None else ServiceRequest.objects.none()


def request_list(*, user: Any, filters: dict[str, Any] | None = None) -> QuerySet[ServiceRequest]:
    """Requests the user may see. Filters: ``q`` (number, phone, name), ``status`` (or ``open``), ``town``
    (code prefix), ``subject``, ``category`` (codes), ``overdue`` ("1"), ``mine`` ("1": assigned to me or
    taken by me), ``start``/``end`` (received dates)."""
    f = filters or {}
    qs = _visible(user).select_related("subject", "category", "assignee", "region", "town")
    q = str(f.get("q") or "").strip()[:40]
    if q:
        qs = qs.filter(Q(number=q.upper()) | Q(caller_phone=q) | Q(caller_name=q))
    status: str = str(f.get("status") or "")
    if status == "open":
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif status in RequestStatus.values:
        qs = qs.filter(status=status)
    town = str(f.get("town") or "").strip()
    if town.isdigit():
        qs = qs.filter(Q(region__code__startswith=town) | Q(assigned_region__code__startswith=town))
    for name in ("subject", "category"):
        value = str(f.get(name) or "").strip()
        if value:
            qs = qs.filter(**{f"{name}__code": value[:20]})
    if str(f.get("overdue") or "") in ("1", "true"):
        qs = qs.filter(is_overdue=True)
    if str(f.get("mine") or "") in ("1", "true"):
        qs = qs.filter(Q(assignee_id__in=_person_ids(user)) | Q(taker=user))
    for name, lookup in (("start", "received_at__gte"), ("end", "received_at__lt")):
        when = f.get(name)
        if isinstance(when, date):
            day = when + timedelta(days=1) if name == "end" else when
            qs = qs.filter(**{lookup: timezone.make_aware(datetime.combine(day, datetime.min.time()))})
    return qs


def request_get(*, user: Any, pk: Any) -> ServiceRequest:
    """One request the user may see, else 404."""
    try:
        return request_list(user=user).get(pk=int(pk))
    except (ServiceRequest.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404("工单不存在。") from None


def requests_by_phone(*, user: Any, phone: str, exclude: int | None = None, limit: int = 10) -> list[ServiceRequest]:
    """The caller's earlier requests (by phone number), newest first, within what the user may see."""
    from kejiju.service.services import canonical_phone

    number = canonical_phone(phone or "")
    if len(number) < 7:
        return []
    qs = _visible(user).filter(caller_phone=number).select_related("subject", "category")
    if exclude:
        qs = qs.exclude(pk=exclude)
    return list(qs.order_by("-received_at")[:limit])


def is_late(req: ServiceRequest, now: datetime | None = None) -> bool:
    """Whether a request is late on any timer now (highlight on the pages)."""
    if req.status in (RequestStatus.CLOSED, RequestStatus.WAITING):
        return False
    now = now or timezone.now()
    if req.first_response_at is None and req.response_due and req.response_due < now:
        return True
    if (
        req.visit_due
        and req.visited_at is None
        and req.status in (RequestStatus.DISPATCHED, RequestStatus.ACCEPTED)
        and req.visit_due < now
    ):
        return True
    return bool(req.closure_due and req.closure_due < now)


@dataclass
class Suggestion:
    person: Any
    town: str
    load: int
    tier: int  # 0 = same town, 1 = same county, 2 = elsewhere


def suggest_assignees(*, request: ServiceRequest, on_date: date | None = None, limit: int = 5) -> list[Suggestion]:
    """People on duty on ``on_date`` for the request's subject, nearest first (same town, same county,
    then the rest of the city), then the fewest open requests (load), then who was dispatched to least
    recently — a round-robin by load. One query."""
    day = on_date or timezone.localdate()
    town = request.town_id
    slots = DutySlot.objects.filter(
        on_date=day, subjects=request.subject_id, is_archived=False, region__code__startswith=town[:4]
    ).select_related("person")
    rows = list(slots[:200])
    person_ids = {s.person_id for s in rows}
    loads = dict(
        ServiceRequest.objects.filter(assignee_id__in=person_ids, status__in=OPEN_STATUSES)
        .values_list("assignee_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    last = dict(
        ServiceRequest.objects.filter(assignee_id__in=person_ids, dispatched_at__isnull=False)
        .values_list("assignee_id")
        .annotate(m=Count("pk"))
        .order_by()
    )
    best: dict[int, Suggestion] = {}
    for slot in rows:
        tier = 0 if slot.region_id == town else 1 if slot.region_id[:6] == town[:6] else 2
        s = Suggestion(person=slot.person, town=slot.region_id, load=loads.get(slot.person_id, 0), tier=tier)
        if slot.person_id not in best or tier < best[slot.person_id].tier:
            best[slot.person_id] = s
    ordered = sorted(best.values(), key=lambda s: (s.tier, s.load, last.get(s.person.pk, 0), s.person.pk))
    return ordered[:limit]


def duty_list(*, user: Any, on_date: date | None = None, days: int = 7) -> QuerySet[DutySlot]:
    """The rota from ``on_date`` for ``days`` days within the user's region."""
    start = on_date or timezone.localdate()
    return (
        DutySlot.objects.restrict(user, "service.view_dutyslot")
        .filter(on_date__gte=start, on_date__lt=start + timedelta(days=days), is_archived=False)
        .select_related("person", "region")
        .prefetch_related("subjects")
        .order_by("on_date", "region_id", "person__name")
    )


def warning_list(*, user: Any) -> QuerySet[EarlyWarning]:
    return (
        EarlyWarning.objects.restrict(user, "service.view_earlywarning")
        .select_related("region", "subject", "category")
        .order_by("-last_at")
    )


def callbacks_pending_check(*, user: Any) -> QuerySet[Callback]:
    """Losses avoided waiting for the bureau's check, within the user's region."""
    reqs = request_list(user=user)
    return (
        Callback.objects.filter(loss_status=LossStatus.PENDING, request__in=reqs.values("pk"))
        .select_related("request")
        .order_by("created_at")
    )


# ---------------------------------------------------------------- knowledge base


def article_list(*, user: Any, filters: dict[str, Any] | None = None) -> QuerySet[KnowledgeArticle]:
    """Articles the user may see: public ones, and internal ones within the user's region."""
    f = filters or {}
    qs = KnowledgeArticle.objects.filter(is_archived=str(f.get("archived") or "") == "1")
    if getattr(user, "is_authenticated", False) and user.has_perm("service.view_knowledgearticle"):
        cond = scope_q(user)
        if cond is not None:
            qs = qs.filter(cond | Q(visibility=Visibility.PUBLIC))
    else:
        qs = qs.filter(visibility=Visibility.PUBLIC)
    subject = str(f.get("subject") or "")
    if subject:
        qs = qs.filter(subject__code=subject[:20])
    return qs.select_related("subject", "category")


def article_get(*, user: Any, pk: Any, public: bool = False) -> KnowledgeArticle:
    try:
        qs = article_list(user=None if public else user)
        return qs.get(pk=int(pk))
    except (KnowledgeArticle.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404("文章不存在。") from None


@dataclass
class Hit:
    article: KnowledgeArticle
    rank: float
    snippet: SafeString
    title: SafeString


@dataclass
class SearchResult:
    query: str
    hits: list[Hit] = field(default_factory=list)
    has_more: bool = False
    total: int = 0
    """Matches counted, at most :data:`textsearch.CANDIDATE_CAP`; ``capped`` when there were more."""
    capped: bool = False

    @property
    def total_display(self) -> str:
        """``"1000+"`` beyond the cap, else the exact number."""
        return "%d+" % self.total if self.capped else str(self.total)


def kb_search(
    *,
    user: Any,
    query: str,
    public: bool = True,
    subject: ServiceSubject | None = None,
    limit: int = 10,
    offset: int = 0,
) -> SearchResult:
    """Full-text search of the knowledge base (one code path, :mod:`kejiju.service.textsearch` picks the
    backend): ranked, with highlighted title and snippet. ``public`` limits to public articles; otherwise
    internal articles within the user's region are included. Two queries: the capped candidate rows from
    the index (ranked in Python by :func:`textsearch.score`, the same on both backends) and the articles
    of the page; only those are highlighted."""
    parsed = textsearch.parse_query(query)
    result = SearchResult(query=query)
    if not parsed:
        return result
    scope: str | None = None
    public_only = public or not (
        getattr(user, "is_authenticated", False) and user.has_perm("service.view_knowledgearticle")
    )
    if not public_only:
        scope = active_region_code(user)
        if scope is None:
            public_only = True
    filters = textsearch.Filters(public_only=public_only, scope=scope or None, subject=subject.pk if subject else None)
    if not public_only and scope == "":
        filters = textsearch.Filters(public_only=False, scope="", subject=filters.subject)
    limit = max(1, min(limit, 100))
    page = textsearch.backend().search(parsed, filters, limit + 1, max(0, offset))
    result.total, result.capped = page.total, page.capped
    result.has_more = len(page.hits) > limit
    ranked = page.hits[:limit]
    articles = KnowledgeArticle.objects.select_related("subject", "category").in_bulk([i for i, _ in ranked])
    for pk, rank in ranked:
        a = articles.get(pk)
        if a is None:
            continue
        result.hits.append(
            Hit(
                article=a,
                rank=rank,
                title=textsearch.highlight(a.title, query, width=200),
                snippet=textsearch.highlight(a.summary + " " + a.body, query),
            )
        )
    return result


# ---------------------------------------------------------------- statistics


def _stat_rows(qs: QuerySet[ServiceRequest], key: str, *more: str) -> list[dict[str, Any]]:
    response = ExpressionWrapper(F("first_response_at") - F("received_at"), output_field=DurationField())
    closure = ExpressionWrapper(F("closed_at") - F("received_at"), output_field=DurationField())
    rows = (
        qs.values(key, *more)
        .annotate(
            total=Count("pk"),
            closed=Count("pk", filter=Q(status=RequestStatus.CLOSED)),
            visited=Count("pk", filter=Q(visited_at__isnull=False)),
            overdue=Count("pk", filter=Q(is_overdue=True)),
            sat=Avg("satisfaction"),
            rated=Count("satisfaction"),
            loss=Sum("loss_avoided"),
            response=Avg(response),
            closure=Avg(closure),
            complaints=Sum("complaints"),
        )
        .order_by(key)
    )
    return list(rows)


def _hours(value: Any) -> Decimal | None:
    if value is None:
        return None
    seconds = value.total_seconds() if isinstance(value, timedelta) else float(value) / 1_000_000
    return Decimal(seconds / 3600).quantize(Decimal("0.1"))


@dataclass
class Stats:
    start: date
    end: date
    totals: dict[str, Any]
    by_town: list[dict[str, Any]]
    by_month: list[dict[str, Any]]
    by_subject: list[dict[str, Any]]
    by_category: list[dict[str, Any]]
    scoreboard: list[dict[str, Any]]


def score_weights() -> dict[str, Decimal]:
    conf = {**DEFAULT_SCORE, **getattr(settings, "KEJIJU_SERVICE_SCORE", {})}
    return {k: Decimal(str(v)) for k, v in conf.items()}


def stats_queryset(*, user: Any, start: date, end: date, town: str = "") -> QuerySet[ServiceRequest]:
    tz = timezone.get_current_timezone()
    qs = _visible(user).filter(
        received_at__gte=datetime.combine(start, datetime.min.time(), tzinfo=tz),
        received_at__lt=datetime.combine(end + timedelta(days=1), datetime.min.time(), tzinfo=tz),
    )
    if town.isdigit():
        qs = qs.filter(town__code__startswith=town)
    return qs


def service_stats(*, user: Any, start: date, end: date, town: str = "") -> Stats:
    """Statistics of the requests received between ``start`` and ``end`` (inclusive): by town, month,
    subject, category and assignee (scoreboard: volume and satisfaction weights, complaints deduct —
    ``KEJIJU_SERVICE_SCORE``); averages of response and closure time in hours, satisfaction, and the checked
    losses avoided. Aggregate queries only: seven queries whatever the volume."""
    qs = stats_queryset(user=user, start=start, end=end, town=town).order_by()
    totals_rows = _stat_rows(qs, "channel")
    totals: dict[str, Any] = {"total": 0, "closed": 0, "visited": 0, "overdue": 0, "loss": Decimal(0), "rated": 0}
    sat_sum = Decimal(0)
    resp_sum = 0.0
    resp_n = 0
    clo_sum = 0.0
    clo_n = 0
    for row in totals_rows:
        for k in ("total", "closed", "visited", "overdue", "rated"):
            totals[k] += row[k] or 0
        totals["loss"] += row["loss"] or Decimal(0)
        if row["sat"] is not None:
            sat_sum += Decimal(str(row["sat"])) * row["rated"]
        h = _hours(row["response"])
        if h is not None:
            resp_sum += float(h) * row["total"]
            resp_n += row["total"]
        h = _hours(row["closure"])
        if h is not None:
            clo_sum += float(h) * row["closed"]
            clo_n += row["closed"]
    totals["satisfaction"] = (sat_sum / totals["rated"]).quantize(Decimal("0.01")) if totals["rated"] else None
    totals["response_hours"] = round(resp_sum / resp_n, 1) if resp_n else None
    totals["closure_hours"] = round(clo_sum / clo_n, 1) if clo_n else None
    totals["loss_wan"] = (totals["loss"] / Decimal(10000)).quantize(Decimal("0.01"))

    by_town = _stat_rows(qs, "town_id")
    names = dict(Region.objects.filter(code__in=[r["town_id"] for r in by_town]).values_list("code", "name"))
    for r in by_town:
        r["label"] = names.get(r["town_id"], r["town_id"])
    by_month = _stat_rows(qs.annotate(month=TruncMonth("received_at")), "month")
    for r in by_month:
        r["label"] = r["month"].strftime("%Y-%m") if r["month"] else ""
    by_subject = _stat_rows(qs, "subject__name")
    by_category = _stat_rows(qs, "category__name")
    for group in (by_town, by_month, by_subject, by_category):
        for r in group:
            r.setdefault("label", r.get("subject__name") or r.get("category__name") or "")
            r["satisfaction"] = r["sat"]
            r["response_hours"] = _hours(r["response"])
            r["closure_hours"] = _hours(r["closure"])
            r["loss_wan"] = ((r["loss"] or Decimal(0)) / Decimal(10000)).quantize(Decimal("0.01"))
    weights = score_weights()
    board = _stat_rows(qs.filter(assignee__isnull=False), "assignee_id", "assignee__name")
    for r in board:
        r["label"] = r["assignee__name"]
        r["satisfaction"] = r["sat"]
        sat = Decimal(str(r["sat"])) if r["sat"] is not None else Decimal(0)
        r["score"] = (
            weights["volume"] * r["total"]
            + weights["satisfaction"] * sat
            - weights["complaint"] * (r["complaints"] or 0)
        ).quantize(Decimal("0.1"))
        r["response_hours"] = _hours(r["response"])
        r["loss_wan"] = ((r["loss"] or Decimal(0)) / Decimal(10000)).quantize(Decimal("0.01"))
    board.sort(key=lambda r: (-r["score"], r["label"]))
    return Stats(start, end, totals, by_town, by_month, by_subject, by_category, board)


def attachments_of(obj: Any) -> list[Any]:
    """The live attachments of a request, visit or article (photos, files), oldest first."""
    from django.contrib.contenttypes.models import ContentType

    from kejiju.core.models import Attachment

    ct = ContentType.objects.get_for_model(type(obj))
    return list(
        Attachment.objects.filter(owner_type=ct, owner_id=str(obj.pk), is_archived=False).order_by("created_at")
    )

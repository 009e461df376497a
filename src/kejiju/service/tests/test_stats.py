"""The statistics page's figures: the one-pass statement (PostgreSQL ``GROUPING SETS``) gives exactly what the
straightforward per-grouping aggregate queries give, region scoping included, with a constant number of
queries. On SQLite the per-grouping queries are the code path, checked against sums counted in Python."""

from __future__ import annotations

import io
import random
from collections import Counter, defaultdict
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kejiju.core.choices import Role
from kejiju.core.models import OperationLog
from kejiju.core.testing.factories import region, role_user
from kejiju.service import selectors, services
from kejiju.service.choices import Channel, RequestStatus
from kejiju.service.models import ProblemCategory, ServiceRequest, ServiceSubject, StatMonth, StatRollup
from kejiju.service.tests.factories import person, request_data, staff

pytestmark = pytest.mark.django_db

START = date(2025, 11, 1)
END = date(2026, 3, 31)
IN_CITY = ["341181100201", "341181101202", "341182100201", "341182102203"]
OUTSIDE = ["341201100201", "340101100201"]


def _bulk(n: int, seed: int = 7) -> list[ServiceRequest]:
    """``n`` varied requests: four towns of two counties in the city and two villages outside it (one of
    them transferred into the city), every status, both channels, some without an assignee, two assignees
    with the same name, ratings, checked losses, complaints, and times across month ends in local time."""
    rng = random.Random(seed)
    for code in IN_CITY + OUTSIDE:
        region(code)
    subjects = list(ServiceSubject.objects.all())
    categories = list(ProblemCategory.objects.all())
    people = [person("王专家", "341181"), person("王专家", "341182"), person("李专家", "341181"), None, None]
    tz = timezone.get_current_timezone()
    rows = []
    days = (END - START).days + 10
    start = next_pk = (ServiceRequest.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    for i in range(n):
        village = (IN_CITY + OUTSIDE)[rng.randrange(len(IN_CITY) + len(OUTSIDE))]
        day = START - timedelta(days=5) + timedelta(days=rng.randrange(days))
        # the first and last minutes of a local day (the months are cut in local time)
        clock = rng.choice((time(0, 0), time(0, 30), time(7, 15), time(12, 0), time(23, 59)))
        at = datetime.combine(day, clock, tzinfo=tz)
        status = rng.choice(list(RequestStatus.values))
        who = people[rng.randrange(len(people))]
        closed = status == RequestStatus.CLOSED
        rated = closed and rng.random() < 0.7
        rows.append(
            ServiceRequest(
                pk=next_pk + i,
                number="TS%08d" % (start + i),
                channel=rng.choice(list(Channel.values)),
                caller_phone="139%08d" % i,
                caller_name="测试",
                region_id=village,
                town_id=village[:9],
                assigned_region_id=(
                    IN_CITY[0][:9] if village == OUTSIDE[0] and who else (village[:9] if who else None)
                ),
                subject=subjects[rng.randrange(len(subjects))],
                category=categories[rng.randrange(len(categories))],
                description="测试",
                status=status,
                assignee=who,
                received_at=at,
                first_response_at=None if rng.random() < 0.2 else at + timedelta(minutes=rng.randrange(1, 3000)),
                visited_at=at + timedelta(hours=rng.randrange(1, 90)) if who and rng.random() < 0.7 else None,
                closed_at=at + timedelta(hours=rng.randrange(2, 400), seconds=rng.randrange(60)) if closed else None,
                is_overdue=rng.random() < 0.15,
                satisfaction=rng.randrange(1, 6) if rated else None,
                loss_avoided=Decimal(rng.randrange(1, 900_000)) / 100 if rated and rng.random() < 0.5 else None,
                complaints=rng.choice((0, 0, 0, 0, 1, 2)),
            )
        )
    ServiceRequest.objects.bulk_create(rows)
    return rows


def _city_user() -> Any:
    return role_user(Role.BUREAU_STAFF, "3411")


def _comparable(groups: dict[str, list[dict[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
    return {name: [dict(r) for r in rows] for name, rows in groups.items()}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="GROUPING SETS: PostgreSQL only")
@pytest.mark.parametrize(("scope", "town"), [("3411", ""), ("341181", ""), ("3411", "341182"), ("", "")])
def test_one_pass_equals_per_grouping_queries(scope: str, town: str) -> None:
    _bulk(600)
    user = role_user(Role.BUREAU_STAFF, scope) if scope else role_user(Role.SYSTEM_ADMIN, None)
    qs = selectors.stats_queryset(user=user, start=START, end=END, town=town).order_by()
    one = selectors._stat_groups_one_pass(qs)
    reference = selectors._stat_groups_per_grouping(qs)
    assert _comparable(one) == _comparable(reference)
    assert all(reference[name] for name in reference)  # every grouping has rows to compare
    with CaptureQueriesContext(connection) as ctx:
        selectors._stat_groups_one_pass(qs)
    assert len(ctx.captured_queries) == 3  # its settings, the statement, the settings put back


def test_stats_match_sums_counted_in_python() -> None:
    rows = _bulk(400, seed=11)
    user = _city_user()
    stats = selectors.service_stats(user=user, start=START, end=END)
    tz = timezone.get_current_timezone()
    lo = datetime.combine(START, time(0, 0), tzinfo=tz)
    hi = datetime.combine(END + timedelta(days=1), time(0, 0), tzinfo=tz)
    seen = [
        r
        for r in rows
        if lo <= r.received_at < hi
        and (r.region_id.startswith("3411") or (r.assigned_region_id or "").startswith("3411"))
    ]
    assert len(seen) < len(rows)  # outside the period or the city: not counted
    assert any(not r.region_id.startswith("3411") for r in seen)  # a transfer into the city is counted
    t = stats.totals
    assert t["total"] == len(seen)
    assert t["closed"] == sum(r.status == RequestStatus.CLOSED for r in seen)
    assert t["visited"] == sum(r.visited_at is not None for r in seen)
    assert t["overdue"] == sum(r.is_overdue for r in seen)
    assert t["rated"] == sum(r.satisfaction is not None for r in seen)
    assert t["loss"] == sum((r.loss_avoided or Decimal(0) for r in seen), Decimal(0))
    assert {r["town_id"]: r["total"] for r in stats.by_town} == Counter(r.town_id for r in seen)
    months = Counter(r.received_at.astimezone(tz).strftime("%Y-%m") for r in seen)
    assert {r["label"]: r["total"] for r in stats.by_month} == months
    assert [r["label"] for r in stats.by_month] == sorted(months)
    assert {r["label"]: r["total"] for r in stats.by_subject} == Counter(r.subject.name for r in seen)
    assert {r["label"]: r["total"] for r in stats.by_category} == Counter(r.category.name for r in seen)
    by_person: dict[int, list[ServiceRequest]] = defaultdict(list)
    for r in seen:
        if r.assignee_id:
            by_person[r.assignee_id].append(r)
    assert {r["assignee_id"]: r["total"] for r in stats.scoreboard} == {k: len(v) for k, v in by_person.items()}
    assert len({r["label"] for r in stats.scoreboard}) < len(stats.scoreboard)  # namesakes stay apart
    for r in stats.scoreboard:
        mine = by_person[r["assignee_id"]]
        assert r["complaints"] == sum(x.complaints for x in mine)
        rated = [x.satisfaction for x in mine if x.satisfaction is not None]
        if rated:
            assert r["satisfaction"] == pytest.approx(sum(rated) / len(rated))
    hour = Decimal(3_600_000_000)  # microseconds
    closure = [(r.closed_at - r.received_at) // timedelta(microseconds=1) for r in seen if r.closed_at]
    assert t["closure_hours"] == (Decimal(sum(closure)) / (len(closure) * hour)).quantize(Decimal("0.1"))
    response = [(r.first_response_at - r.received_at) // timedelta(microseconds=1) for r in seen if r.first_response_at]
    assert t["response_hours"] == (Decimal(sum(response)) / (len(response) * hour)).quantize(Decimal("0.1"))
    rated = [r.satisfaction for r in seen if r.satisfaction is not None]
    assert t["satisfaction"] == (Decimal(sum(rated)) / len(rated)).quantize(Decimal("0.01"))


def test_stats_query_count_does_not_grow_with_volume() -> None:
    user = _city_user()
    _bulk(30, seed=1)
    selectors.service_stats(user=user, start=START, end=END)  # the account's permissions, cached once
    with CaptureQueriesContext(connection) as small:
        selectors.service_stats(user=user, start=START, end=END)
    _bulk(300, seed=2)
    with CaptureQueriesContext(connection) as large:
        stats = selectors.service_stats(user=user, start=START, end=END)
    assert stats.totals["total"] > 100
    assert len(small.captured_queries) == len(large.captured_queries)


# ---------------------------------------------------------------- the roll-up (PostgreSQL)

pg_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="the roll-up is read on PostgreSQL only")


def _assert_rollup_exact(
    user: Any, start: date, end: date, town: str = "", *, expect_months: int | None = None
) -> None:
    """The statistics with the clean roll-up months equal the per-grouping queries over the requests."""
    qs = selectors.stats_queryset(user=user, start=start, end=end, town=town).order_by()
    part = selectors._rollup_part(user=user, start=start, end=end, town=town)
    if expect_months is not None:
        assert part is not None and len(part.months) == expect_months
    one = selectors._stat_groups_one_pass(qs, part)
    assert _comparable(one) == _comparable(selectors._stat_groups_per_grouping(qs))


@pg_only
@pytest.mark.parametrize(
    ("scope", "town", "start", "end", "months"),
    [
        ("3411", "", START, END, 5),
        ("341181", "", START, END, 5),
        ("3411", "341182", START, END, 5),
        ("", "", START, END, 5),
        ("341181100", "", START, END, 5),  # a town station
        ("3411", "", date(2025, 11, 15), date(2026, 3, 10), 3),  # half months at both ends from the requests
    ],
)
def test_rollup_equals_per_grouping_queries(scope: str, town: str, start: date, end: date, months: int) -> None:
    _bulk(700, seed=5)
    assert services.stats_rollup_rebuild(everything=True) >= 5
    assert not StatMonth.objects.filter(dirty=True).exists()
    assert OperationLog.objects.filter(action="service.stats_rollup").count() == 1
    user = role_user(Role.BUREAU_STAFF, scope) if scope else role_user(Role.SYSTEM_ADMIN, None)
    _assert_rollup_exact(user, start, end, town, expect_months=months)
    with CaptureQueriesContext(connection) as ctx:
        selectors.service_stats(user=user, start=start, end=end, town=town)
    assert any("service_statrollup" in q["sql"] for q in ctx.captured_queries)


@pg_only
def test_rollup_stays_exact_when_requests_change() -> None:
    actor = staff("3411")
    expert = person("赵专家", "341181")
    tz = timezone.get_current_timezone()
    month = date(2026, 2, 1)
    reqs = [
        services.request_create(
            actor=actor,
            data=request_data(region=IN_CITY[0]),
            received_at=datetime.combine(date(2026, 2, 10 + i), time(9, 0), tzinfo=tz),
        )
        for i in range(2)
    ]
    _bulk(200, seed=9)
    assert services.stats_rollup_rebuild(everything=True) >= 5
    assert selectors._rollup_part(user=actor, start=START, end=END, town="") is not None

    def changed_then_rebuilt(label: str) -> None:
        assert StatMonth.objects.get(month=month).dirty, label
        part = selectors._rollup_part(user=actor, start=START, end=END, town="")
        assert part is None or month not in part.months, label  # counted from the requests
        _assert_rollup_exact(actor, START, END)
        assert services.stats_rollup_rebuild() >= 1
        assert not StatMonth.objects.get(month=month).dirty, label
        _assert_rollup_exact(actor, START, END, expect_months=5)

    def fresh(i: int) -> ServiceRequest:
        return ServiceRequest.objects.get(pk=reqs[i].pk)

    services.request_dispatch(actor=actor, request=fresh(0), person=expert)
    changed_then_rebuilt("dispatch")
    services.request_answer(actor=actor, request=fresh(1), answer="喷施三环唑。")
    changed_then_rebuilt("answer")
    cb = services.callback_record(
        actor=actor,
        request=fresh(1),
        data={"resolved": "1", "satisfaction": "4", "loss_method": "direct", "loss_amount": "15000"},
    )
    changed_then_rebuilt("callback")
    services.loss_check(actor=actor, callback=cb, approve=True)
    changed_then_rebuilt("loss check")
    services.request_close(actor=actor, request=fresh(1))
    changed_then_rebuilt("close")
    services.request_reopen(actor=actor, request=fresh(1), reason="问题未解决")
    changed_then_rebuilt("reopen")
    services.request_answer(actor=actor, request=fresh(1), answer="改用春雷霉素。")
    services.request_close(actor=actor, request=fresh(1))
    services.request_reopen(actor=actor, request=fresh(1), reason="农户投诉", complaint=True)
    assert fresh(1).complaints == 1
    changed_then_rebuilt("complaint")
    services.sweep(now=timezone.now())
    changed_then_rebuilt("sweep")
    stats = selectors.service_stats(user=actor, start=START, end=END)
    assert stats.totals["loss"] >= Decimal("15000")


@pg_only
def test_rollup_is_not_used_for_own_assignments_or_a_village() -> None:
    _bulk(50, seed=3)
    services.stats_rollup_rebuild(everything=True)
    village = role_user(Role.BUREAU_STAFF, "341181100201")
    assert selectors._rollup_part(user=village, start=START, end=END, town="") is None
    assert selectors._rollup_part(user=_city_user(), start=date(2026, 1, 2), end=date(2026, 1, 30), town="") is None
    expert_user = _city_user()
    person("钱专家", "341181", user=expert_user)
    assert selectors._rollup_part(user=expert_user, start=START, end=END, town="") is None


@pytest.mark.skipif(connection.vendor == "postgresql", reason="SQLite: no roll-up")
def test_rollup_rebuild_does_nothing_on_sqlite() -> None:
    _bulk(20)
    assert services.stats_rollup_rebuild(everything=True) == 0
    assert not StatRollup.objects.exists()


def test_rollup_command_rebuilds_every_month() -> None:
    _bulk(100, seed=4)
    out = io.StringIO()
    call_command("service", "rollup", "--all", stdout=out)
    if connection.vendor == "postgresql":
        assert StatRollup.objects.exists() and not StatMonth.objects.filter(dirty=True).exists()
        assert "个月" in out.getvalue()
    else:
        assert "SQLite" in out.getvalue()


def test_account_without_region_counts_nothing() -> None:
    _bulk(30, seed=6)
    user = role_user(Role.BUREAU_STAFF, None)
    stats = selectors.service_stats(user=user, start=START, end=END)
    assert stats.totals["total"] == 0
    assert not (stats.by_town or stats.by_month or stats.by_subject or stats.by_category or stats.scoreboard)


def test_saving_a_request_marks_its_months_dirty() -> None:
    actor = staff("3411")
    tz = timezone.get_current_timezone()
    req = services.request_create(
        actor=actor,
        data=request_data(region=IN_CITY[0]),
        received_at=datetime.combine(date(2026, 2, 10), time(9, 0), tzinfo=tz),
    )
    StatMonth.objects.update_or_create(month=date(2026, 2, 1), defaults={"dirty": False})
    StatMonth.objects.update_or_create(month=date(2026, 3, 1), defaults={"dirty": False})
    services.request_answer(actor=actor, request=ServiceRequest.objects.get(pk=req.pk), answer="喷施三环唑。")
    assert StatMonth.objects.get(month=date(2026, 2, 1)).dirty
    assert not StatMonth.objects.get(month=date(2026, 3, 1)).dirty
    StatMonth.objects.update(dirty=False)
    moved = ServiceRequest.objects.get(pk=req.pk)
    moved.received_at = datetime.combine(date(2026, 3, 2), time(9, 0), tzinfo=tz)
    moved.save()  # a correction of the intake time: both months are recounted
    assert set(StatMonth.objects.filter(dirty=True).values_list("month", flat=True)) == {
        date(2026, 2, 1),
        date(2026, 3, 1),
    }


@pg_only
def test_moved_intake_time_leaves_no_stale_month_when_a_rebuild_runs_before_the_write() -> None:
    """A save outside a transaction commits the request before its ``post_save``: a rebuild may run between
    the check of the old value and the write. The month the request leaves must end up dirty all the same
    (simulated here by a rebuild run from a later ``pre_save`` receiver, i.e. after the old value was read)."""
    from django.db.models.signals import pre_save

    actor = staff("3411")
    tz = timezone.get_current_timezone()
    req = services.request_create(
        actor=actor,
        data=request_data(region=IN_CITY[0]),
        received_at=datetime.combine(date(2026, 2, 10), time(9, 0), tzinfo=tz),
    )
    services.stats_rollup_rebuild(everything=True)

    def rebuild_meanwhile(sender: Any, **kwargs: Any) -> None:
        services.stats_rollup_rebuild()

    pre_save.connect(rebuild_meanwhile, sender=ServiceRequest, dispatch_uid="test-rebuild-meanwhile")
    try:
        moved = ServiceRequest.objects.get(pk=req.pk)
        moved.received_at = datetime.combine(date(2026, 3, 2), time(9, 0), tzinfo=tz)
        moved.save()
    finally:
        pre_save.disconnect(sender=ServiceRequest, dispatch_uid="test-rebuild-meanwhile")
    assert StatMonth.objects.get(month=date(2026, 2, 1)).dirty
    _assert_rollup_exact(actor, date(2026, 2, 1), date(2026, 3, 31))
    stats = selectors.service_stats(user=actor, start=date(2026, 2, 1), end=date(2026, 3, 31))
    assert stats.totals["total"] == 1


@pg_only
def test_a_change_between_choosing_the_clean_months_and_the_statement_is_counted() -> None:
    """The clean months are chosen by one query and summed by the next statement; a change committed
    between the two (its month now dirty) must be counted from the requests, not from the stale roll-up."""
    actor = staff("3411")
    expert = person("孙专家", "341181")
    tz = timezone.get_current_timezone()
    req = services.request_create(
        actor=actor,
        data=request_data(region=IN_CITY[0]),
        received_at=datetime.combine(date(2026, 2, 10), time(9, 0), tzinfo=tz),
    )
    _bulk(150, seed=13)
    services.stats_rollup_rebuild(everything=True)
    part = selectors._rollup_part(user=actor, start=START, end=END, town="")
    assert part is not None and date(2026, 2, 1) in part.months
    services.request_dispatch(actor=actor, request=ServiceRequest.objects.get(pk=req.pk), person=expert)
    qs = selectors.stats_queryset(user=actor, start=START, end=END).order_by()
    one = selectors._stat_groups_one_pass(qs, part)
    assert _comparable(one) == _comparable(selectors._stat_groups_per_grouping(qs))
    assert any(r["assignee_id"] == expert.pk for r in one["board"])


@pg_only
def test_statement_settings_are_put_back_inside_an_outer_transaction() -> None:
    """``jit`` and ``work_mem`` are set for the statement only: the caller's transaction goes on with its own."""
    _bulk(40, seed=8)
    user = _city_user()
    with connection.cursor() as cur:
        cur.execute("SELECT set_config('work_mem', '5MB', true), current_setting('jit')")
        _, jit = cur.fetchone()
        selectors.service_stats(user=user, start=START, end=END)
        cur.execute("SELECT current_setting('work_mem'), current_setting('jit')")
        assert cur.fetchone() == ("5MB", jit)


def test_totals_average_every_request_with_a_time_once() -> None:
    """The average response and closure times and the satisfaction of the totals are over the requests that
    have them, whatever their channel: not per-channel averages weighted by the channel's request count."""
    region(IN_CITY[0])
    subject = ServiceSubject.objects.first()
    category = ProblemCategory.objects.first()
    tz = timezone.get_current_timezone()
    at = datetime.combine(date(2026, 1, 5), time(9, 0), tzinfo=tz)
    spec = [  # channel, response after (minutes), closed after (minutes), satisfaction
        (Channel.PHONE, 60, 120, 5),
        (Channel.PHONE, None, None, None),
        (Channel.PHONE, None, None, None),
        (Channel.WEB, 600, 1000, 2),
        (Channel.WEB, 7, 9, 4),
    ]
    rows = []
    for i, (channel, response, closure, sat) in enumerate(spec):
        rows.append(
            ServiceRequest(
                number="AV%06d" % i,
                channel=channel,
                caller_phone="1390000%04d" % i,
                caller_name="测试",
                region_id=IN_CITY[0],
                town_id=IN_CITY[0][:9],
                subject=subject,
                category=category,
                description="测试",
                status=RequestStatus.CLOSED if closure else RequestStatus.RECEIVED,
                received_at=at,
                first_response_at=at + timedelta(minutes=response) if response else None,
                closed_at=at + timedelta(minutes=closure) if closure else None,
                satisfaction=sat,
            )
        )
    ServiceRequest.objects.bulk_create(rows)
    stats = selectors.service_stats(user=_city_user(), start=date(2026, 1, 1), end=date(2026, 1, 31))
    t = stats.totals
    assert t["total"] == 5 and t["rated"] == 3
    assert t["response_hours"] == Decimal("3.7")  # (60 + 600 + 7) / 3 minutes = 3.71 hours
    assert t["closure_hours"] == Decimal("6.3")  # (120 + 1000 + 9) / 3 minutes = 6.27 hours
    assert t["satisfaction"] == Decimal("3.67")

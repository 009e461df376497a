"""The statistics roll-up under concurrent writers (PostgreSQL, two connections): the hourly sweep and a
service working on the same overdue request must not deadlock on the month's row of ``StatMonth``."""

from __future__ import annotations

import threading
import time as clock
from datetime import date, datetime, time

import pytest
from django.db import close_old_connections, connection, connections, transaction
from django.utils import timezone

from kejiju.service import services
from kejiju.service.models import ServiceRequest, StatMonth
from kejiju.service.tests.factories import request_data, staff

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks of two connections: PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]


def _waiting_for_lock(timeout: float = 10.0) -> bool:
    """Whether another connection of this database is blocked on a lock (polled)."""
    deadline = clock.monotonic() + timeout
    while clock.monotonic() < deadline:
        with connection.cursor() as cur:
            cur.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'"
            )
            if cur.fetchone()[0]:
                return True
        clock.sleep(0.05)
    return False


def test_sweep_and_a_service_on_the_same_overdue_request_do_not_deadlock() -> None:
    actor = staff("3411")
    tz = timezone.get_current_timezone()
    received = datetime.combine(date(2026, 2, 10), time(9, 0), tzinfo=tz)
    req = services.request_create(actor=actor, data=request_data(), received_at=received)  # long overdue
    StatMonth.objects.update(dirty=False)
    errors: list[BaseException] = []
    locked = threading.Event()
    go = threading.Event()

    def service() -> None:
        # what every service does: lock the request, change it, save it (which marks its month dirty)
        try:
            with transaction.atomic():
                row = ServiceRequest.objects.select_for_update().get(pk=req.pk)
                locked.set()
                go.wait(10)
                row.answer = "喷施三环唑。"
                row.save(update_fields=["answer", "updated_at"])
        except BaseException as exc:  # reported to the test
            errors.append(exc)
        finally:
            connections.close_all()

    def sweep() -> None:
        try:
            services.sweep(now=timezone.now())
        except BaseException as exc:  # reported to the test
            errors.append(exc)
        finally:
            connections.close_all()

    first = threading.Thread(target=service)
    first.start()
    assert locked.wait(10)
    second = threading.Thread(target=sweep)
    second.start()
    assert _waiting_for_lock()  # the sweep waits for the request's row lock
    go.set()
    first.join(30)
    second.join(30)
    close_old_connections()
    assert not errors, errors
    req.refresh_from_db()
    assert req.is_overdue and req.answer
    assert StatMonth.objects.get(month=date(2026, 2, 1)).dirty


def test_statement_settings_do_not_outlive_the_statement_in_autocommit() -> None:
    from kejiju.core.choices import Role
    from kejiju.core.testing.factories import role_user
    from kejiju.service import selectors
    from kejiju.service.tests.factories import make_request

    make_request()
    assert connection.get_autocommit() and not connection.in_atomic_block
    with connection.cursor() as cur:
        cur.execute("SELECT current_setting('work_mem'), current_setting('jit')")
        before = cur.fetchone()
        stats = selectors.service_stats(
            user=role_user(Role.BUREAU_STAFF, "3411"), start=date(2020, 1, 1), end=timezone.localdate()
        )
        assert stats.totals["total"] == 1
        cur.execute("SELECT current_setting('work_mem'), current_setting('jit')")
        assert cur.fetchone() == before


def test_a_rebuild_waits_for_a_change_in_progress_and_sums_it() -> None:
    """A rebuild of every month started while a change to a request is not yet committed waits for it (the
    month's row lock) and sums the committed change: the month ends clean and exact. (A rebuild of the
    dirty months only does not see the uncommitted mark and leaves the month alone: dirty once it commits.)"""
    from kejiju.service.models import StatRollup

    actor = staff("3411")
    tz = timezone.get_current_timezone()
    req = services.request_create(
        actor=actor, data=request_data(), received_at=datetime.combine(date(2026, 2, 10), time(9, 0), tzinfo=tz)
    )
    services.stats_rollup_rebuild(everything=True)
    errors: list[BaseException] = []
    changed = threading.Event()
    go = threading.Event()

    def writer() -> None:
        try:
            with transaction.atomic():
                row = ServiceRequest.objects.select_for_update().get(pk=req.pk)
                row.satisfaction = 5
                row.save(update_fields=["satisfaction", "updated_at"])
                changed.set()
                go.wait(10)
        except BaseException as exc:  # reported to the test
            errors.append(exc)
        finally:
            connections.close_all()

    def rebuild() -> None:
        try:
            services.stats_rollup_rebuild(everything=True)
        except BaseException as exc:  # reported to the test
            errors.append(exc)
        finally:
            connections.close_all()

    first = threading.Thread(target=writer)
    first.start()
    assert changed.wait(10)
    second = threading.Thread(target=rebuild)
    second.start()
    assert _waiting_for_lock()  # the rebuild waits for the change to commit
    go.set()
    first.join(30)
    second.join(30)
    close_old_connections()
    assert not errors, errors
    assert not StatMonth.objects.get(month=date(2026, 2, 1)).dirty
    assert StatRollup.objects.filter(month=date(2026, 2, 1), kind=StatRollup.KIND_CHANNEL).get().sat_sum == 5

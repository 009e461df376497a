"""Benchmark: the service-request list and the statistics at province scale (1,000,000 requests).

Usage: python bench/service_requests.py --database-url postgres://… [--requests 1000000] [--rounds 40] [--reuse]

Builds a fresh database (or, with --reuse, uses the one already filled), a province with 16 counties, their
towns and villages, experts and a duty rota, then writes the requests with ``core.bulk`` through the same
generator as ``kejiju demo --scale province``. As a city bureau account it then times, through the Django test
client (whole view: permission, selector, paging, template):

* the filtered request list (status + subject + county, newest first, page 1 of 20) — target p95 ≤ 150 ms;
* the statistics page for a year by town and month (and subject, category, scoreboard) — target ≤ 1 s
  (whole clean months from the roll-up, ``kejiju service rollup``; the rest from the requests);

and prints the number of SQL queries of each page (constant whatever the volume).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any


class _Ctx:
    """The part of ``core.demo.DemoContext`` the service demo generator uses."""

    def __init__(self, villages: list[str], towns: list[str], counties: list[str], actor: Any) -> None:
        self.scale = "province"
        self.seed = 2026
        self.village_codes = villages
        self.town_codes = towns
        self.county_codes = counties
        self.scope_code = "34"
        self._actor = actor
        self.stats: dict[str, int] = {}

    def rng_for(self, *parts: Any) -> random.Random:
        return random.Random(":".join(["kejiju-demo", "2026", *map(str, parts)]))

    def actor_for(self, code: str) -> Any:
        return self._actor

    def towns_of(self, county: str) -> list[str]:
        return [t for t in self.town_codes if t.startswith(county)]

    def log(self, text: str) -> None:
        print(text, flush=True)

    def count(self, label: str, n: int) -> None:
        self.stats[label] = self.stats.get(label, 0) + n


def _populate(n: int) -> None:
    from kejiju.core.choices import Role
    from kejiju.core.testing.factories import region, role_user
    from kejiju.service import demo
    from kejiju.service.services import ensure_defaults

    ensure_defaults()
    region("34", "安徽省")
    region("3411", "滁州市")
    counties, towns, villages = [], [], []
    for c in range(16):
        county = "3411%02d" % (c + 1)
        region(county, "县%02d" % c)
        counties.append(county)
        for t in range(12):
            town = "%s%03d" % (county, 100 + t)
            region(town, "镇%s" % town[-5:])
            towns.append(town)
            for v in range(8):
                code = "%s%03d" % (town, 200 + v)
                region(code, "村%s" % code[-6:])
                villages.append(code)
    admin = role_user(Role.BUREAU_STAFF, "3411", username="bench_city")
    ctx = _Ctx(villages, towns, counties, admin)
    experts = demo._experts(ctx)  # type: ignore[arg-type]
    demo._duty(ctx, experts)  # type: ignore[arg-type]
    t0 = time.perf_counter()
    demo._requests(ctx, experts)  # type: ignore[arg-type]
    print("wrote %d requests in %.0f s" % (n, time.perf_counter() - t0), flush=True)


def _time(client: Any, url: str, rounds: int) -> tuple[list[float], int, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    queries = len(ctx.captured_queries)
    times = []
    for _ in range(rounds):
        t = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    return times, queries, len(response.content)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="")
    parser.add_argument("--requests", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--reuse", action="store_true", help="the database already holds the data")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="kejiju-bench-svc-"))
    env = dict(os.environ, KEJIJU_DATA_DIR=str(work), DJANGO_SETTINGS_MODULE="kejiju.config.settings.dev")
    if args.database_url:
        env["DATABASE_URL"] = args.database_url
    os.environ.update(env)
    if not args.reuse:
        subprocess.run([sys.executable, "-m", "kejiju", "migrate", "-v0"], check=True, env=env)

    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    from kejiju.core.models import User
    from kejiju.service import demo

    if not args.reuse:
        demo.REQUESTS["province"] = args.requests
        _populate(args.requests)
        with connection.cursor() as cur:
            cur.execute("ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    from django.conf import settings

    settings.ALLOWED_HOSTS = ["*"]
    user = User.objects.get(username="bench_city")
    client = Client()
    client.force_login(user)
    from kejiju.service.models import ServiceRequest, StatMonth
    from kejiju.service.services import stats_rollup_rebuild

    total = ServiceRequest.objects.count()
    print("database: %s, requests: %d" % (connection.vendor, total))
    # the demo loader sums every month; a reused database gets its dirty (or missing) months summed here
    t0 = time.perf_counter()
    months = stats_rollup_rebuild(everything=not StatMonth.objects.exists())
    print("statistics roll-up: %d months rebuilt in %.1f s" % (months, time.perf_counter() - t0))
    pages = [
        ("filtered list", "/service/?status=closed&subject=crop&town=341103", 150),
        ("filtered list (open, overdue)", "/service/?status=open&overdue=1", 150),
        ("list by phone", "/service/?q=13912345678", 150),
        ("statistics, one year, city", "/service/stats/", 1000),
    ]
    for label, url, target in pages:
        times, queries, size = _time(client, url, args.rounds if target < 1000 else max(5, args.rounds // 4))
        p95 = times[max(0, int(len(times) * 0.95) - 1)]
        print(
            "%-32s p50 %7.1f ms  p95 %7.1f ms  queries %2d  (target p95 ≤ %d ms: %s)"
            % (label, statistics.median(times), p95, queries, target, "met" if p95 <= target else "NOT met")
        )


if __name__ == "__main__":
    main()

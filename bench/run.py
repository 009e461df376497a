"""Benchmarks against `kejiju demo --scale …` data (not part of `make test`).

Usage: python bench/run.py --scale city|province [--keep] [--database-url URL]

Builds a fresh database in a temporary data directory (SQLite unless --database-url), loads the demo at
the chosen scale, then times the pages and queries listed in BENCHES with Django's test client, printing
p50/p95 in milliseconds and the number of SQL queries per request. Figures go into bench/README.md by hand,
with the machine and date.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _kejiju(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "-m", "kejiju", *args], check=True, env=env)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", default="city", choices=["county", "city", "province"])
    parser.add_argument("--database-url", default="")
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--keep", action="store_true", help="keep the temporary data directory")
    args = parser.parse_args()

    data_dir = Path(tempfile.mkdtemp(prefix="kejiju-bench-"))
    env = dict(os.environ, KEJIJU_DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="kejiju.config.settings.dev")
    if args.database_url:
        env["DATABASE_URL"] = args.database_url
    os.environ.update(env)
    started = time.perf_counter()
    _kejiju(env, "migrate", "-v0")
    _kejiju(env, "demo", "--scale", args.scale)
    print(f"setup ({args.scale}): {time.perf_counter() - started:.1f} s")

    import django

    django.setup()
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from kejiju.core.models import Region, User

    client = Client(HTTP_HOST="127.0.0.1")
    results = []
    benches = [
        ("首页 home (province admin)", "admin", "/"),
        ("区划树 region tree (province admin)", "admin", "/regions/"),
        ("区划树 region tree (city staff)", "city_staff", "/regions/"),
        ("账号列表 account list (province admin)", "admin", "/accounts/"),
        ("操作日志 operation log (province admin)", "admin", "/audit/operations/"),
        ("单位列表 organizations (province admin)", "admin", "/orgs/"),
        ("单位列表 search by name (province admin)", "admin", "/orgs/?q=天长"),
        ("单位列表 pinyin initials (province admin)", "admin", "/orgs/?q=tcs"),
        ("单位列表 valid 高企 filter (province admin)", "admin", "/orgs/?qualification=hnte"),
        ("单位列表 organizations (county staff)", "county_staff", "/orgs/"),
        ("单位 API list (province admin)", "admin", "/api/v1/orgs/organizations/"),
    ]
    for label, username, url in benches:
        user = User.objects.filter(username=username).first()
        if user is None:
            continue
        client.force_login(user)
        client.get(url)  # warm up
        timings = []
        queries = 0
        for _ in range(args.repeat):
            reset_queries()
            with CaptureQueriesContext(connection) as ctx:
                t0 = time.perf_counter()
                response = client.get(url)
                timings.append((time.perf_counter() - t0) * 1000)
            queries = len(ctx.captured_queries)
            assert response.status_code == 200, (url, response.status_code)
        timings.sort()
        p95 = timings[min(len(timings) - 1, int(round(0.95 * (len(timings) - 1))))]
        results.append((label, statistics.median(timings), p95, queries))
    print()
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{connection.vendor}; regions {Region.objects.count()}, accounts {User.objects.count()}"
    )
    print(f"{'bench':45} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8}")
    for label, p50, p95, queries in results:
        print(f"{label:45} {p50:8.1f} {p95:8.1f} {queries:8d}")
    if not args.keep:
        import shutil

        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()

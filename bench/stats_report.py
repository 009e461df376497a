"""Benchmark: generating the year-end work report (工作总结) of a city at province scale.

Usage: python bench/stats_report.py [--database-url postgres://…] [--orgs 200000] [--reuse] [--rounds 3]
       python bench/stats_report.py --demo [--database-url …] [--reuse]

Builds a fresh database (SQLite in a temporary directory unless --database-url; --reuse keeps one already
filled), a province with a city of 16 counties and 10 towns each, ``--orgs`` organizations and about one
qualification (高企 / 科小, spread over two years) per three organizations, written in bulk. Besides every
indicator the modules register (their tables are empty here unless the database was filled by
``kejiju demo --scale province``), it registers three indicators over these records. It then times, for the
city and the year: computing every figure (this year and last year, with targets), filling the templates,
and typesetting the GB/T 9704 .docx — target ≤ 5 s — with its query count, the same figures with the
record ids (定稿), and for comparison the figures computed one indicator at a time.

With ``--demo`` the database is filled by ``kejiju demo --scale province`` instead (every module's demo
records: 197,600 organizations, 1,000,000 service requests, projects, enterprises, platforms, activities…;
``--reuse`` skips the load when the database already holds it), and the report is that of 滁州市 (3411).
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
from datetime import date, timedelta
from pathlib import Path


def _setup(database_url: str, reuse: bool) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kejiju.config.settings.dev")
    if not reuse:
        subprocess.run([sys.executable, "-m", "kejiju", "migrate", "-v0"], check=True, env=os.environ.copy())
    import django

    django.setup()


def _fill(n_orgs: int) -> None:
    from django.apps import apps

    from kejiju.core.testing.factories import region
    from kejiju.engines.idcodes import make_credit_code

    Organization = apps.get_model("orgs", "Organization")
    Qualification = apps.get_model("orgs", "Qualification")
    if Organization.objects.exists():
        return
    region("34", "安徽省")
    region("3411", "滁州市")
    towns = []
    for c in range(1, 17):
        county = "3411%02d" % c
        region(county, "测试县%02d" % c)
        for t in range(1, 11):
            towns.append(region("%s%03d" % (county, t), "测试镇%02d%02d" % (c, t)).code)
    rng = random.Random(2026)
    start = date(2025, 1, 1)
    batch = []
    for i in range(n_orgs):
        batch.append(
            Organization(
                name="测试科技有限公司%06d" % i,
                credit_code=make_credit_code("91341100MA%07d" % i),
                org_type="enterprise",
                region_id=rng.choice(towns),
                staff_count=rng.randint(5, 500),
                founded_on=start + timedelta(days=rng.randint(0, 729)),
            )
        )
        if len(batch) == 5000:
            Organization.objects.bulk_create(batch)
            batch = []
    Organization.objects.bulk_create(batch)
    quals = []
    for org_id, region_id in Organization.objects.values_list("pk", "region_id").iterator():
        if rng.random() < 0.33:
            quals.append(
                Qualification(
                    organization_id=org_id,
                    region_id=region_id,
                    kind=rng.choice(("hnte", "tech_sme")),
                    issued_on=start + timedelta(days=rng.randint(0, 729)),
                    certificate_no="GR%09d" % org_id,
                )
            )
        if len(quals) == 5000:
            Qualification.objects.bulk_create(quals)
            quals = []
    Qualification.objects.bulk_create(quals)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="")
    parser.add_argument("--orgs", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--demo", action="store_true", help="fill with kejiju demo --scale province")
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="kejiju-bench-")
    url = args.database_url or "sqlite:///" + str(Path(tmp) / "bench.sqlite3")
    os.environ.setdefault("KEJIJU_FILES_DIR", str(Path(tmp) / "files"))
    _setup(url, args.reuse)

    from kejiju.core.models import Region
    from kejiju.engines.gbt9704 import build
    from kejiju.engines.gbt9704.jsonio import from_dict
    from kejiju.stats import services
    from kejiju.stats.models import IndicatorDefinition
    from kejiju.stats.periods import Period
    from kejiju.stats.tests.factories import register_test_indicators
    from kejiju.stats.workreport import collect_figures, report_content

    t0 = time.perf_counter()
    if args.demo:
        if not args.reuse:
            subprocess.run(
                [sys.executable, "-m", "kejiju", "demo", "--scale", "province"], check=True, env=os.environ.copy()
            )
    else:
        _fill(args.orgs)
        register_test_indicators()
    print("数据准备：%.1f 秒" % (time.perf_counter() - t0))
    services.catalogue_sync()
    city = Region.objects.get(code="3411")
    period = Period(2026)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from kejiju.stats.figures import compute_figure
    from kejiju.stats.selectors import definitions_by_area

    definitions = [d for ds in definitions_by_area().values() for d in ds]
    timings, frozen, one_by_one, queries, frozen_queries = [], [], [], 0, 0
    for _ in range(args.rounds):
        t = time.perf_counter()
        with CaptureQueriesContext(connection) as ctx:
            payload, figures = report_content(region=city, period=period, figures=collect_figures(city.code, period))
        queries = len(ctx.captured_queries)
        data = build(from_dict(payload))
        timings.append(time.perf_counter() - t)
        t = time.perf_counter()
        with CaptureQueriesContext(connection) as ctx:
            collect_figures(city.code, period, with_ids=True)
        frozen.append(time.perf_counter() - t)
        frozen_queries = len(ctx.captured_queries)
        t = time.perf_counter()
        for d in definitions:  # the same figures one query (or two) per indicator and year, for comparison
            compute_figure(d.code, city.code, period, definition=d)
            compute_figure(d.code, city.code, period.previous_year(), definition=d)
        one_by_one.append(time.perf_counter() - t)

    from kejiju.orgs.models import Organization

    print(
        "数据库：%s；单位 %d 个；指标 %d 项；报告引用数据 %d 项；.docx %d 字节"
        % (
            connection.vendor,
            Organization.objects.count(),
            len(IndicatorDefinition.objects.all()),
            len(figures),
            len(data),
        )
    )
    print(
        "生成工作总结（计算+模板+排版）：中位 %.2f 秒，最慢 %.2f 秒（目标 ≤ 5 秒）"
        % (statistics.median(timings), max(timings))
    )
    print("其中数据库查询 %d 次（同一张表的指标合并为一次条件聚合查询）" % queries)
    print(
        "定稿取数（含记录编号）：中位 %.2f 秒，数据库查询 %d 次（每张表再加一次取记录编号）"
        % (statistics.median(frozen), frozen_queries)
    )
    print("对照：逐项计算全部指标两年取数：中位 %.2f 秒" % statistics.median(one_by_one))


if __name__ == "__main__":
    main()

"""Benchmark: the organizations import (two-phase, validated) against django-import-export.

Usage: python bench/import_orgs.py [--rows 100000] [--die-rows N]

Both import the same generated .xlsx (valid credit codes, real 安徽 county codes) into a fresh SQLite
database: ours validates every row (GB 32100 check, region, type, industry, phone, dates, duplicates)
and commits in one transaction with field history; django-import-export (``ModelResource``, matched on
the credit code, its default per-row mode, and its ``use_bulk`` mode) imports the same rows. Each run
starts from an empty organizations table. Needs the ``bench`` extra (``pip install -e .[bench]``).
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import random
import sys
import tempfile
import time
from pathlib import Path

import xlsxwriter

TYPES = ["企业", "企业", "企业", "农民专业合作社", "科研院所", "个体工商户"]
SECTIONS = ["A", "C", "C", "I", "M", "F"]
WORDS = ["青禾", "科创", "新材", "同力", "华信", "金穗", "恒泰", "远航", "瑞丰", "天成", "鑫源", "康达"]
SUFFIX = ["农业科技有限公司", "电子有限公司", "新材料股份有限公司", "种植专业合作社", "机械制造有限公司"]


def make_rows(n: int, counties: list[str], seed: int = 7) -> list[list[str]]:
    from kejiju.engines.idcodes import make_credit_code

    rng = random.Random(seed)
    rows = []
    for i in range(n):
        county = rng.choice(counties)
        rows.append(
            [
                f"{rng.choice(WORDS)}{rng.choice(WORDS)}{i}{rng.choice(SUFFIX)}",
                make_credit_code(f"91{county}MA{i:07d}"),
                county,
                rng.choice(TYPES),
                rng.choice(SECTIONS),
                f"安徽省某县某路{i % 500}号",
                "张三",
                "李四",
                f"13{rng.randint(100000000, 999999999)}",
                f"20{rng.randint(0, 24):02d}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                str(rng.randint(1, 900)),
            ]
        )
    return rows


def write_xlsx(rows: list[list[str]], headers: list[str]) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "constant_memory": True})
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, headers)
    for r, row in enumerate(rows, start=1):
        sheet.write_row(r, 0, row)
    book.close()
    return buffer.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--die-rows", type=int, default=0, help="rows for django-import-export (default: same)")
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="kejiju-bench-import-"))
    os.environ.update(KEJIJU_DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="kejiju.config.settings.dev")
    os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from kejiju.core.services.accounts import user_create
    from kejiju.core.services.regions import regions_load_province

    regions_load_province(actor=None, province_code="34")
    admin = user_create(
        actor=None, username="bench", full_name="基准", password="Bench-2026-pass", role="system_admin", region=None
    )
    from kejiju.core.importing import run_import
    from kejiju.core.models import Region
    from kejiju.orgs.importers import ORGANIZATIONS
    from kejiju.orgs.models import Organization

    counties = list(Region.objects.filter(level=6).values_list("code", flat=True))
    rows = make_rows(args.rows, counties)
    data = write_xlsx(rows, ORGANIZATIONS.headers())
    print(f"file: {args.rows} rows, {len(data) / 1e6:.1f} MB")

    t0 = time.perf_counter()
    report = run_import(ORGANIZATIONS, data, "bench.xlsx", actor=admin, commit=False)
    validate_s = time.perf_counter() - t0
    assert report.ok, report.errors[:3]
    t0 = time.perf_counter()
    report = run_import(ORGANIZATIONS, data, "bench.xlsx", actor=admin, commit=True)
    ours = time.perf_counter() - t0
    assert report.ok and report.created == args.rows, (report.created, report.errors[:3])
    print(
        f"kejiju: validate only {validate_s:.1f} s; validate + commit {ours:.1f} s "
        f"({Organization.objects.count()} organizations, {Organization.history.count()} history rows)"
    )

    die_rows = args.die_rows or args.rows
    results = {}
    try:
        import tablib
        from import_export import fields, resources
        from import_export.widgets import ForeignKeyWidget
    except ImportError:
        print("django-import-export is not installed (pip install -e .[bench]); skipping the comparison")
        return

    from kejiju.orgs.choices import OrgType

    labels = {c.label: c.value for c in OrgType}

    class OrganizationResource(resources.ModelResource):
        name = fields.Field(attribute="name", column_name="单位名称")
        credit_code = fields.Field(attribute="credit_code", column_name="统一社会信用代码")
        region = fields.Field(attribute="region", column_name="所属区划代码", widget=ForeignKeyWidget(Region, "code"))
        org_type = fields.Field(attribute="org_type", column_name="单位类型")
        industry_code = fields.Field(attribute="industry_code", column_name="行业门类")
        address = fields.Field(attribute="address", column_name="注册地址")
        legal_representative = fields.Field(attribute="legal_representative", column_name="法定代表人")
        contact_person = fields.Field(attribute="contact_person", column_name="联系人")
        contact_phone = fields.Field(attribute="contact_phone", column_name="联系电话")
        founded_on = fields.Field(attribute="founded_on", column_name="成立日期")
        staff_count = fields.Field(attribute="staff_count", column_name="职工人数")

        class Meta:
            model = Organization
            import_id_fields = ("credit_code",)
            fields = (
                "name",
                "credit_code",
                "region",
                "org_type",
                "industry_code",
                "address",
                "legal_representative",
                "contact_person",
                "contact_phone",
                "founded_on",
                "staff_count",
            )

        def before_import_row(self, row, **kwargs):  # type: ignore[no-untyped-def]
            row["单位类型"] = labels.get(row["单位类型"], row["单位类型"])

    die_data = write_xlsx(rows[:die_rows], ORGANIZATIONS.headers())
    for mode, bulk in (("per-row", False), ("use_bulk", True)):
        Organization.history.all().delete()
        Organization.objects.all().delete()
        t0 = time.perf_counter()
        dataset = tablib.Dataset().load(die_data, format="xlsx")
        resource = OrganizationResource()
        resource._meta.use_bulk = bulk
        result = resource.import_data(dataset, dry_run=False, use_transactions=True, raise_errors=True)
        seconds = time.perf_counter() - t0
        assert not result.has_errors() and Organization.objects.count() == die_rows
        results[mode] = seconds
        per_100k = seconds * 100_000 / die_rows
        print(f"django-import-export ({mode}): {seconds:.1f} s for {die_rows} rows (≈ {per_100k:.0f} s per 100k)")
    ours_100k = ours * 100_000 / args.rows
    for mode, seconds in results.items():
        print(f"ratio vs {mode}: {seconds * 100_000 / die_rows / ours_100k:.1f}×")
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{connection.vendor} {connection.Database.sqlite_version if connection.vendor == 'sqlite' else ''}"
    )


if __name__ == "__main__":
    sys.exit(main())

"""``kejiju report work``: the year-end (or half-year) work report of a region as a GB/T 9704 .docx.

    kejiju report work --region 341181 --year 2026 --output 工作总结.docx [--half 1] [--figures FIGURES.json]

The text comes from the region's work report for that period when one exists (a frozen one exactly as
frozen), otherwise from the paragraph templates with the default title and addressee. ``--figures`` writes
every figure quoted in the text as ``[{"indicator", "name", "value", "unit", "records", "definition"}]``.
Bad arguments stop with a Chinese reason and nothing is written.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kejiju.core.models import Region
from kejiju.engines.gbt9704 import DocumentError, build
from kejiju.engines.gbt9704.jsonio import from_dict
from kejiju.stats import services
from kejiju.stats.models import WorkReport
from kejiju.stats.periods import Period
from kejiju.stats.workreport import collect_figures, report_content


def _write(path: Path, data: bytes) -> None:
    handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=".kejiju-", suffix=path.suffix)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def work_report_files(region: Region, period: Period) -> tuple[bytes, list[dict[str, Any]]]:
    """The .docx bytes and FIGURES of a region's report for ``period`` (its saved report when there is one)."""
    services.catalogue_ensure()
    report = (
        WorkReport.objects.filter(region=region, period=period.key, is_archived=False)
        .order_by("-status", "-updated_at")
        .first()
    )
    if report is not None:
        payload, figures = services.report_content_for(report)
    else:
        payload, figures = report_content(region=region, period=period, figures=collect_figures(region.code, period))
    return build(from_dict(payload)), figures


class Command(BaseCommand):
    help = "统计与报表：生成区划年度（或半年）工作总结（GB/T 9704 公文 .docx）及其数据清单。"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="{work}")
        work = sub.add_parser("work", help="生成工作总结 .docx；--figures 同时写出文中每个数据及其来源。")
        work.add_argument("--region", required=True, help="区划代码，如 341181。")
        work.add_argument("--year", required=True, help="年度，如 2026。")
        work.add_argument("--half", choices=["1", "2"], help="半年总结：1 上半年，2 下半年（默认全年）。")
        work.add_argument("--output", required=True, help="输出的 .docx 文件路径。")
        work.add_argument("--figures", help="数据清单 JSON 的输出路径。")

    def handle(self, *args: Any, **options: Any) -> None:
        year = str(options["year"]).strip()
        if not year.isdigit() or not 2000 <= int(year) <= 2100:
            raise CommandError("年度“%s”无效，应为四位年份，如 2026。" % year)
        code = str(options["region"]).strip()
        region = Region.objects.filter(code=code).first() if code.isdigit() else None
        if region is None:
            raise CommandError("区划代码“%s”不存在。" % code)
        period = Period(int(year), "half", int(options["half"])) if options.get("half") else Period(int(year))
        output = Path(options["output"])
        if output.suffix.lower() != ".docx":
            raise CommandError("输出文件应以 .docx 结尾。")
        if not output.parent.exists():
            raise CommandError("输出目录“%s”不存在。" % output.parent)
        figures_path = Path(options["figures"]) if options.get("figures") else None
        if figures_path is not None and not figures_path.parent.exists():
            raise CommandError("数据清单目录“%s”不存在。" % figures_path.parent)
        try:
            data, figures = work_report_files(region, period)
        except DocumentError as exc:
            raise CommandError("工作总结内容有误，未写入任何文件：%s" % exc) from exc
        _write(output, data)
        if figures_path is not None:
            _write(figures_path, json.dumps(figures, ensure_ascii=False, indent=2).encode("utf-8"))
        self.stdout.write("已生成 %s（%s%s，引用数据 %d 项）。" % (output, region.name, period.label, len(figures)))

"""``kejiju import IMPORTER FILE [--commit] [--report REPORT.json] [--user USERNAME]``: the two-phase Excel
import from the command line, for any importer registered in :mod:`kejiju.core.importing`
(``organizations`` here; later modules add theirs).

Without ``--commit`` the file is only validated and nothing is written. ``--report`` writes exactly
``ImportReport.as_dict()`` as JSON (``ok``, ``rows``, ``created``, ``updated``, ``errors`` and
``warnings``, each error with ``row``, ``column``, ``value`` and ``message``). The exit status is 1 when
the file has errors (and then nothing was written), 0 otherwise.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kejiju.core.importing import get_importer, importers, run_import

#: Errors printed on the terminal; the full list goes to --report.
MAX_PRINTED = 50


class Command(BaseCommand):
    help = "Excel 导入：先校验（不写入），加 --commit 才写入；--report 输出 JSON 校验报告。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("importer", help="导入类型，如 organizations（单位）。")
        parser.add_argument("file", type=Path, help="要导入的 .xlsx、.xls 或 .csv 文件。")
        parser.add_argument("--commit", action="store_true", help="校验无误后写入；不加时只校验、不写入任何数据。")
        parser.add_argument("--report", type=Path, help="把校验报告写入该 JSON 文件。")
        parser.add_argument("--user", help="记为操作人的用户名（其管辖区划限定可导入的区划；默认：系统，不限区划）。")

    def handle(self, *args: Any, **options: Any) -> None:
        from kejiju.core.models import User

        importer = get_importer(options["importer"])
        if importer is None:
            raise CommandError(
                "未知的导入类型“%(n)s”，可用的有：%(all)s。"
                % {"n": options["importer"], "all": "、".join(sorted(importers())) or "（无）"}
            )
        path: Path = options["file"]
        try:
            data = path.read_bytes()
        except OSError:
            raise CommandError("文件“%(p)s”不存在或无法读取。" % {"p": path}) from None
        actor = None
        if options.get("user"):
            actor = User.objects.filter(username=options["user"], is_active=True).first()
            if actor is None:
                raise CommandError("用户“%(u)s”不存在或已停用。" % {"u": options["user"]})
            if not importer.allowed(actor):
                raise CommandError("用户“%(u)s”没有“%(t)s”的权限。" % {"u": actor.username, "t": importer.title})
        report = run_import(importer, data, path.name, actor=actor, commit=options["commit"])
        result = report.as_dict()
        if options.get("report"):
            try:
                options["report"].write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
            except OSError:
                raise CommandError("无法写入报告文件“%(p)s”。" % {"p": options["report"]}) from None
        self.stdout.write(
            "%(t)s：共 %(rows)s 行，新增 %(created)s 条，更新 %(updated)s 条，错误 %(e)s 处，提示 %(w)s 条。"
            % {
                "t": importer.title,
                "rows": report.rows,
                "created": report.created,
                "updated": report.updated,
                "e": len(report.errors),
                "w": len(report.warnings),
            }
        )
        for item in result["errors"][:MAX_PRINTED]:
            self.stderr.write(
                "第 %(row)s 行［%(column)s］%(value)s：%(message)s"
                % {**item, "column": item["column"] or "—", "value": repr(item["value"]) if item["value"] else ""}
            )
        if len(report.errors) > MAX_PRINTED:
            self.stderr.write(
                "……另有 %(n)s 处错误，完整列表见 --report 报告。" % {"n": len(report.errors) - MAX_PRINTED}
            )
        if not report.ok:
            raise CommandError("文件有 %(n)s 处错误，未写入任何数据。" % {"n": len(report.errors)}, returncode=1)
        if report.committed:
            self.stdout.write(self.style.SUCCESS("已导入，批次号 %(b)s。" % {"b": report.batch_id}))
        else:
            self.stdout.write("校验通过，未写入任何数据；加 --commit 导入。")

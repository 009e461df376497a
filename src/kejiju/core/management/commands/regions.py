"""``kejiju regions``: load a province from the shipped national list, import towns and villages
from a spreadsheet, list regions.

    kejiju regions load --province 34
    kejiju regions import 乡镇村.xlsx [--commit] [--report report.json] [--user USERNAME]
    kejiju regions list [--under 341181] [--all]

Bad input (unknown province, missing or unreadable file, unknown account) stops with a Chinese
message and writes nothing. An import with any wrong row writes nothing and exits non-zero.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kejiju.core.errors import BusinessError
from kejiju.core.excel import SheetError, read_table
from kejiju.core.models import Region, User
from kejiju.core.services.regions import regions_import, regions_load_province


class Command(BaseCommand):
    help = "行政区划：载入省级区划数据、导入乡镇/村、列出区划。"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="{load,import,list}")
        load = sub.add_parser("load", help="从随附的国家区划数据载入一个省（省、市、县三级）。")
        load.add_argument("--province", required=True, help="省级区划代码，如 34 或 340000。")
        imp = sub.add_parser("import", help="从 Excel/CSV 导入乡镇/街道和村/社区；不加 --commit 只校验。")
        imp.add_argument("file", help="导入文件（.xlsx、.xls、.csv），表头为 区划代码、名称、类型。")
        imp.add_argument("--commit", action="store_true", help="校验全部通过后写入（全部写入或都不写入）。")
        imp.add_argument("--report", help="把校验结果写成 JSON 文件。")
        imp.add_argument("--user", help="以该账号的身份导入（只能导入其管辖范围内的区划）；不填则为系统。")
        lst = sub.add_parser("list", help="列出某区划的下级区划。")
        lst.add_argument("--under", default="", help="上级区划代码；不填则列出最上级区划。")
        lst.add_argument("--all", action="store_true", help="列出其下所有级别的区划，而不只是直接下级。")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "load":
            self._load(options["province"])
        elif action == "import":
            self._import(options)
        else:
            self._list(options["under"], options["all"])

    def _load(self, province: str) -> None:
        try:
            result = regions_load_province(actor=None, province_code=province)
        except BusinessError as exc:
            raise CommandError(exc.message)
        code = province.strip()[:2]
        name = Region.objects.filter(code=code).values_list("name", flat=True).first() or code
        self.stdout.write(
            self.style.SUCCESS(
                "已载入%(name)s（%(code)s）区划：新增 %(created)s 条，更新 %(updated)s 条，数据共 %(total)s 条。"
                % {"name": name, "code": code, **result}
            )
        )

    def _import(self, options: dict[str, Any]) -> None:
        path = Path(options["file"])
        if not path.exists():
            raise CommandError("文件“%(f)s”不存在。" % {"f": path})
        if not path.is_file():
            raise CommandError("“%(f)s”不是文件。" % {"f": path})
        report_path = Path(options["report"]) if options.get("report") else None
        if report_path is not None and not report_path.parent.is_dir():
            raise CommandError("报告文件所在的目录“%(d)s”不存在。" % {"d": report_path.parent})
        actor = None
        if options.get("user"):
            actor = User.objects.filter(username=options["user"]).first()
            if actor is None or not actor.is_active:
                raise CommandError("账号“%(u)s”不存在或已停用。" % {"u": options["user"]})
        try:
            data = path.read_bytes()
        except OSError:
            raise CommandError("无法读取文件“%(f)s”。" % {"f": path})
        try:
            headers, rows = read_table(data, path.name)
        except SheetError as exc:
            raise CommandError("无法读取文件“%(f)s”：%(reason)s" % {"f": path, "reason": exc})

        report = regions_import(actor=actor, rows=rows, headers=headers, commit=options["commit"])
        if report_path is not None:
            try:
                report_path.write_text(json.dumps(report.as_dict(), ensure_ascii=False, indent=2), encoding="utf-8")
            except OSError:
                raise CommandError("无法写入报告文件“%(f)s”。" % {"f": report_path})
        for warning in report.warnings:
            self.stdout.write("提示：第 %(row)s 行［%(column)s］%(message)s" % warning)
        for error in report.errors:
            self.stdout.write(
                self.style.ERROR(
                    "错误：第 %(row)s 行［%(column)s］“%(value)s”：%(message)s"
                    % {**error, "column": error["column"] or "—"}
                )
            )
        if report.errors:
            raise CommandError(
                "导入文件共 %(rows)s 行，有 %(n)s 处错误，未写入任何数据。"
                % {"rows": report.rows, "n": len(report.errors)}
            )
        if options["commit"]:
            self.stdout.write(self.style.SUCCESS("已导入 %(n)s 条区划。" % {"n": report.created}))
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    "校验通过：共 %(rows)s 行，可新增 %(n)s 条区划。未写入任何数据，加 --commit 写入。"
                    % {"rows": report.rows, "n": len(report.to_create)}
                )
            )

    def _list(self, under: str, everything: bool) -> None:
        under = under.strip()
        if under:
            parent = Region.objects.filter(code=under).first()
            if parent is None:
                raise CommandError("区划“%(c)s”不存在。" % {"c": under})
            qs = (
                Region.objects.filter(code__startswith=under).exclude(code=under)
                if everything
                else Region.objects.filter(parent=parent)
            )
        else:
            qs = Region.objects.all() if everything else Region.objects.filter(parent__isnull=True)
        count = 0
        for region in qs.order_by("code").iterator():
            state = "" if region.is_active else "\t已停用"
            self.stdout.write(
                f"{region.code}\t{region.name}\t{region.kind or '-'}\t{region.get_level_display()}{state}"
            )
            count += 1
        self.stdout.write("共 %(n)s 条。" % {"n": count})

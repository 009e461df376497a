"""``kejiju service sweep`` (mark overdue requests and notify; run it every hour from cron or a timer) and
``kejiju service reindex`` (rebuild the knowledge-base search index) and ``kejiju service rollup [--all]``
(rebuild the statistics roll-up: the months marked dirty, or every month; run it with the sweep)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "服务热线：超时检查（sweep）、重建知识库检索索引（reindex）或重算统计汇总（rollup）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "action",
            choices=["sweep", "reindex", "rollup"],
            help="sweep：超时检查并提醒；reindex：重建检索索引；rollup：重算统计汇总（有变动的月份）",
        )
        parser.add_argument("--all", action="store_true", help="rollup：重算全部月份（批量导入或恢复数据之后）")

    def handle(self, *args: Any, **options: Any) -> None:
        from kejiju.service import services

        if options["action"] == "sweep":
            result = services.sweep()
            self.stdout.write(
                "超时工单 %(overdue)d 件，新超时 %(new)d 件，恢复正常 %(cleared)d 件，发出提醒 %(notified)d 条。"
                % result
            )
        elif options["action"] == "rollup":
            from django.db import connection

            if connection.vendor != "postgresql":
                self.stdout.write("SQLite 数据库不使用统计汇总表，统计直接按工单计算。")
                return
            n = services.stats_rollup_rebuild(everything=options["all"])
            self.stdout.write("已重算 %d 个月的服务统计汇总。" % n)
        else:
            n = services.reindex_articles()
            self.stdout.write("已重建 %d 篇知识库文章的检索索引。" % n)

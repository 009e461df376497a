"""``kejiju service sweep`` (mark overdue requests and notify; run it every hour from cron or a timer) and
``kejiju service reindex`` (rebuild the knowledge-base search index)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "服务热线：超时检查（sweep）或重建知识库检索索引（reindex）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["sweep", "reindex"], help="sweep：超时检查并提醒；reindex：重建检索索引")

    def handle(self, *args: Any, **options: Any) -> None:
        from kejiju.service import services

        if options["action"] == "sweep":
            result = services.sweep()
            self.stdout.write(
                "超时工单 %(overdue)d 件，新超时 %(new)d 件，恢复正常 %(cleared)d 件，发出提醒 %(notified)d 条。"
                % result
            )
        else:
            n = services.reindex_articles()
            self.stdout.write("已重建 %d 篇知识库文章的检索索引。" % n)

"""``kejiju cultivation remind [--date YYYY-MM-DD]``: 高企 renewal reminders and lapses.

Each recognised pipeline entry whose certificate expires within 90 (then 30) days notifies the
enterprise's accounts and the bureau staff of its region once per threshold (idempotent: run it daily
from cron); an entry past its expiry is recorded as 已失效.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kejiju.cultivation.services import pipeline_remind


class Command(BaseCommand):
    help = "企业培育：高企证书到期提醒（到期前 90 天、30 天各一次）并登记已过期的为失效。"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="task", required=True, metavar="{remind}")
        remind = sub.add_parser("remind", help="发送高企到期提醒，登记已过期证书为失效。")
        remind.add_argument("--date", default="", help="按哪一天计算（默认今天），格式 2026-06-01。")

    def handle(self, *args: Any, **options: Any) -> None:
        today = date.today()
        if options.get("date"):
            try:
                today = date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError("日期“%s”无效，格式应为 2026-06-01。" % options["date"], returncode=2) from None
        result = pipeline_remind(actor=None, today=today)
        self.stdout.write("已发送到期提醒 %d 家，登记失效 %d 家。" % (result.reminded, result.lapsed))

"""``kejiju programs remind``: send the progress-report reminders (run daily, e.g. from cron).

    kejiju programs remind [--date 2026-12-01]

Reminders go once within 7 days before a report's due date and then once a week while it is overdue,
to the accounts of the project's organization (in-app, e-mail, SMS adapter). Running twice a day sends
nothing new (each reminder has its own key)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "科技计划与项目的定时任务：remind 发送进展报告到期及逾期提醒。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("task", choices=["remind"], help="remind：发送进展报告提醒")
        parser.add_argument("--date", default="", help="按该日期计算（默认今天，北京时间），格式 2026-12-01")

    def handle(self, *args: Any, **options: Any) -> None:
        from kejiju.programs.services import remind_due_reports

        today = None
        if options["date"]:
            try:
                today = date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError("日期“%s”无效，格式应为 2026-12-01。" % options["date"]) from None
        sent = remind_due_reports(today=today)
        self.stdout.write("已发送提醒 %s 条。" % sent)

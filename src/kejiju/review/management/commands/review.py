"""``kejiju review expire``: invitations past their deadline without an answer become 逾期未答复 and the
next reserve of each item is invited (run it daily, e.g. from cron)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "专家评审的定时任务：expire —— 处理逾期未答复的评审邀请并由备选专家递补。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("task", choices=["expire"], help="expire：处理逾期未答复的邀请。")

    def handle(self, *args: Any, **options: Any) -> None:
        from kejiju.review.services import assignments_expire

        count = assignments_expire()
        self.stdout.write("已处理逾期未答复的评审邀请 %d 份。" % count)

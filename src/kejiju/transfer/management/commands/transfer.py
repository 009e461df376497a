"""``kejiju transfer retokenize``: recompute the matcher's stored tokens of achievements, demands and
persons (experts) (after a restore of an older backup, a load that bypassed the services, or a change of
the stop words or of the segmenter's version); rows already up to date are left alone."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "成果转化：重新计算科技成果、技术需求和人员（专家）的匹配分词（retokenize）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "action",
            choices=["retokenize"],
            help="retokenize：重新分词（恢复旧备份、绕过服务写入数据或调整停用词、分词器版本之后运行）",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from kejiju.transfer import services

        result = services.retokenize()
        self.stdout.write(
            "已检查科技成果 %(achievements)d 项（更新 %(achievements_updated)d 项）、"
            "技术需求 %(demands)d 项（更新 %(demands_updated)d 项）、"
            "人员 %(persons)d 名（更新 %(persons_updated)d 名）的匹配分词。" % result
        )

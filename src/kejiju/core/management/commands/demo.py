"""``kejiju demo``: generate consistent demo data at county, city or province scale."""

from __future__ import annotations

import unicodedata
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kejiju.core.demo import DEFAULT_SEED, SCALES, demo_accounts_table, demo_exists, run_demo
from kejiju.core.errors import BusinessError


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def format_table(rows: list[dict[str, str]]) -> str:
    """A plain-text table aligned for CJK characters (each takes two columns)."""
    if not rows:
        return ""
    headers = list(rows[0])
    widths = {h: max(_width(h), *(_width(r[h]) for r in rows)) for h in headers}
    lines = ["  ".join(_pad(h, widths[h]) for h in headers).rstrip(), "  ".join("-" * widths[h] for h in headers)]
    lines += ["  ".join(_pad(r[h], widths[h]) for h in headers).rstrip() for r in rows]
    return "\n".join(lines)


class Command(BaseCommand):
    help = (
        "生成演示数据（安徽省真实的省、市、县区划代码，生成的乡镇和村、各级科技局及科室、演示账号，"
        "以及各模块登记的演示业务数据）。同一随机种子生成的数据完全相同；重复运行只补充缺少的数据。"
        "规模：county＝天长市；city＝滁州市及所辖 8 个县（市、区）；province＝安徽省全部县（市、区）。"
        "只给 --accounts 时仅打印演示账号表。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", choices=SCALES, help="数据规模：county、city 或 province（默认 city）。")
        parser.add_argument(
            "--seed", type=int, default=DEFAULT_SEED, help="随机种子（默认 %(default)s）；相同种子生成相同数据。"
        )
        parser.add_argument(
            "--if-empty", action="store_true", help="数据库中已有账号或演示数据时不做任何事（首次启动时使用）。"
        )
        parser.add_argument("--accounts", action="store_true", help="打印演示账号、密码、角色和可见范围。")

    def handle(self, *args: Any, **options: Any) -> None:
        scale = options["scale"]
        generate = scale is not None or not options["accounts"]
        if generate:
            if options["if_empty"] and demo_exists():
                self.stdout.write("数据库中已有账号或演示数据，跳过生成演示数据（--if-empty）。")
            else:
                try:
                    run_demo(scale=scale or "city", seed=options["seed"], log=self.stdout.write)
                except BusinessError as exc:
                    raise CommandError("演示数据生成失败：%(msg)s" % {"msg": exc.message}) from exc
        if options["accounts"]:
            rows = demo_accounts_table()
            if not rows:
                self.stdout.write("尚未生成演示账号，请先运行：kejiju demo --scale city")
                return
            self.stdout.write("演示账号（仅用于演示和测试，正式使用前请停用或修改密码）：")
            self.stdout.write(format_table(rows))

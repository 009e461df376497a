"""``kejiju codes load|list``: load the national code tables (or deeper levels from a JSON file)
and print one table."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kejiju.core.choices import CodeKind
from kejiju.core.errors import BusinessError


class Command(BaseCommand):
    help = "代码表：load 载入内置代码表或补充层级（--file），list 列出一张代码表。"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="load|list")
        load = sub.add_parser("load", help="载入内置代码表；--file 载入同格式的补充文件（如二级学科）。")
        load.add_argument("--kind", choices=CodeKind.values, help="代码表：" + "、".join(CodeKind.values))
        load.add_argument("--file", type=Path, help="补充代码 JSON 文件（须同时指定 --kind）。")
        load.add_argument("--user", help="记为操作人的用户名（默认：系统）。")
        show = sub.add_parser("list", help="列出一张代码表。")
        show.add_argument("--kind", choices=CodeKind.values, required=True)
        show.add_argument("--active-only", action="store_true", help="只列出启用的代码。")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "load":
            self._load(options)
        else:
            self._list(options)

    def _load(self, options: dict[str, Any]) -> None:
        from kejiju.core.models import User
        from kejiju.core.services.codes import codes_load

        actor = None
        if options.get("user"):
            actor = User.objects.filter(username=options["user"], is_active=True).first()
            if actor is None:
                raise CommandError("用户“%(u)s”不存在或已停用。" % {"u": options["user"]})
        try:
            result = codes_load(actor=actor, kind=options.get("kind"), extra_file=options.get("file"))
        except BusinessError as exc:
            raise CommandError(exc.message)
        self.stdout.write(self.style.SUCCESS("代码表已载入：新增 %(created)s 条，更新名称 %(updated)s 条。" % result))

    def _list(self, options: dict[str, Any]) -> None:
        from kejiju.core.selectors import code_items

        items = code_items(kind=options["kind"], active_only=options["active_only"])
        count = 0
        for item in items.iterator():
            indent = "  " * (item.level - 1)
            status = "" if item.is_active else "\t（停用）"
            self.stdout.write(f"{indent}{item.code}\t{item.name}{status}")
            count += 1
        self.stdout.write("共 %(n)s 条（%(label)s）。" % {"n": count, "label": CodeKind(options["kind"]).label})

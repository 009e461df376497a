"""``kejiju restore PATH [--yes]``: replace the database and attachment files from a backup."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kejiju.core.errors import BusinessError
from kejiju.core.services.backup import ENGINE_LABELS, backup_inspect, backup_restore, require_archive


class Command(BaseCommand):
    # A backup tool must work even when the site itself does not start (URL or settings errors).
    requires_system_checks: list[str] = []
    help = (
        "从 kejiju backup 生成的备份归档（gzip 压缩的 tar 文件）恢复数据库和全部附件。恢复前逐一校验清单、"
        "每个文件的 SHA-256 和数据库文件；任何一项不符、或备份的数据库类型与当前不同，都拒绝恢复且不做任何更改。"
        "恢复会覆盖当前的全部数据：请先停止平台服务。没有 --yes 时要求在终端中确认。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="备份文件路径。")
        parser.add_argument("--yes", action="store_true", help="不再询问，直接恢复（用于脚本）。")

    def handle(self, *args: Any, **options: Any) -> None:
        path = options["path"]
        try:
            if not options["yes"]:
                self._confirm(path)
            result = backup_restore(actor=None, path=path)
        except BusinessError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            "恢复完成：%(path)s（备份于 %(created)s，kejiju %(version)s）\n  数据库（%(engine)s）已恢复，附件文件 %(n)s 个。"
            % {
                "path": result.path,
                "created": result.created_at,
                "version": result.kejiju_version,
                "engine": ENGINE_LABELS[result.engine],
                "n": result.files,
            }
        )
        if result.pending_migrations:
            self.stdout.write(
                "备份早于当前程序版本，还有 %(n)s 个数据库迁移未应用，请运行：kejiju migrate"
                % {"n": len(result.pending_migrations)}
            )

    def _confirm(self, path: str) -> None:
        require_archive(path)
        if not sys.stdin or not sys.stdin.isatty():
            raise CommandError(
                "恢复备份会覆盖当前的数据库和全部附件，需要确认：请在终端中运行，或加 --yes 参数。未做任何更改。"
            )
        manifest = backup_inspect(path=path)
        self.stdout.write(
            "备份时间 %(created)s，kejiju %(version)s，数据库 %(engine)s，文件 %(n)s 个。"
            % {
                "created": manifest.get("created_at", ""),
                "version": manifest.get("kejiju_version", ""),
                "engine": ENGINE_LABELS.get(manifest["database"]["engine"], manifest["database"]["engine"]),
                "n": len(manifest["files"]),
            }
        )
        self.stdout.write("恢复会用备份覆盖当前的全部数据和附件，此操作不可撤销。")
        answer = input("确认恢复请输入 yes：")
        if answer.strip().lower() not in ("yes", "y", "是"):
            raise CommandError("已取消恢复，未做任何更改。")

"""``kejiju backup PATH``: one archive with the database and every attachment file."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kejiju.core.errors import BusinessError
from kejiju.core.services.backup import ENGINE_LABELS, backup_create


def human_size(size: int) -> str:
    """Bytes as B / KB / MB / GB with one decimal."""
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return "%d %s" % (value, unit) if unit == "B" else "%.1f %s" % (value, unit)
        value /= 1024
    return "%d B" % size


class Command(BaseCommand):
    # A backup tool must work even when the site itself does not start (URL or settings errors).
    requires_system_checks: list[str] = []
    help = (
        "把数据库和全部附件备份为一个 gzip 压缩的 tar 归档（建议以 .tar.gz 结尾）。归档内容："
        "manifest.json（kejiju 版本、备份时间、数据库类型、已应用的数据库迁移、每个文件的 SHA-256 和大小），"
        "database/（SQLite 为运行中在线备份的一致副本 kejiju.sqlite3；PostgreSQL 为 pg_dump --format=custom "
        "导出的 kejiju.pgdump，需要安装 postgresql-client），files/（KEJIJU_FILES_DIR 下的全部附件文件）。"
        "备份时平台可以照常运行。用 kejiju restore 恢复。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="备份文件路径，如 /srv/backup/kejiju-20260101.tar.gz。")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = backup_create(actor=None, path=options["path"])
        except BusinessError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            "备份完成：%(path)s\n  大小 %(size)s，SHA-256 %(sha)s\n  数据库（%(engine)s）%(db)s，附件文件 %(n)s 个"
            "（%(fsize)s）。"
            % {
                "path": result.path,
                "size": human_size(result.size),
                "sha": result.sha256,
                "engine": ENGINE_LABELS[result.engine],
                "db": human_size(result.database_bytes),
                "n": result.files,
                "fsize": human_size(result.files_bytes),
            }
        )

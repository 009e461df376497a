"""``kejiju attachments prune [--older-than-hours 24] [--dry-run]``: delete orphan files of the
attachment store (no attachment row names them, or ``.part`` leftovers of interrupted uploads)
older than the grace period. Run daily from cron.

Bad options stop with a Chinese message and exit status 2, having deleted nothing.
"""

from __future__ import annotations

import re
import sys
from typing import Any, NoReturn

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kejiju.core.errors import BusinessError
from kejiju.core.management.commands.backup import human_size
from kejiju.core.services.attachments import (
    PRUNE_DEFAULT_HOURS,
    PRUNE_MAX_HOURS,
    PRUNE_MIN_HOURS,
    attachment_prune,
)

USAGE = "kejiju attachments prune [--older-than-hours 小时数] [--dry-run]"

_REQUIRED = re.compile(r"the following arguments are required: (.+)")
_UNKNOWN = re.compile(r"unrecognized arguments: (.+)")
_CHOICE = re.compile(r"argument \S+: invalid choice: '?([^' ]*)'?")
_ONE_ARG = re.compile(r"argument (\S+): expected one argument")


def _chinese(message: str) -> str:
    """argparse's message in Chinese (it has no Chinese catalogue)."""
    if match := _REQUIRED.match(message):
        what = "子命令（prune）" if match.group(1) in ("action", "{prune}") else match.group(1)
        return "缺少%(what)s。" % {"what": what}
    if match := _UNKNOWN.match(message):
        return "无法识别的参数：%(args)s。" % {"args": match.group(1)}
    if match := _CHOICE.match(message):
        return "未知的子命令“%(name)s”，可用：prune。" % {"name": match.group(1)}
    if match := _ONE_ARG.match(message):
        return "参数 %(opt)s 后面缺少取值。" % {"opt": match.group(1).split("/")[0]}
    return "参数有误（%(detail)s）。" % {"detail": message}


class _Parser(CommandParser):
    """Bad options: a Chinese message and exit status 2, on the command line and in
    ``call_command`` alike."""

    def error(self, message: str) -> NoReturn:
        text = "%(msg)s用法：%(usage)s" % {"msg": _chinese(message), "usage": USAGE}
        if self.called_from_command_line:
            sys.stderr.write("错误：" + text + "\n")
            sys.exit(2)
        raise CommandError(text, returncode=2)


class Command(BaseCommand):
    # A maintenance tool: it must work even when the site itself does not start.
    requires_system_checks: list[str] = []
    help = (
        "附件文件维护：prune 删除附件存储目录中没有任何附件记录（含已归档和修改历史）引用的文件，"
        "以及上传中断留下的临时文件（.part），只删除超过宽限时间（默认 24 小时）未修改的文件；"
        "--dry-run 只统计不删除。建议每天运行一次。"
    )

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.__class__ = _Parser  # same state, Chinese errors; its subparsers take the class too
        return parser

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="{prune}", parser_class=_Parser)
        prune = sub.add_parser("prune", help="删除没有附件记录引用的孤立文件和上传中断留下的临时文件。")
        prune.add_argument(
            "--older-than-hours",
            default=str(PRUNE_DEFAULT_HOURS),
            metavar="小时数",
            help="宽限时间：只处理超过这么多小时未修改的文件（%(lo)s 到 %(hi)s 的整数，默认 %(d)s）。"
            % {"lo": PRUNE_MIN_HOURS, "hi": PRUNE_MAX_HOURS, "d": PRUNE_DEFAULT_HOURS},
        )
        prune.add_argument("--dry-run", action="store_true", help="只列出将删除的文件数和大小，不删除。")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = attachment_prune(
                actor=None, older_than_hours=options["older_than_hours"], dry_run=options["dry_run"]
            )
        except BusinessError as exc:
            raise CommandError(
                "%(field)s%(msg)s未删除任何文件。"
                % {"field": "--older-than-hours：" if exc.field == "older_than_hours" else "", "msg": exc.message},
                returncode=2 if exc.code == "invalid" else 1,
            ) from exc
        values = {
            "hours": result.older_than_hours,
            "checked": result.checked,
            "young": result.young,
            "orphans": result.orphans,
            "orphan_size": human_size(result.orphan_bytes),
            "partials": result.partials,
            "partial_size": human_size(result.partial_bytes),
            "deleted": result.deleted,
            "deleted_size": human_size(result.deleted_bytes),
            "deleted_bytes": result.deleted_bytes,
            "failed": result.failed,
        }
        self.stdout.write(
            "检查附件文件 %(checked)s 个，其中 %(young)s 个在宽限时间（%(hours)s 小时）内，未处理。\n"
            "  无附件记录引用的文件 %(orphans)s 个（%(orphan_size)s），上传中断留下的临时文件 %(partials)s 个"
            "（%(partial_size)s）。" % values
        )
        if result.dry_run:
            self.stdout.write("试运行（--dry-run）：未删除任何文件。")
            return
        self.stdout.write("已删除 %(deleted)s 个文件，释放 %(deleted_size)s（%(deleted_bytes)s 字节）。" % values)
        if result.failed:
            self.stderr.write("有 %(failed)s 个文件删除失败（权限不足？），详见日志。" % values)

"""``kejiju assign``: assign review experts to applications from a JSON instance, without the database.

    kejiju assign --input INSTANCE.json --output RESULT.json

The instance (format: docs/modules/assignment.md) gives the mode — ``optimal`` (maximum total affinity) or
``draw`` (随机抽取, reproducible from the supervisor's nonce) — the experts, the applications, the conflicts
and optionally the affinity. Any problem in the input stops the command with a Chinese list of every problem,
and nothing is written (exit code 2). When no feasible assignment exists the result (status "infeasible", no assignment,
the shortfall per application) is still written, and the command exits with code 1 naming the shortfalls.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kejiju.engines.assignment import InstanceError, instance_from_dict, result_to_dict, solve

BAD_INPUT = 2  # malformed or unreadable instance: nothing written
INFEASIBLE = 1  # no feasible assignment: the explanation is written


def _write_atomically(path: Path, data: bytes) -> None:
    """Write through a temporary file in the same directory, so a failure never leaves half a file."""
    handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=".kejiju-", suffix=path.suffix)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class Command(BaseCommand):
    help = "评审专家分配：按相关度最优分配（optimal）或可复现的随机抽取（draw），输入输出均为 JSON。"
    requires_system_checks: list[str] = []  # pure computation: no database needed

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--input", required=True, help="分配实例 JSON 文件（格式见 docs/modules/assignment.md）。")
        parser.add_argument("--output", required=True, help="输出结果 JSON 文件路径。")

    def handle(self, *args: Any, **options: Any) -> None:
        source, output = Path(options["input"]), Path(options["output"])
        if not source.is_file():
            raise CommandError("输入文件“%(f)s”不存在或不是文件。" % {"f": source}, returncode=BAD_INPUT)
        if output.is_dir():
            raise CommandError("输出路径“%(f)s”是目录，不是文件。" % {"f": output}, returncode=BAD_INPUT)
        if not output.parent.is_dir():
            raise CommandError("输出文件所在的目录“%(d)s”不存在。" % {"d": output.parent}, returncode=BAD_INPUT)
        try:
            text = source.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            raise CommandError(
                "输入文件“%(f)s”不是 UTF-8 编码的文本，请另存为 UTF-8 后重试。" % {"f": source}, returncode=BAD_INPUT
            )
        except OSError:
            raise CommandError("无法读取输入文件“%(f)s”。" % {"f": source}, returncode=BAD_INPUT)
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise CommandError(
                "输入文件“%(f)s”不是合法的 JSON（第 %(line)d 行第 %(col)d 列附近），未写入任何文件。"
                % {"f": source, "line": exc.lineno, "col": exc.colno},
                returncode=BAD_INPUT,
            )
        try:
            instance = instance_from_dict(data)
        except InstanceError as exc:
            lines = "\n".join("  %(n)d. %(p)s" % {"n": n, "p": p} for n, p in enumerate(exc.problems, start=1))
            raise CommandError(
                "分配实例有误，共 %(n)d 处，未写入任何文件：\n%(lines)s" % {"n": len(exc.problems), "lines": lines},
                returncode=BAD_INPUT,
            )
        result = solve(instance)
        payload = json.dumps(result_to_dict(result), ensure_ascii=False, indent=2) + "\n"
        _write_atomically(output, payload.encode("utf-8"))
        if result.status != "ok":
            lines = "\n".join(
                "  %(who)s：缺 %(m)d，%(r)s"
                % {
                    "who": ("项目“%s”" % s.application) if s.application is not None else ("专家“%s”" % s.expert),
                    "m": s.missing,
                    "r": s.reason,
                }
                for s in result.shortfall
            )
            raise CommandError(
                "不存在可行的分配方案，未作任何分配（说明已写入 %(f)s）：\n%(lines)s" % {"f": output, "lines": lines},
                returncode=INFEASIBLE,
            )
        for warning in result.warnings:
            self.stderr.write(warning)
        summary = "已完成%(mode)s：%(a)d 个项目，%(n)d 人次评审，%(r)d 名备选；结果已写入 %(f)s。" % {
            "mode": "最优分配" if instance.mode == "optimal" else "随机抽取",
            "a": len(instance.applications),
            "n": len(result.assignments),
            "r": len(result.reserves),
            "f": output,
        }
        if result.bound is not None:
            summary += "总相关度 %(o).6f，上界 %(b).6f。" % {"o": result.objective or 0.0, "b": result.bound}
        summary += "随机种子摘要 %(d)s。" % {"d": result.seed_digest}
        self.stdout.write(self.style.SUCCESS(summary))

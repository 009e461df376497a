"""``kejiju evaluate``: run the 科技型中小企业 or 高新技术企业 rule engine over a JSON file, without the database.

    kejiju evaluate tech-sme --input IN.json --output OUT.json [--rule-version 2017-115]
    kejiju evaluate hnte --input IN.json --output OUT.json [--rule-version 2016-32]

IN is a JSON array of records, OUT the array of results in the same order (formats in
docs/modules/evaluation.md). Decimal numbers in IN are read as written (``Decimal``, never float). Any
problem — unreadable file, bad JSON, a missing field, a wrong type, a duplicate id — stops the command with
a Chinese list naming each record id and field, and no output file is written.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kejiju.cultivation.gaps import exponent_problems
from kejiju.engines import hnte, tech_sme
from kejiju.engines.tech_sme import InputError, Problem

#: kind → (Chinese name, from_json, evaluate, to_json)
ENGINES: dict[str, tuple[str, Callable[[object, int], Any], Callable[..., Any], Callable[[Any], dict[str, Any]]]] = {
    "tech-sme": ("科技型中小企业评价", tech_sme.from_json, tech_sme.evaluate, tech_sme.to_json),
    "hnte": ("高新技术企业认定", hnte.from_json, hnte.evaluate, hnte.to_json),
}
#: kind → the engine's JSON → JSON path for plain records (None when a record needs the full reader)
FAST: dict[str, Callable[[object, str], dict[str, Any] | None]] = {
    "tech-sme": tech_sme.evaluate_json,
    "hnte": hnte.evaluate_json,
}
#: kind → (default rule version, every known version)
VERSIONS: dict[str, tuple[str, list[str]]] = {
    "tech-sme": (tech_sme.RULE_VERSION, sorted(tech_sme.VERSIONS)),
    "hnte": (hnte.RULE_VERSION, sorted(hnte.VERSIONS)),
}
MAX_LISTED = 50


def _problem_list(problems: list[Problem]) -> str:
    shown = [f"  {n}. {p}" for n, p in enumerate(problems[:MAX_LISTED], start=1)]
    if len(problems) > MAX_LISTED:
        shown.append("  …… 另有 %(n)d 处未列出。" % {"n": len(problems) - MAX_LISTED})
    return "输入数据有误，共 %(n)d 处，未写入输出文件：\n%(lines)s" % {"n": len(problems), "lines": "\n".join(shown)}


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


#: With ``--jobs N`` (N > 1) and at least this many records, the records are shared out in chunks over N
#: worker processes (the engines are pure, the order of OUT is kept). The default is one process.
PARALLEL_FROM = 4000
CHUNK = 2000

Outcome = tuple[str | None, list[Problem], dict[str, Any] | None]


def _evaluate_chunk(kind: str, version: str, start: int, items: list[Any]) -> list[Outcome]:
    """Validate and evaluate ``items`` (record ``start`` onwards): per record its id (None when unreadable),
    its problems and its OUT record (None when it has problems). Validation problems stop a record before
    evaluation; contradictions found by the engine are problems too."""
    _name, from_json, evaluate, to_json = ENGINES[kind]
    fast = FAST[kind]
    out: list[Outcome] = []
    append = out.append
    for offset, item in enumerate(items):
        result = fast(item, version)
        if result is not None:  # a plain, valid record: evaluated straight from the JSON
            append((str(result["id"]), [], result))
            continue
        index = start + offset
        exponent = exponent_problems(kind, item, index)
        if exponent:
            out.append((None, exponent, None))
            continue
        try:
            record = from_json(item, index)
        except InputError as exc:
            out.append((None, list(exc.problems), None))
            continue
        try:
            out.append((str(record.id), [], to_json(evaluate(record, version=version))))
        except InputError as exc:
            out.append((str(record.id), list(exc.problems), None))
    return out


def _evaluate_all(kind: str, version: str, data: list[Any], jobs: int = 1) -> list[Outcome]:
    workers = min(jobs, os.cpu_count() or 1)
    if len(data) < PARALLEL_FROM or workers < 2:
        return _evaluate_chunk(kind, version, 0, data)
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    starts = range(0, len(data), CHUNK)
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork")) as pool:
        chunks = pool.map(
            _evaluate_chunk,
            [kind] * len(starts),
            [version] * len(starts),
            list(starts),
            [data[s : s + CHUNK] for s in starts],
        )
        return [outcome for chunk in chunks for outcome in chunk]


def _fail(message: str) -> CommandError:
    """Bad input exits with status 2 (usage/data error), like argparse."""
    return CommandError(message, returncode=2)


def _reject_constant(name: str) -> object:
    raise ValueError("JSON 中不允许出现 %(n)s。" % {"n": name})


class Command(BaseCommand):
    help = "科技型中小企业评价或高新技术企业认定条件测算：读入 JSON 记录数组，写出逐条评价结果 JSON。"
    requires_system_checks: list[str] = []  # pure engines; needs no database

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="kind", required=True, metavar="{tech-sme,hnte}")
        for kind, (name, *_rest) in ENGINES.items():
            default, versions = VERSIONS[kind]
            p = sub.add_parser(kind, help="%(n)s（输入输出格式见 docs/modules/evaluation.md）。" % {"n": name})
            p.add_argument("--input", required=True, help="输入的 JSON 文件：记录数组。")
            p.add_argument("--output", required=True, help="输出的 JSON 文件路径。")
            p.add_argument(
                "--rule-version",
                default=default,
                choices=versions,
                help="规则版本（默认 %(default)s，即现行版本）。",
            )
            p.add_argument(
                "--jobs",
                type=int,
                default=1,
                help="并行进程数（默认 1；记录很多且有多个 CPU 时可设为 CPU 数）。",
            )

    def handle(self, *args: Any, **options: Any) -> None:
        kind: str = options["kind"]
        name, from_json, evaluate, to_json = ENGINES[kind]
        source, output = Path(options["input"]), Path(options["output"])
        if not source.is_file():
            raise _fail("输入文件“%(f)s”不存在或不是文件。" % {"f": source})
        if output.is_dir():
            raise _fail("“%(f)s”是目录，不是文件。" % {"f": output})
        if not output.parent.is_dir():
            raise _fail("输出文件所在的目录“%(d)s”不存在。" % {"d": output.parent})
        try:
            text = source.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            raise _fail("输入文件“%(f)s”不是 UTF-8 编码的文本，请另存为 UTF-8 后重试。" % {"f": source})
        except OSError:
            raise _fail("无法读取输入文件“%(f)s”。" % {"f": source})
        try:
            # Decimals as written: 12.5 becomes Decimal("12.5"), never a float.
            data = json.loads(text, parse_float=Decimal, parse_constant=_reject_constant)
        except json.JSONDecodeError as exc:
            raise _fail(
                "输入文件“%(f)s”不是有效的 JSON：第 %(l)d 行第 %(c)d 列附近有误。"
                % {"f": source, "l": exc.lineno, "c": exc.colno}
            )
        except ValueError as exc:
            raise _fail("输入文件“%(f)s”不是有效的 JSON：%(m)s" % {"f": source, "m": exc})
        if not isinstance(data, list):
            raise _fail("输入文件“%(f)s”应为 JSON 数组（每个元素是一条记录）。" % {"f": source})

        problems: list[Problem] = []
        seen: set[str] = set()
        results: list[dict[str, Any]] = []
        jobs = options.get("jobs") or 1
        if jobs < 1:
            raise _fail("--jobs 应为正整数，实际为 %(j)d。" % {"j": jobs})
        for key, item_problems, result in _evaluate_all(kind, options["rule_version"], data, jobs):
            problems.extend(item_problems)
            if key is not None:
                if key in seen:
                    problems.append(Problem("记录“%s”" % key, "id（记录编号）", "与前面的记录重复。"))
                seen.add(key)
            if result is not None:
                results.append(result)
        if problems:
            raise _fail(_problem_list(problems))
        # one record per line: readable, and the C JSON encoder (an indented dump runs the slow pure-Python one)
        encode = json.JSONEncoder(ensure_ascii=False).encode  # one encoder, not one per record
        lines = ",\n".join(map(encode, results))
        body = "[\n" + lines + ("\n" if lines else "") + "]\n"
        _write_atomically(output, body.encode("utf-8"))
        passed = sum(1 for r in results if r["passed"] is True)
        pending = sum(1 for r in results if r["passed"] is None)
        summary = "%(name)s：共 %(n)d 条，通过 %(p)d 条" % {"name": name, "n": len(results), "p": passed}
        if kind == "hnte":
            summary += "，待专家评分 %(e)d 条" % {"e": pending}
        self.stdout.write(self.style.SUCCESS("%(s)s；结果已写入 %(f)s。" % {"s": summary, "f": output}))

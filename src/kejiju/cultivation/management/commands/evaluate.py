"""``kejiju evaluate``: run the 科技型中小企业 or 高新技术企业 rule engine over a JSON file, without the database.

    kejiju evaluate tech-sme --input IN.json --output OUT.json [--rule-version 2017-115]
    kejiju evaluate hnte --input IN.json --output OUT.json [--rule-version 2016-32]

IN is a JSON array of records, OUT the array of results in the same order (formats in
docs/modules/evaluation.md). Decimal numbers in IN are read as written (``Decimal``, never float). Any
problem — unreadable file, bad JSON, a missing field, a wrong type, a duplicate id — stops the command with
a Chinese list naming each record id and field, and no output file is written.
"""

from __future__ import annotations

import gc
import json
import os
import tempfile
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any, NamedTuple

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kejiju.cultivation.gaps import exponent_problems
from kejiju.engines import hnte, tech_sme
from kejiju.engines.tech_sme import InputError, Problem

#: kind → (Chinese name, from_json, evaluate, to_json)
ENGINES: dict[str, tuple[str, Callable[[object, int], Any], Callable[..., Any], Callable[[Any], dict[str, Any]]]] = {
    "tech-sme": ("科技型中小企业评价", tech_sme.from_json, tech_sme.evaluate, tech_sme.to_json),
    "hnte": ("高新技术企业认定", hnte.from_json, hnte.evaluate, hnte.to_json),
}
#: kind → the engine's JSON → JSON path for plain records: (id, passed, OUT record as JSON text), the text
#: exactly ``ENCODE[kind]`` of the result (None when a record needs the full reader)
TEXT: dict[str, Callable[[object, str], tuple[str, bool | None, str] | None]] = {
    "tech-sme": tech_sme.evaluate_json_text,
    "hnte": hnte.evaluate_json_text,
}
#: kind → the encoder of one OUT record (the C JSON encoder; UTF-8 text, not ASCII escapes)
ENCODE: dict[str, Callable[[Any], str]] = {"tech-sme": tech_sme.encode_out, "hnte": hnte.encode_out}
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


#: With ``--jobs N`` (N > 1) and at least this many records, the records are shared out in chunks over N
#: worker processes (the engines are pure, the order of OUT is kept). Without ``--jobs``: one worker per
#: usable CPU, at most ``DEFAULT_JOBS_MAX`` (one CPU: no workers, the records are evaluated in this process).
PARALLEL_FROM = 4000
DEFAULT_JOBS_MAX = 4
#: Records per chunk: the unit of work of a worker and of each write to the OUT file.
CHUNK = 2000

Outcome = tuple[str | None, list[Problem], dict[str, Any] | None]


def _full_reader(kind: str, version: str, index: int, item: Any) -> Outcome:
    """One record through ``from_json`` → ``evaluate`` → ``to_json`` (anything the JSON path leaves)."""
    _name, from_json, evaluate, to_json = ENGINES[kind]
    exponent = exponent_problems(kind, item, index)
    if exponent:
        return None, exponent, None
    try:
        record = from_json(item, index)
    except InputError as exc:
        return None, list(exc.problems), None
    try:
        return str(record.id), [], to_json(evaluate(record, version=version))
    except InputError as exc:
        return str(record.id), list(exc.problems), None


class Chunk(NamedTuple):
    """What the command needs of a run of records: per record its id (None when unreadable), every problem,
    and — only when there is none — the records' OUT lines as UTF-8 (joined by ",\\n") with the counts of
    passed and of pending (``passed`` is null) results."""

    keys: list[str | None]
    problems: list[tuple[int, list[Problem]]]
    body: bytes
    passed: int
    pending: int


def _text_chunk(kind: str, version: str, start: int, items: list[Any]) -> Chunk:
    """Validate and evaluate ``items`` (record ``start`` onwards). Plain, valid records take the engine's JSON
    → JSON text path; anything else the full reader (validation problems stop a record before evaluation;
    contradictions found by the engine are problems too). Each OUT record is the text ``ENCODE[kind]`` gives
    for it; ``problems`` holds (position in the chunk, that record's problems)."""
    fast = TEXT[kind]
    encode = ENCODE[kind]
    keys: list[str | None] = []
    problems: list[tuple[int, list[Problem]]] = []
    lines: list[str] = []
    passed = pending = 0
    key: str | None
    for offset, item in enumerate(items):
        done = fast(item, version)
        if done is not None:
            key, result_passed, text = done
        else:
            key, item_problems, result = _full_reader(kind, version, start + offset, item)
            if item_problems:
                keys.append(key)
                problems.append((offset, item_problems))
                continue
            assert result is not None
            result_passed, text = result["passed"], encode(result)
        keys.append(key)
        if not problems:
            lines.append(text)
            if result_passed is True:
                passed += 1
            elif result_passed is None:
                pending += 1
    body = b"" if problems else ",\n".join(lines).encode("utf-8")
    return Chunk(keys, problems, body, passed, pending)


#: The records of a parallel run, set in each worker process (inherited, not copied through a pipe).
_SHARED: tuple[str, str, list[Any]] | None = None


def _share(kind: str, version: str, data: list[Any]) -> None:
    global _SHARED
    _SHARED = (kind, version, data)


def _shared_chunk(start: int) -> Chunk:
    assert _SHARED is not None
    kind, version, data = _SHARED
    return _text_chunk(kind, version, start, data[start : start + CHUNK])


def _usable_cpus() -> int:
    """CPUs this process may run on (its affinity, where the system tells it), at least 1."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


def _chunks(kind: str, version: str, data: list[Any], jobs: int = 1) -> Iterator[Chunk]:
    """The chunks of ``data`` in order, evaluated here or by ``jobs`` forked worker processes."""
    starts = range(0, len(data), CHUNK)
    workers = min(jobs, _usable_cpus(), len(starts))
    if len(data) < PARALLEL_FROM or workers < 2:
        for start in starts:
            yield _text_chunk(kind, version, start, data[start : start + CHUNK])
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_share, initargs=(kind, version, data)) as pool:
        yield from pool.map(_shared_chunk, starts)


def _write_chunks(path: Path, chunks: Iterator[Chunk]) -> tuple[list[Problem], int, int, int]:
    """Write the OUT array to a temporary file beside ``path`` while the chunks come in; replace ``path`` only
    when no record has a problem (otherwise, or on any failure, the temporary file is removed and ``path`` is
    left as it was). Returns (problems, records written, passed, pending)."""
    problems: list[Problem] = []
    seen: set[str] = set()
    written = passed = pending = 0
    handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=".kejiju-", suffix=path.suffix)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(b"[\n")
            for chunk in chunks:
                flagged = iter(chunk.problems)
                at, found = next(flagged, (-1, []))
                for offset, key in enumerate(chunk.keys):
                    if offset == at:  # the record's own problems, then a duplicate id: in record order
                        problems.extend(found)
                        at, found = next(flagged, (-1, []))
                    if key is not None:
                        if key in seen:
                            problems.append(Problem("记录“%s”" % key, "id（记录编号）", "与前面的记录重复。"))
                        seen.add(key)
                if problems or not chunk.keys:
                    continue
                if written:
                    out.write(b",\n")
                out.write(chunk.body)
                written += len(chunk.keys)
                passed += chunk.passed
                pending += chunk.pending
            out.write(b"\n]\n" if written else b"]\n")
        if problems:
            Path(tmp).unlink()
        else:
            os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return problems, written, passed, pending


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
                default=None,
                help=(
                    "并行进程数（默认按可用 CPU 数，最多 4 个；设为 1 则只用一个进程）。"
                    "记录少于 4,000 条时总在一个进程内计算。"
                ),
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

        jobs = options.get("jobs")
        if jobs is None:
            jobs = min(DEFAULT_JOBS_MAX, _usable_cpus())
        if jobs < 1:
            raise _fail("--jobs 应为正整数，实际为 %(j)d。" % {"j": jobs})
        del text
        # The records and results hold no reference cycles: the cyclic collector, which would walk the
        # millions of parsed objects again and again, is paused for the run (memory is freed by reference
        # counting as usual).
        collecting = gc.isenabled()
        gc.disable()
        try:
            problems, count, passed, pending = _write_chunks(output, _chunks(kind, options["rule_version"], data, jobs))
        finally:
            if collecting:
                gc.enable()
        if problems:
            raise _fail(_problem_list(problems))
        summary = "%(name)s：共 %(n)d 条，通过 %(p)d 条" % {"name": name, "n": count, "p": passed}
        if kind == "hnte":
            summary += "，待专家评分 %(e)d 条" % {"e": pending}
        self.stdout.write(self.style.SUCCESS("%(s)s；结果已写入 %(f)s。" % {"s": summary, "f": output}))

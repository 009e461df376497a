"""``kejiju evaluate`` on many records: the OUT file written chunk by chunk is, byte for byte, one encoded
record per line; a problem anywhere (even after chunks were written) leaves no file behind; the problems
keep the records' order; the number of worker processes; the cyclic collector is back on afterwards."""

from __future__ import annotations

import gc
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from kejiju.cultivation.management.commands import evaluate
from kejiju.engines import hnte, tech_sme

from .test_evaluate_cli import EXPERTS, HNTE, TECH_SME


def _hnte_records(n: int) -> list[dict[str, Any]]:
    """Plain records (the JSON path) mixed with ones only the full reader takes (expert scores, a padded
    amount, a JSON decimal number): the OUT file must not show which path a record took."""
    records: list[dict[str, Any]] = []
    for i in range(n):
        record: dict[str, Any] = {**HNTE, "id": "H%03d" % i, "employees": 50 + i, "conversions": i % 17}
        if i % 5 == 1:
            record.update(expert_scores=EXPERTS, conversions=12 + i % 3)  # scores inside band B
        elif i % 5 == 2:
            record["total_revenue"] = " 1000"
        elif i % 5 == 3:
            record["sales"] = ["30000000.5", "40000000", 50000000]
        records.append(record)
    return records


def _expected(kind: str, records: list[dict[str, Any]], raw: str) -> str:
    """What the command wrote before it wrote in chunks: ``encode_out`` of each OUT record, one per line."""
    engine = hnte if kind == "hnte" else tech_sme
    outs = [engine.to_json(engine.evaluate(engine.from_json(item, n))) for n, item in enumerate(records)]
    assert json.loads(raw) == json.loads(json.dumps(outs))  # also parses back to the same records
    lines = ",\n".join(engine.encode_out(out) for out in outs)
    return "[\n" + lines + ("\n" if lines else "") + "]\n"


def _run(kind: str, src: Path, out: Path, *extra: str) -> str:
    buffer = io.StringIO()
    call_command("evaluate", kind, "--input", str(src), "--output", str(out), *extra, stdout=buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_chunked_output_is_the_encoded_records(tmp_path, monkeypatch, jobs):
    monkeypatch.setattr(evaluate, "CHUNK", 4)
    monkeypatch.setattr(evaluate, "PARALLEL_FROM", 2)
    records = _hnte_records(23)
    src, out = tmp_path / "in.json", tmp_path / "out.json"
    src.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    message = _run("hnte", src, out, "--jobs", jobs)
    raw = out.read_text(encoding="utf-8")
    assert raw == _expected("hnte", records, raw)
    results = json.loads(raw)
    passed = sum(1 for r in results if r["passed"] is True)
    pending = sum(1 for r in results if r["passed"] is None)
    assert "共 23 条，通过 %d 条，待专家评分 %d 条" % (passed, pending) in message
    assert passed and pending  # both counts are exercised


def test_tech_sme_chunks_and_empty_array(tmp_path, monkeypatch):
    monkeypatch.setattr(evaluate, "CHUNK", 3)
    records = [{**TECH_SME, "id": n, "tech_staff": n % 40, "rd_expense": "%d.5" % (n * 100_000)} for n in range(10)]
    src, out = tmp_path / "in.json", tmp_path / "out.json"
    src.write_text(json.dumps(records), encoding="utf-8")
    _run("tech-sme", src, out, "--jobs", "1")
    raw = out.read_text(encoding="utf-8")
    assert raw == _expected("tech-sme", records, raw)
    src.write_text("[]", encoding="utf-8")
    assert "共 0 条，通过 0 条" in _run("tech-sme", src, out)
    assert out.read_text(encoding="utf-8") == "[\n]\n"


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_problem_after_written_chunks_leaves_old_file_and_no_temporary(tmp_path, monkeypatch, jobs):
    monkeypatch.setattr(evaluate, "CHUNK", 3)
    monkeypatch.setattr(evaluate, "PARALLEL_FROM", 2)
    records = _hnte_records(20)
    records[17]["tech_staff"] = 10_000  # the sixth chunk: five were already written to the temporary file
    src, out = tmp_path / "in.json", tmp_path / "out.json"
    src.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    out.write_text("earlier results", encoding="utf-8")
    with pytest.raises(CommandError) as caught:
        _run("hnte", src, out, "--jobs", jobs)
    assert "记录“H017”" in str(caught.value) and "tech_staff" in str(caught.value)
    assert out.read_text(encoding="utf-8") == "earlier results"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.json", "out.json"]


def test_problems_are_listed_in_record_order_across_chunks(tmp_path, monkeypatch):
    monkeypatch.setattr(evaluate, "CHUNK", 2)
    records = [{**TECH_SME, "id": "S%d" % n} for n in range(6)]
    records[1]["id"] = "S0"  # duplicate (first chunk)
    records[2]["employees"] = "many"  # own problem (second chunk)
    records[3]["id"] = "S0"  # duplicate (second chunk, after the record before it)
    records[5]["tech_staff"] = 1000  # own problem (third chunk)
    src, out = tmp_path / "in.json", tmp_path / "out.json"
    src.write_text(json.dumps(records), encoding="utf-8")
    with pytest.raises(CommandError) as caught:
        _run("tech-sme", src, out)
    lines = str(caught.value).splitlines()[1:]
    assert [line.split("的字段")[0].split(". ", 1)[1] for line in lines] == [
        "记录“S0”",
        "记录“S2”",
        "记录“S0”",
        "记录“S5”",
    ]
    assert "重复" in lines[0] and "employees" in lines[1] and "重复" in lines[2] and "tech_staff" in lines[3]
    assert not out.exists()


def test_default_jobs_follow_the_usable_cpus(tmp_path, monkeypatch):
    seen: list[int] = []
    chunks = evaluate._chunks

    def spy(kind: str, version: str, data: list[Any], jobs: int = 1) -> Any:
        seen.append(jobs)
        return chunks(kind, version, data, jobs)

    monkeypatch.setattr(evaluate, "_chunks", spy)
    src, out = tmp_path / "in.json", tmp_path / "out.json"
    src.write_text(json.dumps([TECH_SME]), encoding="utf-8")
    for cpus in (1, 2, 16):
        monkeypatch.setattr(evaluate, "_usable_cpus", lambda cpus=cpus: cpus)
        _run("tech-sme", src, out)
    _run("tech-sme", src, out, "--jobs", "3")
    assert evaluate.DEFAULT_JOBS_MAX == 4 and seen == [1, 2, 4, 3]
    with pytest.raises(CommandError, match="--jobs 应为正整数"):
        _run("tech-sme", src, out, "--jobs", "0")


def test_cyclic_collector_is_back_on_after_success_and_failure(tmp_path):
    assert gc.isenabled()
    src, out = tmp_path / "in.json", tmp_path / "out.json"
    src.write_text(json.dumps([TECH_SME]), encoding="utf-8")
    _run("tech-sme", src, out)
    assert gc.isenabled()
    src.write_text(json.dumps([{**TECH_SME, "employees": -1}]), encoding="utf-8")
    with pytest.raises(CommandError):
        _run("tech-sme", src, out)
    assert gc.isenabled()

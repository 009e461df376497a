"""``kejiju evaluate tech-sme|hnte``: file round trip, the exact OUT shape, and Chinese errors that write nothing."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

TECH_SME = {
    "id": "S1",
    "registered_in_mainland": True,
    "restricted_industry": False,
    "bad_record": False,
    "employees": 100,
    "tech_staff": 30,
    "sales_revenue": "50000000",
    "total_assets": 30000000,
    "rd_expense": "3000000.00",
    "cost_total": 40000000,
    "ip_class1": 1,
    "ip_class2": 0,
    "hnte_valid": False,
    "national_award_top3": False,
    "provincial_rd_institution": False,
    "led_standard": False,
    "first_filing": False,
}

HNTE = {
    "id": "H1",
    "application_date": "2026-06-01",
    "registration_date": "2020-03-01",
    "core_ip_owned": True,
    "ip_class1": 1,
    "ip_class2": 0,
    "ip_self_developed": True,
    "field_in_catalogue": True,
    "employees": 100,
    "tech_staff": 10,
    "sales": ["30000000", "40000000", "50000000"],
    "rd_expense": [2000000, 2000000, 2000000],
    "rd_expense_in_china": [2000000, 2000000, 2000000],
    "high_tech_revenue": 600,
    "total_revenue": 1000,
    "net_assets": [1000, 1300, 1690],
    "conversions": 12,
    "operating_years": 5,
    "bad_record": False,
}

EXPERTS = {
    "ip_advanced": 7,
    "ip_core_support": 7,
    "ip_acquisition": 6,
    "ip_standard": 1,
    "conversion": 22,
    "rd_management": 16,
    "ip_quantity": 8,
    "sales_growth": 8,
    "net_asset_growth": 8,
}


def write(path: Path, data: object) -> Path:
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("evaluate", *args, stdout=out)
    return out.getvalue()


def test_tech_sme_round_trip(tmp_path):
    source = write(tmp_path / "in.json", [TECH_SME, {**TECH_SME, "id": "S2", "tech_staff": 9}])
    target = tmp_path / "out.json"
    message = run("tech-sme", "--input", str(source), "--output", str(target))
    assert "共 2 条，通过 1 条" in message and str(target) in message
    results = json.loads(target.read_text(encoding="utf-8"))
    assert [r["id"] for r in results] == ["S1", "S2"]
    first = results[0]
    assert set(first) == {
        "id",
        "rule_version",
        "eligible",
        "passed",
        "route",
        "scores",
        "inspection_triggers",
        "reasons",
    }
    assert set(first["scores"]) == {"staff", "rd", "rd_option", "ip", "total"}
    assert first["scores"] == {"staff": 20, "rd": 50, "rd_option": "sales", "ip": 30, "total": 100}
    assert first["rule_version"] == "2017-115" and first["route"] == "score" and first["passed"] is True
    assert results[1]["passed"] is False and results[1]["route"] is None
    assert all("\\u" not in line for line in target.read_text(encoding="utf-8").splitlines())  # readable Chinese


def test_hnte_round_trip_pending_and_exact(tmp_path):
    source = write(tmp_path / "in.json", [HNTE, {**HNTE, "id": "H2", "expert_scores": EXPERTS}])
    target = tmp_path / "out.json"
    message = run("hnte", "--input", str(source), "--output", str(target))
    assert "共 2 条，通过 1 条，待专家评分 1 条" in message
    pending, exact = json.loads(target.read_text(encoding="utf-8"))
    keys = {
        "id",
        "rule_version",
        "eligible",
        "conditions",
        "rd_ratio",
        "rd_threshold",
        "innovation",
        "passed",
        "reasons",
    }
    assert set(pending) == keys and set(exact) == keys
    assert pending["passed"] is None and pending["conditions"]["innovation_score"] == "expert"
    assert pending["rd_ratio"] == "0.0500" and pending["rd_threshold"] == "0.0500"
    assert set(pending["innovation"]) == {"min", "max", "items"}
    assert pending["innovation"]["items"]["net_asset_growth"] == {"min": 7, "max": 8, "band": "B"}
    ip = 7 + 7 + 8 + 6 + 1  # under the cap of 30
    assert exact["innovation"]["min"] == exact["innovation"]["max"] == ip + 22 + 16 + 8 + 8
    assert exact["passed"] is True and set(exact["conditions"].values()) == {"met"}


def test_decimal_numbers_are_read_exactly(tmp_path):
    # 0.1 + 0.2 style amounts written as JSON numbers: read as Decimal, so 12.5 stays 12.5.
    source = tmp_path / "in.json"
    text = json.dumps([TECH_SME]).replace('"3000000.00"', "2999999.99")
    source.write_text(text, encoding="utf-8")
    target = tmp_path / "out.json"
    run("tech-sme", "--input", str(source), "--output", str(target))
    result = json.loads(target.read_text(encoding="utf-8"))[0]
    assert result["scores"]["rd"] == 40  # 2999999.99 / 50000000 is just below 6 %


def _fails(tmp_path: Path, kind: str, payload: str) -> str:
    source = tmp_path / "in.json"
    source.write_text(payload, encoding="utf-8")
    target = tmp_path / "out.json"
    with pytest.raises(CommandError) as caught:
        run(kind, "--input", str(source), "--output", str(target))
    assert not target.exists()
    assert list(tmp_path.iterdir()) == [source]  # no temporary file left either
    return str(caught.value)


def test_bad_json(tmp_path):
    message = _fails(tmp_path, "tech-sme", '[{"id": "S1",]')
    assert "不是有效的 JSON" in message and "第 1 行" in message


def test_not_a_list(tmp_path):
    assert "应为 JSON 数组" in _fails(tmp_path, "hnte", json.dumps(HNTE))


def test_nan_rejected(tmp_path):
    assert "NaN" in _fails(
        tmp_path, "tech-sme", json.dumps([TECH_SME]).replace("50000000", "NaN", 1).replace('"NaN"', "NaN")
    )


def test_missing_field_names_id_and_field(tmp_path):
    record = {k: v for k, v in TECH_SME.items() if k != "employees"}
    message = _fails(tmp_path, "tech-sme", json.dumps([TECH_SME | {"id": "OK"}, record]))
    assert message.startswith("输入数据有误，共 1 处，未写入输出文件：")
    assert "记录“S1”的字段“employees（职工总数）”：缺少此字段。" in message


def test_wrong_type_names_id_and_field(tmp_path):
    message = _fails(tmp_path, "hnte", json.dumps([{**HNTE, "tech_staff": "十"}]))
    assert "记录“H1”的字段“tech_staff（科技人员数）”：应为非负整数，实际为字符串。" in message


def test_every_problem_of_every_record_is_listed(tmp_path):
    payload = [
        {**HNTE, "sales": [1, 2]},
        {**HNTE, "id": "H2", "bad_record": "否"},
        {**HNTE, "id": "H3", "expert_scores": {**EXPERTS, "conversion": 30}},
    ]
    message = _fails(tmp_path, "hnte", json.dumps(payload))
    assert "共 3 处" in message
    assert "记录“H1”的字段“sales（近三年销售收入（元））”" in message
    assert "记录“H2”的字段“bad_record" in message
    assert "记录“H3”的字段“expert_scores.conversion" in message and "19–24" in message


def test_duplicate_ids_and_record_without_id(tmp_path):
    no_id = {k: v for k, v in TECH_SME.items() if k != "id"}
    message = _fails(tmp_path, "tech-sme", json.dumps([TECH_SME, TECH_SME, no_id]))
    assert "记录“S1”的字段“id（记录编号）”：与前面的记录重复。" in message
    assert "第 3 条记录的字段“id（记录编号）”：缺少此字段。" in message


def test_missing_input_file_and_output_directory(tmp_path):
    with pytest.raises(CommandError, match="输入文件.*不存在"):
        run("tech-sme", "--input", str(tmp_path / "none.json"), "--output", str(tmp_path / "out.json"))
    source = write(tmp_path / "in.json", [TECH_SME])
    with pytest.raises(CommandError, match="目录.*不存在"):
        run("tech-sme", "--input", str(source), "--output", str(tmp_path / "no" / "out.json"))


def test_not_utf8(tmp_path):
    source = tmp_path / "in.json"
    source.write_bytes(json.dumps([{**TECH_SME, "id": "甲"}], ensure_ascii=False).encode("gbk"))
    with pytest.raises(CommandError, match="不是 UTF-8"):
        run("tech-sme", "--input", str(source), "--output", str(tmp_path / "out.json"))


def test_rule_version_option(tmp_path):
    source = write(tmp_path / "in.json", [TECH_SME])
    target = tmp_path / "out.json"
    run("tech-sme", "--input", str(source), "--output", str(target), "--rule-version", "2017-115")
    assert json.loads(target.read_text(encoding="utf-8"))[0]["rule_version"] == "2017-115"


@pytest.mark.parametrize(
    "kind,record,fragment",
    [
        ("tech-sme", {**TECH_SME, "employees": -1}, "employees"),
        ("tech-sme", {**TECH_SME, "tech_staff": 101}, "tech_staff"),
        ("tech-sme", {**TECH_SME, "sales_revenue": "1e5"}, "科学计数法"),
        ("tech-sme", {**TECH_SME, "rd_expense": "1.005"}, "两位小数"),
        ("tech-sme", {**TECH_SME, "colour": "red"}, "colour"),
        ("hnte", {**HNTE, "sales": ["1", "2"]}, "sales"),
    ],
)
def test_bad_input_exit_code_2_names_record_and_field(tmp_path, kind, record, fragment):
    """The task's bad-input list: each names the record id and field, exits 2, writes nothing."""
    import subprocess
    import sys

    src, out = tmp_path / "in.json", tmp_path / "out.json"
    src.write_text(json.dumps([record], ensure_ascii=False), encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "kejiju", "evaluate", kind, "--input", str(src), "--output", str(out)],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2
    assert "记录“%s”" % record["id"] in proc.stderr and fragment in proc.stderr
    assert not out.exists()


def test_parallel_path_keeps_order_and_reports_errors(tmp_path, monkeypatch):
    from kejiju.cultivation.management.commands import evaluate

    monkeypatch.setattr(evaluate, "PARALLEL_FROM", 2)
    monkeypatch.setattr(evaluate, "CHUNK", 3)
    records = [{**TECH_SME, "id": "P%02d" % n, "employees": 100 + n} for n in range(10)]
    src, out = tmp_path / "in.json", tmp_path / "out.json"
    src.write_text(json.dumps(records), encoding="utf-8")
    call_command("evaluate", "tech-sme", "--input", str(src), "--output", str(out), "--jobs", "2", stdout=io.StringIO())
    assert [r["id"] for r in json.loads(out.read_text(encoding="utf-8"))] == ["P%02d" % n for n in range(10)]
    records[7]["tech_staff"] = 999
    records[8]["id"] = "P00"
    src.write_text(json.dumps(records), encoding="utf-8")
    out.unlink()
    with pytest.raises(CommandError) as exc:
        call_command("evaluate", "tech-sme", "--input", str(src), "--output", str(out), "--jobs", "2")
    assert "记录“P07”" in str(exc.value) and "重复" in str(exc.value) and not out.exists()

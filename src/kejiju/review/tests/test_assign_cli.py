"""``kejiju assign``: JSON round trip, bad input refused in Chinese with nothing written, infeasible explained."""

from __future__ import annotations

import json
import subprocess
import sys
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError


def instance(**extra: Any) -> dict[str, Any]:
    return {
        "mode": "draw",
        "nonce": "监督员-0713",
        "reviewers_per_application": 2,
        "reserves_per_application": 1,
        "experts": [
            {"id": "e%d" % j, "max_load": 2, "min_load": 0, "subjects": ["520"], "organization": "单位%d" % j}
            for j in range(6)
        ],
        "applications": [
            {"id": "a1", "subjects": ["52010"], "organization": "单位0", "members": []},
            {"id": "a2", "subjects": ["5201010"], "organization": "某企业", "members": ["e1"]},
        ],
        "conflicts": [{"expert": "e2", "application": "a2", "reason": "近三年合作"}],
        **extra,
    }


def run(tmp_path: Path, data: Any, *, raw: str | None = None) -> tuple[Path, str]:
    source = tmp_path / "in.json"
    source.write_text(raw if raw is not None else json.dumps(data, ensure_ascii=False), encoding="utf-8")
    output = tmp_path / "out.json"
    out = StringIO()
    call_command("assign", "--input", str(source), "--output", str(output), stdout=out, stderr=StringIO())
    return output, out.getvalue()


def test_round_trip(tmp_path):
    output, message = run(tmp_path, instance())
    result = json.loads(output.read_text(encoding="utf-8"))
    assert result["status"] == "ok"
    assert set(result) >= {"status", "assignments", "reserves", "objective", "bound", "seed_digest", "shortfall"}
    panels: dict[str, set[str]] = {}
    for x in result["assignments"]:
        panels.setdefault(x["application"], set()).add(x["expert"])
    assert {k: len(v) for k, v in panels.items()} == {"a1": 2, "a2": 2}
    assert "e0" not in panels["a1"]  # same organization
    assert not {"e1", "e2"} & panels["a2"]  # member, listed conflict
    assert [r["rank"] for r in result["reserves"]] == [1, 1]
    assert len(result["seed_digest"]) == 64 and result["seed_digest"] in message
    assert "随机抽取" in message
    again, _ = run(tmp_path, instance())
    assert json.loads(again.read_text(encoding="utf-8")) == result


def test_optimal_reports_objective_and_bound(tmp_path):
    data = instance(mode="optimal")
    output, message = run(tmp_path, data)
    result = json.loads(output.read_text(encoding="utf-8"))
    assert result["objective"] == pytest.approx(result["bound"])
    assert "上界" in message


@pytest.mark.parametrize(
    "change, fragment",
    [
        (lambda d: d["conflicts"].append({"expert": "e99", "application": "a1"}), "专家“e99”不在 experts 中"),
        (lambda d: d["experts"][0].update(max_load=-2), "不能小于 0"),
        (lambda d: d["experts"][0].update(min_load=3), "最低评审量 min_load（3）大于最高评审量 max_load（2）"),
        (lambda d: d.update(nonce=""), "随机码"),
    ],
)
def test_bad_input_writes_nothing(tmp_path, change, fragment):
    data = instance()
    change(data)
    with pytest.raises(CommandError) as err:
        run(tmp_path, data)
    assert fragment in str(err.value) and "未写入任何文件" in str(err.value)
    assert err.value.returncode == 2
    assert not (tmp_path / "out.json").exists()


@pytest.mark.parametrize(
    "raw, fragment",
    [
        ('{"experts": [{"max_load": 1}], "applications": [{"id": "a"}]}', "experts 第 1 项 id：必须填写"),
        ('{"experts": [{"id": "e", "max_load": -1}], "applications": [{"id": "a"}]}', "experts 第 1 项 max_load"),
        ('{"applications": [{"id": "a"}]}', "experts：应为非空的专家列表"),
        (
            '{"experts": [{"id": "e", "max_load": 1}], "applications": [{"id": "a"}],'
            ' "affinity": [{"expert": "e", "application": "a", "score": "0.5"}]}',
            "affinity 第 1 项 score",
        ),
        (
            '{"experts": [{"id": "e", "max_load": 1}], "applications": [{"id": "a"}], "affinity_matrix": [[NaN]]}',
            "affinity_matrix 第 1 行第 1 列",
        ),
        (
            '{"experts": [{"id": "e", "max_load": 1}], "applications": [{"id": "a"}],'
            ' "conflicts": [{"expert": "x", "application": "a"}]}',
            "conflicts 第 1 项 expert：专家“x”不在 experts 中",
        ),
    ],
)
def test_malformed_instance_exits_with_code_2_naming_the_field(tmp_path, raw, fragment):
    source = tmp_path / "in.json"
    source.write_text(raw, encoding="utf-8")
    with pytest.raises(CommandError) as err:
        call_command("assign", "--input", str(source), "--output", str(tmp_path / "out.json"))
    assert err.value.returncode == 2 and fragment in str(err.value)
    assert not (tmp_path / "out.json").exists()


def test_exit_code_of_the_command_line(tmp_path):
    """The installed command exits 2 on a malformed instance and 1 when no feasible assignment exists."""
    kejiju = Path(sys.executable).with_name("kejiju")
    bad = tmp_path / "bad.json"
    bad.write_text('{"experts": [{"id": "e", "max_load": -1}], "applications": [{"id": "a"}]}', encoding="utf-8")
    done = subprocess.run(
        [str(kejiju), "assign", "--input", str(bad), "--output", str(tmp_path / "o.json")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2 and "max_load" in done.stderr
    infeasible = tmp_path / "inf.json"
    data = instance()
    data["applications"].append({"id": "a3", "subjects": ["410"]})
    infeasible.write_text(json.dumps(data), encoding="utf-8")
    done = subprocess.run(
        [str(kejiju), "assign", "--input", str(infeasible), "--output", str(tmp_path / "o.json")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1 and "项目“a3”：缺 2" in done.stderr


def test_bad_json_writes_nothing(tmp_path):
    with pytest.raises(CommandError, match="不是合法的 JSON（第 1 行"):
        run(tmp_path, None, raw='{"mode": "draw",')
    assert not (tmp_path / "out.json").exists()


def test_missing_input_and_output_directory(tmp_path):
    with pytest.raises(CommandError, match="不存在"):
        call_command("assign", "--input", str(tmp_path / "nope.json"), "--output", str(tmp_path / "o.json"))
    (tmp_path / "in.json").write_text(json.dumps(instance()), encoding="utf-8")
    with pytest.raises(CommandError, match="目录"):
        call_command("assign", "--input", str(tmp_path / "in.json"), "--output", str(tmp_path / "no" / "o.json"))


def test_infeasible_writes_the_explanation_and_fails(tmp_path):
    data = instance()
    data["applications"].append({"id": "a3", "subjects": ["410"]})
    with pytest.raises(CommandError) as err:
        run(tmp_path, data)
    assert "不存在可行的分配方案" in str(err.value) and "项目“a3”：缺 2" in str(err.value)
    result = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    assert result["status"] == "infeasible" and result["assignments"] == []
    assert result["shortfall"] == [
        {
            "application": "a3",
            "missing": 2,
            "reason": "需要 2 名评审专家，符合条件的仅 0 名（共 6 名专家，其中学科不符 6 名）。",
        }
    ]

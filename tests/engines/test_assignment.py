"""Expert-assignment engine: exactness against brute force, rules, reproducible draws, explained infeasibility."""

from __future__ import annotations

import itertools
import json
import math
from collections import Counter
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linear_sum_assignment

from kejiju.engines.assignment import (
    InstanceError,
    Result,
    canonical_json,
    instance_from_dict,
    result_to_dict,
    seed_digest,
    solve,
    subject_score,
)


def run(data: dict[str, Any]) -> Result:
    return solve(instance_from_dict(data))


def panels(result: Result) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for x in result.assignments:
        out.setdefault(x.application, set()).add(x.expert)
    return out


def loads(result: Result) -> Counter[str]:
    return Counter(x.expert for x in result.assignments)


def grid(n_apps: int, n_experts: int, *, seed: int = 1, mode: str = "optimal", **extra: Any) -> dict[str, Any]:
    """All experts share subject 520; random affinity from a seed."""
    rng = np.random.default_rng(seed)
    return {
        "mode": mode,
        "nonce": "n1",
        "reviewers_per_application": 3,
        "experts": [{"id": "e%d" % j, "max_load": 3, "subjects": ["520"]} for j in range(n_experts)],
        "applications": [{"id": "a%d" % i, "subjects": ["52010"]} for i in range(n_apps)],
        "affinity_matrix": rng.random((n_apps, n_experts)).round(4).tolist(),
        **extra,
    }


# --- subjects and eligibility ------------------------------------------------------------------------------------


def test_subject_prefix_matches_both_ways():
    assert subject_score(("52010",), ("520",)) == pytest.approx(3 / 5)
    assert subject_score(("520",), ("5201010",)) == pytest.approx(3 / 7)
    assert subject_score(("52010",), ("52010",)) == 1.0
    assert subject_score(("52010",), ("52020",)) is None
    assert subject_score(("410", "52010"), ("5201010", "520")) == pytest.approx(5 / 7)


def test_subject_eligibility_and_organization_member_region_conflicts():
    data = {
        "mode": "optimal",
        "reviewers_per_application": 1,
        "avoid_same_region": True,
        "experts": [
            {"id": "broad", "max_load": 5, "subjects": ["520"]},  # prefix of the application's subject
            {"id": "narrow", "max_load": 5, "subjects": ["5201010"]},  # the application's subject is its prefix
            {"id": "other", "max_load": 5, "subjects": ["410"]},
            {"id": "same-org", "max_load": 5, "subjects": ["52010"], "organization": "合肥工大"},
            {"id": "member", "max_load": 5, "subjects": ["52010"], "name": "张三"},
            {"id": "same-region", "max_load": 5, "subjects": ["52010"], "region": "341181"},
            {"id": "listed", "max_load": 5, "subjects": ["52010"]},
        ],
        "applications": [
            {
                "id": "a",
                "subjects": ["52010"],
                "organization": "合肥工大",
                "region": "341181",
                "members": ["张三"],
                "reviewers": 2,
            }
        ],
        "conflicts": [{"expert": "listed", "application": "a", "reason": "近三年合作"}],
    }
    result = run(data)
    assert result.status == "ok"
    assert panels(result) == {"a": {"broad", "narrow"}}
    data["applications"][0]["reviewers"] = 3
    result = run(data)
    assert result.status == "infeasible"
    assert result.assignments == ()
    (short,) = result.shortfall
    assert short.application == "a" and short.missing == 1
    for part in (
        "符合条件的仅 2 名",
        "学科不符 1 名",
        "回避名单 1 名",
        "同单位 1 名",
        "本项目成员 1 名",
        "同地区 1 名",
    ):
        assert part in short.reason


# --- optimal mode -------------------------------------------------------------------------------------------------


def test_optimal_hand_instance():
    # e0 is best for both, but carries one review: the optimum gives it to a1 (gain 0.9 − 0.2 > 0.8 − 0.5).
    data = {
        "mode": "optimal",
        "reviewers_per_application": 1,
        "experts": [{"id": "e0", "max_load": 1}, {"id": "e1", "max_load": 1}],
        "applications": [{"id": "a0"}, {"id": "a1"}],
        "affinity": [
            {"expert": "e0", "application": "a0", "score": 0.8},
            {"expert": "e1", "application": "a0", "score": 0.5},
            {"expert": "e0", "application": "a1", "score": 0.9},
            {"expert": "e1", "application": "a1", "score": 0.2},
        ],
    }
    result = run(data)
    assert panels(result) == {"a0": {"e1"}, "a1": {"e0"}}
    assert result.objective == pytest.approx(1.4)
    assert result.bound == pytest.approx(1.4)


def brute_force(
    need: list[int], max_load: list[int], min_load: list[int], score: list[list[float | None]]
) -> float | None:
    best: float | None = None
    choices = [
        [c for c in itertools.combinations([j for j, s in enumerate(row) if s is not None], need[i])]
        for i, row in enumerate(score)
    ]
    for combo in itertools.product(*choices):
        load = Counter(j for panel in combo for j in panel)
        if all(min_load[j] <= load[j] <= max_load[j] for j in range(len(max_load))):
            total = sum(score[i][j] for i, panel in enumerate(combo) for j in panel)  # type: ignore[misc]
            best = total if best is None else max(best, total)
    return best


@st.composite
def tiny_instances(draw: st.DrawFn) -> dict[str, Any]:
    n_apps = draw(st.integers(1, 3))
    n_experts = draw(st.integers(1, 4))
    score = st.one_of(st.none(), st.integers(-5, 20).map(lambda v: v / 4))
    matrix = draw(st.lists(st.lists(score, min_size=n_experts, max_size=n_experts), min_size=n_apps, max_size=n_apps))
    experts = []
    for j in range(n_experts):
        max_load = draw(st.integers(0, 3))
        experts.append({"id": "e%d" % j, "max_load": max_load, "min_load": draw(st.integers(0, min(1, max_load)))})
    apps = [{"id": "a%d" % i, "reviewers": draw(st.integers(0, 2))} for i in range(n_apps)]
    return {
        "mode": draw(st.sampled_from(["optimal", "draw"])),
        "nonce": "x",
        "experts": experts,
        "applications": apps,
        "affinity_matrix": matrix,
    }


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tiny_instances())
def test_matches_brute_force(data):
    result = run(data)
    need = [a["reviewers"] for a in data["applications"]]
    max_load = [e["max_load"] for e in data["experts"]]
    min_load = [e["min_load"] for e in data["experts"]]
    best = brute_force(need, max_load, min_load, data["affinity_matrix"])
    if best is None:
        assert result.status == "infeasible"
        assert result.assignments == () and result.shortfall
        return
    assert result.status == "ok"
    got = panels(result)
    load = loads(result)
    for i, a in enumerate(data["applications"]):
        assert len(got.get(a["id"], set())) == need[i]
        for e in got.get(a["id"], set()):
            assert data["affinity_matrix"][i][int(e[1:])] is not None
    for j, e in enumerate(data["experts"]):
        assert min_load[j] <= load[e["id"]] <= max_load[j]
    if data["mode"] == "optimal":
        assert result.objective == pytest.approx(best, abs=1e-9)
        assert result.bound is not None and result.bound >= best - 1e-6
        assert result.bound <= best + 1e-6


def test_column_generation_reaches_the_assignment_optimum():
    # Every application prefers the same few experts, each taking one review: the initial candidate lists are
    # not enough and pricing must bring in the rest. With r = 1 and load 1 it is the assignment problem.
    rng = np.random.default_rng(5)
    n_apps, n_experts = 60, 90
    matrix = np.linspace(10, 0, n_experts)[None, :] + rng.random((n_apps, n_experts))
    data = {
        "mode": "optimal",
        "reviewers_per_application": 1,
        "experts": [{"id": "e%d" % j, "max_load": 1} for j in range(n_experts)],
        "applications": [{"id": "a%d" % i} for i in range(n_apps)],
        "affinity_matrix": matrix.tolist(),
    }
    result = run(data)
    rows, cols = linear_sum_assignment(matrix, maximize=True)
    assert result.objective == pytest.approx(float(matrix[rows, cols].sum()), rel=1e-12)
    assert result.bound is not None and result.objective >= 0.9999 * result.bound


def test_min_and_max_loads_respected():
    data = grid(8, 10, seed=3)  # 24 reviews, capacity 3 + 2 + 0 + 7 × 3 = 26
    data["experts"][0]["min_load"] = 3
    data["experts"][1]["min_load"] = 2
    data["experts"][1]["max_load"] = 2
    data["experts"][2]["max_load"] = 0
    result = run(data)
    assert result.status == "ok"
    load = loads(result)
    assert load["e0"] == 3 and load["e1"] == 2 and load["e2"] == 0
    assert all(load[e["id"]] <= e["max_load"] for e in data["experts"])
    assert all(len(p) == 3 for p in panels(result).values()) and len(panels(result)) == 8


def test_per_application_reviewers_override():
    data = grid(4, 10)
    data["applications"][0]["reviewers"] = 5
    data["applications"][1]["reviewers"] = 0
    got = panels(run(data))
    assert len(got["a0"]) == 5 and "a1" not in got and len(got["a2"]) == 3


def test_conflicts_never_assigned():
    data = grid(20, 25, seed=4)
    rng = np.random.default_rng(4)
    data["conflicts"] = [
        {"expert": "e%d" % j, "application": "a%d" % i, "reason": "亲属"}
        for i in range(20)
        for j in range(25)
        if rng.random() < 0.3
    ]
    forbidden = {(c["application"], c["expert"]) for c in data["conflicts"]}
    for mode in ("optimal", "draw"):
        data["mode"] = mode
        result = run(data)
        assert result.status == "ok"
        assert not forbidden & {(x.application, x.expert) for x in result.assignments}
        assert not forbidden & {(x.application, x.expert) for x in result.reserves}


def test_affinity_matrix_and_list_are_equivalent():
    data = grid(8, 12, seed=9)
    data["affinity_matrix"][0][0] = None
    data["affinity_matrix"][3][5] = None
    as_list = dict(data)
    del as_list["affinity_matrix"]
    as_list["affinity"] = [
        {"expert": "e%d" % j, "application": "a%d" % i, "score": s}
        for i, row in reversed(list(enumerate(data["affinity_matrix"])))
        for j, s in enumerate(row)
        if s is not None
    ]
    for mode in ("optimal", "draw"):
        data["mode"] = as_list["mode"] = mode
        assert result_to_dict(run(data)) == result_to_dict(run(as_list))


# --- draw mode ----------------------------------------------------------------------------------------------------


def draw_instance(nonce: str) -> dict[str, Any]:
    return {
        "mode": "draw",
        "nonce": nonce,
        "reviewers_per_application": 3,
        "reserves_per_application": 2,
        "experts": [{"id": "e%02d" % j, "max_load": 4, "subjects": ["520" if j % 3 else "52010"]} for j in range(30)],
        "applications": [{"id": "a%02d" % i, "subjects": ["52010"]} for i in range(15)],
    }


def test_draw_is_reproducible_and_depends_on_the_nonce():
    first = run(draw_instance("监督员-0713"))
    again = run(draw_instance("监督员-0713"))
    other = run(draw_instance("监督员-0714"))
    assert result_to_dict(first) == result_to_dict(again)
    assert first.seed_digest != other.seed_digest
    assert panels(first) != panels(other)
    assert first.bound is None


def test_draw_ignores_input_order():
    data = draw_instance("n")
    shuffled = draw_instance("n")
    shuffled["experts"].reverse()
    shuffled["applications"].reverse()
    assert seed_digest(instance_from_dict(data)) == seed_digest(instance_from_dict(shuffled))
    assert panels(run(data)) == panels(run(shuffled))


def test_draw_needs_a_nonce():
    data = draw_instance("")
    with pytest.raises(InstanceError) as err:
        instance_from_dict(data)
    assert any("nonce" in p for p in err.value.problems)


def test_draw_spreads_load():
    # 30 experts, all eligible, 45 reviews, max load 4: a spread draw gives everyone 1 or 2, never 3 or 4.
    result = run(draw_instance("spread"))
    load = loads(result)
    assert len(load) == 30 and set(load.values()) <= {1, 2}


def test_draw_does_not_get_stuck_where_a_full_draw_exists():
    # Only e0 and e1 can review a0; a greedy draw that gave them to the others first would be stuck.
    data = {
        "mode": "draw",
        "nonce": "n",
        "reviewers_per_application": 2,
        "experts": [{"id": "e%d" % j, "max_load": 1, "subjects": ["520" if j < 2 else "52010"]} for j in range(8)],
        "applications": [{"id": "a0", "subjects": ["520"]}]
        + [{"id": "a%d" % i, "subjects": ["52010"]} for i in range(1, 4)],
    }
    data["experts"][0]["subjects"] = ["520"]
    data["applications"][0]["subjects"] = ["5202"]  # matches e0, e1 (520) only
    for nonce in ("1", "2", "3", "4", "5"):
        data["nonce"] = nonce
        result = run(data)
        assert result.status == "ok"
        assert panels(result)["a0"] == {"e0", "e1"}


def test_reserves_are_ordered_disjoint_and_available():
    for mode in ("optimal", "draw"):
        data = draw_instance("r")
        data["mode"] = mode
        result = run(data)
        got = panels(result)
        load = loads(result)
        by_app: dict[str, list[tuple[int, str]]] = {}
        for r in result.reserves:
            by_app.setdefault(r.application, []).append((r.rank, r.expert))
        assert set(by_app) == set(got)
        for app, items in by_app.items():
            assert [rank for rank, _ in items] == [1, 2]
            assert not {e for _, e in items} & got[app]
            assert all(load[e] < 4 for _, e in items)
        assert result.warnings == ()


def test_optimal_reserves_follow_affinity():
    data = grid(1, 8, seed=2)
    data["reserves_per_application"] = 3
    result = run(data)
    row = data["affinity_matrix"][0]
    ranked = sorted(range(8), key=lambda j: -row[j])
    assert {x.expert for x in result.assignments} == {"e%d" % j for j in ranked[:3]}
    assert [r.expert for r in result.reserves] == ["e%d" % j for j in ranked[3:6]]


# --- infeasibility ------------------------------------------------------------------------------------------------


def test_infeasible_by_load_is_explained():
    # Five applications need 2 each (10 reviews); the four eligible experts carry 2 each (8): 2 missing.
    data = {
        "mode": "optimal",
        "reviewers_per_application": 2,
        "experts": [{"id": "e%d" % j, "max_load": 2, "subjects": ["520"]} for j in range(4)],
        "applications": [{"id": "a%d" % i, "subjects": ["520"]} for i in range(5)],
    }
    for mode in ("optimal", "draw"):
        data["mode"] = mode
        data["nonce"] = "n"
        result = run(data)
        assert result.status == "infeasible"
        assert result.assignments == () and result.reserves == () and result.objective is None
        assert sum(s.missing for s in result.shortfall) == 2
        assert all("评审量已被其他项目占满" in s.reason for s in result.shortfall)


def test_infeasible_lists_each_application_and_missing_count():
    data = {
        "mode": "optimal",
        "reviewers_per_application": 3,
        "experts": [{"id": "e%d" % j, "max_load": 5, "subjects": ["520" if j < 4 else "410"]} for j in range(10)],
        "applications": [
            {"id": "ok", "subjects": ["520"]},
            {"id": "short2", "subjects": ["410"], "members": ["e4", "e5", "e6", "e7"]},
            {"id": "none", "subjects": ["999"]},
        ],
        "conflicts": [{"expert": "e8", "application": "short2", "reason": "同一课题组"}],
    }
    result = run(data)
    assert result.status == "infeasible"
    short = {s.application: s for s in result.shortfall}
    assert set(short) == {"short2", "none"}
    assert short["short2"].missing == 2
    assert "符合条件的仅 1 名" in short["short2"].reason
    assert "本项目成员 4 名" in short["short2"].reason and "回避名单 1 名" in short["short2"].reason
    assert short["none"].missing == 3 and "学科不符 10 名" in short["none"].reason


def test_minimum_load_that_cannot_be_met_is_explained():
    data = grid(2, 5)
    data["experts"][4]["min_load"] = 3  # only two applications exist
    result = run(data)
    assert result.status == "infeasible"
    (short,) = result.shortfall
    assert short.application is None and short.expert == "e4" and short.missing == 1
    assert "最低评审量" in short.reason


# --- input checks -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "change, fragment",
    [
        (lambda d: d["conflicts"].append({"expert": "nobody", "application": "a0"}), "专家“nobody”不在 experts 中"),
        (lambda d: d["experts"][0].update(max_load=-1), "不能小于 0"),
        (
            lambda d: d["experts"][0].update(min_load=4, max_load=2),
            "最低评审量 min_load（4）大于最高评审量 max_load（2）",
        ),
        (lambda d: d["experts"].append(dict(d["experts"][0])), "专家编号“e0”重复"),
        (lambda d: d.update(mode="lottery"), "mode"),
        (lambda d: d.update(affinity_matrix=[[1.0]]), "affinity_matrix"),
        (lambda d: d["affinity_matrix"][0].__setitem__(0, "高"), "相关度应为有限的数值"),
        (lambda d: d.update(affinity=[]), "只能给出其一"),
        (lambda d: d["experts"][0].update(maxload=3), "不认识的字段 maxload"),
        (lambda d: d["affinity_matrix"][0].__setitem__(1, float("nan")), "affinity_matrix 第 1 行第 2 列"),
        (lambda d: d["experts"][0].pop("id"), "experts 第 1 项 id：必须填写"),
        (lambda d: d["applications"][1].pop("id"), "applications 第 2 项 id：必须填写"),
        (lambda d: d["experts"][1].pop("max_load"), "experts 第 2 项 max_load：必须填写"),
        (lambda d: d.update(conflicts=[{"expert": "e0"}]), "conflicts 第 1 项 application：必须填写"),
        (lambda d: d["applications"][0].update(reviewers=-1), "applications 第 1 项 reviewers：不能小于 0"),
    ],
)
def test_bad_input_is_rejected_in_chinese(change, fragment):
    data = grid(2, 4)
    data["conflicts"] = []
    change(data)
    with pytest.raises(InstanceError) as err:
        instance_from_dict(data)
    assert any(fragment in p for p in err.value.problems), err.value.problems
    assert all(p.endswith("。") for p in err.value.problems)


# --- scale --------------------------------------------------------------------------------------------------------


def test_500_by_1500_both_modes_complete():
    rng = np.random.default_rng(11)
    n_apps, n_experts = 500, 1500
    matrix = rng.random((n_apps, n_experts))
    data = {
        "nonce": "scale",
        "reviewers_per_application": 3,
        "reserves_per_application": 2,
        "experts": [{"id": "e%d" % j, "max_load": 4} for j in range(n_experts)],
        "applications": [{"id": "a%d" % i} for i in range(n_apps)],
        "conflicts": [
            {"expert": "e%d" % j, "application": "a%d" % i}
            for i, j in np.argwhere(rng.random((n_apps, n_experts)) < 0.02).tolist()
        ],
    }
    for mode in ("optimal", "draw"):
        instance = instance_from_dict({**data, "mode": mode})
        instance = type(instance)(**{**instance.__dict__, "affinity": matrix})
        result = solve(instance)
        assert result.status == "ok"
        assert len(result.assignments) == 3 * n_apps
        assert max(loads(result).values()) <= 4
        if mode == "optimal":
            assert result.bound is not None and result.objective >= 0.9999 * result.bound
            assert math.isclose(result.objective, sum(x.score for x in result.assignments))


def test_keywords_raise_affinity_but_do_not_make_eligible():
    data = {
        "mode": "optimal",
        "reviewers_per_application": 1,
        "experts": [
            {"id": "plain", "max_load": 1, "subjects": ["520"]},
            {"id": "keyed", "max_load": 1, "subjects": ["520"], "keywords": ["水稻", "育种"]},
            {"id": "off", "max_load": 1, "subjects": ["410"], "keywords": ["水稻", "育种"]},
        ],
        "applications": [{"id": "a", "subjects": ["520"], "keywords": ["水稻", "栽培"]}],
    }
    result = run(data)
    (x,) = result.assignments
    assert x.expert == "keyed" and x.score == pytest.approx(1 + 1 / 3)
    data["experts"][1]["max_load"] = 0
    data["experts"][0]["max_load"] = 0
    assert run(data).status == "infeasible"


# --- archiving an instance ------------------------------------------------------------------------------------------

from kejiju.engines.assignment import instance_to_dict  # noqa: E402


@pytest.mark.parametrize("mode", ["draw", "optimal"])
def test_instance_to_dict_round_trips_with_the_same_seed_and_result(mode):
    data = grid(6, 12, mode=mode, reserves_per_application=2)
    data["experts"][0].update(min_load=1, organization="单位甲", region="341181", name="王五", keywords=["水稻"])
    data["applications"][1].update(reviewers=2, organization="单位甲", members=["e3"], keywords=["水稻"])
    data["affinity_matrix"][2][5] = None
    data["conflicts"] = [{"expert": "e4", "application": "a0", "reason": "近三年合作"}]
    data["avoid_same_region"] = True
    instance = instance_from_dict(data)
    archived = json.loads(json.dumps(instance_to_dict(instance), ensure_ascii=False))
    again = instance_from_dict(archived)
    assert canonical_json(again) == canonical_json(instance)
    assert seed_digest(again) == seed_digest(instance)
    assert result_to_dict(solve(again)) == result_to_dict(solve(instance))


def test_instance_to_dict_without_affinity_has_no_matrix():
    data = grid(2, 6)
    del data["affinity_matrix"]
    out = instance_to_dict(instance_from_dict(data))
    assert "affinity_matrix" not in out and "affinity" not in out
    assert out["experts"][0] == {
        "id": "e0",
        "max_load": 3,
        "min_load": 0,
        "subjects": ["520"],
        "organization": "",
        "region": "",
        "name": "",
        "keywords": [],
    }

"""JSON form of an assignment instance and result (format: docs/modules/assignment.md).

``instance_from_dict`` checks everything and raises ``InstanceError`` listing every problem in Chinese;
``seed_digest`` fixes the canonical form that seeds the draw; ``result_to_dict`` is the output format.
"""

from __future__ import annotations

import hashlib
import json
import math
from typing import Any

import numpy as np

from .model import Application, Conflict, Expert, Instance, InstanceError, Mode, Result

_TOP_KEYS = {
    "mode",
    "nonce",
    "reviewers_per_application",
    "reserves_per_application",
    "experts",
    "applications",
    "conflicts",
    "affinity",
    "affinity_matrix",
    "avoid_same_region",
}
_EXPERT_KEYS = {"id", "max_load", "min_load", "subjects", "organization", "region", "name", "keywords"}
_APP_KEYS = {"id", "reviewers", "subjects", "organization", "region", "members", "keywords"}


class _Checker:
    def __init__(self) -> None:
        self.problems: list[str] = []

    def add(self, where: str, message: str) -> None:
        self.problems.append("%(where)s：%(message)s" % {"where": where, "message": message})

    def id_of(self, where: str, value: Any) -> str | None:
        # JSON integers are accepted as ids and read as strings, so 17 and "17" name the same expert.
        if value is None:
            self.add(where, "必须填写。")
            return None
        if isinstance(value, bool) or not isinstance(value, str | int):
            self.add(where, "应为文字或整数编号。")
            return None
        text = str(value).strip()
        if not text:
            self.add(where, "不能为空。")
            return None
        return text

    def integer(self, where: str, value: Any, *, minimum: int = 0) -> int | None:
        if isinstance(value, bool) or not isinstance(value, int):
            self.add(where, "应为整数。")
            return None
        if value < minimum:
            self.add(where, "不能小于 %(m)d，现为 %(v)d。" % {"m": minimum, "v": value})
            return None
        return value

    def text(self, where: str, value: Any) -> str:
        if value is None:
            return ""
        if not isinstance(value, str):
            self.add(where, "应为文字。")
            return ""
        return value.strip()

    def texts(self, where: str, value: Any) -> tuple[str, ...]:
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(v, str | int) and not isinstance(v, bool) for v in value):
            self.add(where, "应为文字列表。")
            return ()
        return tuple(t for t in (str(v).strip() for v in value) if t)

    def score(self, where: str, value: Any) -> float | None:
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            self.add(where, "相关度应为有限的数值。")
            return None
        return float(value) + 0.0  # -0.0 → 0.0: the canonical bytes must not depend on the sign of zero

    def unknown(self, where: str, obj: dict[str, Any], allowed: set[str]) -> None:
        extra = sorted(set(obj) - allowed)
        if extra:
            self.add(where, "不认识的字段 %(k)s。" % {"k": "、".join(extra)})


def instance_from_dict(data: Any) -> Instance:
    """Read and check an instance in its JSON form.

    Raises ``InstanceError`` with every problem (unknown fields, wrong types, negative loads, min_load above
    max_load, duplicate or unknown ids in conflicts and affinity, a matrix of the wrong shape…).
    """
    c = _Checker()
    if not isinstance(data, dict):
        raise InstanceError(["输入应为 JSON 对象（{…}）。"])
    c.unknown("输入", data, _TOP_KEYS)
    mode_value = data.get("mode", "optimal")
    mode: Mode = "optimal"
    if mode_value == "draw":
        mode = "draw"
    elif mode_value != "optimal":
        c.add("mode", "应为 optimal（最优分配）或 draw（随机抽取）。")
    nonce = c.text("nonce", data.get("nonce"))
    if mode == "draw" and not nonce:
        c.add("nonce", "随机抽取须由监督人员现场输入随机码（nonce），不能为空。")
    per_app = c.integer("reviewers_per_application", data.get("reviewers_per_application", 3)) or 0
    reserves = c.integer("reserves_per_application", data.get("reserves_per_application", 0)) or 0
    avoid = data.get("avoid_same_region", False)
    if not isinstance(avoid, bool):
        c.add("avoid_same_region", "应为 true 或 false。")
        avoid = False

    experts: list[Expert] = []
    raw_experts = data.get("experts")
    if not isinstance(raw_experts, list) or not raw_experts:
        c.add("experts", "应为非空的专家列表。")
        raw_experts = []
    seen: set[str] = set()
    for n, raw in enumerate(raw_experts, start=1):
        where = "experts 第 %(n)d 项" % {"n": n}
        if not isinstance(raw, dict):
            c.add(where, "应为对象。")
            continue
        c.unknown(where, raw, _EXPERT_KEYS)
        eid = c.id_of(where + " id", raw.get("id"))
        if "max_load" not in raw:
            c.add(where + " max_load", "必须填写最高评审量。")
        max_load = c.integer(where + " max_load", raw.get("max_load", 0))
        min_load = c.integer(where + " min_load", raw.get("min_load", 0))
        if max_load is not None and min_load is not None and min_load > max_load:
            c.add(
                where, "最低评审量 min_load（%(a)d）大于最高评审量 max_load（%(b)d）。" % {"a": min_load, "b": max_load}
            )
        if eid is not None:
            if eid in seen:
                c.add(where + " id", "专家编号“%(id)s”重复。" % {"id": eid})
            seen.add(eid)
        experts.append(
            Expert(
                id=eid or "",
                max_load=max_load or 0,
                min_load=min_load or 0,
                subjects=c.texts(where + " subjects", raw.get("subjects")),
                organization=c.text(where + " organization", raw.get("organization")),
                region=c.text(where + " region", raw.get("region")),
                name=c.text(where + " name", raw.get("name")),
                keywords=c.texts(where + " keywords", raw.get("keywords")),
            )
        )

    apps: list[Application] = []
    raw_apps = data.get("applications")
    if not isinstance(raw_apps, list) or not raw_apps:
        c.add("applications", "应为非空的项目（申报）列表。")
        raw_apps = []
    seen_apps: set[str] = set()
    for n, raw in enumerate(raw_apps, start=1):
        where = "applications 第 %(n)d 项" % {"n": n}
        if not isinstance(raw, dict):
            c.add(where, "应为对象。")
            continue
        c.unknown(where, raw, _APP_KEYS)
        aid = c.id_of(where + " id", raw.get("id"))
        if aid is not None:
            if aid in seen_apps:
                c.add(where + " id", "项目编号“%(id)s”重复。" % {"id": aid})
            seen_apps.add(aid)
        reviewers = None if raw.get("reviewers") is None else c.integer(where + " reviewers", raw.get("reviewers"))
        apps.append(
            Application(
                id=aid or "",
                subjects=c.texts(where + " subjects", raw.get("subjects")),
                organization=c.text(where + " organization", raw.get("organization")),
                region=c.text(where + " region", raw.get("region")),
                members=c.texts(where + " members", raw.get("members")),
                reviewers=reviewers,
                keywords=c.texts(where + " keywords", raw.get("keywords")),
            )
        )

    expert_index = {e.id: i for i, e in enumerate(experts)}
    app_index = {a.id: i for i, a in enumerate(apps)}

    conflicts: list[Conflict] = []
    raw_conflicts = data.get("conflicts") or []
    if not isinstance(raw_conflicts, list):
        c.add("conflicts", "应为列表。")
        raw_conflicts = []
    for n, raw in enumerate(raw_conflicts, start=1):
        where = "conflicts 第 %(n)d 项" % {"n": n}
        if not isinstance(raw, dict):
            c.add(where, "应为对象。")
            continue
        c.unknown(where, raw, {"expert", "application", "reason"})
        eid = c.id_of(where + " expert", raw.get("expert"))
        aid = c.id_of(where + " application", raw.get("application"))
        if eid is not None and eid not in expert_index:
            c.add(where + " expert", "专家“%(id)s”不在 experts 中。" % {"id": eid})
        if aid is not None and aid not in app_index:
            c.add(where + " application", "项目“%(id)s”不在 applications 中。" % {"id": aid})
        conflicts.append(Conflict(eid or "", aid or "", c.text(where + " reason", raw.get("reason"))))

    affinity = _read_affinity(c, data, experts, apps, expert_index, app_index)
    if c.problems:
        raise InstanceError(c.problems)
    return Instance(
        mode=mode,
        experts=tuple(experts),
        applications=tuple(apps),
        reviewers_per_application=per_app,
        reserves_per_application=reserves,
        conflicts=tuple(conflicts),
        affinity=affinity,
        avoid_same_region=avoid,
        nonce=nonce,
    )


def _read_affinity(
    c: _Checker,
    data: dict[str, Any],
    experts: list[Expert],
    apps: list[Application],
    expert_index: dict[str, int],
    app_index: dict[str, int],
) -> np.ndarray[Any, np.dtype[np.float64]] | None:
    has_list = data.get("affinity") is not None
    has_matrix = data.get("affinity_matrix") is not None
    if has_list and has_matrix:
        c.add("affinity", "affinity 与 affinity_matrix 只能给出其一。")
        return None
    if has_matrix:
        return _read_matrix(c, data["affinity_matrix"], len(apps), len(experts))
    if not has_list:
        return None
    raw_list = data["affinity"]
    if not isinstance(raw_list, list):
        c.add("affinity", "应为列表。")
        return None
    matrix = np.full((len(apps), len(experts)), np.nan)
    for n, raw in enumerate(raw_list, start=1):
        where = "affinity 第 %(n)d 项" % {"n": n}
        if not isinstance(raw, dict):
            c.add(where, "应为对象。")
            continue
        c.unknown(where, raw, {"expert", "application", "score"})
        eid = c.id_of(where + " expert", raw.get("expert"))
        aid = c.id_of(where + " application", raw.get("application"))
        score = c.score(where + " score", raw.get("score"))
        e = expert_index.get(eid or "")
        a = app_index.get(aid or "")
        if eid is not None and e is None:
            c.add(where + " expert", "专家“%(id)s”不在 experts 中。" % {"id": eid})
        if aid is not None and a is None:
            c.add(where + " application", "项目“%(id)s”不在 applications 中。" % {"id": aid})
        if a is None or e is None or score is None:
            continue
        if not math.isnan(matrix[a, e]):
            c.add(where, "专家“%(e)s”与项目“%(a)s”的相关度重复给出。" % {"e": eid, "a": aid})
        matrix[a, e] = score
    return matrix


def _read_matrix(c: _Checker, raw: Any, rows: int, cols: int) -> np.ndarray[Any, np.dtype[np.float64]] | None:
    where = "affinity_matrix"
    if not isinstance(raw, list) or len(raw) != rows:
        c.add(where, "应为 %(r)d 行（每个项目一行，按 applications 的顺序）。" % {"r": rows})
        return None
    matrix = np.full((rows, cols), np.nan)
    for i, row in enumerate(raw):
        if not isinstance(row, list) or len(row) != cols:
            c.add(where, "第 %(i)d 行应有 %(c)d 列（每位专家一列，按 experts 的顺序）。" % {"i": i + 1, "c": cols})
            continue
        try:
            # Fast path for a dense numeric row; null (no score) becomes NaN.
            values = np.array([np.nan if v is None else v for v in row], dtype=np.float64)
        except (TypeError, ValueError):
            values = None
        # NaN is not a score: JSON "NaN" (which Python reads) is refused like Infinity; only null means
        # "no score" (so the NaNs of the row must be exactly its nulls).
        if (
            values is None
            or any(isinstance(v, bool | str) for v in row)
            or np.isinf(values).any()
            or int(np.isnan(values).sum()) != row.count(None)
        ):
            for j, v in enumerate(row):
                if v is not None:
                    c.score("%(w)s 第 %(i)d 行第 %(j)d 列" % {"w": where, "i": i + 1, "j": j + 1}, v)
            continue
        matrix[i] = values + 0.0
    return matrix


def instance_to_dict(instance: Instance) -> dict[str, Any]:
    """The instance in its JSON form (the input format of ``kejiju assign``), with the nonce: archived with a
    draw, it reproduces the same seed digest and the same panels. The affinity, when given, is written as
    ``affinity_matrix`` in input order (``null`` where a pair has no score); floats keep their exact value."""
    out: dict[str, Any] = {
        "mode": instance.mode,
        "nonce": instance.nonce,
        "reviewers_per_application": instance.reviewers_per_application,
        "reserves_per_application": instance.reserves_per_application,
        "avoid_same_region": instance.avoid_same_region,
        "experts": [
            {
                "id": e.id,
                "max_load": e.max_load,
                "min_load": e.min_load,
                "subjects": list(e.subjects),
                "organization": e.organization,
                "region": e.region,
                "name": e.name,
                "keywords": list(e.keywords),
            }
            for e in instance.experts
        ],
        "applications": [
            {
                "id": a.id,
                **({} if a.reviewers is None else {"reviewers": a.reviewers}),
                "subjects": list(a.subjects),
                "organization": a.organization,
                "region": a.region,
                "members": list(a.members),
                "keywords": list(a.keywords),
            }
            for a in instance.applications
        ],
        "conflicts": [
            {"expert": c.expert, "application": c.application, "reason": c.reason} for c in instance.conflicts
        ],
    }
    if instance.affinity is not None:
        out["affinity_matrix"] = [
            [None if math.isnan(v) else float(v) for v in row] for row in instance.affinity.tolist()
        ]
    return out


def canonical_json(instance: Instance) -> str:
    """The canonical text of the instance without its nonce (see docs/modules/assignment.md).

    Experts and applications sorted by id, lists sorted, defaults filled in; the affinity (list or matrix
    alike) replaced by ``affinity_sha256``: SHA-256 of the float64 little-endian matrix in sorted-id order,
    NaN where a pair has no score. So input order and the affinity form do not change the seed.
    """
    experts = sorted(instance.experts, key=lambda e: e.id)
    apps = sorted(instance.applications, key=lambda a: a.id)
    body: dict[str, Any] = {
        "mode": instance.mode,
        "reviewers_per_application": instance.reviewers_per_application,
        "reserves_per_application": instance.reserves_per_application,
        "avoid_same_region": instance.avoid_same_region,
        "experts": [
            {
                "id": e.id,
                "max_load": e.max_load,
                "min_load": e.min_load,
                "subjects": sorted(e.subjects),
                "organization": e.organization,
                "region": e.region,
                "name": e.name,
                "keywords": sorted(e.keywords),
            }
            for e in experts
        ],
        "applications": [
            {
                "id": a.id,
                "reviewers": instance.needed(a),
                "subjects": sorted(a.subjects),
                "organization": a.organization,
                "region": a.region,
                "members": sorted(a.members),
                "keywords": sorted(a.keywords),
            }
            for a in apps
        ],
        "conflicts": sorted([c.expert, c.application, c.reason] for c in instance.conflicts),
        "affinity_sha256": None,
    }
    if instance.affinity is not None:
        e_order = sorted(range(len(instance.experts)), key=lambda i: instance.experts[i].id)
        a_order = sorted(range(len(instance.applications)), key=lambda i: instance.applications[i].id)
        ordered = np.ascontiguousarray(instance.affinity[np.ix_(a_order, e_order)], dtype="<f8")
        ordered[np.isnan(ordered)] = np.nan  # one NaN bit pattern
        body["affinity_sha256"] = hashlib.sha256(ordered.tobytes()).hexdigest()
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def seed_digest(instance: Instance) -> str:
    """SHA-256 (hex) of the canonical instance, a newline and the nonce: the seed of the draw."""
    return hashlib.sha256((canonical_json(instance) + "\n" + instance.nonce).encode("utf-8")).hexdigest()


def result_to_dict(result: Result) -> dict[str, Any]:
    """The result in its JSON form."""
    shortfall: list[dict[str, Any]] = []
    for s in result.shortfall:
        item: dict[str, Any] = {"application": s.application, "missing": s.missing, "reason": s.reason}
        if s.expert is not None:
            item["expert"] = s.expert
        shortfall.append(item)
    return {
        "status": result.status,
        "assignments": [
            {"application": x.application, "expert": x.expert, "score": x.score} for x in result.assignments
        ],
        "reserves": [{"application": x.application, "expert": x.expert, "rank": x.rank} for x in result.reserves],
        "objective": result.objective,
        "bound": result.bound,
        "seed_digest": result.seed_digest,
        "shortfall": shortfall,
        "warnings": list(result.warnings),
    }

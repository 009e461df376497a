"""Expert assignment as a transportation (b-matching) LP, solved exactly with HiGHS by column generation.

Both modes solve the same network LP — each application gets exactly its number of reviewers, each expert
between ``min_load`` and ``max_load``, each eligible pair at most once — whose constraint matrix is totally
unimodular, so the simplex vertex HiGHS returns is integral:

* **optimal** minimises −affinity;
* **draw** minimises a random key per pair (from a generator seeded by the SHA-256 of the canonical instance
  and the supervisor's nonce) plus a convex load penalty (the k-th review of an expert costs k), so panels are
  random, never stuck half-way when a full draw exists, and loads are as even as eligibility allows.

The LP starts from the best few candidate experts per application (and applications per expert); the duals
then price *every* eligible pair of the full instance: pairs with a negative reduced cost are added and the LP
re-solved, until none is left — so the answer is optimal on the full instance, and the Lagrangian dual value
over all pairs is reported as the bound. When the LP is infeasible, a phase-1 LP (same columns plus slack)
finds the fewest missing reviewers and each shortfall is explained.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import sparse
from scipy.optimize import linprog

from .jsonio import seed_digest
from .model import Assignment, Instance, Reserve, Result, Shortfall, SolverError

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.intp]

_CHUNK = 256  # rows per pass when pricing the full matrix (bounds the temporary memory)
_MAX_ROUNDS = 100
_SPREAD = 1.0  # draw mode: extra cost of each further review of one expert (random keys lie in [0, 1))


@dataclass
class _Prepared:
    scores: FloatArray  # applications × experts, NaN where the pair has no score (no subject match)
    has_score: BoolArray
    listed: BoolArray
    same_org: BoolArray
    member: BoolArray
    same_region: BoolArray
    eligible: BoolArray
    need: IntArray
    max_load: IntArray
    min_load: IntArray


@dataclass
class _Extras:
    """Non-pair LP columns: one coefficient in one row each (load variables, slacks)."""

    row: IntArray
    coef: FloatArray
    cost: FloatArray
    lb: FloatArray
    ub: FloatArray


@dataclass
class _LP:
    rows: IntArray
    cols: IntArray
    x: FloatArray
    xe: FloatArray
    fun: float
    lower: float  # Lagrangian lower bound of the full LP (every eligible pair), from the final duals


def solve(instance: Instance) -> Result:
    """Assign reviewers to every application of the instance (mode optimal or draw).

    Returns status "ok" with full panels, ordered reserves, objective and bound; or status "infeasible" with no
    assignment at all and a ``shortfall`` per application (and per expert whose minimum load cannot be met).
    Raises ``SolverError`` only if HiGHS fails for another reason.
    """
    digest = seed_digest(instance)
    p = _prepare(instance)
    n_apps, n_experts = p.eligible.shape
    if instance.mode == "optimal":
        cost = np.where(p.eligible, -np.nan_to_num(p.scores), np.inf)
        extras = _Extras(
            row=n_apps + np.arange(n_experts),
            coef=-np.ones(n_experts),
            cost=np.zeros(n_experts),
            lb=p.min_load.astype(np.float64),
            ub=p.max_load.astype(np.float64),
        )
    else:
        keys = _random_keys(instance, digest)
        cost = np.where(p.eligible, keys, np.inf)
        del keys
        owner = np.repeat(np.arange(n_experts), p.max_load)
        slot = np.arange(owner.size) - np.repeat(np.cumsum(p.max_load) - p.max_load, p.max_load)
        extras = _Extras(
            row=n_apps + owner,
            coef=-np.ones(owner.size),
            cost=slot.astype(np.float64) * _SPREAD,
            lb=(slot < p.min_load[owner]).astype(np.float64),
            ub=np.ones(owner.size),
        )
    cand = _initial_candidates(cost, p)
    lp = _column_generation(cost, p.need, extras, cand)
    if lp is None:
        phase1 = _phase1(p, cand)
        if phase1.fun > 0.5:
            return Result(status="infeasible", seed_digest=digest, shortfall=tuple(_explain(instance, p, phase1)))
        # Feasible after all: the pruned columns were too few. The phase-1 panels are a feasible start.
        support = phase1.x > 0.5
        cand[phase1.rows[support], phase1.cols[support]] = True
        lp = _column_generation(cost, p.need, extras, cand)
        if lp is None:
            raise SolverError("分配求解异常：可行性检验与求解结果不一致。")
    if lp.x.size and float(np.abs(lp.x - np.round(lp.x)).max()) > 1e-6:
        raise SolverError("分配求解异常：线性规划解不是整数解。")
    chosen = lp.x > 0.5
    apps_idx, experts_idx = lp.rows[chosen], lp.cols[chosen]
    load = np.bincount(experts_idx, minlength=n_experts)
    _verify(p, apps_idx, experts_idx, load)

    order = np.lexsort((cost[apps_idx, experts_idx], apps_idx))
    apps_idx, experts_idx = apps_idx[order], experts_idx[order]
    scores = p.scores[apps_idx, experts_idx]
    assignments = tuple(
        Assignment(instance.applications[a].id, instance.experts[e].id, float(s))
        for a, e, s in zip(apps_idx.tolist(), experts_idx.tolist(), scores.tolist(), strict=True)
    )
    reserves, warnings = _reserves(instance, cost, apps_idx, experts_idx, load, p.max_load)
    objective = math.fsum(scores.tolist())
    return Result(
        status="ok",
        seed_digest=digest,
        assignments=assignments,
        reserves=reserves,
        objective=objective,
        bound=-lp.lower if instance.mode == "optimal" else None,
        warnings=tuple(warnings),
    )


def _prepare(instance: Instance) -> _Prepared:
    n_apps, n_experts = len(instance.applications), len(instance.experts)
    scores = instance.affinity.copy() if instance.affinity is not None else _subject_scores(instance)
    has_score = ~np.isnan(scores)
    expert_index = {e.id: j for j, e in enumerate(instance.experts)}
    app_index = {a.id: i for i, a in enumerate(instance.applications)}

    listed = np.zeros((n_apps, n_experts), dtype=bool)
    for c in instance.conflicts:
        listed[app_index[c.application], expert_index[c.expert]] = True

    same_org = _same_value([a.organization for a in instance.applications], [e.organization for e in instance.experts])
    member = np.zeros((n_apps, n_experts), dtype=bool)
    by_name: dict[str, list[int]] = {}
    for j, e in enumerate(instance.experts):
        by_name.setdefault(e.id, []).append(j)
        if e.name and e.name != e.id:
            by_name.setdefault(e.name, []).append(j)
    for i, a in enumerate(instance.applications):
        for m in a.members:
            member[i, by_name.get(m, [])] = True
    if instance.avoid_same_region:
        same_region = _same_value([a.region for a in instance.applications], [e.region for e in instance.experts])
    else:
        same_region = np.zeros((n_apps, n_experts), dtype=bool)
    eligible = has_score & ~listed & ~same_org & ~member & ~same_region
    return _Prepared(
        scores=scores,
        has_score=has_score,
        listed=listed,
        same_org=same_org,
        member=member,
        same_region=same_region,
        eligible=eligible,
        need=np.array([instance.needed(a) for a in instance.applications], dtype=np.intp),
        max_load=np.array([e.max_load for e in instance.experts], dtype=np.intp),
        min_load=np.array([e.min_load for e in instance.experts], dtype=np.intp),
    )


def _same_value(left: list[str], right: list[str]) -> BoolArray:
    """Pairs with the same non-empty value (organization, region)."""
    codes: dict[str, int] = {}
    a = np.array([codes.setdefault(v, len(codes)) if v else -1 for v in left], dtype=np.intp)
    b = np.array([codes.setdefault(v, len(codes)) if v else -2 for v in right], dtype=np.intp)
    return np.asarray(a[:, None] == b[None, :], dtype=bool)


def subject_score(app_subjects: tuple[str, ...], expert_subjects: tuple[str, ...]) -> float | None:
    """Subject affinity of one pair: None when no subject matches by prefix (either way), else the best
    len(shorter)/len(longer) over matching pairs — 1.0 for the same code, less for a broader one."""
    best: float | None = None
    for s in app_subjects:
        for t in expert_subjects:
            if s.startswith(t) or t.startswith(s):
                value = min(len(s), len(t)) / max(len(s), len(t))
                best = value if best is None else max(best, value)
    return best


def _subject_scores(instance: Instance) -> FloatArray:
    """Affinity from subjects (prefix match either way) plus the Jaccard index of keywords on matched pairs.

    Experts and applications are grouped by their set of subjects (a pool has few distinct sets), and an index
    of every prefix of every subject keeps the work proportional to the matching groups, not to all pairs.
    """
    n_apps, n_experts = len(instance.applications), len(instance.experts)
    scores = np.full((n_apps, n_experts), np.nan)
    expert_groups: dict[tuple[str, ...], list[int]] = {}
    for j, e in enumerate(instance.experts):
        expert_groups.setdefault(tuple(sorted(set(e.subjects))), []).append(j)
    app_groups: dict[tuple[str, ...], list[int]] = {}
    for i, a in enumerate(instance.applications):
        app_groups.setdefault(tuple(sorted(set(a.subjects))), []).append(i)
    group_keys = list(expert_groups)
    exact: dict[str, set[int]] = {}
    below: dict[str, set[int]] = {}
    for g, subjects in enumerate(group_keys):
        for t in subjects:
            exact.setdefault(t, set()).add(g)
            for k in range(1, len(t) + 1):
                below.setdefault(t[:k], set()).add(g)
    for app_subjects, app_rows in app_groups.items():
        matched: set[int] = set()
        for subject in app_subjects:
            for k in range(1, len(subject) + 1):
                matched |= exact.get(subject[:k], set())
            matched |= below.get(subject, set())
        rows = np.array(app_rows, dtype=np.intp)
        for g in sorted(matched):
            value = subject_score(app_subjects, group_keys[g])
            if value is not None:
                scores[np.ix_(rows, np.array(expert_groups[group_keys[g]], dtype=np.intp))] = value
    if any(a.keywords for a in instance.applications) and any(e.keywords for e in instance.experts):
        for i, a in enumerate(instance.applications):
            app_keywords = set(a.keywords)
            if not app_keywords:
                continue
            for j in np.flatnonzero(~np.isnan(scores[i])).tolist():
                expert_keywords = set(instance.experts[j].keywords)
                if expert_keywords:
                    scores[i, j] += len(app_keywords & expert_keywords) / len(app_keywords | expert_keywords)
    return scores


def _random_keys(instance: Instance, digest: str) -> FloatArray:
    """Uniform keys in [0, 1) per pair, drawn in sorted-id order so input order does not change the draw."""
    rng = np.random.default_rng(int.from_bytes(bytes.fromhex(digest), "big"))
    n_apps, n_experts = len(instance.applications), len(instance.experts)
    keys = rng.random((n_apps, n_experts))
    a_rank = np.argsort(np.argsort(np.array([a.id for a in instance.applications]), kind="stable"))
    e_rank = np.argsort(np.argsort(np.array([e.id for e in instance.experts]), kind="stable"))
    if not (np.array_equal(a_rank, np.arange(n_apps)) and np.array_equal(e_rank, np.arange(n_experts))):
        keys = keys[np.ix_(a_rank, e_rank)]
    return keys


def _initial_candidates(cost: FloatArray, p: _Prepared) -> BoolArray:
    """The cheapest few experts per application and applications per expert: usually already all the LP needs."""
    n_apps, n_experts = cost.shape
    finite = np.isfinite(cost)
    k = min(n_experts, 3 * int(p.need.max(initial=0)) + 10)
    if k >= n_experts:
        return finite.copy()
    cand = np.zeros_like(finite)
    top = np.argpartition(cost, k - 1, axis=1)[:, :k]
    cand[np.arange(n_apps)[:, None], top] = True
    per_expert = int(np.ceil(p.need.sum() / max(n_experts, 1))) + int(p.min_load.max(initial=0)) + 2
    if per_expert < n_apps:
        top_apps = np.argpartition(cost, per_expert - 1, axis=0)[:per_expert, :]
        cand[top_apps, np.arange(n_experts)[None, :]] = True
    else:
        cand[:] = True
    return cand & finite


def _column_generation(cost: FloatArray, need: IntArray, extras: _Extras, cand: BoolArray) -> _LP | None:
    """Solve the LP over the candidate pairs, price every pair of ``cost`` (inf = ineligible) with the duals,
    add those with negative reduced cost, repeat. None when the candidate LP is infeasible. ``cand`` grows."""
    n_apps, n_experts = cost.shape
    b = np.concatenate([need.astype(np.float64), np.zeros(n_experts)])
    finite_costs = cost[np.isfinite(cost)]
    scale = max(1.0, float(np.abs(finite_costs).max(initial=0.0)), float(np.abs(extras.cost).max(initial=0.0)))
    tol = 1e-7 * scale
    # A fixed zero column keeps the LP non-empty (no pair and no load column is a valid, if dull, instance).
    extras = _Extras(
        row=np.append(extras.row, 0),
        coef=np.append(extras.coef, 0.0),
        cost=np.append(extras.cost, 0.0),
        lb=np.append(extras.lb, 0.0),
        ub=np.append(extras.ub, 0.0),
    )
    m = extras.row.size
    for _ in range(_MAX_ROUNDS):
        rows, cols = np.nonzero(cand)
        n = rows.size
        matrix = sparse.csc_array(
            (
                np.concatenate([np.ones(2 * n), extras.coef]),
                (
                    np.concatenate([rows, n_apps + cols, extras.row]),
                    np.concatenate([np.arange(n), np.arange(n), n + np.arange(m)]),
                ),
            ),
            shape=(n_apps + n_experts, n + m),
        )
        c = np.concatenate([cost[rows, cols], extras.cost])
        bounds = np.column_stack([np.concatenate([np.zeros(n), extras.lb]), np.concatenate([np.ones(n), extras.ub])])
        res: Any = linprog(c, A_eq=matrix, b_eq=b, bounds=bounds, method="highs-ds")
        if res.status == 2:
            return None
        if res.status != 0:
            raise SolverError("分配求解异常：%(m)s" % {"m": res.message})
        y = np.asarray(res.eqlin.marginals, dtype=np.float64)
        u, v = y[:n_apps], y[n_apps:]
        pair_term = 0.0
        added = False
        for s in range(0, n_apps, _CHUNK):
            reduced = cost[s : s + _CHUNK] - u[s : s + _CHUNK, None] - v[None, :]
            pair_term += float(np.minimum(reduced, 0.0).sum())
            new = (reduced < -tol) & ~cand[s : s + _CHUNK]
            if new.any():
                cand[s : s + _CHUNK] |= new
                added = True
        if not added:
            dj = extras.cost - extras.coef * y[extras.row]
            extra_term = float(np.where(dj >= 0, dj * extras.lb, dj * extras.ub).sum())
            x = np.asarray(res.x, dtype=np.float64)
            return _LP(rows, cols, x[:n], x[n:-1], float(res.fun), float(b @ y) + extra_term + pair_term)
    raise SolverError("分配求解异常：列生成超过 %(n)d 轮仍未收敛。" % {"n": _MAX_ROUNDS})


def _phase1(p: _Prepared, cand: BoolArray) -> _LP:
    """Fewest missing reviewers (plus missing minimum loads) over all eligible pairs: always feasible.

    Extras: slack per application (cost 1), load per expert in [min, max], and a phantom load per expert with a
    minimum (cost 1) that stands in for reviews it cannot get.
    """
    n_apps, n_experts = p.eligible.shape
    with_min = np.flatnonzero(p.min_load > 0)
    extras = _Extras(
        row=np.concatenate([np.arange(n_apps), n_apps + np.arange(n_experts), n_apps + with_min]),
        coef=np.concatenate([np.ones(n_apps), -np.ones(n_experts), np.ones(with_min.size)]),
        cost=np.concatenate([np.ones(n_apps), np.zeros(n_experts), np.ones(with_min.size)]),
        lb=np.concatenate([np.zeros(n_apps), p.min_load.astype(np.float64), np.zeros(with_min.size)]),
        ub=np.concatenate(
            [p.need.astype(np.float64), p.max_load.astype(np.float64), p.min_load[with_min].astype(np.float64)]
        ),
    )
    cost = np.where(p.eligible, 0.0, np.inf)
    lp = _column_generation(cost, p.need, extras, cand.copy())
    if lp is None:
        raise SolverError("分配求解异常：可行性检验无解。")
    return lp


def _explain(instance: Instance, p: _Prepared, lp: _LP) -> list[Shortfall]:
    """One shortfall per application missing reviewers, and per expert whose minimum load cannot be met."""
    n_apps, n_experts = p.eligible.shape
    slack = np.round(lp.xe[:n_apps]).astype(np.intp)
    phantom = np.round(lp.xe[n_apps + n_experts :]).astype(np.intp)
    chosen = lp.x > 0.5
    load = np.bincount(lp.cols[chosen], minlength=n_experts)
    full = load >= p.max_load
    no_score_label = "无相关度评分" if instance.affinity is not None else "学科不符"
    out: list[Shortfall] = []
    for a in np.flatnonzero(slack > 0).tolist():
        need = int(p.need[a])
        eligible = int(p.eligible[a].sum())
        missing = int(slack[a])
        if eligible < need:
            # Each excluded expert is counted once, under the first reason that applies.
            parts: list[str] = []
            no_score = int((~p.has_score[a]).sum())
            if no_score:
                parts.append("%(label)s %(n)d 名" % {"label": no_score_label, "n": no_score})
            remaining = p.has_score[a].copy()
            for label, mask in (
                ("回避名单", p.listed[a]),
                ("与申报单位同单位", p.same_org[a]),
                ("为本项目成员", p.member[a]),
                ("与项目同地区", p.same_region[a]),
            ):
                counted = int((mask & remaining).sum())
                remaining &= ~mask
                if counted:
                    parts.append("%(label)s %(n)d 名" % {"label": label, "n": counted})
            reason = "需要 %(need)d 名评审专家，符合条件的仅 %(el)d 名（共 %(all)d 名专家，其中%(parts)s）" % {
                "need": need,
                "el": eligible,
                "all": n_experts,
                "parts": "、".join(parts),
            }
            if missing > need - eligible:
                reason += "；另缺 %(k)d 名：符合条件的专家评审量已满（达到最高评审量）" % {
                    "k": missing - (need - eligible)
                }
        else:
            busy = int((p.eligible[a] & full).sum())
            reason = (
                "需要 %(need)d 名评审专家，符合条件的有 %(el)d 名，但其中 %(busy)d 名的评审量已被其他项目占满"
                "（达到最高评审量）" % {"need": need, "el": eligible, "busy": busy}
            )
        out.append(Shortfall(application=instance.applications[a].id, missing=missing, reason=reason + "。"))
    with_min = np.flatnonzero(p.min_load > 0)
    for k in np.flatnonzero(phantom > 0).tolist():
        e = int(with_min[k])
        reason = "专家最低评审量为 %(min)d 项，但符合条件的项目只有 %(n)d 项，无法达到最低评审量。" % {
            "min": int(p.min_load[e]),
            "n": int(p.eligible[:, e].sum()),
        }
        if int(p.eligible[:, e].sum()) >= int(p.min_load[e]):
            reason = "专家最低评审量为 %(min)d 项，但可安排给该专家的项目已由其他专家评满，无法达到最低评审量。" % {
                "min": int(p.min_load[e])
            }
        out.append(Shortfall(application=None, missing=int(phantom[k]), reason=reason, expert=instance.experts[e].id))
    return out


def _verify(p: _Prepared, apps_idx: IntArray, experts_idx: IntArray, load: IntArray) -> None:
    """Never hand out a result that breaks a rule, whatever the solver did."""
    counts = np.bincount(apps_idx, minlength=p.need.size)
    if (
        not np.array_equal(counts, p.need)
        or bool((load > p.max_load).any())
        or bool((load < p.min_load).any())
        or not bool(p.eligible[apps_idx, experts_idx].all())
        or np.unique(apps_idx * p.max_load.size + experts_idx).size != apps_idx.size
    ):
        raise SolverError("分配求解异常：结果未通过约束校验。")


def _reserves(
    instance: Instance,
    cost: FloatArray,
    apps_idx: IntArray,
    experts_idx: IntArray,
    load: IntArray,
    max_load: IntArray,
) -> tuple[tuple[Reserve, ...], list[str]]:
    """Ordered reserves (备选) per application: eligible, not on its panel, with load to spare, in the mode's
    order (best affinity / random key). Fewer than asked gives a warning, not a failure: panels are complete."""
    wanted = instance.reserves_per_application
    n_apps, n_experts = cost.shape
    if wanted == 0:
        return (), []
    free = cost.copy()
    free[apps_idx, experts_idx] = np.inf
    free[:, load >= max_load] = np.inf
    k = min(wanted, n_experts)
    top = np.argpartition(free, k - 1, axis=1)[:, :k] if k < n_experts else np.tile(np.arange(n_experts), (n_apps, 1))
    values = np.take_along_axis(free, top, axis=1)
    order = np.lexsort((top, values), axis=-1)
    top = np.take_along_axis(top, order, axis=1)
    values = np.take_along_axis(values, order, axis=1)
    reserves: list[Reserve] = []
    warnings: list[str] = []
    for a in range(n_apps):
        app = instance.applications[a]
        rank = 0
        for e, value in zip(top[a].tolist(), values[a].tolist(), strict=True):
            if math.isfinite(value):
                rank += 1
                reserves.append(Reserve(app.id, instance.experts[e].id, rank))
        if rank < wanted:
            warnings.append(
                "项目“%(a)s”只有 %(n)d 名可作备选的专家（符合条件、未入选且评审量未满），少于要求的 %(w)d 名。"
                % {"a": app.id, "n": rank, "w": wanted}
            )
    return tuple(reserves), warnings

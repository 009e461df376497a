"""Benchmark: the expert-assignment engine (optimal and draw modes) on generated instances.

Usage: python bench/assign.py [--sizes 500x1500,2000x5000] [--seed 20240601]

Each instance: dense affinity (uniform [0, 1)), 3 reviewers per application, max load 4, 2% random conflicts,
generated with a fixed seed. Prints for each mode the wall time of ``solve`` (the JSON parsing of the CLI is
not included), the objective, the LP bound and their ratio (optimal mode must reach ≥ 0.9999), and checks the
result against the rules (panel sizes, loads, conflicts). Targets: ≤ 10 s at 2,000 × 5,000, ≤ 1 s at 500 × 1,500.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time

import numpy as np

from kejiju.engines.assignment import Application, Conflict, Expert, Instance, solve


def make_instance(n_apps: int, n_experts: int, mode: str, seed: int) -> Instance:
    rng = np.random.default_rng(seed)
    affinity = rng.random((n_apps, n_experts))
    experts = tuple(Expert(id="E%05d" % j, max_load=4) for j in range(n_experts))
    apps = tuple(Application(id="A%05d" % i) for i in range(n_apps))
    hits = np.argwhere(rng.random((n_apps, n_experts)) < 0.02)
    conflicts = tuple(Conflict(experts[e].id, apps[a].id, "随机回避") for a, e in hits.tolist())
    return Instance(
        mode="draw" if mode == "draw" else "optimal",
        experts=experts,
        applications=apps,
        reviewers_per_application=3,
        reserves_per_application=2,
        conflicts=conflicts,
        affinity=affinity,
        nonce="监督员现场输入-2024",
    )


def check(instance: Instance, result: object) -> str:
    from kejiju.engines.assignment import Result

    assert isinstance(result, Result) and result.status == "ok", "not ok"
    forbidden = {(c.application, c.expert) for c in instance.conflicts}
    per_app: dict[str, int] = {}
    per_expert: dict[str, int] = {}
    for x in result.assignments:
        assert (x.application, x.expert) not in forbidden
        per_app[x.application] = per_app.get(x.application, 0) + 1
        per_expert[x.expert] = per_expert.get(x.expert, 0) + 1
    assert all(per_app.get(a.id) == 3 for a in instance.applications)
    assert max(per_expert.values()) <= 4
    loads = np.bincount(list(per_expert.values()))
    return "loads " + " ".join("%d×%d" % (k, n) for k, n in enumerate(loads.tolist()) if k and n)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="500x1500,2000x5000")
    parser.add_argument("--seed", type=int, default=20240601)
    args = parser.parse_args()
    print(
        "python %s, numpy %s, %s, %d cores"
        % (sys.version.split()[0], np.__version__, platform.platform(), os.cpu_count() or 0)
    )
    for size in args.sizes.split(","):
        n_apps, n_experts = (int(v) for v in size.split("x"))
        for mode in ("optimal", "draw"):
            instance = make_instance(n_apps, n_experts, mode, args.seed)
            start = time.perf_counter()
            result = solve(instance)
            elapsed = time.perf_counter() - start
            summary = check(instance, result)
            line = "%5d × %-5d %-7s %6.2f s  objective %.6f" % (
                n_apps,
                n_experts,
                mode,
                elapsed,
                result.objective or 0.0,
            )
            if result.bound is not None:
                ratio = (result.objective or 0.0) / result.bound
                line += "  bound %.6f  ratio %.8f  gap %.1e" % (
                    result.bound,
                    ratio,
                    result.bound - (result.objective or 0.0),
                )
                assert ratio >= 0.9999, "optimal mode below 0.9999 of the LP bound"
            print(line + "  " + summary)


if __name__ == "__main__":
    main()

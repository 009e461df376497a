"""Benchmark: ``kejiju evaluate tech-sme|hnte`` over 100,000 enterprises (target ≤ 10 s each).

Usage: python bench/cultivation_evaluate.py [--rows 100000] [--rounds 1] [--engine tech-sme|hnte|both]

Writes a JSON file of ``--rows`` generated, valid IN records (deterministic, seed 7: a mix of passing,
failing, direct-confirmation, expert-pending and ineligible cases, money as decimal strings and JSON
numbers), then times the real command line in a fresh process (``python -m kejiju evaluate …``), which
reads, validates, evaluates and writes the OUT file; the wall time includes Python and Django start-up.
No database is used. The CPU time of the command (user + system) is printed too: on a loaded machine it
shows what the command itself costs (its worker processes included). ``--jobs N`` passes the command's option
of the same name; without it the command chooses (one worker per usable CPU, at most 4). The load average is
printed before each run: on a shared machine the wall time means little without it.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def tech_sme_rows(n: int, rng: random.Random) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for i in range(n):
        employees = rng.randrange(3, 600)
        sales = rng.randrange(100_000, 250_000_000)
        rows.append(
            {
                "id": "S%06d" % i,
                "registered_in_mainland": rng.random() > 0.01,
                "restricted_industry": rng.random() < 0.01,
                "bad_record": rng.random() < 0.02,
                "employees": employees,
                "tech_staff": rng.randrange(0, employees + 1),
                "sales_revenue": "%d.%02d" % (sales, rng.randrange(100)),
                "total_assets": rng.randrange(100_000, 250_000_000),
                "rd_expense": "%d" % (sales * rng.randrange(0, 90) // 1000),
                "cost_total": sales * rng.randrange(50, 99) // 100,
                "ip_class1": rng.choice([0, 0, 0, 1, 2]),
                "ip_class2": rng.randrange(0, 8),
                "hnte_valid": rng.random() < 0.05,
                "national_award_top3": rng.random() < 0.01,
                "provincial_rd_institution": rng.random() < 0.05,
                "led_standard": rng.random() < 0.02,
                "first_filing": rng.random() < 0.4,
            }
        )
    return rows


def hnte_rows(n: int, rng: random.Random) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for i in range(n):
        employees = rng.randrange(10, 2000)
        sales = [rng.randrange(1_000_000, 400_000_000) for _ in range(3)]
        rd = [s * rng.randrange(10, 80) // 1000 for s in sales]
        total = rng.randrange(1_000_000, 400_000_000)
        row: dict[str, object] = {
            "id": "H%06d" % i,
            "application_date": "2026-06-01",
            "registration_date": "20%02d-0%d-15" % (rng.randrange(5, 26), rng.randrange(1, 10)),
            "core_ip_owned": rng.random() > 0.05,
            "ip_class1": rng.choice([0, 0, 1, 2]),
            "ip_class2": rng.randrange(0, 10),
            "ip_self_developed": rng.random() > 0.2,
            "field_in_catalogue": rng.random() > 0.05,
            "employees": employees,
            "tech_staff": rng.randrange(0, employees + 1),
            "sales": [str(s) for s in sales],
            "rd_expense": rd,
            "rd_expense_in_china": [r * rng.randrange(50, 101) // 100 for r in rd],
            "high_tech_revenue": total * rng.randrange(30, 100) // 100,
            "total_revenue": total,
            "net_assets": [rng.randrange(-1_000_000, 50_000_000) for _ in range(3)],
            "conversions": rng.randrange(0, 25),
            "operating_years": rng.choice([1, 2, 3, 5, 10]),
            "bad_record": rng.random() < 0.02,
        }
        rows.append(row)
    return rows


def _child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(engine: str, rows: int, rounds: int, workdir: Path, jobs: int | None = None) -> list[float]:
    rng = random.Random(7)
    data = tech_sme_rows(rows, rng) if engine == "tech-sme" else hnte_rows(rows, rng)
    src, out = workdir / f"{engine}-in.json", workdir / f"{engine}-out.json"
    src.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "kejiju.config.settings.dev"),
    }
    times, cpu, loads = [], [], []
    for _ in range(rounds):
        loads.append(os.getloadavg()[0])
        start, start_cpu = time.perf_counter(), _child_cpu()
        proc = subprocess.run(
            [sys.executable, "-m", "kejiju", "evaluate", engine, "--input", str(src), "--output", str(out)]
            + (["--jobs", str(jobs)] if jobs is not None else []),
            capture_output=True,
            text=True,
            env=env,
        )
        elapsed = time.perf_counter() - start
        cpu.append(_child_cpu() - start_cpu)
        if proc.returncode != 0:
            sys.exit("evaluate %s failed (%d): %s" % (engine, proc.returncode, proc.stderr[:2000]))
        times.append(elapsed)
        results = json.loads(out.read_text(encoding="utf-8"))
        assert len(results) == rows
    print(
        "%-9s %7d rows: %s s (best %.2f s; CPU %.2f s; load %s; jobs %s) — %s"
        % (
            engine,
            rows,
            ", ".join("%.2f" % t for t in times),
            min(times),
            min(cpu),
            "/".join("%.2f" % load for load in loads),
            "default" if jobs is None else jobs,
            proc.stdout.strip(),
        )
    )
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--engine", choices=["tech-sme", "hnte", "both"], default="both")
    parser.add_argument(
        "--jobs", type=int, default=None, help="worker processes of the command (default: the command's own choice)"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kejiju-bench-") as tmp:
        for engine in ["tech-sme", "hnte"] if args.engine == "both" else [args.engine]:
            run(engine, args.rows, args.rounds, Path(tmp), args.jobs)


if __name__ == "__main__":
    main()

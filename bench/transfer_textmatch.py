"""Benchmark: ranking achievements for a technology demand with the text matcher (pure engine).

Usage: python bench/transfer_textmatch.py [--candidates 500,3000,10000] [--seed 20240601]

Each run ranks one demand against N generated achievement texts (sentences built from a vocabulary of
agricultural, food, manufacturing and materials terms) with :func:`kejiju.engines.textmatch.rank`,
tokenizing every text (rjieba) as the suggestions page does. Prints the wall time per size and the best
match. The first run includes loading the rjieba dictionary
(≈ 3 s once per process). Target: ≤ 1 s at 3,000 candidates once the tokens are cached (``selectors.CANDIDATE_LIMIT``), the most the page reads.
"""

from __future__ import annotations

import argparse
import platform
import random
import time

from kejiju.engines.textmatch import Doc, rank

TERMS = (
    "水稻 育秧 基质 小龙虾 稻虾 综合种养 有机肥 好氧发酵 秸秆 菌渣 果蔬 脆片 真空 油炸 数控 机床 主轴 热变形 补偿 电缆 绝缘料"
    " 交联 聚乙烯 光伏 运维 故障 诊断 机器视觉 缺陷 检测 注塑 茶叶 加工 烘干 冷链 保鲜 大豆 玉米 病虫害 绿色防控 无人机 植保"
).split()
FIELDS = ("agriculture", "food", "manufacturing", "materials", "energy", "electronics")


def text(rng: random.Random) -> str:
    return (
        "新型"
        + "".join(rng.choice(TERMS) for _ in range(rng.randint(4, 9)))
        + "技术，"
        + "、".join(rng.choice(TERMS) for _ in range(6))
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--candidates", default="500,3000,10000")
    parser.add_argument("--seed", type=int, default=20240601)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    query = Doc("q", "育秧基质板结，出苗率低，希望引进新型水稻育秧基质配方", ("agriculture",))
    print(f"python {platform.python_version()} on {platform.machine()}")
    for size in (int(s) for s in args.candidates.split(",")):
        docs = [Doc(str(i), text(rng), (rng.choice(FIELDS),)) for i in range(size)]
        started = time.perf_counter()
        ranked = rank(query, docs, limit=10)
        cold = time.perf_counter() - started
        started = time.perf_counter()
        rank(query, docs, limit=10)  # again: the candidates' tokens are cached, as on the next page view
        warm = time.perf_counter() - started
        best = ranked[0].explain() if ranked else "—"
        print(f"{size:>6} candidates: first {cold:6.3f} s, cached {warm:6.3f} s  best: {best}")


if __name__ == "__main__":
    main()

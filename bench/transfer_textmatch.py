"""Benchmark: ranking achievements for a technology demand with the text matcher (pure engine).

Usage: python bench/transfer_textmatch.py [--candidates 500,3000,10000] [--seed 20240601] [--repeat 3]
[--page [--experts]]

Each run ranks one demand against N generated achievement texts (sentences built from a vocabulary of
agricultural, food, manufacturing and materials terms) with :func:`kejiju.engines.textmatch.rank`, the
way the suggestions page does: the tokens of every achievement are computed once, when it is saved
(``match_tokens``), and the page ranks the stored tokens. Prints per size the time to tokenize all
texts (what saving them costs in total, and what every page view used to cost), the ranking time on the
stored tokens (best of ``--repeat``), and checks that both give the same result as ranking the texts.
Loading the rjieba dictionary (once per process) is timed separately.

With ``--page`` it times the whole suggestions read instead (``selectors.achievement_suggestions``: the
candidates' stored tokens from the database, the ranking, the ten achievements shown and whether each is
listed) over a fresh SQLite database in a temporary directory holding the largest size of achievements
with summaries of about 270 characters, reading the newest N (``CANDIDATE_LIMIT`` set to N); and, for
comparison, the same read with no tokens stored (every text segmented, as before), first call in the process.
Target: ≤ 1 s at 3,000 candidates (``selectors.CANDIDATE_LIMIT``), the most the page reads.

With ``--page --experts`` it times the expert suggestions read the same way (``selectors.expert_suggestions``
over persons of the people registry with keywords, a title and a major, their tokens stored when saved):
the first call with the segmenter's cache empty (as in a new worker process, after one warm-up read) and
best and median of ``--repeat`` (the later calls of a process that segments the texts find them in the
segmenter's cache), then the same with no tokens stored (every text segmented, as before).
"""

from __future__ import annotations

import argparse
import platform
import random
import time
from typing import Any

from kejiju.engines.textmatch import Doc, _tokens, rank, tokenize

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
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--page", action="store_true", help="time the suggestions read over a database")
    parser.add_argument("--experts", action="store_true", help="with --page: the expert suggestions read")
    args = parser.parse_args()
    if args.page:
        page(args)
        return
    rng = random.Random(args.seed)
    query_text = "育秧基质板结，出苗率低，希望引进新型水稻育秧基质配方"
    print(f"python {platform.python_version()} on {platform.machine()}")
    started = time.perf_counter()
    tokenize("水稻育秧")
    print(f"rjieba dictionary loaded in {time.perf_counter() - started:.3f} s")
    query = Doc("q", "", ("agriculture",), tuple(tokenize(query_text)))
    for size in (int(s) for s in args.candidates.split(",")):
        texts = [text(rng) for _ in range(size)]
        fields = [(rng.choice(FIELDS),) for _ in range(size)]
        _tokens.cache_clear()
        started = time.perf_counter()
        stored = [tuple(tokenize(t)) for t in texts]  # once per record, when it is saved
        tokenizing = time.perf_counter() - started
        docs = [Doc(str(i), "", fields[i], stored[i]) for i in range(size)]
        times = []
        for _ in range(max(1, args.repeat)):
            started = time.perf_counter()
            ranked = rank(query, docs, limit=10)
            times.append(time.perf_counter() - started)
        _tokens.cache_clear()
        same = ranked == rank(
            Doc("q", query_text, ("agriculture",)), [Doc(str(i), t, fields[i]) for i, t in enumerate(texts)]
        )
        best = ranked[0].explain() if ranked else "—"
        print(
            f"{size:>6} candidates: tokenize all {tokenizing:6.3f} s, rank stored tokens {min(times):6.3f} s"
            f" (identical to ranking the texts: {'yes' if same else 'NO'})  best: {best}"
        )


GLUE = ("通过优化工艺参数", "提高产品质量和生产效率", "适合中小企业推广应用", "已在示范基地验证", "降低能耗和成本")


def page(args: argparse.Namespace) -> None:
    import os
    import shutil
    import subprocess
    import sys
    import tempfile

    work = tempfile.mkdtemp(prefix="kejiju-bench-transfer-")
    env = dict(os.environ, KEJIJU_DATA_DIR=work, DJANGO_SETTINGS_MODULE="kejiju.config.settings.dev")
    env.pop("DATABASE_URL", None)
    os.environ.update(env)
    try:
        subprocess.run([sys.executable, "-m", "kejiju", "migrate", "-v0"], check=True, env=env)
        expert_page_run(args) if args.experts else page_run(args)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def page_run(args: argparse.Namespace) -> None:
    import statistics

    import django

    django.setup()
    from kejiju.core.testing.factories import region
    from kejiju.engines.textmatch import _tokens
    from kejiju.transfer import matching, selectors
    from kejiju.transfer.models import Achievement
    from kejiju.transfer.tests.factories import demand, maker, org

    sizes = [int(s) for s in args.candidates.split(",")]
    rng = random.Random(args.seed)
    for code in ("34", "3411", "341181"):
        region(code)
    staff = maker()
    owner = org(staff, "农业科学研究院", org_type="institute")
    rows = []
    for _ in range(max(sizes)):
        a = Achievement(
            owner=owner,
            region_id=owner.region_id,
            title="新型" + "".join(rng.sample(TERMS, 3)) + "技术",
            summary="".join(rng.choice(TERMS) + rng.choice(GLUE) + "，" for _ in range(25)),
            keywords=",".join(rng.sample(TERMS, 3)),
            field=rng.choice(("agriculture", "food", "manufacturing", "materials", "energy", "electronics")),
            maturity="pilot",
            transfer_form="license",
            contact_name="王工",
            contact_phone="13905501234",
        )
        a.match_tokens = matching.achievement_tokens(a)  # what achievement_save stores
        rows.append(a)
    Achievement.objects.bulk_create(rows, batch_size=1000)
    d = demand(staff, org(staff), problem="育秧基质板结，出苗率低，希望引进新型水稻育秧基质配方")
    print(f"python {platform.python_version()} on {platform.machine()}, SQLite, {len(rows)} achievements")
    for size in sizes:
        selectors.CANDIDATE_LIMIT = size
        times = []
        for _ in range(max(1, args.repeat)):
            started = time.perf_counter()
            stored = selectors.achievement_suggestions(demand=d)
            times.append(time.perf_counter() - started)
        print(
            f"{size:>6} candidates: suggestions read {min(times):6.3f} s best,"
            f" {statistics.median(times):6.3f} s median of {len(times)}"
        )
    Achievement.objects.update(match_tokens=None)
    for size in sizes:
        selectors.CANDIDATE_LIMIT = size
        _tokens.cache_clear()
        started = time.perf_counter()
        segmented = selectors.achievement_suggestions(demand=d)
        print(f"{size:>6} candidates without stored tokens (segmenting): {time.perf_counter() - started:6.3f} s")
    same = [(s.obj.pk, s.score) for s in stored] == [(s.obj.pk, s.score) for s in segmented]
    print("same suggestions with and without stored tokens (largest size):", "yes" if same else "NO")


#: Keywords, titles and majors of the generated experts (the people registry's short texts).
EXPERT_TITLES = ("高级农艺师", "农艺师", "高级工程师", "工程师", "正高级工程师", "教授", "副研究员", "")
EXPERT_MAJORS = ("作物栽培学与耕作学", "食品科学与工程", "机械设计制造及其自动化", "材料科学与工程", "电气工程", "")


def expert_page_run(args: argparse.Namespace) -> None:
    import statistics
    from datetime import date

    import django

    django.setup()
    from kejiju.core.testing.factories import grant_perms, region
    from kejiju.engines.idcodes import make_id_number
    from kejiju.engines.pinyin import name_initials
    from kejiju.engines.textmatch import _tokens
    from kejiju.people import services as people_services
    from kejiju.people.models import Person
    from kejiju.transfer import selectors
    from kejiju.transfer.tests.factories import demand, maker, org

    stored_field = hasattr(people_services, "match_tokens")  # False on code that keeps no expert tokens
    sizes = [int(s) for s in args.candidates.split(",")]
    rng = random.Random(args.seed)
    for code in ("34", "3411", "341181"):
        region(code)
    staff = grant_perms(maker(), "people.view_person")
    subjects = ("210", "230", "460", "510", "530", "550", "470")
    rows = []
    for n in range(max(sizes)):
        name = "专家%d" % n
        p = Person(
            name=name,
            name_initials=name_initials(name)[:80],
            id_number=make_id_number("341181", date(1960 + n % 30, 1 + n % 12, 1 + n % 28), n % 1000),
            region_id="341181",
            title=rng.choice(EXPERT_TITLES),
            major=rng.choice(EXPERT_MAJORS),
            subjects=[rng.choice(subjects)],
            keywords=", ".join(rng.sample(TERMS, rng.randint(2, 5))),
        )
        if stored_field:
            p.match_tokens = people_services.match_tokens(p)  # what the people services store
        rows.append(p)
    Person.objects.bulk_create(rows, batch_size=1000)
    d = demand(staff, org(staff), problem="育秧基质板结，出苗率低，希望引进新型水稻育秧基质配方")
    print(
        f"python {platform.python_version()} on {platform.machine()}, SQLite, {len(rows)} experts,"
        f" tokens stored: {'yes' if stored_field else 'no (this code segments on every read)'}"
    )

    selectors.expert_suggestions(user=staff, demand=d)  # the process's one-time costs (queries, permissions)

    def timed(label: str) -> list[Any]:
        result: list[Any] = []
        for size in sizes:
            selectors.CANDIDATE_LIMIT = size
            _tokens.cache_clear()
            times = []
            for _ in range(max(1, args.repeat)):
                started = time.perf_counter()
                result = selectors.expert_suggestions(user=staff, demand=d)
                times.append(time.perf_counter() - started)
            print(
                f"{size:>6} candidates{label}: expert suggestions read {times[0]:6.3f} s first call,"
                f" {min(times):6.3f} s best, {statistics.median(times):6.3f} s median of {len(times)}"
            )
        return result

    stored = timed("")
    if not stored_field:
        return
    Person.objects.update(match_tokens=None)
    segmented = timed(" without stored tokens (segmenting)")
    same = [(s.obj.pk, s.score) for s in stored] == [(s.obj.pk, s.score) for s in segmented]
    print("same suggestions with and without stored tokens (largest size):", "yes" if same else "NO")


if __name__ == "__main__":
    main()

"""Benchmark: knowledge-base full-text search (top 10) over 100,000 articles.

Usage: python bench/service_kb_search.py [--articles 100000] [--queries 300] [--database-url postgres://…]

Builds a fresh database (SQLite in a temporary directory unless --database-url), writes the articles with
``core.bulk`` and indexes them through the same adapter the services use (rjieba tokens + bigrams into FTS5,
or tsvector on PostgreSQL), then times ``selectors.kb_search`` (candidates, ranking, the capped count,
loading and highlighting the ten articles shown — everything the search page needs) for common and rare two-
to four-character queries. The synthetic corpus is harsh: each query word occurs in about half the articles.
Target: p95 ≤ 50 ms on SQLite.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

WORDS = (
    "水稻 稻瘟病 纹枯病 稻纵卷叶螟 稻飞虱 小麦 赤霉病 条锈病 玉米 草地贪夜蛾 大豆 花生 油菜 菌核病 蔬菜 番茄 黄瓜 霜霉病 "
    "白粉病 葡萄 桃树 梨树 疏花疏果 施肥 灌溉 除草 生猪 非洲猪瘟 母猪 仔猪 腹泻 鸡 禽流感 产蛋 牛 羊 口蹄疫 小龙虾 河蟹 "
    "水草 增氧 鱼 水质 氨氮 无人机 植保 农机 收割机 补贴 价格 市场 合作社 大棚 温度 湿度 防治 症状 药剂 三环唑 "
    "戊唑醇 吡虫啉 阿维菌素 预防 管理 技术 品种 播种 育苗 移栽 采收 储藏"
).split()
QUERIES = (
    "稻瘟",
    "稻瘟病",
    "小龙虾",
    "非洲猪瘟",
    "霜霉",
    "无人机",
    "施肥",
    "赤霉病 防治",
    "草地贪夜蛾",
    "葡萄",
    "补贴",
    "水质 氨氮",
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--data-dir", default="", help="reuse a migrated, empty data directory")
    args = parser.parse_args()
    work = Path(args.data_dir) if args.data_dir else Path(tempfile.mkdtemp(prefix="kejiju-bench-kb-"))
    env = dict(os.environ, KEJIJU_DATA_DIR=str(work), DJANGO_SETTINGS_MODULE="kejiju.config.settings.dev")
    if args.database_url:
        env["DATABASE_URL"] = args.database_url
    os.environ.update(env)
    if not args.data_dir:
        subprocess.run([sys.executable, "-m", "kejiju", "migrate", "-v0"], check=True, env=env)

    import django

    django.setup()
    from django.db import connection, transaction

    from kejiju.core.bulk import insert_rows
    from kejiju.core.testing.factories import region
    from kejiju.service import selectors, textsearch
    from kejiju.service.models import KnowledgeArticle, ServiceSubject
    from kejiju.service.services import ensure_defaults

    ensure_defaults()
    region("341181")
    subjects = list(ServiceSubject.objects.values_list("pk", flat=True))
    rng = random.Random(2026)
    t0 = time.perf_counter()
    batch = 5000
    already = KnowledgeArticle.objects.count()
    for start in range(already, args.articles, batch):
        rows, index = [], []
        for i in range(start, min(args.articles, start + batch)):
            title = "".join(rng.sample(WORDS, 3))
            body = "，".join("".join(rng.sample(WORDS, 4)) for _ in range(12)) + "。"
            rows.append(
                {
                    "id": i + 1,
                    "title": title,
                    "summary": "",
                    "body": body,
                    "subject": rng.choice(subjects),
                    "seasons": [],
                    "keywords": "",
                    "visibility": "public",
                    "views": 0,
                    "region": "341181",
                    "is_archived": False,
                    "created_at": None,
                    "updated_at": None,
                }
            )
            index.append(
                textsearch.IndexRow(
                    i + 1,
                    textsearch.index_tokens(title),
                    textsearch.index_tokens(body),
                    "341181",
                    rows[-1]["subject"],
                    "public",
                    False,
                )
            )
        with transaction.atomic():
            insert_rows(KnowledgeArticle, rows, fields=list(rows[0]))
            textsearch.backend().replace(index)
    if connection.vendor == "sqlite" and not already:
        with connection.cursor() as cur:
            cur.execute("INSERT INTO service_kb_fts(service_kb_fts) VALUES ('optimize')")
    load = time.perf_counter() - t0
    # warm-up (first touches of the index pages)
    for q in QUERIES:
        selectors.kb_search(user=None, query=q, public=True)
    times = []
    hits = 0
    for n in range(args.queries):
        q = QUERIES[n % len(QUERIES)]
        t = time.perf_counter()
        result = selectors.kb_search(user=None, query=q, public=True)
        times.append((time.perf_counter() - t) * 1000)
        hits += len(result.hits)
    times.sort()
    p95 = times[int(len(times) * 0.95) - 1]
    print("database: %s, articles: %d (loaded and indexed in %.0f s)" % (connection.vendor, args.articles, load))
    print(
        "top-10 search, %d queries: p50 %.1f ms, p95 %.1f ms, max %.1f ms, mean hits %.1f"
        % (len(times), statistics.median(times), p95, times[-1], hits / len(times))
    )
    print("target p95 ≤ 50 ms: %s" % ("met" if p95 <= 50 else "NOT met"))


if __name__ == "__main__":
    main()

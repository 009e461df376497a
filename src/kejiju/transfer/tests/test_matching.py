"""Stored matcher tokens (``match_tokens``): written on create and update, unchanged by a failed save,
ranking identical to segmenting the texts on every view, constant query count, the ``retokenize``
command, the migration's fill and the demo."""

from __future__ import annotations

import importlib
import math
import random
import uuid
from collections import Counter
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kejiju.core.errors import RowErrors
from kejiju.engines.textmatch import Doc, Match, fields_match, rank, tokenize
from kejiju.transfer import matching, selectors, services
from kejiju.transfer.demo import PAIRS
from kejiju.transfer.models import Achievement, TechDemand
from kejiju.transfer.tests.factories import achievement, demand, maker, org

pytestmark = pytest.mark.django_db

TERMS = (
    "水稻 育秧 基质 小龙虾 稻虾 综合种养 有机肥 好氧发酵 秸秆 菌渣 果蔬 脆片 真空 油炸 数控 机床 主轴 热变形 补偿 电缆"
    " 绝缘料 交联 聚乙烯 光伏 运维 故障 诊断 机器视觉 缺陷 检测 注塑 茶叶 加工 烘干 冷链 保鲜 PLC ABS 5G 125℃ 一种 方法"
).split()
FIELDS = ("agriculture", "food", "manufacturing", "materials", "energy", "electronics", "")


def _varied_texts(n: int, seed: int = 11) -> list[str]:
    rng = random.Random(seed)
    texts = [
        "",
        "，。、！",
        "一种方法技术研究",
        "A B 1 2 3",
        "PLC控制的注塑机 ABS 原料 5G 远程运维",
        "  水稻  育秧  ",
    ]
    texts += [f"{a} {a} {k} {s}" for _, a, s, k, _, _ in PAIRS] + [f"{t} {t} {p}" for *_, t, p in PAIRS]
    while len(texts) < n:
        sep = rng.choice(["", "，", " ", "、"])
        texts.append(sep.join(rng.choice(TERMS) for _ in range(rng.randint(1, 30))))
    return texts


def _achievement_data(a: Any) -> dict[str, Any]:
    fields = ("title", "summary", "keywords", "field", "maturity", "transfer_form", "contact_name", "contact_phone")
    return {f: getattr(a, f) for f in fields}


@pytest.fixture
def staff(regions: Any) -> Any:
    return maker()


def test_tokens_written_on_create_and_kept_exact_on_update(staff: Any) -> None:
    owner = org(staff, "农科院", org_type="institute")
    a = achievement(staff, owner)
    a.refresh_from_db()
    assert a.match_tokens == " ".join(tokenize(f"{a.title} {a.title} {a.keywords} {a.summary}"))
    assert a.match_tokens.startswith("水稻 育秧 ")
    data = {**_achievement_data(a), "summary": "硅烷交联聚乙烯电缆绝缘料", "keywords": "电缆"}
    assert services.achievement_save(actor=staff, owner=owner, data=data, achievement=a).pk == a.pk
    a.refresh_from_db()
    assert "电缆" in a.match_tokens.split() and "秸秆" not in a.match_tokens
    assert a.match_tokens == matching.achievement_tokens(a)

    d = demand(staff, org(staff))
    d.refresh_from_db()
    assert d.match_tokens == " ".join(tokenize(f"{d.title} {d.title} {d.problem}"))
    data = {"title": d.title, "problem": "数控机床主轴热变形", "field": d.field}
    assert services.demand_save(actor=staff, enterprise=d.enterprise, data=data, demand=d).pk == d.pk
    d.refresh_from_db()
    assert d.match_tokens == matching.demand_tokens(d) and "主轴" in d.match_tokens.split()


def test_failed_update_keeps_the_stored_tokens(staff: Any) -> None:
    owner = org(staff, "农科院", org_type="institute")
    a = achievement(staff, owner)
    before = Achievement.objects.get(pk=a.pk).match_tokens
    assert before and "水稻" in before.split()
    with pytest.raises(RowErrors):
        data = {**_achievement_data(a), "summary": "光伏运维故障诊断", "contact_phone": "123"}
        services.achievement_save(actor=staff, owner=owner, data=data, achievement=a)
    assert Achievement.objects.get(pk=a.pk).match_tokens == before and Achievement.objects.count() == 1
    d = demand(staff, org(staff))
    before = TechDemand.objects.get(pk=d.pk).match_tokens
    with pytest.raises(RowErrors):
        data = {"title": d.title, "problem": "光伏运维故障诊断", "field": d.field, "budget": "1.001"}
        services.demand_save(actor=staff, enterprise=d.enterprise, data=data, demand=d)
    assert TechDemand.objects.get(pk=d.pk).match_tokens == before and TechDemand.objects.count() == 1


def test_stored_form_round_trips() -> None:
    for text in _varied_texts(200):
        tokens = tokenize(text)
        stored = matching.encode(tokens)
        assert stored is not None and list(matching.decode(stored)) == tokens
    assert matching.encode([]) == "" and matching.decode("") == ()
    assert matching.encode(["a b"]) is None  # never produced by the segmenter; the text is used then
    assert list(matching.doc(1, "food", None, "果蔬脆片").token_list()) == ["果蔬", "脆片"]
    assert list(matching.doc(1, "food", "果蔬 脆片", "").token_list()) == ["果蔬", "脆片"]


def _reference_rank(query: Doc, candidates: list[Doc], limit: int = 10, min_score: float = 0.05) -> list[Match]:
    """The ranking as it was before tokens were stored: every text segmented, idf per (document, term)."""
    token_lists = [tokenize(query.text)] + [tokenize(c.text) for c in candidates]
    n = len(token_lists)
    df: Counter[str] = Counter()
    for tokens in token_lists:
        df.update(set(tokens))
    vectors = []
    for tokens in token_lists:
        weights = {t: c * (math.log((1 + n) / (1 + df[t])) + 1.0) for t, c in Counter(tokens).items()}
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        vectors.append({t: w / norm for t, w in weights.items()})
    q, results = vectors[0], []
    for cand, vec in zip(candidates, vectors[1:], strict=True):
        small, large = (q, vec) if len(q) <= len(vec) else (vec, q)
        similarity = sum(w * large.get(t, 0.0) for t, w in small.items())
        shared = sorted(set(q) & set(vec), key=lambda t: -(q[t] * vec[t]))
        same_field = fields_match(query.fields, cand.fields)
        score = similarity + (0.2 if same_field else 0.0)
        if score >= min_score:
            results.append(Match(cand.key, round(score, 4), round(similarity, 4), tuple(shared[:5]), same_field))
    results.sort(key=lambda m: -m.score)
    return results[:limit]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_rank_on_stored_tokens_is_identical(seed: int) -> None:
    rng = random.Random(seed)
    texts = _varied_texts(400, seed)
    by_text = [Doc(str(i), t, (rng.choice(FIELDS),)) for i, t in enumerate(texts)]
    by_tokens = [Doc(d.key, "", d.fields, tuple(tokenize(d.text))) for d in by_text]
    for query_text in ("育秧基质板结，出苗率低，希望引进新型水稻育秧基质配方", texts[rng.randrange(len(texts))], ""):
        query = Doc("q", query_text, ("agriculture",))
        stored_query = Doc("q", "", query.fields, tuple(tokenize(query_text)))
        for kwargs in ({"limit": 10}, {"limit": 1000, "min_score": 0}):
            expected = _reference_rank(query, by_text, **kwargs)  # type: ignore[arg-type]
            assert rank(query, by_text, **kwargs) == expected  # type: ignore[arg-type]
            assert rank(stored_query, by_tokens, **kwargs) == expected  # type: ignore[arg-type]
            assert rank(query, by_tokens, **kwargs) == expected  # type: ignore[arg-type]
    assert any(m.score > 0.2 for m in rank(Doc("q", texts[20]), by_tokens))
    assert any(
        m.shared_terms and not m.field_match for m in rank(Doc("q", texts[30], ("energy",)), by_tokens, limit=50)
    )


def test_suggestions_identical_with_and_without_stored_tokens(staff: Any) -> None:
    uni = org(staff, "农科院", org_type="institute")
    rng = random.Random(5)
    for i, (fld, title, summary, keywords, _, _) in enumerate(PAIRS):
        achievement(staff, uni, title=title, summary=summary, keywords=keywords, field=fld)
        achievement(staff, uni, title=f"{title}{i}", summary="、".join(rng.sample(TERMS, 8)), keywords="", field=fld)
    d = demand(staff, org(staff), title=PAIRS[1][4], problem=PAIRS[1][5])
    stored = selectors.achievement_suggestions(demand=d, limit=50)
    assert len(stored) >= 5
    Achievement.objects.update(match_tokens=None)  # the text path, as before tokens were stored
    TechDemand.objects.update(match_tokens=None)
    d.refresh_from_db()
    from_text = selectors.achievement_suggestions(demand=d, limit=50)
    key = [(s.obj.pk, s.score, s.explanation, s.shared_terms, s.field_match) for s in stored]
    assert key == [(s.obj.pk, s.score, s.explanation, s.shared_terms, s.field_match) for s in from_text]


def test_suggestions_query_count_does_not_grow(staff: Any) -> None:
    uni = org(staff, "农科院", org_type="institute")
    d = demand(staff, org(staff))

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            selectors.achievement_suggestions(demand=d)
        return len(ctx.captured_queries)

    achievement(staff, uni)
    few = count()
    for i in range(8):
        achievement(staff, uni, title=f"水稻育秧基质{i}")
    assert count() == few == 2


def test_retokenize_command_restores_missing_and_stale_tokens(staff: Any) -> None:
    uni = org(staff, "农科院", org_type="institute")
    a1, a2 = achievement(staff, uni), achievement(staff, uni, title="光伏组件清洗机器人", field="energy")
    d = demand(staff, org(staff))
    expected = {a.pk: matching.achievement_tokens(a) for a in (a1, a2)}
    Achievement.objects.filter(pk=a1.pk).update(match_tokens=None)
    Achievement.objects.filter(pk=a2.pk).update(match_tokens="旧词")
    TechDemand.objects.filter(pk=d.pk).update(match_tokens=None)
    history = a1.history.count()
    call_command("transfer", "retokenize", stdout=(out := _Out()))
    assert "科技成果 2 项（更新 2 项）" in out.text and "技术需求 1 项（更新 1 项）" in out.text
    assert {a.pk: a.match_tokens for a in Achievement.objects.all()} == expected
    assert TechDemand.objects.get(pk=d.pk).match_tokens == matching.demand_tokens(d)
    assert a1.history.count() == history  # a derived value: no field-history rows
    call_command("transfer", "retokenize", stdout=(again := _Out()))
    assert "（更新 0 项）" in again.text and "更新 1" not in again.text and "更新 2" not in again.text


def test_migration_fills_existing_rows(staff: Any) -> None:
    from django.apps import apps

    uni = org(staff, "农科院", org_type="institute")
    a = achievement(staff, uni)
    d = demand(staff, org(staff))
    Achievement.objects.update(match_tokens=None)
    TechDemand.objects.update(match_tokens=None)
    migration = importlib.import_module("kejiju.transfer.migrations.0002_match_tokens")
    migration.fill_tokens(apps, None)
    assert Achievement.objects.get(pk=a.pk).match_tokens == matching.achievement_tokens(a)
    assert TechDemand.objects.get(pk=d.pk).match_tokens == matching.demand_tokens(d)


def test_demo_stores_tokens(regions: Any, make_user: Any) -> None:
    from kejiju.core.demo import COUNTY_CODE, DemoContext
    from kejiju.transfer.demo import transfer_demo

    builder = maker(COUNTY_CODE)
    for n in range(2):
        org(builder, f"示范研究院{n}", code=COUNTY_CODE, org_type="institute")
    for n in range(3):
        org(builder, f"示范企业{n}", code=COUNTY_CODE)
    ctx = DemoContext(scale="county", seed=7, log=lambda s: None, batch_id=uuid.uuid4(), county_codes=[COUNTY_CODE])
    ctx.users["county_staff"] = make_user("bureau_staff", COUNTY_CODE)
    transfer_demo(ctx)
    achievements, demands = list(Achievement.objects.all()), list(TechDemand.objects.all())
    assert len(achievements) == len(PAIRS) and len(demands) == len(PAIRS) - 1
    assert all(a.match_tokens and a.match_tokens == matching.achievement_tokens(a) for a in achievements)
    assert all(d.match_tokens and d.match_tokens == matching.demand_tokens(d) for d in demands)
    assert ctx.stats.get("对接活动") == 1


class _Out:
    def __init__(self) -> None:
        self.text = ""

    def write(self, s: str) -> None:
        self.text += s

    def flush(self) -> None:
        pass


def test_suggestions_mark_listed_pairs_and_expert_queries_do_not_grow(staff: Any) -> None:
    from datetime import date

    from kejiju.core.testing.factories import grant_perms
    from kejiju.engines.idcodes import make_id_number
    from kejiju.people.services import person_create

    uni = org(staff, "农科院", org_type="institute")
    first, second = achievement(staff, uni), achievement(staff, uni, title="水稻育秧基质配方")
    d = demand(staff, org(staff))
    services.match_propose(actor=staff, demand=d, achievement=second, score=0.5)
    listed = {s.obj.pk: s.listed for s in selectors.achievement_suggestions(demand=d)}
    assert listed == {first.pk: False, second.pk: True}

    grant_perms(staff, "people.view_person", "people.add_person")

    def person(n: int, keywords: str) -> Any:
        number = make_id_number("341181", date(1970, 1, n), n)
        data = {"id_number": number, "region": "341181", "name": f"专家{n}", "keywords": keywords, "subjects": ["210"]}
        return person_create(actor=staff, data=data)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            selectors.expert_suggestions(user=staff, demand=d)
        return len(ctx.captured_queries)

    expert = person(1, "水稻育秧,基质")
    services.match_propose(actor=staff, demand=d, expert=expert)
    few = count()
    for n in range(2, 7):
        person(n, f"育秧基质{n},水稻栽培")
    assert count() == few
    found = selectors.expert_suggestions(user=staff, demand=d)
    assert len(found) == 6 and [s.obj.pk for s in found if s.listed] == [expert.pk]

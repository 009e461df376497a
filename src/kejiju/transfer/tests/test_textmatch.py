"""The pure matcher: ranking, explanation, field match, edge cases."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from kejiju.engines.textmatch import Doc, fields_match, rank, tokenize


def test_rank_prefers_shared_terms_and_field():
    query = Doc("q", "水稻育秧基质板结，出苗率低", ("agriculture",))
    candidates = [
        Doc("solar", "光伏组件清洗机器人", ("energy",)),
        Doc("rice", "新型水稻育秧基质及其制备方法，提高出苗率", ("agriculture",)),
        Doc("tray", "育秧盘自动播种流水线", ()),
    ]
    ranked = rank(query, candidates)
    assert [m.key for m in ranked] == ["rice", "tray"]
    best = ranked[0]
    assert best.field_match and "育秧" in best.shared_terms and "领域相同" in best.explain()


def test_tokenize_drops_stop_words_and_single_characters():
    assert tokenize("一种水稻的育秧方法") == ["水稻", "育秧"]
    assert tokenize("") == []


def test_fields_match_by_prefix():
    assert fields_match(["210"], ["21050"]) and not fields_match(["210"], ["460"]) and not fields_match([], ["x"])


@given(st.text(max_size=60), st.lists(st.text(max_size=60), max_size=6))
def test_scores_bounded_and_sorted(query, texts):
    ranked = rank(Doc("q", query), [Doc(str(i), t) for i, t in enumerate(texts)], min_score=0)
    scores = [m.score for m in ranked]
    assert scores == sorted(scores, reverse=True)
    assert all(0 <= m.similarity <= 1.0001 for m in ranked)

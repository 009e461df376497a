"""Knowledge-base search: tokens, the backend adapter (SQLite FTS5 here; PostgreSQL when DATABASE_URL points
at one), ranking, highlighting, public/internal, and the index kept in sync by the services."""

from __future__ import annotations

import pytest
from django.db import connection

from kejiju.service import selectors, services, textsearch
from kejiju.service.tests.factories import staff

pytestmark = pytest.mark.django_db


def test_tokens_include_bigrams_and_words():
    tokens = textsearch.index_tokens("水稻稻瘟病的防治 DJI T40").split()
    assert "稻瘟" in tokens and "瘟病" in tokens and "稻瘟病" in tokens and "dji" in tokens
    q = textsearch.parse_query("稻瘟病")
    assert q.required == ("稻瘟", "瘟病") and "稻瘟病" in q.boost
    assert not textsearch.parse_query("  ，。!!")


def test_highlight_escapes_and_marks():
    out = textsearch.highlight("<b>水稻</b>稻瘟病防治要点", "稻瘟")
    assert "<mark>稻瘟</mark>" in out and "&lt;b&gt;" in out


def _article(actor, title, body, visibility="public", subject="crop"):
    return services.article_save(
        actor=actor,
        data={"title": title, "body": body, "subject": subject, "visibility": visibility, "region": "341181"},
    )


def test_search_finds_two_character_word_ranked_and_highlighted():
    actor = staff()
    a = _article(actor, "水稻稻瘟病的识别与防治", "稻瘟病是水稻最重要的病害之一，叶瘟、穗颈瘟……")
    _article(actor, "小龙虾养殖水质管理", "水草覆盖率保持在百分之六十。提到稻瘟一次。")
    _article(actor, "生猪非洲猪瘟防控", "严格消毒。")
    result = selectors.kb_search(user=None, query="稻瘟", public=True)
    assert [h.article.pk for h in result.hits][0] == a.pk
    assert len(result.hits) == 2
    assert "<mark>稻瘟</mark>" in result.hits[0].snippet
    assert selectors.kb_search(user=None, query="猪瘟", public=True).hits[0].article.title == "生猪非洲猪瘟防控"
    assert selectors.kb_search(user=None, query="玉米", public=True).hits == []


def test_internal_articles_only_for_staff_in_region():
    actor = staff()
    _article(actor, "内部：稻瘟病药剂采购", "三环唑", visibility="internal")
    assert selectors.kb_search(user=None, query="稻瘟", public=True).hits == []
    assert len(selectors.kb_search(user=actor, query="稻瘟", public=False).hits) == 1
    other = staff("341182")
    assert selectors.kb_search(user=other, query="稻瘟", public=False).hits == []


def test_index_follows_updates_and_archive():
    actor = staff()
    a = _article(actor, "玉米螟防治", "赤眼蜂")
    services.article_save(
        actor=actor, article=a, data={"title": "玉米大斑病", "body": "喷施", "subject": "crop", "region": "341181"}
    )
    assert selectors.kb_search(user=None, query="玉米螟", public=True).hits == []
    assert len(selectors.kb_search(user=None, query="大斑病", public=True).hits) == 1
    services.article_archive(actor=actor, article=a)
    assert selectors.kb_search(user=None, query="大斑病", public=True).hits == []
    assert services.reindex_articles() == 1


def test_backend_matches_database():
    backend = textsearch.backend()
    assert backend.vendor == connection.vendor or (connection.vendor != "postgresql" and backend.vendor == "sqlite")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only (set DATABASE_URL)")
def test_postgres_tsquery_shape():
    q = textsearch.parse_query("稻瘟病 稻")
    assert textsearch.PostgresBackend.tsquery(q).startswith("稻瘟 & 瘟病 & 稻:*")


# ---------------------------------------------------------------- ranking, count cap, filters


def test_score_puts_title_matches_first_then_whole_words():
    q = textsearch.parse_query("稻瘟病")
    title_hit = textsearch.score(q, textsearch.index_tokens("稻瘟病防治"), textsearch.index_tokens("喷药"))
    body_many = textsearch.score(
        q, textsearch.index_tokens("水稻管理"), textsearch.index_tokens("稻瘟病，稻瘟病，稻瘟病，稻瘟病")
    )
    body_bigram_only = textsearch.score(q, textsearch.index_tokens("水稻管理"), "稻瘟 瘟病")
    assert title_hit > body_many > body_bigram_only > 0
    # a single character is a prefix
    one = textsearch.parse_query("稻")
    assert textsearch.score(one, "稻瘟 水稻", "") > textsearch.score(one, "水稻", "") == 0


def test_title_match_ranks_above_newer_body_matches():
    actor = staff()
    old = _article(actor, "稻瘟病综合防治", "选用抗病品种。")
    for i in range(3):
        _article(actor, "水稻田间管理%d" % i, "注意稻瘟病、稻瘟病和纹枯病。稻瘟病高发期。")
    result = selectors.kb_search(user=None, query="稻瘟病", public=True)
    assert result.hits[0].article.pk == old.pk
    assert result.total == 4 and not result.capped and result.total_display == "4"
    assert "<mark>稻瘟病</mark>" in result.hits[0].title


def test_count_is_capped_and_pages_follow_the_rank(monkeypatch):
    monkeypatch.setattr(textsearch, "CANDIDATE_CAP", 3)
    monkeypatch.setattr(textsearch, "COUNT_CAP", 5)
    actor = staff()
    ids = [_article(actor, "葡萄霜霉病%d" % i, "葡萄霜霉病防治。").pk for i in range(7)]
    result = selectors.kb_search(user=None, query="霜霉", public=True, limit=2)
    assert result.total == 5 and result.capped and result.total_display == "5+"
    # the newest CANDIDATE_CAP matches are ranked; equal scores: newest first
    assert [h.article.pk for h in result.hits] == ids[-1:-3:-1] and result.has_more
    last = selectors.kb_search(user=None, query="霜霉", public=True, limit=2, offset=2)
    assert [h.article.pk for h in last.hits] == [ids[-3]] and not last.has_more
    few = selectors.kb_search(user=None, query="霜霉病防治", public=True)
    assert few.total == 5 and few.capped
    monkeypatch.setattr(textsearch, "COUNT_CAP", 100)
    assert selectors.kb_search(user=None, query="霜霉", public=True).total_display == "7"


def test_filters_apply_before_the_cap(monkeypatch):
    """Newer internal, archived and other-subject matches do not push an older visible one out."""
    monkeypatch.setattr(textsearch, "CANDIDATE_CAP", 2)
    actor = staff()
    visible = _article(actor, "小龙虾养殖", "小龙虾水草。")
    internal = [_article(actor, "小龙虾内部%d" % i, "小龙虾。", visibility="internal").pk for i in range(3)]
    archived = _article(actor, "小龙虾旧文", "小龙虾。")
    services.article_archive(actor=actor, article=archived)
    other = _article(actor, "小龙虾饲料价格", "小龙虾。", subject="market")
    public = selectors.kb_search(user=None, query="小龙虾", public=True)
    assert {h.article.pk for h in public.hits} == {visible.pk, other.pk} and public.total == 2
    crop = selectors.subjects().get(code="crop")
    mine = selectors.kb_search(user=actor, query="小龙虾", public=False, subject=crop)
    # staff of the region: the three internal articles and the public one of the subject match; the two
    # newest are ranked (the cap), all four counted
    assert {h.article.pk for h in mine.hits} == set(internal[1:]) and mine.total == 4 and not mine.capped
    outsider = selectors.kb_search(user=staff("341182"), query="小龙虾", public=False, subject=crop)
    assert [h.article.pk for h in outsider.hits] == [visible.pk]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite filter table")
def test_filter_table_is_filled_for_an_older_index():
    actor = staff()
    a = _article(actor, "玉米草地贪夜蛾", "性诱剂。")
    with connection.cursor() as cur:
        cur.execute("DROP TABLE service_kb_meta")
    textsearch.ensure_schema(connection)
    assert [h.article.pk for h in selectors.kb_search(user=None, query="贪夜蛾", public=True).hits] == [a.pk]

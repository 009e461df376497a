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

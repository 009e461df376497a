"""Chinese full-text search of the knowledge base: one code path over two database backends.

Text is cut into rjieba search tokens plus the character bigrams of every run of Chinese characters, so a
two-character word inside a longer one (稻瘟 in 稻瘟病) is found even when the tokenizer keeps the longer
word whole. The tokens, joined by spaces, go into ``service_kb_fts`` — an FTS5 table on SQLite, a table
with a ``tsvector('simple')`` column (and a pg_trgm index on the title) on PostgreSQL — created by this
app's migration and kept in sync by the knowledge-base services. A query matches when every one of its
terms is present.

Ranking is the same on both backends: the database answers the newest ``CANDIDATE_CAP`` matching rows
that pass the filters (region, visibility, archived and subject are columns of the index table, tested in
the same statement), with their stored tokens; :func:`score` orders them in Python — articles whose title
holds every query term first, then whole-word (boost) matches, then a length-normalized term frequency
(title counted four times). The database's own ``bm25()`` / ``ts_rank`` are not used: FTS5's ``bm25()``
counts every document of each term on its first call (tens of milliseconds per common term at 100,000
articles) and both rank every match, so a common word cost seconds. The number of matches is counted up
to ``COUNT_CAP`` ("1000+" beyond it), by a second, rowid-only statement run only when the candidates
reach their cap. Snippets are highlighted from the original text of the rows shown only.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import rjieba
from django.db import connection
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

_CJK_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
_WORD = re.compile(r"[0-9A-Za-z]+|[\u3400-\u9fff\uf900-\ufaff]+")
_TERM_OK = re.compile(r"^[0-9a-z\u3400-\u9fff\uf900-\ufaff]+$")
MAX_QUERY_TERMS = 12
CANDIDATE_CAP = 200
"""At most this many matches (the newest) are ranked."""
COUNT_CAP = 1000
"""Matches are counted up to this number; a larger total is shown as "1000+"."""
TITLE_WEIGHT = 4.0
_AVG_TOKENS = {"title": 12.0, "body": 200.0}


def bigrams(run: str) -> list[str]:
    return [run[i : i + 2] for i in range(len(run) - 1)] if len(run) > 1 else [run]


def index_tokens(text: str) -> str:
    """The space-separated tokens stored for ``text``: rjieba search tokens, Chinese bigrams, and Latin
    words/numbers in lower case. Duplicates are kept (term frequency matters for ranking)."""
    tokens: list[str] = []
    for piece in _WORD.findall(text or ""):
        if _CJK_RUN.fullmatch(piece):
            tokens.extend(t for t in rjieba.cut_for_search(piece) if len(t) > 2)
            tokens.extend(bigrams(piece))
        else:
            tokens.append(piece.lower())
    return " ".join(tokens)


@dataclass(frozen=True)
class Query:
    """A parsed query: ``required`` terms (all must match: the bigrams of each Chinese run, a single
    character as a prefix, Latin words) and ``boost`` terms (rjieba words longer than two characters)
    that raise the rank of articles containing the whole word without narrowing the match."""

    required: tuple[str, ...]
    boost: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.required)


def parse_query(query: str) -> Query:
    """Turn the user's words into a :class:`Query` (at most ``MAX_QUERY_TERMS`` required terms)."""
    required: list[str] = []
    boost: list[str] = []
    for piece in _WORD.findall((query or "")[:200]):
        if _CJK_RUN.fullmatch(piece):
            items = bigrams(piece)
            boost.extend(t for t in rjieba.cut_for_search(piece) if len(t) > 2 and t not in boost)
        else:
            items = [piece.lower()]
        for t in items:
            if t not in required and _TERM_OK.match(t):
                required.append(t)
    return Query(tuple(required[:MAX_QUERY_TERMS]), tuple(boost[:MAX_QUERY_TERMS]))


def highlight(text: str, query: str, width: int = 90) -> SafeString:
    """An escaped excerpt of ``text`` around the first query word, every query word in ``<mark>``."""
    words = sorted({w for w in _WORD.findall(query or "") if w}, key=len, reverse=True)
    plain = re.sub(r"\s+", " ", text or "").strip()
    if not words:
        return mark_safe(escape(plain[:width]))
    pattern = re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE)
    found = pattern.search(plain)
    if found is None and any(len(w) > 2 for w in words):
        # fall back to the bigrams that did match
        parts = [b for w in words for b in bigrams(w)]
        pattern = re.compile("|".join(re.escape(p) for p in sorted(set(parts), key=len, reverse=True)))
        found = pattern.search(plain)
    start = max(0, (found.start() if found else 0) - width // 3)
    excerpt = plain[start : start + width]
    out: list[str] = ["…" if start else ""]
    last = 0
    for m in pattern.finditer(excerpt):
        out.append(escape(excerpt[last : m.start()]))
        out.append("<mark>%s</mark>" % escape(m.group(0)))
        last = m.end()
    out.append(escape(excerpt[last:]))
    if start + width < len(plain):
        out.append("…")
    return mark_safe("".join(out))


@dataclass(frozen=True)
class IndexRow:
    """What the index keeps of an article: its id, tokens and the columns searches filter on."""

    article_id: int
    title: str
    body: str
    region: str
    subject: int
    visibility: str
    archived: bool


@dataclass(frozen=True)
class Filters:
    """Search restrictions: ``public_only``; region ``scope`` prefix for internal articles (None = all);
    ``subject`` id."""

    public_only: bool = True
    scope: str | None = None
    subject: int | None = None


@dataclass(frozen=True)
class Candidate:
    """A matching row as the database answers it: id and stored tokens (title, body)."""

    article_id: int
    title: str
    body: str


@dataclass
class Ranked:
    """One page of ranked ``(article_id, score)`` pairs, the number of matches (at most the cap) and
    whether there were more matches than the cap."""

    hits: list[tuple[int, float]]
    total: int
    capped: bool


def _needle(term: str) -> str:
    """What to count in space-padded tokens: a single character is a prefix, anything else a whole token."""
    return " " + term if len(term) == 1 else " %s " % term


def score(query: Query, title: str, body: str) -> float:
    """The rank of one candidate (higher first), the same on both backends.

    * every required term in the title: +1000 (title matches come first);
    * each boost word (a whole rjieba word longer than two characters) in the title: +100, in the body: +20;
    * per required term a saturated, length-normalized frequency (BM25's ``tf·(k1+1)/(tf+k1·(1-b+b·len/avg))``
      with k1 = 1.2, b = 0.75), title weighted ``TITLE_WEIGHT``.
    """
    return _scorer(query)(title, body)


def _scorer(query: Query) -> Callable[[str, str], float]:
    required = [_needle(t) for t in query.required]
    boost = [_needle(t) for t in query.boost]
    avg_title, avg_body = _AVG_TOKENS["title"], _AVG_TOKENS["body"]

    def run(title: str, body: str) -> float:
        title, body = " %s " % title, " %s " % body
        norm_t = 1.2 * (0.25 + 0.75 * (title.count(" ") - 1) / avg_title)
        norm_b = 1.2 * (0.25 + 0.75 * (body.count(" ") - 1) / avg_body)
        value = 0.0
        in_title = True
        for n in required:
            tf = title.count(n)
            if tf:
                value += TITLE_WEIGHT * tf * 2.2 / (tf + norm_t)
            else:
                in_title = False
            tf = body.count(n)
            if tf:
                value += tf * 2.2 / (tf + norm_b)
        if in_title:
            value += 1000.0
        for n in boost:
            if n in title:
                value += 100.0
            elif n in body:
                value += 20.0
        return value

    return run


class SearchBackend:
    """The adapter interface: each backend answers the capped, filtered :class:`Candidate` list; ranking
    (:func:`score`) and paging are shared."""

    vendor = ""

    def replace(self, rows: Sequence[IndexRow]) -> None:
        raise NotImplementedError

    def delete(self, ids: Iterable[int]) -> None:
        raise NotImplementedError

    def candidates(self, query: Query, filters: Filters, cap: int) -> list[Candidate]:
        """The newest ``cap`` rows matching every required term and the filters."""
        raise NotImplementedError

    def count(self, query: Query, filters: Filters, cap: int) -> int:
        """The number of rows matching (as :meth:`candidates`), counting no further than ``cap``."""
        raise NotImplementedError

    def search(self, query: Query, filters: Filters, limit: int, offset: int) -> Ranked:
        """Rank the candidates and return the page ``[offset, offset + limit)``."""
        rows = self.candidates(query, filters, CANDIDATE_CAP + 1)
        total = len(rows)
        if total > CANDIDATE_CAP:
            rows = rows[:CANDIDATE_CAP]
            total = self.count(query, filters, COUNT_CAP + 1)
        rank = _scorer(query)
        ranked = sorted(((c.article_id, rank(c.title, c.body)) for c in rows), key=lambda p: (-p[1], -p[0]))
        start = max(0, offset)
        return Ranked(hits=ranked[start : start + max(0, limit)], total=min(total, COUNT_CAP), capped=total > COUNT_CAP)

    def _where(self, filters: Filters, placeholder: str = "%s", prefix: str = "") -> tuple[str, list[Any]]:
        sql = ["%sarchived = %s" % (prefix, "0" if self.vendor == "sqlite" else "false")]
        params: list[Any] = []
        if filters.public_only:
            sql.append("%svisibility = 'public'" % prefix)
        elif filters.scope is not None:
            sql.append("(%svisibility = 'public' OR %sregion LIKE %s)" % (prefix, prefix, placeholder))
            params.append(filters.scope.replace("%", "").replace("_", "") + "%")
        if filters.subject is not None:
            sql.append("%ssubject = %s" % (prefix, placeholder))
            params.append(int(filters.subject))
        return " AND ".join(sql), params


class SqliteBackend(SearchBackend):
    """FTS5 with the default unicode61 tokenizer over the pre-tokenized text (tokens are separated by
    spaces, so it never splits a Chinese token again). The match walks the doclists in rowid order, newest
    first, and stops at the cap. The filter columns are read from ``service_kb_meta``, a narrow table keyed
    by the same id (about a hundred rows a page), not from the FTS content rows (one page each)."""

    vendor = "sqlite"

    def replace(self, rows: Sequence[IndexRow]) -> None:
        with connection.cursor() as cur:
            self.delete([r.article_id for r in rows])
            cur.executemany(
                "INSERT INTO service_kb_fts(rowid, title, body, region, subject, visibility, archived) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s)",
                [(r.article_id, r.title, r.body, r.region, r.subject, r.visibility, int(r.archived)) for r in rows],
            )
            cur.executemany(
                "INSERT INTO service_kb_meta(id, region, subject, visibility, archived) VALUES (%s, %s, %s, %s, %s)",
                [(r.article_id, r.region, r.subject, r.visibility, int(r.archived)) for r in rows],
            )

    def delete(self, ids: Iterable[int]) -> None:
        with connection.cursor() as cur:
            keys = [(int(i),) for i in ids]
            cur.executemany("DELETE FROM service_kb_fts WHERE rowid = %s", keys)
            cur.executemany("DELETE FROM service_kb_meta WHERE id = %s", keys)

    @staticmethod
    def match_expression(query: Query) -> str:
        def term(t: str) -> str:
            return '"%s"*' % t if len(t) == 1 else '"%s"' % t

        return " AND ".join(term(t) for t in query.required)

    def candidates(self, query: Query, filters: Filters, cap: int) -> list[Candidate]:
        where, params = self._where(filters, prefix="m.")
        sql = (
            "SELECT f.rowid, f.title, f.body FROM service_kb_fts f JOIN service_kb_meta m ON m.id = f.rowid "
            "WHERE service_kb_fts MATCH %s AND " + where + " ORDER BY f.rowid DESC LIMIT %s"
        )
        with connection.cursor() as cur:
            cur.execute(sql, [self.match_expression(query), *params, int(cap)])
            return [Candidate(int(i), t or "", b or "") for i, t, b in cur.fetchall()]

    def count(self, query: Query, filters: Filters, cap: int) -> int:
        where, params = self._where(filters, prefix="m.")
        sql = (
            "SELECT count(*) FROM (SELECT 1 FROM service_kb_fts f JOIN service_kb_meta m ON m.id = f.rowid "
            "WHERE service_kb_fts MATCH %s AND " + where + " LIMIT %s)"
        )
        with connection.cursor() as cur:
            cur.execute(sql, [self.match_expression(query), *params, int(cap)])
            return int(cur.fetchone()[0])


class PostgresBackend(SearchBackend):
    """``to_tsvector('simple', …)`` over the same tokens, title weighted A, body D; a GIN index answers the
    match; a single-character query uses a prefix match. The newest matches come first, as on SQLite."""

    vendor = "postgresql"

    def replace(self, rows: Sequence[IndexRow]) -> None:
        with connection.cursor() as cur:
            self.delete([r.article_id for r in rows])
            cur.executemany(
                "INSERT INTO service_kb_fts(article_id, title, body, region, subject, visibility, archived, tsv) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s, "
                "setweight(to_tsvector('simple', %s), 'A') || setweight(to_tsvector('simple', %s), 'D'))",
                [
                    (r.article_id, r.title, r.body, r.region, r.subject, r.visibility, r.archived, r.title, r.body)
                    for r in rows
                ],
            )

    def delete(self, ids: Iterable[int]) -> None:
        with connection.cursor() as cur:
            cur.execute("DELETE FROM service_kb_fts WHERE article_id = ANY(%s)", [[int(i) for i in ids]])

    @staticmethod
    def tsquery(query: Query) -> str:
        def term(t: str) -> str:
            return "%s:*" % t if len(t) == 1 else t

        return " & ".join(term(t) for t in query.required)

    def candidates(self, query: Query, filters: Filters, cap: int) -> list[Candidate]:
        where, params = self._where(filters)
        sql = (
            "SELECT article_id, title, body FROM service_kb_fts WHERE tsv @@ to_tsquery('simple', %s) AND "
            + where
            + " ORDER BY article_id DESC LIMIT %s"
        )
        with connection.cursor() as cur:
            cur.execute(sql, [self.tsquery(query), *params, int(cap)])
            return [Candidate(int(i), t or "", b or "") for i, t, b in cur.fetchall()]

    def count(self, query: Query, filters: Filters, cap: int) -> int:
        where, params = self._where(filters)
        sql = (
            "SELECT count(*) FROM (SELECT 1 FROM service_kb_fts WHERE tsv @@ to_tsquery('simple', %s) AND "
            + where
            + " LIMIT %s) AS m"
        )
        with connection.cursor() as cur:
            cur.execute(sql, [self.tsquery(query), *params, int(cap)])
            return int(cur.fetchone()[0])


def backend() -> SearchBackend:
    """The adapter for the current database."""
    return PostgresBackend() if connection.vendor == "postgresql" else SqliteBackend()


# ---------------------------------------------------------------- schema (used by the migration)

SQLITE_CREATE = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS service_kb_fts USING fts5("
    "title, body, region UNINDEXED, subject UNINDEXED, visibility UNINDEXED, archived UNINDEXED)"
)
SQLITE_META = (
    "CREATE TABLE IF NOT EXISTS service_kb_meta (id integer PRIMARY KEY, region varchar(12) NOT NULL, "
    "subject integer NOT NULL, visibility varchar(10) NOT NULL, archived integer NOT NULL)"
)
SQLITE_META_FILL = (
    "INSERT OR IGNORE INTO service_kb_meta(id, region, subject, visibility, archived) "
    "SELECT rowid, region, subject, visibility, archived FROM service_kb_fts"
)
SQLITE_DROP = "DROP TABLE IF EXISTS service_kb_fts"
SQLITE_META_DROP = "DROP TABLE IF EXISTS service_kb_meta"
POSTGRES_CREATE = (
    "CREATE TABLE IF NOT EXISTS service_kb_fts (article_id bigint PRIMARY KEY, title text NOT NULL, "
    "body text NOT NULL, region varchar(12) NOT NULL, subject bigint NOT NULL, visibility varchar(10) NOT NULL, "
    "archived boolean NOT NULL, tsv tsvector NOT NULL)",
    "CREATE INDEX IF NOT EXISTS service_kb_fts_tsv ON service_kb_fts USING gin (tsv)",
)
POSTGRES_TRGM = (
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS service_kb_fts_title_trgm ON service_kb_fts USING gin (title gin_trgm_ops)",
)
POSTGRES_DROP = "DROP TABLE IF EXISTS service_kb_fts"


def create_schema(schema_editor: Any) -> None:
    """The migration's step: see :func:`ensure_schema`."""
    ensure_schema(schema_editor.connection)


def ensure_schema(conn: Any) -> None:
    """Create the full-text table for the database at hand when missing (guarded by vendor) — on SQLite
    also the filter table ``service_kb_meta``, filled from an index built before it existed; pg_trgm is
    optional (a database role without CREATE EXTENSION still gets full-text search)."""
    from django.db import transaction

    with conn.cursor() as cur:
        if conn.vendor == "sqlite":
            cur.execute(SQLITE_CREATE)
            cur.execute("SELECT count(*) FROM sqlite_master WHERE name = 'service_kb_meta'")
            fill = not cur.fetchone()[0]
            cur.execute(SQLITE_META)
            if fill:  # an index built before the filter table existed
                cur.execute(SQLITE_META_FILL)
        elif conn.vendor == "postgresql":
            for sql in POSTGRES_CREATE:
                cur.execute(sql)
            try:
                with transaction.atomic(using=conn.alias):
                    for sql in POSTGRES_TRGM:
                        cur.execute(sql)
            except Exception:
                pass


def drop_schema(schema_editor: Any) -> None:
    conn = schema_editor.connection
    if conn.vendor == "sqlite":
        schema_editor.execute(SQLITE_DROP)
        schema_editor.execute(SQLITE_META_DROP)
    elif conn.vendor == "postgresql":
        schema_editor.execute(POSTGRES_DROP)

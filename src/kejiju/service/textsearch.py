"""Chinese full-text search of the knowledge base: one code path over two database backends.

Text is cut into rjieba search tokens plus the character bigrams of every run of Chinese characters, so a
two-character word inside a longer one (稻瘟 in 稻瘟病) is found even when the tokenizer keeps the longer
word whole. The tokens, joined by spaces, go into ``service_kb_fts`` — an FTS5 table on SQLite, a table
with a ``tsvector('simple')`` column (and a pg_trgm index on the title) on PostgreSQL — created by this
app's migration and kept in sync by the knowledge-base services. A query matches when every one of its
terms is present; hits are ranked (bm25 / ts_rank, title weighted) and the snippets are highlighted from
the original text, the same way on both backends.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
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


class SearchBackend:
    """The adapter interface; both backends answer ranked ``(article_id, rank)`` lists."""

    def replace(self, rows: Sequence[IndexRow]) -> None:
        raise NotImplementedError

    def delete(self, ids: Iterable[int]) -> None:
        raise NotImplementedError

    def search(self, query: Query, filters: Filters, limit: int, offset: int) -> list[tuple[int, float]]:
        raise NotImplementedError

    def _where(self, filters: Filters, placeholder: str = "%s") -> tuple[str, list[Any]]:
        sql = ["archived = %s" % ("0" if self.vendor == "sqlite" else "false")]
        params: list[Any] = []
        if filters.public_only:
            sql.append("visibility = 'public'")
        elif filters.scope is not None:
            sql.append("(visibility = 'public' OR region LIKE %s)" % placeholder)
            params.append(filters.scope.replace("%", "").replace("_", "") + "%")
        if filters.subject is not None:
            sql.append("subject = %s" % placeholder)
            params.append(int(filters.subject))
        return " AND ".join(sql), params

    vendor = ""


class SqliteBackend(SearchBackend):
    """FTS5 with the default unicode61 tokenizer over the pre-tokenized text (tokens are separated by
    spaces, so it never splits a Chinese token again)."""

    vendor = "sqlite"

    def replace(self, rows: Sequence[IndexRow]) -> None:
        with connection.cursor() as cur:
            self.delete([r.article_id for r in rows])
            cur.executemany(
                "INSERT INTO service_kb_fts(rowid, title, body, region, subject, visibility, archived) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s)",
                [(r.article_id, r.title, r.body, r.region, r.subject, r.visibility, int(r.archived)) for r in rows],
            )

    def delete(self, ids: Iterable[int]) -> None:
        with connection.cursor() as cur:
            cur.executemany("DELETE FROM service_kb_fts WHERE rowid = %s", [(int(i),) for i in ids])

    @staticmethod
    def match_expression(query: Query) -> str:
        def term(t: str) -> str:
            return '"%s"*' % t if len(t) == 1 else '"%s"' % t

        expr = " AND ".join(term(t) for t in query.required)
        if query.boost:
            expr += " AND (%s)" % " OR ".join(term(t) for t in (*query.boost, query.required[0]))
        return expr

    def search(self, query: Query, filters: Filters, limit: int, offset: int) -> list[tuple[int, float]]:
        where, params = self._where(filters)
        sql = (
            "SELECT rowid, bm25(service_kb_fts, 4.0, 1.0) AS r FROM service_kb_fts "
            "WHERE service_kb_fts MATCH %s AND " + where + " ORDER BY r LIMIT %s OFFSET %s"
        )
        with connection.cursor() as cur:
            cur.execute(sql, [self.match_expression(query), *params, limit, offset])
            return [(int(i), -float(r)) for i, r in cur.fetchall()]


class PostgresBackend(SearchBackend):
    """``to_tsvector('simple', …)`` over the same tokens, title weighted A, body D; a GIN index answers the
    match, ``ts_rank`` orders; a single-character query uses a prefix match."""

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

        expr = " & ".join(term(t) for t in query.required)
        if query.boost:
            expr += " & (%s)" % " | ".join(term(t) for t in (*query.boost, query.required[0]))
        return expr

    def search(self, query: Query, filters: Filters, limit: int, offset: int) -> list[tuple[int, float]]:
        where, params = self._where(filters)
        sql = (
            "SELECT article_id, ts_rank(tsv, q) AS r FROM service_kb_fts, to_tsquery('simple', %s) q "
            "WHERE tsv @@ q AND " + where + " ORDER BY r DESC, article_id DESC LIMIT %s OFFSET %s"
        )
        with connection.cursor() as cur:
            cur.execute(sql, [self.tsquery(query), *params, limit, offset])
            return [(int(i), float(r)) for i, r in cur.fetchall()]


def backend() -> SearchBackend:
    """The adapter for the current database."""
    return PostgresBackend() if connection.vendor == "postgresql" else SqliteBackend()


# ---------------------------------------------------------------- schema (used by the migration)

SQLITE_CREATE = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS service_kb_fts USING fts5("
    "title, body, region UNINDEXED, subject UNINDEXED, visibility UNINDEXED, archived UNINDEXED)"
)
SQLITE_DROP = "DROP TABLE IF EXISTS service_kb_fts"
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
    """Create the full-text table for the database at hand when missing (guarded by vendor); pg_trgm is
    optional (a database role without CREATE EXTENSION still gets full-text search)."""
    from django.db import transaction

    with conn.cursor() as cur:
        if conn.vendor == "sqlite":
            cur.execute(SQLITE_CREATE)
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
    elif conn.vendor == "postgresql":
        schema_editor.execute(POSTGRES_DROP)

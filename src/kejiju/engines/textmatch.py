"""Chinese text matching for technology transfer (成果对接): rank candidates against a query by TF-IDF
cosine similarity of rjieba tokens plus a field bonus, and explain each score by the shared terms.

Pure Python (no Django): services pass plain :class:`Doc` values and get :class:`Match` results.
A :class:`Doc` may carry its tokens (:func:`tokenize` of its text, computed once when the record is
saved); the ranking then uses them as they are instead of segmenting the text again, with the same result.

* Tokens: rjieba words of two or more characters (single Latin letters and digits dropped), minus a
  stop list of words that say nothing about a technology (一种、方法、技术、研究…).
* Weights: ``tf × idf`` with ``idf = ln((1 + N) / (1 + df)) + 1`` over the query and the candidates
  (smoothed, so a term in every document still weighs 1), vectors L2-normalized.
* Score: cosine similarity (0–1) + ``field_bonus`` when the query and the candidate share a field
  (subject or industry code, compared by prefix so 210 matches 21050). Candidates below ``min_score``
  are left out; ties keep the input order (stable).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

STOP_WORDS = frozenset(
    """一种 一个 方法 技术 研究 应用 开发 系统 装置 以及 及其 进行 我们 需要 公司 企业 问题 目前 提高 解决 实现 相关 采用
    通过 可以 没有 希望 新型 引进 能够 用于 其中 具有 现有 以上 以下 或者 并且 如何 这个 那个 这些 产品 项目 工作 方面 情况""".split()
)


@dataclass(frozen=True)
class Doc:
    """A candidate or a query: an id, its text, and its field codes; ``tokens``, when given, are
    ``tokenize(text)`` stored beforehand and used instead of the text (which may then be empty)."""

    key: str
    text: str
    fields: tuple[str, ...] = ()
    tokens: tuple[str, ...] | None = None

    def token_list(self) -> Sequence[str]:
        """The stored tokens, or the text's tokens when none were stored."""
        return self.tokens if self.tokens is not None else tokenize(self.text)


@dataclass(frozen=True)
class Match:
    """A ranked candidate with its explanation."""

    key: str
    score: float
    similarity: float
    shared_terms: tuple[str, ...] = ()
    field_match: bool = False

    def explain(self) -> str:
        """A Chinese sentence: why this candidate is suggested."""
        parts = []
        if self.shared_terms:
            parts.append("共同关键词：" + "、".join(self.shared_terms))
        if self.field_match:
            parts.append("领域相同")
        parts.append("文本相似度 %.2f" % self.similarity)
        return "；".join(parts) + "。"


def tokenize(text: str) -> list[str]:
    """Meaningful words of ``text`` (rjieba, words of ≥ 2 characters, stop words removed, lower case)."""
    return list(_tokens(text or ""))


@lru_cache(maxsize=50_000)
def _tokens(text: str) -> tuple[str, ...]:
    # cached: the candidate texts are the same from one suggestions page to the next
    import rjieba

    words = []
    for word in rjieba.cut(text or ""):
        word = word.strip().lower()
        if len(word) < 2 or word in STOP_WORDS:
            continue
        if not any(ch.isalnum() for ch in word):
            continue
        if word.isdigit():
            continue
        words.append(word)
    return tuple(words)


@dataclass
class _Vector:
    weights: dict[str, float] = field(default_factory=dict)

    def dot(self, other: _Vector) -> float:
        small, large = (self, other) if len(self.weights) <= len(other.weights) else (other, self)
        return sum(w * large.weights.get(t, 0.0) for t, w in small.weights.items())


def _vectors(token_lists: Sequence[Sequence[str]]) -> list[_Vector]:
    n = len(token_lists)
    df: Counter[str] = Counter()
    for tokens in token_lists:
        df.update(set(tokens))
    idf = {t: math.log((1 + n) / (1 + d)) + 1.0 for t, d in df.items()}
    out = []
    for tokens in token_lists:
        tf = Counter(tokens)
        weights = {t: c * idf[t] for t, c in tf.items()}
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        out.append(_Vector({t: w / norm for t, w in weights.items()}))
    return out


def fields_match(a: Iterable[str], b: Iterable[str]) -> bool:
    """Whether two field-code lists share a field (one code a prefix of the other, e.g. 210 and 21050)."""
    left = [x.strip().upper() for x in a if x and x.strip()]
    right = [y.strip().upper() for y in b if y and y.strip()]
    return any(x.startswith(y) or y.startswith(x) for x in left for y in right)


def rank(
    query: Doc,
    candidates: Sequence[Doc],
    *,
    limit: int = 10,
    field_bonus: float = 0.2,
    min_score: float = 0.05,
    max_terms: int = 5,
) -> list[Match]:
    """Rank ``candidates`` against ``query`` (best first), at most ``limit``; each with its explanation."""
    if not candidates:
        return []
    token_lists = [query.token_list()] + [c.token_list() for c in candidates]
    vectors = _vectors(token_lists)
    q = vectors[0]
    results = []
    for index, cand in enumerate(candidates, start=1):
        vec = vectors[index]
        similarity = q.dot(vec)
        same_field = fields_match(query.fields, cand.fields)
        score = similarity + (field_bonus if same_field else 0.0)
        if score < min_score:
            continue
        shared = sorted(set(q.weights) & set(vec.weights), key=lambda t: -(q.weights[t] * vec.weights[t]))
        results.append(
            Match(
                key=cand.key,
                score=round(score, 4),
                similarity=round(similarity, 4),
                shared_terms=tuple(shared[:max_terms]),
                field_match=same_field,
            )
        )
    results.sort(key=lambda m: -m.score)
    return results[:limit]


def encode_tokens(tokens: list[str]) -> str | None:
    """The stored form of ``tokens``: joined by single spaces. A token never holds whitespace (the
    segmenter splits on it); should one ever do, nothing is stored and the text is segmented instead."""
    if any(" " in token for token in tokens):
        return None
    return " ".join(tokens)


def decode_tokens(stored: str) -> tuple[str, ...]:
    return tuple(stored.split(" ")) if stored else ()

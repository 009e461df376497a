"""The texts the matcher compares (title twice for weight, then keywords and summary, or the problem)
and their tokens, stored on each record when it is saved (``match_tokens``, the tokens joined by single
spaces; NULL when not stored yet) so that the suggestions page does not segment up to 3,000 texts on every
view. One place for the services, the selectors, the migration and ``kejiju transfer retokenize``.

Experts are persons of the people registry, which stores their tokens the same way
(``people.services.match_tokens``: keywords twice, title, major); read here with :func:`expert_rows`."""

from __future__ import annotations

from typing import Any

from kejiju.core.bulk import refresh_column
from kejiju.engines.textmatch import Doc, tokenize
from kejiju.engines.textmatch import decode_tokens as decode
from kejiju.engines.textmatch import encode_tokens as encode

#: The fields each model's tokens are computed from.
ACHIEVEMENT_FIELDS = ("title", "keywords", "summary")
DEMAND_FIELDS = ("title", "problem")


def achievement_text(obj: Any) -> str:
    """What an achievement is matched on (its title counts twice)."""
    return f"{obj.title} {obj.title} {obj.keywords} {obj.summary}"


def demand_text(obj: Any) -> str:
    """What a demand is matched on (its title counts twice)."""
    return f"{obj.title} {obj.title} {obj.problem}"


def achievement_tokens(obj: Any) -> str | None:
    """The value of ``match_tokens`` for an achievement's current text."""
    return encode(tokenize(achievement_text(obj)))


def demand_tokens(obj: Any) -> str | None:
    """The value of ``match_tokens`` for a demand's current text."""
    return encode(tokenize(demand_text(obj)))


def doc(pk: Any, field: str, stored: str | None, text: str) -> Doc:
    """The matcher's document of a record: its stored tokens, or, when none are stored (a row written
    around the services), its ``text``, segmented then with the same result."""
    if stored is None:
        return Doc(str(pk), text, (field,))
    return Doc(str(pk), "", (field,), decode(stored))


def achievement_rows(qs: Any) -> Any:
    """``(pk, field, stored tokens, text)`` of each achievement of ``qs`` for the matcher: one query, no
    model instances; the text (:func:`achievement_text`, built in SQL) only for rows without tokens."""
    return qs.values_list("pk", "field", "match_tokens", _fallback_text("title", "title", "keywords", "summary"))


#: The fields of a person's matcher text, in order (``people.services.match_text``: keywords twice for
#: weight, title, major), for the text built in SQL when no tokens are stored.
EXPERT_TEXT_FIELDS = ("keywords", "keywords", "title", "major")


def expert_rows(qs: Any) -> Any:
    """``(pk, subjects, stored tokens, text)`` of each person of ``qs`` for the matcher: one query, no
    model instances; the text built in SQL only for rows without tokens."""
    return qs.values_list("pk", "subjects", "match_tokens", _fallback_text(*EXPERT_TEXT_FIELDS))


def expert_doc(pk: Any, in_field: str | None, stored: str | None, text: str) -> Doc:
    """The matcher's document of an expert: ``in_field`` is the demand's field when one of the person's
    subjects lies in it (a field match), else None."""
    fields = (in_field,) if in_field else ()
    if stored is None:
        return Doc(str(pk), text, fields)
    return Doc(str(pk), "", fields, decode(stored))


def demand_doc(obj: Any) -> Doc:
    """The matcher's document of a demand (the query)."""
    return doc(obj.pk, obj.field, obj.match_tokens, demand_text(obj))


def _fallback_text(*names: str) -> Any:
    from django.db.models import Case, TextField, Value, When
    from django.db.models.functions import Concat

    parts: list[Any] = []
    for name in names:
        parts += [name, Value(" ")]
    return Case(
        When(match_tokens__isnull=True, then=Concat(*parts[:-1], output_field=TextField())),
        default=Value(""),
        output_field=TextField(),
    )


def refresh_tokens(model: Any, tokens_of: Any, text_fields: tuple[str, ...], *, batch: int = 1000) -> tuple[int, int]:
    """Recompute the stored tokens of every row of ``model`` (``Achievement`` or ``TechDemand``, also the
    migration's historical models) and write those that differ; returns (rows read, rows written).
    A derived value: no field history, no operation-log row per record."""
    return refresh_column(model, "match_tokens", tokens_of, text_fields, batch=batch)

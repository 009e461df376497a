"""Topic suggestions for training plans.

Another module (the service line) plugs in a provider of “the most frequent topics of the last season”
with :func:`register_topic_source`; the plan form shows the suggestions when a provider exists. A provider
is ``fn(region_code: str, today: date) -> list[str]`` (most frequent first)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date

TopicSource = Callable[[str, date], list[str]]
_sources: list[TopicSource] = []
logger = logging.getLogger(__name__)


def register_topic_source(fn: TopicSource) -> TopicSource:
    """Add a provider of suggested topics (registering the same function twice keeps one)."""
    if fn not in _sources:
        _sources.append(fn)
    return fn


def unregister_topic_source(fn: TopicSource) -> None:
    if fn in _sources:
        _sources.remove(fn)


def has_topic_source() -> bool:
    return bool(_sources)


def topic_suggestions(region_code: str, today: date | None = None, limit: int = 10) -> list[str]:
    """Suggested topics from every provider, without duplicates, at most ``limit``. A failing provider
    is logged and skipped: suggestions are advice, never a reason for the plan form to fail."""
    today = today or date.today()
    seen: list[str] = []
    for source in list(_sources):
        try:
            topics = source(region_code, today)
        except Exception:  # a provider's bug must not break the form
            logger.exception("topic source failed")
            continue
        for topic in topics or []:
            text = str(topic).strip()
            if text and text not in seen:
                seen.append(text)
    return seen[:limit]

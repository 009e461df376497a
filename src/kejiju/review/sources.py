"""What can be reviewed: the contract between the review module and the apps whose records experts
review (applications of a call, acceptance of projects, platform evaluations, award nominations,
talent selections…).

An app registers a :class:`ReviewSource` (in its ``registrations.py``) with
:func:`register_review_source`. The review module then lets staff put that app's records into a review
batch, derives conflicts of interest from the :class:`ReviewSubject` facts, shows the expert the
:class:`ReviewDocument`, and hands the aggregated :class:`ReviewOutcome` back through
:meth:`ReviewSource.apply_outcome`. Neither side imports the other's models: records travel as
``ref`` strings ``"<source key>:<pk>"``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Protocol


@dataclass(frozen=True)
class ReviewSubject:
    """The facts about a record that matter for review: who it belongs to (for conflicts), its subjects
    (for matching experts) and where it lives (for same-region avoidance)."""

    ref: str
    title: str
    region_code: str
    organization_id: int | None = None
    cooperating_organization_ids: tuple[int, ...] = ()
    subjects: tuple[str, ...] = ()
    keywords: str = ""
    member_person_ids: tuple[int, ...] = ()
    #: Experts (person ids) the applicant asked to avoid, with the reason given.
    avoid_person_ids: tuple[tuple[int, str], ...] = ()
    #: How many experts the applicant named, when the source resolves a typed name to the pool (a name
    #: shared by several experts avoids them all but counts once against the cap); None: one per entry
    #: of ``avoid_person_ids``.
    avoid_requests: int | None = None
    #: Number of reviewers wanted when the source has its own rule (None: the batch default).
    reviewers: int | None = None


@dataclass(frozen=True)
class ReviewDocument:
    """What an assigned expert may read: labelled text fields, tables and attachment ids (core
    Attachments the expert may download while assigned)."""

    title: str
    fields: tuple[tuple[str, str], ...] = ()
    tables: tuple[tuple[str, tuple[str, ...], tuple[tuple[str, ...], ...]], ...] = ()
    attachment_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReviewOutcome:
    """The aggregated result of one record's review in one batch."""

    ref: str
    batch_id: int
    batch_title: str
    kind: str
    score_mean: Decimal | None
    score_trimmed: Decimal | None
    rank: int | None
    reviewers: int
    recommendation: str = ""
    opinions: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)


class ReviewSource(Protocol):
    """An app's reviewable records. ``key`` is ``"<app>.<noun>"`` (e.g. ``"programs.application"``);
    ``kinds`` are the review kinds it offers (call stage 评审, acceptance 验收, inspection 检查, …) as
    ``(value, label)`` pairs."""

    key: str
    label: str
    kinds: tuple[tuple[str, str], ...]

    def candidates(self, *, user: Any, kind: str, filters: dict[str, Any]) -> list[ReviewSubject]:
        """Records the user may put into a batch of ``kind`` now (``filters`` e.g. ``{"call": 3}``)."""
        ...

    def subjects(self, refs: list[str]) -> list[ReviewSubject]:
        """The facts for these refs (unscoped: the review module has checked access)."""
        ...

    def document(self, ref: str) -> ReviewDocument:
        """What an assigned expert reads for this record."""
        ...

    def apply_outcome(self, *, actor: Any, outcome: ReviewOutcome) -> None:
        """Record the outcome on the source record (in the caller's transaction); raise
        ``BusinessError`` when the record no longer accepts it (nothing is then stored)."""
        ...


_sources: dict[str, ReviewSource] = {}


def register_review_source(source: ReviewSource) -> ReviewSource:
    _sources[source.key] = source
    return source


def review_sources() -> list[ReviewSource]:
    return [_sources[k] for k in sorted(_sources)]


def review_source(key: str) -> ReviewSource | None:
    return _sources.get(key)


def make_ref(key: str, pk: Any) -> str:
    return "%s:%s" % (key, pk)


def split_ref(ref: str) -> tuple[str, str]:
    """``"programs.application:12"`` → ``("programs.application", "12")``; ValueError when malformed."""
    key, sep, pk = ref.rpartition(":")
    if not sep or not key or not pk:
        raise ValueError("bad review ref: %r" % ref)
    return key, pk

"""The review source of award nominations (``awards.nomination``): experts score the checked nominations
of a cycle in 专家评审, and the aggregated result comes back here."""

from __future__ import annotations

from typing import Any

from kejiju.core.errors import BusinessError
from kejiju.review.sources import ReviewDocument, ReviewOutcome, ReviewSubject, make_ref, split_ref

KEY = "awards.nomination"


def _pk(ref: str) -> int | None:
    try:
        key, pk = split_ref(ref)
    except ValueError:
        return None
    return int(pk) if key == KEY and pk.isdigit() and int(pk) < 2**63 else None


class NominationReviewSource:
    """Nominations of award cycles under expert review (奖励评审)."""

    key = KEY
    label = "科技奖励推荐项目"
    kinds: tuple[tuple[str, str], ...] = (("award", "奖励评审"),)

    def _queryset(self) -> Any:
        from kejiju.awards.models import Nomination

        return Nomination.objects.filter(is_archived=False).select_related("cycle__programme", "organization")

    def _subject(self, nomination: Any) -> ReviewSubject:
        return ReviewSubject(
            ref=make_ref(KEY, nomination.pk),
            title=nomination.title,
            region_code=nomination.region_id,
            organization_id=nomination.organization_id,
            cooperating_organization_ids=tuple(nomination.other_organizations.values_list("pk", flat=True)),
            subjects=tuple(nomination.subjects or ()),
            keywords=nomination.field_keywords,
            member_person_ids=tuple(nomination.members.values_list("person_id", flat=True)),
        )

    def candidates(self, *, user: Any, kind: str, filters: dict[str, Any]) -> list[ReviewSubject]:
        from kejiju.awards.choices import CycleStatus, NominationStatus
        from kejiju.awards.permissions import can_manage_awards

        qs = self._queryset().filter(cycle__status=CycleStatus.REVIEW, status=NominationStatus.PASSED)
        wanted = str(filters.get("cycle") or "").strip()
        if wanted.isdigit():
            qs = qs.filter(cycle_id=int(wanted))
        return [self._subject(n) for n in qs if can_manage_awards(user, n)]

    def subjects(self, refs: list[str]) -> list[ReviewSubject]:
        ids = [pk for pk in (_pk(ref) for ref in refs) if pk is not None]
        return [self._subject(n) for n in self._queryset().filter(pk__in=ids)]

    def document(self, ref: str) -> ReviewDocument:
        pk = _pk(ref)
        nomination = self._queryset().filter(pk=pk).first() if pk else None
        if nomination is None:
            return ReviewDocument(title="推荐项目不存在")
        members = tuple(
            (str(m.position), m.person.name, m.contribution) for m in nomination.members.select_related("person")
        )
        return ReviewDocument(
            title=nomination.title,
            fields=(
                ("奖励", str(nomination.cycle)),
                ("奖励类别", nomination.category),
                ("第一完成单位", nomination.organization.name),
                ("专业领域", nomination.field_keywords),
                ("项目简介与主要创新点", nomination.summary),
                ("应用情况与效益", nomination.benefits),
            ),
            tables=(("主要完成人", ("排名", "姓名", "主要贡献"), members),) if members else (),
        )

    def apply_outcome(self, *, actor: Any, outcome: ReviewOutcome) -> None:
        from kejiju.awards.services import nomination_review_result

        pk = _pk(outcome.ref)
        if pk is None:
            raise BusinessError("评审对象“%s”不是奖励推荐项目。" % outcome.ref, code="bad_ref")
        score = outcome.score_trimmed if outcome.score_trimmed is not None else outcome.score_mean
        nomination_review_result(
            actor=actor,
            nomination_id=pk,
            score=score,
            rank=outcome.rank,
            reviewers=outcome.reviewers,
            opinions=outcome.opinions,
        )

"""The review source of talent selections (``people.nomination``): the review module draws experts,
collects scores on the nominees of a round in 评审中, and hands the aggregated result back here.
Records travel as refs ``"people.nomination:<pk>"``."""

from __future__ import annotations

from typing import Any

from kejiju.core.errors import BusinessError
from kejiju.review.sources import ReviewDocument, ReviewOutcome, ReviewSubject, make_ref, split_ref

KEY = "people.nomination"

#: The scoring criteria suggested for a round's expert review (weights add to 100; staff may change them).
REVIEW_CRITERIA = "业绩贡献:40\n创新能力:30\n发展潜力:20\n示范带动作用:10"


def _pk(ref: str) -> int | None:
    try:
        key, pk = split_ref(ref)
    except ValueError:
        return None
    return int(pk) if key == KEY and pk.isdigit() and int(pk) < 2**63 else None


class NominationReviewSource:
    """Nominees of talent selection rounds under review (人才评选)."""

    key = KEY
    label = "人才评选推荐人选"
    kinds: tuple[tuple[str, str], ...] = (("selection", "人才评选"),)

    def _subject(self, nomination: Any) -> ReviewSubject:
        person = nomination.person
        return ReviewSubject(
            ref=make_ref(KEY, nomination.pk),
            title="%s · %s" % (person.name, nomination.selection_round.title),
            region_code=nomination.region_id,
            organization_id=person.organization_id,
            subjects=tuple(person.subjects or ()),
            keywords=person.keywords,
            member_person_ids=(person.pk,),
        )

    def _queryset(self) -> Any:
        from kejiju.people.models import Nomination

        return Nomination.objects.filter(is_archived=False).select_related("person", "selection_round")

    def candidates(self, *, user: Any, kind: str, filters: dict[str, Any]) -> list[ReviewSubject]:
        """Nominees of the rounds in 评审中 the user may manage (``filters["round"]`` narrows to one)."""
        from kejiju.people import selectors
        from kejiju.people.choices import RoundStatus
        from kejiju.people.permissions import can_manage_round

        rounds = selectors.round_list(user=user, filters={"status": RoundStatus.REVIEWING})
        wanted = str(filters.get("round") or "").strip()
        if wanted.isdigit():
            rounds = rounds.filter(pk=int(wanted))
        ids = [r.pk for r in rounds if can_manage_round(user, r)]
        return [self._subject(n) for n in self._queryset().filter(selection_round_id__in=ids)]

    def subjects(self, refs: list[str]) -> list[ReviewSubject]:
        ids = [pk for pk in (_pk(ref) for ref in refs) if pk is not None]
        return [self._subject(n) for n in self._queryset().filter(pk__in=ids)]

    def document(self, ref: str) -> ReviewDocument:
        pk = _pk(ref)
        nomination = self._queryset().filter(pk=pk).first() if pk else None
        if nomination is None:
            return ReviewDocument(title="推荐人选不存在")
        person = nomination.person
        honours = tuple(
            (str(h.year), h.title, h.get_level_display(), h.issuer)
            for h in person.honours.filter(is_archived=False).order_by("-year")
        )
        return ReviewDocument(
            title="%s · %s" % (person.name, nomination.selection_round.title),
            fields=(
                ("姓名", person.name),
                ("性别", person.get_gender_display()),
                ("出生年月", person.birth_date.strftime("%Y-%m") if person.birth_date else ""),
                ("工作单位", person.organization.name if person.organization_id else ""),
                ("职称", person.title),
                ("最高学历", person.get_education_display()),
                ("专长", person.keywords),
                ("推荐单位", nomination.nominator.name if nomination.nominator_id else ""),
                ("评选条件", nomination.selection_round.rules),
                ("主要业绩", nomination.achievements),
            ),
            tables=(("荣誉与入选", ("年度", "荣誉名称", "级别", "授予单位"), honours),) if honours else (),
        )

    def apply_outcome(self, *, actor: Any, outcome: ReviewOutcome) -> None:
        from kejiju.people.services import nomination_apply_review

        pk = _pk(outcome.ref)
        if pk is None:
            raise BusinessError("评审对象“%s”不是人才评选推荐人选。" % outcome.ref, code="bad_ref")
        score = outcome.score_trimmed if outcome.score_trimmed is not None else outcome.score_mean
        nomination_apply_review(
            actor=actor,
            nomination_id=pk,
            score=score,
            reviewers=outcome.reviewers,
            opinions=outcome.opinions,
            rank=outcome.rank,
        )

"""Factories and a test-only review source for the review app's tests (never registered in production)."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal
from typing import Any

from kejiju.core.errors import BusinessError
from kejiju.core.testing.factories import region
from kejiju.engines.idcodes import make_id_number
from kejiju.review.sources import (
    ReviewDocument,
    ReviewOutcome,
    ReviewSubject,
    register_review_source,
)

_seq = itertools.count(1)


def id_number() -> str:
    n = next(_seq)
    return make_id_number("341181", date(1970 + n % 30, 1 + n % 12, 1 + n % 28), 100 + n % 800)


class FakeSource:
    """A review source holding its subjects in memory; ``outcomes`` collects what review hands back."""

    key = "testing.item"
    label = "测试评审对象"
    kinds = (("stage", "立项评审"), ("accept", "验收评审"))

    def __init__(self) -> None:
        self.items: dict[str, ReviewSubject] = {}
        self.outcomes: list[ReviewOutcome] = []
        self.refuse: set[str] = set()

    def add(self, pk: int, **kwargs: Any) -> ReviewSubject:
        ref = "%s:%s" % (self.key, pk)
        kwargs.setdefault("title", "测试项目%s" % pk)
        kwargs.setdefault("region_code", "341181")
        kwargs.setdefault("subjects", ("520",))
        subject = ReviewSubject(ref=ref, **kwargs)
        self.items[ref] = subject
        return subject

    def candidates(self, *, user: Any, kind: str, filters: dict[str, Any]) -> list[ReviewSubject]:
        return list(self.items.values())

    def subjects(self, refs: list[str]) -> list[ReviewSubject]:
        return [self.items[r] for r in refs if r in self.items]

    def document(self, ref: str) -> ReviewDocument:
        s = self.items[ref]
        return ReviewDocument(
            title=s.title, fields=(("项目名称", s.title), ("研究内容", "机密研究内容 %s" % ref)), attachment_ids=()
        )

    def apply_outcome(self, *, actor: Any, outcome: ReviewOutcome) -> None:
        if outcome.ref in self.refuse:
            raise BusinessError("该记录已不接受评审结果。", code="refused")
        self.outcomes.append(outcome)


def install_source() -> FakeSource:
    source = FakeSource()
    register_review_source(source)
    return source


def make_expert(actor: Any, region_code: str = "341181", **data: Any) -> Any:
    from kejiju.review.services import expert_create

    region(region_code)
    payload = {
        "name": data.pop("name", "专家%s" % next(_seq)),
        "id_number": data.pop("id_number", None) or id_number(),
        "region": region_code,
        "subjects": data.pop("subjects", "520"),
        "title": "正高级工程师",
        **data,
    }
    return expert_create(actor=actor, data=payload)


def batch_data(source: FakeSource, **overrides: Any) -> dict[str, Any]:
    data = {
        "title": "2027 年度科技计划项目评审",
        "source_key": source.key,
        "kind": "stage",
        "mode": "draw",
        "reviewers_per_item": 3,
        "reserves_per_item": 2,
        "max_load": 3,
        "min_load": 0,
        "refs": list(source.items),
        "criteria": "创新性:40\n可行性:30\n效益:30",
        "region": "341181",
    }
    data.update(overrides)
    return data


def full_scores(batch: Any, points: list[Any] | None = None) -> dict[str, Any]:
    criteria = list(batch.criteria.all())
    points = points or [c.weight for c in criteria]
    return {str(c.pk): Decimal(str(p)) for c, p in zip(criteria, points, strict=True)}

"""Choice lists of the reports app, and the status graph of an official document declared once."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models


class DocumentKind(models.TextChoices):
    """文种: the kinds of 党政机关公文 a science and technology bureau issues (条例第八条)."""

    NOTICE = "notice", "通知"
    BULLETIN = "bulletin", "通报"
    LETTER = "letter", "函"
    REQUEST = "request", "请示"
    REPORT = "report", "报告"
    REPLY = "reply", "批复"
    OPINION = "opinion", "意见"
    MINUTES = "minutes", "纪要"
    DECISION = "decision", "决定"
    ANNOUNCEMENT = "announcement", "通告"


class DocumentLayout(models.TextChoices):
    """GB/T 9704-2012 版式 (the engine's ``layout``)."""

    DOCUMENT = "document", "文件格式（红头“××文件”）"
    LETTER = "letter", "信函格式"


class DocumentStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    GENERATED = "generated", "已生成"
    FAILED = "failed", "生成失败"


@dataclass(frozen=True)
class DocumentAction:
    """A step a user may take on a document: the statuses it starts from and those it may end in."""

    name: str
    label: str
    sources: tuple[str, ...]
    targets: tuple[str, ...]


#: The status graph (house rule 4), declared once. It drives the transition service (which refuses any
#: other change) and the buttons on the pages (an action is offered only from its source statuses).
#: generate/retry end in "generated" or "failed" depending on the job's outcome; revise is saving new
#: content into a generated or failed document, which makes it a draft again.
DOCUMENT_ACTIONS: dict[str, DocumentAction] = {
    "generate": DocumentAction(
        "generate", "生成", (DocumentStatus.DRAFT,), (DocumentStatus.GENERATED, DocumentStatus.FAILED)
    ),
    "retry": DocumentAction(
        "retry", "重试", (DocumentStatus.FAILED,), (DocumentStatus.GENERATED, DocumentStatus.FAILED)
    ),
    "revise": DocumentAction(
        "revise", "修改", (DocumentStatus.GENERATED, DocumentStatus.FAILED), (DocumentStatus.DRAFT,)
    ),
}

#: Every allowed (from, to) pair, derived from the actions.
DOCUMENT_TRANSITIONS: frozenset[tuple[str, str]] = frozenset(
    (source, target) for action in DOCUMENT_ACTIONS.values() for source in action.sources for target in action.targets
)


def action_allowed(action: str, status: str) -> bool:
    """Whether ``action`` may start from ``status``."""
    found = DOCUMENT_ACTIONS.get(action)
    return found is not None and status in found.sources

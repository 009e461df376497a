"""Declared status graphs and transition rows (house rule 4), shared by every app with a workflow.

An app declares its graph once as :class:`Action` entries in a :class:`Workflow`; the transition
service calls :func:`apply_transition` inside its own ``transaction.atomic`` after locking the row
(``select_for_update``) and checking the actor's permission. The same graph drives the buttons on the
pages (:meth:`Workflow.available`). A transition model is any model with the fields
``<fk>``, ``from_status``, ``to_status``, ``action``, ``actor``, ``reason``, ``at`` (and optionally
``extra`` JSON); :func:`transition_fields` gives them for a concrete model.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from kejiju.core.errors import BusinessError
from kejiju.core.history import acting


@dataclass(frozen=True)
class Action:
    """A step: its name, Chinese label, the statuses it starts from, the status it ends in, whether a
    reason must be given, and the Bootstrap style of its button."""

    name: str
    label: str
    sources: tuple[str, ...]
    target: str
    reason_required: bool = False
    style: str = "primary"
    confirm: str = ""


class Workflow:
    """A status graph: ``actions`` by name; ``labels`` maps status values to Chinese labels."""

    def __init__(self, actions: Iterable[Action], labels: dict[str, str]) -> None:
        self.actions = {a.name: a for a in actions}
        self.labels = labels

    def action(self, name: str) -> Action:
        try:
            return self.actions[name]
        except KeyError:
            raise BusinessError("未知的操作“%s”。" % name, code="unknown_action") from None

    def allowed(self, name: str, status: str) -> bool:
        action = self.actions.get(name)
        return action is not None and status in action.sources

    def available(self, status: str) -> list[Action]:
        return [a for a in self.actions.values() if status in a.sources]

    def check(self, name: str, status: str, reason: str = "") -> Action:
        """The action if it may start from ``status`` (and has its reason), else ``BusinessError``
        naming the current status."""
        action = self.action(name)
        if status not in action.sources:
            raise BusinessError(
                "当前状态为“%(s)s”，不能执行“%(a)s”。" % {"s": self.labels.get(status, status), "a": action.label},
                code="bad_transition",
            )
        if action.reason_required and not reason.strip():
            raise BusinessError("请填写“%s”的理由。" % action.label, code="reason_required", field="reason")
        return action


def transition_fields(record_model: str, related_name: str = "transitions") -> dict[str, Any]:
    """Field definitions for a concrete transition model over ``record_model`` (``"app.Model"``)."""
    return {
        "from_status": models.CharField("原状态", max_length=30),
        "to_status": models.CharField("新状态", max_length=30),
        "action": models.CharField("操作", max_length=40),
        "actor": models.ForeignKey(
            settings.AUTH_USER_MODEL,
            on_delete=models.PROTECT,
            null=True,
            blank=True,
            related_name="+",
            verbose_name="操作人",
        ),
        "reason": models.TextField("说明", blank=True),
        "extra": models.JSONField("附加信息", default=dict, blank=True),
        "at": models.DateTimeField("时间", default=timezone.now, db_index=True),
    }


def apply_transition(
    *,
    obj: Any,
    workflow: Workflow,
    action: str,
    actor: Any,
    transition_model: type[models.Model],
    fk_name: str,
    reason: str = "",
    extra: dict[str, Any] | None = None,
    status_field: str = "status",
    update_fields: Iterable[str] = (),
) -> Any:
    """Move ``obj`` (already locked by the caller) along ``action``: check the graph, set the status,
    save (with field history as ``actor``) and write the transition row. Returns the row. Raises
    ``BusinessError`` from a wrong status or a missing reason, changing nothing."""
    current = getattr(obj, status_field)
    step = workflow.check(action, current, reason)
    setattr(obj, status_field, step.target)
    fields = {status_field, *update_fields}
    if hasattr(obj, "updated_at"):
        fields.add("updated_at")
    with acting(actor, reason):
        obj.save(update_fields=sorted(fields))
    row = transition_model(
        **{fk_name: obj},
        from_status=current,
        to_status=step.target,
        action=step.name,
        actor=actor if getattr(actor, "pk", None) else None,
        reason=reason.strip(),
        extra=extra or {},
    )
    row.save()
    return row

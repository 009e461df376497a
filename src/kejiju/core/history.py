"""The acting user for field history, set by services rather than taken from the web request,
so management commands and background jobs are recorded with their actor too (house rule 5)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any

_actor: ContextVar[Any] = ContextVar("kejiju_history_actor", default=None)
_reason: ContextVar[str] = ContextVar("kejiju_history_reason", default="")


@contextlib.contextmanager
def acting(actor: Any, reason: str = "") -> Iterator[None]:
    """Every history row written inside the block names ``actor`` (and ``reason``)."""
    actor_token = _actor.set(actor if getattr(actor, "pk", None) else None)
    reason_token = _reason.set(reason)
    try:
        yield
    finally:
        _actor.reset(actor_token)
        _reason.reset(reason_token)


def current_actor() -> Any:
    return _actor.get()


def current_reason() -> str:
    return _reason.get()


def history_user_getter(instance: Any, request: Any = None, **kwargs: Any) -> Any:
    """simple-history hook: the service's actor first, then an explicit ``_history_user``,
    then the request's user (admin site). Also carries the service's reason into the row
    (simple-history reads ``_change_reason`` right after asking for the user)."""
    reason = _reason.get()
    if reason and not getattr(instance, "_change_reason", None):
        instance._change_reason = reason
        instance._kejiju_reason = True
    elif not reason and getattr(instance, "_kejiju_reason", False):
        # a reason we set for an earlier save must not stick to this one
        instance._change_reason = None
        instance._kejiju_reason = False
    actor = _actor.get()
    if actor is not None:
        return actor
    explicit = getattr(instance, "_history_user", None)
    if explicit is not None:
        return explicit
    user = getattr(request, "user", None) if request is not None else None
    return user if getattr(user, "is_authenticated", False) else None

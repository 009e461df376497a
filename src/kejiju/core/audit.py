"""The operation-log registry: action codes with Chinese labels, and the writer services use.

Apps register their codes at import time (``register_action("programs.approve", "立项")``);
writing an unregistered code is a programming error and raises at once.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

_ACTIONS: dict[str, str] = {}


def register_action(code: str, label: str) -> str:
    """Register an action code (``app.verb``) and its Chinese label; returns the code."""
    if "." not in code:
        raise ValueError(f"action code must look like app.verb: {code!r}")
    existing = _ACTIONS.get(code)
    if existing is not None and existing != label:
        raise ValueError(f"action code {code!r} registered twice with different labels")
    _ACTIONS[code] = label
    return code


def action_label(code: str) -> str:
    return _ACTIONS.get(code, code)


def registered_actions() -> dict[str, str]:
    return dict(sorted(_ACTIONS.items()))


def new_batch_id() -> uuid.UUID:
    return uuid.uuid4()


def log_operation(
    *,
    actor: Any,
    action: str,
    target: models.Model | None = None,
    region: Any = None,
    extra: dict[str, Any] | None = None,
    batch_id: uuid.UUID | None = None,
    ip_address: str | None = None,
    actor_repr: str | None = None,
) -> Any:
    """Write one operation-log row. ``region`` defaults to the target's region."""
    from kejiju.core.models import OperationLog

    if action not in _ACTIONS:
        raise ValueError(f"unregistered action code {action!r}")
    region_code = getattr(region, "pk", region)
    if region_code is None and target is not None:
        region_code = getattr(target, "region_id", None)
        if region_code is None and target._meta.model_name == "region":
            region_code = target.pk
    actor_obj = actor if getattr(actor, "pk", None) else None
    return OperationLog.objects.create(
        action=action,
        actor=actor_obj,
        actor_repr=actor_repr if actor_repr is not None else (str(actor_obj) if actor_obj else "系统"),
        target_type=ContentType.objects.get_for_model(target) if target is not None else None,
        target_id=str(target.pk) if target is not None else "",
        target_repr=str(target)[:200] if target is not None else "",
        region_id=region_code or None,
        extra=extra or {},
        batch_id=batch_id,
        ip_address=ip_address,
    )

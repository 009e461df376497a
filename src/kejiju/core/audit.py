"""The operation-log registry: action codes with Chinese labels, and the writer services use.

Apps register their codes at import time (``register_action("programs.approve", "立项")``);
writing an unregistered code is a programming error and raises at once.

Also the field-history registry (``register_history_model``): the models whose simple-history
rows the history pages browse, with the region-scoped reads of those rows.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps as django_apps
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Cast, Coalesce
from django.http import Http404

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


# ---------------------------------------------------------------------------------------------
# Field history (tier one of house rule 5): which models keep simple-history rows, and the
# region-scoped reads of those rows for the history pages.
# ---------------------------------------------------------------------------------------------

HISTORY_TYPE_LABELS = {"+": "新增", "~": "修改", "-": "删除"}


@dataclass(frozen=True)
class HistoryModel:
    """A model whose field history is browsable. ``scope_fields`` are the region fields the
    history rows carry (default: the model's ``SCOPE_FIELDS``); a model without any (a national
    code table) is shown only to users holding ``unscoped_perm``."""

    key: str
    model_ref: Any
    label: str
    scope_fields: tuple[str, ...] | None = None
    unscoped_perm: str = ""

    @property
    def model(self) -> type[models.Model]:
        if isinstance(self.model_ref, str):
            return django_apps.get_model(self.model_ref)
        return self.model_ref  # type: ignore[no-any-return]

    @property
    def history_model(self) -> type[Any]:
        """The simple-history model (``Historical<Model>``) holding this model's versions."""
        return self.model.history.model  # type: ignore[attr-defined,no-any-return]

    @property
    def fields(self) -> tuple[str, ...]:
        if self.scope_fields is not None:
            return self.scope_fields
        return tuple(getattr(self.model, "SCOPE_FIELDS", ("region",)))


#: key → history model, in registration order (the order of the model filter on the page).
HISTORY_MODELS: dict[str, HistoryModel] = {}

_KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


def register_history_model(
    key: str,
    model: Any,
    label: str,
    *,
    scope_fields: tuple[str, ...] | None = None,
    unscoped_perm: str = "",
) -> HistoryModel:
    """Make a model's field history browsable under ``key`` (used in URLs: lower-case letters,
    digits, underscores). ``model`` is a class or ``"app_label.Model"``; it must carry
    ``history = HistoricalRecords(...)``. Registering the same key for another model raises."""
    if not _KEY_RE.match(key):
        raise ValueError(f"history model key must be lower-case letters, digits or _: {key!r}")
    entry = HistoryModel(key, model, label, scope_fields, unscoped_perm)
    existing = HISTORY_MODELS.get(key)
    if existing is not None and (existing.model_ref != model or existing.label != label):
        raise ValueError(f"history model key {key!r} registered twice")
    HISTORY_MODELS[key] = entry
    return entry


def history_model(key: str) -> HistoryModel | None:
    return HISTORY_MODELS.get(key)


register_history_model("region", "core.Region", "行政区划", scope_fields=("code",))
register_history_model("bureau", "core.Bureau", "科技局")
register_history_model("department", "core.Department", "科室")
register_history_model("user", "core.User", "账号")
register_history_model("attachment", "core.Attachment", "附件")
register_history_model("codeitem", "core.CodeItem", "代码表条目", scope_fields=(), unscoped_perm="core.change_codeitem")


_NOTHING = object()


def _history_scope(user: Any, entry: HistoryModel) -> Any:
    """The filter on ``entry``'s history rows for ``user``: ``None`` (everything), a ``Q``, or
    ``_NOTHING``. Rows are in scope when the region they recorded lies within the user's active
    region, the same rule as the records themselves."""
    from kejiju.core.permissions import active_region_code, prefix_q

    if not getattr(user, "is_authenticated", False) or not user.has_perm("core.view_operationlog"):
        return _NOTHING
    scope = active_region_code(user)
    if scope is None:
        return _NOTHING
    if not entry.fields:
        if entry.unscoped_perm:
            return None if user.has_perm(entry.unscoped_perm) else _NOTHING
        return None if scope == "" else _NOTHING
    if scope == "":
        return None
    condition = Q()
    for name in entry.fields:
        condition |= prefix_q(name, scope)
    return condition


def history_models_visible(user: Any) -> list[HistoryModel]:
    """The registered models whose history the user may browse (the model filter's choices)."""
    return [entry for entry in HISTORY_MODELS.values() if _history_scope(user, entry) is not _NOTHING]


@dataclass
class HistoryRow:
    """One history row on the list: when, who, which record, what kind of change and why."""

    history_id: int
    date: Any
    user_id: int | None
    key: str
    pk: str
    type: str
    reason: str
    label: str = ""
    actor: str = ""
    object: str = ""

    @property
    def type_label(self) -> str:
        return HISTORY_TYPE_LABELS.get(self.type, self.type)


_ROW_FIELDS = ("h_id", "h_date", "h_user", "h_type", "h_reason", "h_pk", "h_key")


class HistoryRows:
    """A union of history tables behaving like a queryset for the list page (``count``,
    slicing, ``iterator``). Each slice is resolved with one query per model on the page plus
    one for the actors, so a page costs the same whatever its size."""

    ordered = True

    def __init__(self, queryset: Any) -> None:
        self._qs = queryset

    def count(self) -> int:
        return 0 if self._qs is None else int(self._qs.count())

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, item: slice) -> list[HistoryRow]:
        if self._qs is None:
            return []
        return _resolve_rows(list(self._qs[item]))

    def iterator(self, chunk_size: int = 2000) -> Iterator[HistoryRow]:
        if self._qs is None:
            return
        batch: list[dict[str, Any]] = []
        for row in self._qs.iterator(chunk_size=chunk_size):
            batch.append(row)
            if len(batch) >= chunk_size:
                yield from _resolve_rows(batch)
                batch = []
        if batch:
            yield from _resolve_rows(batch)


def _resolve_rows(raw: list[dict[str, Any]]) -> list[HistoryRow]:
    from kejiju.core.models import User

    rows = [
        HistoryRow(r["h_id"], r["h_date"], r["h_user"], r["h_key"], r["h_pk"], r["h_type"], r["h_reason"] or "")
        for r in raw
    ]
    users = {u.pk: u for u in User.objects.filter(pk__in={r.user_id for r in rows if r.user_id})}
    by_key: dict[str, list[HistoryRow]] = {}
    for row in rows:
        by_key.setdefault(row.key, []).append(row)
    for key, group in by_key.items():
        entry = HISTORY_MODELS[key]
        records = {
            h.history_id: h
            for h in entry.history_model._default_manager.filter(history_id__in=[r.history_id for r in group])
        }
        for row in group:
            row.label = entry.label
            record = records.get(row.history_id)
            row.object = str(record.history_object) if record is not None else row.pk
    for row in rows:
        user = users.get(row.user_id) if row.user_id else None
        row.actor = (user.full_name or user.username) if user is not None else "系统"
    return rows


def history_list(*, user: Any, filters: dict[str, Any] | None = None) -> HistoryRows:
    """History rows of every registered model the user may see, newest first.

    ``filters``: ``model`` (a registry key), ``actor`` (text in the username or 姓名),
    ``date_from`` / ``date_to`` (aware datetimes, ``date_to`` exclusive), ``region`` (a code:
    rows within it; models without a region drop out), ``type`` (``+``, ``~`` or ``-``)."""
    filters = filters or {}
    keys = [filters["model"]] if filters.get("model") else list(HISTORY_MODELS)
    parts = []
    for key in keys:
        entry = HISTORY_MODELS.get(key)
        if entry is None:
            continue
        scope = _history_scope(user, entry)
        if scope is _NOTHING:
            continue
        qs = entry.history_model._default_manager.all()
        if scope is not None:
            qs = qs.filter(scope)
        if region := filters.get("region"):
            if not entry.fields:
                continue
            from kejiju.core.permissions import prefix_q

            condition = Q()
            for name in entry.fields:
                condition |= prefix_q(name, region)
            qs = qs.filter(condition)
        if actor := filters.get("actor"):
            qs = qs.filter(Q(history_user__username__icontains=actor) | Q(history_user__full_name__icontains=actor))
        if filters.get("date_from"):
            qs = qs.filter(history_date__gte=filters["date_from"])
        if filters.get("date_to"):
            qs = qs.filter(history_date__lt=filters["date_to"])
        if filters.get("type") in HISTORY_TYPE_LABELS:
            qs = qs.filter(history_type=filters["type"])
        pk_name = entry.model._meta.pk.name
        qs = (
            qs.order_by()
            .annotate(
                h_id=F("history_id"),
                h_date=F("history_date"),
                h_user=F("history_user_id"),
                h_type=F("history_type"),
                h_reason=Coalesce(F("history_change_reason"), Value(""), output_field=models.CharField()),
                h_pk=Cast(pk_name, output_field=models.CharField(max_length=64)),
                h_key=Value(key, output_field=models.CharField(max_length=40)),
            )
            .values(*_ROW_FIELDS)
        )
        parts.append(qs)
    if not parts:
        return HistoryRows(None)
    combined = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    return HistoryRows(combined.order_by("-h_date", "-h_id"))


@dataclass
class FieldChange:
    """One field of a version compared with another: Chinese label and display values."""

    name: str
    label: str
    old: str
    new: str
    changed: bool = True


@dataclass
class Version:
    """One historical version of a record with its changes against the previous version."""

    record: Any
    number: int
    actor: str
    changes: list[FieldChange] = field(default_factory=list)

    @property
    def history_id(self) -> int:
        return int(self.record.history_id)

    @property
    def type_label(self) -> str:
        return HISTORY_TYPE_LABELS.get(self.record.history_type, self.record.history_type)


def history_record_get(*, user: Any, key: str, pk: str) -> tuple[HistoryModel, list[Any]]:
    """The registry entry and every history row of one record, oldest first. 404 when the model
    key is unknown, the record has no history, or its latest version lies outside the user's
    scope (existence never leaks)."""
    from django.core.exceptions import ValidationError

    entry = HISTORY_MODELS.get(key)
    if entry is None:
        raise Http404("记录不存在。")
    scope = _history_scope(user, entry)
    if scope is _NOTHING:
        raise Http404("记录不存在。")
    pk_field = entry.model._meta.pk
    try:
        value = pk_field.to_python(pk)
    except (ValidationError, ValueError, TypeError):
        raise Http404("记录不存在。")
    qs = entry.history_model._default_manager.filter(**{pk_field.attname: value})
    versions = list(qs.select_related("history_user").order_by("history_date", "history_id"))
    if not versions:
        raise Http404("记录不存在。")
    if scope is not None and not qs.filter(scope, history_id=versions[-1].history_id).exists():
        raise Http404("记录不存在。")
    return entry, versions


def _tracked_fields(record: Any) -> list[Any]:
    return [f for f in record.tracked_fields if f.editable]


def display_value(model_field: Any, value: Any) -> str:
    """A stored value as the page shows it: choice labels, 是/否, local times, compact JSON."""
    import json
    from datetime import date, datetime

    from django.utils import timezone

    if value is None or value == "":
        return "（空）"
    if getattr(model_field, "choices", None):
        labels = {str(k): str(v) for k, v in model_field.flatchoices}
        return labels.get(str(value), str(value))
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
    return str(value)


def history_compare(old: Any, new: Any, *, all_fields: bool = False) -> list[FieldChange]:
    """Field-by-field difference of two versions (simple-history ``diff_against``), labelled
    with the fields' verbose names; with ``all_fields`` unchanged fields are listed too."""
    delta = new.diff_against(old)
    changed = {c.field: c for c in delta.changes}
    result = []
    for model_field in _tracked_fields(new):
        change = changed.get(model_field.name)
        if change is None and not all_fields:
            continue
        old_value = change.old if change else model_field.value_from_object(old)
        new_value = change.new if change else model_field.value_from_object(new)
        result.append(
            FieldChange(
                model_field.name,
                str(model_field.verbose_name),
                display_value(model_field, old_value),
                display_value(model_field, new_value),
                changed=change is not None,
            )
        )
    return result


def history_versions(versions: list[Any]) -> list[Version]:
    """Each version with its changes against the one before (the first lists its initial
    values), newest first."""
    result = []
    previous = None
    for number, record in enumerate(versions, start=1):
        user = record.history_user
        actor = (user.full_name or user.username) if user is not None else "系统"
        if previous is None:
            changes = [
                FieldChange(f.name, str(f.verbose_name), "", display_value(f, f.value_from_object(record)))
                for f in _tracked_fields(record)
                if f.value_from_object(record) not in (None, "")
            ]
        else:
            changes = history_compare(previous, record)
        result.append(Version(record, number, actor, changes))
        previous = record
    result.reverse()
    return result

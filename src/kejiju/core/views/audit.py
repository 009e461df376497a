"""Audit pages (审计): the business operation log and the field history of records.

Both read only what lies within the user's active region (selectors), answer 403 without
``core.view_operationlog`` and 404 for a record outside the scope.
"""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from typing import Any, cast

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from kejiju.core.audit import (
    HISTORY_TYPE_LABELS,
    history_compare,
    history_list,
    history_models_visible,
    history_record_get,
    history_versions,
    registered_actions,
)
from kejiju.core.forms.attachments import region_choices
from kejiju.core.listing import Column, ListPage, render_list
from kejiju.core.models import OperationLog
from kejiju.core.permissions import active_region_code, prefix_q
from kejiju.core.selectors import operation_log_list

PERM = "core.view_operationlog"


def _require(request: HttpRequest, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied


def _local(value: Any) -> str:
    """A stored (UTC) time as Beijing time text, for cells and the export alike."""
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S") if value else ""


def _day_start(day: date) -> datetime:
    """Midnight of ``day`` in Asia/Shanghai (the active time zone), as an aware datetime."""
    return timezone.make_aware(datetime.combine(day, time.min))


def _date_field(label: str) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        input_formats=["%Y-%m-%d", "%Y/%m/%d", "%Y%m%d"],
        error_messages={"invalid": "格式不正确，应为 年-月-日（如 2026-06-09）。"},
        widget=forms.DateInput(
            attrs={"class": "form-control form-control-sm js-date", "autocomplete": "off", "placeholder": "年-月-日"}
        ),
    )


class _AuditFilterForm(forms.Form):
    """Filters common to both audit lists: actor text, date range and region within scope."""

    actor = forms.CharField(
        label="操作人",
        required=False,
        max_length=60,
        error_messages={"max_length": "操作人最多 60 个字。"},
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm", "placeholder": "用户名或姓名"}),
    )
    date_from = _date_field("起始日期")
    date_to = _date_field("截止日期")
    region = forms.ChoiceField(
        label="区划",
        required=False,
        error_messages={"invalid_choice": "所选区划不在您的管辖范围内。"},
        widget=forms.Select(attrs={"class": "form-select form-select-sm js-tomselect"}),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        scope = active_region_code(user)
        # a city or county filters down to towns; a province (or everywhere) down to counties
        floor = 9 if scope and len(scope) >= 4 else 6
        cast(forms.ChoiceField, self.fields["region"]).choices = [
            ("", "全部区划"),
            *region_choices(scope, depth=1, floor=floor),
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "截止日期不能早于起始日期。")
        return data

    def filters(self) -> dict[str, Any]:
        """The valid filters only (an invalid field is reported and ignored, never a 500)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        result: dict[str, Any] = {}
        if data.get("actor"):
            result["actor"] = data["actor"].strip()
        if data.get("date_from"):
            result["date_from"] = _day_start(data["date_from"])
        if data.get("date_to") and "date_to" not in self.errors:
            result["date_to"] = _day_start(data["date_to"] + timedelta(days=1))
        if data.get("region"):
            result["region"] = data["region"]
        return result


class OplogFilterForm(_AuditFilterForm):
    action = forms.ChoiceField(
        label="操作",
        required=False,
        error_messages={"invalid_choice": "所选操作类型不存在。"},
        widget=forms.Select(attrs={"class": "form-select form-select-sm js-tomselect"}),
    )
    batch = forms.UUIDField(
        label="批次",
        required=False,
        error_messages={"invalid": "格式不正确，应为 32 位十六进制的批次编号。"},
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm", "placeholder": "批次编号"}),
    )

    field_order = ["actor", "action", "date_from", "date_to", "region", "batch"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["action"]).choices = [
            ("", "全部操作"),
            *[(code, f"{label}（{code}）") for code, label in registered_actions().items()],
        ]

    def filters(self) -> dict[str, Any]:
        result = super().filters()
        data = getattr(self, "cleaned_data", {})
        if data.get("action"):
            result["action"] = data["action"]
        if data.get("batch"):
            result["batch"] = data["batch"]
        return result


class HistoryFilterForm(_AuditFilterForm):
    model = forms.ChoiceField(
        label="对象类型",
        required=False,
        error_messages={"invalid_choice": "所选对象类型不存在。"},
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    type = forms.ChoiceField(
        label="变更类型",
        required=False,
        choices=[("", "全部"), *HISTORY_TYPE_LABELS.items()],
        error_messages={"invalid_choice": "所选变更类型不存在。"},
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )

    field_order = ["model", "actor", "type", "date_from", "date_to", "region"]

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        visible = [(entry.key, entry.label) for entry in history_models_visible(user)]
        cast(forms.ChoiceField, self.fields["model"]).choices = [("", "全部类型"), *visible]

    def filters(self) -> dict[str, Any]:
        result = super().filters()
        data = getattr(self, "cleaned_data", {})
        for key in ("model", "type"):
            if data.get(key):
                result[key] = data[key]
        return result


def operation_log_filtered(*, user: Any, filters: dict[str, Any]) -> QuerySet[OperationLog]:
    """The operation log within the user's scope (selector), narrowed by the page's filters."""
    qs = operation_log_list(user=user)
    if actor := filters.get("actor"):
        qs = qs.filter(
            Q(actor_repr__icontains=actor) | Q(actor__username__icontains=actor) | Q(actor__full_name__icontains=actor)
        )
    if action := filters.get("action"):
        qs = qs.filter(action=action)
    if filters.get("date_from"):
        qs = qs.filter(created_at__gte=filters["date_from"])
    if filters.get("date_to"):
        qs = qs.filter(created_at__lt=filters["date_to"])
    if region := filters.get("region"):
        qs = qs.filter(prefix_q("region", region))
    if batch := filters.get("batch"):
        qs = qs.filter(batch_id=batch)
    return qs


def _compact_json(value: Any) -> str:
    if not value:
        return ""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True, default=str)


OPLOG_COLUMNS = [
    Column("时间", lambda o: _local(o.created_at), sort="created_at"),
    Column("操作人", lambda o: o.actor_repr, sort="actor_repr"),
    Column("操作", lambda o: o.label, sort="action"),
    Column("对象", lambda o: o.target_repr, sort="target_repr"),
    Column("区划", lambda o: o.region.name if o.region_id else "", sort="region"),
    Column("IP", lambda o: o.ip_address or ""),
    Column("附加信息", lambda o: _compact_json(o.extra)),
]


@login_required
def oplog_list_view(request: HttpRequest) -> HttpResponse:
    """操作日志: who did what, where and when, within the active region; filters, sorting,
    pages and Excel export (the export is itself logged)."""
    _require(request, PERM)
    form = OplogFilterForm(request.GET or None, user=request.user)
    filters = form.filters() if form.is_bound else {}
    page = ListPage(
        title="操作日志",
        columns=OPLOG_COLUMNS,
        default_sort="-created_at",
        export_name="operation_log",
        filters_template="core/oplog_filters.html",
    )
    qs = operation_log_filtered(user=request.user, filters=filters)
    return render_list(request, qs, page, context={"form": form})


HISTORY_COLUMNS = [
    Column("时间", lambda r: _local(r.date)),
    Column("操作人", lambda r: r.actor),
    Column("对象类型", lambda r: r.label),
    Column("对象", lambda r: r.object),
    Column("变更类型", lambda r: r.type_label),
    Column("变更原因", lambda r: r.reason),
]


@login_required
def history_list_view(request: HttpRequest) -> HttpResponse:
    """修改历史: field-history rows of every registered model within the active region, newest
    first, with filters and Excel export."""
    _require(request, PERM)
    form = HistoryFilterForm(request.GET or None, user=request.user)
    filters = form.filters() if form.is_bound else {}
    page = ListPage(
        title="修改历史",
        columns=HISTORY_COLUMNS,
        export_name="field_history",
        filters_template="core/history_filters.html",
        row_url=lambda r: reverse("core:history_detail", args=[r.key, r.pk]),
    )
    rows: Any = history_list(user=request.user, filters=filters)
    return render_list(request, rows, page, context={"form": form})


@login_required
def history_detail_view(request: HttpRequest, model: str, pk: str) -> HttpResponse:
    """Every version of one record with what changed each time, and a field-by-field comparison
    of two chosen versions (``?a=<version>&b=<version>``)."""
    _require(request, PERM)
    entry, records = history_record_get(user=request.user, key=model, pk=pk)
    versions = history_versions(records)
    by_id = {v.history_id: v for v in versions}
    compare: list[Any] = []
    compare_error = ""
    compare_pair: tuple[Any, Any] | None = None
    a, b = request.GET.get("a", "").strip(), request.GET.get("b", "").strip()
    if a or b:
        try:
            first, second = by_id[int(a)], by_id[int(b)]
        except (KeyError, ValueError):
            compare_error = "请选择该记录的两个版本进行比较。"
        else:
            if first.history_id == second.history_id:
                compare_error = "请选择两个不同的版本进行比较。"
            else:
                old, new = sorted((first, second), key=lambda v: v.number)
                compare = history_compare(old.record, new.record, all_fields=True)
                compare_pair = (old, new)
    latest = records[-1]
    context = {
        "entry": entry,
        "title": str(latest.history_object),
        "deleted": latest.history_type == "-",
        "versions": versions,
        "compare": compare,
        "compare_pair": compare_pair,
        "compare_error": compare_error,
        "selected_a": a,
        "selected_b": b,
        "default_a": versions[1].history_id if len(versions) > 1 else "",
        "default_b": versions[0].history_id if versions else "",
    }
    status = 400 if compare_error else 200
    return render(request, "core/history_detail.html", context, status=status)

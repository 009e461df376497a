"""The request list filters, shared by the API (and documented in its schema)."""

from __future__ import annotations

from typing import Any

import django_filters

from kejiju.service import selectors
from kejiju.service.choices import RequestStatus
from kejiju.service.models import ServiceRequest

STATUS_CHOICES = [("open", "在办"), *RequestStatus.choices]


class RequestFilter(django_filters.FilterSet):
    """Validates the query string; the selector applies it (one place for the rules)."""

    q = django_filters.CharFilter(label="工单号/电话/姓名", max_length=40, method="_noop")
    status = django_filters.ChoiceFilter(label="状态", choices=STATUS_CHOICES, method="_noop")
    town = django_filters.CharFilter(label="区划代码前缀", max_length=12, method="_noop")
    subject = django_filters.CharFilter(label="服务领域代码", max_length=20, method="_noop")
    category = django_filters.CharFilter(label="问题类别代码", max_length=20, method="_noop")
    overdue = django_filters.BooleanFilter(label="只看超时", method="_noop")
    start = django_filters.DateFilter(label="受理日期自", method="_noop")
    end = django_filters.DateFilter(label="受理日期至", method="_noop")

    class Meta:
        model = ServiceRequest
        fields: list[str] = []

    def _noop(self, queryset: Any, name: str, value: Any) -> Any:
        return queryset

    def filter_queryset(self, queryset: Any) -> Any:
        data = dict(self.form.cleaned_data)
        data["overdue"] = "1" if data.get("overdue") else ""
        town = str(data.get("town") or "")
        data["town"] = town if town.isdigit() else ""
        return selectors.request_list(user=self.request.user, filters=data).order_by("-received_at", "-pk")

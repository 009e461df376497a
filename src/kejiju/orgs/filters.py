"""The organization list's filters (house rule 9: one FilterSet for the page and the API).

The values are checked here (a bad one is a Chinese error naming the filter) and applied by
:func:`kejiju.orgs.selectors.organization_list` itself, so a filter means the same on the page, in the
export and in the API, and can never widen what the caller sees (the selector is region-scoped).
"""

from __future__ import annotations

import re
from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet
from django_filters.rest_framework import FilterSet

from kejiju.orgs import selectors
from kejiju.orgs.choices import OrgType, QualificationKind
from kejiju.orgs.models import Organization

_REGION_RE = re.compile(r"^\d{2,12}$")
_INDUSTRY_RE = re.compile(r"^(?:[A-Ta-t]|[A-Ta-t]?\d{2})$")
FILTER_KEYS = ("q", "org_type", "region", "industry", "qualification", "archived")


def _check_region(value: str) -> None:
    if value and not _REGION_RE.match(value):
        raise forms.ValidationError("区划代码应为 2 至 12 位数字。", code="invalid")


def _check_industry(value: str) -> None:
    if value and not _INDUSTRY_RE.match(value):
        raise forms.ValidationError("行业应为门类字母（A–T）或两位大类代码（如 39）。", code="invalid")


class StrictBooleanField(forms.Field):
    """``true``/``false`` (or ``1``/``0``); anything else is an error, not "no filter"."""

    def to_python(self, value: object) -> bool | None:
        if value in (None, ""):
            return None
        text = str(value).strip().lower()
        if text in ("true", "1", "on"):
            return True
        if text in ("false", "0", "off"):
            return False
        raise forms.ValidationError("请填写 true 或 false。", code="invalid")


class StrictBooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.TextInput)
        super().__init__(*args, **kwargs)


class OrganizationFilter(FilterSet):
    """Organizations: a name / former name / credit code / pinyin-initials search, 单位类型, 区划
    (code prefix), 行业 (GB/T 4754 section letter or division code), a qualification held and valid
    today, and whether archived (and merged) records are included."""

    q = django_filters.CharFilter(
        label="关键词",
        method="by_selector",
        max_length=64,
        help_text="单位名称或曾用名包含该词、统一社会信用代码前缀，或名称拼音首字母（如 ahkj）。",
    )
    org_type = django_filters.ChoiceFilter(label="单位类型", choices=OrgType.choices, method="by_selector")
    region = django_filters.CharFilter(
        label="所属区划",
        method="by_selector",
        max_length=12,
        validators=[_check_region],
        help_text="区划代码；列出该区划及其下级区划的单位。",
    )
    industry = django_filters.CharFilter(
        label="行业门类",
        method="by_selector",
        max_length=3,
        validators=[_check_industry],
        help_text="国民经济行业分类（GB/T 4754-2017）门类字母（如 C，含其下各大类）或大类代码（如 39）。",
    )
    qualification = django_filters.ChoiceFilter(
        label="持有资质",
        choices=QualificationKind.choices,
        method="by_selector",
        help_text="今天在有效期内持有该资质的单位。",
    )
    archived = StrictBooleanFilter(
        label="含已归档", method="by_selector_flag", help_text="true 时同时列出已归档和已合并的单位。"
    )

    class Meta:
        model = Organization
        fields = list(FILTER_KEYS)

    # Every filter is applied at once in filter_queryset; the methods only give the schema the value types.
    def by_selector(self, queryset: QuerySet[Organization], name: str, value: str) -> QuerySet[Organization]:
        return queryset

    def by_selector_flag(self, queryset: QuerySet[Organization], name: str, value: bool) -> QuerySet[Organization]:
        return queryset

    def selector_filters(self) -> dict[str, str]:
        """The checked values in the form ``selectors.organization_list`` takes; a value that failed its
        check is left out (the page shows the error and lists without that filter)."""
        data = getattr(self.form, "cleaned_data", None) or {}
        filters = {key: str(data.get(key) or "").strip() for key in FILTER_KEYS if key != "archived"}
        filters["archived"] = "1" if data.get("archived") else ""
        return filters

    def filter_queryset(self, queryset: QuerySet[Organization]) -> QuerySet[Organization]:
        # ``&`` keeps the caller's queryset (already region-scoped) and adds the selector's conditions.
        return queryset & selectors.organization_list(user=self.request.user, filters=self.selector_filters())

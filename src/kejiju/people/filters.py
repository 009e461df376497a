"""The person and talent lists' filters for the API (house rule 9). Values are checked here (a bad one
is a Chinese error naming the filter) and applied by the region-scoped selectors, so a filter can never
widen what the caller sees."""

from __future__ import annotations

import re
from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet
from django_filters.rest_framework import FilterSet

from kejiju.people import selectors
from kejiju.people.choices import Education, TitleLevel
from kejiju.people.models import Person, TalentMembership

_REGION_RE = re.compile(r"^\d{2,12}$")
_CODE_RE = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")


def _check_region(value: str) -> None:
    if value and not _REGION_RE.match(value):
        raise forms.ValidationError("区划代码应为 2 至 12 位数字。", code="invalid")


def _check_category(value: str) -> None:
    if value and not _CODE_RE.match(value):
        raise forms.ValidationError("人才类别代码应为小写字母开头的字母、数字。", code="invalid")


def _check_year(value: str) -> None:
    if value and not re.fullmatch(r"\d{4}", value):
        raise forms.ValidationError("年度应为 4 位数字。", code="invalid")


class PersonFilter(FilterSet):
    """Persons: a name / pinyin-initials / phone / whole-ID-number search, 区划 (code prefix), 最高学历,
    职称级别, 人才类别 and archived ones only."""

    q = django_filters.CharFilter(
        label="关键词", method="noop", max_length=64, help_text="姓名、拼音首字母、电话或完整证件号码。"
    )
    region = django_filters.CharFilter(label="所属区划", method="noop", max_length=12, validators=[_check_region])
    education = django_filters.ChoiceFilter(label="最高学历", choices=Education.choices, method="noop")
    title_level = django_filters.ChoiceFilter(label="职称级别", choices=TitleLevel.choices, method="noop")
    category = django_filters.CharFilter(
        label="人才类别", method="noop", max_length=40, validators=[_check_category], help_text="类别代码，如 top。"
    )
    archived = django_filters.BooleanFilter(label="只看已归档", method="noop", widget=forms.TextInput)

    class Meta:
        model = Person
        fields = ["q", "region", "education", "title_level", "category", "archived"]

    def noop(self, queryset: QuerySet[Any], name: str, value: Any) -> QuerySet[Any]:
        return queryset

    def filter_queryset(self, queryset: QuerySet[Person]) -> QuerySet[Person]:
        data = self.form.cleaned_data
        filters = {k: str(data.get(k) or "") for k in ("q", "region")}
        filters["archived"] = "1" if data.get("archived") else ""
        qs = queryset & selectors.person_list(user=self.request.user, filters=filters)
        if data.get("education"):
            qs = qs.filter(education=data["education"])
        if data.get("title_level"):
            qs = qs.filter(title_level=data["title_level"])
        if data.get("category"):
            qs = qs.filter(memberships__category__code=data["category"], memberships__is_archived=False).distinct()
        return qs


class TalentFilter(FilterSet):
    """Talent-pool memberships: 关键词, 人才类别, 区划, 入选年度."""

    q = django_filters.CharFilter(label="关键词", method="noop", max_length=64)
    category = django_filters.CharFilter(label="人才类别", method="noop", max_length=40, validators=[_check_category])
    region = django_filters.CharFilter(label="所属区划", method="noop", max_length=12, validators=[_check_region])
    year = django_filters.CharFilter(label="入选年度", method="noop", max_length=4, validators=[_check_year])

    class Meta:
        model = TalentMembership
        fields = ["q", "category", "region", "year"]

    def noop(self, queryset: QuerySet[Any], name: str, value: Any) -> QuerySet[Any]:
        return queryset

    def filter_queryset(self, queryset: QuerySet[TalentMembership]) -> QuerySet[TalentMembership]:
        data = self.form.cleaned_data
        filters = {k: str(data.get(k) or "") for k in ("q", "category", "region", "year")}
        return queryset & selectors.talent_list(user=self.request.user, filters=filters)

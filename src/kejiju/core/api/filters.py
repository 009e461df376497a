"""Filters of the region and account lists (house rule 9: one FilterSet for the UI list and the
API). They narrow a queryset that already comes region-scoped from a selector, so a filter can
never widen what the caller sees."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import QuerySet
from django_filters.rest_framework import FilterSet

from kejiju.core import selectors
from kejiju.core.choices import RegionLevel, Role
from kejiju.core.models import Region, User

#: The account states of the account list page (``selectors.user_list`` ``status``).
USER_STATUS_CHOICES = [("active", "启用"), ("inactive", "停用"), ("locked", "锁定")]


class StrictBooleanField(forms.Field):
    """``true``/``false`` (or ``1``/``0``); anything else is an error, not "no filter"."""

    def to_python(self, value: object) -> bool | None:
        if value in (None, ""):
            return None
        text = str(value).strip().lower()
        if text in ("true", "1"):
            return True
        if text in ("false", "0"):
            return False
        raise forms.ValidationError("请填写 true 或 false。", code="invalid")


class StrictBooleanFilter(django_filters.BooleanFilter):
    """A yes/no filter that refuses values it does not understand (DRF's default ignores them,
    so a typo would silently list everything)."""

    field_class = StrictBooleanField

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("widget", forms.TextInput)
        super().__init__(*args, **kwargs)


class RegionFilter(FilterSet):
    """Regions: by parent, level, a name or code fragment, and whether enabled."""

    parent = django_filters.CharFilter(
        label="上级区划", field_name="parent_id", max_length=12, help_text="上级区划代码，只列其直接下级。"
    )
    level = django_filters.TypedChoiceFilter(label="级别", choices=RegionLevel.choices, coerce=int)
    q = django_filters.CharFilter(
        label="关键词", method="filter_q", max_length=64, help_text="数字为区划代码前缀，其他为名称包含的文字。"
    )
    is_active = StrictBooleanFilter(label="启用")

    class Meta:
        model = Region
        fields = ["parent", "level", "q", "is_active"]

    def filter_q(self, queryset: QuerySet[Region], name: str, value: str) -> QuerySet[Region]:
        # As the region tree's search (selectors.region_search): digits are a code prefix,
        # anything else a part of the name.
        value = value.strip()
        if not value:
            return queryset
        if value.isascii() and value.isdigit():
            return queryset.filter(code__startswith=value)
        return queryset.filter(name__contains=value)


class UserFilter(FilterSet):
    """Accounts, with the filters of the account list page: a user name, 姓名 or phone fragment,
    role, status (or ``active``), and region prefix. The filters are applied by
    ``selectors.user_list`` itself, so a filter means the same on the page and in the API; this
    class checks the values (a bad one answers 400) and documents them in the schema."""

    q = django_filters.CharFilter(
        label="关键词", method="by_selector_text", max_length=64, help_text="用户名、姓名或手机号码包含该词。"
    )
    role = django_filters.ChoiceFilter(label="角色", choices=Role.choices, method="by_selector_text")
    status = django_filters.ChoiceFilter(
        label="状态",
        choices=USER_STATUS_CHOICES,
        method="by_selector_text",
        help_text="active 启用、inactive 停用、locked 锁定中。",
    )
    active = StrictBooleanFilter(
        label="启用", method="by_selector_flag", help_text="true 只列启用的账号，false 只列停用的账号（status 优先）。"
    )
    region = django_filters.CharFilter(
        label="所属区划", method="by_selector_text", max_length=12, help_text="区划代码；列出该区划及其下级区划的账号。"
    )

    class Meta:
        model = User
        fields = ["q", "role", "status", "active", "region"]

    # Every filter is applied at once in filter_queryset; the methods only tell the schema the
    # value types.
    def by_selector_text(self, queryset: QuerySet[User], name: str, value: str) -> QuerySet[User]:
        return queryset

    def by_selector_flag(self, queryset: QuerySet[User], name: str, value: bool) -> QuerySet[User]:
        return queryset

    def selector_filters(self) -> dict[str, str]:
        """The checked values in the form ``selectors.user_list`` takes."""
        data = self.form.cleaned_data
        filters = {key: str(data.get(key) or "") for key in ("q", "role", "status", "region")}
        if data.get("active") is not None:
            filters["active"] = "1" if data["active"] else "0"
        return filters

    def filter_queryset(self, queryset: QuerySet[User]) -> QuerySet[User]:
        # ``&`` keeps the caller's queryset (already region-scoped) and adds the selector's
        # conditions in the same WHERE clause.
        return queryset & selectors.user_list(user=self.request.user, filters=self.selector_filters())

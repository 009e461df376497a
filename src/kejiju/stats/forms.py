"""Forms of the statistics pages. They only shape the input; the services check the rules and name the
field at fault, so the browser and the API give the same Chinese reasons."""

from __future__ import annotations

import json
from typing import Any

from django import forms

from kejiju.stats.choices import AREAS, PeriodType

TEXT = {"class": "form-control"}
SELECT = {"class": "form-select"}


def _areas() -> list[tuple[str, str]]:
    return list(AREAS.items())


class IndicatorForm(forms.Form):
    code = forms.CharField(
        label="指标代码",
        max_length=80,
        required=False,
        widget=forms.TextInput(TEXT),
        help_text="小写字母、数字、下划线，用点分段，如 entered.rd_share；保存后不可修改。",
    )
    name = forms.CharField(label="指标名称", max_length=100, required=False, widget=forms.TextInput(TEXT))
    definition = forms.CharField(label="统计口径", required=False, widget=forms.Textarea({**TEXT, "rows": 3}))
    unit = forms.CharField(label="计量单位", max_length=20, required=False, widget=forms.TextInput(TEXT))
    area = forms.ChoiceField(label="业务领域", choices=_areas, widget=forms.Select(SELECT))
    period_type = forms.ChoiceField(label="统计周期", choices=PeriodType.choices, widget=forms.Select(SELECT))
    decimals = forms.IntegerField(label="小数位数", min_value=0, max_value=4, initial=0, widget=forms.NumberInput(TEXT))
    additive = forms.BooleanField(label="可加总（上级等于下级之和）", required=False)
    is_active = forms.BooleanField(label="启用", required=False, initial=True)


class EnteredValueForm(forms.Form):
    indicator = forms.ChoiceField(label="指标", widget=forms.Select(SELECT))
    region = forms.ChoiceField(label="区划", widget=forms.Select(SELECT))
    period = forms.CharField(
        label="统计期",
        max_length=8,
        widget=forms.TextInput(TEXT),
        help_text="年度如 2026，半年如 2026H1，季度如 2026Q3。",
    )
    value = forms.CharField(label="数值", max_length=40, required=False, widget=forms.TextInput(TEXT))
    source_file = forms.FileField(
        label="来源文件",
        required=False,
        widget=forms.ClearableFileInput(TEXT),
        help_text="统计公报、部门来函等的扫描件或电子文件（必传；修改时可沿用原文件）。",
    )
    source_note = forms.CharField(label="来源说明", max_length=200, required=False, widget=forms.TextInput(TEXT))

    def __init__(self, *args: Any, indicators: list[tuple[str, str]], regions: list[tuple[str, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].choices = indicators  # type: ignore[attr-defined]
        self.fields["region"].choices = regions  # type: ignore[attr-defined]


class TargetForm(forms.Form):
    indicator = forms.ChoiceField(label="指标", widget=forms.Select(SELECT))
    region = forms.ChoiceField(label="区划", widget=forms.Select(SELECT))
    year = forms.CharField(label="年度", max_length=4, widget=forms.TextInput(TEXT))
    value = forms.CharField(label="目标值", max_length=40, required=False, widget=forms.TextInput(TEXT))

    def __init__(self, *args: Any, indicators: list[tuple[str, str]], regions: list[tuple[str, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].choices = indicators  # type: ignore[attr-defined]
        self.fields["region"].choices = regions  # type: ignore[attr-defined]


class LayoutForm(forms.Form):
    name = forms.CharField(label="表名", max_length=100, required=False, widget=forms.TextInput(TEXT))
    region = forms.ChoiceField(label="所属区划", widget=forms.Select(SELECT))
    layout = forms.CharField(
        label="表样（JSON）",
        required=False,
        widget=forms.Textarea({**TEXT, "rows": 12, "class": "form-control font-monospace"}),
        help_text='行是指标，列是区划：{"rows": ["指标代码", …], "columns": ["self", "children", '
        '{"region": "341181", "period": "previous", "label": "上年同期"}]}',
    )
    note = forms.CharField(label="说明", max_length=200, required=False, widget=forms.TextInput(TEXT))

    def __init__(self, *args: Any, regions: list[tuple[str, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = regions  # type: ignore[attr-defined]

    @staticmethod
    def layout_text(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False, indent=2)


class TemplateForm(forms.Form):
    region = forms.ChoiceField(label="适用区划", widget=forms.Select(SELECT))
    area = forms.ChoiceField(label="业务领域", choices=_areas, widget=forms.Select(SELECT))
    order = forms.IntegerField(label="排序", initial=100, min_value=0, max_value=100000, widget=forms.NumberInput(TEXT))
    text = forms.CharField(
        label="段落模板",
        required=False,
        widget=forms.Textarea({**TEXT, "rows": 4}),
        help_text="用 {指标代码} 插入数值，{指标代码|unit} 带单位，{指标代码|yoy} 同比，{指标代码|last} 上年值，"
        "{指标代码|target} 目标，{指标代码|rate} 完成率，{period} 统计期，{region} 区划名称。",
    )
    is_active = forms.BooleanField(label="启用", required=False, initial=True)

    def __init__(self, *args: Any, regions: list[tuple[str, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = regions  # type: ignore[attr-defined]


class ReportForm(forms.Form):
    region = forms.ChoiceField(label="区划", widget=forms.Select(SELECT))
    period = forms.CharField(
        label="统计期", max_length=8, widget=forms.TextInput(TEXT), help_text="年度总结填 2026，半年总结填 2026H1。"
    )
    title = forms.CharField(
        label="标题",
        max_length=200,
        required=False,
        widget=forms.Textarea({**TEXT, "rows": 2}),
        help_text="留空按“××科学技术局 2026年工作总结”生成；换行处即标题分行处。",
    )
    issuer = forms.CharField(label="发文机关", max_length=100, required=False, widget=forms.TextInput(TEXT))
    addressee = forms.CharField(label="主送机关", max_length=200, required=False, widget=forms.TextInput(TEXT))
    intro = forms.CharField(label="开头语", required=False, widget=forms.Textarea({**TEXT, "rows": 3}))
    problems = forms.CharField(
        label="二、存在的问题", required=False, widget=forms.Textarea({**TEXT, "rows": 6}), help_text="一段一行。"
    )
    plans = forms.CharField(
        label="三、下一年工作打算", required=False, widget=forms.Textarea({**TEXT, "rows": 6}), help_text="一段一行。"
    )

    def __init__(self, *args: Any, regions: list[tuple[str, str]], editing: bool = False, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = regions  # type: ignore[attr-defined]
        if editing:
            self.fields["region"].disabled = True
            self.fields["period"].disabled = True


def apply_errors(form: forms.Form, errors: dict[str, list[str]]) -> None:
    """Show service errors on their fields (unknown fields as form errors)."""
    for name, messages in errors.items():
        for message in messages:
            form.add_error(name if name in form.fields else None, message)

"""Forms of the technology-transfer pages. They parse input only; the rules and their Chinese reasons are
in the services, whose errors the views put back on the fields."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from kejiju.core.errors import BusinessError, RowErrors
from kejiju.transfer.choices import ContractType, Maturity, PairOutcome, TechField, TransferForm

TEXT = {"class": "form-control"}
SELECT = {"class": "form-select"}
DATE_FORMATS = ["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d"]


def _text(
    label: str, max_length: int, *, required: bool = False, area: bool = False, help_text: str = ""
) -> forms.CharField:
    widget: forms.Widget = forms.Textarea(attrs={**TEXT, "rows": 4}) if area else forms.TextInput(attrs=TEXT)
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        help_text=help_text,
        error_messages={"required": "请填写%s。" % label, "max_length": "%s最多 %d 个字。" % (label, max_length)},
        widget=widget,
    )


def _date(label: str, *, required: bool = False) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        input_formats=DATE_FORMATS,
        error_messages={
            "required": "请填写%s。" % label,
            "invalid": "%s格式不正确，应为 年-月-日（如 2024-12-01）。" % label,
        },
        widget=forms.DateInput(
            attrs={**TEXT, "class": "form-control js-date", "autocomplete": "off", "placeholder": "年-月-日"}
        ),
    )


def _choice(label: str, choices: Any, *, required: bool = True) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        required=required,
        choices=[("", "请选择"), *choices],
        error_messages={"required": "请选择%s。" % label, "invalid_choice": "%s无效。" % label},
        widget=forms.Select(attrs=SELECT),
    )


def _money(label: str, *, required: bool = False, help_text: str = "") -> forms.CharField:
    """Money stays text here: the service parses it exactly and refuses three decimals."""
    return _text(label, 24, required=required, help_text=help_text or "单位：元，最多两位小数。")


class ServiceErrors:
    def add_service_error(self, exc: BusinessError) -> None:
        fields = self.fields  # type: ignore[attr-defined]
        if isinstance(exc, RowErrors):
            for name, messages in exc.errors.items():
                for message in messages:
                    self.add_error(name if name in fields else None, message)  # type: ignore[attr-defined]
        else:
            self.add_error(exc.field if exc.field in fields else None, exc.message)  # type: ignore[attr-defined]

    def mark_invalid(self) -> None:
        for name in self.errors:  # type: ignore[attr-defined]
            field = self.fields.get(name)  # type: ignore[attr-defined]
            if field is not None and "is-invalid" not in field.widget.attrs.get("class", ""):
                field.widget.attrs["class"] = (field.widget.attrs.get("class", "") + " is-invalid").strip()


class OrgPickMixin(forms.Form):
    organization = forms.ChoiceField(
        label="单位", choices=(), widget=forms.Select(attrs={**SELECT, "class": "form-select js-tomselect"})
    )

    def __init__(self, *args: Any, organizations: list[tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ChoiceField, self.fields["organization"])
        field.choices = organizations or []
        field.error_messages = {"required": "请选择单位。", "invalid_choice": "所选单位不存在或不在您的范围内。"}


class DemandForm(ServiceErrors, OrgPickMixin):
    title = _text("需求名称", 200, required=True)
    problem = _text("需求（难题）描述", 5000, required=True, area=True)
    field = _choice("技术领域", TechField.choices)
    budget = _money("预算")
    deadline = _date("期望解决时间")
    contact_name = _text("联系人", 40)
    contact_phone = _text("联系电话", 40)


class AchievementForm(ServiceErrors, OrgPickMixin):
    title = _text("成果名称", 200, required=True)
    summary = _text("成果简介", 5000, required=True, area=True)
    keywords = _text("关键词", 200, help_text="以逗号分隔。")
    field = _choice("技术领域", TechField.choices)
    maturity = _choice("成熟度", Maturity.choices)
    transfer_form = _choice("拟转化方式", TransferForm.choices)
    price_min = _money("意向价格下限")
    price_max = _money("意向价格上限")
    related_ip = _text(
        "相关知识产权",
        2000,
        area=True,
        help_text="成果单位已登记的专利申请号、软件著作权登记号等，每行一个（可带 ZL、可省略小数点）；"
        "未登记的请先在单位页面的“知识产权”中登记。",
    )
    contact_name = _text("联系人", 40, required=True)
    contact_phone = _text("联系电话", 40, required=True)
    is_public = forms.BooleanField(label="在成果展示中公开", required=False, initial=True)


class ContractForm(ServiceErrors, forms.Form):
    contract_type = _choice("合同类型", ContractType.choices)
    title = _text("合同名称", 200, required=True)
    registration_no = _text("登记编号", 40, required=True)
    registered_on = _date("登记日期", required=True)
    signed_on = _date("签订日期")
    seller_name = _text("卖方（受托方）名称", 200, required=True)
    buyer_name = _text("买方（委托方）名称", 200, required=True)
    amount = _money("合同成交额", required=True)
    region = forms.ChoiceField(label="登记区划", choices=(), widget=forms.Select(attrs=SELECT))
    match = forms.ChoiceField(label="来源对接", required=False, choices=(), widget=forms.Select(attrs=SELECT))

    def __init__(self, *args: Any, regions: Any = (), matches: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["region"]).choices = list(regions)
        cast(forms.ChoiceField, self.fields["match"]).choices = [("", "（无）"), *matches]


class EventForm(ServiceErrors, forms.Form):
    title = _text("活动名称", 200, required=True)
    held_on = _date("举办日期", required=True)
    venue = _text("地点", 200)
    participant_count = forms.IntegerField(
        label="参会人数",
        required=False,
        min_value=0,
        max_value=1_000_000,
        error_messages={
            "invalid": "参会人数应为整数。",
            "min_value": "参会人数不能为负数。",
            "max_value": "参会人数不合理。",
        },
        widget=forms.NumberInput(attrs=TEXT),
    )
    summary = _text("活动纪要", 5000, area=True)
    region = forms.ChoiceField(label="所属区划", choices=(), widget=forms.Select(attrs=SELECT))

    def __init__(self, *args: Any, regions: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["region"]).choices = list(regions)


OUTCOME_CHOICES = [("", "未洽谈"), *PairOutcome.choices]


class CooperationForm(ServiceErrors, forms.Form):
    title = _text("协议名称", 200, required=True)
    partner_name = _text("合作院校（院所）名称", 200, required=True)
    signed_on = _date("签订日期", required=True)
    ends_on = _date("有效期至")
    content = _text("合作内容", 5000, area=True)
    projects = _text("合作项目", 5000, area=True, help_text="每行一项：项目名称或引用（如 programs.project:12）。")
    region = forms.ChoiceField(label="所属区划", choices=(), widget=forms.Select(attrs=SELECT))

    def __init__(self, *args: Any, regions: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["region"]).choices = list(regions)

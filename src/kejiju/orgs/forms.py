"""Forms of the organization pages. They only parse the input; the rules and their Chinese reasons live
in the services (:func:`kejiju.orgs.services.clean_organization`, ``qualification_save``, ``ip_save``,
``organization_merge``), whose errors the views put back on the fields."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from kejiju.core.errors import BusinessError, RowErrors
from kejiju.core.forms.attachments import region_choices
from kejiju.core.permissions import account_region_code
from kejiju.core.selectors import code_items
from kejiju.orgs.choices import IpStatus, IpType, OrgType, QualificationKind, QualificationLevel

TEXT = {"class": "form-control"}
SELECT = {"class": "form-select"}
DATE_FORMATS = ["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d"]


def _text(label: str, max_length: int, *, required: bool = False, help_text: str = "", **attrs: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        help_text=help_text,
        error_messages={"required": "请填写%s。" % label, "max_length": "%s最多 %d 个字。" % (label, max_length)},
        widget=forms.TextInput(attrs={**TEXT, **attrs}),
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


class ServiceErrorsMixin:
    """Put a service's :class:`BusinessError` / :class:`RowErrors` on the fields they name."""

    def mark_invalid(self) -> None:
        """Give the widgets of fields with errors Bootstrap's ``is-invalid`` (red border)."""
        for name in self.errors:  # type: ignore[attr-defined]
            field = self.fields.get(name)  # type: ignore[attr-defined]
            if field is not None:
                css = field.widget.attrs.get("class", "")
                if "is-invalid" not in css:
                    field.widget.attrs["class"] = (css + " is-invalid").strip()

    def add_service_error(self, exc: BusinessError) -> None:
        fields = self.fields  # type: ignore[attr-defined]
        if isinstance(exc, RowErrors):
            for name, messages in exc.errors.items():
                for message in messages:
                    self.add_error(name if name in fields else None, message)  # type: ignore[attr-defined]
        else:
            self.add_error(exc.field if exc.field in fields else None, exc.message)  # type: ignore[attr-defined]


def industry_choices() -> list[tuple[str, str]]:
    """GB/T 4754 sections with their divisions indented below, as one list."""
    items = list(code_items(kind="industry").order_by("sort", "code"))
    choices: list[tuple[str, str]] = [("", "（未填写）")]
    for item in items:
        if item.level == 1:
            choices.append((item.code, f"{item.code} {item.name}"))
            choices.extend(
                (d.code, f"\u3000{item.code}{d.code} {d.name}")
                for d in items
                if d.level == 2 and d.parent_code == item.code
            )
    return choices


class OrganizationForm(ServiceErrorsMixin, forms.Form):
    """新增 / 修改单位. Every value goes to ``organization_create`` / ``organization_update`` as text, so
    the page gives the same reasons as the Excel import."""

    # Required fields are checked by the service (with the import's wording), so that one submission
    # shows every problem at once; ``required_marks`` only draws the asterisks.
    required_marks = frozenset({"name", "credit_code", "region", "org_type"})

    name = _text("单位名称", 200, help_text="与营业执照或登记证书一致。")
    credit_code = _text(
        "统一社会信用代码", 24, help_text="18 位，按 GB 32100 校验。", autocomplete="off", spellcheck="false"
    )
    region = forms.ChoiceField(
        label="所属区划",
        required=False,
        error_messages={"invalid_choice": "所选区划不在您的管辖范围内。"},
        widget=forms.Select(attrs={**SELECT, "class": "form-select js-tomselect"}),
    )
    org_type = forms.ChoiceField(
        label="单位类型",
        required=False,
        choices=[("", "请选择"), *OrgType.choices],
        error_messages={"invalid_choice": "单位类型无效。"},
        widget=forms.Select(attrs=SELECT),
    )
    industry_code = forms.ChoiceField(
        label="行业门类",
        required=False,
        error_messages={"invalid_choice": "行业代码无效。"},
        help_text="国民经济行业分类（GB/T 4754-2017）门类或大类。",
        widget=forms.Select(attrs={**SELECT, "class": "form-select js-tomselect"}),
    )
    address = _text("注册地址", 200)
    legal_representative = _text("法定代表人", 40)
    contact_person = _text("联系人", 40)
    contact_phone = _text("联系电话", 40, help_text="手机或带区号的固定电话。")
    founded_on = forms.CharField(
        label="成立日期",
        required=False,
        max_length=20,
        widget=forms.TextInput(
            attrs={**TEXT, "class": "form-control js-date", "autocomplete": "off", "placeholder": "年-月-日"}
        ),
    )
    staff_count = _text("职工人数", 10, inputmode="numeric")
    main_products = forms.CharField(
        label="主要产品（服务）",
        required=False,
        max_length=2000,
        error_messages={"max_length": "主要产品（服务）最多 2000 个字。"},
        widget=forms.Textarea(attrs={**TEXT, "rows": 3}),
    )

    def __init__(self, *args: Any, user: Any, current: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        own = account_region_code(user)
        # a county or above down to its towns (a village-level region stays selectable once set)
        choices = region_choices(own, depth=1, floor=9)
        current_region = getattr(current, "region_id", "") or ""
        if current_region and current_region not in {c for c, _ in choices}:
            choices.append((current_region, getattr(current, "region", None) and current.region.name or current_region))
        cast(forms.ChoiceField, self.fields["region"]).choices = [("", "请选择"), *choices]
        industries = industry_choices()
        current_industry = getattr(current, "industry_code", "") or ""
        if current_industry and current_industry not in {c for c, _ in industries}:
            industries.append((current_industry, current_industry))  # a code disabled since it was set
        cast(forms.ChoiceField, self.fields["industry_code"]).choices = industries

    def service_data(self) -> dict[str, Any]:
        """The cleaned values in the shape the services take (``ORG_FIELDS``)."""
        return {name: self.cleaned_data.get(name, "") for name in self.fields}


class QualificationForm(ServiceErrorsMixin, forms.Form):
    """新增 / 修改资质 (``qualification_save``)."""

    kind = forms.ChoiceField(
        label="资质类型",
        choices=[("", "请选择"), *QualificationKind.choices],
        error_messages={"required": "请选择资质类型。", "invalid_choice": "资质类型无效。"},
        widget=forms.Select(attrs=SELECT),
    )
    level = forms.ChoiceField(
        label="级别",
        required=False,
        choices=[("", "（不分级别）"), *QualificationLevel.choices],
        error_messages={"invalid_choice": "资质级别无效。"},
        widget=forms.Select(attrs=SELECT),
    )
    certificate_no = _text("证书编号", 60)
    issuer = _text("认定机关", 100)
    issued_on = _date("发证（认定）日期", required=True)
    expires_on = _date("有效期至")
    note = _text("备注", 200)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["expires_on"].help_text = "高新技术企业不填时按发证日期起三年计。"

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        for key in ("level", "certificate_no", "issuer", "note"):
            data[key] = data.get(key) or ""
        return data


class IpForm(ServiceErrorsMixin, forms.Form):
    """新增 / 修改知识产权 (``ip_save``); Ⅰ类/Ⅱ类 follows from the type."""

    ip_type = forms.ChoiceField(
        label="类型",
        choices=[("", "请选择"), *IpType.choices],
        error_messages={"required": "请选择知识产权类型。", "invalid_choice": "知识产权类型无效。"},
        widget=forms.Select(attrs=SELECT),
    )
    title = _text("名称", 200, required=True)
    number = _text("申请号/登记号", 40, required=True, help_text="专利如 202310123456.7；软件著作权如 2024SR0123456。")
    applied_on = _date("申请日")
    granted_on = _date("授权（登记）日")
    status = forms.ChoiceField(
        label="状态",
        choices=IpStatus.choices,
        initial=IpStatus.APPLIED,
        error_messages={"required": "请选择状态。", "invalid_choice": "状态无效。"},
        widget=forms.Select(attrs=SELECT),
    )
    owners = _text("权利人", 200)

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["owners"] = data.get("owners") or ""
        return data


class MergeForm(forms.Form):
    """合并重复单位: the record kept, the duplicate, and why."""

    keep = forms.IntegerField(
        label="保留的单位",
        min_value=1,
        error_messages={
            "required": "请选择要保留的单位。",
            "invalid": "请选择要保留的单位。",
            "min_value": "请选择要保留的单位。",
        },
        widget=forms.HiddenInput,
    )
    duplicate = forms.IntegerField(
        label="重复的单位",
        min_value=1,
        error_messages={
            "required": "请选择重复的单位。",
            "invalid": "请选择重复的单位。",
            "min_value": "请选择重复的单位。",
        },
        widget=forms.HiddenInput,
    )
    reason = forms.CharField(
        label="合并原因",
        max_length=500,
        error_messages={"required": "请填写合并原因。", "max_length": "合并原因最多 500 个字。"},
        widget=forms.Textarea(attrs={**TEXT, "rows": 2, "placeholder": "如：同一单位重复录入，信用代码录错"}),
    )


# ------------------------------------------------------------------ IP statistics, custody, cases


class PopulationForm(ServiceErrorsMixin, forms.Form):
    """录入常住人口 (``population_set``)."""

    region = forms.ChoiceField(label="区划", choices=(), widget=forms.Select(attrs=SELECT))
    year = forms.IntegerField(
        label="年度",
        min_value=1900,
        max_value=2100,
        error_messages={
            "required": "请填写年度。",
            "invalid": "年度应为整数。",
            "min_value": "年度不合理。",
            "max_value": "年度不合理。",
        },
        widget=forms.NumberInput(attrs=TEXT),
    )
    population = forms.IntegerField(
        label="常住人口（人）",
        min_value=1,
        max_value=200_000_000,
        error_messages={
            "required": "请填写常住人口。",
            "invalid": "常住人口应为整数（单位：人）。",
            "min_value": "常住人口应大于 0。",
            "max_value": "常住人口不合理。",
        },
        widget=forms.NumberInput(attrs=TEXT),
    )

    def __init__(self, *args: Any, regions: list[tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["region"]).choices = regions or []


class OrgChoiceField(forms.CharField):
    """An organization picked by credit code or id (resolved by the view through the selectors)."""


class CustodyForm(ServiceErrorsMixin, forms.Form):
    """新增知识产权托管协议 (``custody_agreement_save``): provider and enterprise by 统一社会信用代码."""

    provider_code = _text("托管服务机构统一社会信用代码", 18, required=True)
    enterprise_code = _text("托管企业统一社会信用代码", 18, required=True)
    number = _text("协议编号", 40)
    starts_on = _date("托管开始日", required=True)
    ends_on = _date("托管结束日", required=True)
    scope = forms.CharField(
        label="托管服务范围",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={**TEXT, "rows": 3}),
        error_messages={"max_length": "托管服务范围最多 2000 字。"},
    )
    attachment = forms.FileField(label="协议扫描件", required=False)


class CustodyServiceForm(ServiceErrorsMixin, forms.Form):
    """登记托管服务 (``custody_service_add``)."""

    kind = forms.ChoiceField(
        label="服务类型",
        choices=(),
        error_messages={"required": "请选择服务类型。", "invalid_choice": "服务类型无效。"},
        widget=forms.Select(attrs=SELECT),
    )
    served_on = _date("服务日期", required=True)
    description = _text("服务内容", 300, required=True)
    ip = forms.ChoiceField(label="相关知识产权", required=False, choices=(), widget=forms.Select(attrs=SELECT))

    def __init__(self, *args: Any, ips: list[tuple[str, str]] | None = None, **kwargs: Any) -> None:
        from kejiju.orgs.choices import CustodyServiceKind

        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["kind"]).choices = [("", "请选择"), *CustodyServiceKind.choices]
        cast(forms.ChoiceField, self.fields["ip"]).choices = [("", "（无）"), *(ips or [])]


class IpCaseForm(ServiceErrorsMixin, forms.Form):
    """登记知识产权保护与宣传 (``ip_case_save``). A promotion event held through the outreach module is
    picked from the activities in the user's region (``activities``: reference, label); the service fills
    a blank name, date and number of participants from it."""

    kind = forms.ChoiceField(
        label="类别",
        choices=(),
        error_messages={"required": "请选择类别。", "invalid_choice": "类别无效。"},
        widget=forms.Select(attrs=SELECT),
    )
    activity_ref = forms.ChoiceField(
        label="科普活动",
        required=False,
        choices=(),
        help_text="宣传活动已在科普活动模块登记的，从列表选择（本辖区近两年的活动，知识产权相关的排在前面），"
        "不必重复录入；名称、日期、参加人数留空时取该活动的名称、实际举办日期和参加人次。",
        error_messages={"invalid_choice": "所选科普活动不存在或不在您的管辖范围内。"},
        widget=forms.Select(attrs=SELECT),
    )
    title = _text("名称", 200, help_text="关联科普活动时可留空，取活动名称。")
    occurred_on = _date("日期")
    region = forms.ChoiceField(label="所属区划", choices=(), widget=forms.Select(attrs=SELECT))
    referred_to = _text("移送（承办）单位", 100)
    outcome = _text("结果", 300)
    participants = forms.IntegerField(
        label="参加人数",
        required=False,
        min_value=0,
        max_value=10_000_000,
        help_text="关联科普活动时可留空，取活动登记的参加人次。",
        error_messages={
            "invalid": "参加人数应为整数。",
            "min_value": "参加人数不能为负数。",
            "max_value": "参加人数不合理。",
        },
        widget=forms.NumberInput(attrs=TEXT),
    )

    def __init__(
        self,
        *args: Any,
        regions: list[tuple[str, str]] | None = None,
        activities: list[tuple[str, str]] | None = None,
        **kwargs: Any,
    ) -> None:
        from kejiju.orgs.choices import IpCaseKind

        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["kind"]).choices = [("", "请选择"), *IpCaseKind.choices]
        cast(forms.ChoiceField, self.fields["region"]).choices = regions or []
        cast(forms.ChoiceField, self.fields["activity_ref"]).choices = [("", "（不关联）"), *(activities or [])]
        self.fields["occurred_on"].help_text = "关联已举办的科普活动时可留空，取实际举办日期。"

"""Forms of the people and talent-pool pages. They only parse the input; every rule and its Chinese
reason lives in the services (:func:`kejiju.people.services.clean_person`, ``honour_save``,
``round_transition``…), whose errors the views put back on the fields."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from kejiju.core.errors import BusinessError, RowErrors
from kejiju.core.forms.attachments import region_choices
from kejiju.core.permissions import account_region_code
from kejiju.people.choices import Education, HonourLevel, IdType, TitleLevel

TEXT = {"class": "form-control"}
SELECT = {"class": "form-select"}


def _text(
    label: str, max_length: int, *, help_text: str = "", area: bool = False, attrs: dict[str, Any] | None = None
) -> forms.CharField:
    attrs = attrs or {}
    widget = forms.Textarea(attrs={**TEXT, "rows": 3, **attrs}) if area else forms.TextInput(attrs={**TEXT, **attrs})
    return forms.CharField(
        label=label,
        required=False,
        max_length=max_length,
        help_text=help_text,
        error_messages={"max_length": "%s最多 %d 个字。" % (label, max_length)},
        widget=widget,
    )


def _date(label: str, help_text: str = "") -> forms.CharField:
    attrs = {"placeholder": "年-月-日", "autocomplete": "off", "class": "form-control js-date"}
    return _text(label, 20, help_text=help_text, attrs=attrs)


def _choice(label: str, choices: Any, empty: str = "请选择") -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        required=False,
        choices=[("", empty), *choices],
        error_messages={"invalid_choice": "%s无效。" % label},
        widget=forms.Select(attrs=SELECT),
    )


class ServiceForm(forms.Form):
    """A form whose values go to a service as text; the service's errors come back on the fields."""

    required_marks: frozenset[str] = frozenset()

    def mark_invalid(self) -> None:
        for name in self.errors:
            field = self.fields.get(name)
            if field is not None:
                css = field.widget.attrs.get("class", "")
                if "is-invalid" not in css:
                    field.widget.attrs["class"] = (css + " is-invalid").strip()

    def add_service_error(self, exc: BusinessError) -> None:
        if isinstance(exc, RowErrors):
            for name, messages in exc.errors.items():
                for message in messages:
                    self.add_error(name if name in self.fields else None, message)
        else:
            self.add_error(exc.field if exc.field in self.fields else None, exc.message)

    def service_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name, "") for name in self.fields if not name.startswith("upload")}


class PersonForm(ServiceForm):
    """新增 / 修改人员 (``person_create`` / ``person_update``)."""

    required_marks = frozenset({"name", "id_number", "region"})

    name = _text("姓名", 40)
    id_type = _choice("证件类型", IdType.choices, empty="居民身份证")
    id_number = _text(
        "证件号码", 32, help_text="居民身份证按 GB 11643 校验，出生日期和性别由号码得出；外籍人员选“护照”。"
    )
    region = forms.ChoiceField(label="所属区划", required=False, choices=[], widget=forms.Select(attrs=SELECT))
    gender = _choice("性别", [("male", "男"), ("female", "女")], empty="（由身份证号码得出）")
    birth_date = _date("出生日期", "证件不是居民身份证时填写。")
    ethnicity = _text("民族", 20)
    phone = _text("联系电话", 40)
    email = _text("电子邮箱", 254)
    organization = _text("工作单位（统一社会信用代码）", 24, help_text="已在主体库登记的单位。")
    position = _text("职务", 60)
    title = _text("职称", 60)
    title_level = _choice("职称级别", TitleLevel.choices)
    education = _choice("最高学历", Education.choices)
    major = _text("所学专业", 80)
    subjects = _text("学科代码", 200, help_text="GB/T 13745 代码，逗号分隔，第一个为主学科（如 210, 230）。")
    industries = _text("行业代码", 200, help_text="GB/T 4754 代码，逗号分隔（如 A01）。")
    keywords = _text("专长关键词", 300)
    notes = _text("备注", 2000, area=True)

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["region"]).choices = [
            ("", "请选择"),
            *region_choices(account_region_code(user), depth=1, floor=9),
        ]

    def clean_region(self) -> str:
        return str(self.data.get("region") or "").strip()


class MembershipForm(ServiceForm):
    """人才入库."""

    required_marks = frozenset({"category", "year"})
    category = forms.ChoiceField(label="人才类别", required=False, choices=[], widget=forms.Select(attrs=SELECT))
    year = _text("入选年度", 4)
    document_no = _text("文件文号", 80)
    notes = _text("备注", 300)
    upload = forms.FileField(label="文件扫描件", required=False)

    def __init__(self, *args: Any, categories: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["category"]).choices = [
            ("", "请选择"),
            *((str(c.pk), c.name) for c in categories),
        ]


class HonourForm(ServiceForm):
    """荣誉与入选."""

    required_marks = frozenset({"title", "year"})
    title = _text("荣誉名称", 120)
    level = _choice("级别", HonourLevel.choices)
    year = _text("年度", 4)
    issuer = _text("授予单位", 80)
    document_no = _text("文件文号", 80)
    upload = forms.FileField(label="文件扫描件", required=False)


class TrainingForm(ServiceForm):
    """继续教育与培训."""

    required_marks = frozenset({"title", "start_date"})
    title = _text("培训名称", 120)
    organizer = _text("主办单位", 80)
    start_date = _date("开始日期")
    end_date = _date("结束日期")
    hours = _text("学时", 10)
    certificate_no = _text("证书编号", 60)


class CategoryForm(ServiceForm):
    """人才类别."""

    required_marks = frozenset({"code", "name"})
    code = _text("代码", 40, help_text="小写字母开头，如 top、rural。")
    name = _text("类别名称", 40)
    description = _text("说明", 300)
    order = _text("排序", 6)
    is_active = forms.BooleanField(label="启用", required=False, initial=True)


class RoundForm(ServiceForm):
    """人才评选."""

    required_marks = frozenset({"title", "category", "year"})
    title = _text("评选名称", 120, help_text="如 2026 年度拔尖人才评选。")
    category = forms.ChoiceField(label="人才类别", required=False, choices=[], widget=forms.Select(attrs=SELECT))
    year = _text("年度", 4)
    quota = _text("拟选名额", 6)
    nomination_deadline = _date("推荐截止日期")
    rules = _text("评选条件", 5000, area=True)
    decision_document_no = _text("认定文件文号", 80)
    publicity_contact = _text("异议受理电话", 60)

    def __init__(self, *args: Any, categories: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["category"]).choices = [
            ("", "请选择"),
            *((str(c.pk), c.name) for c in categories),
        ]


class NominationForm(ServiceForm):
    """推荐人选: the person by document (found or registered) and the nominating unit."""

    required_marks = frozenset({"name", "id_number"})
    name = _text("姓名", 40)
    id_type = _choice("证件类型", IdType.choices, empty="居民身份证")
    id_number = _text("证件号码", 32)
    phone = _text("联系电话", 40)
    title = _text("职称", 60)
    nominator = _text("推荐单位（统一社会信用代码）", 24)
    achievements = _text("主要业绩", 5000, area=True)


class ScoreForm(ServiceForm):
    score = _text("评审得分", 10)
    reviewers = _text("评审专家数", 4)
    opinion = _text("评审意见", 5000, area=True)


class PublishForm(ServiceForm):
    required_marks = frozenset({"publicity_start", "publicity_end"})
    publicity_start = _date("公示开始")
    publicity_end = _date("公示结束")
    decision_document_no = _text("认定文件文号", 80)
    publicity_contact = _text("异议受理电话", 60)


class ObjectionForm(ServiceForm):
    """公示异议 (public page)."""

    required_marks = frozenset({"submitter_name", "submitter_phone", "content"})
    submitter_name = _text("您的姓名", 40)
    submitter_phone = _text("联系电话", 40)
    nomination = forms.ChoiceField(label="异议对象", required=False, choices=[], widget=forms.Select(attrs=SELECT))
    content = _text("异议内容", 2000, area=True, help_text="请写明事实和理由（至少 10 个字）；我们将对您的信息保密。")

    def __init__(self, *args: Any, nominees: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["nomination"]).choices = [
            ("", "（整体名单）"),
            *((str(n.pk), n.person.name) for n in nominees),
        ]


class HandleForm(ServiceForm):
    upheld = forms.ChoiceField(
        label="处理结论", choices=[("0", "异议不成立"), ("1", "异议成立")], widget=forms.Select(attrs=SELECT)
    )
    handling = _text("处理意见", 2000, area=True)

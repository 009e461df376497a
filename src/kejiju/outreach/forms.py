"""Forms of the outreach pages. They only carry the input (every field optional text); the rules and
their Chinese reasons live in the services, whose errors the views put back on the fields."""

from __future__ import annotations

import re
from typing import Any

from django import forms

from kejiju.core.errors import BusinessError, RowErrors

TEXT = {"class": "form-control"}
SELECT = {"class": "form-select"}


def text(label: str, *, max_length: int = 200, area: bool = False, **attrs: Any) -> forms.CharField:
    widget: forms.Widget = (
        forms.Textarea(attrs={**TEXT, "rows": 3, **attrs}) if area else forms.TextInput(attrs={**TEXT, **attrs})
    )
    return forms.CharField(
        label=label,
        required=False,
        max_length=max_length,
        error_messages={"max_length": "%s最多 %d 个字。" % (label, max_length)},
        widget=widget,
    )


def date_field(label: str) -> forms.CharField:
    return text(label, max_length=20, autocomplete="off", placeholder="年-月-日", type="date")


def number(label: str, **attrs: Any) -> forms.CharField:
    return text(label, max_length=30, inputmode="decimal", **attrs)


def select(label: str, choices: list[tuple[Any, Any]] | None = None, *, tom: bool = False) -> forms.CharField:
    css = "form-select js-tomselect" if tom else "form-select"
    return forms.CharField(
        label=label, required=False, widget=forms.Select(attrs={"class": css}, choices=choices or [])
    )


def multi(label: str) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label,
        required=False,
        choices=[],
        error_messages={"invalid_choice": "%s中有无效的选项。" % label},
        widget=forms.SelectMultiple(attrs={"class": "form-select js-tomselect"}),
    )


class ServiceForm(forms.Form):
    """A form that shows a service's errors on the fields they name (others on top)."""

    #: service field name → form field name (``person_name`` → ``person_name`` by default)
    field_map: dict[str, str] = {}
    file_fields: tuple[tuple[str, str, str, bool], ...] = ()  # (name, label, accept, multiple)

    def add_service_error(self, exc: BusinessError) -> None:
        errors = exc.errors if isinstance(exc, RowErrors) else {exc.field or "": [exc.message]}
        for fld, messages in errors.items():
            name = self.field_map.get(fld, fld)
            for message in messages:
                if name in self.fields:
                    self.add_error(name, message)
                elif any(name == f[0] for f in self.file_fields):
                    self.file_errors.setdefault(name, []).append(message)
                    self.add_error(None, message)
                else:
                    self.add_error(None, message)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.file_errors: dict[str, list[str]] = {}

    def mark_invalid(self) -> None:
        for name in self.errors:
            field = self.fields.get(name)
            if field is not None:
                css = field.widget.attrs.get("class", "")
                if "is-invalid" not in css:
                    field.widget.attrs["class"] = (css + " is-invalid").strip()

    def data_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items()}


class CommissionerForm(ServiceForm):
    holder_type = select("类型", [("individual", "个人特派员"), ("legal", "法人特派员")])
    kind = select("类别")
    selection_year = number("选派年度")
    region = select("选派区划", tom=True)
    person_name = text("姓名", max_length=40)
    person_id_number = text("身份证号码", max_length=32)
    person_phone = text("手机号码", max_length=40)
    organization = select("法人单位", tom=True)
    expertise = text("服务领域", max_length=200, placeholder="如 水稻栽培、生猪养殖")
    user = select("登录账号", tom=True)
    notes = text("备注", max_length=2000, area=True)

    def service_data(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "holder_type": d["holder_type"],
            "kind": d["kind"],
            "selection_year": d["selection_year"],
            "region": d["region"],
            "organization": d["organization"] if d["holder_type"] == "legal" else None,
            "person": {"name": d["person_name"], "id_number": d["person_id_number"], "phone": d["person_phone"]},
            "expertise": d["expertise"],
            "user": d["user"],
            "notes": d["notes"],
        }


class CommissionerEditForm(ServiceForm):
    kind = select("类别")
    expertise = text("服务领域", max_length=200)
    user = select("登录账号", tom=True)
    notes = text("备注", max_length=2000, area=True)


def parse_lines(value: str, first: str, second: str) -> list[dict[str, str]]:
    """Lines like “推广新品种 3” or “服务时长，30” into ``[{first: …, second: …}]`` (the last token is the
    number; a line without one keeps an empty number, which the service refuses with a reason)."""
    rows = []
    for line in (value or "").splitlines():
        line = line.strip()
        if not line:
            continue
        match = re.match(r"^(.*?)[\s,，:：]+(-?[\d.]+)\s*$", line)
        if match:
            rows.append({first: match.group(1).strip(), second: match.group(2)})
        else:
            rows.append({first: line, second: ""})
    return rows


class AssignmentForm(ServiceForm):
    target_region = select("服务乡镇/村", tom=True)
    target_organization = select("或服务单位（合作社/企业）", tom=True)
    start_on = date_field("服务开始日期")
    end_on = date_field("服务结束日期")
    targets = text(
        "服务目标", max_length=2000, area=True, placeholder="每行一项：指标 数量，如\n推广新品种 3\n培训农民 200"
    )
    file_fields = (("agreement", "服务协议（扫描件或 PDF）", ".pdf,.doc,.docx,.jpg,.jpeg,.png", False),)

    def service_data(self) -> dict[str, Any]:
        d = dict(self.cleaned_data)
        d["targets"] = parse_lines(d.get("targets") or "", "indicator", "number")
        return d


class DiaryForm(ServiceForm):
    served_on = date_field("服务日期")
    place_region = select("服务地点（乡镇/村）")
    place = text("具体地点", max_length=100, placeholder="如 某合作社大棚")
    served = text("服务对象", max_length=100, placeholder="人员或单位")
    content = text("服务内容", max_length=2000, area=True)
    hours = number("服务时长（小时）", placeholder="如 2.5")
    request_refs = text("关联热线工单", max_length=400, placeholder="如 service.request:12，可填多个")
    activity = select("关联培训活动")
    file_fields = (("photos", "现场照片（可多张）", "image/*", True),)


class AssessmentForm(ServiceForm):
    year = number("考核年度")
    template = select("考核模板")
    comment = text("考核意见", max_length=2000, area=True)


class ActivityPlanForm(ServiceForm):
    kind = select("活动类型")
    title = text("活动名称", max_length=120)
    topic = text("主题", max_length=200)
    region = select("举办乡镇")
    venue = text("地点", max_length=100)
    planned_start = date_field("计划开始日期")
    planned_end = date_field("计划结束日期")
    planned_attendance = number("计划人次")
    organizer_organization = select("主办单位", tom=True)
    organizer_department = select("或主办科室")
    trainers = multi("授课专家")
    commissioners = multi("参与特派员")


class ActivityHoldForm(ServiceForm):
    start_on = date_field("实际开始日期")
    end_on = date_field("实际结束日期")
    attendance = number("参加人次")
    materials = number("发放资料（份）")
    cost = number("经费（元）")
    summary = text("活动情况", max_length=4000, area=True)
    file_fields = (
        ("photos", "活动照片（可多张）", "image/*", True),
        ("sign_in_sheets", "签到表扫描件（图片或 PDF）", "image/*,.pdf", True),
    )


class CancelForm(ServiceForm):
    reason = text("取消原因", max_length=500, area=True)


class TemplateForm(ServiceForm):
    name = text("模板名称", max_length=100)
    year = number("适用年度")
    items = text("考核项目与权重", max_length=4000, area=True, placeholder="每行一项：项目 权重，权重之和为 100")
    grade_bands = text(
        "等次划分",
        max_length=1000,
        area=True,
        placeholder="每行一个：等次 最低分，如\n优秀 90\n良好 75\n合格 60\n不合格 0",
    )

    def service_data(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "name": d["name"],
            "year": d["year"],
            "items": parse_lines(d["items"], "name", "weight"),
            "grade_bands": parse_lines(d["grade_bands"], "grade", "min") or None,
        }


class KindForm(ServiceForm):
    group = select("分组", [("activity", "活动类型"), ("commissioner", "特派员类别")])
    code = text("代码", max_length=30, placeholder="小写字母，如 farm_school")
    name = text("名称", max_length=40)
    is_training = forms.BooleanField(
        label="计入培训", required=False, widget=forms.CheckboxInput(attrs={"class": "form-check-input"})
    )
    sort = number("排序")

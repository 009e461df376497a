"""Account forms (账号管理): parse and check the input; the services decide and save."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q

from kejiju.core.choices import Role
from kejiju.core.errors import BusinessError
from kejiju.core.models import Department, Region, User
from kejiju.core.permissions import account_region_code
from kejiju.core.selectors import user_region_options
from kejiju.core.services.accounts import check_password_rules, grantable_roles, normalize_phone

_LEVELS = (2, 4, 6, 9, 12)


def region_label(region: Region, top: str = "") -> str:
    """A region's name indented by its depth below ``top`` (full-width spaces, as in the switcher)."""
    base = _LEVELS.index(len(top)) if len(top) in _LEVELS else 0
    depth = _LEVELS.index(len(region.code)) - base if len(region.code) in _LEVELS else 0
    return "\u3000" * max(0, depth) + region.name


class UserForm(forms.Form):
    """Create (``instance=None``: with 用户名 and 初始密码) or edit an account.

    Roles offered are only those the actor may grant; regions only those within the actor's
    account region (towns and above, plus the account's current region); 科室 only those of the
    chosen region. A forged value answers with a Chinese error on its field and saves nothing.
    """

    username = forms.CharField(
        label="用户名",
        max_length=150,
        error_messages={"required": "请填写用户名。", "max_length": "用户名不能超过 150 个字符。"},
        help_text="登录用，可用字母、数字和 @ . + - _，保存后不能修改。",
    )
    full_name = forms.CharField(
        label="姓名", max_length=40, error_messages={"required": "请填写姓名。", "max_length": "姓名不能超过 40 个字。"}
    )
    role = forms.ChoiceField(
        label="角色",
        error_messages={"required": "请选择角色。", "invalid_choice": "所选角色无效，或您无权授予该角色。"},
    )
    region = forms.ChoiceField(
        label="所属区划",
        required=False,
        error_messages={"invalid_choice": "所选区划不存在或不在您的管辖范围内。"},
    )
    department = forms.ChoiceField(
        label="科室",
        required=False,
        error_messages={"invalid_choice": "所选科室不属于所选区划，请重新选择。"},
    )
    phone = forms.CharField(
        label="手机",
        max_length=20,
        required=False,
        error_messages={"max_length": "手机号码不能超过 20 个字符。"},
        help_text="11 位手机号码，或带区号的固定电话（如 0550-7021234）。",
    )
    email = forms.EmailField(
        label="邮箱",
        required=False,
        max_length=254,
        error_messages={"invalid": "邮箱格式不正确，请填写如 name@example.com 的地址。"},
    )
    password = forms.CharField(
        label="初始密码",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": "请填写初始密码。"},
        help_text="账号持有人首次登录时须修改此密码。",
    )

    def __init__(
        self, *args: Any, actor: User, instance: User | None = None, refresh_url: str = "", **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.actor = actor
        self.instance = instance
        if instance is not None:
            # username is fixed and the password is reset from the detail page
            del self.fields["username"]
            del self.fields["password"]
        else:
            from django.contrib.auth.password_validation import password_validators_help_texts

            self.password_help = password_validators_help_texts()

        roles = grantable_roles(actor)
        role_choices = [(r.value, r.label) for r in roles]
        if instance is not None and instance.role not in {r.value for r in roles}:
            role_choices.insert(0, (instance.role, instance.get_role_display()))
        self._choice_field("role").choices = [("", "请选择角色")] + role_choices

        scope = account_region_code(actor)
        options = list(user_region_options(code=scope, include=instance.region_id if instance else None))
        self._regions = {r.code: r for r in options}
        top = scope or ""
        blank = "（不限区划，仅系统管理员）" if scope == "" else "请选择所属区划"
        self._choice_field("region").choices = [("", blank)] + [(r.code, region_label(r, top)) for r in options]
        attrs: dict[str, str] = {"class": "form-select js-tomselect", "data-placeholder": "输入名称或代码查找"}
        if refresh_url:
            # choosing a region reloads the 科室 list of that region (no inline script: CSP)
            attrs.update(
                {
                    "hx-get": refresh_url,
                    "hx-trigger": "change",
                    "hx-target": "#department-field",
                    "hx-select": "#department-field",
                    "hx-swap": "outerHTML",
                    "hx-include": "this",
                }
            )
        self.fields["region"].widget.attrs.update(attrs)

        self._departments = self._department_options()
        self._choice_field("department").choices = [("", "（无）")] + [
            (str(d.pk), d.name) for d in self._departments.values()
        ]

        for name, field in self.fields.items():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            if name != "region":
                field.widget.attrs.setdefault("class", css)

    def _choice_field(self, name: str) -> forms.ChoiceField:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        return field

    def selected_region_code(self) -> str:
        """The region chosen on the form (bound data, else initial), if it is one on offer."""
        if self.is_bound:
            code = str(self.data.get(self.add_prefix("region"), "") or "")
        else:
            initial = self.initial.get("region")
            code = str(getattr(initial, "pk", initial) or "")
        return code if code in self._regions else ""

    def _department_options(self) -> dict[str, Department]:
        code = self.selected_region_code()
        if not code:
            return {}
        qs = Department.objects.filter(region_id=code)
        keep = self.instance.department_id if self.instance is not None else None
        # an account keeps its current 科室 even after that 科室 was disabled
        qs = qs.filter(Q(is_active=True) | Q(pk=keep)) if keep else qs.filter(is_active=True)
        return {str(d.pk): d for d in qs.order_by("name")}

    def clean_username(self) -> str:
        return str(self.cleaned_data["username"]).strip()

    def clean_full_name(self) -> str:
        return str(self.cleaned_data["full_name"]).strip()

    def clean_region(self) -> Region | None:
        code = self.cleaned_data.get("region") or ""
        return self._regions.get(code) if code else None

    def clean_department(self) -> Department | None:
        pk = self.cleaned_data.get("department") or ""
        return self._departments.get(pk) if pk else None

    def clean_password(self) -> str:
        password = str(self.cleaned_data.get("password") or "")
        # checked here too, so a weak password shows with the other field errors at once
        probe = User(
            username=self.cleaned_data.get("username", ""),
            full_name=self.cleaned_data.get("full_name", ""),
            email=str(self.data.get(self.add_prefix("email"), "") or ""),
        )
        try:
            check_password_rules(password, probe)
        except BusinessError as exc:
            raise forms.ValidationError(exc.message, code=exc.code)
        return password

    def clean_phone(self) -> str:
        try:
            return normalize_phone(self.cleaned_data.get("phone") or "")
        except BusinessError as exc:
            raise forms.ValidationError(exc.message, code=exc.code)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            data.get("role")
            and data.get("role") != Role.SYSTEM_ADMIN
            and not data.get("region")
            and "region" not in self.errors
        ):
            self.add_error("region", "请选择账号所属区划。")
        return data

    def full_clean(self) -> None:
        super().full_clean()
        self._mark_invalid()

    def add_business_error(self, exc: BusinessError) -> None:
        """Show a service's refusal on the field at fault (or above the form)."""
        self.add_error(exc.field if exc.field in self.fields else None, exc.message)
        self._mark_invalid()

    def _mark_invalid(self) -> None:
        for name in self.errors:
            if name in self.fields:
                css = self.fields[name].widget.attrs.get("class", "")
                if "is-invalid" not in css:
                    self.fields[name].widget.attrs["class"] = (css + " is-invalid").strip()

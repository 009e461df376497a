"""Forms of the region pages: add a town or village, edit a region, upload an import file.

The forms only parse and show errors; the rules live in ``services.regions`` (house rule 1), and
the create form asks the same validator so every field error shows at once, next to its field.
"""

from __future__ import annotations

from typing import Any

from django import forms

from kejiju.core.services.regions import validate_subcounty

#: Largest import upload (bytes) and the file types read by ``core.excel.read_table``.
IMPORT_MAX_BYTES = 5 * 1024 * 1024
IMPORT_EXTENSIONS = (".xlsx", ".xls", ".csv")

_TEXT = {"class": "form-control"}


class _MarkErrors:
    """Add Bootstrap's ``is-invalid`` to the widgets of fields with errors, including errors the
    view adds from a service (fields are copied per form instance, so no other form changes)."""

    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)  # type: ignore[misc]
        for name in self.errors:  # type: ignore[attr-defined]
            form_field = self.fields.get(name)  # type: ignore[attr-defined]
            if form_field is not None:
                css = form_field.widget.attrs.get("class", "")
                if "is-invalid" not in css:
                    form_field.widget.attrs["class"] = f"{css} is-invalid".strip()


class RegionCreateForm(_MarkErrors, forms.Form):
    """A town (9-digit code) or village (12-digit code) under an existing region."""

    code = forms.CharField(
        label="区划代码",
        max_length=12,
        strip=True,
        error_messages={"required": "请填写区划代码。", "max_length": "区划代码不能超过 12 位。"},
        help_text="乡镇/街道为 9 位，村/社区为 12 位统计用区划代码。",
        widget=forms.TextInput(
            attrs={**_TEXT, "inputmode": "numeric", "autocomplete": "off", "pattern": "[0-9]{9}|[0-9]{12}"}
        ),
    )
    name = forms.CharField(
        label="名称",
        max_length=64,
        strip=True,
        error_messages={"required": "请填写名称。", "max_length": "名称不能超过 64 个字。"},
        widget=forms.TextInput(attrs=_TEXT),
    )
    kind = forms.CharField(
        label="类型",
        max_length=16,
        required=False,
        strip=True,
        error_messages={"max_length": "类型不能超过 16 个字。"},
        help_text="如 镇、乡、街道、村委会、居委会。",
        widget=forms.TextInput(attrs={**_TEXT, "list": "region-kinds"}),
    )

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        # The service checks again inside its transaction; asking here shows every field's error at once.
        problems = validate_subcounty(
            actor=self.user, code=cleaned.get("code", ""), name=cleaned.get("name", ""), kind=cleaned.get("kind", "")
        )
        for fld, message in problems.items():
            if not self.has_error(fld):  # a field's own error (required, too long) is enough
                self.add_error(fld, message)
        return cleaned


class RegionEditForm(_MarkErrors, forms.Form):
    """Rename, re-type, disable or re-enable a region."""

    name = forms.CharField(
        label="名称",
        max_length=64,
        strip=True,
        error_messages={"required": "请填写名称。", "max_length": "名称不能超过 64 个字。"},
        widget=forms.TextInput(attrs=_TEXT),
    )
    kind = forms.CharField(
        label="类型",
        max_length=16,
        required=False,
        strip=True,
        error_messages={"max_length": "类型不能超过 16 个字。"},
        widget=forms.TextInput(attrs={**_TEXT, "list": "region-kinds"}),
    )
    is_active = forms.BooleanField(
        label="启用",
        required=False,
        help_text="停用后不能在其下新增区划；已有记录仍指向该区划。",
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )


class RegionImportForm(_MarkErrors, forms.Form):
    """The spreadsheet of towns and villages to validate."""

    file = forms.FileField(
        label="导入文件",
        error_messages={
            "required": "请选择要导入的文件。",
            "empty": "上传的文件是空的。",
            "invalid": "上传的文件无效。",
        },
        help_text="支持 .xlsx、.xls、.csv，不超过 5 MB；表头为 区划代码、名称、类型。",
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": ",".join(IMPORT_EXTENSIONS)}),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(IMPORT_EXTENSIONS):
            raise forms.ValidationError("只支持 .xlsx、.xls、.csv 文件。")
        if upload.size > IMPORT_MAX_BYTES:
            raise forms.ValidationError("文件不能超过 5 MB。")
        return upload

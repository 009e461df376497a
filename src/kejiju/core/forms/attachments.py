"""Forms of the attachment pages, and the region choice lists the core list filters share."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from kejiju.core.models import Region
from kejiju.core.permissions import account_region_code, active_region_code

_LEVELS = (2, 4, 6, 9, 12)


def region_choices(code: str | None, *, depth: int = 1, floor: int = 6) -> list[tuple[str, str]]:
    """Active regions within ``code`` ("" = everywhere, ``None`` = nowhere) as (code, indented
    name): ``code`` itself and ``depth`` levels below it, but at least down to the ``floor``
    level, so a province offers its counties and a county its towns without listing villages."""
    if code is None:
        return []
    own_level = _LEVELS.index(len(code)) if len(code) in _LEVELS else -1
    max_len = max(floor, _LEVELS[min(len(_LEVELS) - 1, own_level + depth)] if own_level >= 0 else floor)
    regions = Region.objects.filter(code__startswith=code, is_active=True, level__lte=max_len).order_by("code")
    base = max(own_level, 0)
    result = []
    for region in regions.only("code", "name"):
        depth_below = (_LEVELS.index(len(region.code)) if len(region.code) in _LEVELS else 0) - base
        result.append((region.code, "\u3000" * max(0, depth_below) + region.name))
    return result


class AttachmentUploadForm(forms.Form):
    """Upload one file: the file, its 用途, and its 所属区划 (within the uploader's account region,
    defaulting to the active region). The content checks live in the service."""

    file = forms.FileField(
        label="文件",
        error_messages={
            "required": "请选择要上传的文件。",
            "empty": "文件为空（0 字节），请选择有内容的文件。",
            "invalid": "上传的不是文件，请重新选择。",
            "missing": "没有收到文件，请重新选择。",
        },
    )
    purpose = forms.CharField(
        label="用途",
        max_length=60,
        required=False,
        help_text="如 申报书、签到表、证书扫描件（最多 60 字）。",
        error_messages={"max_length": "用途最多 60 个字。"},
    )
    region = forms.ChoiceField(
        label="所属区划",
        error_messages={"required": "请选择所属区划。", "invalid_choice": "所选区划不在您的管辖范围内。"},
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        own = account_region_code(user)
        # a town station also files for its villages; a county or above down to towns
        cast(forms.ChoiceField, self.fields["region"]).choices = region_choices(
            own, depth=1, floor=9 if own is not None and len(own) >= 6 else 6
        )
        if not self.is_bound:
            self.initial.setdefault("region", active_region_code(user) or own or "")

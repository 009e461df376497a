"""System checks for a deployment (``kejiju check --deploy``)."""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.core.checks import Error, register


@register("kejiju", deploy=True)
def files_dir_writable(app_configs: Any, **kwargs: Any) -> list[Error]:
    """The attachment store must exist (or be creatable) and be writable."""
    path = settings.KEJIJU_FILES_DIR
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        return [Error(f"附件存储目录 {path} 无法创建：{exc}", id="kejiju.E001")]
    if not os.access(path, os.W_OK):
        return [Error(f"附件存储目录 {path} 不可写。", id="kejiju.E002")]
    return []

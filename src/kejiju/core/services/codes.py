"""National code tables: load the shipped editions, enable and disable entries."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.db import transaction

from kejiju.core import actions
from kejiju.core.audit import log_operation
from kejiju.core.errors import BusinessError
from kejiju.core.history import acting
from kejiju.core.models import CodeItem

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
CODE_FILES = {
    "industry": "gbt4754_2017.json",
    "subject": "gbt13745_2009.json",
    "hightech_field": "hightech_fields.json",
}


def load_code_file(kind: str) -> dict[str, Any]:
    with open(DATA_DIR / CODE_FILES[kind], encoding="utf-8") as handle:
        data: dict[str, Any] = json.load(handle)
    return data


@transaction.atomic
def codes_load(*, actor: Any, kind: str | None = None, extra_file: Path | None = None) -> dict[str, int]:
    """Create the entries of the shipped code tables that are missing and refresh names; never
    deletes or re-enables. ``extra_file`` loads deeper levels (same JSON shape) for one kind."""
    kinds = [kind] if kind else list(CODE_FILES)
    created = updated = 0
    with acting(actor):
        for table in kinds:
            data = json.loads(extra_file.read_text(encoding="utf-8")) if extra_file else load_code_file(table)
            existing = {c.code: c for c in CodeItem.objects.filter(kind=table)}
            for sort, item in enumerate(data["items"]):
                code = str(item["code"])
                if not code or not item.get("name"):
                    raise BusinessError("代码表文件第 %(n)s 项缺少代码或名称。" % {"n": sort + 1}, code="invalid")
                entry = existing.get(code)
                if entry is None:
                    CodeItem(kind=table, code=code, name=item["name"], parent_code=item.get("parent", ""),
                             level=item.get("level", 1), edition=data["edition"], sort=sort).save()
                    created += 1
                elif entry.name != item["name"]:
                    entry.name = item["name"]
                    entry.save(update_fields=["name"])
                    updated += 1
    log_operation(actor=actor, action=actions.CODE_LOAD, extra={"kinds": kinds, "created": created, "updated": updated})
    return {"created": created, "updated": updated}


@transaction.atomic
def code_set_active(*, actor: Any, item: CodeItem, active: bool) -> CodeItem:
    """Disable or re-enable one code (codes are never deleted)."""
    if not actor.has_perm("core.change_codeitem"):
        raise BusinessError("您没有维护代码表的权限。", code="forbidden")
    item.is_active = active
    with acting(actor):
        item.save(update_fields=["is_active"])
    log_operation(actor=actor, action=actions.CODE_TOGGLE, target=item, extra={"active": active})
    return item

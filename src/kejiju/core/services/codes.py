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
    """The shipped JSON of one code table (``{"edition", "items": [{"code", "name", "parent", "level"}]}``)."""
    with open(DATA_DIR / CODE_FILES[kind], encoding="utf-8") as handle:
        data: dict[str, Any] = json.load(handle)
    return data


def _read_extra_file(path: Path) -> dict[str, Any]:
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise BusinessError("代码表文件 %(path)s 不存在。" % {"path": path}, code="not_found", field="file")
    except (OSError, UnicodeDecodeError):
        raise BusinessError(
            "无法读取代码表文件 %(path)s，请确认是 UTF-8 编码的 JSON 文件。" % {"path": path},
            code="unreadable",
            field="file",
        )
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BusinessError(
            "代码表文件不是有效的 JSON（第 %(line)s 行附近有误）。" % {"line": exc.lineno},
            code="invalid_json",
            field="file",
        )
    if not isinstance(data, dict) or not isinstance(data.get("items"), list):
        raise BusinessError("代码表文件格式有误：应为含 edition 与 items 的 JSON 对象。", code="invalid", field="file")
    return data


def _validate_items(data: dict[str, Any], known: set[str]) -> list[dict[str, Any]]:
    """Check every item before anything is written: code and name present, code at most 10
    characters, no duplicates, level a positive integer, parent known (already loaded or earlier
    in the file). Returns the items with normalised values."""
    edition = str(data.get("edition") or "").strip()
    if not edition or len(edition) > 30:
        raise BusinessError("代码表文件缺少版本（edition），或版本超过 30 个字。", code="invalid", field="file")
    seen: set[str] = set()
    result = []
    for number, item in enumerate(data["items"], start=1):
        if not isinstance(item, dict):
            raise BusinessError("代码表文件第 %(n)s 项格式有误。" % {"n": number}, code="invalid", field="file")
        code = str(item.get("code") or "").strip()
        name = str(item.get("name") or "").strip()
        parent = str(item.get("parent") or "").strip()
        if not code or not name:
            raise BusinessError("代码表文件第 %(n)s 项缺少代码或名称。" % {"n": number}, code="invalid", field="file")
        if len(code) > 10 or len(name) > 100:
            raise BusinessError(
                "代码表文件第 %(n)s 项（%(code)s）代码超过 10 位或名称超过 100 字。" % {"n": number, "code": code[:20]},
                code="invalid",
                field="file",
            )
        if code in seen:
            raise BusinessError(
                "代码表文件第 %(n)s 项代码 %(code)s 重复。" % {"n": number, "code": code},
                code="duplicate",
                field="file",
            )
        if parent and parent not in seen and parent not in known:
            raise BusinessError(
                "代码表文件第 %(n)s 项（%(code)s）的上级代码 %(parent)s 不存在。"
                % {"n": number, "code": code, "parent": parent},
                code="no_parent",
                field="file",
            )
        try:
            level = int(item.get("level", 1))
        except (TypeError, ValueError):
            level = 0
        if level < 1 or level > 9:
            raise BusinessError(
                "代码表文件第 %(n)s 项（%(code)s）的层级应为 1–9 的整数。" % {"n": number, "code": code},
                code="invalid",
                field="file",
            )
        seen.add(code)
        result.append({"code": code, "name": name, "parent": parent, "level": level, "edition": edition})
    return result


@transaction.atomic
def codes_load(*, actor: Any, kind: str | None = None, extra_file: Path | None = None) -> dict[str, int]:
    """Create the entries of the shipped code tables that are missing and refresh their names;
    never deletes and never re-enables a disabled entry (house rule 6). ``extra_file`` loads
    deeper levels (same JSON shape) into the one table named by ``kind``. The whole file is
    checked first, so a bad file changes nothing; raises ``BusinessError`` naming the item."""
    if kind is not None and kind not in CODE_FILES:
        raise BusinessError(
            "未知的代码表“%(kind)s”，可选：%(kinds)s。" % {"kind": kind, "kinds": "、".join(CODE_FILES)},
            code="invalid",
            field="kind",
        )
    if extra_file is not None and kind is None:
        raise BusinessError("载入补充文件时须指明代码表（--kind）。", code="required", field="kind")
    kinds = [kind] if kind else list(CODE_FILES)
    created = updated = 0
    plans = []
    for table in kinds:
        data = _read_extra_file(extra_file) if extra_file else load_code_file(table)
        existing = {c.code: c for c in CodeItem.objects.filter(kind=table)}
        plans.append((table, _validate_items(data, set(existing)), existing))
    with acting(actor):
        for table, items, existing in plans:
            next_sort = max((c.sort for c in existing.values()), default=-1) + 1
            for item in items:
                entry = existing.get(item["code"])
                if entry is None:
                    parent = existing.get(item["parent"]) if item["parent"] else None
                    if parent is not None and item["code"].startswith(parent.code):
                        # nested codes (中类 0131 under 大类 01, 二级学科 41320 under 413) share their
                        # parent's sort and then order by code, which is the tree order
                        sort = parent.sort
                    else:
                        sort, next_sort = next_sort, next_sort + 1
                    entry = CodeItem(
                        kind=table,
                        code=item["code"],
                        name=item["name"],
                        parent_code=item["parent"],
                        level=item["level"],
                        edition=item["edition"],
                        sort=sort,
                    )
                    entry.save()
                    existing[item["code"]] = entry
                    created += 1
                elif entry.name != item["name"]:
                    entry.name = item["name"]
                    entry.save(update_fields=["name"])
                    updated += 1
    log_operation(
        actor=actor,
        action=actions.CODE_LOAD,
        extra={
            "kinds": kinds,
            "created": created,
            "updated": updated,
            "file": str(extra_file.name) if extra_file else "",
        },
    )
    return {"created": created, "updated": updated}


@transaction.atomic
def code_set_active(*, actor: Any, item: CodeItem, active: bool) -> CodeItem:
    """Disable or re-enable one code. Codes are never deleted, so records carrying a disabled
    code keep showing its name. Raises ``BusinessError`` without ``core.change_codeitem``; a
    request for the state the code is already in changes nothing."""
    if actor is None or not actor.has_perm("core.change_codeitem"):
        raise BusinessError("您没有维护代码表的权限。", code="forbidden")
    item = CodeItem.objects.select_for_update().get(pk=item.pk)
    if item.is_active == active:
        return item
    item.is_active = active
    with acting(actor, reason="启用代码" if active else "停用代码"):
        item.save(update_fields=["is_active"])
    log_operation(
        actor=actor,
        action=actions.CODE_TOGGLE,
        target=item,
        extra={"kind": item.kind, "code": item.code, "active": active},
    )
    return item

"""Attachments: checked, hashed and stored outside the web root; read only after a permission check."""

from __future__ import annotations

import hashlib
import logging
import os
import secrets
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.db import transaction
from django.db.models import Model

from kejiju.core import actions
from kejiju.core.audit import log_operation
from kejiju.core.errors import BusinessError
from kejiju.core.history import acting
from kejiju.core.models import Attachment, Region
from kejiju.core.permissions import can_act, can_manage_region
from kejiju.engines.filetypes import DEFAULT_ALLOWED, check_upload

logger = logging.getLogger(__name__)


def storage_path(storage_name: str) -> Path:
    """Where an attachment's bytes live: two levels of fan-out under ``KEJIJU_FILES_DIR``."""
    return Path(settings.KEJIJU_FILES_DIR) / storage_name[:2] / storage_name[2:4] / storage_name


def _limit_text(limit: int) -> str:
    if limit >= 1024 * 1024:
        return "%(n)g MB" % {"n": round(limit / (1024 * 1024), 1)}
    if limit >= 1024:
        return "%(n)g KB" % {"n": round(limit / 1024, 1)}
    return "%(n)s 字节" % {"n": limit}


def _read_limited(fileobj: IO[bytes], limit: int) -> bytes:
    """Read at most ``limit`` bytes; one byte more means the file is too large (nothing stored)."""
    if hasattr(fileobj, "seek"):
        fileobj.seek(0)
    data = fileobj.read(limit + 1)
    if len(data) > limit:
        raise BusinessError(
            "文件超过大小上限 %(limit)s，请压缩或拆分后再上传。" % {"limit": _limit_text(limit)},
            code="too_large",
            field="file",
        )
    return data


def _clean_name(name: str) -> str:
    """The file name without any path, at most 200 characters, keeping its extension."""
    base = os.path.basename((name or "").replace("\\", "/")).strip() or "未命名"
    if len(base) > 200:
        stem, dot, ext = base.rpartition(".")
        base = stem[: 200 - len(ext) - 1] + dot + ext if dot and len(ext) <= 10 else base[:200]
    return base


def attachment_create(
    *,
    actor: Any,
    fileobj: IO[bytes],
    name: str,
    region: Region | str,
    owner: Model | None = None,
    purpose: str = "",
    allowed: frozenset[str] = DEFAULT_ALLOWED,
    max_bytes: int | None = None,
) -> Attachment:
    """Store an upload. Refuses (with a Chinese reason, storing nothing) a file over the size
    limit, a type outside ``allowed``, content that does not match its extension, or a region
    outside the actor's scope."""
    region_code = str(getattr(region, "code", region) or "")
    if actor is not None and not can_act(actor, "core.add_attachment"):
        raise BusinessError("您没有上传附件的权限。", code="forbidden")
    if not region_code:
        raise BusinessError("请选择所属区划。", code="required", field="region")
    if actor is not None and not can_manage_region(actor, region_code):
        raise BusinessError("所选区划不在您的管辖范围内。", code="out_of_scope", field="region")
    if not Region.objects.filter(code=region_code).exists():
        raise BusinessError("所选区划不存在。", code="not_found", field="region")
    purpose = (purpose or "").strip()
    if len(purpose) > 60:
        raise BusinessError("用途最多 60 个字。", code="too_long", field="purpose")
    limit = max_bytes or settings.KEJIJU_ATTACHMENT_MAX_BYTES
    data = _read_limited(fileobj, limit)
    base = _clean_name(name)
    result = check_upload(base, data, allowed)
    if not result.ok:
        raise BusinessError(result.reason, code="bad_type", field="file")
    digest = hashlib.sha256(data).hexdigest()
    storage_name = secrets.token_hex(20)
    path = storage_path(storage_name)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".part")
    try:
        with open(tmp, "wb") as out:
            out.write(data)
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except OSError:
        tmp.unlink(missing_ok=True)
        logger.exception("attachment store failed")
        raise BusinessError("附件保存失败（存储空间不可写或已满），请联系管理员。", code="storage", field="file")
    try:
        with transaction.atomic():
            attachment = Attachment(
                region_id=region_code,
                purpose=purpose,
                original_name=base,
                kind=result.kind,
                mime_type=result.mime,
                size=len(data),
                sha256=digest,
                storage_name=storage_name,
                uploaded_by=actor,
            )
            if owner is not None:
                attachment.owner = owner
            with acting(actor):
                attachment.save()
            log_operation(
                actor=actor,
                action=actions.ATTACHMENT_UPLOAD,
                target=attachment,
                extra={"sha256": digest, "size": len(data), "kind": result.kind},
            )
    except Exception:
        path.unlink(missing_ok=True)
        raise
    return attachment


def attachment_open(*, actor: Any, attachment: Attachment, ip_address: str | None = None) -> IO[bytes]:
    """Open an attachment's bytes for download after checking permission and scope; logged as
    ``core.attachment_download``.

    Raises ``BusinessError`` with code ``not_found`` when the actor may not see it, ``missing``
    when the stored file is gone, and ``integrity`` when the stored bytes no longer have the
    recorded SHA-256 (a tampered or damaged file is never served)."""
    if not can_act(actor, "core.view_attachment", attachment):
        raise BusinessError("附件不存在。", code="not_found")
    path = storage_path(attachment.storage_name)
    if not path.exists():
        raise BusinessError("附件文件已丢失，请联系管理员从备份恢复。", code="missing")
    if not attachment_verify(attachment):
        logger.warning("attachment %s failed the SHA-256 integrity check", attachment.pk)
        raise BusinessError(
            "附件“%(name)s”完整性校验失败（SHA-256 与上传时不一致），文件可能已损坏或被篡改，已拒绝下载。请联系管理员从备份恢复。"
            % {"name": attachment.original_name},
            code="integrity",
        )
    handle = open(path, "rb")  # closed by the response after streaming
    log_operation(
        actor=actor,
        action=actions.ATTACHMENT_DOWNLOAD,
        target=attachment,
        ip_address=ip_address,
        extra={"sha256": attachment.sha256},
    )
    return handle


def attachment_verify(attachment: Attachment) -> bool:
    """Whether the stored bytes still have the recorded SHA-256."""
    path = storage_path(attachment.storage_name)
    if not path.exists():
        return False
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest() == attachment.sha256


def can_archive_attachment(user: Any, attachment: Attachment) -> bool:
    """Who may archive an attachment: a user with ``core.change_attachment`` within its region,
    or its uploader while it is still visible to them."""
    if can_act(user, "core.change_attachment", attachment):
        return True
    return (
        bool(getattr(user, "pk", None))
        and attachment.uploaded_by_id == user.pk
        and can_act(user, "core.view_attachment", attachment)
    )


@transaction.atomic
def attachment_archive(*, actor: Any, attachment: Attachment) -> Attachment:
    """Archive (hide) an attachment; the file is kept (house rule 6). Raises ``BusinessError``
    when the actor may not archive it or it is archived already."""
    if not can_archive_attachment(actor, attachment):
        raise BusinessError("您没有归档该附件的权限。", code="forbidden")
    attachment = Attachment.objects.select_for_update().get(pk=attachment.pk)
    if attachment.is_archived:
        raise BusinessError("该附件已归档。", code="already_archived")
    attachment.is_archived = True
    with acting(actor):
        attachment.save(update_fields=["is_archived"])
    log_operation(actor=actor, action=actions.ATTACHMENT_ARCHIVE, target=attachment)
    return attachment

"""Attachments: checked, hashed and stored outside the web root; read only after a permission check."""

from __future__ import annotations

import hashlib
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


def storage_path(storage_name: str) -> Path:
    """Where an attachment's bytes live: two levels of fan-out under ``KEJIJU_FILES_DIR``."""
    return Path(settings.KEJIJU_FILES_DIR) / storage_name[:2] / storage_name[2:4] / storage_name


def _read_limited(fileobj: IO[bytes], limit: int) -> bytes:
    data = fileobj.read(limit + 1)
    if len(data) > limit:
        raise BusinessError(
            "文件超过大小上限 %(mb)s MB。" % {"mb": limit // (1024 * 1024)}, code="too_large", field="file"
        )
    return data


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
    region_code = getattr(region, "code", region)
    if actor is not None and not can_act(actor, "core.add_attachment"):
        raise BusinessError("您没有上传附件的权限。", code="forbidden")
    if actor is not None and not can_manage_region(actor, str(region_code)):
        raise BusinessError("所选区划不在您的管辖范围内。", code="out_of_scope", field="region")
    limit = max_bytes or settings.KEJIJU_ATTACHMENT_MAX_BYTES
    data = _read_limited(fileobj, limit)
    base = os.path.basename((name or "").replace("\\", "/")).strip()[:200] or "未命名"
    result = check_upload(base, data, allowed)
    if not result.ok:
        raise BusinessError(result.reason, code="bad_type", field="file")
    digest = hashlib.sha256(data).hexdigest()
    storage_name = secrets.token_hex(20)
    path = storage_path(storage_name)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".part")
    with open(tmp, "wb") as out:
        out.write(data)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)
    try:
        with transaction.atomic():
            attachment = Attachment(
                region_id=region_code,
                purpose=purpose[:60],
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
            log_operation(actor=actor, action=actions.ATTACHMENT_UPLOAD, target=attachment,
                          extra={"sha256": digest, "size": len(data), "kind": result.kind})
    except Exception:
        path.unlink(missing_ok=True)
        raise
    return attachment


def attachment_open(*, actor: Any, attachment: Attachment) -> IO[bytes]:
    """Open an attachment's bytes for download after checking permission and scope, verifying
    the stored SHA-256; logged as ``core.attachment_download``."""
    if not can_act(actor, "core.view_attachment", attachment):
        raise BusinessError("附件不存在。", code="not_found")
    path = storage_path(attachment.storage_name)
    if not path.exists():
        raise BusinessError("附件文件已丢失，请联系管理员从备份恢复。", code="missing")
    log_operation(actor=actor, action=actions.ATTACHMENT_DOWNLOAD, target=attachment)
    return open(path, "rb")


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


@transaction.atomic
def attachment_archive(*, actor: Any, attachment: Attachment) -> Attachment:
    """Archive (hide) an attachment; the file is kept."""
    if not can_act(actor, "core.change_attachment", attachment) and attachment.uploaded_by_id != actor.pk:
        raise BusinessError("您没有归档该附件的权限。", code="forbidden")
    attachment.is_archived = True
    with acting(actor):
        attachment.save(update_fields=["is_archived"])
    log_operation(actor=actor, action=actions.ATTACHMENT_ARCHIVE, target=attachment)
    return attachment

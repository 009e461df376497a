"""Attachments: checked, hashed and stored outside the web root; read only after a permission check.

No orphan files. The bytes are written before the row is saved, usually inside the caller's
``transaction.atomic``; when that transaction (or the savepoint around the upload) later rolls
back, the row disappears and the file would stay. Two layers keep the store clean:

* at once, in process: :func:`attachment_create` remembers, per database connection, every file
  it wrote inside a transaction that is still open, with an ``on_commit`` hook that marks it
  committed. Django has no rollback hook, so :func:`attachment_discard_unsaved` looks afterwards:
  a file whose hook neither ran nor is still queued probably belongs to a transaction (or
  savepoint) that rolled back. Probably only: while Django runs the hooks of a commit, or after
  an earlier hook raised, or when a commit reported as failed was applied after all, a
  committed file's hook is in neither state. So such a file is deleted only after the database
  confirms, on the same connection, that no attachment row names it; never on the hooks' word
  alone. It runs at the end of every request and at the start of every upload (no database
  query unless something was rolled back), and may be called by any service or command;
* for what the process could not clean (a crash, a killed worker, a file stored by a command
  that ended without another upload): ``kejiju attachments prune`` (:func:`attachment_prune`),
  run daily, deletes stored files and ``.part`` leftovers that no attachment row references and
  that are older than a grace period.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import secrets
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, cast

from django.conf import settings
from django.core.signals import request_finished
from django.db import DatabaseError, router, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
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


# --------------------------------------------------------------------------- no orphan files

#: Attribute of a database connection holding the files written in its open transaction.
_UNSAVED_ATTR = "kejiju_unsaved_attachment_files"
#: Suffix of the temporary file :func:`attachment_create` writes before renaming it into place.
PART_SUFFIX = ".part"


@dataclass(eq=False)
class _WrittenFile:
    """A file stored inside a transaction that had not ended yet."""

    path: Path
    storage_name: str
    committed: bool = False
    hook: Callable[[], None] = field(init=False, repr=False)


def _unsaved(conn: BaseDatabaseWrapper) -> list[_WrittenFile]:
    pending: list[_WrittenFile] | None = getattr(conn, _UNSAVED_ATTR, None)
    if pending is None:
        pending = []
        setattr(conn, _UNSAVED_ATTR, pending)
    return pending


def _queued_hooks(conn: BaseDatabaseWrapper) -> list[Callable[[], None]]:
    """The connection's queued ``on_commit`` hooks; Django keeps them as (savepoint ids,
    function, robust) in ``run_on_commit``."""
    queue = cast("list[tuple[Any, Callable[[], None], bool]]", conn.run_on_commit)
    return [func for _sids, func, _robust in queue]


def _remember_unsaved(conn: BaseDatabaseWrapper, path: Path, storage_name: str) -> None:
    """Track ``path`` until the transaction around it commits (the hook forgets it then)."""
    pending = _unsaved(conn)
    entry = _WrittenFile(path=path, storage_name=storage_name)

    def committed() -> None:
        entry.committed = True
        if entry in pending:
            pending.remove(entry)

    entry.hook = committed
    pending.append(entry)
    transaction.on_commit(committed, using=conn.alias, robust=True)


def _delete_unsaved(entry: _WrittenFile) -> bool:
    try:
        entry.path.unlink()
    except FileNotFoundError:  # the caller cleaned up itself
        return False
    except OSError:
        logger.exception("could not delete unsaved attachment file %s", entry.path)
        return False
    return True


def _named_by_rows(conn: BaseDatabaseWrapper, names: list[str]) -> set[str] | None:
    """Which of ``names`` an attachment row names, as this connection sees it (its own open
    transaction included); ``None`` when the database cannot be asked now."""
    if conn.in_atomic_block and conn.needs_rollback:
        return None  # no query is possible until the block ends; ask again then
    rows = Attachment.objects.using(conn.alias)

    def lookup() -> set[str]:
        found: set[str] = set()
        for start in range(0, len(names), _PRUNE_BATCH):  # a bulk rollback: stay under SQLite's variable limit
            chunk = names[start : start + _PRUNE_BATCH]
            found.update(rows.filter(storage_name__in=chunk).values_list("storage_name", flat=True))
        return found

    try:
        if not conn.in_atomic_block:
            return lookup()
        with transaction.atomic(using=conn.alias):  # a failure must not break the caller's transaction
            return lookup()
    except DatabaseError:
        logger.exception("could not check attachment files of ended transactions")
        return None


def attachment_discard_unsaved(using: str | None = None) -> int:
    """Delete the files stored by :func:`attachment_create` whose transaction has rolled back;
    returns how many were deleted.

    A file is a candidate when its commit hook did not run and is no longer queued on the
    connection: Django drops the queued hooks of a savepoint or transaction that rolls back.
    That alone does not prove a rollback: after a commit Django takes the whole queue off the
    connection before running it, so while an earlier hook runs (and stores an upload, say),
    or after an earlier hook raised, a committed file's hook is neither run nor queued; and a
    commit reported as failed may still have been applied. So a candidate is deleted only when
    no attachment row names it, as this connection sees it: one query, made only when there is
    a candidate (after a rollback); with nothing pending, or everything still queued, no query.
    When the database cannot be asked (a transaction already marked for rollback, a database
    error) the files wait for the next call. Never raises: what cannot be deleted is logged and
    left to ``kejiju attachments prune``."""
    conn = transaction.get_connection(using or router.db_for_write(Attachment))
    pending: list[_WrittenFile] | None = getattr(conn, _UNSAVED_ATTR, None)
    if not pending:
        return 0
    # A file of another store (the setting changed since, as each test does) is not this
    # store's to delete: forget it, without a query.
    root = Path(settings.KEJIJU_FILES_DIR)
    pending[:] = [e for e in pending if e.path.parents[2] == root]
    # Read the queue even outside an atomic block: with autocommit off, the hooks of an ended
    # block wait there for the manual commit.
    queued = {id(func) for func in _queued_hooks(conn)}
    ended = [e for e in pending if not e.committed and id(e.hook) not in queued]
    if not ended:
        return 0
    named = _named_by_rows(conn, [e.storage_name for e in ended])
    if named is None:
        return 0
    deleted = 0
    for entry in ended:
        pending.remove(entry)
        if entry.storage_name not in named:  # a row names it: committed after all, keep it
            deleted += _delete_unsaved(entry)
    if deleted:
        logger.info("deleted %d attachment file(s) of rolled-back transactions", deleted)
    return deleted


def _discard_after_request(**_kwargs: Any) -> None:
    attachment_discard_unsaved()


# Every request's transactions have ended when it finishes.
request_finished.connect(_discard_after_request, dispatch_uid="kejiju.core.attachments.discard_unsaved")


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
    outside the actor's scope.

    Called inside the caller's transaction, the stored file is deleted again when that
    transaction rolls back (see :func:`attachment_discard_unsaved`)."""
    attachment_discard_unsaved()
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
    tmp = path.with_name(storage_name + PART_SUFFIX)
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
    conn = transaction.get_connection(router.db_for_write(Attachment))
    if conn.in_atomic_block:
        _remember_unsaved(conn, path, storage_name)
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
        _log_refusal(actor, attachment, ip_address, "missing")
        raise BusinessError("附件文件已丢失，请联系管理员从备份恢复。", code="missing")
    if not attachment_verify(attachment):
        logger.warning("attachment %s failed the SHA-256 integrity check", attachment.pk)
        _log_refusal(actor, attachment, ip_address, "integrity")
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


def _log_refusal(actor: Any, attachment: Attachment, ip_address: str | None, reason: str) -> None:
    """Record a refused download in the operation log, so that a lost or damaged file is seen by
    whoever reads the log, not only in the server's log. Written in its own transaction: the
    refusal raised after it must not take the row with it."""
    with transaction.atomic():
        log_operation(
            actor=actor,
            action=actions.ATTACHMENT_REFUSED,
            target=attachment,
            ip_address=ip_address,
            extra={"reason": reason, "sha256": attachment.sha256},
        )


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


# --------------------------------------------------------------------------- prune

#: Bounds of the grace period of :func:`attachment_prune`, in hours: never less than one hour,
#: so a file being written (its row not yet committed) is never taken for an orphan.
PRUNE_MIN_HOURS = 1
PRUNE_MAX_HOURS = 24 * 3650
PRUNE_DEFAULT_HOURS = 24
_PRUNE_BATCH = 500
_FAN_OUT = re.compile(r"^[0-9A-Za-z]{2}$")


@dataclass(frozen=True)
class PruneResult:
    """What :func:`attachment_prune` found (``dry_run``: would delete) and deleted."""

    dry_run: bool
    older_than_hours: int
    checked: int
    orphans: int
    orphan_bytes: int
    partials: int
    partial_bytes: int
    deleted: int
    deleted_bytes: int
    young: int
    failed: int


def _store_files(root: Path) -> Iterator[tuple[Path, str, bool]]:
    """(path, storage name, is a ``.part`` leftover) of every file laid out as
    :func:`storage_path` lays them out (``ab/cd/abcd…``). Anything else under the store (the
    ``imports/`` area, a backup archive written there) is not an attachment file and is skipped."""
    if not root.is_dir():
        return
    for first in sorted(root.iterdir()):
        if not _FAN_OUT.match(first.name) or first.is_symlink() or not first.is_dir():
            continue
        for second in sorted(first.iterdir()):
            if not _FAN_OUT.match(second.name) or second.is_symlink() or not second.is_dir():
                continue
            prefix = first.name + second.name
            for path in sorted(second.iterdir()):
                name = path.name
                partial = name.endswith(PART_SUFFIX)
                storage_name = name[: -len(PART_SUFFIX)] if partial else name
                if len(storage_name) <= len(prefix) or not storage_name.startswith(prefix):
                    continue
                if path.is_symlink() or not path.is_file():
                    continue
                yield path, storage_name, partial


def _referenced(names: list[str]) -> set[str]:
    """Which of ``names`` an attachment row names: live rows, archived ones included, and the
    field-history rows (a restore brings back the files of every row a backup holds)."""
    found = set(Attachment.objects.filter(storage_name__in=names).values_list("storage_name", flat=True))
    history = Attachment.history.model.objects.filter(storage_name__in=names)  # type: ignore[attr-defined]
    found.update(history.values_list("storage_name", flat=True))
    return found


def _check_prune_hours(value: Any) -> int:
    text = str(value).strip()
    try:
        hours = int(text)
    except ValueError:
        hours = None
    if hours is None or not PRUNE_MIN_HOURS <= hours <= PRUNE_MAX_HOURS:
        raise BusinessError(
            "宽限时间须为 %(lo)s 到 %(hi)s 之间的整数（小时），收到“%(v)s”。"
            % {"lo": PRUNE_MIN_HOURS, "hi": PRUNE_MAX_HOURS, "v": text},
            code="invalid",
            field="older_than_hours",
        )
    return hours


def attachment_prune(
    *, actor: Any, older_than_hours: int | str = PRUNE_DEFAULT_HOURS, dry_run: bool = False
) -> PruneResult:
    """Delete orphan files of the attachment store: stored files no attachment row names (live,
    archived or in field history) and ``.part`` leftovers of interrupted uploads, last modified
    more than ``older_than_hours`` ago. Younger files are never touched: an upload in progress
    writes its file before its row is committed. Files outside the store layout are left alone.

    ``dry_run`` only counts. A real run writes ``core.attachment_prune`` to the operation log with
    the counts. Only a system administrator (or the system, ``actor=None``) may prune; a bad grace
    period raises :class:`BusinessError` before anything is looked at. Files cannot take part in
    a transaction: each is checked against the database just before it is deleted, in batches."""
    if actor is not None and not getattr(actor, "is_superuser", False):
        raise BusinessError("只有系统管理员可以清理附件文件。", code="forbidden")
    hours = _check_prune_hours(older_than_hours)
    limit = time.time() - hours * 3600
    counts = dict(checked=0, orphans=0, orphan_bytes=0, partials=0, partial_bytes=0)
    counts.update(deleted=0, deleted_bytes=0, young=0, failed=0)

    def remove(path: Path, size: int) -> None:
        if dry_run:
            return
        try:
            # Checked again just before: a file touched since it was listed is not an orphan yet.
            if path.stat().st_mtime >= limit:
                return
            path.unlink()
        except FileNotFoundError:
            return
        except OSError:
            logger.exception("could not delete orphan attachment file %s", path)
            counts["failed"] += 1
            return
        counts["deleted"] += 1
        counts["deleted_bytes"] += size

    def settle(batch: list[tuple[Path, str, int]]) -> None:
        referenced = _referenced([name for _path, name, _size in batch])
        for path, name, size in batch:
            if name in referenced:
                continue
            counts["orphans"] += 1
            counts["orphan_bytes"] += size
            remove(path, size)

    batch: list[tuple[Path, str, int]] = []
    for path, storage_name, partial in _store_files(Path(settings.KEJIJU_FILES_DIR)):
        try:
            stat = path.stat()
        except FileNotFoundError:
            continue
        counts["checked"] += 1
        if stat.st_mtime >= limit:
            counts["young"] += 1
            continue
        if partial:
            # The temporary name of an upload: never referenced, renamed within the upload itself.
            counts["partials"] += 1
            counts["partial_bytes"] += stat.st_size
            remove(path, stat.st_size)
            continue
        batch.append((path, storage_name, stat.st_size))
        if len(batch) >= _PRUNE_BATCH:
            settle(batch)
            batch = []
    if batch:
        settle(batch)
    result = PruneResult(dry_run=dry_run, older_than_hours=hours, **counts)
    if not dry_run:
        with transaction.atomic():
            log_operation(
                actor=actor,
                action=actions.ATTACHMENT_PRUNE,
                extra={
                    "older_than_hours": hours,
                    "checked": result.checked,
                    "orphans": result.orphans,
                    "partials": result.partials,
                    "deleted": result.deleted,
                    "deleted_bytes": result.deleted_bytes,
                    "failed": result.failed,
                },
            )
    return result

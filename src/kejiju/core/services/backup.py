"""Backup and restore of the whole deployment: the database and every attachment file.

The archive is one gzip-compressed tar file (``.tar.gz``) holding

* ``database/kejiju.sqlite3`` (SQLite: a consistent copy taken with the sqlite3 online backup
  API while the platform runs) or ``database/kejiju.pgdump`` (PostgreSQL: ``pg_dump
  --format=custom``);
* ``files/…``: every file under ``KEJIJU_FILES_DIR``, at its relative path;
* ``manifest.json`` (last member): format, kejiju version, creation time, database engine,
  the applied Django migrations, and the path, size and SHA-256 of every other member.

Restoring verifies everything first (manifest, every SHA-256 and size, no unlisted or unsafe
members, the database dump readable, same engine, no migrations unknown to this version) and
changes nothing when anything is wrong. Then the database is replaced (SQLite: the online
backup API copies the archived database into the live file in one locked step, which is atomic
and WAL-safe; PostgreSQL: ``pg_restore --clean --if-exists --no-owner --single-transaction``)
and the attachment directory is swapped for the archived one. Both functions work on the
active connection (``django.db.connection.settings_dict``), so under the test runner they
operate on the test database.
"""

from __future__ import annotations

import glob
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection, connections, transaction
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

import kejiju
from kejiju.core import actions
from kejiju.core.audit import log_operation
from kejiju.core.errors import BusinessError

ARCHIVE_FORMAT = "kejiju-backup"
FORMAT_VERSION = 1
MANIFEST_NAME = "manifest.json"
FILES_PREFIX = "files/"
DATABASE_MEMBERS = {"sqlite": "database/kejiju.sqlite3", "postgresql": "database/kejiju.pgdump"}
ENGINE_LABELS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
_CHUNK = 1 << 20
#: libpq connection options Django passes through ``OPTIONS`` and the variables that carry them.
_PG_OPTION_ENV = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "options": "PGOPTIONS",
    "application_name": "PGAPPNAME",
    "service": "PGSERVICE",
    "passfile": "PGPASSFILE",
    "target_session_attrs": "PGTARGETSESSIONATTRS",
}


@dataclass(frozen=True)
class BackupResult:
    """What :func:`backup_create` wrote."""

    path: Path
    size: int
    sha256: str
    engine: str
    database_bytes: int
    files: int
    files_bytes: int


@dataclass(frozen=True)
class RestoreResult:
    """What :func:`backup_restore` restored; ``pending_migrations`` are migrations of this
    version the backup predates (run ``kejiju migrate`` after restoring)."""

    path: Path
    created_at: str
    kejiju_version: str
    engine: str
    files: int
    database_bytes: int
    pending_migrations: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- helpers


class _HashingReader:
    """Wraps a binary file: counts and hashes the bytes as tarfile copies them."""

    def __init__(self, handle: IO[bytes]) -> None:
        self.handle = handle
        self.digest = hashlib.sha256()
        self.size = 0

    def read(self, n: int = -1) -> bytes:
        data = self.handle.read(n)
        self.digest.update(data)
        self.size += len(data)
        return data


def _check_actor(actor: Any) -> None:
    # actor=None is the system itself (the management commands, run by the server's operator).
    if actor is not None and not getattr(actor, "is_superuser", False):
        raise BusinessError("只有系统管理员可以备份或恢复数据。", code="forbidden")


def _engine() -> str:
    vendor = connection.vendor
    if vendor not in DATABASE_MEMBERS:
        raise BusinessError(
            "不支持备份 %(vendor)s 数据库，仅支持 SQLite 和 PostgreSQL。" % {"vendor": vendor}, code="unsupported"
        )
    return vendor


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _files_dir() -> Path:
    return Path(settings.KEJIJU_FILES_DIR)


def _iter_files(root: Path, exclude: set[Path]) -> Iterator[tuple[str, Path]]:
    """(relative POSIX path, absolute path) of every regular file under ``root``, sorted."""
    if not root.is_dir():
        return
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames):
            path = Path(dirpath) / name
            if path.is_symlink() or not path.is_file() or path.resolve() in exclude:
                continue
            yield path.relative_to(root).as_posix(), path


def _applied_migrations() -> list[list[str]]:
    return sorted([app, name] for app, name in MigrationRecorder(connection).applied_migrations())


def _known_migrations() -> set[tuple[str, str]]:
    return set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    # Debian installs the versioned binaries outside PATH when only the server package is present.
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/" + name),
        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0,
    )
    if candidates:
        return candidates[-1]
    raise BusinessError(
        "未找到 %(tool)s，请先安装 PostgreSQL 客户端（Debian：apt install postgresql-client）。" % {"tool": name},
        code="missing_tool",
    )


def _pg_env(db: dict[str, Any]) -> dict[str, str]:
    """The libpq environment for the active connection: the password travels in PGPASSWORD,
    never on a command line (visible to every user in the process list)."""
    env = dict(os.environ)
    for key, var in (
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
        ("NAME", "PGDATABASE"),
    ):
        if db.get(key):
            env[var] = str(db[key])
    for option, var in _PG_OPTION_ENV.items():
        value = (db.get("OPTIONS") or {}).get(option)
        if value not in (None, ""):
            env[var] = str(value)
    return env


def _run_pg(args: list[str], db: dict[str, Any], what: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(args, env=_pg_env(db), capture_output=True, text=True, check=False)
    if result.returncode != 0:
        detail = (result.stderr or result.stdout or "").strip().splitlines()[-3:]
        raise BusinessError(
            "%(what)s失败：%(detail)s。" % {"what": what, "detail": " ".join(detail) or "未知错误"}, code="database"
        )
    return result


def _sqlite_is_memory() -> bool:
    return bool(connection.is_in_memory_db())  # type: ignore[attr-defined]


# --------------------------------------------------------------------------- backup


def _dump_sqlite(dest: Path) -> None:
    """A consistent copy through the online backup API. A file database is read through a
    connection of its own, so the copy holds committed data only."""
    if _sqlite_is_memory():
        # The test runner's in-memory database exists only inside Django's connection, which
        # cannot be copied while it holds an open transaction (the copy would wait forever).
        if connection.in_atomic_block:
            raise BusinessError("不能在数据库事务中备份内存数据库。", code="invalid")
        connection.ensure_connection()
        source = connection.connection
        close_source = False
    else:
        source = sqlite3.connect(str(connection.settings_dict["NAME"]), timeout=20)
        close_source = True
    target = sqlite3.connect(str(dest))
    try:
        source.backup(target)
        # Self-contained file: no -wal/-shm companions needed to read it.
        target.execute("PRAGMA journal_mode=DELETE")
    finally:
        target.close()
        if close_source:
            source.close()


def _dump_postgresql(dest: Path) -> None:
    db = connection.settings_dict
    _run_pg([_pg_tool("pg_dump"), "--format=custom", "--no-password", "--file", str(dest)], db, "pg_dump 导出数据库")


def _add_member(tar: tarfile.TarFile, name: str, path: Path) -> dict[str, Any]:
    stat = path.stat()
    info = tarfile.TarInfo(name)
    info.size = stat.st_size
    info.mtime = int(stat.st_mtime)
    info.mode = 0o600
    with open(path, "rb") as handle:
        reader = _HashingReader(handle)
        tar.addfile(info, reader)  # type: ignore[arg-type]
    return {"path": name, "size": reader.size, "sha256": reader.digest.hexdigest()}


def backup_create(*, actor: Any, path: str | os.PathLike[str]) -> BackupResult:
    """Write a backup archive (gzip tar) of the database and every attachment file to ``path``.

    The archive is written under a temporary name and renamed when complete, so ``path`` never
    holds half an archive. Only a system administrator (or the system, ``actor=None``) may back
    up. Raises :class:`BusinessError` when the target directory is missing, the target is a
    directory, or the database cannot be dumped. Logged as ``core.backup`` once written.

    Not one ``transaction.atomic`` block on purpose: holding a transaction open for the whole
    dump would block writers (SQLite) for nothing; the only write is the log row at the end."""
    _check_actor(actor)
    engine = _engine()
    target = Path(path).expanduser().absolute()
    if target.is_dir():
        raise BusinessError(
            "“%(path)s”是一个目录，请给出备份文件的完整路径，如 /备份/kejiju-2026.tar.gz。" % {"path": target},
            code="invalid",
            field="path",
        )
    if not target.parent.is_dir():
        raise BusinessError("备份目录“%(dir)s”不存在。" % {"dir": target.parent}, code="not_found", field="path")
    partial = target.with_name(target.name + ".part")
    files_dir = _files_dir()
    # The archive may be written inside the files directory; never back it up into itself.
    exclude = {target.resolve(), partial.resolve()}
    files = list(_iter_files(files_dir, exclude))
    with tempfile.TemporaryDirectory(prefix=".kejiju-backup-", dir=target.parent) as tmp:
        dump = Path(tmp) / "database"
        if engine == "sqlite":
            _dump_sqlite(dump)
        else:
            _dump_postgresql(dump)
        try:
            with tarfile.open(partial, "w:gz", format=tarfile.PAX_FORMAT) as tar:
                entries = [_add_member(tar, DATABASE_MEMBERS[engine], dump)]
                for relative, file_path in files:
                    entries.append(_add_member(tar, FILES_PREFIX + relative, file_path))
                manifest = {
                    "format": ARCHIVE_FORMAT,
                    "format_version": FORMAT_VERSION,
                    "kejiju_version": kejiju.__version__,
                    "created_at": timezone.localtime().isoformat(timespec="seconds"),
                    "database": {
                        "engine": engine,
                        "file": DATABASE_MEMBERS[engine],
                        "name": Path(str(connection.settings_dict["NAME"])).name,
                    },
                    "files_dir": str(files_dir),
                    "migrations": _applied_migrations(),
                    "files": entries,
                }
                data = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
                info = tarfile.TarInfo(MANIFEST_NAME)
                info.size, info.mtime, info.mode = len(data), int(time.time()), 0o600
                tar.addfile(info, io.BytesIO(data))
            # The archive holds password hashes and every attachment: owner-only, like the files.
            os.chmod(partial, 0o600)
            os.replace(partial, target)
        except OSError as exc:
            partial.unlink(missing_ok=True)
            raise BusinessError("写入备份文件失败：%(err)s。" % {"err": exc}, code="io_error", field="path")
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    result = BackupResult(
        path=target,
        size=target.stat().st_size,
        sha256=_sha256_file(target),
        engine=engine,
        database_bytes=entries[0]["size"],
        files=len(entries) - 1,
        files_bytes=sum(e["size"] for e in entries[1:]),
    )
    with transaction.atomic():
        log_operation(
            actor=actor,
            action=actions.BACKUP,
            extra={
                "path": str(target),
                "size": result.size,
                "sha256": result.sha256,
                "engine": engine,
                "files": result.files,
            },
        )
    return result


# --------------------------------------------------------------------------- verify


def _refuse(reason: str) -> BusinessError:
    return BusinessError("备份文件未通过校验，未做任何更改：%(reason)s" % {"reason": reason}, code="invalid_archive")


def require_archive(path: str | os.PathLike[str]) -> Path:
    """The archive's path; raises :class:`BusinessError` when it does not exist or is not a file."""
    source = Path(path).expanduser()
    if not source.exists():
        raise BusinessError("备份文件“%(path)s”不存在。" % {"path": source}, code="not_found", field="path")
    if not source.is_file():
        raise BusinessError("“%(path)s”不是文件。" % {"path": source}, code="invalid", field="path")
    return source


def _safe_member_name(name: str) -> str:
    pure = PurePosixPath(name)
    if (
        pure.is_absolute()
        or not name
        or "\\" in name
        or any(part in ("", ".", "..") for part in pure.parts)
        or name != pure.as_posix()
    ):
        raise _refuse("包含不安全的路径“%(name)s”。" % {"name": name})
    if name != MANIFEST_NAME and not (name.startswith(FILES_PREFIX) or name in DATABASE_MEMBERS.values()):
        raise _refuse("包含不属于 kejiju 备份的内容“%(name)s”。" % {"name": name})
    return name


def _open_archive(source: Path) -> tarfile.TarFile:
    try:
        return tarfile.open(source, "r:gz")
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise _refuse("不是有效的 kejiju 备份（gzip 压缩的 tar 文件）：%(err)s。" % {"err": exc}) from exc


def _check_manifest(data: bytes) -> dict[str, Any]:
    try:
        manifest = json.loads(data.decode())
    except (UnicodeDecodeError, ValueError) as exc:
        raise _refuse("清单 manifest.json 无法解析。") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != ARCHIVE_FORMAT:
        raise _refuse("清单 manifest.json 不是 kejiju 备份清单。")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise _refuse("备份格式版本 %(v)s 不受支持。" % {"v": manifest.get("format_version")})
    database = manifest.get("database")
    files = manifest.get("files")
    if (
        not isinstance(database, dict)
        or database.get("engine") not in DATABASE_MEMBERS
        or database.get("file") != DATABASE_MEMBERS[database["engine"]]
        or not isinstance(files, list)
        or not isinstance(manifest.get("migrations"), list)
    ):
        raise _refuse("清单 manifest.json 内容不完整。")
    for entry in files:
        if not (
            isinstance(entry, dict)
            and isinstance(entry.get("path"), str)
            and isinstance(entry.get("sha256"), str)
            and isinstance(entry.get("size"), int)
        ):
            raise _refuse("清单 manifest.json 中的文件列表格式错误。")
    return manifest


def backup_inspect(*, path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read and check an archive's manifest only (for showing what would be restored);
    raises :class:`BusinessError` when the file is missing or not a kejiju backup."""
    source = require_archive(path)
    with _open_archive(source) as tar:
        try:
            for member in tar:
                if member.name == MANIFEST_NAME and member.isfile():
                    handle = tar.extractfile(member)
                    if handle is not None:
                        return _check_manifest(handle.read())
        except (tarfile.TarError, OSError, EOFError) as exc:
            raise _refuse("归档文件已损坏：%(err)s。" % {"err": exc}) from exc
    raise _refuse("缺少清单 manifest.json。")


def _extract_verified(source: Path, staging: Path) -> dict[str, Any]:
    """Extract every member into ``staging`` (hashing as it goes) and check it against the
    manifest. Returns the manifest; raises :class:`BusinessError` on any mismatch."""
    found: dict[str, tuple[int, str]] = {}
    manifest_data: bytes | None = None
    with _open_archive(source) as tar:
        try:
            for member in tar:
                if member.isdir():
                    continue
                name = _safe_member_name(member.name)
                if not member.isfile():
                    raise _refuse("包含链接或特殊文件“%(name)s”。" % {"name": name})
                if name in found or (name == MANIFEST_NAME and manifest_data is not None):
                    raise _refuse("文件“%(name)s”重复出现。" % {"name": name})
                handle = tar.extractfile(member)
                if handle is None:
                    raise _refuse("无法读取“%(name)s”。" % {"name": name})
                if name == MANIFEST_NAME:
                    manifest_data = handle.read()
                    continue
                out_path = staging / name
                out_path.parent.mkdir(parents=True, exist_ok=True)
                digest = hashlib.sha256()
                size = 0
                with open(out_path, "wb") as out:
                    while chunk := handle.read(_CHUNK):
                        digest.update(chunk)
                        size += len(chunk)
                        out.write(chunk)
                os.chmod(out_path, 0o600)
                found[name] = (size, digest.hexdigest())
        except (tarfile.TarError, OSError, EOFError) as exc:
            raise _refuse("归档文件已损坏：%(err)s。" % {"err": exc}) from exc
    if manifest_data is None:
        raise _refuse("缺少清单 manifest.json。")
    manifest = _check_manifest(manifest_data)
    listed = {entry["path"]: entry for entry in manifest["files"]}
    database_member = manifest["database"]["file"]
    if database_member not in listed or database_member not in found:
        raise _refuse("缺少数据库文件“%(name)s”。" % {"name": database_member})
    for name, entry in sorted(listed.items()):
        if name not in found:
            raise _refuse("缺少清单中列出的文件“%(name)s”。" % {"name": name})
        size, sha = found[name]
        if size != entry["size"] or sha != entry["sha256"]:
            raise _refuse("文件“%(name)s”的大小或 SHA-256 与清单不符，备份已损坏或被改动。" % {"name": name})
    extra = sorted(set(found) - set(listed))
    if extra:
        raise _refuse("包含清单中没有列出的文件“%(name)s”。" % {"name": extra[0]})
    return manifest


def _check_dump(engine: str, dump: Path) -> None:
    if engine == "sqlite":
        try:
            check = sqlite3.connect(dump.absolute().as_uri() + "?mode=ro", uri=True)
            try:
                row = check.execute("PRAGMA quick_check").fetchone()
                has_migrations = check.execute(
                    "SELECT count(*) FROM sqlite_master WHERE name='django_migrations'"
                ).fetchone()[0]
            finally:
                check.close()
        except sqlite3.DatabaseError as exc:
            raise _refuse("数据库文件无法打开：%(err)s。" % {"err": exc}) from exc
        if not row or row[0] != "ok" or not has_migrations:
            raise _refuse("数据库文件检查未通过。")
    else:
        try:
            _run_pg([_pg_tool("pg_restore"), "--list", str(dump)], connection.settings_dict, "检查数据库导出文件")
        except BusinessError as exc:
            raise _refuse(exc.message) from exc


# --------------------------------------------------------------------------- restore


def _close_connections() -> None:
    for conn in connections.all(initialized_only=True):
        conn.close()


def _restore_sqlite(dump: Path) -> None:
    """Copy the archived database into the live one with the online backup API: one step under
    an exclusive lock, journaled, so a crash leaves the old or the new database, and the WAL of
    the live file stays consistent (replacing the file under its -wal would corrupt it)."""
    source = sqlite3.connect(dump.absolute().as_uri() + "?mode=ro", uri=True)
    try:
        if _sqlite_is_memory():
            connection.ensure_connection()
            source.backup(connection.connection)
        else:
            _close_connections()
            target = sqlite3.connect(str(connection.settings_dict["NAME"]), timeout=60)
            try:
                source.backup(target)
            finally:
                target.close()
    except sqlite3.Error as exc:
        raise BusinessError("恢复数据库失败，当前数据库未改动：%(err)s。" % {"err": exc}, code="database")
    finally:
        source.close()


def _restore_postgresql(dump: Path) -> None:
    db = connection.settings_dict
    _close_connections()
    # One transaction: if anything fails the database stays as it was.
    _run_pg(
        [
            _pg_tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--exit-on-error",
            "--no-password",
            "--dbname",
            str(db["NAME"]),
            str(dump),
        ],
        db,
        "pg_restore 恢复数据库",
    )


def _swap_files(new_dir: Path, files_dir: Path) -> None:
    """Put the restored files in place: rename the old directory aside, rename the new one in,
    then delete the old (same file system, so each rename is atomic)."""
    new_dir.mkdir(parents=True, exist_ok=True)
    old_dir = files_dir.with_name(".%s-old-%s" % (files_dir.name, uuid.uuid4().hex[:8]))
    try:
        if files_dir.exists():
            os.replace(files_dir, old_dir)
        os.replace(new_dir, files_dir)
    except OSError:
        # The directory itself may be a mount point: swap its contents instead.
        if old_dir.exists() and not files_dir.exists():
            os.replace(old_dir, files_dir)
        files_dir.mkdir(parents=True, exist_ok=True)
        old_dir.mkdir()
        for child in list(files_dir.iterdir()):
            os.replace(child, old_dir / child.name)
        for child in list(new_dir.iterdir()):
            os.replace(child, files_dir / child.name)
    shutil.rmtree(old_dir, ignore_errors=True)


def backup_restore(*, actor: Any, path: str | os.PathLike[str]) -> RestoreResult:
    """Replace the database and the attachment files with the contents of a backup archive.

    Everything is verified before anything changes: the manifest, the size and SHA-256 of every
    member, no member missing, unlisted or unsafe, the database dump readable, the archive's
    database engine equal to the current one, and no migration unknown to this version (a
    backup from a newer kejiju). Any failure raises :class:`BusinessError` with the reason and
    leaves the database and files untouched. The ``core.restore`` log row is written into the
    restored database afterwards. Only a system administrator (or the system) may restore.

    Not wrapped in ``transaction.atomic``: the database is replaced underneath Django's
    connections, which are closed first; each engine's restore step is atomic on its own."""
    _check_actor(actor)
    source = require_archive(path)
    if connection.in_atomic_block:
        raise BusinessError("不能在数据库事务中恢复备份。", code="invalid")
    engine = _engine()
    files_dir = _files_dir()
    files_dir.parent.mkdir(parents=True, exist_ok=True)
    # Staging sits next to the files directory, so the final swap is a rename.
    staging = Path(tempfile.mkdtemp(prefix=".kejiju-restore-", dir=files_dir.parent))
    try:
        manifest = _extract_verified(source, staging)
        archived_engine = manifest["database"]["engine"]
        if archived_engine != engine:
            raise _refuse(
                "备份的数据库类型是 %(a)s，当前系统使用 %(b)s，不能直接恢复。"
                % {"a": ENGINE_LABELS[archived_engine], "b": ENGINE_LABELS[engine]}
            )
        archived = {(str(app), str(name)) for app, name in manifest["migrations"]}
        known = _known_migrations()
        unknown = sorted(archived - known)
        if unknown:
            raise _refuse(
                "备份来自更新版本的 kejiju（含本程序没有的数据库迁移 %(m)s），请先升级程序。"
                % {"m": "、".join("%s.%s" % m for m in unknown[:3])}
            )
        dump = staging / manifest["database"]["file"]
        _check_dump(engine, dump)
        username = getattr(actor, "username", None)
        if engine == "sqlite":
            _restore_sqlite(dump)
        else:
            _restore_postgresql(dump)
        _swap_files(staging / FILES_PREFIX.rstrip("/"), files_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    # Ids in the restored database may differ from those cached in this process.
    ContentType.objects.clear_cache()
    entries = manifest["files"]
    database_entry = next(e for e in entries if e["path"] == manifest["database"]["file"])
    result = RestoreResult(
        path=source.absolute(),
        created_at=str(manifest.get("created_at", "")),
        kejiju_version=str(manifest.get("kejiju_version", "")),
        engine=engine,
        files=sum(1 for e in entries if e["path"].startswith(FILES_PREFIX)),
        database_bytes=int(database_entry["size"]),
        pending_migrations=sorted("%s.%s" % m for m in known - archived),
    )
    from kejiju.core.models import User

    # The actor row may not exist (or be someone else) in the restored database: find it by name.
    restored_actor = User.objects.filter(username=username).first() if username else None
    with transaction.atomic():
        log_operation(
            actor=restored_actor,
            action=actions.RESTORE,
            actor_repr=str(restored_actor) if restored_actor else (username or "系统"),
            extra={
                "path": str(result.path),
                "sha256": _sha256_file(source),
                "backup_created_at": result.created_at,
                "files": result.files,
            },
        )
    return result

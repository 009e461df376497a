"""``kejiju backup`` / ``kejiju restore``: round trips (in process and as real commands against a
file database or a temporary PostgreSQL database), and every refusal leaving data untouched."""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
import textwrap
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections
from django.db.migrations.recorder import MigrationRecorder

from kejiju.core import actions
from kejiju.core.choices import Role
from kejiju.core.models import Attachment, OperationLog, Region, User
from kejiju.core.services.attachments import attachment_create, storage_path
from kejiju.core.services.backup import MANIFEST_NAME, backup_create, backup_restore
from kejiju.core.testing.factories import region

# A valid 1×1 PNG.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)

# ---------------------------------------------------------------------------- snapshot helpers


def db_snapshot() -> dict[str, list[Any]]:
    """Every row of every table (operation-log rows of backup/restore themselves excluded)."""
    snapshot: dict[str, list[Any]] = {}
    for model in apps.get_models(include_auto_created=True):
        qs = model._default_manager.all()
        if model is OperationLog:
            qs = qs.exclude(action__in=[actions.BACKUP, actions.RESTORE])
        rows = [tuple(str(v) for v in row) for row in qs.order_by("pk").values_list()]
        snapshot[model._meta.db_table] = rows
    return snapshot


def files_snapshot(root: Path) -> dict[str, str]:
    if not root.exists():
        return {}
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def tamper(
    archive: Path,
    out: Path,
    *,
    change: dict[str, bytes] | None = None,
    add: dict[str, bytes] | None = None,
    drop: set[str] | None = None,
    manifest: Any = None,
) -> Path:
    """Rewrite ``archive`` to ``out`` with some members changed, added or dropped, or the manifest
    edited (``manifest(dict) -> dict``), keeping everything else."""
    change, add, drop = change or {}, add or {}, drop or set()
    with tarfile.open(archive, "r:gz") as src, tarfile.open(out, "w:gz") as dst:
        for member in src:
            if member.name in drop:
                continue
            data = src.extractfile(member).read()
            if member.name in change:
                data = change[member.name]
            if member.name == MANIFEST_NAME and manifest is not None:
                data = json.dumps(manifest(json.loads(data))).encode()
            info = tarfile.TarInfo(member.name)
            info.size = len(data)
            dst.addfile(info, io.BytesIO(data))
        for name, data in add.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            dst.addfile(info, io.BytesIO(data))
    return out


def sha_entry(name: str, data: bytes) -> dict[str, Any]:
    return {"path": name, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}


# ---------------------------------------------------------------------------- fixtures


@pytest.fixture
def populated(db: Any, make_user: Any) -> dict[str, Any]:
    """Regions, accounts and two attachments (one PNG, one text file)."""
    # A database built from the models (the suite's --no-migrations) has no django_migrations table
    # until something records a migration; every real installation has one, and restore checks it.
    MigrationRecorder(connection).ensure_schema()
    from kejiju.core.services.accounts import user_create

    if connection.vendor == "postgresql" and not _have_pg_tools():
        pytest.skip("未找到 pg_dump/pg_restore（Debian 包 postgresql-client），跳过 PostgreSQL 备份恢复测试。")

    for code, name in (
        ("34", "安徽省"),
        ("3411", "滁州市"),
        ("341181", "天长市"),
        ("341181100", "天长街道"),
        ("341181100001", "测试村"),
    ):
        region(code, name)
    staff = user_create(
        actor=None,
        username="backup_staff",
        full_name="备份测试",
        password="Kejiju@2026x",
        role=Role.BUREAU_STAFF,
        region=Region.objects.get(code="341181"),
    )
    first = attachment_create(actor=staff, fileobj=io.BytesIO(PNG), name="照片.png", region="341181")
    second = attachment_create(
        actor=staff, fileobj=io.BytesIO("签到表\n张三,李四\n".encode()), name="签到表.txt", region="341181100"
    )
    return {"staff": staff, "attachments": [first, second]}


@pytest.fixture
def no_tty(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))


def restore(path: Path, *args: str) -> str:
    out = io.StringIO()
    call_command("restore", str(path), *args, stdout=out)
    return out.getvalue()


# ---------------------------------------------------------------------------- in-process round trip


@pytest.mark.django_db(transaction=True)
def test_round_trip_restores_every_row_and_file(populated: dict[str, Any], tmp_path: Path) -> None:
    files_dir = Path(settings.KEJIJU_FILES_DIR)
    rows_before, files_before = db_snapshot(), files_snapshot(files_dir)
    assert len(files_before) == 2
    archive = tmp_path / "kejiju.tar.gz"

    out = io.StringIO()
    call_command("backup", str(archive), stdout=out)
    assert "备份完成" in out.getvalue() and "附件文件 2 个" in out.getvalue()
    assert archive.stat().st_mode & 0o077 == 0  # owner-only: it holds password hashes
    with tarfile.open(archive, "r:gz") as tar:
        manifest = json.loads(tar.extractfile(MANIFEST_NAME).read())
    assert manifest["database"]["engine"] == connection.vendor
    # the applied migrations as recorded (none when the test database was built from the models)
    applied = MigrationRecorder(connection).applied_migrations()
    assert {tuple(m) for m in manifest["migrations"]} == set(applied)
    listed = {e["path"]: e["sha256"] for e in manifest["files"]}
    for attachment in populated["attachments"]:
        assert (
            listed["files/" + storage_path(attachment.storage_name).relative_to(files_dir).as_posix()]
            == attachment.sha256
        )
    log = OperationLog.objects.get(action=actions.BACKUP)
    assert log.extra["files"] == 2 and log.extra["sha256"] == hashlib.sha256(archive.read_bytes()).hexdigest()

    # Change and delete rows and files after the backup.
    first, second = populated["attachments"]
    Region.objects.filter(code="341181100").update(name="改过的名字")
    Attachment.objects.filter(pk=second.pk).delete()
    storage_path(second.storage_name).unlink()
    storage_path(first.storage_name).write_bytes(b"overwritten")
    (files_dir / "stray.txt").write_text("added after the backup")
    User.objects.filter(username="backup_staff").update(full_name="改名")
    assert db_snapshot() != rows_before

    assert "恢复完成" in restore(archive, "--yes")

    assert db_snapshot() == rows_before
    assert files_snapshot(files_dir) == files_before
    for attachment in populated["attachments"]:
        stored = Attachment.objects.get(pk=attachment.pk)
        assert hashlib.sha256(storage_path(stored.storage_name).read_bytes()).hexdigest() == stored.sha256
    restored_log = OperationLog.objects.get(action=actions.RESTORE)
    assert restored_log.extra["files"] == 2
    assert User.objects.get(username="backup_staff").check_password("Kejiju@2026x")


# ---------------------------------------------------------------------------- refusals


@pytest.fixture
def archive(populated: dict[str, Any], tmp_path: Path) -> Path:
    """A good archive of ``populated`` (tests using it run with ``transaction=True``: the test
    runner's in-memory SQLite database cannot be copied inside the test's open transaction)."""
    path = tmp_path / "good.tar.gz"
    backup_create(actor=None, path=path)
    return path


def assert_unchanged(rows: dict[str, list[Any]], files: dict[str, str]) -> None:
    assert db_snapshot() == rows
    assert files_snapshot(Path(settings.KEJIJU_FILES_DIR)) == files


def first_file_member(path: Path) -> str:
    with tarfile.open(path, "r:gz") as tar:
        return next(m.name for m in tar if m.name.startswith("files/"))


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "case",
    [
        "tampered_file",
        "tampered_database",
        "missing_file",
        "extra_file",
        "unsafe_path",
        "no_manifest",
        "bad_manifest",
        "unknown_migration",
        "unreadable_database",
    ],
)
def test_damaged_archive_is_refused_and_nothing_changes(archive: Path, tmp_path: Path, case: str) -> None:
    member = first_file_member(archive)
    database = "database/kejiju.pgdump" if connection.vendor == "postgresql" else "database/kejiju.sqlite3"
    out = tmp_path / "bad.tar.gz"
    garbage = b"not a database at all " * 200
    expected = {
        "tampered_file": ("SHA-256", dict(change={member: b"changed bytes"})),
        "tampered_database": ("SHA-256", dict(change={database: b"not a database"})),
        "missing_file": ("缺少", dict(drop={member})),
        "extra_file": ("没有列出", dict(add={"files/zz/zz/intruder": b"x"})),
        "unsafe_path": ("不安全", dict(add={"files/../../escape.txt": b"x"})),
        "no_manifest": ("manifest.json", dict(drop={MANIFEST_NAME})),
        "bad_manifest": ("manifest.json", dict(change={MANIFEST_NAME: b"{not json"})),
        "unknown_migration": (
            "更新版本",
            dict(manifest=lambda m: {**m, "migrations": m["migrations"] + [["core", "9999_from_the_future"]]}),
        ),
        # Manifest updated to match: the dump itself must still be checked.
        "unreadable_database": (
            "数据库",
            dict(
                change={database: garbage},
                manifest=lambda m: {
                    **m,
                    "files": [sha_entry(database, garbage) if e["path"] == database else e for e in m["files"]],
                },
            ),
        ),
    }[case]
    tamper(archive, out, **expected[1])
    rows, files = db_snapshot(), files_snapshot(Path(settings.KEJIJU_FILES_DIR))
    with pytest.raises(CommandError) as excinfo:
        restore(out, "--yes")
    assert "未做任何更改" in str(excinfo.value) and expected[0] in str(excinfo.value)
    assert_unchanged(rows, files)
    assert not (tmp_path.parent / "escape.txt").exists()
    assert not OperationLog.objects.filter(action=actions.RESTORE).exists()
    # No staging directory left behind next to the files directory.
    assert not list(Path(settings.KEJIJU_FILES_DIR).parent.glob(".kejiju-restore-*"))


@pytest.mark.django_db(transaction=True)
def test_archive_from_another_engine_is_refused(archive: Path, tmp_path: Path) -> None:
    other = "sqlite" if connection.vendor == "postgresql" else "postgresql"
    other_member = {"sqlite": "database/kejiju.sqlite3", "postgresql": "database/kejiju.pgdump"}[other]
    with tarfile.open(archive, "r:gz") as tar:
        ours = next(m.name for m in tar if m.name.startswith("database/"))
        dump = tar.extractfile(ours).read()

    def swap_engine(manifest: dict[str, Any]) -> dict[str, Any]:
        manifest["database"] = {"engine": other, "file": other_member}
        manifest["files"] = [sha_entry(other_member, dump) if e["path"] == ours else e for e in manifest["files"]]
        return manifest

    bad = tamper(archive, tmp_path / "other.tar.gz", drop={ours}, add={other_member: dump}, manifest=swap_engine)
    rows, files = db_snapshot(), files_snapshot(Path(settings.KEJIJU_FILES_DIR))
    with pytest.raises(CommandError, match="数据库类型"):
        restore(bad, "--yes")
    assert_unchanged(rows, files)


@pytest.mark.django_db(transaction=True)
def test_truncated_or_foreign_file_is_refused(archive: Path, tmp_path: Path) -> None:
    truncated = tmp_path / "truncated.tar.gz"
    truncated.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    with pytest.raises(CommandError, match="损坏|未通过校验"):
        restore(truncated, "--yes")
    foreign = tmp_path / "foreign.tar.gz"
    foreign.write_bytes(PNG)
    with pytest.raises(CommandError, match="不是有效的 kejiju 备份"):
        restore(foreign, "--yes")


@pytest.mark.django_db
def test_missing_archive_is_a_chinese_command_error(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="备份文件“.*nothing.tar.gz”不存在。"):
        restore(tmp_path / "nothing.tar.gz", "--yes")
    with pytest.raises(CommandError, match="不存在"):
        restore(tmp_path / "nothing.tar.gz")
    with pytest.raises(CommandError, match="备份目录.*不存在"):
        call_command("backup", str(tmp_path / "no-such-dir" / "x.tar.gz"))
    with pytest.raises(CommandError, match="是一个目录"):
        call_command("backup", str(tmp_path))


@pytest.mark.django_db(transaction=True)
def test_restore_without_yes_and_without_terminal_is_refused(archive: Path, no_tty: None) -> None:
    rows, files = db_snapshot(), files_snapshot(Path(settings.KEJIJU_FILES_DIR))
    with pytest.raises(CommandError, match="--yes"):
        restore(archive)
    assert_unchanged(rows, files)


@pytest.mark.django_db(transaction=True)
def test_restore_asks_on_a_terminal_and_no_means_no(archive: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(sys, "stdin", Tty(""))
    monkeypatch.setattr("builtins.input", lambda prompt="": "no")
    rows, files = db_snapshot(), files_snapshot(Path(settings.KEJIJU_FILES_DIR))
    with pytest.raises(CommandError, match="已取消"):
        restore(archive)
    assert_unchanged(rows, files)


@pytest.mark.django_db(transaction=True)
def test_only_a_system_administrator_may_back_up_or_restore(archive: Path, make_user: Any, tmp_path: Path) -> None:
    from kejiju.core.errors import BusinessError

    staff = make_user(Role.BUREAU_ADMIN, "341181")
    with pytest.raises(BusinessError, match="系统管理员"):
        backup_create(actor=staff, path=tmp_path / "x.tar.gz")
    with pytest.raises(BusinessError, match="系统管理员"):
        backup_restore(actor=staff, path=archive)
    assert not (tmp_path / "x.tar.gz").exists()


def test_postgresql_password_goes_through_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from kejiju.core.services import backup as service

    calls: list[tuple[list[str], dict[str, str]]] = []

    def fake_run(args: list[str], *, env: dict[str, str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
        calls.append((args, env))
        return subprocess.CompletedProcess(args, 0, "", "")

    monkeypatch.setattr(service.subprocess, "run", fake_run)
    monkeypatch.setattr(service, "_pg_tool", lambda name: "/usr/bin/" + name)
    # the restore closes connections first; here that would drop the (in-memory) test database
    monkeypatch.setattr(service, "_close_connections", lambda: None)
    # Patch the wrapper itself: undoing a patch on the ``connection`` proxy would delete the attribute.
    monkeypatch.setattr(
        connections["default"],
        "settings_dict",
        {
            "NAME": "kejiju",
            "USER": "kj",
            "PASSWORD": "s3cret!",
            "HOST": "db.local",
            "PORT": 5433,
            "OPTIONS": {"sslmode": "require"},
        },
    )
    service._dump_postgresql(tmp_path / "dump")
    service._restore_postgresql(tmp_path / "dump")
    (dump_args, dump_env), (restore_args, restore_env) = calls
    for args, env in calls:
        assert not any("s3cret" in arg for arg in args)
        assert (env["PGPASSWORD"], env["PGUSER"], env["PGHOST"], env["PGPORT"], env["PGSSLMODE"]) == (
            "s3cret!",
            "kj",
            "db.local",
            "5433",
            "require",
        )
    assert dump_args[0] == "/usr/bin/pg_dump" and "--format=custom" in dump_args and dump_env["PGDATABASE"] == "kejiju"
    assert restore_args[0] == "/usr/bin/pg_restore"
    assert {"--clean", "--if-exists", "--no-owner", "--single-transaction"} <= set(restore_args)
    assert restore_args[restore_args.index("--dbname") + 1] == "kejiju"


def test_missing_pg_tools_give_a_chinese_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    from kejiju.core.errors import BusinessError
    from kejiju.core.services import backup as service

    monkeypatch.setattr(service.shutil, "which", lambda name: None)
    monkeypatch.setattr(service.glob, "glob", lambda pattern: [])
    with pytest.raises(BusinessError, match="postgresql-client"):
        service._pg_tool("pg_dump")


# ---------------------------------------------------------------------------- as real commands

_SCRIPT = textwrap.dedent('''
    """Run inside a subprocess: set up, snapshot or change a kejiju deployment."""
    import hashlib, io, json, sys
    import django
    django.setup()
    from pathlib import Path
    from django.apps import apps
    from django.conf import settings
    from kejiju.core import actions
    from kejiju.core.choices import Role
    from kejiju.core.models import Attachment, OperationLog, Region, User
    from kejiju.core.services.accounts import user_create
    from kejiju.core.services.attachments import attachment_create, storage_path
    from kejiju.core.services.regions import region_create, regions_load_province

    PNG = bytes.fromhex(%(png)r)
    steps = sys.argv[1:]
    if "setup" in steps:
        regions_load_province(actor=None, province_code="34")
        region_create(actor=None, code="341181100", name="天长街道", kind="街道")
        region_create(actor=None, code="341181100001", name="东门社区", kind="居委会")
        staff = user_create(actor=None, username="staff", full_name="张三", password="Kejiju@2026x",
                    role=Role.BUREAU_STAFF, region=Region.objects.get(code="341181"))
        attachment_create(actor=staff, fileobj=io.BytesIO(PNG), name="a.png", region="341181")
        attachment_create(actor=staff, fileobj=io.BytesIO(b"hello"), name="b.txt", region="341181100")
    if "change" in steps:
        Region.objects.filter(code="341181100").update(name="改名")
        User.objects.filter(username="staff").update(full_name="改名", is_active=False)
        user_create(actor=None, username="newcomer", full_name="新人", password="Kejiju@2026y",
                    role=Role.EXPERT, region=Region.objects.get(code="341181"))
        doomed = Attachment.objects.order_by("original_name").first()
        storage_path(doomed.storage_name).unlink()
        doomed.delete()
        Attachment.objects.update(is_archived=True)
        (Path(settings.KEJIJU_FILES_DIR) / "new.txt").write_text("x")
    if "snapshot" in steps:
        out = {}
        for model in apps.get_models(include_auto_created=True):
            qs = model._default_manager.all()
            if model is OperationLog:
                qs = qs.exclude(action__in=[actions.BACKUP, actions.RESTORE])
            out[model._meta.db_table] = [[str(v) for v in row] for row in qs.order_by("pk").values_list()]
        root = Path(settings.KEJIJU_FILES_DIR)
        out["<files>"] = sorted([p.relative_to(root).as_posix(), hashlib.sha256(p.read_bytes()).hexdigest()]
                                for p in root.rglob("*") if p.is_file())
        out["<attachments ok>"] = all(
            hashlib.sha256(storage_path(a.storage_name).read_bytes()).hexdigest() == a.sha256
            for a in Attachment.objects.all())
        out["<restore logs>"] = OperationLog.objects.filter(action=actions.RESTORE).count()
        print(json.dumps(out, ensure_ascii=False))
''') % {"png": PNG.hex()}


@pytest.fixture
def deployment(tmp_path: Path) -> Iterator[dict[str, str]]:
    """Environment for a separate kejiju deployment: a SQLite file under a temporary data
    directory, or — when the suite runs on PostgreSQL — a temporary database dropped afterwards."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KEJIJU_")}
    env.update(
        DJANGO_SETTINGS_MODULE="kejiju.config.settings.dev",
        KEJIJU_DATA_DIR=str(tmp_path / "data"),
        KEJIJU_FILES_DIR=str(tmp_path / "data" / "files"),
        KEJIJU_SECRET_KEY="x" * 60,
        PYTHONPATH=os.pathsep.join(sys.path),
    )
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith("postgres"):
        env.pop("DATABASE_URL", None)
        yield env
        return
    import dj_database_url
    import psycopg

    if not _have_pg_tools():
        pytest.skip("未找到 pg_dump/pg_restore（Debian 包 postgresql-client），跳过 PostgreSQL 备份恢复测试。")
    cfg = dj_database_url.parse(database_url)
    name = "kejiju_backup_%s" % uuid.uuid4().hex[:10]
    admin = psycopg.connect(
        host=cfg["HOST"] or None,
        port=cfg["PORT"] or None,
        user=cfg["USER"] or None,
        password=cfg["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    )
    try:
        admin.execute('CREATE DATABASE "%s"' % name)
        env["DATABASE_URL"] = database_url.rsplit("/", 1)[0] + "/" + name
        yield env
    finally:
        admin.execute('DROP DATABASE IF EXISTS "%s" WITH (FORCE)' % name)
        admin.close()


def _have_pg_tools() -> bool:
    from kejiju.core.errors import BusinessError
    from kejiju.core.services.backup import _pg_tool

    try:
        _pg_tool("pg_dump")
        _pg_tool("pg_restore")
    except BusinessError:
        return False
    return True


def kejiju(env: dict[str, str], *args: str, stdin: Any = subprocess.DEVNULL) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kejiju", *args],
        env=env,
        capture_output=True,
        text=True,
        stdin=stdin,
        timeout=300,
        check=False,
    )


def script(env: dict[str, str], tmp_path: Path, *steps: str) -> dict[str, Any]:
    """Run steps of ``_SCRIPT`` (setup, change, snapshot) in one subprocess; returns the snapshot."""
    path = tmp_path / "step.py"
    path.write_text(_SCRIPT)
    result = subprocess.run(
        [sys.executable, str(path), *steps], env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout) if "snapshot" in steps else {}


def test_backup_and_restore_commands_round_trip(deployment: dict[str, str], tmp_path: Path) -> None:
    env = deployment
    migrated = kejiju(env, "migrate", "--noinput", "--skip-checks", "-v0")
    assert migrated.returncode == 0, migrated.stderr
    before = script(env, tmp_path, "setup", "snapshot")
    assert len(before["<files>"]) == 2 and before["<attachments ok>"]

    archive = tmp_path / "backup" / "kejiju.tar.gz"
    archive.parent.mkdir()
    made = kejiju(env, "backup", str(archive))
    assert made.returncode == 0, made.stderr
    assert "备份完成" in made.stdout

    changed = script(env, tmp_path, "change", "snapshot")
    assert changed != before

    refused = kejiju(env, "restore", str(archive))  # no --yes, stdin is not a terminal
    assert refused.returncode != 0 and "--yes" in refused.stderr

    bad = tamper(
        archive,
        tmp_path / "bad.tar.gz",
        change={next(n for n in tarfile.open(archive).getnames() if n.startswith("files/")): b"evil"},
    )
    refused = kejiju(env, "restore", str(bad), "--yes")
    assert refused.returncode != 0 and "SHA-256" in refused.stderr
    assert script(env, tmp_path, "snapshot") == changed  # neither refusal changed anything

    restored = kejiju(env, "restore", str(archive), "--yes")
    assert restored.returncode == 0, restored.stderr
    assert "恢复完成" in restored.stdout
    after = script(env, tmp_path, "snapshot")
    assert after.pop("<restore logs>") == 1
    before.pop("<restore logs>")
    assert after == before

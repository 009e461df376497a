"""No orphan attachment files: a rolled-back upload's file is deleted at once, and
``kejiju attachments prune`` deletes what is left (unreferenced or half-written files past the
grace period), keeping everything an attachment row names."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kejiju.core import actions
from kejiju.core.errors import BusinessError
from kejiju.core.models import Attachment, OperationLog
from kejiju.core.services.attachments import (
    attachment_archive,
    attachment_create,
    attachment_discard_unsaved,
    attachment_prune,
    storage_path,
)
from kejiju.core.testing.factories import UserFactory, region

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
HOUR = 3600


def store(code: str = "341181", name: str = "申报书.pdf") -> Attachment:
    region(code)
    return attachment_create(actor=None, fileobj=io.BytesIO(PDF), name=name, region=code, purpose="申报书")


def stored_files(settings: Any) -> set[Path]:
    root = Path(settings.KEJIJU_FILES_DIR)
    return {p for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def age(path: Path, hours: float) -> Path:
    """Set the file's modification time ``hours`` in the past."""
    stamp = time.time() - hours * HOUR
    os.utime(path, (stamp, stamp))
    return path


def orphan(settings: Any, name: str, *, hours: float, data: bytes = b"orphan bytes") -> Path:
    """A file in the store layout that no attachment row names."""
    path = Path(settings.KEJIJU_FILES_DIR) / name[:2] / name[2:4] / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return age(path, hours)


class LaterCheckFailed(BusinessError):
    pass


@transaction.atomic
def store_then_fail(names: list[str]) -> None:
    """A service that stores an upload, then finds bad input and raises (its transaction rolls back)."""
    attachment = store()
    names.append(attachment.storage_name)
    raise LaterCheckFailed("合同金额须为正数。", field="amount")


# --------------------------------------------------------------------------- at once, in process


def test_rolled_back_service_leaves_no_file(db: Any, settings: Any) -> None:
    names: list[str] = []
    with pytest.raises(LaterCheckFailed):
        store_then_fail(names)
    path = storage_path(names[0])
    assert not Attachment.objects.exists()
    assert not OperationLog.objects.filter(action=actions.ATTACHMENT_UPLOAD).exists()
    assert attachment_discard_unsaved() == 1
    assert not path.exists()
    assert stored_files(settings) == set()
    assert attachment_discard_unsaved() == 0  # forgotten once handled


def test_end_of_request_discards_a_rolled_back_upload(client: Any, settings: Any, regions: Any) -> None:
    names: list[str] = []
    with pytest.raises(LaterCheckFailed):
        store_then_fail(names)
    assert storage_path(names[0]).exists()
    client.get(reverse("core:login"))
    assert stored_files(settings) == set()


def test_next_upload_discards_a_rolled_back_one(db: Any, settings: Any) -> None:
    names: list[str] = []
    with pytest.raises(LaterCheckFailed):
        store_then_fail(names)
    kept = store(name="第二份.pdf")
    assert stored_files(settings) == {storage_path(kept.storage_name)}


def test_open_transaction_keeps_its_files(db: Any, settings: Any) -> None:
    """Inside a transaction still open: the upload that succeeded is kept, the one whose
    savepoint rolled back is deleted, and the transaction goes on."""
    with transaction.atomic():
        first = store(name="第一份.pdf")
        names: list[str] = []
        with pytest.raises(LaterCheckFailed):
            store_then_fail(names)
        assert attachment_discard_unsaved() == 1
        assert stored_files(settings) == {storage_path(first.storage_name)}
        assert Attachment.objects.get() == first
    assert attachment_discard_unsaved() == 0
    assert storage_path(first.storage_name).read_bytes() == PDF


def test_transaction_marked_for_rollback_keeps_its_file_until_it_ends(db: Any, settings: Any) -> None:
    with transaction.atomic():
        attachment = store()
        transaction.set_rollback(True)
        assert attachment_discard_unsaved() == 0
        assert storage_path(attachment.storage_name).exists()
    assert attachment_discard_unsaved() == 1
    assert stored_files(settings) == set()


def test_file_the_caller_removed_itself_is_not_counted(db: Any, settings: Any) -> None:
    names: list[str] = []
    with pytest.raises(LaterCheckFailed):
        store_then_fail(names)
    storage_path(names[0]).unlink()
    assert attachment_discard_unsaved() == 0


def failing_hook() -> None:
    raise RuntimeError("hook failed")


def test_savepoint_rolled_back_behind_an_earlier_hook_inside_a_transaction(db: Any, settings: Any) -> None:
    """Inside a transaction still open, with a hook that may raise queued earlier: the file of
    the savepoint that rolled back goes once the database confirms no row names it (one lookup);
    the file of the upload still in the transaction stays; nothing left costs no query."""
    attachment_discard_unsaved()  # what earlier tests on this connection left behind
    with transaction.atomic():
        transaction.on_commit(failing_hook)
        kept = store(name="保留.pdf")
        names: list[str] = []
        with pytest.raises(LaterCheckFailed):
            store_then_fail(names)
        with CaptureQueriesContext(connection) as queries:
            assert attachment_discard_unsaved() == 1
        # The lookup, in a savepoint of its own so that a failure leaves the transaction usable.
        assert [q["sql"].split()[0] for q in queries.captured_queries] == ["SAVEPOINT", "SELECT", "RELEASE"]
        assert stored_files(settings) == {storage_path(kept.storage_name)}
        with CaptureQueriesContext(connection) as queries:
            assert attachment_discard_unsaved() == 0
        assert len(queries) == 0
        transaction.set_rollback(True)


def test_database_error_in_the_lookup_keeps_the_file_and_the_transaction(
    db: Any, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The lookup fails: nothing is deleted, nothing raised, the caller's transaction goes on,
    and the next call deletes the file."""
    from django.db import DatabaseError
    from django.db.models.query import QuerySet

    attachment_discard_unsaved()
    with transaction.atomic():
        kept = store(name="保留.pdf")
        names: list[str] = []
        with pytest.raises(LaterCheckFailed):
            store_then_fail(names)

        def broken(self: Any) -> Any:
            raise DatabaseError("connection lost")

        with monkeypatch.context() as patched:
            patched.setattr(QuerySet, "__iter__", broken)
            assert attachment_discard_unsaved() == 0
        assert storage_path(names[0]).exists()
        assert Attachment.objects.get() == kept  # the transaction is still usable
        assert attachment_discard_unsaved() == 1
        assert stored_files(settings) == {storage_path(kept.storage_name)}


def test_file_of_another_store_is_forgotten_not_deleted(db: Any, settings: Any, tmp_path: Path) -> None:
    """Once the store setting has changed (each test has its own), what was remembered for the
    old store is forgotten without a query and without deleting anything."""
    attachment_discard_unsaved()
    names: list[str] = []
    with pytest.raises(LaterCheckFailed):
        store_then_fail(names)
    old = storage_path(names[0])
    settings.KEJIJU_FILES_DIR = tmp_path / "other-store"
    with CaptureQueriesContext(connection) as queries:
        assert attachment_discard_unsaved() == 0
    assert len(queries) == 0
    assert old.exists()
    settings.KEJIJU_FILES_DIR = old.parents[2]
    assert attachment_discard_unsaved() == 0  # forgotten: left to kejiju attachments prune
    assert old.exists()


def test_transaction_already_broken_waits(db: Any, settings: Any) -> None:
    """A transaction marked for rollback cannot be asked: the file waits (no query, no error)
    and goes once the transaction has ended."""
    attachment_discard_unsaved()
    with transaction.atomic():
        names: list[str] = []
        with pytest.raises(LaterCheckFailed):
            store_then_fail(names)
        transaction.set_rollback(True)
        with transaction.atomic(savepoint=False):
            with CaptureQueriesContext(connection) as queries:
                assert attachment_discard_unsaved() == 0
            assert len(queries) == 0
            assert storage_path(names[0]).exists()
    assert attachment_discard_unsaved() == 1
    assert stored_files(settings) == set()


@pytest.mark.django_db(transaction=True)
def test_real_commit_and_rollback(settings: Any) -> None:
    attachment_discard_unsaved()  # what earlier tests on this connection left behind
    region("341181")
    with transaction.atomic():
        committed = store(name="已提交.pdf")
    with CaptureQueriesContext(connection) as queries:  # nothing pending: no query
        assert attachment_discard_unsaved() == 0
    assert len(queries) == 0
    names: list[str] = []
    with pytest.raises(LaterCheckFailed):
        store_then_fail(names)
    with CaptureQueriesContext(connection) as queries:  # confirmed by the database: one query
        assert attachment_discard_unsaved() == 1
    assert len(queries) == 1
    assert stored_files(settings) == {storage_path(committed.storage_name)}
    assert Attachment.objects.get() == committed

    # Committed, but a hook queued earlier fails so ours never runs: the database decides, the file stays.
    with pytest.raises(RuntimeError), transaction.atomic():
        transaction.on_commit(failing_hook)
        second = store(name="第二份.pdf")
    assert Attachment.objects.filter(pk=second.pk).exists()
    assert attachment_discard_unsaved() == 0
    assert storage_path(second.storage_name).read_bytes() == PDF

    # Same hook, but the transaction rolls back: the database confirms, the file goes.
    with pytest.raises(LaterCheckFailed), transaction.atomic():
        transaction.on_commit(failing_hook)
        store_then_fail(names)
    assert attachment_discard_unsaved() == 1
    assert not storage_path(names[-1]).exists()
    assert stored_files(settings) == {storage_path(committed.storage_name), storage_path(second.storage_name)}
    assert attachment_discard_unsaved() == 0


@pytest.mark.django_db(transaction=True)
def test_manual_transaction_keeps_its_file_until_commit(settings: Any) -> None:
    """Autocommit turned off: the upload's atomic block has ended, its hook waits for the commit
    that has not happened yet. The file must stay until then; after a rollback it goes."""
    attachment_discard_unsaved()
    region("341181")
    transaction.set_autocommit(False)
    try:
        with transaction.atomic():
            kept = store(name="手动提交.pdf")
        assert attachment_discard_unsaved() == 0
        assert storage_path(kept.storage_name).exists()
        transaction.commit()
        with transaction.atomic():
            dropped = store(name="手动回滚.pdf")
        assert attachment_discard_unsaved() == 0
        transaction.rollback()
    finally:
        transaction.set_autocommit(True)
    attachment_discard_unsaved()
    assert storage_path(kept.storage_name).read_bytes() == PDF
    # SQLite commits when the outermost savepoint of a manual transaction is released, so the
    # second row may have stayed; either way a file is kept exactly when its row exists.
    for attachment in (kept, dropped):
        exists = Attachment.objects.filter(pk=attachment.pk).exists()
        assert storage_path(attachment.storage_name).exists() == exists
    assert Attachment.objects.filter(pk=kept.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_upload_in_an_earlier_commit_hook_keeps_the_committed_file(settings: Any) -> None:
    """A hook queued before the upload's own runs first after the commit and stores another
    upload (so looks for rolled-back files) while the upload's hook is still waiting: the
    committed file must not be taken for a rolled-back one."""
    attachment_discard_unsaved()
    region("341181")
    later: list[Attachment] = []

    def earlier_hook() -> None:
        later.append(store(name="回调中上传.pdf"))

    with transaction.atomic():
        transaction.on_commit(earlier_hook, robust=True)
        first = store(name="先提交.pdf")
    assert len(later) == 1
    assert set(Attachment.objects.all()) == {first, later[0]}
    assert storage_path(first.storage_name).read_bytes() == PDF
    assert attachment_discard_unsaved() == 0
    assert stored_files(settings) == {storage_path(first.storage_name), storage_path(later[0].storage_name)}


@pytest.mark.django_db(transaction=True)
def test_row_the_database_still_names_keeps_its_file(settings: Any) -> None:
    """Whatever the hooks say, a file is deleted only when no attachment row on the connection
    names it (a commit reported as failed may still have been applied)."""
    attachment_discard_unsaved()
    region("341181")
    with transaction.atomic():
        attachment = store()
        connection.run_on_commit.clear()  # the hooks are lost, the row commits all the same
    assert Attachment.objects.filter(pk=attachment.pk).exists()
    assert attachment_discard_unsaved() == 0
    assert storage_path(attachment.storage_name).read_bytes() == PDF


# --------------------------------------------------------------------------- kejiju attachments prune


def prune(*args: str) -> str:
    out = io.StringIO()
    call_command("attachments", "prune", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def store_state(db: Any, settings: Any) -> dict[str, Any]:
    """Referenced, archived, history-only, orphan (old and young), ``.part`` leftovers (old and
    young) and files outside the store layout."""
    live = store(name="在用.pdf")
    admin = UserFactory(region=region("341181"), is_superuser=True)
    archived = attachment_archive(actor=admin, attachment=store(name="已归档.pdf"))
    assert archived.is_archived
    gone = store(name="仅在历史中.pdf")
    Attachment.objects.filter(pk=gone.pk).delete()  # its field-history rows still name the file
    for attachment in (live, archived, gone):
        age(storage_path(attachment.storage_name), 100)
    root = Path(settings.KEJIJU_FILES_DIR)
    imports = root / "imports" / "abc"
    imports.mkdir(parents=True)
    for other in (root / "stray.txt", imports / "upload.xlsx"):
        other.write_bytes(b"not an attachment")
        age(other, 100)
    return {
        "referenced": {storage_path(a.storage_name) for a in (live, archived, gone)},
        "old_orphan": orphan(settings, "ab12" + "0" * 36, hours=30, data=b"x" * 1000),
        "young_orphan": orphan(settings, "ab12" + "1" * 36, hours=2),
        "old_part": orphan(settings, "cd34" + "2" * 36 + ".part", hours=30, data=b"y" * 24),
        "young_part": orphan(settings, "cd34" + "3" * 36 + ".part", hours=0),
        "others": {root / "stray.txt", imports / "upload.xlsx"},
    }


def test_prune_deletes_old_orphans_only(store_state: dict[str, Any], settings: Any) -> None:
    before = stored_files(settings)
    output = prune()
    removed = {store_state["old_orphan"], store_state["old_part"]}
    assert stored_files(settings) == before - removed
    assert store_state["referenced"] <= stored_files(settings)
    assert store_state["young_orphan"].exists() and store_state["young_part"].exists()
    assert store_state["others"] <= stored_files(settings)
    assert "检查附件文件 7 个，其中 2 个在宽限时间（24 小时）内" in output
    assert "无附件记录引用的文件 1 个（1000 B）" in output
    assert "上传中断留下的临时文件 1 个（24 B）" in output
    assert "已删除 2 个文件，释放 1.0 KB（1024 字节）" in output
    log = OperationLog.objects.get(action=actions.ATTACHMENT_PRUNE)
    assert log.actor is None and log.actor_repr == "系统"
    assert log.extra == {
        "older_than_hours": 24,
        "checked": 7,
        "orphans": 1,
        "partials": 1,
        "deleted": 2,
        "deleted_bytes": 1024,
        "failed": 0,
    }
    # Idempotent: a second run finds nothing more.
    assert "已删除 0 个文件" in prune()


def test_prune_grace_period_option(store_state: dict[str, Any], settings: Any) -> None:
    prune("--older-than-hours", "48")
    assert store_state["old_orphan"].exists() and store_state["old_part"].exists()
    prune("--older-than-hours", "1")
    assert not store_state["young_orphan"].exists()
    assert store_state["young_part"].exists()  # written just now
    assert store_state["referenced"] <= stored_files(settings)


def test_prune_dry_run_deletes_nothing(store_state: dict[str, Any], settings: Any) -> None:
    before = stored_files(settings)
    output = prune("--dry-run")
    assert "无附件记录引用的文件 1 个（1000 B）" in output and "试运行（--dry-run）：未删除任何文件。" in output
    assert stored_files(settings) == before
    assert not OperationLog.objects.filter(action=actions.ATTACHMENT_PRUNE).exists()


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--older-than-hours", "abc"], "宽限时间须为 1 到 87600 之间的整数（小时），收到“abc”"),
        (["--older-than-hours", "0"], "收到“0”"),
        (["--older-than-hours", "-5"], "收到“-5”"),
        (["--older-than-hours", "1.5"], "收到“1.5”"),
        (["--older-than-hours"], "参数 --older-than-hours 后面缺少取值"),
        (["--keep"], "无法识别的参数：--keep"),
    ],
)
def test_prune_bad_option_exits_2_and_deletes_nothing(
    store_state: dict[str, Any], settings: Any, args: list[str], fragment: str
) -> None:
    before = stored_files(settings)
    with pytest.raises(CommandError) as exc:
        prune(*args)
    assert exc.value.returncode == 2
    assert fragment in str(exc.value)
    assert stored_files(settings) == before
    assert not OperationLog.objects.filter(action=actions.ATTACHMENT_PRUNE).exists()


def test_prune_bad_option_on_the_command_line(tmp_path: Path) -> None:
    files = tmp_path / "store"
    path = files / "ab" / "12" / ("ab12" + "0" * 36)
    path.parent.mkdir(parents=True)
    path.write_bytes(b"orphan")
    age(path, 100)
    proc = subprocess.run(
        [sys.executable, "-m", "kejiju", "attachments", "prune", "--older-than-hours", "两天"],
        capture_output=True,
        text=True,
        env={**os.environ, "KEJIJU_FILES_DIR": str(files)},
    )
    assert proc.returncode == 2
    assert "--older-than-hours：宽限时间须为 1 到 87600 之间的整数（小时），收到“两天”。未删除任何文件。" in proc.stderr
    assert path.exists()
    proc = subprocess.run(
        [sys.executable, "-m", "kejiju", "attachments", "clean"],
        capture_output=True,
        text=True,
        env={**os.environ, "KEJIJU_FILES_DIR": str(files)},
    )
    assert proc.returncode == 2 and "未知的子命令“clean”，可用：prune。" in proc.stderr
    assert path.exists()


def test_prune_only_by_a_system_administrator(store_state: dict[str, Any], settings: Any) -> None:
    before = stored_files(settings)
    staff = UserFactory(region=region("341181"))
    with pytest.raises(BusinessError) as exc:
        attachment_prune(actor=staff)
    assert exc.value.code == "forbidden"
    assert stored_files(settings) == before
    admin = UserFactory(region=region("341181"), is_superuser=True)
    result = attachment_prune(actor=admin)
    assert result.deleted == 2 and result.deleted_bytes == 1024
    assert OperationLog.objects.get(action=actions.ATTACHMENT_PRUNE).actor == admin

"""Notifications: in-app rows now, e-mail and SMS only after commit, idempotent keys, the 我的消息 page."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.urls import reverse

from kejiju.core.choices import Role
from kejiju.core.models import Notification, OutboundMessage
from kejiju.core.notify import MemorySmsBackend, notify, unread_count


@pytest.fixture
def people(regions: Any, make_user: Any) -> dict[str, Any]:
    return {
        "a": make_user(Role.BUREAU_STAFF, "341181", email="a@example.org", phone="13800000001"),
        "b": make_user(Role.BUREAU_STAFF, "341181", email="", phone=""),
    }


@pytest.fixture(autouse=True)
def _memory_sms(settings: Any) -> None:
    settings.KEJIJU_SMS_BACKEND = "kejiju.core.notify.MemorySmsBackend"
    MemorySmsBackend.outbox.clear()


def test_inapp_only_by_default(people: dict[str, Any], django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        rows = notify(recipients=[people["a"], people["b"], people["a"]], title="进度报告即将到期", url="/x/")
    assert len(rows) == 2  # one per distinct recipient
    assert callbacks == []
    assert unread_count(people["a"]) == 1
    assert mail.outbox == [] and MemorySmsBackend.outbox == []


def test_email_and_sms_leave_after_commit(people: dict[str, Any], django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify(
            recipients=[people["a"], people["b"]],
            title="验收通知",
            body="请于 12 月 10 日前提交验收材料。",
            channels=("inapp", "email", "sms"),
            phones=["13900000002"],
        )
    # nothing has left before the transaction commits
    assert mail.outbox == [] and MemorySmsBackend.outbox == []
    for callback in callbacks:
        callback()
    assert [m.to for m in mail.outbox] == [["a@example.org"]]  # b has no address
    assert sorted(p for p, _ in MemorySmsBackend.outbox) == ["13800000001", "13900000002"]
    assert OutboundMessage.objects.filter(ok=True).count() == 3


def test_key_makes_reminders_idempotent(people: dict[str, Any]) -> None:
    notify(recipients=[people["a"]], title="提醒", key="programs.progress:1:before")
    again = notify(recipients=[people["a"], people["b"]], title="提醒", key="programs.progress:1:before")
    assert [n.recipient_id for n in again] == [people["b"].pk]
    assert Notification.objects.filter(key="programs.progress:1:before").count() == 2


def test_failed_channel_is_recorded_not_raised(
    people: dict[str, Any], settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.KEJIJU_SMS_BACKEND = "kejiju.core.tests.test_notify.BrokenSms"
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[people["a"]], title="测试", channels=("sms",))
    failed = OutboundMessage.objects.get()
    assert not failed.ok and "网关" in failed.error
    assert Notification.objects.count() == 0  # sms only: no in-app row


def test_unknown_channel_is_a_programming_error(people: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        notify(recipients=[people["a"]], title="x", channels=("fax",))


class BrokenSms:
    def send(self, phone: str, text: str) -> None:
        raise RuntimeError("短信网关无响应")


def test_pages(client: Any, people: dict[str, Any]) -> None:
    mine = notify(recipients=[people["a"]], title="我的提醒", url="/orgs/")[0]
    other = notify(recipients=[people["b"]], title="别人的提醒")[0]
    assert client.get(reverse("core:notification_list")).status_code == 302  # anonymous → login
    client.force_login(people["a"])
    page = client.get(reverse("core:notification_list"))
    assert "我的提醒" in page.content.decode() and "别人的提醒" not in page.content.decode()
    assert client.post(reverse("core:notification_open", args=[other.pk])).status_code == 404
    response = client.post(reverse("core:notification_open", args=[mine.pk]))
    assert response.status_code == 302 and response["Location"] == "/orgs/"
    mine.refresh_from_db()
    assert mine.read_at is not None
    notify(recipients=[people["a"]], title="第二条", url="https://evil.example/")
    second = Notification.objects.get(title="第二条")
    assert client.post(reverse("core:notification_open", args=[second.pk]))["Location"] == reverse(
        "core:notification_list"
    )
    client.post(reverse("core:notification_read_all"))
    assert unread_count(people["a"]) == 0

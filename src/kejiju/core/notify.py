"""Notifications (house rule 12: called explicitly by services, never from signals).

:func:`notify` writes an in-app message per recipient and, when asked, sends e-mail (Django's mail
backend) and SMS through the adapter named by ``KEJIJU_SMS_BACKEND`` — by default
:class:`ConsoleSmsBackend`, which only logs, so a county PC needs no SMS contract. A deployment plugs in its
provider by writing a class with ``send(phone, text)`` and naming it in the setting. Every outside message
is recorded in :class:`~kejiju.core.models.OutboundMessage` with the channel's answer.

Sending is deferred to ``transaction.on_commit`` so a rolled-back operation never notifies anyone.
``key`` makes a notification idempotent per recipient (a reminder job may run twice a day).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from typing import Any, Protocol

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils.module_loading import import_string

from kejiju.core.models import Notification, OutboundMessage

logger = logging.getLogger("kejiju.notify")

CHANNELS = ("inapp", "email", "sms")


class SmsBackend(Protocol):
    def send(self, phone: str, text: str) -> None: ...


class ConsoleSmsBackend:
    """Writes the SMS to the log instead of sending it (the default)."""

    def send(self, phone: str, text: str) -> None:
        logger.info("短信（未实际发送）→ %s：%s", phone, text)


class MemorySmsBackend:
    """Keeps sent SMS in :attr:`outbox` (tests)."""

    outbox: list[tuple[str, str]] = []

    def send(self, phone: str, text: str) -> None:
        MemorySmsBackend.outbox.append((phone, text))


def sms_backend() -> SmsBackend:
    path = getattr(settings, "KEJIJU_SMS_BACKEND", "kejiju.core.notify.ConsoleSmsBackend")
    backend: SmsBackend = import_string(path)()
    return backend


def _send_outside(channel: str, to: str, subject: str, body: str, key: str) -> None:
    try:
        if channel == "email":
            send_mail(subject, body, None, [to], fail_silently=False)
        else:
            sms_backend().send(to, "%s %s" % (subject, body) if subject else body)
    except Exception as exc:
        logger.warning("消息发送失败（%s → %s）：%s", channel, to, exc)
        OutboundMessage.objects.create(
            channel=channel, to=to, subject=subject[:200], body=body, key=key, ok=False, error=str(exc)[:2000]
        )
        return
    OutboundMessage.objects.create(channel=channel, to=to, subject=subject[:200], body=body, key=key)


def notify(
    *,
    recipients: Iterable[Any],
    title: str,
    body: str = "",
    url: str = "",
    category: str = "",
    key: str = "",
    channels: Sequence[str] = ("inapp",),
    phones: Iterable[str] = (),
) -> list[Notification]:
    """Notify users (and, for SMS, extra ``phones`` of people without accounts, e.g. a farmer).

    ``channels`` ⊆ ("inapp", "email", "sms"); e-mail goes to users with an address, SMS to users with a
    phone and to ``phones``. With ``key``, a recipient who already has a notification with that key gets
    nothing new. Returns the in-app notifications created (saved now, inside the caller's transaction);
    e-mail and SMS leave after commit."""
    unknown = set(channels) - set(CHANNELS)
    if unknown:
        raise ValueError("unknown channel: %s" % ", ".join(sorted(unknown)))
    users = [u for u in {getattr(u, "pk", None): u for u in recipients if u is not None}.values()]
    if key:
        done = set(
            Notification.objects.filter(key=key, recipient__in=[u.pk for u in users]).values_list(
                "recipient_id", flat=True
            )
        )
        users = [u for u in users if u.pk not in done]
    created: list[Notification] = []
    if "inapp" in channels:
        created = Notification.objects.bulk_create(
            [
                Notification(recipient=u, title=title[:200], body=body, url=url[:300], category=category, key=key)
                for u in users
            ]
        )
    outside: list[tuple[str, str]] = []
    if "email" in channels:
        outside += [("email", u.email) for u in users if getattr(u, "email", "")]
    if "sms" in channels:
        numbers = {getattr(u, "phone", "") for u in users} | set(phones)
        outside += [("sms", p) for p in sorted(n for n in numbers if n)]
    if outside:

        def send() -> None:
            for channel, to in outside:
                _send_outside(channel, to, title, body, key)

        transaction.on_commit(send)
    return created


def unread_count(user: Any) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()

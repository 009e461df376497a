"""Writes of the service line and the knowledge base (house rule 1).

Every function is keyword-only, runs in one transaction, checks the actor's permission and the rules,
saves with field history (``acting``), writes the operation log and returns the record. Status changes go
through :data:`~kejiju.service.workflow.REQUEST_WORKFLOW` with a transition row. Bad input raises
:class:`~kejiju.core.errors.BusinessError` / :class:`~kejiju.core.errors.RowErrors` and changes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from kejiju.core.audit import log_operation
from kejiju.core.errors import BusinessError, RowErrors
from kejiju.core.history import acting
from kejiju.core.models import Region, User
from kejiju.core.notify import notify
from kejiju.core.permissions import can_manage_region
from kejiju.core.services.attachments import attachment_create
from kejiju.core.workflow import apply_transition
from kejiju.engines.contact import is_mobile, is_phone, normalize_phone
from kejiju.engines.filetypes import IMAGE_KINDS, check_upload
from kejiju.service import actions, permissions, textsearch
from kejiju.service.choices import (
    DEFAULT_CATEGORIES,
    DEFAULT_SUBJECTS,
    OPEN_STATUSES,
    Channel,
    DispatchKind,
    LossMethod,
    LossStatus,
    RequestStatus,
    Season,
    Visibility,
)
from kejiju.service.models import (
    Callback,
    Dispatch,
    DutySlot,
    EarlyWarning,
    KnowledgeArticle,
    ProblemCategory,
    ServiceRequest,
    ServiceRequestTransition,
    ServiceSubject,
    StatMonth,
    StatRollup,
    Visit,
)
from kejiju.service.workflow import REQUEST_WORKFLOW

CENT = Decimal("0.01")
MAX_MONEY = Decimal("999999999999.99")
MAX_PHOTOS = 9
#: Photos a member of the public may attach to a 网上求助 (images only, checked by content and size).
PUBLIC_MAX_PHOTOS = 3
DEFAULT_WARNING = {"count": 3, "days": 7}


def canonical_phone(value: str) -> str:
    """The stored form of a phone number: a mobile as its 11 digits, a landline as typed without spaces."""
    text = normalize_phone(value or "")
    if is_mobile(text):
        return text.replace("-", "")[-11:]
    return text


def warning_rule() -> tuple[int, int]:
    """(N, D): N or more requests of one subject and category in one town within D days raise a warning
    (setting ``KEJIJU_SERVICE_WARNING = {"count": N, "days": D}``)."""
    conf = {**DEFAULT_WARNING, **getattr(settings, "KEJIJU_SERVICE_WARNING", {})}
    return max(2, int(conf["count"])), max(1, int(conf["days"]))


def _forbid(message: str = "您没有执行此操作的权限。") -> BusinessError:
    return BusinessError(message, code="forbidden")


def _text(raw: Any, field: str, label: str, errors: dict[str, list[str]], *, max_len: int, required: bool) -> str:
    value = str(raw if raw is not None else "").strip()
    if "\x00" in value:
        errors.setdefault(field, []).append("%s含有无效字符。" % label)
        return ""
    if required and not value:
        errors.setdefault(field, []).append("请填写%s。" % label)
    elif len(value) > max_len:
        errors.setdefault(field, []).append("%s不能超过 %d 个字。" % (label, max_len))
    return value


def ensure_defaults() -> None:
    """Create the default subjects and problem categories when the tables are empty."""
    if not ServiceSubject.objects.exists():
        ServiceSubject.objects.bulk_create(
            [ServiceSubject(code=c, name=n, order=i) for i, (c, n) in enumerate(DEFAULT_SUBJECTS)]
        )
    if not ProblemCategory.objects.exists():
        ProblemCategory.objects.bulk_create(
            [
                ProblemCategory(code=c, name=n, response_hours=r, visit_hours=v, closure_hours=cl, order=i)
                for i, (c, n, r, v, cl) in enumerate(DEFAULT_CATEGORIES)
            ]
        )


def _code_row(model: Any, value: Any, field: str, label: str, errors: dict[str, list[str]]) -> Any:
    if value in (None, ""):
        errors.setdefault(field, []).append("请选择%s。" % label)
        return None
    if isinstance(value, model):
        row = value
    else:
        text = str(value).strip()
        q = Q(code=text) | Q(name=text)
        if text.isdigit() and len(text) < 10:
            q |= Q(pk=int(text))
        row = model.objects.filter(q).first()
    if row is None or not row.is_active:
        errors.setdefault(field, []).append("%s“%s”不存在或已停用。" % (label, str(value)[:20]))
        return None
    return row


# ---------------------------------------------------------------- photos


def _read_photos(photos: Sequence[tuple[str, IO[bytes]]], field: str = "photos") -> list[tuple[str, bytes]]:
    """Read and check every photo before anything is stored: images only (by content), size-limited."""
    if len(photos) > MAX_PHOTOS:
        raise RowErrors({field: ["照片最多上传 %d 张。" % MAX_PHOTOS]})
    limit = int(getattr(settings, "KEJIJU_ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024))
    out: list[tuple[str, bytes]] = []
    for name, fileobj in photos:
        if hasattr(fileobj, "seek"):
            fileobj.seek(0)
        data = fileobj.read(limit + 1)
        if len(data) > limit:
            raise RowErrors({field: ["照片“%s”超过大小上限，请压缩后再上传。" % name]})
        result = check_upload(name or "photo", data, IMAGE_KINDS)
        if not result.ok:
            raise RowErrors({field: ["照片“%s”不是图片（只收 JPG、PNG、GIF、WebP）：%s" % (name, result.reason)]})
        out.append((name, data))
    return out


def _store_photos(*, actor: Any, photos: list[tuple[str, bytes]], region: str, owner: Any, purpose: str) -> None:
    import io

    for name, data in photos:
        attachment_create(
            actor=actor,
            fileobj=io.BytesIO(data),
            name=name,
            region=region,
            owner=owner,
            purpose=purpose,
            allowed=IMAGE_KINDS,
        )


# ---------------------------------------------------------------- intake


def _check_region(raw: Any, actor: Any, errors: dict[str, list[str]]) -> Region | None:
    code = str(getattr(raw, "code", raw) or "").strip()
    if not code:
        errors.setdefault("region", []).append("请选择求助人所在的村（或乡镇）。")
        return None
    if not code.isdigit() or len(code) not in (9, 12):
        errors.setdefault("region", []).append("所在村（乡镇）须为 9 位乡镇或 12 位村级区划代码。")
        return None
    if actor is not None and not can_manage_region(actor, code):
        errors.setdefault("region", []).append("所选村“%s”不在您的管辖范围内。" % code)
        return None
    region = Region.objects.filter(code=code, is_active=True).first()
    if region is None:
        errors.setdefault("region", []).append("区划代码“%s”不存在。" % code)
    return region


def clean_request(data: dict[str, Any], *, actor: Any) -> dict[str, Any]:
    """Check the intake fields (caller phone, name, village within the operator's scope, subject,
    category, description); raises ``RowErrors`` naming every bad field."""
    errors: dict[str, list[str]] = {}
    phone_raw = str(data.get("caller_phone") or "").strip()
    phone = canonical_phone(phone_raw)
    if not phone_raw:
        errors["caller_phone"] = ["请填写来电号码。"]
    elif not is_phone(phone):
        errors["caller_phone"] = ["来电号码“%s”不是有效的手机号或固定电话号码。" % phone_raw[:30]]
    out: dict[str, Any] = {"caller_phone": phone}
    out["caller_name"] = _text(data.get("caller_name"), "caller_name", "求助人姓名", errors, max_len=40, required=True)
    out["region"] = _check_region(data.get("region"), actor, errors)
    out["subject"] = _code_row(ServiceSubject, data.get("subject"), "subject", "服务领域", errors)
    out["category"] = _code_row(ProblemCategory, data.get("category"), "category", "问题类别", errors)
    out["description"] = _text(data.get("description"), "description", "问题描述", errors, max_len=2000, required=True)
    channel = str(data.get("channel") or Channel.PHONE)
    if channel not in Channel.values:
        errors["channel"] = ["受理渠道无效。"]
    out["channel"] = channel
    if errors:
        raise RowErrors(errors)
    return out


def _timers(req: ServiceRequest) -> None:
    cat = req.category
    start = req.received_at
    req.response_due = start + timedelta(hours=cat.response_hours)
    req.visit_due = start + timedelta(hours=cat.visit_hours) if cat.visit_hours else None
    req.closure_due = start + timedelta(hours=cat.closure_hours)


@transaction.atomic
def request_create(
    *,
    actor: Any,
    data: dict[str, Any],
    photos: Sequence[tuple[str, IO[bytes]]] = (),
    received_at: datetime | None = None,
) -> ServiceRequest:
    """Take a request (受理). ``actor`` is the operator (who then owns it until dispatch) or ``None`` for the
    public web form (channel 网上求助, at most ``PUBLIC_MAX_PHOTOS`` photos). Raises ``RowErrors`` for bad fields or non-image photos;
    nothing is stored then. May raise an early warning for the town (see :func:`warning_check`)."""
    if actor is not None and not permissions.can_add_request(actor):
        raise _forbid("您没有受理求助的权限。")
    clean = clean_request(data, actor=actor)
    if actor is None:
        clean["channel"] = Channel.WEB
        if len(photos) > PUBLIC_MAX_PHOTOS:
            raise RowErrors({"photos": ["网上求助最多上传 %d 张照片。" % PUBLIC_MAX_PHOTOS]})
    checked = _read_photos(photos)
    region: Region = clean["region"]
    req = ServiceRequest(
        number="T" + timezone.now().strftime("%H%M%S%f"),
        region=region,
        town_id=region.code[:9],
        channel=clean["channel"],
        caller_phone=clean["caller_phone"],
        caller_name=clean["caller_name"],
        subject=clean["subject"],
        category=clean["category"],
        description=clean["description"],
        taker=actor,
        received_at=received_at or timezone.now(),
    )
    _timers(req)
    with acting(actor):
        req.save()
        local = timezone.localtime(req.received_at)
        ServiceRequest.objects.filter(pk=req.pk).update(number="FW%s%06d" % (local.strftime("%Y%m%d"), req.pk))
        req.refresh_from_db(fields=["number"])
        ServiceRequestTransition.objects.create(
            request=req, from_status="", to_status=req.status, action="create", actor=actor
        )
    if checked:
        _store_photos(actor=actor, photos=checked, region=region.code, owner=req, purpose="求助照片")
    log_operation(actor=actor, action=actions.REQUEST_CREATE, target=req, extra={"channel": req.channel})
    warning_check(request=req)
    return req


def _lock(req: ServiceRequest) -> ServiceRequest:
    return ServiceRequest.objects.select_for_update(of=("self",)).select_related("assignee", "category").get(pk=req.pk)


def _move(
    req: ServiceRequest,
    *,
    actor: Any,
    action: str,
    reason: str = "",
    extra: dict[str, Any] | None = None,
    fields: Iterable[str] = (),
) -> None:
    apply_transition(
        obj=req,
        workflow=REQUEST_WORKFLOW,
        action=action,
        actor=actor,
        transition_model=ServiceRequestTransition,
        fk_name="request",
        reason=reason,
        extra=extra,
        update_fields=[*fields, "is_overdue"],
    )
    log_operation(
        actor=actor, action=actions.REQUEST_TRANSITION, target=req, extra={"action": action, "to": req.status}
    )


def _first_response(req: ServiceRequest, now: datetime) -> list[str]:
    if req.first_response_at is None:
        req.first_response_at = now
        return ["first_response_at"]
    return []


@transaction.atomic
def request_answer(
    *, actor: Any, request: ServiceRequest, answer: str, article_ids: Sequence[int] = ()
) -> ServiceRequest:
    """Answer directly (直接答复), recording the knowledge-base articles used; the first response."""
    req = _lock(request)
    if not permissions.can_handle_request(actor, req):
        raise _forbid()
    errors: dict[str, list[str]] = {}
    text = _text(answer, "answer", "答复内容", errors, max_len=4000, required=True)
    ids = sorted({int(i) for i in article_ids if str(i).isdigit()})
    articles = list(KnowledgeArticle.objects.filter(pk__in=ids, is_archived=False))
    if len(articles) != len(ids):
        errors["articles"] = ["所选知识库文章不存在或已归档。"]
    if errors:
        raise RowErrors(errors)
    REQUEST_WORKFLOW.check("answer", req.status)
    now = timezone.now()
    req.answer = text
    fields = ["answer", *_first_response(req, now)]
    _move(req, actor=actor, action="answer", fields=fields, extra={"articles": ids})
    req.articles_used.add(*articles)
    return req


def _person(value: Any) -> Any:
    """A live :class:`people.Person` by id (experts and commissioners are people records)."""
    from django.apps import apps

    Person = apps.get_model("people", "Person")
    if isinstance(value, Person):
        return value
    if value in (None, "") or not str(value).isdigit():
        return None
    return Person.objects.filter(pk=int(value), is_archived=False).first()


@transaction.atomic
def request_dispatch(
    *, actor: Any, request: ServiceRequest, person: Any, town: Any = None, note: str = "", reason: str = ""
) -> ServiceRequest:
    """Dispatch (派单) a received request — or transfer (转派) a dispatched/accepted one, with a reason — to a
    person for a town. Both sides keep seeing it (owner region + assigned region) and the chain of
    dispatches is its history. The person is notified when they have an account."""
    req = _lock(request)
    if not permissions.can_dispatch_request(actor, req):
        raise _forbid("您没有派单的权限。")
    transfer = req.status != RequestStatus.RECEIVED
    action = "transfer" if transfer else "dispatch"
    REQUEST_WORKFLOW.check(action, req.status, reason)
    errors: dict[str, list[str]] = {}
    who = _person(person)
    if who is None:
        errors["person"] = ["请选择承办人（专家或科技特派员）。"]
    town_code = str(getattr(town, "code", town) or "").strip() or req.town_id
    target = Region.objects.filter(code=town_code).first() if town_code.isdigit() and len(town_code) == 9 else None
    if target is None:
        errors["town"] = ["承办乡镇须为已有的 9 位乡镇代码。"]
    note = _text(note, "note", "派单说明", errors, max_len=200, required=False)
    if errors:
        raise RowErrors(errors)
    assert target is not None
    now = timezone.now()
    from_region = req.assigned_region_id or req.town_id
    req.assignee = who
    req.assigned_region = target
    req.dispatched_at = now
    req.accepted_at = None
    fields = ["assignee", "assigned_region", "dispatched_at", "accepted_at", *_first_response(req, now)]
    _move(req, actor=actor, action=action, reason=reason, fields=fields, extra={"person": who.pk, "town": target.code})
    Dispatch.objects.create(
        request=req,
        kind=DispatchKind.TRANSFER if transfer else DispatchKind.DISPATCH,
        person=who,
        from_region_id=from_region,
        to_region=target,
        by=actor,
        note=note or reason,
        at=now,
    )
    log_operation(
        actor=actor,
        action=actions.REQUEST_TRANSFER if transfer else actions.REQUEST_DISPATCH,
        target=req,
        extra={"person": who.pk, "to": target.code, "from": from_region},
    )
    if who.user_id:
        notify(
            recipients=[who.user],
            title="新的服务工单 %s 待接单" % req.number,
            body="%s · %s：%s" % (req.subject.name, req.category.name, req.description[:60]),
            url=reverse("service:request_detail", args=[req.pk]),
            category="service",
            channels=("inapp", "sms"),
        )
    return req


@transaction.atomic
def request_accept(*, actor: Any, request: ServiceRequest) -> ServiceRequest:
    """The assignee accepts (接单) the dispatched request."""
    req = _lock(request)
    if not permissions.can_work_request(actor, req):
        raise _forbid()
    REQUEST_WORKFLOW.check("accept", req.status)
    now = timezone.now()
    req.accepted_at = now
    _move(req, actor=actor, action="accept", fields=["accepted_at"])
    Dispatch.objects.filter(request=req, accepted_at__isnull=True).update(accepted_at=now)
    return req


@transaction.atomic
def request_decline(*, actor: Any, request: ServiceRequest, reason: str) -> ServiceRequest:
    """The assignee sends the request back (退回) with a reason; it returns to the service line."""
    req = _lock(request)
    if not permissions.can_work_request(actor, req):
        raise _forbid()
    REQUEST_WORKFLOW.check("decline", req.status, reason)
    req.assignee = None
    _move(req, actor=actor, action="decline", reason=reason, fields=["assignee"])
    return req


def _shift(req: ServiceRequest, delta: timedelta) -> list[str]:
    fields = []
    for name, done in (
        ("response_due", "first_response_at"),
        ("visit_due", "visited_at"),
        ("closure_due", "closed_at"),
    ):
        if getattr(req, name) is not None and getattr(req, done) is None:
            setattr(req, name, getattr(req, name) + delta)
            fields.append(name)
    return fields


@transaction.atomic
def request_wait(*, actor: Any, request: ServiceRequest, reason: str = "") -> ServiceRequest:
    """Wait for the caller (等待来电人): the timers stop until :func:`request_resume`."""
    req = _lock(request)
    if not permissions.can_work_request(actor, req):
        raise _forbid()
    REQUEST_WORKFLOW.check("wait", req.status)
    req.resume_status = req.status
    req.paused_at = timezone.now()
    _move(req, actor=actor, action="wait", reason=reason, fields=["resume_status", "paused_at"])
    return req


@transaction.atomic
def request_resume(*, actor: Any, request: ServiceRequest) -> ServiceRequest:
    """Resume after waiting: the open timers move on by the time spent waiting."""
    req = _lock(request)
    if not permissions.can_work_request(actor, req):
        raise _forbid()
    action = "resume_accepted" if req.resume_status == RequestStatus.ACCEPTED else "resume_received"
    REQUEST_WORKFLOW.check(action, req.status)
    now = timezone.now()
    delta = now - (req.paused_at or now)
    fields = _shift(req, delta)
    req.paused_seconds += int(delta.total_seconds())
    req.paused_at = None
    req.resume_status = ""
    _move(req, actor=actor, action=action, fields=[*fields, "paused_seconds", "paused_at", "resume_status"])
    return req


# ---------------------------------------------------------------- visit and callback


def _parse_date(value: Any, field: str, label: str, errors: dict[str, list[str]]) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value or "").strip()
    if not text:
        errors.setdefault(field, []).append("请填写%s。" % label)
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        errors.setdefault(field, []).append("%s“%s”不是有效日期（格式 2026-05-01）。" % (label, text[:20]))
        return None


@transaction.atomic
def visit_record(
    *, actor: Any, request: ServiceRequest, data: dict[str, Any], photos: Sequence[tuple[str, IO[bytes]]] = ()
) -> Visit:
    """Record an on-site visit (出诊) of an accepted request: the date may not be before the request nor in
    the future; people, diagnosis and measures are required; photos must be images."""
    req = _lock(request)
    if not permissions.can_work_request(actor, req):
        raise _forbid()
    REQUEST_WORKFLOW.check("visit", req.status)
    errors: dict[str, list[str]] = {}
    day = _parse_date(data.get("visited_on"), "visited_on", "出诊日期", errors)
    received = timezone.localtime(req.received_at).date()
    if day is not None and day < received:
        errors.setdefault("visited_on", []).append(
            "出诊日期 %s 早于受理日期 %s，请核对。" % (day.isoformat(), received.isoformat())
        )
    elif day is not None and day > timezone.localdate():
        errors.setdefault("visited_on", []).append("出诊日期不能晚于今天。")
    people = _text(data.get("people"), "people", "出诊人员", errors, max_len=200, required=True)
    diagnosis = _text(data.get("diagnosis"), "diagnosis", "诊断", errors, max_len=2000, required=True)
    measures = _text(data.get("measures"), "measures", "处理措施", errors, max_len=2000, required=True)
    materials = _text(data.get("materials"), "materials", "发放资料/物资", errors, max_len=200, required=False)
    if errors:
        raise RowErrors(errors)
    checked = _read_photos(photos)
    assert day is not None
    visit = Visit(
        request=req,
        visited_on=day,
        people=people,
        diagnosis=diagnosis,
        measures=measures,
        materials=materials,
        recorded_by=actor,
    )
    visit.save()
    fields: list[str] = []
    if req.visited_at is None:
        req.visited_at = timezone.now()
        fields.append("visited_at")
    _move(req, actor=actor, action="visit", fields=fields, extra={"visit": visit.pk})
    if checked:
        _store_photos(actor=actor, photos=checked, region=req.region_id, owner=visit, purpose="出诊照片")
    log_operation(actor=actor, action=actions.VISIT_RECORD, target=req, extra={"visit": visit.pk})
    return visit


def _money(raw: Any, field: str, label: str, errors: dict[str, list[str]], *, integer: bool = False) -> Decimal | None:
    if raw in (None, ""):
        errors.setdefault(field, []).append("请填写%s。" % label)
        return None
    try:
        value = Decimal(str(raw).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        errors.setdefault(field, []).append("%s“%s”不是数字。" % (label, str(raw)[:20]))
        return None
    if not value.is_finite():
        errors.setdefault(field, []).append("%s不是有效数字。" % label)
        return None
    if value <= 0:
        errors.setdefault(field, []).append("%s须大于 0。" % label)
        return None
    if integer and value != value.to_integral_value():
        errors.setdefault(field, []).append("%s须为整数。" % label)
        return None
    if value.as_tuple().exponent < -2:  # type: ignore[operator]
        errors.setdefault(field, []).append("%s最多保留两位小数。" % label)
        return None
    if value > MAX_MONEY:
        errors.setdefault(field, []).append("%s过大。" % label)
        return None
    return value


def loss_estimate(data: dict[str, Any]) -> tuple[str, Decimal | None, str, dict[str, Any]]:
    """The loss avoided from its basis: ``(method, amount in yuan, formula text, inputs)``. Raises
    ``RowErrors`` for a method without its inputs, a negative or zero input, more than two decimals."""
    method = str(data.get("loss_method") or "")
    errors: dict[str, list[str]] = {}
    inputs: dict[str, Any] = {}
    amount: Decimal | None = None
    formula = ""
    if method not in LossMethod.values:
        raise RowErrors({"loss_method": ["挽回损失测算方式无效。"]})
    if not method:
        for name in ("area_mu", "yield_saved_kg", "price", "head_count", "loss_amount"):
            if data.get(name) not in (None, ""):
                raise RowErrors({"loss_method": ["填写了挽回损失的数据，请选择测算方式（测算依据）。"]})
        return "", None, "", {}
    if method == LossMethod.AREA:
        area = _money(data.get("area_mu"), "area_mu", "面积（亩）", errors)
        saved = _money(data.get("yield_saved_kg"), "yield_saved_kg", "亩挽回产量（公斤）", errors)
        price = _money(data.get("price"), "price", "单价（元/公斤）", errors)
        if not errors:
            assert area and saved and price
            amount = area * saved * price
            formula = "%s 亩 × %s 公斤/亩 × %s 元/公斤" % (area, saved, price)
            inputs = {"area_mu": area, "yield_saved_kg": saved, "price": price}
    elif method == LossMethod.HEAD:
        heads = _money(data.get("head_count"), "head_count", "头（只）数", errors, integer=True)
        price = _money(data.get("price"), "price", "每头（只）价值（元）", errors)
        if not errors:
            assert heads and price
            amount = heads * price
            formula = "%s 头（只）× %s 元" % (int(heads), price)
            inputs = {"head_count": int(heads), "price": price}
    else:
        direct = _money(data.get("loss_amount"), "loss_amount", "挽回经济损失金额（元）", errors)
        if not errors:
            assert direct
            amount = direct
            formula = "直接测算 %s 元" % direct
    if errors:
        raise RowErrors(errors)
    assert amount is not None
    amount = amount.quantize(CENT)
    if amount > MAX_MONEY:
        raise RowErrors({"loss_method": ["挽回经济损失测算结果过大，请核对。"]})
    return method, amount, "%s = %s 元" % (formula, amount), inputs


@transaction.atomic
def callback_record(*, actor: Any, request: ServiceRequest, data: dict[str, Any]) -> Callback:
    """Record a callback (回访) of an answered or visited request: resolved, satisfaction 1–5, the caller's
    comment, and the loss avoided with its basis (pending the bureau's check)."""
    req = _lock(request)
    if not permissions.can_work_request(actor, req):
        raise _forbid()
    if req.status not in (RequestStatus.ANSWERED, RequestStatus.VISITED):
        raise BusinessError("当前状态为“%s”，答复或出诊后才能回访。" % req.get_status_display(), code="bad_transition")
    errors: dict[str, list[str]] = {}
    day = _parse_date(data.get("called_on") or timezone.localdate(), "called_on", "回访日期", errors)
    if day is not None and day < timezone.localtime(req.received_at).date():
        errors.setdefault("called_on", []).append("回访日期早于受理日期，请核对。")
    elif day is not None and day > timezone.localdate():
        errors.setdefault("called_on", []).append("回访日期不能晚于今天。")
    raw_sat = data.get("satisfaction")
    satisfaction = 0
    try:
        satisfaction = int(str(raw_sat).strip())
    except (TypeError, ValueError):
        errors.setdefault("satisfaction", []).append("请选择满意度（1–5）。")
    else:
        if not 1 <= satisfaction <= 5:
            errors.setdefault("satisfaction", []).append("满意度须为 1 到 5 之间的整数，收到 %s。" % satisfaction)
    resolved_raw = data.get("resolved")
    if resolved_raw in (None, ""):
        errors.setdefault("resolved", []).append("请选择问题是否已解决。")
    resolved = str(resolved_raw).lower() in ("1", "true", "yes", "on", "是")
    comment = _text(data.get("comment"), "comment", "农户意见", errors, max_len=300, required=False)
    try:
        method, amount, formula, inputs = loss_estimate(data)
    except RowErrors as exc:
        for k, v in exc.errors.items():
            errors.setdefault(k, []).extend(v)
        method, amount, formula, inputs = "", None, "", {}
    if errors:
        raise RowErrors(errors)
    assert day is not None
    cb = Callback(
        request=req,
        called_on=day,
        resolved=resolved,
        satisfaction=satisfaction,
        comment=comment,
        loss_method=method,
        area_mu=inputs.get("area_mu"),
        yield_saved_kg=inputs.get("yield_saved_kg"),
        price=inputs.get("price"),
        head_count=inputs.get("head_count"),
        loss_amount=amount,
        loss_formula=formula,
        loss_status=LossStatus.PENDING if amount is not None else LossStatus.NONE,
        recorded_by=actor,
    )
    cb.save()
    req.satisfaction = satisfaction
    req.resolved = resolved
    with acting(actor):
        req.save(update_fields=["satisfaction", "resolved", "updated_at"])
    log_operation(
        actor=actor,
        action=actions.CALLBACK_RECORD,
        target=req,
        extra={"satisfaction": satisfaction, "resolved": resolved, "loss": str(amount) if amount else ""},
    )
    return cb


@transaction.atomic
def loss_check(*, actor: Any, callback: Callback, approve: bool, reason: str = "") -> Callback:
    """The bureau checks (核定) a loss avoided: approved, it counts as the request's loss avoided; rejected
    (with a reason), it counts nothing."""
    cb = Callback.objects.select_for_update(of=("self",)).select_related("request").get(pk=callback.pk)
    req = _lock(cb.request)
    if not permissions.can_check_loss(actor, req):
        raise _forbid("您没有核定挽回经济损失的权限。")
    if cb.loss_amount is None:
        raise BusinessError("该回访没有填报挽回经济损失。", code="no_loss")
    if not approve and not reason.strip():
        raise BusinessError("不予认定时请填写理由。", code="reason_required", field="reason")
    cb.loss_status = LossStatus.CHECKED if approve else LossStatus.REJECTED
    cb.checked_by = actor
    cb.checked_at = timezone.now()
    cb.save(update_fields=["loss_status", "checked_by", "checked_at"])
    total = sum((c.loss_amount or Decimal(0)) for c in req.callbacks.filter(loss_status=LossStatus.CHECKED).order_by())
    req.loss_avoided = Decimal(total).quantize(CENT) if total else None
    with acting(actor, reason):
        req.save(update_fields=["loss_avoided", "updated_at"])
    log_operation(
        actor=actor,
        action=actions.LOSS_CHECK,
        target=req,
        extra={"callback": cb.pk, "approve": approve, "amount": str(cb.loss_amount), "reason": reason.strip()},
    )
    return cb


@transaction.atomic
def request_close(*, actor: Any, request: ServiceRequest, reason: str = "") -> ServiceRequest:
    """Close (办结) an answered or visited request."""
    req = _lock(request)
    if not (permissions.can_handle_request(actor, req) or permissions.is_assignee(actor, req)):
        raise _forbid()
    REQUEST_WORKFLOW.check("close", req.status)
    req.closed_at = timezone.now()
    _move(req, actor=actor, action="close", reason=reason, fields=["closed_at"])
    return req


@transaction.atomic
def request_reopen(*, actor: Any, request: ServiceRequest, reason: str, complaint: bool = False) -> ServiceRequest:
    """Reopen (重新打开) a closed request, or register a complaint (投诉) — which also reopens it and counts
    against the assignee on the scoreboard. A reason is required."""
    req = _lock(request)
    if not permissions.can_handle_request(actor, req):
        raise _forbid()
    action = "complain" if complaint else "reopen"
    REQUEST_WORKFLOW.check(action, req.status, reason)
    req.closed_at = None
    fields = ["closed_at"]
    if complaint:
        req.complaints += 1
        fields.append("complaints")
    # the closure clock restarts from now
    req.closure_due = timezone.now() + timedelta(hours=req.category.closure_hours)
    fields.append("closure_due")
    _move(req, actor=actor, action=action, reason=reason, fields=fields)
    return req


def request_transition(*, actor: Any, request: ServiceRequest, action: str, reason: str = "") -> ServiceRequest:
    """One entry for the simple transitions (pages and API): accept, decline, wait, resume, close, reopen,
    complain. Dispatch, answer and visit need their own data and services."""
    if action == "accept":
        return request_accept(actor=actor, request=request)
    if action == "decline":
        return request_decline(actor=actor, request=request, reason=reason)
    if action == "wait":
        return request_wait(actor=actor, request=request, reason=reason)
    if action in ("resume", "resume_received", "resume_accepted"):
        return request_resume(actor=actor, request=request)
    if action == "close":
        return request_close(actor=actor, request=request, reason=reason)
    if action == "reopen":
        return request_reopen(actor=actor, request=request, reason=reason)
    if action == "complain":
        return request_reopen(actor=actor, request=request, reason=reason, complaint=True)
    raise BusinessError("未知的操作“%s”。" % str(action)[:20], code="unknown_action", field="action")


# ---------------------------------------------------------------- timers, overdue and warnings


def _station_users(town_code: str) -> list[Any]:
    """The bureau staff of the county and city above a town and the town station's staff."""
    from kejiju.core.choices import Role

    codes = [town_code, town_code[:6], town_code[:4]]
    return list(
        User.objects.filter(is_active=True, region_id__in=codes, role__in=[Role.BUREAU_STAFF, Role.TOWN_STATION])
    )


def overdue_q(now: datetime) -> Q:
    """Requests late now on any timer (waiting requests are paused and never late)."""
    open_ = Q(status__in=[s for s in OPEN_STATUSES if s != RequestStatus.WAITING])
    late = (
        Q(first_response_at__isnull=True, response_due__lt=now)
        | Q(visit_due__lt=now, visited_at__isnull=True, status__in=[RequestStatus.DISPATCHED, RequestStatus.ACCEPTED])
        | Q(closure_due__lt=now)
    )
    return open_ & late


@transaction.atomic
def sweep(*, now: datetime | None = None, actor: Any = None) -> dict[str, int]:
    """Mark overdue requests (and clear the flag of those no longer late), notify the taker, the
    assignee and the station once per request and day (``kejiju service sweep``, run periodically)."""
    now = now or timezone.now()
    late_ids = set(ServiceRequest.objects.filter(overdue_q(now)).values_list("pk", flat=True))
    changing = ServiceRequest.objects.filter(
        Q(is_overdue=True) & ~Q(pk__in=late_ids) | Q(pk__in=late_ids, is_overdue=False)
    )
    months = list(changing.datetimes("received_at", "month", tzinfo=timezone.get_default_timezone()))
    cleared = ServiceRequest.objects.filter(is_overdue=True).exclude(pk__in=late_ids).update(is_overdue=False)
    newly = list(ServiceRequest.objects.filter(pk__in=late_ids, is_overdue=False).select_related("assignee", "taker"))
    ServiceRequest.objects.filter(pk__in=late_ids).update(is_overdue=True)
    # the months are marked after the requests are written, as a save does: the request rows are locked
    # first and the month's row second in every writer, so a service working on an overdue request during
    # the sweep cannot deadlock with it (the lock on the month is held until the sweep commits)
    stats_mark_dirty(months)
    day = timezone.localtime(now).date().isoformat()
    stations: dict[str, list[Any]] = {}
    notified = 0
    for req in newly:
        people = [req.taker] if req.taker_id else []
        if req.assignee is not None and req.assignee.user_id:
            people.append(req.assignee.user)
        if req.town_id not in stations:
            stations[req.town_id] = _station_users(req.town_id)
        people += stations[req.town_id]
        notified += len(
            notify(
                recipients=people,
                title="工单 %s 已超时" % req.number,
                body="%s：%s" % (req.get_status_display(), req.description[:60]),
                url=reverse("service:request_detail", args=[req.pk]),
                category="service",
                key="service-overdue-%s-%s" % (req.pk, day),
            )
        )
    result = {"overdue": len(late_ids), "new": len(newly), "cleared": cleared, "notified": notified}
    log_operation(actor=actor, action=actions.SWEEP, extra=result)
    return result


def warning_check(*, request: ServiceRequest) -> EarlyWarning | None:
    """Raise an early warning when N or more requests of this subject and category came from this town
    within the last D days and no warning covers the window yet; notify the bureau and the town station."""
    count, days = warning_rule()
    since = request.received_at - timedelta(days=days)
    similar = ServiceRequest.objects.filter(
        town_id=request.town_id,
        subject_id=request.subject_id,
        category_id=request.category_id,
        received_at__gt=since,
        received_at__lte=request.received_at,
    )
    ids = list(similar.values_list("pk", flat=True)[: count * 10])
    if len(ids) < count:
        return None
    existing = EarlyWarning.objects.filter(
        region_id=request.town_id,
        subject_id=request.subject_id,
        category_id=request.category_id,
        last_at__gt=since,
    ).first()
    if existing is not None:
        existing.count = len(ids)
        existing.last_at = max(existing.last_at, request.received_at)
        existing.save(update_fields=["count", "last_at", "updated_at"])
        existing.requests.add(request)
        return existing
    first = similar.order_by("received_at").values_list("received_at", flat=True).first()
    warning = EarlyWarning(
        region_id=request.town_id,
        subject_id=request.subject_id,
        category_id=request.category_id,
        count=len(ids),
        days=days,
        first_at=first or request.received_at,
        last_at=request.received_at,
    )
    warning.save()
    warning.requests.add(*ids)
    town = Region.objects.filter(code=request.town_id).values_list("name", flat=True).first() or request.town_id
    notify(
        recipients=_station_users(request.town_id),
        title="预警：%s %d 天内 %d 起“%s·%s”求助" % (town, days, len(ids), request.subject.name, request.category.name),
        body="请关注并组织专家下乡排查。",
        url=reverse("service:warning_list"),
        category="service",
        key="service-warning-%s" % warning.pk,
        channels=("inapp", "sms"),
    )
    log_operation(actor=None, action=actions.WARNING_RAISE, target=warning, extra={"count": len(ids)})
    return warning


# ---------------------------------------------------------------- duty rota


@transaction.atomic
def duty_save(*, actor: Any, data: dict[str, Any]) -> DutySlot:
    """Put a person on duty on a date for a town and subjects (one slot per person, date and town)."""
    if not permissions.can_manage_duty(actor):
        raise _forbid("您没有安排值班的权限。")
    errors: dict[str, list[str]] = {}
    person = _person(data.get("person"))
    if person is None:
        errors["person"] = ["请选择值班人员。"]
    day = _parse_date(data.get("on_date"), "on_date", "值班日期", errors)
    code = str(getattr(data.get("region"), "code", data.get("region")) or "")
    if not (code.isdigit() and len(code) == 9 and Region.objects.filter(code=code).exists()):
        errors["region"] = ["值班乡镇须为已有的 9 位乡镇代码。"]
    elif not can_manage_region(actor, code):
        errors["region"] = ["所选乡镇不在您的管辖范围内。"]
    subject_values = data.get("subjects") or []
    subjects = [_code_row(ServiceSubject, s, "subjects", "服务领域", errors) for s in subject_values]
    if not subject_values:
        errors["subjects"] = ["请选择至少一个服务领域。"]
    if errors:
        raise RowErrors(errors)
    assert day is not None
    slot = DutySlot.objects.filter(person=person, on_date=day, region_id=code).first() or DutySlot(
        person=person, on_date=day, region_id=code
    )
    slot.note = str(data.get("note") or "")[:100]
    with acting(actor):
        slot.save()
    slot.subjects.set(subjects)
    log_operation(actor=actor, action=actions.DUTY_SAVE, target=slot)
    return slot


# ---------------------------------------------------------------- knowledge base

_PHONE_RE = re.compile(r"(?:\+?86)?1[3-9]\d{9}|0\d{2,3}-?\d{7,8}")
_ID_RE = re.compile(r"\d{17}[\dXx]|\d{15}")


def scrub(text: str, *, names: Iterable[str] = ()) -> str:
    """Remove personal data from a text: phone numbers, ID numbers and the given names."""
    out = _ID_RE.sub("［证件号已删除］", _PHONE_RE.sub("［电话已删除］", text or ""))
    for name in names:
        if name and len(name) >= 2:
            out = out.replace(name, "农户")
    return out


def _sync_index(articles: Sequence[KnowledgeArticle]) -> None:
    rows = [
        textsearch.IndexRow(
            article_id=a.pk,
            title=textsearch.index_tokens(a.title + " " + a.keywords),
            body=textsearch.index_tokens(a.summary + " " + a.body),
            region=a.region_id,
            subject=a.subject_id,
            visibility=a.visibility,
            archived=a.is_archived,
        )
        for a in articles
    ]
    textsearch.backend().replace(rows)


def clean_article(data: dict[str, Any], *, actor: Any) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    out: dict[str, Any] = {}
    out["title"] = _text(data.get("title"), "title", "标题", errors, max_len=200, required=True)
    out["summary"] = _text(data.get("summary"), "summary", "摘要", errors, max_len=300, required=False)
    out["body"] = _text(data.get("body"), "body", "正文", errors, max_len=50000, required=True)
    out["keywords"] = _text(data.get("keywords"), "keywords", "关键词", errors, max_len=200, required=False)
    out["subject"] = _code_row(ServiceSubject, data.get("subject"), "subject", "服务领域", errors)
    out["category"] = (
        _code_row(ProblemCategory, data.get("category"), "category", "问题类别", errors)
        if data.get("category") not in (None, "")
        else None
    )
    seasons = [str(s) for s in (data.get("seasons") or [])]
    bad = [s for s in seasons if s not in Season.values]
    if bad:
        errors["seasons"] = ["适用季节“%s”无效。" % bad[0][:10]]
    out["seasons"] = [s for s in Season.values if s in seasons]
    visibility = str(data.get("visibility") or Visibility.PUBLIC)
    if visibility not in Visibility.values:
        errors["visibility"] = ["公开范围无效。"]
    out["visibility"] = visibility
    code = str(getattr(data.get("region"), "code", data.get("region")) or getattr(actor, "region_id", "") or "")
    if not code or not Region.objects.filter(code=code).exists():
        errors["region"] = ["请选择所属区划。"]
    elif not can_manage_region(actor, code):
        errors["region"] = ["所选区划不在您的管辖范围内。"]
    out["region_id"] = code
    if errors:
        raise RowErrors(errors)
    return out


@transaction.atomic
def article_save(
    *,
    actor: Any,
    data: dict[str, Any],
    article: KnowledgeArticle | None = None,
    attachments: Sequence[tuple[str, IO[bytes]]] = (),
) -> KnowledgeArticle:
    """Create or update a knowledge-base article and its search index row (same transaction)."""
    if article is None and not permissions.can_add_article(actor):
        raise _forbid("您没有编写知识库文章的权限。")
    if article is not None and not permissions.can_change_article(actor, article):
        raise _forbid("您没有修改该文章的权限。")
    clean = clean_article(data, actor=actor)
    obj = article or KnowledgeArticle(author=actor)
    for key, value in clean.items():
        setattr(obj, key, value)
    if "source_request" in data and article is None:
        obj.source_request = data["source_request"]
    with acting(actor):
        obj.save()
    for name, fileobj in attachments:
        attachment_create(
            actor=actor, fileobj=fileobj, name=name, region=obj.region_id, owner=obj, purpose="知识库附件"
        )
    _sync_index([obj])
    log_operation(actor=actor, action=actions.ARTICLE_SAVE, target=obj, extra={"new": article is None})
    return obj


@transaction.atomic
def article_archive(*, actor: Any, article: KnowledgeArticle, archived: bool = True) -> KnowledgeArticle:
    """Archive (hide from search) or restore an article."""
    if not permissions.can_change_article(actor, article):
        raise _forbid()
    article.is_archived = archived
    with acting(actor):
        article.save(update_fields=["is_archived", "updated_at"])
    _sync_index([article])
    log_operation(actor=actor, action=actions.ARTICLE_ARCHIVE, target=article, extra={"archived": archived})
    return article


def article_draft(request: ServiceRequest) -> dict[str, Any]:
    """A curated copy of a closed request as an article draft, personal data removed (caller name and
    phone, ID numbers, the village)."""
    names = [request.caller_name]
    parts = ["【问题】" + scrub(request.description, names=names)]
    for visit in request.visits.all():
        parts.append("【诊断】" + scrub(visit.diagnosis, names=names))
        parts.append("【处理措施】" + scrub(visit.measures, names=names))
    if request.answer:
        parts.append("【答复】" + scrub(request.answer, names=names))
    month = timezone.localtime(request.received_at).month
    season = {
        3: "spring",
        4: "spring",
        5: "spring",
        6: "summer",
        7: "summer",
        8: "summer",
        9: "autumn",
        10: "autumn",
        11: "autumn",
    }.get(month, "winter")
    return {
        "title": "%s：%s" % (request.category.name, scrub(request.description, names=names)[:30]),
        "body": "\n\n".join(parts),
        "subject": request.subject.code,
        "category": request.category.code,
        "seasons": [season],
        "visibility": Visibility.INTERNAL,
        "region": request.town_id[:6],
    }


@transaction.atomic
def article_from_request(*, actor: Any, request: ServiceRequest, data: dict[str, Any]) -> KnowledgeArticle:
    """Turn a closed request into an article by curated copy: the editor's text (from
    :func:`article_draft`) is scrubbed of the caller's name, phone and ID numbers once more."""
    request = ServiceRequest.objects.select_related("subject", "category").get(pk=request.pk)
    if request.status != RequestStatus.CLOSED:
        raise BusinessError("只有已办结的工单才能转为知识库文章。", code="not_closed")
    if not permissions.can_view_request(actor, request):
        raise _forbid()
    names = [request.caller_name]
    clean = dict(data)
    for key in ("title", "summary", "body", "keywords"):
        if clean.get(key):
            clean[key] = scrub(str(clean[key]), names=names).replace(request.caller_phone, "［电话已删除］")
    clean["source_request"] = request
    article = article_save(actor=actor, data=clean)
    log_operation(actor=actor, action=actions.ARTICLE_FROM_REQUEST, target=article, extra={"request": request.pk})
    return article


def reindex_articles(*, batch: int = 2000) -> int:
    """Rebuild the search index from the articles (after a bulk load or a restore)."""
    total = 0
    last = 0
    while True:
        chunk = list(KnowledgeArticle.objects.filter(pk__gt=last).order_by("pk")[:batch])
        if not chunk:
            return total
        _sync_index(chunk)
        total += len(chunk)
        last = chunk[-1].pk


# ---------------------------------------------------------------- statistics roll-up


def month_start(value: date | datetime) -> date:
    """The first day of the month (local time) of a date or a moment."""
    day = timezone.localtime(value, timezone.get_default_timezone()).date() if isinstance(value, datetime) else value
    return day.replace(day=1)


def _month_bounds(month: date) -> tuple[datetime, datetime]:
    tz = timezone.get_default_timezone()
    following = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    return (
        datetime.combine(month, datetime.min.time(), tzinfo=tz),
        datetime.combine(following, datetime.min.time(), tzinfo=tz),
    )


def stats_mark_dirty(moments: Iterable[date | datetime]) -> int:
    """Mark the roll-up months of these received times (or dates) as needing a rebuild: the statistics
    then count those months from the requests until :func:`stats_rollup_rebuild` runs. Called in the
    transaction that changes the requests, after the change is written (every save of a request does it,
    see ``apps.py``; bulk updates call it themselves), so a rebuild running meanwhile waits for it (row
    lock on the month) and writers always lock a request before its month (no deadlock)."""
    months = {month_start(m) for m in moments}
    if not months:
        return 0
    # always written, created when missing: the row lock makes a rebuild of the month wait for this change
    StatMonth.objects.bulk_create(
        [StatMonth(month=m, dirty=True) for m in sorted(months)],
        update_conflicts=True,
        update_fields=["dirty"],
        unique_fields=["month"],
    )
    return len(months)


_ROLLUP_SQL = """
INSERT INTO %(rollup)s (month, kind, town, assigned_region, channel, key, total, closed, visited, overdue,
    sat_sum, sat_n, loss, response_sum, response_n, closure_sum, closure_n, complaints)
SELECT %%s,
    CASE GROUPING(channel, subject_id, category_id, assignee_id)
        WHEN 7 THEN %(channel)s WHEN 11 THEN %(subject)s WHEN 13 THEN %(category)s ELSE %(assignee)s END,
    town_id, assigned_region_id, COALESCE(channel, ''), COALESCE(subject_id, category_id, assignee_id),
    COUNT(*), COUNT(*) FILTER (WHERE status = %%s), COUNT(visited_at), COUNT(*) FILTER (WHERE is_overdue),
    SUM(satisfaction), COUNT(satisfaction), SUM(loss_avoided),
    SUM(first_response_at - received_at), COUNT(first_response_at - received_at),
    SUM(closed_at - received_at), COUNT(closed_at - received_at), SUM(complaints)
FROM %(requests)s
WHERE received_at >= %%s AND received_at < %%s
GROUP BY GROUPING SETS ((town_id, assigned_region_id, channel), (town_id, assigned_region_id, subject_id),
    (town_id, assigned_region_id, category_id), (town_id, assigned_region_id, assignee_id))
"""


def stats_rollup_rebuild(*, months: Iterable[date] | None = None, everything: bool = False, actor: Any = None) -> int:
    """Sum the requests of each month into :class:`StatRollup` and mark the month clean (PostgreSQL; on
    SQLite the statistics always count the requests and nothing is done). Without ``months``: the dirty
    months, or with ``everything`` every month that has requests. Each month in its own transaction,
    holding the month's row lock while it reads the requests, so a change committed meanwhile marks it
    dirty again. Returns the number of months rebuilt."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return 0
    if months is not None:
        todo = sorted({month_start(m) for m in months})
    elif everything:
        todo = sorted(
            {
                month_start(m)
                for m in ServiceRequest.objects.datetimes(
                    "received_at", "month", tzinfo=timezone.get_default_timezone()
                )
            }
            | set(StatMonth.objects.values_list("month", flat=True))
        )
    else:
        todo = list(StatMonth.objects.filter(dirty=True).values_list("month", flat=True))
    quote = connection.ops.quote_name
    sql = _ROLLUP_SQL % {
        "rollup": quote(StatRollup._meta.db_table),
        "requests": quote(ServiceRequest._meta.db_table),
        "channel": StatRollup.KIND_CHANNEL,
        "subject": StatRollup.KIND_SUBJECT,
        "category": StatRollup.KIND_CATEGORY,
        "assignee": StatRollup.KIND_ASSIGNEE,
    }
    for month in todo:
        lo, hi = _month_bounds(month)
        with transaction.atomic():
            StatMonth.objects.bulk_create([StatMonth(month=month)], ignore_conflicts=True)
            StatMonth.objects.select_for_update().get(month=month)
            StatRollup.objects.filter(month=month).delete()
            with connection.cursor() as cur:
                cur.execute(sql, [month, RequestStatus.CLOSED.value, lo, hi])
            StatMonth.objects.filter(month=month).update(dirty=False, built_at=timezone.now())
    if todo:
        log_operation(actor=actor, action=actions.STATS_ROLLUP, extra={"months": [m.strftime("%Y-%m") for m in todo]})
    return len(todo)

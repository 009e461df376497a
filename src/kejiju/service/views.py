"""Pages of the service line and the knowledge base.

Views parse input, check the permission (403 without it; records outside the region answer 404 through the
selectors) and call the services, which check the rules again. Forms are plain HTML posted straight to the
services, so a page, the API and the tests get the same Chinese reasons (``RowErrors``)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from kejiju.core.errors import BusinessError, RowErrors
from kejiju.core.listing import Column, ListPage, render_list
from kejiju.core.models import Region
from kejiju.core.permissions import active_region_code
from kejiju.service import permissions as perms
from kejiju.service import selectors, services
from kejiju.service.choices import LossMethod, RequestStatus, Season, Visibility
from kejiju.service.workflow import REQUEST_WORKFLOW

PUBLIC_LIMIT_PER_HOUR = 5


def _require(ok: bool) -> None:
    if not ok:
        raise PermissionDenied


def _errors(exc: BusinessError) -> dict[str, list[str]]:
    if isinstance(exc, RowErrors):
        return exc.errors
    return {exc.field or "__all__": [exc.message]}


def _photos(request: HttpRequest, name: str = "photos") -> list[tuple[str, Any]]:
    return [(f.name or "", f) for f in request.FILES.getlist(name)]


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat((value or "")[:10])
    except ValueError:
        return None


def _villages(user: Any) -> list[Region]:
    scope = active_region_code(user) or ""
    qs = Region.objects.filter(level__in=[9, 12], is_active=True).order_by("code")
    if scope:
        qs = qs.filter(code__startswith=scope)
    return list(qs[:3000])


def _form_context(user: Any) -> dict[str, Any]:
    return {
        "subjects": selectors.subjects(),
        "categories": selectors.categories(),
        "villages": _villages(user),
    }


# ------------------------------------------------------------------ requests


def _columns() -> list[Column]:
    return [
        Column("工单号", lambda r: r.number, sort="number", link=True),
        Column("受理时间", lambda r: timezone.localtime(r.received_at).strftime("%Y-%m-%d %H:%M"), sort="received_at"),
        Column("求助人", lambda r: r.caller_name),
        Column("所在村（乡镇）", lambda r: r.region.name),
        Column("服务领域", lambda r: r.subject.name, sort="subject"),
        Column("问题类别", lambda r: r.category.name, sort="category"),
        Column("承办人", lambda r: r.assignee.name if r.assignee else ""),
        Column("状态", lambda r: r.get_status_display() + ("（超时）" if r.is_overdue else ""), sort="status"),
        Column("满意度", lambda r: r.satisfaction or ""),
    ]


@login_required
def request_list_view(request: HttpRequest) -> HttpResponse:
    """工单列表: filters (status, town, subject, category, overdue, dates, keyword), sort, pages, export."""
    _require(request.user.has_perm("service.view_servicerequest"))
    g = request.GET
    filters: dict[str, Any] = {
        k: g.get(k, "") for k in ("q", "status", "town", "subject", "category", "overdue", "mine")
    }
    filters["start"] = _date(g.get("start"))
    filters["end"] = _date(g.get("end"))
    qs = selectors.request_list(user=request.user, filters=filters)
    page = ListPage(
        title="服务工单",
        columns=_columns(),
        default_sort="-received_at",
        export_name="service_requests",
        filters_template="service/request_list_filters.html",
        row_url=lambda r: reverse("service:request_detail", args=[r.pk]),
        count_cap=1000,  # a province holds millions of requests: "共 1000+ 条" beyond that
    )
    ctx = {
        "filters": filters,
        "statuses": RequestStatus.choices,
        "subjects": selectors.subjects(),
        "categories": selectors.categories(),
    }
    return render_list(request, qs, page, context=ctx)


@login_required
def request_create_view(request: HttpRequest) -> HttpResponse:
    """受理求助: the operator's intake form; the caller's earlier requests appear as the phone is typed."""
    _require(perms.can_add_request(request.user))
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            req = services.request_create(actor=request.user, data=request.POST.dict(), photos=_photos(request))
        except BusinessError as exc:
            errors = _errors(exc)
        else:
            messages.success(request, "已受理求助，工单号 %s。" % req.number)
            return redirect("service:request_detail", pk=req.pk)
    ctx = {"errors": errors, "data": request.POST, **_form_context(request.user)}
    return render(request, "service/request_form.html", ctx, status=400 if errors else 200)


@login_required
def caller_history_view(request: HttpRequest) -> HttpResponse:
    """The caller's earlier requests (htmx fragment) by phone number."""
    _require(request.user.has_perm("service.view_servicerequest"))
    rows = selectors.requests_by_phone(user=request.user, phone=request.GET.get("caller_phone", "")[:30])
    return render(request, "service/_caller_history.html", {"rows": rows})


@login_required
def request_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    """工单详情: facts, timers, dispatch chain, visits, callbacks, history and the buttons the status and
    the user's permissions allow."""
    _require(selectors.may_list_requests(request.user))
    req = selectors.request_get(user=request.user, pk=pk)
    user = request.user
    actions = []
    for a in REQUEST_WORKFLOW.available(req.status):
        if a.name in ("answer", "dispatch", "transfer", "visit"):
            continue
        if a.name.startswith("resume_") and a.name != "resume_" + (req.resume_status or "received"):
            continue
        if a.name in ("accept", "decline", "wait") or a.name.startswith("resume"):
            allowed = perms.can_work_request(user, req)
        elif a.name == "close":
            allowed = perms.can_handle_request(user, req) or perms.is_assignee(user, req)
        else:
            allowed = perms.can_handle_request(user, req)
        if allowed:
            actions.append(a)
    can_dispatch = perms.can_dispatch_request(user, req) and req.status in (
        RequestStatus.RECEIVED,
        RequestStatus.DISPATCHED,
        RequestStatus.ACCEPTED,
    )
    ctx = {
        "req": req,
        "late": selectors.is_late(req),
        "actions": actions,
        "can_answer": perms.can_handle_request(user, req) and req.status == RequestStatus.RECEIVED,
        "can_dispatch": can_dispatch,
        "suggestions": selectors.suggest_assignees(request=req) if can_dispatch else [],
        "can_visit": perms.can_work_request(user, req)
        and req.status in (RequestStatus.ACCEPTED, RequestStatus.VISITED),
        "can_callback": perms.can_work_request(user, req)
        and req.status in (RequestStatus.ANSWERED, RequestStatus.VISITED),
        "can_check": perms.can_check_loss(user, req),
        "can_article": req.status == RequestStatus.CLOSED and perms.can_add_article(user),
        "history": selectors.requests_by_phone(user=user, phone=req.caller_phone, exclude=req.pk),
        "transitions": [
            {
                "t": t,
                "from": REQUEST_WORKFLOW.labels.get(getattr(t, "from_status", ""), ""),
                "to": REQUEST_WORKFLOW.labels.get(getattr(t, "to_status", ""), ""),
            }
            for t in req.transitions.select_related("actor")
        ],
        "dispatches": req.dispatches.select_related("person", "from_region", "to_region", "by"),
        "visits": req.visits.all(),
        "callbacks": req.callbacks.select_related("checked_by"),
        "articles_used": req.articles_used.all(),
        "photos": selectors.attachments_of(req),
        "status_labels": REQUEST_WORKFLOW.labels,
        "loss_methods": LossMethod.choices[1:],
        "kb": selectors.kb_search(user=user, query=request.GET.get("kb", ""), public=False)
        if request.GET.get("kb")
        else None,
    }
    return render(request, "service/request_detail.html", ctx)


def _back(pk: int) -> HttpResponse:
    return redirect("service:request_detail", pk=pk)


@login_required
@require_POST
def request_action_view(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """One POST per transition (accept, decline, wait, resume, close, reopen, complain)."""
    req = selectors.request_get(user=request.user, pk=pk)
    try:
        services.request_transition(
            actor=request.user, request=req, action=action, reason=request.POST.get("reason", "")
        )
    except BusinessError as exc:
        if exc.code == "forbidden":
            raise PermissionDenied from None
        messages.error(request, exc.message)
    else:
        messages.success(request, "操作已完成。")
    return _back(pk)


@login_required
@require_POST
def request_answer_view(request: HttpRequest, pk: int) -> HttpResponse:
    req = selectors.request_get(user=request.user, pk=pk)
    try:
        services.request_answer(
            actor=request.user,
            request=req,
            answer=request.POST.get("answer", ""),
            article_ids=[int(i) for i in request.POST.getlist("articles") if i.isdigit()],
        )
    except BusinessError as exc:
        if exc.code == "forbidden":
            raise PermissionDenied from None
        messages.error(request, exc.message)
    else:
        messages.success(request, "已答复。")
    return _back(pk)


@login_required
@require_POST
def request_dispatch_view(request: HttpRequest, pk: int) -> HttpResponse:
    req = selectors.request_get(user=request.user, pk=pk)
    try:
        services.request_dispatch(
            actor=request.user,
            request=req,
            person=request.POST.get("person", ""),
            town=request.POST.get("town", ""),
            note=request.POST.get("note", ""),
            reason=request.POST.get("reason", ""),
        )
    except BusinessError as exc:
        if exc.code == "forbidden":
            raise PermissionDenied from None
        messages.error(request, exc.message)
    else:
        messages.success(request, "已派单。")
    return _back(pk)


@login_required
def visit_create_view(request: HttpRequest, pk: int) -> HttpResponse:
    """记录出诊: a phone-sized page for the assignee."""
    _require(selectors.may_list_requests(request.user))
    req = selectors.request_get(user=request.user, pk=pk)
    _require(perms.can_work_request(request.user, req))
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            services.visit_record(actor=request.user, request=req, data=request.POST.dict(), photos=_photos(request))
        except BusinessError as exc:
            errors = _errors(exc)
        else:
            messages.success(request, "已记录出诊。")
            return _back(pk)
    ctx = {"req": req, "errors": errors, "data": request.POST, "today": timezone.localdate()}
    return render(request, "service/visit_form.html", ctx, status=400 if errors else 200)


@login_required
def callback_create_view(request: HttpRequest, pk: int) -> HttpResponse:
    """记录回访: resolved, satisfaction, comment, loss avoided with its basis."""
    _require(selectors.may_list_requests(request.user))
    req = selectors.request_get(user=request.user, pk=pk)
    _require(perms.can_work_request(request.user, req))
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            services.callback_record(actor=request.user, request=req, data=request.POST.dict())
        except BusinessError as exc:
            errors = _errors(exc)
        else:
            messages.success(request, "已记录回访。")
            return _back(pk)
    ctx = {
        "req": req,
        "errors": errors,
        "data": request.POST,
        "today": timezone.localdate(),
        "loss_methods": LossMethod.choices[1:],
    }
    return render(request, "service/callback_form.html", ctx, status=400 if errors else 200)


@login_required
@require_POST
def loss_check_view(request: HttpRequest, pk: int, cb: int) -> HttpResponse:
    req = selectors.request_get(user=request.user, pk=pk)
    callback = req.callbacks.filter(pk=cb).first()
    if callback is None:
        return _back(pk)
    try:
        services.loss_check(
            actor=request.user,
            callback=callback,
            approve=request.POST.get("approve") == "1",
            reason=request.POST.get("reason", ""),
        )
    except BusinessError as exc:
        if exc.code == "forbidden":
            raise PermissionDenied from None
        messages.error(request, exc.message)
    else:
        messages.success(request, "已核定。")
    return _back(pk)


@login_required
def my_tasks_view(request: HttpRequest) -> HttpResponse:
    """我的任务: the requests assigned to the signed-in person (phone-friendly)."""
    rows = list(
        selectors.request_list(user=request.user, filters={"mine": "1", "status": "open"}).order_by("-received_at")[:50]
    )
    return render(request, "service/my_tasks.html", {"rows": rows})


# ------------------------------------------------------------------ duty, warnings


@login_required
def duty_list_view(request: HttpRequest) -> HttpResponse:
    """值班安排: the rota of the next days, and a form to add a slot."""
    _require(request.user.has_perm("service.view_dutyslot"))
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        _require(perms.can_manage_duty(request.user))
        data: dict[str, Any] = request.POST.dict()
        data["subjects"] = request.POST.getlist("subjects")
        try:
            services.duty_save(actor=request.user, data=data)
        except BusinessError as exc:
            errors = _errors(exc)
        else:
            messages.success(request, "已保存值班安排。")
            return redirect("service:duty_list")
    start = _date(request.GET.get("from")) or timezone.localdate()
    slots = list(selectors.duty_list(user=request.user, on_date=start)[:500])
    scope = active_region_code(request.user) or ""
    towns = Region.objects.filter(level=9, code__startswith=scope).order_by("code")[:500]
    ctx = {
        "slots": slots,
        "start": start,
        "errors": errors,
        "towns": towns,
        "subjects": selectors.subjects(),
        "can_edit": perms.can_manage_duty(request.user),
    }
    return render(request, "service/duty_list.html", ctx, status=400 if errors else 200)


@login_required
def warning_list_view(request: HttpRequest) -> HttpResponse:
    _require(request.user.has_perm("service.view_earlywarning"))
    rows = list(selectors.warning_list(user=request.user)[:200])
    return render(request, "service/warning_list.html", {"rows": rows})


# ------------------------------------------------------------------ knowledge base


@login_required
def article_list_view(request: HttpRequest) -> HttpResponse:
    """知识库: full-text search (public and internal articles within the region) or the latest."""
    _require(perms.can_view_article(request.user))
    q = request.GET.get("q", "")[:100]
    subject = selectors.subjects().filter(code=request.GET.get("subject", "")[:20]).first()
    result = selectors.kb_search(user=request.user, query=q, public=False, subject=subject) if q else None
    latest = (
        []
        if q
        else list(selectors.article_list(user=request.user, filters={"subject": getattr(subject, "code", "")})[:30])
    )
    ctx = {
        "q": q,
        "result": result,
        "latest": latest,
        "subjects": selectors.subjects(),
        "subject": subject,
        "can_add": perms.can_add_article(request.user),
        "public": False,
    }
    return render(request, "service/article_list.html", ctx)


@login_required
def article_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    _require(perms.can_view_article(request.user))
    article = selectors.article_get(user=request.user, pk=pk)
    ctx = {
        "article": article,
        "can_edit": perms.can_change_article(request.user, article),
        "public": False,
        "files": selectors.attachments_of(article),
    }
    return render(request, "service/article_detail.html", ctx)


def _article_form(request: HttpRequest, article: Any = None, source: Any = None) -> HttpResponse:
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        data: dict[str, Any] = request.POST.dict()
        data["seasons"] = request.POST.getlist("seasons")
        try:
            if source is not None:
                obj = services.article_from_request(actor=request.user, request=source, data=data)
            else:
                obj = services.article_save(
                    actor=request.user, data=data, article=article, attachments=_photos(request, "files")
                )
        except BusinessError as exc:
            if exc.code == "forbidden":
                raise PermissionDenied from None
            errors = _errors(exc)
        else:
            messages.success(request, "已保存知识库文章。")
            return redirect("service:article_detail", pk=obj.pk)
        initial: dict[str, Any] = data
    elif source is not None:
        initial = services.article_draft(source)
    elif article is not None:
        initial = {
            "title": article.title,
            "summary": article.summary,
            "body": article.body,
            "keywords": article.keywords,
            "subject": article.subject.code,
            "category": article.category.code if article.category else "",
            "seasons": article.seasons,
            "visibility": article.visibility,
            "region": article.region_id,
        }
    else:
        initial = {"visibility": Visibility.PUBLIC, "region": active_region_code(request.user) or "", "seasons": []}
    ctx = {
        "errors": errors,
        "data": initial,
        "article": article,
        "source": source,
        "subjects": selectors.subjects(),
        "categories": selectors.categories(),
        "seasons": Season.choices,
        "visibilities": Visibility.choices,
    }
    return render(request, "service/article_form.html", ctx, status=400 if errors else 200)


@login_required
def article_create_view(request: HttpRequest) -> HttpResponse:
    _require(perms.can_add_article(request.user))
    return _article_form(request)


@login_required
def article_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    article = selectors.article_get(user=request.user, pk=pk)
    _require(perms.can_change_article(request.user, article))
    return _article_form(request, article=article)


@login_required
def article_from_request_view(request: HttpRequest, pk: int) -> HttpResponse:
    req = selectors.request_get(user=request.user, pk=pk)
    _require(perms.can_add_article(request.user))
    if req.status != RequestStatus.CLOSED:
        messages.error(request, "只有已办结的工单才能转为知识库文章。")
        return _back(pk)
    return _article_form(request, source=req)


# ------------------------------------------------------------------ public pages


def public_kb_view(request: HttpRequest) -> HttpResponse:
    """公开知识库: search over the public articles, no account needed."""
    q = request.GET.get("q", "")[:100]
    result = selectors.kb_search(user=None, query=q, public=True) if q else None
    latest = [] if q else list(selectors.article_list(user=None)[:20])
    ctx = {"q": q, "result": result, "latest": latest, "public": True, "subjects": []}
    return render(request, "service/article_list.html", ctx)


def public_article_view(request: HttpRequest, pk: int) -> HttpResponse:
    article = selectors.article_get(user=None, pk=pk, public=True)
    return render(request, "service/article_detail.html", {"article": article, "public": True})


def _client_ip(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR") or "unknown")[:64]


def public_request_view(request: HttpRequest) -> HttpResponse:
    """网上求助: the public form (CSRF-protected, at most five requests per address and hour)."""
    errors: dict[str, list[str]] = {}
    done = None
    if request.method == "POST":
        key = "service-public-%s" % _client_ip(request)
        count = int(cache.get(key, 0))
        if count >= PUBLIC_LIMIT_PER_HOUR:
            errors = {"__all__": ["提交过于频繁，请稍后再试或直接拨打服务热线。"]}
        else:
            try:
                done = services.request_create(actor=None, data=request.POST.dict(), photos=_photos(request))
            except BusinessError as exc:
                errors = _errors(exc)
            else:
                cache.set(key, count + 1, timeout=3600)
    towns = Region.objects.filter(level__in=[9, 12], is_active=True).order_by("code")[:3000]
    ctx = {
        "errors": errors,
        "data": request.POST,
        "done": done,
        "villages": towns,
        "subjects": selectors.subjects(),
        "categories": selectors.categories(),
        "max_photos": services.PUBLIC_MAX_PHOTOS,
    }
    status = 429 if errors.get("__all__") else 400 if errors else 200
    return render(request, "service/public_request.html", ctx, status=status)


# ------------------------------------------------------------------ statistics


@login_required
def stats_view(request: HttpRequest) -> HttpResponse:
    """服务统计: by town, month, subject, category and the assignee scoreboard (aggregate queries only)."""
    _require(perms.can_view_stats(request.user))
    today = timezone.localdate()
    start = _date(request.GET.get("start")) or date(today.year, 1, 1)
    end = _date(request.GET.get("end")) or today
    if end < start:
        start, end = end, start
    if (end - start) > timedelta(days=3660):
        start = end - timedelta(days=3660)
    town = "".join(ch for ch in request.GET.get("town", "") if ch.isdigit())[:12]
    stats = selectors.service_stats(user=request.user, start=start, end=end, town=town)
    return render(request, "service/stats.html", {"stats": stats, "town": town})

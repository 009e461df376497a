"""Pages of the review app: the expert pool (list, detail, add/edit, status, account, the public
self-application), review batches (create from a registered source, draw with the supervisor's nonce and
witnesses, the sealed draw record, results, meetings, fee list), and the expert's own pages (invitations,
no-conflict declaration, documents, scoring — mobile-friendly).

Staff pages need the model permission (403 without it; records outside the region answer 404 through the
selectors). Expert pages show only the expert's own assignments; anything else answers 404.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from kejiju.core.errors import BusinessError, RowErrors
from kejiju.core.excel import write_workbook
from kejiju.core.forms.attachments import region_choices
from kejiju.core.listing import Column, ListPage, render_list
from kejiju.core.permissions import active_region_code
from kejiju.review import actions, selectors, services
from kejiju.review.choices import (
    AssignmentStatus,
    BatchMode,
    BatchStatus,
    DeclaredRelation,
    ExpertStatus,
    Recommendation,
    ReviewFormat,
)
from kejiju.review.models import Expert
from kejiju.review.permissions import can_change_batch, can_change_expert, can_draw_batch, expert_of
from kejiju.review.sources import review_source, review_sources
from kejiju.review.workflows import EXPERT_WORKFLOW

IMPORTER = "experts"


def _require(request: HttpRequest, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied


def _p(request: HttpRequest, name: str, default: str = "") -> str:
    """A posted value without NUL characters."""
    return str(request.POST.get(name, default)).replace("\x00", "")


def _text(value: str) -> str:
    """Form text without NUL characters (PostgreSQL refuses them) and surrounding blanks."""
    return value.replace("\x00", "").strip()


def _errors(exc: BusinessError) -> dict[str, list[str]]:
    if isinstance(exc, RowErrors):
        return exc.errors
    return {exc.field or "__all__": [exc.message]}


def _subject_label(code: str) -> str:
    name = services.subject_codes().get(code)
    return "%s %s" % (code, name) if name else code


# ================================================================== expert pool


def _expert_columns() -> list[Column]:
    return [
        Column("姓名", lambda e: e.name, sort="name", link=True),
        Column("工作单位", lambda e: e.org_label),
        Column("职称", lambda e: e.title),
        Column("主学科", lambda e: _subject_label(e.main_subject)),
        Column("所属区划", lambda e: e.region.name, sort="region"),
        Column("联系电话", lambda e: e.phone),
        Column("状态", lambda e: e.get_status_display(), sort="status"),
        Column("来源", lambda e: e.get_origin_display()),
    ]


@login_required
def expert_list_view(request: HttpRequest) -> HttpResponse:
    """专家库: search by name, organization or keywords; filter by status, subject and region; Excel export."""
    _require(request, "review.view_expert")
    filters = {k: request.GET.get(k, "") for k in ("q", "status", "subject", "region")}
    if filters["status"] not in ExpertStatus.values:
        filters["status"] = ""
    page = ListPage(
        title="专家库",
        columns=_expert_columns(),
        default_sort="name",
        export_name="experts",
        filters_template="review/expert_list_filters.html",
        actions_template="review/expert_list_actions.html",
        row_url=lambda e: reverse("review:expert_detail", args=[e.pk]),
    )
    context = {
        "filters": filters,
        "status_choices": ExpertStatus.choices,
        "region_options": region_choices(active_region_code(request.user), depth=1, floor=6),
        "can_add": request.user.has_perm("review.add_expert"),
        "can_import": request.user.has_perm("review.import_expert"),
        "import_url": reverse("core:import_upload", args=[IMPORTER]),
    }
    return render_list(request, selectors.expert_list(user=request.user, filters=filters), page, context=context)


EXPERT_FORM_FIELDS = (
    "name",
    "id_number",
    "region",
    "organization_name",
    "title",
    "subjects",
    "industries",
    "keywords",
    "phone",
    "email",
    "bank_account_name",
    "bank_name",
    "bank_account_no",
    "note",
)


def _expert_form(
    request: HttpRequest,
    *,
    expert: Expert | None,
    values: dict[str, Any],
    errors: dict[str, list[str]],
    public: bool = False,
) -> HttpResponse:
    scope = "" if public else active_region_code(request.user)
    regions = (
        region_choices(scope if scope is not None else None, depth=1, floor=6)
        if not public
        else [(c, n) for c, n in region_choices("", depth=2, floor=6) if len(c) <= 6]
    )
    context = {
        "expert": expert,
        "values": values,
        "errors": errors,
        "public": public,
        "region_options": regions,
        "subject_options": sorted(services.subject_codes().items()),
    }
    return render(request, "review/expert_form.html", context, status=400 if errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def expert_create_view(request: HttpRequest) -> HttpResponse:
    """新增专家: person fields (ID number validated) and the expert's profile; nothing saved on error."""
    _require(request, "review.add_expert")
    if request.method == "POST":
        values = {k: _text(_p(request, k)) for k in EXPERT_FORM_FIELDS}
        values["subjects"] = ",".join(request.POST.getlist("subjects")) or values["subjects"]
        try:
            expert = services.expert_create(actor=request.user, data=values)
        except BusinessError as exc:
            return _expert_form(request, expert=None, values=values, errors=_errors(exc))
        messages.success(request, "已将“%s”加入专家库。" % expert.name)
        return redirect("review:expert_detail", pk=expert.pk)
    return _expert_form(request, expert=None, values={"region": active_region_code(request.user) or ""}, errors={})


@login_required
@require_http_methods(["GET", "POST"])
def expert_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, "review.change_expert")
    expert = selectors.expert_get(user=request.user, pk=pk)
    if not can_change_expert(request.user, expert):
        raise PermissionDenied
    if request.method == "POST":
        values = {k: _text(_p(request, k)) for k in services.EXPERT_KEYS if k != "organization"}
        values["subjects"] = ",".join(request.POST.getlist("subjects")) or values.get("subjects", "")
        try:
            services.expert_update(actor=request.user, expert=expert, data=values)
        except BusinessError as exc:
            return _expert_form(request, expert=expert, values=values, errors=_errors(exc))
        messages.success(request, "已保存。")
        return redirect("review:expert_detail", pk=expert.pk)
    values = {k: getattr(expert, k) for k in services.EXPERT_KEYS if k != "organization"}
    values["subjects"] = ",".join(expert.subjects)
    values["industries"] = ",".join(expert.industries)
    return _expert_form(request, expert=expert, values=values, errors={})


@require_http_methods(["GET", "POST"])
def expert_apply_view(request: HttpRequest) -> HttpResponse:
    """专家入库申请 (public): stored as 待审核 until bureau staff approve it."""
    if request.method == "POST":
        values = {k: _text(_p(request, k)) for k in EXPERT_FORM_FIELDS}
        values["subjects"] = ",".join(request.POST.getlist("subjects")) or values["subjects"]
        try:
            services.expert_apply(data=values)
        except BusinessError as exc:
            return _expert_form(request, expert=None, values=values, errors=_errors(exc), public=True)
        return render(
            request,
            "core/message.html",
            {"title": "申请已提交", "message": "您的入库申请已提交，科技局审核通过后将通知您。"},
        )
    return _expert_form(request, expert=None, values={}, errors={}, public=True)


@login_required
def expert_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    """One expert: profile, status actions, account, declared relations, unavailable periods, review
    history with scores, staff ratings."""
    _require(request, "review.view_expert")
    expert = selectors.expert_get(user=request.user, pk=pk)
    can_edit = can_change_expert(request.user, expert)
    context = {
        "expert": expert,
        "can_edit": can_edit,
        "subjects": [_subject_label(c) for c in expert.subjects],
        "actions": EXPERT_WORKFLOW.available(expert.status) if can_edit else [],
        "transitions": [
            {
                "t": t,
                "action": _action_label(getattr(t, "action", "")),
                "to": EXPERT_WORKFLOW.labels.get(getattr(t, "to_status", ""), getattr(t, "to_status", "")),
            }
            for t in expert.transitions.select_related("actor")[:20]
        ],
        "relations": expert.relations.select_related("person", "organization"),
        "relation_choices": DeclaredRelation.choices,
        "unavailable": expert.unavailable.all(),
        "ratings": expert.ratings.select_related("rated_by")[:20],
        "history": selectors.expert_history(expert=expert)[:50],
        "stats": selectors.expert_stats(expert=expert),
        "history_url": reverse("core:history_detail", kwargs={"model": "expert", "pk": expert.pk}),
    }
    return render(request, "review/expert_detail.html", context)


def _action_label(name: str) -> str:
    try:
        return EXPERT_WORKFLOW.action(name).label
    except BusinessError:  # an action no longer in the graph keeps its stored name
        return name


def _post_service(request: HttpRequest, back: str, call: Any, done: str) -> HttpResponse:
    try:
        call()
    except BusinessError as exc:
        for field_errors in _errors(exc).values():
            for message in field_errors:
                messages.error(request, message)
    else:
        messages.success(request, done)
    return redirect(back)


@login_required
@require_POST
def expert_transition_view(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, "review.change_expert")
    expert = selectors.expert_get(user=request.user, pk=pk)
    action = _p(request, "action", "")
    return _post_service(
        request,
        reverse("review:expert_detail", args=[expert.pk]),
        lambda: services.expert_transition(
            actor=request.user, expert=expert, action=action, reason=_p(request, "reason", "")
        ),
        "状态已更新。",
    )


@login_required
@require_POST
def expert_account_view(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, "review.change_expert")
    expert = selectors.expert_get(user=request.user, pk=pk)
    try:
        user, password = services.expert_account_create(actor=request.user, expert=expert)
    except BusinessError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            "已开通专家账号：用户名 %s，初始密码 %s（仅显示一次，首次登录须修改）。" % (user.username, password),
        )
    return redirect("review:expert_detail", pk=expert.pk)


@login_required
@require_POST
def expert_rate_view(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, "review.change_expert")
    expert = selectors.expert_get(user=request.user, pk=pk)
    return _post_service(
        request,
        reverse("review:expert_detail", args=[expert.pk]),
        lambda: services.expert_rate(
            actor=request.user,
            expert=expert,
            stars=_p(request, "stars", ""),
            comment=_p(request, "comment", ""),
        ),
        "已记录评价。",
    )


@login_required
@require_POST
def expert_relation_view(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, "review.change_expert")
    expert = selectors.expert_get(user=request.user, pk=pk)
    data = {k: _p(request, k, "") for k in RELATION_FIELDS}
    return _post_service(
        request,
        reverse("review:expert_detail", args=[expert.pk]),
        lambda: services.expert_relation_add(actor=request.user, expert=expert, data=data),
        "已登记回避关系。",
    )


RELATION_FIELDS = ("name", "id_number", "organization_name", "relation", "year", "note")


@login_required
@require_POST
def expert_relation_remove_view(request: HttpRequest, pk: int, rid: int) -> HttpResponse:
    _require(request, "review.change_expert")
    expert = selectors.expert_get(user=request.user, pk=pk)
    row = get_object_or_404(expert.relations, pk=rid)
    return _post_service(
        request,
        reverse("review:expert_detail", args=[expert.pk]),
        lambda: services.expert_relation_remove(actor=request.user, relation=row),
        "已撤回回避申报。",
    )


@login_required
@require_POST
def expert_unavailable_remove_view(request: HttpRequest, pk: int, wid: int) -> HttpResponse:
    _require(request, "review.change_expert")
    expert = selectors.expert_get(user=request.user, pk=pk)
    row = get_object_or_404(expert.unavailable, pk=wid)
    return _post_service(
        request,
        reverse("review:expert_detail", args=[expert.pk]),
        lambda: services.expert_unavailable_remove(actor=request.user, window=row),
        "已撤回不可参评时段。",
    )


@login_required
@require_POST
def expert_unavailable_view(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, "review.change_expert")
    expert = selectors.expert_get(user=request.user, pk=pk)
    return _post_service(
        request,
        reverse("review:expert_detail", args=[expert.pk]),
        lambda: services.expert_unavailable_add(
            actor=request.user,
            expert=expert,
            start=_p(request, "start", ""),
            end=_p(request, "end", ""),
            note=_p(request, "note", ""),
        ),
        "已登记不可参评时段。",
    )


# ================================================================== batches


@login_required
def batch_list_view(request: HttpRequest) -> HttpResponse:
    _require(request, "review.view_reviewbatch")
    filters = {k: request.GET.get(k, "") for k in ("q", "status")}
    if filters["status"] not in BatchStatus.values:
        filters["status"] = ""
    page = ListPage(
        title="评审批次",
        columns=[
            Column("批次名称", lambda b: b.title, sort="title", link=True),
            Column("评审类型", lambda b: services.kind_label(b)),
            Column("分配方式", lambda b: b.get_mode_display()),
            Column("评审方式", lambda b: b.get_format_display()),
            Column("评审对象数", lambda b: b.item_count),
            Column("状态", lambda b: b.get_status_display(), sort="status"),
            Column("创建时间", lambda b: timezone.localtime(b.created_at).strftime("%Y-%m-%d"), sort="created_at"),
        ],
        default_sort="-created_at",
        export_name="review_batches",
        actions_template="review/batch_list_actions.html",
        row_url=lambda b: reverse("review:batch_detail", args=[b.pk]),
    )
    context = {"filters": filters, "can_add": request.user.has_perm("review.add_reviewbatch")}
    return render_list(request, selectors.batch_list(user=request.user, filters=filters), page, context=context)


BATCH_FIELDS = (
    "title",
    "source_key",
    "kind",
    "format",
    "mode",
    "reviewers_per_item",
    "reserves_per_item",
    "min_load",
    "max_load",
    "respond_days",
    "review_date",
    "review_end",
    "relation_years",
    "spread_threshold",
    "criteria",
    "note",
)


@login_required
@require_http_methods(["GET", "POST"])
def batch_create_view(request: HttpRequest) -> HttpResponse:
    """新建评审批次: pick the source and kind (the page then lists that source's candidates), tick records,
    set the panel and criteria."""
    _require(request, "review.add_reviewbatch")
    data = request.POST if request.method == "POST" else request.GET
    values: dict[str, Any] = {k: str(data.get(k, "")).replace("\x00", "") for k in BATCH_FIELDS}
    values["avoid_same_county"] = data.get("avoid_same_county") == "on"
    values["refs"] = data.getlist("refs")
    values.setdefault("criteria", "")
    if not values["criteria"]:
        values["criteria"] = services.DEFAULT_CRITERIA
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            batch = services.batch_create(
                actor=request.user, data={**values, "region": active_region_code(request.user)}
            )
        except BusinessError as exc:
            errors = _errors(exc)
        else:
            messages.success(request, "已新建评审批次“%s”。" % batch.title)
            return redirect("review:batch_detail", pk=batch.pk)
    sources = review_sources()
    source = (
        review_source(values["source_key"]) if values["source_key"] else (sources[0] if len(sources) == 1 else None)
    )
    if source is not None:
        values["source_key"] = source.key
    kinds = list(source.kinds) if source else []
    if source and values["kind"] not in dict(kinds):
        values["kind"] = kinds[0][0] if kinds else ""
    # a source's page may narrow the candidates (e.g. ?filter_cycle=3 from an award cycle)
    filters = {k[len("filter_") :]: v[:40] for k, v in request.GET.items() if k.startswith("filter_") and len(k) < 40}
    candidates = source.candidates(user=request.user, kind=values["kind"], filters=filters) if source else []
    context = {
        "values": values,
        "errors": errors,
        "sources": sources,
        "source": source,
        "kinds": kinds,
        "candidates": candidates,
        "mode_choices": BatchMode.choices,
        "format_choices": ReviewFormat.choices,
    }
    return render(request, "review/batch_form.html", context, status=400 if errors else 200)


def _panels(batch: Any) -> list[dict[str, Any]]:
    rows: dict[int, dict[str, Any]] = {}
    for item in selectors.batch_items(batch=batch).order_by("pk"):
        rows[item.pk] = {"item": item, "panel": [], "reserves": [], "conflicts": 0}
    for a in selectors.batch_assignments(batch=batch):
        rows[a.item_id]["panel" if a.panel else "reserves"].append(a)
    for c in batch.conflicts.values_list("item_id", flat=True):
        rows[c]["conflicts"] += 1
    return list(rows.values())


@login_required
def batch_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A batch: settings and criteria; in draft the draw form (nonce, supervisor, witnesses); then panels
    with reserves and invitation status, the draw records, the aggregate ranking, meetings, fees."""
    _require(request, "review.view_reviewbatch")
    batch = selectors.batch_get(user=request.user, pk=pk)
    draws = list(selectors.batch_draws(batch=batch))
    failed = next((d for d in draws if not d.ok), None) if batch.status == BatchStatus.DRAFT else None
    pool = services.batch_pool(batch) if batch.status == BatchStatus.DRAFT else []
    context: dict[str, Any] = {
        "batch": batch,
        "kind_label": services.kind_label(batch),
        "criteria": batch.criteria.all(),
        "rows": _panels(batch),
        "ranking": selectors.batch_items(batch=batch).exclude(rank__isnull=True),
        "draws": draws,
        "failed": failed,
        "pool_size": len(pool) if batch.status == BatchStatus.DRAFT else None,
        "can_draw": can_draw_batch(request.user, batch) and batch.status == BatchStatus.DRAFT,
        "can_change": can_change_batch(request.user, batch),
        "meetings": batch.meetings.prefetch_related("attendees"),
        "panel_experts": Expert.objects.filter(
            pk__in=batch.assignments.filter(panel=True).values("expert_id")
        ).order_by("name"),
        "statuses": AssignmentStatus,
        "conflicts": batch.conflicts.select_related("item", "expert").order_by("item_id", "expert__name", "kind"),
        "unavailable_count": (
            len(services.unavailable_expert_ids(batch)) if batch.status == BatchStatus.DRAFT else None
        ),
        "avoid_requests": batch.avoid_requests.select_related("item", "expert__organization", "created_by"),
        "avoid_max": services.applicant_avoid_max(),
    }
    if batch.status == BatchStatus.DRAFT and context["can_change"]:
        context["avoid_pool"] = sorted(pool, key=lambda e: (e.name, e.pk))
        context["avoid_items"] = list(batch.items.order_by("pk"))
    return render(request, "review/batch_detail.html", context)


@login_required
@require_POST
def batch_draw_view(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, "review.draw_reviewbatch")
    batch = selectors.batch_get(user=request.user, pk=pk)
    try:
        record = services.batch_draw(
            actor=request.user,
            batch=batch,
            nonce=_p(request, "nonce", ""),
            supervisor=_p(request, "supervisor", ""),
            witnesses=_p(request, "witnesses", ""),
        )
    except BusinessError as exc:
        for msgs in _errors(exc).values():
            for message in msgs:
                messages.error(request, message)
        return redirect("review:batch_detail", pk=batch.pk)
    if record.ok:
        messages.success(request, "抽取完成，已生成抽取记录并向评审专家发出邀请。")
        return redirect("review:draw_detail", pk=batch.pk, draw=record.pk)
    messages.error(request, "没有可行的抽取方案，未抽取任何专家。原因见下方“专家不足”说明。")
    return redirect("review:batch_detail", pk=batch.pk)


@login_required
@require_POST
def batch_avoid_view(request: HttpRequest, pk: int) -> HttpResponse:
    """申报单位申请回避 on a batch before the draw: ``op=add`` (item, expert, reason) or ``op=remove`` (id)."""
    _require(request, "review.change_reviewbatch")
    batch = selectors.batch_get(user=request.user, pk=pk)
    back = reverse("review:batch_detail", args=[batch.pk]) + "#applicant-avoid"
    if _p(request, "op") == "remove":
        row = get_object_or_404(batch.avoid_requests, pk=_int_or_404(_p(request, "id")))
        return _post_service(
            request,
            back,
            lambda: services.applicant_avoid_remove(actor=request.user, avoid=row),
            "已撤销该申请回避专家。",
        )
    return _post_service(
        request,
        back,
        lambda: services.applicant_avoid_add(
            actor=request.user,
            batch=batch,
            item=_p(request, "item"),
            expert=_p(request, "expert"),
            reason=_p(request, "reason"),
        ),
        "已登记申报单位申请回避的专家。",
    )


@login_required
def draw_detail_view(request: HttpRequest, pk: int, draw: int) -> HttpResponse:
    """The sealed draw record (read-only) with a link to its GB/T 9704 document."""
    _require(request, "review.view_reviewbatch")
    batch = selectors.batch_get(user=request.user, pk=pk)
    record = selectors.draw_get(batch=batch, pk=draw)
    experts = {e.pk: e for e in Expert.objects.filter(pk__in=batch.assignments.values("expert_id"))}
    items = {i.pk: i for i in batch.items.all()}
    panels: dict[int, dict[str, Any]] = {}
    for a in record.result.get("assignments", []):
        row = panels.setdefault(
            int(a["application"]), {"item": items.get(int(a["application"])), "panel": [], "reserves": []}
        )
        row["panel"].append(experts.get(int(a["expert"])))
    for r in record.result.get("reserves", []):
        row = panels.setdefault(
            int(r["application"]), {"item": items.get(int(r["application"])), "panel": [], "reserves": []}
        )
        row["reserves"].append((r["rank"], experts.get(int(r["expert"]))))
    document_url = ""
    if record.document_id:
        try:
            document_url = reverse("reports:document_detail", args=[record.document_id])
        except Exception:
            document_url = ""
    context = {
        "batch": batch,
        "record": record,
        "panels": list(panels.values()),
        "document_url": document_url,
        "input_url": (reverse("review:draw_input", args=[batch.pk, record.pk]) if "instance" in record.result else ""),
    }
    return render(request, "review/draw_detail.html", context)


@login_required
def draw_input_view(request: HttpRequest, pk: int, draw: int) -> HttpResponse:
    """The draw's engine input (JSON, the format of ``kejiju assign``): re-running it reproduces the
    recorded digests, panels and reserves. Records drawn before inputs were archived answer 404."""
    _require(request, "review.view_reviewbatch")
    batch = selectors.batch_get(user=request.user, pk=pk)
    record = selectors.draw_get(batch=batch, pk=draw)
    instance = record.result.get("instance")
    if not isinstance(instance, dict):
        raise Http404("该抽取记录未保存抽取输入。")
    from urllib.parse import quote

    body = json.dumps(instance, ensure_ascii=False, indent=1) + "\n"
    response = HttpResponse(body.encode("utf-8"), content_type="application/json; charset=utf-8")
    name = "抽取输入_%s_%s.json" % (batch.pk, record.pk)
    response["Content-Disposition"] = "attachment; filename*=UTF-8''%s" % quote(name)
    return response


@login_required
@require_POST
def batch_close_view(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, "review.change_reviewbatch")
    batch = selectors.batch_get(user=request.user, pk=pk)
    return _post_service(
        request,
        reverse("review:batch_detail", args=[batch.pk]),
        lambda: services.batch_close(actor=request.user, batch=batch),
        "已汇总评审结果并回传。",
    )


@login_required
@require_POST
def batch_meeting_view(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, "review.change_reviewbatch")
    batch = selectors.batch_get(user=request.user, pk=pk)
    return _post_service(
        request,
        reverse("review:batch_detail", args=[batch.pk]),
        lambda: services.meeting_save(
            actor=request.user,
            batch=batch,
            held_at=_p(request, "held_at", ""),
            place=_p(request, "place", ""),
            chair=_p(request, "chair", ""),
            attendee_ids=request.POST.getlist("attendees"),
        ),
        "已登记评审会议。",
    )


@login_required
def batch_payments_view(request: HttpRequest, pk: int) -> HttpResponse:
    """评审费发放表 (Excel): expert, organization, bank details, reviews, meetings, amount."""
    _require(request, "review.view_reviewbatch")
    batch = selectors.batch_get(user=request.user, pk=pk)
    try:
        rows = services.payment_rows(batch=batch)
    except BusinessError as exc:
        messages.error(request, exc.message)
        return redirect("review:batch_detail", pk=batch.pk)
    lines: list[list[Any]] = [
        [
            r["expert"].name,
            r["expert"].org_label,
            r["expert"].bank_account_name,
            r["expert"].bank_name,
            r["expert"].bank_account_no,
            r["reviews"],
            r["meetings"],
            r["amount"],
        ]
        for r in rows
    ]
    lines.append(
        [
            "合计",
            "",
            "",
            "",
            "",
            sum(r["reviews"] for r in rows),
            sum(r["meetings"] for r in rows),
            sum((r["amount"] for r in rows), Decimal("0.00")),
        ]
    )
    content = write_workbook(
        "评审费发放表",
        ["姓名", "工作单位", "开户名", "开户银行", "银行账号", "评审件数", "会评次数", "金额（元）"],
        lines,
    )
    from kejiju.core.audit import log_operation

    log_operation(actor=request.user, action=actions.PAYMENT_EXPORT, target=batch, extra={"rows": len(rows)})
    from urllib.parse import quote

    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = "attachment; filename*=UTF-8''%s" % quote("评审费发放表_%s.xlsx" % batch.pk)
    return response


@login_required
@require_http_methods(["GET", "POST"])
def fee_list_view(request: HttpRequest) -> HttpResponse:
    """评审费标准: per review kind, per reviewed record and per meeting."""
    _require(request, "review.change_reviewbatch")
    region = active_region_code(request.user) or ""
    if request.method == "POST":
        return _post_service(
            request,
            reverse("review:fee_list"),
            lambda: services.fee_save(
                actor=request.user,
                region=region,
                kind=_p(request, "kind", ""),
                label=_p(request, "label", ""),
                per_review=_p(request, "per_review", ""),
                per_meeting=_p(request, "per_meeting", "0"),
            ),
            "已保存评审费标准。",
        )
    from kejiju.review.models import FeeSchedule

    fees = FeeSchedule.objects.restrict(request.user, "review.change_reviewbatch").order_by("region_id", "kind")
    kinds = [(k, "%s · %s" % (s.label, label)) for s in review_sources() for k, label in s.kinds]
    kind_labels = {k: label for s in review_sources() for k, label in s.kinds}
    rows = [{"fee": f, "kind": kind_labels.get(f.kind, f.kind)} for f in fees]
    return render(request, "review/fee_list.html", {"fees": rows, "kinds": kinds})


# ================================================================== the expert's own pages


def _expert_or_404(request: HttpRequest) -> Expert:
    expert = expert_of(request.user)
    if expert is None:
        raise Http404("您不是专家库中的专家。")
    return expert


@login_required
def my_list_view(request: HttpRequest) -> HttpResponse:
    """我的评审: the expert's invitations and tasks."""
    expert = _expert_or_404(request)
    rows = selectors.my_assignments(user=request.user)
    return render(request, "review/my_list.html", {"expert": expert, "rows": rows, "statuses": AssignmentStatus})


@login_required
@require_http_methods(["GET", "POST"])
def my_declarations_view(request: HttpRequest) -> HttpResponse:
    """我的回避申报: the expert declares, from their own account, relations that create conflicts (close
    relative, supervisor/student, co-author — by ID number or name + organization — and organizations
    to avoid), and withdraws them. Applied to every later draw."""
    expert = _expert_or_404(request)
    errors: dict[str, list[str]] = {}
    values: dict[str, str] = {}
    if request.method == "POST":
        op = _p(request, "op", "add")
        try:
            if op == "remove":
                row = get_object_or_404(expert.relations, pk=_int_or_404(_p(request, "id")))
                services.expert_relation_remove(actor=request.user, relation=row)
                messages.success(request, "已撤回回避申报。")
            else:
                values = {k: _text(_p(request, k, "")) for k in RELATION_FIELDS}
                services.expert_relation_add(actor=request.user, expert=expert, data=values)
                messages.success(request, "已登记回避申报，今后抽取评审专家时将自动回避。")
        except BusinessError as exc:
            errors = _errors(exc)
        else:
            return redirect("review:my_declarations")
    context = {
        "expert": expert,
        "relations": expert.relations.select_related("person", "organization"),
        "relation_choices": DeclaredRelation.choices,
        "values": values,
        "errors": errors,
        "years": services.relation_years(),
    }
    return render(request, "review/my_declarations.html", context, status=400 if errors else 200)


def _int_or_404(raw: str) -> int:
    try:
        return int(raw)
    except ValueError:
        raise Http404("记录不存在。") from None


@login_required
@require_http_methods(["GET", "POST"])
def my_unavailable_view(request: HttpRequest) -> HttpResponse:
    """不可参评时间: the expert's own periods when they cannot review; draws and reserve calls skip them."""
    expert = _expert_or_404(request)
    errors: dict[str, list[str]] = {}
    values: dict[str, str] = {}
    if request.method == "POST":
        op = _p(request, "op", "add")
        try:
            if op == "remove":
                row = get_object_or_404(expert.unavailable, pk=_int_or_404(_p(request, "id")))
                services.expert_unavailable_remove(actor=request.user, window=row)
                messages.success(request, "已撤回不可参评时段。")
            else:
                values = {k: _text(_p(request, k, "")) for k in ("start", "end", "note")}
                services.expert_unavailable_add(actor=request.user, expert=expert, **values)
                messages.success(request, "已登记不可参评时段。")
        except BusinessError as exc:
            errors = _errors(exc)
        else:
            return redirect("review:my_unavailable")
    context = {"expert": expert, "windows": expert.unavailable.all(), "values": values, "errors": errors}
    return render(request, "review/my_unavailable.html", context, status=400 if errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def my_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    """One task: answer the invitation (accept with the no-conflict declaration, decline, or declare a
    conflict); once accepted, the record's documents and the scoring form."""
    _expert_or_404(request)
    assignment = selectors.my_assignment_get(user=request.user, pk=pk)
    errors: dict[str, list[str]] = {}
    posted: dict[str, Any] = {}
    if request.method == "POST":
        op = _p(request, "op", "")
        try:
            if op == "accept":
                services.assignment_accept(
                    actor=request.user, assignment=assignment, declare=_p(request, "declare") == "on"
                )
                messages.success(request, "已接受邀请，可以查看材料并评分。")
            elif op in ("decline", "conflict"):
                services.assignment_decline(
                    actor=request.user,
                    assignment=assignment,
                    reason=_p(request, "reason", ""),
                    conflict=op == "conflict",
                )
                messages.success(request, "已答复，感谢您的配合。")
            elif op in ("save", "submit"):
                posted = {k[2:]: v for k, v in request.POST.items() if k.startswith("c-")}
                services.sheet_save(
                    actor=request.user,
                    assignment=assignment,
                    scores=posted,
                    comment=_p(request, "comment", ""),
                    recommendation=_p(request, "recommendation", ""),
                    submit=op == "submit",
                )
                messages.success(request, "评分已提交，不能再修改。" if op == "submit" else "已暂存。")
            else:
                raise BusinessError("未知的操作。", code="invalid")
        except BusinessError as exc:
            errors = _errors(exc)
        else:
            return redirect("review:my_detail", pk=assignment.pk)
        assignment = selectors.my_assignment_get(user=request.user, pk=pk)
    batch = assignment.batch
    document = None
    readable = assignment.declared_at is not None and assignment.status in (
        AssignmentStatus.ACCEPTED,
        AssignmentStatus.SUBMITTED,
    )
    if readable:
        source = review_source(batch.source_key)
        document = source.document(assignment.item.ref) if source else None
    sheet = getattr(assignment, "sheet", None)
    criteria = [
        {
            "c": c,
            "value": posted.get(str(c.pk), (sheet.scores.get(str(c.pk), "") if sheet else "")),
            "errors": errors.get("c%s" % c.pk, []),
        }
        for c in batch.criteria.all()
    ]
    context = {
        "a": assignment,
        "batch": batch,
        "document": document,
        "attachments": _attachments(document) if document else [],
        "readable": readable,
        "sheet": sheet,
        "criteria": criteria,
        "errors": errors,
        "comment_value": _p(request, "comment", "") if errors else (sheet.comment if sheet else ""),
        "rec_value": _p(request, "recommendation", "") if errors else (sheet.recommendation if sheet else ""),
        "recommendation_choices": Recommendation.choices,
        "statuses": AssignmentStatus,
        "can_answer": assignment.status == AssignmentStatus.INVITED and batch.status == BatchStatus.SCORING,
        "can_score": assignment.status == AssignmentStatus.ACCEPTED and batch.status == BatchStatus.SCORING,
    }
    return render(request, "review/my_detail.html", context, status=400 if errors else 200)


def _attachments(document: Any) -> list[Any]:
    from kejiju.core.models import Attachment

    ids = [str(i) for i in document.attachment_ids]
    return list(Attachment.objects.filter(pk__in=ids, is_archived=False)) if ids else []


@login_required
def my_attachment_view(request: HttpRequest, pk: int, file: Any) -> HttpResponseBase:
    """Download an attachment of the record — only while the expert is assigned (accepted, declared,
    batch still running); logged as a download. Anything else answers 404."""
    from kejiju.core import actions as core_actions
    from kejiju.core.audit import log_operation
    from kejiju.core.services.attachments import attachment_verify, storage_path

    _expert_or_404(request)
    assignment = selectors.my_assignment_get(user=request.user, pk=pk)
    if (
        assignment.declared_at is None
        or assignment.status not in (AssignmentStatus.ACCEPTED, AssignmentStatus.SUBMITTED)
        or assignment.batch.status != BatchStatus.SCORING
    ):
        raise Http404("附件不存在。")
    source = review_source(assignment.batch.source_key)
    if source is None or str(file) not in {str(i) for i in source.document(assignment.item.ref).attachment_ids}:
        raise Http404("附件不存在。")
    found = [a for a in _attachments(source.document(assignment.item.ref)) if str(a.pk) == str(file)]
    if not found or not storage_path(found[0].storage_name).exists() or not attachment_verify(found[0]):
        raise Http404("附件不存在。")
    attachment = found[0]
    log_operation(
        actor=request.user,
        action=core_actions.ATTACHMENT_DOWNLOAD,
        target=attachment,
        extra={"sha256": attachment.sha256, "review_assignment": assignment.pk},
    )
    response = FileResponse(
        open(storage_path(attachment.storage_name), "rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.mime_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response

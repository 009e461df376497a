"""Pages of innovation platforms: registry list (Excel export), detail with reports, evaluations and
status history, create/edit, status actions, yearly report (bureau or host organization), evaluation,
recognition reward, evaluation templates."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from kejiju.core.errors import BusinessError, RowErrors
from kejiju.core.listing import Column, ListPage, render_list
from kejiju.orgs import selectors as org_selectors
from kejiju.platforms import selectors, services
from kejiju.platforms.choices import PlatformLevel, PlatformStatus
from kejiju.platforms.permissions import can_change_platform, can_evaluate_platform, can_reward_platform
from kejiju.platforms.workflows import STATUS


def _require(request: HttpRequest, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied


def _columns() -> list[Column]:
    return [
        Column("平台名称", lambda p: p.name, sort="name", link=True),
        Column("类型", lambda p: p.kind.name, sort="kind__order"),
        Column("级别", lambda p: p.get_level_display(), sort="level"),
        Column("依托单位", lambda p: p.host.name),
        Column("所属区划", lambda p: p.region.name, sort="region"),
        Column("认定文件", lambda p: p.recognition_doc),
        Column("认定日期", lambda p: p.recognised_on.isoformat(), sort="recognised_on"),
        Column("面积（㎡）", lambda p: p.area),
        Column("服务人员", lambda p: p.staff),
        Column("状态", lambda p: p.get_status_display(), sort="status"),
    ]


@login_required
def platform_list_view(request: HttpRequest) -> HttpResponse:
    _require(request, "platforms.view_platform")
    filters = {k: request.GET.get(k, "")[:64] for k in ("q", "kind", "level", "status", "region")}
    page = ListPage(
        title="创新平台",
        columns=_columns(),
        default_sort="name",
        export_name="platforms",
        filters_template="platforms/platform_list_filters.html",
        actions_template="platforms/platform_list_actions.html",
        row_url=lambda p: reverse("platforms:platform_detail", args=[p.pk]),
    )
    return render_list(
        request,
        selectors.platform_list(user=request.user, filters=filters),
        page,
        context={
            "filters": filters,
            "kinds": selectors.platform_kinds(),
            "levels": PlatformLevel.choices,
            "statuses": PlatformStatus.choices,
            "counts": selectors.platform_counts(user=request.user, filters=filters),
            "can_add": request.user.has_perm("platforms.add_platform"),
        },
    )


@login_required
def platform_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, "platforms.view_platform")
    platform = selectors.platform_get(user=request.user, pk=pk)
    user = request.user
    return render(
        request,
        "platforms/platform_detail.html",
        {
            "platform": platform,
            "reports": selectors.platform_reports(platform=platform),
            "evaluations": selectors.platform_evaluations(platform=platform),
            "history": selectors.platform_history(platform=platform),
            "actions": STATUS.available(platform.status) if can_evaluate_platform(user, platform) else [],
            "can_edit": can_change_platform(user, platform),
            "can_evaluate": can_evaluate_platform(user, platform) and platform.status != PlatformStatus.REVOKED,
            "can_reward": can_reward_platform(user, platform) and platform.status != PlatformStatus.REVOKED,
            "templates": selectors.indicator_templates(),
            "this_year": timezone.localdate().year,
        },
    )


def _form_context(
    request: HttpRequest, values: dict[str, Any], errors: dict[str, list[str]], obj: Any = None
) -> dict[str, Any]:
    return {
        "values": values,
        "errors": errors,
        "obj": obj,
        "kinds": selectors.platform_kinds(),
        "levels": PlatformLevel.choices,
        "hosts": org_selectors.organization_list(user=request.user).select_related(None).only("pk", "name")[:1000],
    }


FORM_KEYS = (
    "name",
    "kind",
    "level",
    "host",
    "recognition_doc",
    "recognised_on",
    "area",
    "staff",
    "services",
    "contact_person",
    "contact_phone",
)


@login_required
@require_http_methods(["GET", "POST"])
def platform_form_view(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """登记 / 修改平台."""
    obj = None
    if pk is not None:
        _require(request, "platforms.change_platform")
        obj = selectors.platform_get(user=request.user, pk=pk)
        if not can_change_platform(request.user, obj):
            raise PermissionDenied
    else:
        _require(request, "platforms.add_platform")
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        values = {k: request.POST.get(k, "") for k in FORM_KEYS}
        data: dict[str, Any] = dict(values)
        try:
            data["host"] = (
                org_selectors.organization_get(user=request.user, pk=values["host"]) if values["host"] else None
            )
        except Http404:
            data["host"] = None
        try:
            saved = services.platform_save(actor=request.user, data=data, platform=obj)
        except RowErrors as exc:
            errors = exc.errors
        except BusinessError as exc:
            errors = {exc.field or "name": [exc.message]}
        else:
            messages.success(request, "已保存。")
            return redirect("platforms:platform_detail", saved.pk)
    elif obj is not None:
        values = {k: getattr(obj, k) for k in FORM_KEYS}
        values.update(kind=obj.kind.code, host=str(obj.host_id), recognised_on=obj.recognised_on.isoformat())
        values = {k: "" if v is None else str(v) for k, v in values.items()}
    else:
        values = {k: request.GET.get(k, "")[:64] for k in FORM_KEYS}
    return render(request, "platforms/platform_form.html", _form_context(request, values, errors, obj))


@login_required
@require_POST
def platform_action_view(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, "platforms.evaluate_platform")
    platform = selectors.platform_get(user=request.user, pk=pk)
    try:
        services.platform_transition(
            actor=request.user,
            platform=platform,
            action=request.POST.get("action", ""),
            reason=request.POST.get("reason", ""),
        )
    except BusinessError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已保存。")
    return redirect("platforms:platform_detail", platform.pk)


def _platform_for_report(request: HttpRequest, pk: int) -> Any:
    """Staff see platforms through the selector; a host organization's account sees its own platforms."""
    own = selectors.platforms_of_user(user=request.user).filter(pk=pk).first()
    if own is not None:
        return own
    if not request.user.has_perm("platforms.view_platform"):
        raise Http404("平台不存在。")
    return selectors.platform_get(user=request.user, pk=pk)


REPORT_KEYS = ("year", "incubated", "graduates", "events", "revenue", "jobs", "summary")


@login_required
@require_http_methods(["GET", "POST"])
def report_view(request: HttpRequest, pk: int) -> HttpResponse:
    """年度报告: filed by the host organization's account or by bureau staff."""
    platform = _platform_for_report(request, pk)
    if not services.can_report(request.user, platform):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    values = (
        {k: request.POST.get(k, "") for k in REPORT_KEYS}
        if request.method == "POST"
        else {"year": str(timezone.localdate().year - 1)}
    )
    if request.method == "POST":
        data = {k: values[k] for k in REPORT_KEYS if k != "year"}
        try:
            services.platform_report_save(actor=request.user, platform=platform, year=values["year"], data=data)
        except RowErrors as exc:
            errors = exc.errors
        except BusinessError as exc:
            errors = {"year": [exc.message]}
        else:
            messages.success(request, "年度报告已保存。")
            if request.user.has_perm("platforms.view_platform"):
                return redirect("platforms:platform_detail", platform.pk)
            return redirect("platforms:my_platforms")
    return render(request, "platforms/report_form.html", {"platform": platform, "values": values, "errors": errors})


@login_required
@require_POST
def evaluate_view(request: HttpRequest, pk: int) -> HttpResponse:
    """年度评价 with a template: one score per item (0–100)."""
    _require(request, "platforms.evaluate_platform")
    platform = selectors.platform_get(user=request.user, pk=pk)
    raw = str(request.POST.get("template", ""))
    template_pk = int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 18 else 0
    template = selectors.indicator_templates().filter(pk=template_pk).first()
    if template is None:
        messages.error(request, "请选择评价指标模板。")
        return redirect("platforms:platform_detail", platform.pk)
    scores = {i["key"]: request.POST.get("score_" + i["key"], "") for i in template.items}
    try:
        ev = services.platform_evaluate(
            actor=request.user,
            platform=platform,
            year=request.POST.get("year", ""),
            template=template,
            scores=scores,
            comment=request.POST.get("comment", ""),
        )
    except RowErrors as exc:
        for msgs in exc.errors.values():
            for m in msgs:
                messages.error(request, m)
    except BusinessError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "评价已保存：%s 分，%s。" % (ev.total, ev.grade))
    return redirect("platforms:platform_detail", platform.pk)


@login_required
@require_POST
def reward_view(request: HttpRequest, pk: int) -> HttpResponse:
    """认定奖补: calculated through the subsidy policy ``platform_recognition`` (by level)."""
    _require(request, "platforms.change_platform")
    platform = selectors.platform_get(user=request.user, pk=pk)
    try:
        award = services.platform_reward(actor=request.user, platform=platform)
    except BusinessError as exc:
        messages.error(request, exc.message)
        return redirect("platforms:platform_detail", platform.pk)
    messages.success(request, "已测算认定奖补 %s 元。" % award.amount)
    return redirect("cultivation:award_detail", award.pk)


@login_required
def my_platforms_view(request: HttpRequest) -> HttpResponse:
    """The platforms hosted by the account's organizations (to file yearly reports)."""
    items = selectors.platforms_of_user(user=request.user)
    return render(request, "platforms/my_platforms.html", {"platforms": items})


@login_required
@require_http_methods(["GET", "POST"])
def template_list_view(request: HttpRequest) -> HttpResponse:
    """评价指标模板: list and add (items as JSON, weights summing to 100)."""
    _require(request, "platforms.evaluate_platform")
    errors: list[str] = []
    values = {"name": request.POST.get("name", ""), "items": request.POST.get("items", "")}
    if request.method == "POST":
        try:
            items = json.loads(values["items"] or "[]")
        except ValueError:
            errors.append("评价指标不是有效的 JSON。")
        else:
            try:
                services.indicator_template_save(actor=request.user, name=values["name"], items=items)
            except BusinessError as exc:
                errors.append(exc.message)
            else:
                messages.success(request, "已保存模板。")
                return redirect("platforms:template_list")
    return render(
        request,
        "platforms/template_list.html",
        {"templates": selectors.indicator_templates(active_only=False), "values": values, "errors": errors},
    )

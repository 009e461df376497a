"""The home page: real counts for the user's active region."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from kejiju.core.models import OperationLog, Region
from kejiju.core.permissions import active_region_code, prefix_q
from kejiju.core.selectors import region_counters


@login_required
def home_view(request: HttpRequest) -> HttpResponse:
    scope = active_region_code(request.user) or ""
    cards = []
    regions = Region.objects.filter(code__startswith=scope, is_active=True)
    for level, label in ((6, "县级区划"), (9, "乡镇（街道）"), (12, "村（社区）")):
        if len(scope) < level:
            cards.append(
                {
                    "label": label,
                    "value": regions.filter(level=level).count(),
                    "url": reverse("core:region_tree") if request.user.has_perm("core.view_region") else "",
                }
            )
    for counter in region_counters():
        qs = counter.queryset()
        if scope:
            qs = qs.filter(prefix_q(counter.region_field, scope))
        url = reverse(counter.url_name) if counter.url_name else ""
        if url and counter.url_query:
            url = f"{url}?{counter.url_query}"
        cards.append({"label": counter.label, "value": qs.count(), "url": url})
    recent = []
    if request.user.has_perm("core.view_operationlog"):
        recent = list(OperationLog.objects.restrict(request.user, "core.view_operationlog")[:8])
    return render(request, "core/home.html", {"cards": cards, "recent": recent})


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(
        request,
        "core/message.html",
        {"title": "页面不存在", "message": "您访问的页面或记录不存在，或不在您的管辖范围内。"},
        status=404,
    )


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(
        request,
        "core/message.html",
        {"title": "没有权限", "message": "您没有访问此页面的权限。如需开通，请联系本单位管理员。"},
        status=403,
    )


def error_500(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "core/message.html",
        {"title": "系统错误", "message": "系统出现错误，已记录。请稍后再试或联系管理员。"},
        status=500,
    )


def error_400(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "core/message.html", {"title": "请求有误", "message": "请求格式不正确。"}, status=400)

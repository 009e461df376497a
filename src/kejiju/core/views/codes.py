"""National code tables (代码表): browse each table, and disable or re-enable entries.

Entries are never deleted (house rule 6): a disabled code stays on the list, greyed, so the
records that carry it keep their meaning.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from kejiju.core.choices import CodeKind
from kejiju.core.errors import BusinessError
from kejiju.core.listing import Column, ListPage, render_list
from kejiju.core.models import CodeItem
from kejiju.core.selectors import code_items
from kejiju.core.services.codes import code_set_active

STATUS_CHOICES = [("active", "启用"), ("inactive", "停用")]


def _require(request: HttpRequest, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied


def code_list_filtered(*, kind: str, filters: dict[str, str]) -> QuerySet[CodeItem]:
    """Entries of one table, disabled ones included: ``q`` matches a code prefix or a name
    fragment, ``status`` keeps the enabled or the disabled ones, ``level`` one level."""
    qs = code_items(kind=kind, active_only=False)
    if q := filters.get("q"):
        qs = qs.filter(Q(code__istartswith=q) | Q(name__contains=q))
    if filters.get("status") == "active":
        qs = qs.filter(is_active=True)
    elif filters.get("status") == "inactive":
        qs = qs.filter(is_active=False)
    if (level := filters.get("level", "")).isdigit():
        qs = qs.filter(level=int(level))
    return qs


COLUMNS = [
    Column("代码", lambda c: c.code, sort="code"),
    Column("名称", lambda c: c.name, sort="name"),
    Column("上级代码", lambda c: c.parent_code, sort="parent_code"),
    Column("层级", lambda c: c.level, sort="level"),
    Column("版本", lambda c: c.edition),
    Column("状态", lambda c: "启用" if c.is_active else "停用", sort="is_active"),
]


@login_required
def code_list_view(request: HttpRequest) -> HttpResponse:
    """One tab per national table; search, status and level filters; disabled codes greyed;
    enable/disable buttons for users who maintain the tables; Excel export."""
    _require(request, "core.view_codeitem")
    kind = request.GET.get("kind", "")
    if kind not in CodeKind.values:
        kind = CodeKind.INDUSTRY
    filters = {key: request.GET.get(key, "").strip()[:50] for key in ("q", "status", "level")}
    label = CodeKind(kind).label
    page = ListPage(
        title="代码表",
        columns=COLUMNS,
        export_name="codes_" + kind,
        filters_template="core/code_list_filters.html",
    )
    counts = {k: CodeItem.objects.filter(kind=k).count() for k in CodeKind.values}
    tabs = [{"kind": k, "label": CodeKind(k).label, "count": counts[k], "active": k == kind} for k in CodeKind.values]
    context = {
        "kind": kind,
        "kind_label": label,
        "tabs": tabs,
        "filters": filters,
        "status_choices": STATUS_CHOICES,
        "levels": sorted(set(CodeItem.objects.filter(kind=kind).values_list("level", flat=True))),
        "can_change": request.user.has_perm("core.change_codeitem"),
    }
    qs = code_list_filtered(kind=kind, filters=filters)
    return render_list(request, qs, page, template="core/code_list.html", context=context)


@login_required
@require_POST
def code_set_active_view(request: HttpRequest, pk: int) -> HttpResponse:
    """停用 (``active=0``) or 启用 (``active=1``) one code after confirmation; never deletes."""
    _require(request, "core.change_codeitem")
    item = get_object_or_404(CodeItem, pk=pk)
    value = request.POST.get("active", "")
    fallback = reverse("core:code_list") + "?kind=" + item.kind
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = fallback
    if value not in ("0", "1"):
        messages.error(request, "操作参数有误：启用状态只能是“启用”或“停用”。")
        return HttpResponseRedirect(target)
    try:
        code_set_active(actor=request.user, item=item, active=value == "1")
    except BusinessError as exc:
        messages.error(request, exc.message)
    else:
        verb = "启用" if value == "1" else "停用"
        messages.success(
            request, "已%(verb)s代码 %(code)s %(name)s。" % {"verb": verb, "code": item.code, "name": item.name}
        )
    return HttpResponseRedirect(target)

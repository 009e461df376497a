"""Pages of the statistics app: dashboard, the records behind a figure, the catalogue, entered values,
targets, the additivity check, statistical tables, paragraph templates and work reports.

Views parse input, check the permission (403 without it; a region outside the user's scope answers 404
through ``selectors.region_for``) and call the services."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from kejiju.core import actions as core_actions
from kejiju.core.audit import log_operation
from kejiju.core.errors import BusinessError, RowErrors
from kejiju.core.forms.attachments import region_choices
from kejiju.core.listing import Column, ListPage, render_list
from kejiju.core.permissions import account_region_code, active_region_code
from kejiju.stats import actions, selectors, services
from kejiju.stats.choices import REPORT_WORKFLOW, IndicatorSource, area_label
from kejiju.stats.forms import (
    EnteredValueForm,
    IndicatorForm,
    LayoutForm,
    ReportForm,
    TargetForm,
    TemplateForm,
    apply_errors,
)
from kejiju.stats.models import IndicatorDefinition
from kejiju.stats.permissions import VIEW, can_change_report, can_freeze_report
from kejiju.stats.tables import fill_table, table_workbook
from kejiju.stats.textfill import chart_number, format_number


def _require(request: HttpRequest, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied


def _year(request: HttpRequest) -> int:
    raw = request.GET.get("year") or ""
    if not raw:
        return timezone.localdate().year
    if not raw.isdigit() or not 2000 <= int(raw) <= 2100:
        raise Http404("年度无效。")
    return int(raw)


def records_url(code: str, region: str, period: str) -> str:
    return reverse("stats:records") + "?" + urlencode({"indicator": code, "region": region, "period": period})


def _regions(user: Any) -> list[tuple[str, str]]:
    return region_choices(account_region_code(user), depth=1, floor=6)


# ---------------------------------------------------------------- dashboard


def _row_data(row: selectors.DashboardRow, region: str, year: int) -> dict[str, Any]:
    fig, prev = row.figure, row.previous
    return {
        "code": fig.code,
        "name": fig.name,
        "unit": fig.unit,
        "definition": fig.definition,
        "source": fig.source,
        "value": format_number(fig.value, fig.decimals) if fig.value is not None else "",
        "previous": format_number(prev.value, prev.decimals) if prev.value is not None else "",
        "number": chart_number(fig.value),
        "previous_number": chart_number(prev.value),
        "target": format_number(row.target, fig.decimals) if row.target is not None else "",
        "target_number": chart_number(row.target),
        "yoy": row.yoy,
        "rate": row.rate,
        "records": fig.record_count,
        "url": records_url(fig.code, region, str(year)),
        "previous_url": records_url(fig.code, region, str(year - 1)),
        "error": fig.extra.get("error", ""),
    }


@login_required
def dashboard_view(request: HttpRequest) -> HttpResponse:
    """统计看板: one panel per area for a region and year — figures, 同比, targets vs done, charts; every
    number and chart element opens the records behind it."""
    _require(request, VIEW)
    services.catalogue_ensure()
    region = selectors.region_for(user=request.user, code=request.GET.get("region"))
    year = _year(request)
    panels = selectors.dashboard(region=region, year=year)
    data = []
    for panel in panels:
        ranking = None
        if panel.ranking:
            ranking = dict(panel.ranking)
            ranking["items"] = [
                {**item, "url": records_url(ranking["code"], item["region"], str(year))} for item in ranking["items"]
            ]
        data.append(
            {
                "area": panel.area,
                "title": panel.title,
                "rows": [_row_data(r, region.code, year) for r in panel.rows],
                "ranking": ranking,
            }
        )
    this_year = timezone.localdate().year
    context = {
        "region": region,
        "year": year,
        "panels": data,
        "chart_data": {"year": year, "panels": data},
        "years": list(range(this_year, this_year - 6, -1)),
        "region_options": region_choices(active_region_code(request.user), depth=1, floor=6),
    }
    return render(request, "stats/dashboard.html", context)


# ---------------------------------------------------------------- records behind a figure


def _resolve(obj: Any, path: str) -> Any:
    value = obj
    for part in path.split("."):
        if value is None:
            return ""
        value = getattr(value, part, "")
        if callable(value):
            value = value()
    return value


def _column(label: str, path: str) -> Column:
    return Column(label, lambda obj: _resolve(obj, path))


@login_required
def records_view(request: HttpRequest) -> HttpResponse:
    """The records behind one figure: exactly ``indicator.records(region, start, end)``, with the
    indicator's columns, sorting, pages and Excel export; a figure without columns opens the app's own
    list (``list_url``); an entered figure shows its entered value and source document."""
    _require(request, VIEW)
    region = selectors.region_for(user=request.user, code=request.GET.get("region"))
    period = selectors.period_or_404(request.GET.get("period") or timezone.localdate().year)
    code = selectors.clean_code(request.GET.get("indicator"))
    definition = IndicatorDefinition.objects.filter(code=code).first() if code else None
    if definition is not None and definition.source == IndicatorSource.ENTERED:
        return redirect(reverse("stats:entered_list") + "?" + urlencode({"indicator": code, "period": period.key}))
    indicator, qs = selectors.records_for(code=code, region=region, period=period)
    if not indicator.columns and indicator.list_url is not None:
        return redirect(indicator.list_url(region.code, period.start, period.end))
    columns = [_column(c.label, c.path) for c in indicator.columns] or [Column("记录", str)]
    count = qs.count()
    page = ListPage(
        title="%s · %s%s" % (indicator.name, region.name, period.label), columns=columns, export_name="stats_records"
    )
    if not qs.query.order_by and not getattr(qs.model._meta, "ordering", None):
        qs = qs.order_by("pk")
    context = {
        "indicator": indicator,
        "region": region,
        "period": period,
        "count": count,
        "area_title": area_label(indicator.area),
        "app_list_url": indicator.list_url(region.code, period.start, period.end) if indicator.list_url else "",
        "breadcrumbs": [
            {
                "label": "统计看板",
                "url": reverse("stats:dashboard") + "?" + urlencode({"region": region.code, "year": period.year}),
            }
        ],
    }
    return render_list(request, qs, page, template="stats/records.html", context=context)


# ---------------------------------------------------------------- catalogue


@login_required
def indicator_list_view(request: HttpRequest) -> HttpResponse:
    """指标目录: every indicator with its code, definition, unit, period, source and additivity."""
    _require(request, VIEW)
    services.catalogue_ensure()
    qs = selectors.catalogue(active_only=request.GET.get("all") != "1")
    page = ListPage(
        title="指标目录",
        columns=[
            Column("指标代码", lambda d: d.code, sort="code"),
            Column("指标名称", lambda d: d.name, sort="name"),
            Column("业务领域", lambda d: area_label(d.area), sort="area"),
            Column("统计口径", lambda d: d.definition),
            Column("单位", lambda d: d.unit),
            Column("统计周期", lambda d: d.get_period_type_display()),
            Column("来源", lambda d: d.get_source_display(), sort="source"),
            Column("可加总", lambda d: "是" if d.additive else "否"),
            Column("状态", lambda d: "启用" if d.is_active else "停用"),
        ],
        export_name="stats_indicators",
        actions_template="stats/indicator_list_actions.html",
        row_url=lambda d: reverse("stats:indicator_edit", args=[d.pk]) if d.source == IndicatorSource.ENTERED else "",
    )
    return render_list(
        request, qs, page, context={"can_define": request.user.has_perm("stats.add_indicatordefinition")}
    )


@login_required
@require_http_methods(["GET", "POST"])
def indicator_form_view(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Define or change an entered indicator."""
    _require(request, "stats.add_indicatordefinition")
    obj = None
    if pk is not None:
        obj = IndicatorDefinition.objects.filter(pk=pk, source=IndicatorSource.ENTERED).first()
        if obj is None:
            raise Http404("指标不存在。")
    initial = {} if obj is None else {f: getattr(obj, f) for f in IndicatorForm.base_fields}
    form = IndicatorForm(request.POST or None, initial=initial or {"is_active": True})
    if obj is not None:
        form.fields["code"].disabled = True
    if request.method == "POST" and form.is_valid():
        try:
            services.indicator_define(actor=request.user, data=form.cleaned_data, indicator=obj)
        except RowErrors as exc:
            apply_errors(form, exc.errors)
        except BusinessError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "指标已保存。")
            return redirect("stats:indicator_list")
    title = "修改录入指标" if obj else "新增录入指标"
    return render(request, "stats/form.html", {"form": form, "title": title, "back": reverse("stats:indicator_list")})


# ---------------------------------------------------------------- entered values


def _entered_choices() -> list[tuple[str, str]]:
    return [
        (d.code, "%s（%s）" % (d.name, d.code)) for d in selectors.catalogue().filter(source=IndicatorSource.ENTERED)
    ]


@login_required
def entered_list_view(request: HttpRequest) -> HttpResponse:
    """录入数值: entered figures within the user's region, with their source documents and who entered them."""
    _require(request, "stats.view_enteredvalue")
    filters = {k: request.GET.get(k, "")[:80] for k in ("indicator", "period", "region")}
    qs = selectors.entered_value_list(user=request.user, filters=filters)
    page = ListPage(
        title="录入数值",
        columns=[
            Column("指标", lambda v: v.indicator.name, sort="indicator__code"),
            Column("区划", lambda v: v.region.name, sort="region"),
            Column("统计期", lambda v: v.period, sort="period"),
            Column("数值", lambda v: format_number(v.value, v.indicator.decimals) + v.indicator.unit),
            Column("来源文件", lambda v: v.source_document.original_name),
            Column("来源说明", lambda v: v.source_note),
            Column("录入人", lambda v: v.entered_by.get_full_name() or v.entered_by.get_username()),
            Column(
                "录入时间", lambda v: timezone.localtime(v.updated_at).strftime("%Y-%m-%d %H:%M"), sort="updated_at"
            ),
        ],
        export_name="stats_entered",
        actions_template="stats/entered_list_actions.html",
        row_url=lambda v: reverse("core:attachment_download", args=[v.source_document_id]),
    )
    return render_list(request, qs, page, context={"can_enter": request.user.has_perm("stats.add_enteredvalue")})


@login_required
@require_http_methods(["GET", "POST"])
def entered_form_view(request: HttpRequest) -> HttpResponse:
    """Enter a figure with its source document (a new file, or the one already attached when correcting)."""
    _require(request, "stats.add_enteredvalue")
    form = EnteredValueForm(
        request.POST or None,
        request.FILES or None,
        indicators=_entered_choices(),
        regions=_regions(request.user),
        initial={
            "region": active_region_code(request.user),
            "period": str(timezone.localdate().year),
            "indicator": request.GET.get("indicator", ""),
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        upload = data.get("source_file")
        existing = None
        if upload is None:
            row = selectors.entered_value_list(
                user=request.user,
                filters={"indicator": data["indicator"], "period": data["period"], "region": data["region"]},
            ).first()
            existing = row.source_document if row is not None else None
        try:
            services.entered_value_save(
                actor=request.user,
                indicator=data["indicator"],
                region=data["region"],
                period=data["period"],
                value=data["value"],
                source_document=existing,
                upload=upload,
                upload_name=getattr(upload, "name", ""),
                source_note=data["source_note"],
            )
        except RowErrors as exc:
            apply_errors(form, {("source_file" if k == "source_document" else k): v for k, v in exc.errors.items()})
        except BusinessError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "数值已录入。")
            return redirect("stats:entered_list")
    return render(
        request,
        "stats/form.html",
        {"form": form, "title": "录入指标数值", "multipart": True, "back": reverse("stats:entered_list")},
    )


# ---------------------------------------------------------------- targets


@login_required
def target_list_view(request: HttpRequest) -> HttpResponse:
    _require(request, "stats.view_target")
    year = _year(request) if request.GET.get("year") else None
    qs = selectors.target_list(user=request.user, year=year)
    page = ListPage(
        title="年度目标",
        columns=[
            Column("年度", lambda t: t.year, sort="year"),
            Column("区划", lambda t: t.region.name, sort="region"),
            Column("指标", lambda t: t.indicator.name, sort="indicator__code"),
            Column("目标值", lambda t: format_number(t.value, t.indicator.decimals) + t.indicator.unit),
        ],
        export_name="stats_targets",
        actions_template="stats/target_list_actions.html",
    )
    return render_list(request, qs, page, context={"can_add": request.user.has_perm("stats.add_target")})


@login_required
@require_http_methods(["GET", "POST"])
def target_form_view(request: HttpRequest) -> HttpResponse:
    _require(request, "stats.add_target")
    services.catalogue_ensure()
    choices = [(d.code, "%s（%s）" % (d.name, d.code)) for d in selectors.catalogue()]
    form = TargetForm(
        request.POST or None,
        indicators=choices,
        regions=_regions(request.user),
        initial={"region": active_region_code(request.user), "year": timezone.localdate().year},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.target_save(actor=request.user, **form.cleaned_data)
        except RowErrors as exc:
            apply_errors(form, exc.errors)
        except BusinessError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "年度目标已保存。")
            return redirect("stats:target_list")
    return render(
        request, "stats/form.html", {"form": form, "title": "设置年度目标", "back": reverse("stats:target_list")}
    )


# ---------------------------------------------------------------- additivity


@login_required
def additivity_view(request: HttpRequest) -> HttpResponse:
    """上下级核对: each additive indicator of a region against the sum of the regions below."""
    _require(request, VIEW)
    services.catalogue_ensure()
    region = selectors.region_for(user=request.user, code=request.GET.get("region"))
    period = selectors.period_or_404(request.GET.get("period") or timezone.localdate().year)
    rows = selectors.additivity_check(region=region, period=period)
    return render(
        request,
        "stats/additivity.html",
        {
            "region": region,
            "period": period,
            "rows": rows,
            "children": selectors.child_regions(region),
            "mismatches": sum(1 for r in rows if not r.matches),
            "region_options": region_choices(active_region_code(request.user), depth=1, floor=6),
        },
    )


# ---------------------------------------------------------------- tables


@login_required
def layout_list_view(request: HttpRequest) -> HttpResponse:
    _require(request, "stats.view_tablelayout")
    page = ListPage(
        title="统计表",
        columns=[
            Column("表名", lambda t: t.name, sort="name"),
            Column("所属区划", lambda t: t.region.name),
            Column("行数", lambda t: len(t.layout.get("rows", []))),
            Column("列数", lambda t: len(t.layout.get("columns", []))),
            Column("说明", lambda t: t.note),
        ],
        export_name="stats_layouts",
        actions_template="stats/layout_list_actions.html",
        row_url=lambda t: reverse("stats:layout_table", args=[t.pk]),
    )
    qs = selectors.layout_list(user=request.user).select_related("region")
    return render_list(request, qs, page, context={"can_add": request.user.has_perm("stats.add_tablelayout")})


@login_required
@require_http_methods(["GET", "POST"])
def layout_form_view(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    _require(request, "stats.add_tablelayout" if pk is None else "stats.change_tablelayout")
    obj = selectors.layout_get(user=request.user, pk=pk) if pk is not None else None
    initial = {
        "region": active_region_code(request.user),
        "layout": '{\n  "rows": [],\n  "columns": ["self", "children"]\n}',
    }
    if obj is not None:
        initial = {
            "name": obj.name,
            "region": obj.region_id,
            "layout": LayoutForm.layout_text(obj.layout),
            "note": obj.note,
        }
    form = LayoutForm(request.POST or None, regions=_regions(request.user), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.layout_save(actor=request.user, data=form.cleaned_data, layout=obj)
        except RowErrors as exc:
            apply_errors(form, exc.errors)
        except BusinessError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "统计表样已保存。")
            return redirect("stats:layout_table", pk=saved.pk)
    return render(request, "stats/form.html", {"form": form, "title": "统计表样", "back": reverse("stats:layout_list")})


@login_required
def layout_table_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A table layout filled for a region (default: the table's own) and period; ``?export=xlsx`` downloads it."""
    _require(request, "stats.view_tablelayout")
    layout = selectors.layout_get(user=request.user, pk=pk)
    region = selectors.region_for(user=request.user, code=request.GET.get("region") or layout.region_id)
    period = selectors.period_or_404(request.GET.get("period") or timezone.localdate().year)
    table = fill_table(layout=layout.layout, region=region, period=period)
    if request.GET.get("export") == "xlsx":
        content = table_workbook(table, title=layout.name)
        log_operation(
            actor=request.user,
            action=actions.TABLE_EXPORT,
            target=layout,
            extra={"region": region.code, "period": period.key},
        )
        log_operation(
            actor=request.user,
            action=core_actions.EXPORT,
            region=region.code,
            extra={"list": "stats_table", "layout": layout.pk},
        )
        response = HttpResponse(
            content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        name = quote("%s_%s_%s.xlsx" % (layout.name, region.name, period.key))
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{name}"
        return response
    return render(
        request,
        "stats/layout_table.html",
        {
            "layout": layout,
            "region": region,
            "period": period,
            "table": table,
            "can_edit": request.user.has_perm("stats.change_tablelayout"),
        },
    )


# ---------------------------------------------------------------- paragraph templates


@login_required
def template_list_view(request: HttpRequest) -> HttpResponse:
    _require(request, "stats.view_paragraphtemplate")
    page = ListPage(
        title="段落模板",
        columns=[
            Column("业务领域", lambda t: area_label(t.area), sort="area"),
            Column("排序", lambda t: t.order, sort="order"),
            Column("段落模板", lambda t: t.text),
            Column("适用区划", lambda t: t.region.name),
            Column("状态", lambda t: "启用" if t.is_active else "停用"),
        ],
        default_sort="area",
        export_name="stats_templates",
        actions_template="stats/template_list_actions.html",
        row_url=lambda t: reverse("stats:template_edit", args=[t.pk]),
    )
    return render_list(
        request,
        selectors.template_list(user=request.user),
        page,
        context={"can_add": request.user.has_perm("stats.add_paragraphtemplate")},
    )


@login_required
@require_http_methods(["GET", "POST"])
def template_form_view(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    _require(request, "stats.add_paragraphtemplate" if pk is None else "stats.change_paragraphtemplate")
    services.catalogue_ensure()
    obj = selectors.template_get(user=request.user, pk=pk) if pk is not None else None
    initial: dict[str, Any] = {"region": active_region_code(request.user), "is_active": True, "order": 100}
    if obj is not None:
        initial = {
            "region": obj.region_id,
            "area": obj.area,
            "order": obj.order,
            "text": obj.text,
            "is_active": obj.is_active,
        }
    form = TemplateForm(request.POST or None, regions=_regions(request.user), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.template_save(actor=request.user, data=form.cleaned_data, template=obj)
        except RowErrors as exc:
            apply_errors(form, exc.errors)
        except BusinessError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "段落模板已保存。")
            return redirect("stats:template_list")
    codes = [(d.code, d.name) for d in selectors.catalogue()]
    return render(
        request,
        "stats/form.html",
        {"form": form, "title": "段落模板", "codes": codes, "back": reverse("stats:template_list")},
    )


# ---------------------------------------------------------------- work reports


@login_required
def report_list_view(request: HttpRequest) -> HttpResponse:
    _require(request, "stats.view_workreport")
    page = ListPage(
        title="工作总结",
        columns=[
            Column("标题", lambda r: r.title.replace("\n", ""), sort="title"),
            Column("区划", lambda r: r.region.name, sort="region"),
            Column("统计期", lambda r: r.period, sort="period"),
            Column("状态", lambda r: r.get_status_display(), sort="status"),
            Column(
                "更新时间", lambda r: timezone.localtime(r.updated_at).strftime("%Y-%m-%d %H:%M"), sort="updated_at"
            ),
        ],
        export_name="stats_reports",
        actions_template="stats/report_list_actions.html",
        row_url=lambda r: reverse("stats:report_detail", args=[r.pk]),
    )
    return render_list(
        request,
        selectors.report_list(user=request.user),
        page,
        context={"can_add": request.user.has_perm("stats.add_workreport")},
    )


@login_required
@require_http_methods(["GET", "POST"])
def report_form_view(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """起草 / 修改工作总结: staff draft the text; figures stay live until 定稿."""
    report = None
    if pk is not None:
        _require(request, "stats.change_workreport")
        report = selectors.report_get(user=request.user, pk=pk)
        if not can_change_report(request.user, report):
            raise PermissionDenied
    else:
        _require(request, "stats.add_workreport")
    initial: dict[str, Any] = {"region": active_region_code(request.user), "period": str(timezone.localdate().year)}
    if report is not None:
        initial = {f: getattr(report, f) for f in ReportForm.base_fields}
    form = ReportForm(request.POST or None, regions=_regions(request.user), initial=initial, editing=report is not None)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.report_save(actor=request.user, data=form.cleaned_data, report=report)
        except RowErrors as exc:
            apply_errors(form, exc.errors)
        except BusinessError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "工作总结已保存。")
            return redirect("stats:report_detail", pk=saved.pk)
    title = "修改工作总结" if report else "起草工作总结"
    return render(request, "stats/form.html", {"form": form, "title": title, "back": reverse("stats:report_list")})


@login_required
def report_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The report as it will be typeset (live figures, or the frozen ones), its figures with their records,
    and the actions: 修改, 定稿 / 撤销定稿, 生成公文 and the download."""
    _require(request, "stats.view_workreport")
    services.catalogue_ensure()
    report = selectors.report_get(user=request.user, pk=pk)
    payload, entries = services.report_content_for(report)
    for entry in entries:
        entry["url"] = records_url(entry["indicator"], report.region_id, report.period)
    document = report.document
    return render(
        request,
        "stats/report_detail.html",
        {
            "report": report,
            "payload": payload,
            "figures": entries,
            "document": document,
            "can_edit": can_change_report(request.user, report),
            "can_freeze": can_freeze_report(request.user, report),
            "actions": REPORT_WORKFLOW.available(report.status),
            "transitions": report.transitions.select_related("actor").all(),
        },
    )


@login_required
@require_POST
def report_transition_view(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    _require(request, "stats.freeze_workreport")
    report = selectors.report_get(user=request.user, pk=pk)
    try:
        if action == "freeze":
            services.report_freeze(actor=request.user, report=report)
            messages.success(request, "已定稿，数据已固定。")
        elif action == "reopen":
            services.report_reopen(actor=request.user, report=report, reason=request.POST.get("reason", ""))
            messages.success(request, "已撤销定稿。")
        else:
            raise Http404("未知操作。")
    except BusinessError as exc:
        messages.error(request, exc.message)
    return redirect("stats:report_detail", pk=report.pk)


@login_required
@require_POST
def report_generate_view(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, "stats.view_workreport")
    _require(request, "stats.change_workreport")
    report = selectors.report_get(user=request.user, pk=pk)
    try:
        document = services.report_generate(actor=request.user, report=report)
    except BusinessError as exc:
        messages.error(request, exc.message)
    else:
        if document.status == "generated":
            messages.success(request, "公文已生成，可以下载。")
        else:
            messages.error(request, "公文生成失败：%s" % document.error)
    return redirect("stats:report_detail", pk=report.pk)


@login_required
def report_figures_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The FIGURES list of a report as JSON (the same as the command line's ``--figures``)."""
    _require(request, "stats.view_workreport")
    report = selectors.report_get(user=request.user, pk=pk)
    _payload, entries = services.report_content_for(report)
    response = JsonResponse(entries, safe=False, json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = "attachment; filename=figures-%d.json" % report.pk
    return response

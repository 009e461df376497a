"""Pages of the target-responsibility assessment: schemes, 目标任务书, self-assessment, scoring, results."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from kejiju.assessment import services
from kejiju.assessment.choices import SCHEME_FLOW, TARGET_FLOW, AssesseeKind, SchemeStatus, TargetStatus
from kejiju.assessment.models import AssessmentAppeal, AssessmentScheme, AssessmentTarget
from kejiju.assessment.permissions import (
    can_manage_assessment,
    can_score_target,
    can_self_assess,
)
from kejiju.assessment.selectors import scheme_get, scheme_list, scheme_targets, target_get
from kejiju.core.errors import BusinessError, RowErrors
from kejiju.core.excel import write_workbook
from kejiju.core.listing import Column, ListPage, render_list
from kejiju.core.models import User
from kejiju.core.permissions import prefix_q
from kejiju.engines import assessment as engine

DEFAULT_TEMPLATE: dict[str, Any] = {
    "items": [
        {
            "code": "A1",
            "name": "党政领导重视科技工作，机构健全、人员到位",
            "kind": "qualitative",
            "weight": 20,
            "rubric": [
                {"label": "好", "low": 16, "high": 20},
                {"label": "较好", "low": 12, "high": 15.99},
                {"label": "一般", "low": 0, "high": 11.99},
            ],
        },
        {"code": "A2", "name": "科技投入逐年增长", "kind": "qualitative", "weight": 15},
        {
            "code": "B1",
            "name": "组织农民科技培训",
            "kind": "quantitative",
            "weight": 25,
            "unit": "人次",
            "evidence_required": True,
        },
        {"code": "B2", "name": "推广新品种新技术", "kind": "quantitative", "weight": 20, "unit": "项", "cap": "1.2"},
        {"code": "B3", "name": "科技示范户", "kind": "quantitative", "weight": 20, "unit": "户"},
        {"code": "C1", "name": "获县级以上科技奖励", "kind": "bonus", "per_unit": 2, "max_points": 5},
        {"code": "D1", "name": "科技统计报表迟报、漏报", "kind": "deduction", "per_unit": 2, "max_points": 6},
        {"code": "E1", "name": "发生重大科研诚信问题", "kind": "veto"},
    ],
    "bands": [["优秀", 90], ["良好", 80], ["合格", 60], ["不合格", 0]],
}


def _history(rows: Any, flow: Any) -> list[dict[str, Any]]:
    """Transition rows with Chinese labels for the 办理记录 list."""
    out = []
    for row in rows:
        action = flow.actions.get(row.action)
        out.append(
            {
                "at": row.at,
                "actor_name": (row.actor.full_name or row.actor.username) if row.actor else "系统",
                "label": "%s（%s → %s）"
                % (
                    action.label if action else row.action,
                    flow.labels.get(row.from_status, row.from_status),
                    flow.labels.get(row.to_status, row.to_status),
                ),
                "reason": row.reason,
            }
        )
    return out


def _require(ok: bool) -> None:
    if not ok:
        raise PermissionDenied


def _errors(exc: BusinessError) -> list[str]:
    if isinstance(exc, RowErrors):
        return [m for messages_ in exc.errors.values() for m in messages_]
    return [exc.message]


COLUMNS = [
    Column("方案名称", lambda s: s.name, sort="name", link=True),
    Column("年度", lambda s: s.year, sort="year"),
    Column("区划", lambda s: s.region.name, sort="region_id"),
    Column("考核对象", lambda s: s.get_assessee_kind_display()),
    Column(
        "自评截止",
        lambda s: timezone.localtime(s.self_assessment_due).strftime("%Y-%m-%d %H:%M"),
        sort="self_assessment_due",
    ),
    Column("状态", lambda s: s.get_status_display(), sort="status"),
]


@login_required
def scheme_list_view(request: HttpRequest) -> HttpResponse:
    _require(request.user.has_perm("assessment.view_assessmentscheme"))
    qs = scheme_list(user=request.user, filters=request.GET.dict())
    page = ListPage(
        "考核方案",
        COLUMNS,
        default_sort="-year",
        export_name="assessment_schemes",
        row_url=lambda s: reverse("assessment:scheme_detail", args=[s.pk]),
        filters_template="assessment/scheme_list_filters.html",
        extra={"statuses": SchemeStatus.choices},
    )
    return render_list(request, qs, page)


def _assessor_choices(user: Any) -> QuerySet[User]:
    code = getattr(user, "active_region_code", None) or getattr(user, "region_id", None) or ""
    qs = User.objects.filter(is_active=True).filter(
        groups__permissions__codename="score_assessment"
    ) | User.objects.filter(is_active=True, user_permissions__codename="score_assessment")
    if code:
        qs = qs.filter(prefix_q("region", code))
    return qs.distinct().order_by("region_id", "username")


def _scheme_form(request: HttpRequest, scheme: AssessmentScheme | None) -> HttpResponse:
    errors: list[str] = []
    choices = _assessor_choices(request.user)
    if request.method == "POST":
        data = request.POST
        try:
            template = json.loads(data.get("template") or "{}")
        except json.JSONDecodeError as exc:
            template = None
            errors.append(f"考核细则不是有效的 JSON：第 {exc.lineno} 行第 {exc.colno} 列附近有误。")
        due: datetime | None = None
        try:
            due = timezone.make_aware(datetime.fromisoformat(data.get("self_assessment_due", "")))
        except ValueError:
            errors.append("自评截止时间格式不正确（例如 2026-12-20 17:00）。")
        year = int(data["year"]) if str(data.get("year", "")).isdigit() else 0
        if not errors and template is not None and due is not None:
            ids = [int(v) for v in data.getlist("assessors") if v.isdigit()]
            try:
                saved = services.scheme_save(
                    actor=request.user,
                    scheme=scheme,
                    name=data.get("name", ""),
                    year=year,
                    template=template,
                    self_assessment_due=due,
                    assessee_kind=data.get("assessee_kind", AssesseeKind.TOWN),
                    notes=data.get("notes", ""),
                    assessors=list(choices.filter(pk__in=ids)),
                )
            except BusinessError as exc:
                errors.extend(_errors(exc))
            else:
                messages.success(request, "考核方案已保存。")
                return HttpResponseRedirect(reverse("assessment:scheme_detail", args=[saved.pk]))
        values: dict[str, Any] = {
            "name": data.get("name", ""),
            "year": data.get("year", ""),
            "assessee_kind": data.get("assessee_kind", ""),
            "due": data.get("self_assessment_due", ""),
            "template": data.get("template", ""),
            "notes": data.get("notes", ""),
            "assessors": [int(v) for v in data.getlist("assessors") if v.isdigit()],
        }
    elif scheme is not None:
        values = {
            "name": scheme.name,
            "year": scheme.year,
            "assessee_kind": scheme.assessee_kind,
            "due": timezone.localtime(scheme.self_assessment_due).strftime("%Y-%m-%dT%H:%M"),
            "template": json.dumps(scheme.template, ensure_ascii=False, indent=2),
            "notes": scheme.notes,
            "assessors": list(scheme.assessors.values_list("pk", flat=True)),
        }
    else:
        year = timezone.localdate().year
        values = {
            "name": f"{year}年度乡镇科技进步目标责任制考核",
            "year": year,
            "assessee_kind": AssesseeKind.TOWN,
            "due": f"{year}-12-20T17:00",
            "template": json.dumps(DEFAULT_TEMPLATE, ensure_ascii=False, indent=2),
            "notes": "",
            "assessors": [],
        }
    return render(
        request,
        "assessment/scheme_form.html",
        {
            "scheme": scheme,
            "values": values,
            "errors": errors,
            "assessor_choices": choices,
            "kinds": AssesseeKind.choices,
            "item_kinds": engine.KIND_LABELS,
        },
        status=400 if errors else 200,
    )


@login_required
def scheme_create_view(request: HttpRequest) -> HttpResponse:
    _require(request.user.has_perm("assessment.add_assessmentscheme"))
    return _scheme_form(request, None)


@login_required
def scheme_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    scheme = scheme_get(user=request.user, pk=pk)
    _require(can_manage_assessment(request.user, scheme) and scheme.status == SchemeStatus.DRAFT)
    return _scheme_form(request, scheme)


@login_required
def scheme_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    from kejiju.reports.selectors import documents_for_source

    _require(request.user.has_perm("assessment.view_assessmentscheme"))
    scheme = scheme_get(user=request.user, pk=pk)
    targets = list(scheme_targets(user=request.user, scheme=scheme))
    template = engine.parse_template(scheme.template)
    manage = can_manage_assessment(request.user, scheme)
    if request.GET.get("export") == "xlsx" and scheme.status in (SchemeStatus.SCORING, SchemeStatus.PUBLISHED):
        return _results_workbook(request, scheme, targets, template)
    return render(
        request,
        "assessment/scheme_detail.html",
        {
            "scheme": scheme,
            "targets": targets,
            "template": template,
            "template_rows": [(item, engine.KIND_LABELS[item.kind]) for item in template.items],
            "can_manage": manage,
            "actions": SCHEME_FLOW.available(scheme.status) if manage else [],
            "quantitative": [i for i in template.items if i.kind in ("quantitative",)],
            "transitions": _history(scheme.transitions.select_related("actor"), SCHEME_FLOW),
            "assessors": scheme.assessors.all(),
            "show_results": scheme.status in (SchemeStatus.SCORING, SchemeStatus.PUBLISHED),
            "documents": documents_for_source(source="assessment.scheme:%s" % scheme.pk),
        },
    )


def _results_workbook(
    request: HttpRequest, scheme: AssessmentScheme, targets: list[AssessmentTarget], template: engine.Template
) -> HttpResponse:
    from urllib.parse import quote

    from kejiju.core import actions as core_actions
    from kejiju.core.audit import log_operation

    headers = ["排名", "被考核单位", *[f"{i.code} {i.name}" for i in template.items], "调整分", "总分", "等次"]
    rows = []
    for target in targets:
        scores = {i["code"]: i["score"] for i in target.result.get("items", [])}
        rows.append(
            [
                target.rank,
                target.assessee_name,
                *[scores.get(i.code, "") for i in template.items],
                str(target.adjustment),
                str(target.total or ""),
                target.grade,
            ]
        )
    content = write_workbook(scheme.name, headers, rows)
    log_operation(actor=request.user, action=core_actions.EXPORT, target=scheme, extra={"list": "assessment_results"})
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = "attachment; filename*=UTF-8''%s" % quote(f"{scheme.name}_考核结果.xlsx")
    return response


@login_required
@require_POST
def scheme_action_view(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    scheme = scheme_get(user=request.user, pk=pk)
    _require(can_manage_assessment(request.user, scheme))
    try:
        if action == "issue":
            template = engine.parse_template(scheme.template)
            defaults = {
                i.code: request.POST.get(f"target_{i.code}", "")
                for i in template.items
                if i.kind == "quantitative" and request.POST.get(f"target_{i.code}", "") != ""
            }
            services.scheme_issue(
                actor=request.user,
                scheme=scheme,
                default_targets=defaults,
                issue_documents=request.POST.get("documents") == "1",
            )
            messages.success(request, "目标任务已下达。")
        elif action == "start_scoring":
            services.scheme_start_scoring(actor=request.user, scheme=scheme)
            messages.success(request, "已进入考核评分阶段。")
        elif action == "compute":
            services.scheme_compute(actor=request.user, scheme=scheme)
            messages.success(request, "得分、排名和等次已重新计算。")
        elif action == "publish":
            services.scheme_publish(actor=request.user, scheme=scheme)
            messages.success(request, "考核结果已公布。")
        elif action == "honours":
            document = services.honour_list_issue(actor=request.user, scheme=scheme)
            messages.success(request, "已生成先进单位名单：%s。" % document.title)
        else:
            raise BusinessError("未知的操作。", code="unknown_action")
    except BusinessError as exc:
        for message in _errors(exc):
            messages.error(request, message)
    return HttpResponseRedirect(reverse("assessment:scheme_detail", args=[scheme.pk]))


@login_required
def target_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request.user.has_perm("assessment.view_assessmentscheme"))
    target = target_get(user=request.user, pk=pk)
    scheme = target.scheme
    template = engine.parse_template(scheme.template)
    evidence = services.evidence_for(target)
    rows = []
    result_items = {i["code"]: i for i in target.result.get("items", [])}
    for item in template.items:
        rows.append(
            {
                "item": item,
                "target": target.targets.get(item.code, ""),
                "self": target.self_values.get(item.code, {}),
                "evidence": evidence.get(item.code, []),
                "result": result_items.get(item.code),
            }
        )
    user = request.user
    editable = (
        can_self_assess(user, target)
        and scheme.status == SchemeStatus.ISSUED
        and target.status == TargetStatus.ISSUED
        and timezone.now() <= scheme.self_assessment_due
    )
    my_score = target.scores.filter(assessor=user).first() if user.is_authenticated else None
    return render(
        request,
        "assessment/target_detail.html",
        {
            "target": target,
            "scheme": scheme,
            "rows": rows,
            "editable": editable,
            "can_manage": can_manage_assessment(user, scheme),
            "can_score": can_score_target(user, target) and scheme.status == SchemeStatus.SCORING and my_score is None,
            "my_score": my_score,
            "scores": target.scores.select_related("assessor") if can_manage_assessment(user, scheme) else [],
            "appeals": target.appeals.select_related("filed_by", "decided_by"),
            "can_appeal": can_self_assess(user, target) and target.status == TargetStatus.PUBLISHED,
            "transitions": _history(target.transitions.select_related("actor"), TARGET_FLOW),
            "scheme_top": template.bands[0][0],
            "midyear_open": services.midyear_open(target),
            "can_self_assess": can_self_assess(user, target),
            "scored_kinds": ("qualitative",),
        },
    )


def _back(target: AssessmentTarget) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("assessment:target_detail", args=[target.pk]))


@login_required
@require_POST
def target_self_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Save (and with ``submit=1`` submit) the self-assessment form."""
    target = target_get(user=request.user, pk=pk)
    template = engine.parse_template(target.scheme.template)
    values: dict[str, dict[str, Any]] = {}
    for item in template.items:
        key = f"item_{item.code}"
        entry: dict[str, Any] = {"note": request.POST.get(f"{key}_note", "")}
        if item.kind in ("quantitative", "bonus") and item.per_unit is not None or item.kind == "quantitative":
            entry["actual"] = request.POST.get(f"{key}_actual", "")
        elif item.kind == "deduction":
            entry["count"] = request.POST.get(f"{key}_count", "") or 0
        elif item.kind == "veto":
            entry["triggered"] = request.POST.get(f"{key}_triggered") == "1"
        values[item.code] = entry
    try:
        target = services.self_assessment_save(actor=request.user, target=target, values=values)
        upload = request.FILES.get("evidence")
        if upload is not None:
            services.evidence_add(
                actor=request.user,
                target=target,
                item_code=request.POST.get("evidence_item", ""),
                fileobj=upload,  # type: ignore[arg-type]
                name=upload.name or "佐证材料",
            )
        if request.POST.get("submit") == "1":
            services.self_assessment_submit(actor=request.user, target=target)
            messages.success(request, "自评已提交。")
        else:
            messages.success(request, "自评已保存。")
    except BusinessError as exc:
        for message in _errors(exc):
            messages.error(request, message)
    return _back(target)


@login_required
@require_POST
def target_reopen_view(request: HttpRequest, pk: int) -> HttpResponse:
    target = target_get(user=request.user, pk=pk)
    try:
        services.self_assessment_reopen(actor=request.user, target=target, reason=request.POST.get("reason", ""))
        messages.success(request, "自评已退回修改。")
    except BusinessError as exc:
        for message in _errors(exc):
            messages.error(request, message)
    return _back(target)


@login_required
@require_POST
def target_score_view(request: HttpRequest, pk: int) -> HttpResponse:
    target = target_get(user=request.user, pk=pk)
    scores = {k[6:]: v for k, v in request.POST.items() if k.startswith("score_")}
    try:
        services.assessor_score_submit(
            actor=request.user, target=target, scores=scores, comments=request.POST.get("comments", "")
        )
        messages.success(request, "评分已提交。")
    except BusinessError as exc:
        for message in _errors(exc):
            messages.error(request, message)
    return _back(target)


@login_required
@require_POST
def target_appeal_view(request: HttpRequest, pk: int) -> HttpResponse:
    target = target_get(user=request.user, pk=pk)
    try:
        services.appeal_file(actor=request.user, target=target, reason=request.POST.get("reason", ""))
        messages.success(request, "申诉已提交。")
    except BusinessError as exc:
        for message in _errors(exc):
            messages.error(request, message)
    return _back(target)


@login_required
@require_POST
def appeal_decide_view(request: HttpRequest, pk: int) -> HttpResponse:
    appeal = get_object_or_404(AssessmentAppeal, pk=pk)
    target = target_get(user=request.user, pk=appeal.target_id)
    try:
        services.appeal_decide(
            actor=request.user,
            appeal=appeal,
            accept=request.POST.get("accept") == "1",
            decision=request.POST.get("decision", ""),
            adjustment=request.POST.get("adjustment", "") or Decimal(0),
        )
        messages.success(request, "申诉已处理。")
    except BusinessError as exc:
        for message in _errors(exc):
            messages.error(request, message)
    return _back(target)


# ----------------------------------------------------------------- 科技进步考核申报材料 (upward dossier)

DOSSIER_COLUMNS = [
    Column("名称", lambda d: d.name, sort="name", link=True),
    Column("年度", lambda d: d.year, sort="year"),
    Column("区划", lambda d: d.region.name, sort="region_id"),
    Column("指标数", lambda d: len(d.indicators)),
    Column("更新时间", lambda d: timezone.localtime(d.updated_at).strftime("%Y-%m-%d %H:%M"), sort="updated_at"),
]


@login_required
def dossier_list_view(request: HttpRequest) -> HttpResponse:
    _require(request.user.has_perm("assessment.view_assessmentscheme"))
    from kejiju.assessment.selectors import dossier_list

    page = ListPage(
        "科技进步考核材料",
        DOSSIER_COLUMNS,
        default_sort="-year",
        export_name="assessment_dossiers",
        row_url=lambda d: reverse("assessment:dossier_detail", args=[d.pk]),
        actions_template="assessment/dossier_list_actions.html",
    )
    return render_list(request, dossier_list(user=request.user, filters=request.GET.dict()), page)


def _dossier_form(request: HttpRequest, dossier: Any) -> HttpResponse:
    from kejiju.assessment import dossier as dossier_services

    errors: list[str] = []
    if request.method == "POST":
        data = request.POST
        try:
            indicators = json.loads(data.get("indicators") or "[]")
        except json.JSONDecodeError as exc:
            indicators = None
            errors.append(f"指标体系不是有效的 JSON：第 {exc.lineno} 行第 {exc.colno} 列附近有误。")
        if indicators is not None:
            try:
                saved = dossier_services.dossier_save(
                    actor=request.user,
                    dossier=dossier,
                    name=data.get("name", ""),
                    year=int(data["year"]) if str(data.get("year", "")).isdigit() else 0,
                    indicators=indicators,
                )
            except BusinessError as exc:
                errors.extend(_errors(exc))
            else:
                messages.success(request, "考核材料已保存。")
                return HttpResponseRedirect(reverse("assessment:dossier_detail", args=[saved.pk]))
        values: dict[str, Any] = {
            "name": data.get("name", ""),
            "year": data.get("year", ""),
            "indicators": data.get("indicators", ""),
        }
    elif dossier is not None:
        values = {
            "name": dossier.name,
            "year": dossier.year,
            "indicators": json.dumps(dossier.indicators, ensure_ascii=False, indent=2),
        }
    else:
        year = timezone.localdate().year
        values = {
            "name": f"{year}年度全国科技进步考核申报材料",
            "year": year,
            "indicators": json.dumps(dossier_services.DEFAULT_INDICATORS, ensure_ascii=False, indent=2),
        }
    from kejiju.core.indicators import registered_indicators

    return render(
        request,
        "assessment/dossier_form.html",
        {"dossier": dossier, "values": values, "errors": errors, "registered": registered_indicators()},
        status=400 if errors else 200,
    )


@login_required
def dossier_create_view(request: HttpRequest) -> HttpResponse:
    _require(request.user.has_perm("assessment.change_assessmentscheme"))
    return _dossier_form(request, None)


@login_required
def dossier_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    from kejiju.assessment.selectors import dossier_get

    dossier = dossier_get(user=request.user, pk=pk)
    _require(can_manage_assessment(request.user, dossier))
    return _dossier_form(request, dossier)


@login_required
def dossier_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request.user.has_perm("assessment.view_assessmentscheme"))
    from kejiju.assessment import dossier as dossier_services
    from kejiju.assessment.selectors import dossier_get

    dossier = dossier_get(user=request.user, pk=pk)
    if request.GET.get("export") == "zip":
        from urllib.parse import quote

        content = dossier_services.dossier_export(actor=request.user, dossier=dossier)
        response = HttpResponse(content, content_type="application/zip")
        response["Content-Disposition"] = "attachment; filename*=UTF-8''%s" % quote(f"{dossier.name}.zip")
        return response
    rows = dossier_services.dossier_rows(dossier)
    quantitative = [r for r in rows if r.kind == "定量"]
    return render(
        request,
        "assessment/dossier_detail.html",
        {
            "dossier": dossier,
            "rows": rows,
            "can_manage": can_manage_assessment(request.user, dossier),
            "counts": {
                "qualitative": len(rows) - len(quantitative),
                "quantitative": len(quantitative),
                "met": sum(1 for r in rows if r.met),
                "unmet": sum(1 for r in rows if r.met is False),
                "missing": sum(1 for r in rows if r.met is None),
            },
        },
    )


@login_required
@require_POST
def dossier_action_view(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    from kejiju.assessment import dossier as dossier_services
    from kejiju.assessment.selectors import dossier_get

    dossier = dossier_get(user=request.user, pk=pk)
    _require(can_manage_assessment(request.user, dossier))
    try:
        if action == "fill":
            filled = dossier_services.dossier_fill(actor=request.user, dossier=dossier)
            messages.success(request, "已从平台记录取数 %d 项。" % len(filled))
        elif action == "enter":
            code = request.POST.get("code", "")
            upload = request.FILES.get("evidence")
            if upload is not None:
                dossier_services.dossier_evidence_add(
                    actor=request.user,
                    dossier=dossier,
                    code=code,
                    fileobj=upload,  # type: ignore[arg-type]
                    name=upload.name or "佐证材料",
                )
            if request.POST.get("value", "") != "" or request.POST.get("note", ""):
                dossier_services.dossier_enter(
                    actor=request.user,
                    dossier=dossier,
                    code=code,
                    value=request.POST.get("value", ""),
                    note=request.POST.get("note", ""),
                )
            messages.success(request, "已保存指标 %s。" % code)
        else:
            raise BusinessError("未知的操作。", code="unknown_action")
    except BusinessError as exc:
        for message in _errors(exc):
            messages.error(request, message)
    return HttpResponseRedirect(reverse("assessment:dossier_detail", args=[dossier.pk]))


# ----------------------------------------------------------------- 年中进度 (mid-year progress)


def _midyear_form_values(request: HttpRequest, items: list[engine.Item]) -> dict[str, dict[str, Any]]:
    """The posted mid-year form: items left entirely blank are not reported."""
    values: dict[str, dict[str, Any]] = {}
    for item in items:
        note = request.POST.get(f"mid_{item.code}_note", "").strip()
        if item.kind == "quantitative":
            value = request.POST.get(f"mid_{item.code}_value", "").strip()
            if value or note:
                values[item.code] = {"value": value, "note": note}
        elif note:
            values[item.code] = {"note": note}
    return values


@login_required
def target_midyear_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The assessee's mid-year progress form (年中进度) on its 目标任务书; read-only once closed."""
    from kejiju.assessment.models import MidyearProgress

    _require(request.user.has_perm("assessment.view_assessmentscheme"))
    target = target_get(user=request.user, pk=pk)
    scheme = target.scheme
    template = engine.parse_template(scheme.template)
    items = services.midyear_items(template)
    progress = MidyearProgress.objects.filter(target=target).first()
    editable = can_self_assess(request.user, target) and services.midyear_open(target)
    errors: dict[str, list[str]] = {}
    posted: dict[str, dict[str, Any]] | None = None
    if request.method == "POST":
        _require(can_self_assess(request.user, target))
        posted = _midyear_form_values(request, items)
        upload = request.FILES.get("evidence")
        files = (
            [(request.POST.get("evidence_item", ""), upload, upload.name or "佐证材料")] if upload is not None else []
        )
        try:
            services.midyear_report(
                actor=request.user,
                target=target,
                values=posted,
                evidence=files,  # type: ignore[arg-type]
            )
        except RowErrors as exc:
            errors = exc.errors
        except BusinessError as exc:
            errors = {exc.field or "": [exc.message]}
        else:
            messages.success(request, "年中进度已报送。")
            return HttpResponseRedirect(reverse("assessment:target_midyear", args=[target.pk]))
    current = progress.values if progress else {}
    evidence = services.midyear_evidence_for(progress)
    rows = []
    for item in items:
        entry = (posted if posted is not None else current).get(item.code, {})
        target_value = target.targets.get(item.code, "")
        rows.append(
            {
                "item": item,
                "target": target_value,
                "value": entry.get("value", ""),
                "note": entry.get("note", ""),
                "evidence": evidence.get(item.code, []),
                "errors": errors.get(item.code, []),
            }
        )
    history = []
    if progress is not None:
        for record in progress.history.select_related("history_user").order_by("-history_date")[:20]:
            history.append(
                {
                    "at": record.history_date,
                    "actor_name": (record.history_user.full_name or record.history_user.username)
                    if record.history_user
                    else "系统",
                    "values": record.values,
                }
            )
    return render(
        request,
        "assessment/target_midyear.html",
        {
            "target": target,
            "scheme": scheme,
            "rows": rows,
            "progress": progress,
            "editable": editable,
            "errors": [m for key, ms in errors.items() if key not in {i.code for i in items} for m in ms],
            "has_errors": bool(errors),
            "history": history,
            "can_manage": can_manage_assessment(request.user, scheme),
        },
        status=400 if errors else 200,
    )


MIDYEAR_HEADERS = [
    "被考核单位",
    "指标代码",
    "指标",
    "类型",
    "目标值",
    "累计完成",
    "单位",
    "完成比例（%）",
    "状态",
    "进展情况",
    "报送时间",
]


@login_required
def scheme_midyear_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The staff's mid-year progress table of a scheme (filters, sorting, Excel), and the threshold form."""
    from kejiju.assessment.choices import MidyearStatus
    from kejiju.assessment.selectors import MIDYEAR_SORTS, midyear_progress

    _require(request.user.has_perm("assessment.view_assessmentscheme"))
    scheme = scheme_get(user=request.user, pk=pk)
    _require(can_manage_assessment(request.user, scheme))
    if request.method == "POST":
        try:
            services.midyear_threshold_set(
                actor=request.user, scheme=scheme, threshold=request.POST.get("midyear_threshold", "")
            )
            messages.success(request, "年中滞后阈值已保存。")
        except BusinessError as exc:
            for message in _errors(exc):
                messages.error(request, message)
        return HttpResponseRedirect(reverse("assessment:scheme_midyear", args=[scheme.pk]))
    filters = {k: request.GET.get(k, "") for k in ("q", "item", "status", "sort")}
    table = midyear_progress(user=request.user, scheme=scheme, filters=filters)
    if request.GET.get("export") == "xlsx":
        return _midyear_workbook(request, scheme, table)
    template = engine.parse_template(scheme.template)
    query = {k: v for k, v in filters.items() if v and k != "sort"}
    return render(
        request,
        "assessment/scheme_midyear.html",
        {
            "scheme": scheme,
            "table": table,
            "filters": filters,
            "items": services.midyear_items(template),
            "statuses": MidyearStatus.choices,
            "sorts": MIDYEAR_SORTS,
            "query": query,
            "threshold_editable": scheme.status != SchemeStatus.PUBLISHED,
            "open": scheme.status == SchemeStatus.ISSUED,
        },
    )


def _midyear_workbook(request: HttpRequest, scheme: AssessmentScheme, table: Any) -> HttpResponse:
    from urllib.parse import quote

    from kejiju.core import actions as core_actions
    from kejiju.core.audit import log_operation

    rows = [
        [
            row.target.assessee_name,
            row.code,
            row.name,
            engine.KIND_LABELS[row.kind],
            row.target_value,
            row.value,
            row.unit,
            row.shown_percent,
            row.status_display,
            row.note,
            timezone.localtime(row.reported_at) if row.reported_at else None,
        ]
        for row in table.rows
    ]
    content = write_workbook("年中进度", MIDYEAR_HEADERS, rows)
    log_operation(
        actor=request.user,
        action=core_actions.EXPORT,
        target=scheme,
        extra={"list": "assessment_midyear", "rows": len(rows)},
    )
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = "attachment; filename*=UTF-8''%s" % quote(f"{scheme.name}_年中进度.xlsx")
    return response

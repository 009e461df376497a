"""Pages of enterprise cultivation: batch evaluation tools, self-assessment, the pipeline (培育库), R&D
reserve filings, subsidy policies, awards, the payment ledger and the public publicity list.

Views parse input, check the permission (403 without it; records outside the region answer 404 through
the selectors) and call the services, which check again.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from kejiju.core.errors import BusinessError, RowErrors
from kejiju.core.excel import SheetError, read_table, write_workbook
from kejiju.core.listing import Column, ListPage, render_list
from kejiju.cultivation import fields, selectors, services
from kejiju.cultivation.choices import AwardStatus, FilingStatus, FormulaKind, Stage
from kejiju.cultivation.permissions import (
    can_add_pipeline,
    can_approve_award,
    can_change_pipeline,
    can_manage_policy,
    can_pay_award,
    can_review_filing,
    can_run_batch,
)
from kejiju.cultivation.workflows import AWARD, FILING, PIPELINE
from kejiju.engines.subsidy import input_fields
from kejiju.orgs import selectors as org_selectors

MAX_UPLOAD = 5 * 1024 * 1024
MAX_ROWS = 5000


def _require(request: HttpRequest, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied


def _parse_date(value: str) -> date | None:
    try:
        return date.fromisoformat((value or "").strip())
    except ValueError:
        return None


def _filters(request: HttpRequest, keys: tuple[str, ...]) -> dict[str, str]:
    return {k: request.GET.get(k, "")[:64] for k in keys}


def _years() -> list[int]:
    this = timezone.localdate().year
    return list(range(this, this - 8, -1))


def _org_visible(user: Any, pk: Any) -> Any:
    return org_selectors.organization_get(user=user, pk=pk)


# ------------------------------------------------------------------ batch tools


@login_required
@require_http_methods(["GET", "POST"])
def batch_view(request: HttpRequest) -> HttpResponse:
    """批量测算: upload an Excel/CSV list, download the results with reasons. Rows with bad cells are listed
    by row and field and no file is produced; nothing is stored (the run itself is logged)."""
    if not can_run_batch(request.user):
        raise PermissionDenied
    kind = request.POST.get("kind") or request.GET.get("kind") or "tech-sme"
    if kind not in fields.ENGINE_FIELDS:
        kind = "tech-sme"
    context: dict[str, Any] = {"kind": kind, "engines": fields.ENGINE_NAMES.items(), "errors": [], "file_error": ""}
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            context["file_error"] = "请选择要测算的 Excel 或 CSV 文件。"
        elif upload.size is not None and upload.size > MAX_UPLOAD:
            context["file_error"] = "文件超过 5 MB，请分批测算。"
        else:
            try:
                headers, rows = read_table(upload.read(), upload.name or "")
            except SheetError as exc:
                context["file_error"] = str(exc)
            else:
                response = _batch_run(request, kind, headers, rows, context)
                if response is not None:
                    return response
    return render(request, "cultivation/batch.html", context)


def _batch_run(
    request: HttpRequest, kind: str, headers: list[str], rows: list[dict[str, str]], context: dict[str, Any]
) -> HttpResponse | None:
    mapping = {h: fields.header_key(h, kind) for h in headers if h}
    unknown = [h for h, k in mapping.items() if k is None]
    needed = {k for k, _ in fields.columns(kind)} - {"id"}
    missing = sorted(needed - {k for k in mapping.values() if k})
    if unknown or missing:
        if unknown:
            context["file_error"] = "无法识别的列：%s。请使用下载的模板。" % "、".join(unknown)
        else:
            context["file_error"] = "缺少列：%s。请使用下载的模板。" % "、".join(
                fields.label_of(kind, k) + "（%s）" % k for k in missing
            )
        return None
    if len(rows) > MAX_ROWS:
        context["file_error"] = "一次最多测算 %d 行，本文件有 %d 行。" % (MAX_ROWS, len(rows))
        return None
    if not rows:
        context["file_error"] = "文件中没有数据行。"
        return None
    results = []
    errors: list[str] = []
    seen: set[str] = set()
    for n, row in enumerate(rows, start=2):
        values: dict[str, Any] = {str(mapping[h]): v for h, v in row.items() if mapping.get(h)}
        record_id = (values.pop("id", "") or "").strip() or "第%d行" % n
        if record_id in seen:
            errors.append("第 %d 行（%s）：编号与前面的行重复。" % (n, record_id))
        seen.add(record_id)
        result, missing_items, problems = fields.evaluate_row(kind, values, record_id)
        for key, message in problems.items():
            errors.append("第 %d 行（%s）字段“%s（%s）”：%s" % (n, record_id, fields.label_of(kind, key), key, message))
        if result is not None:
            results.append((n, result, missing_items))
    services.log_batch_evaluation(actor=request.user, engine=kind, rows=len(rows), errors=len(errors))
    if errors:
        context["errors"] = errors[:200]
        context["error_count"] = len(errors)
        return None
    content = _batch_workbook(kind, results)
    stamp = timezone.localtime().strftime("%Y%m%d%H%M")
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    filename = quote("%s结果_%s.xlsx" % (fields.ENGINE_NAMES[kind], stamp))
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{filename}"
    return response


def _yes(value: Any) -> str:
    return {True: "是", False: "否", None: "待专家评分"}.get(value, str(value))


def _batch_workbook(kind: str, results: list[tuple[int, dict[str, Any], list[dict[str, str]]]]) -> bytes:
    if kind == "tech-sme":
        headers = [
            "行号",
            "编号",
            "符合条件",
            "评价通过",
            "通过方式",
            "科技人员得分",
            "研发投入得分",
            "研发投入口径",
            "科技成果得分",
            "总分",
            "现场核查触发",
            "规则版本",
            "评价理由",
            "差距",
        ]
        rows = [
            [
                n,
                r["id"],
                _yes(r["eligible"]),
                _yes(r["passed"]),
                {"score": "评分", "direct": "直接认定"}.get(r["route"] or "", "—"),
                r["scores"]["staff"],
                r["scores"]["rd"],
                "销售收入" if r["scores"]["rd_option"] == "sales" else "成本费用",
                r["scores"]["ip"],
                r["scores"]["total"],
                "、".join(r["inspection_triggers"]),
                r["rule_version"],
                "\n".join(r["reasons"]),
                "\n".join(g["message"] for g in gap),
            ]
            for n, r, gap in results
        ]
    else:
        conds = [
            "registered_one_year",
            "core_ip",
            "field_in_catalogue",
            "tech_staff_ratio",
            "rd_ratio",
            "high_tech_revenue_ratio",
            "innovation_score",
            "no_bad_record",
        ]
        names = [
            "注册满一年",
            "核心知识产权",
            "技术领域",
            "科技人员占比",
            "研发费用占比",
            "高新收入占比",
            "创新能力评价",
            "无违法记录",
        ]
        status = {"met": "符合", "not_met": "不符合", "expert": "待专家评分"}
        headers = [
            "行号",
            "编号",
            "符合七项条件",
            "认定结论",
            *names,
            "研发费用占比",
            "占比要求",
            "创新能力最低分",
            "创新能力最高分",
            "规则版本",
            "理由",
            "差距",
        ]
        rows = [
            [
                n,
                r["id"],
                _yes(r["eligible"]),
                _yes(r["passed"]),
                *[status[r["conditions"][c]] for c in conds],
                r["rd_ratio"] or "—",
                r["rd_threshold"],
                r["innovation"]["min"],
                r["innovation"]["max"],
                r["rule_version"],
                "\n".join(r["reasons"]),
                "\n".join(g["message"] for g in gap),
            ]
            for n, r, gap in results
        ]
    return write_workbook("测算结果", headers, rows)


@login_required
def batch_template_view(request: HttpRequest, kind: str) -> HttpResponse:
    """The batch template: one header per field (``label（key）``) and one example row."""
    if not can_run_batch(request.user):
        raise PermissionDenied
    if kind not in fields.ENGINE_FIELDS:
        raise Http404("没有该测算模板。")
    cols = fields.columns(kind)
    example = {
        "tech-sme": [
            "示例-1",
            100,
            30,
            "10000000",
            "20000000",
            "600000",
            "8000000",
            1,
            0,
            "是",
            "否",
            "否",
            "否",
            "否",
            "否",
            "否",
            "是",
        ],
        "hnte": [
            "示例-1",
            "2026-06-01",
            "2018-03-01",
            7,
            100,
            20,
            "10000000",
            "10000000",
            "10000000",
            "400000",
            "400000",
            "400000",
            "400000",
            "400000",
            "400000",
            "5000000",
            "6000000",
            "7000000",
            "8000000",
            "10000000",
            1,
            5,
            15,
            "是",
            "是",
            "是",
            "否",
        ],
    }[kind]
    content = write_workbook("测算模板", [h for _, h in cols], [example])
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = "attachment; filename*=UTF-8''%s" % quote(
        "%s模板.xlsx" % fields.ENGINE_NAMES[kind]
    )
    return response


# ------------------------------------------------------------------ self-assessment


def _assess_orgs(user: Any) -> Any:
    """Organizations the user may self-assess: its own (单位用户), or any in scope for staff."""
    return org_selectors.organizations_of_user(user=user)


@login_required
@require_http_methods(["GET", "POST"])
def self_assess_view(request: HttpRequest) -> HttpResponse:
    """企业自评: an organization user (or staff for an organization in scope, ``?organization=<pk>``)
    enters its figures and sees the result and what is missing. Nothing is stored unless staff choose
    “纳入培育库” for a 科小 self-evaluation."""
    user = request.user
    kind = request.POST.get("kind") or request.GET.get("kind") or "tech-sme"
    if kind not in fields.ENGINE_FIELDS:
        kind = "tech-sme"
    own = list(_assess_orgs(user))
    org = None
    org_pk = request.POST.get("organization") or request.GET.get("organization")
    if org_pk:
        org = next((o for o in own if str(o.pk) == str(org_pk)), None)
        if org is None:
            if not user.has_perm("orgs.view_organization"):
                raise Http404("单位不存在。")
            org = _org_visible(user, org_pk)
    elif len(own) >= 1:
        org = own[0]
    if org is None and not user.has_perm("orgs.view_organization"):
        return render(
            request,
            "core/message.html",
            {"title": "企业自评", "message": "您的账号尚未绑定单位，请联系科技局绑定后再自评。"},
            status=200,
        )
    values: dict[str, Any] = {}
    result = None
    gap_list: list[dict[str, str]] = []
    errors: dict[str, str] = {}
    if request.method == "POST" and org is not None:
        values = {k: request.POST.get(k, "") for k, _ in fields.columns(kind)}
        for f in fields.ENGINE_FIELDS[kind]:
            if f.kind == "bool":
                values[f.key] = "是" if request.POST.get(f.key) else "否"
        result, gap_list, errors = fields.evaluate_row(kind, values, org.credit_code)
        if result is not None:
            services.log_self_assessment(actor=user, organization=org, engine=kind, passed=result["passed"])
            if request.POST.get("store") == "1" and kind == "tech-sme":
                year = request.POST.get("year", "")
                try:
                    record, _ = fields.convert(kind, values, org.credit_code)
                    entry = services.pipeline_entry_create(
                        actor=user, organization=org, year=year, tech_sme_input=record
                    )
                except BusinessError as exc:
                    messages.error(request, exc.message)
                else:
                    messages.success(request, "已纳入 %d 年培育库。" % entry.year)
                    return redirect("cultivation:pipeline_detail", entry.pk)
    elif request.method == "POST":
        raise Http404("单位不存在。")
    form_fields = []
    for f in fields.ENGINE_FIELDS[kind]:
        if f.kind == "money3":
            sub = [("%s_%d" % (f.key, n), values.get("%s_%d" % (f.key, n), "")) for n in (1, 2, 3)]
            form_fields.append(
                {
                    "f": f,
                    "subs": sub,
                    "errors": [errors[k] for k, _ in sub if k in errors] + ([errors[f.key]] if f.key in errors else []),
                }
            )
        else:
            form_fields.append(
                {
                    "f": f,
                    "value": values.get(f.key, "是" if f.key == "registered_in_mainland" and not values else ""),
                    "errors": [errors[f.key]] if f.key in errors else [],
                }
            )
    context = {
        "kind": kind,
        "engines": fields.ENGINE_NAMES.items(),
        "org": org,
        "own": own,
        "form_fields": form_fields,
        "errors": errors,
        "result": result,
        "gaps": gap_list,
        "can_store": org is not None and kind == "tech-sme" and can_add_pipeline(user, org),
        "years": _years(),
        "conditions": _hnte_conditions(result) if result and kind == "hnte" else [],
    }
    return render(request, "cultivation/self_assess.html", context)


HNTE_CONDITION_NAMES = {
    "registered_one_year": "（一）注册成立一年以上",
    "core_ip": "（二）拥有核心知识产权",
    "field_in_catalogue": "（三）属于国家重点支持的高新技术领域",
    "tech_staff_ratio": "（四）科技人员占比不低于 10%",
    "rd_ratio": "（五）研发费用占比达标",
    "high_tech_revenue_ratio": "（六）高新技术产品收入占比不低于 60%",
    "innovation_score": "（七）创新能力评价 70 分以上",
    "no_bad_record": "（八）无重大安全、质量事故或严重环境违法",
}


def _hnte_conditions(result: dict[str, Any]) -> list[tuple[str, str]]:
    return [(HNTE_CONDITION_NAMES.get(k, k), v) for k, v in result["conditions"].items()]


# ------------------------------------------------------------------ pipeline


def _pipeline_columns() -> list[Column]:
    return [
        Column("企业", lambda e: e.organization.name, sort="organization__name", link=True),
        Column("年度", lambda e: e.year, sort="year"),
        Column("所属区划", lambda e: e.region.name, sort="region"),
        Column("阶段", lambda e: e.get_stage_display(), sort="stage"),
        Column("科小得分", lambda e: e.tech_sme_score, sort="tech_sme_score"),
        Column("入库编号", lambda e: e.tech_sme_number),
        Column("未达标条件数", lambda e: "" if e.gap_count is None else e.gap_count, sort="gap_count"),
        Column(
            "创新能力分", lambda e: "" if e.innovation_min is None else "%s–%s" % (e.innovation_min, e.innovation_max)
        ),
        Column("证书编号", lambda e: e.certificate_no),
        Column("有效期至", lambda e: e.expires_on.isoformat() if e.expires_on else "", sort="expires_on"),
    ]


@login_required
def pipeline_list_view(request: HttpRequest) -> HttpResponse:
    """培育库 list per stage, year and region, with Excel export; ``closest=1`` lists the 后备 enterprises
    closest to qualifying."""
    _require(request, "cultivation.view_pipelineentry")
    filters = _filters(request, ("q", "year", "stage", "region", "closest"))
    qs = selectors.pipeline_list(user=request.user, filters=filters)
    page = ListPage(
        title="培育库",
        columns=_pipeline_columns(),
        default_sort="" if filters["closest"] == "1" else "-year",
        export_name="pipeline",
        filters_template="cultivation/pipeline_list_filters.html",
        actions_template="cultivation/pipeline_list_actions.html",
        row_url=lambda e: reverse("cultivation:pipeline_detail", args=[e.pk]),
    )
    return render_list(
        request,
        qs,
        page,
        context={
            "filters": filters,
            "stages": Stage.choices,
            "years": _years(),
            "can_add": request.user.has_perm("cultivation.add_pipelineentry"),
        },
    )


@login_required
def pipeline_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    """One entry: 科小 result and gaps, 高企 gap analysis (with rule versions), actions and history."""
    _require(request, "cultivation.view_pipelineentry")
    entry = selectors.pipeline_get(user=request.user, pk=pk)
    can_change = can_change_pipeline(request.user, entry)
    return render(
        request,
        "cultivation/pipeline_detail.html",
        {
            "entry": entry,
            "actions": PIPELINE.available(entry.stage) if can_change else [],
            "transitions": entry.transitions.select_related("actor").all(),
            "hnte_conditions": _hnte_conditions(entry.hnte_result) if entry.hnte_result else [],
            "hnte_columns": fields.columns("hnte")[1:],
            "hnte_fields": fields.HNTE_FIELDS,
            "can_change": can_change,
            "today": timezone.localdate().isoformat(),
        },
    )


def _hnte_from_post(request: HttpRequest, entry: Any) -> dict[str, Any]:
    """The 高企 figures of the detail page's form (or JSON in ``hnte_json``)."""
    text = request.POST.get("hnte_json", "").strip()
    if text:
        try:
            data = json.loads(text)
        except ValueError:
            raise RowErrors({"hnte_json": ["高企测算数据不是有效的 JSON。"]}) from None
        if not isinstance(data, dict):
            raise RowErrors({"hnte_json": ["高企测算数据应为 JSON 对象。"]})
        return data
    values = {k: request.POST.get(k, "") for k, _ in fields.columns("hnte")}
    for f in fields.HNTE_FIELDS:
        if f.kind == "bool":
            values[f.key] = "是" if request.POST.get(f.key) else "否"
    record, errors = fields.convert("hnte", values, entry.organization.credit_code)
    if errors:
        raise RowErrors({k: [v] for k, v in errors.items()})
    return record


@login_required
@require_POST
def pipeline_action_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Run one pipeline transition from the detail page."""
    _require(request, "cultivation.change_pipelineentry")
    entry = selectors.pipeline_get(user=request.user, pk=pk)
    action = request.POST.get("action", "")
    try:
        kwargs: dict[str, Any] = {
            "reason": request.POST.get("reason", ""),
            "number": request.POST.get("number", ""),
            "certificate_no": request.POST.get("certificate_no", ""),
            "on": _parse_date(request.POST.get("on", "")),
        }
        if action in ("reserve", "analyse"):
            kwargs["hnte_input"] = _hnte_from_post(request, entry)
        if action == "analyse":
            services.pipeline_entry_analyse(actor=request.user, entry=entry, hnte_input=kwargs["hnte_input"])
        else:
            services.pipeline_entry_transition(actor=request.user, entry=entry, action=action, **kwargs)
    except RowErrors as exc:
        for key, msgs in exc.errors.items():
            for m in msgs:
                messages.error(request, "%s：%s" % (fields.label_of("hnte", key), m))
    except BusinessError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已保存。")
    return redirect("cultivation:pipeline_detail", entry.pk)


@login_required
def pipeline_stats_view(request: HttpRequest) -> HttpResponse:
    """Counts per stage and region, conversion rates, and the enterprises closest to qualifying."""
    _require(request, "cultivation.view_pipelineentry")
    year = selectors._year(request.GET.get("year"))
    stats = selectors.pipeline_stats(user=request.user, year=year)
    return render(
        request,
        "cultivation/pipeline_stats.html",
        {
            "stats": stats,
            "year": year,
            "closest": selectors.pipeline_closest(user=request.user, year=year),
            "stages": Stage.choices,
        },
    )


# ------------------------------------------------------------------ filings


def _filing_columns() -> list[Column]:
    return [
        Column("企业", lambda f: f.organization.name, sort="organization__name", link=True),
        Column("年度", lambda f: f.year, sort="year"),
        Column("所属区划", lambda f: f.region.name, sort="region"),
        Column("计提研发准备金（元）", lambda f: f.reserve_amount, sort="reserve_amount"),
        Column("实际研发投入（元）", lambda f: f.rd_expense, sort="rd_expense"),
        Column("状态", lambda f: f.get_status_display(), sort="status"),
        Column("备案日期", lambda f: f.filed_on.isoformat() if f.filed_on else "", sort="filed_on"),
    ]


@login_required
def filing_list_view(request: HttpRequest) -> HttpResponse:
    _require(request, "cultivation.view_rdreservefiling")
    filters = _filters(request, ("q", "year", "status", "region"))
    qs = selectors.filing_list(user=request.user, filters=filters)
    page = ListPage(
        title="研发准备金备案",
        columns=_filing_columns(),
        default_sort="-year",
        export_name="rd_filings",
        filters_template="cultivation/filing_list_filters.html",
        actions_template="cultivation/filing_list_actions.html",
        row_url=lambda f: reverse("cultivation:filing_detail", args=[f.pk]),
    )
    return render_list(
        request,
        qs,
        page,
        context={
            "filters": filters,
            "statuses": FilingStatus.choices,
            "years": _years(),
            "totals": selectors.filing_totals(user=request.user, filters=filters),
            "can_add": request.user.has_perm("cultivation.add_rdreservefiling"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def filing_create_view(request: HttpRequest) -> HttpResponse:
    """登记研发准备金备案: organization (in scope), year, amounts, supporting files."""
    _require(request, "cultivation.add_rdreservefiling")
    values = {
        k: request.POST.get(k, "")
        for k in ("organization", "year", "reserve_amount", "rd_expense", "contact_person", "note")
    }
    errors: dict[str, list[str]] = {}
    org = None
    if request.method == "POST":
        try:
            org = _org_visible(request.user, values["organization"])
        except Http404:
            errors["organization"] = ["请选择管辖范围内的企业。"]
        if org is not None:
            try:
                files = _store_files(request, org)
                filing = services.rd_filing_save(
                    actor=request.user,
                    organization=org,
                    year=values["year"],
                    reserve_amount=values["reserve_amount"],
                    rd_expense=values["rd_expense"],
                    contact_person=values["contact_person"],
                    note=values["note"],
                    attachments=files,
                )
            except RowErrors as exc:
                errors.update(exc.errors)
            except BusinessError as exc:
                errors.setdefault(exc.field or "file", []).append(exc.message)
            else:
                messages.success(request, "已登记，待审核。")
                return redirect("cultivation:filing_detail", filing.pk)
    if not values["organization"] and request.GET.get("organization"):
        values["organization"] = request.GET["organization"][:20]
    return render(
        request,
        "cultivation/filing_form.html",
        {"values": values, "errors": errors, "org_options": _org_options(request.user)},
    )


def _org_options(user: Any) -> list[Any]:
    return list(
        org_selectors.organization_list(user=user, filters={"org_type": "enterprise"})
        .select_related(None)
        .only("pk", "name")[:500]
    )


def _store_files(request: HttpRequest, org: Any) -> list[Any]:
    from kejiju.core.services.attachments import attachment_create

    stored = []
    for upload in request.FILES.getlist("files")[:10]:
        stored.append(
            attachment_create(
                actor=request.user,
                fileobj=upload,
                name=upload.name or "附件",
                region=org.region_id,
                purpose="研发准备金备案佐证",
            )
        )
    return stored


@login_required
def filing_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, "cultivation.view_rdreservefiling")
    filing = selectors.filing_get(user=request.user, pk=pk)
    return render(
        request,
        "cultivation/filing_detail.html",
        {
            "filing": filing,
            "actions": [a for a in FILING.available(filing.status) if a.name != "resubmit"]
            if can_review_filing(request.user, filing)
            else [],
            "transitions": filing.transitions.select_related("actor").all(),
            "files": filing.attachments.all(),
        },
    )


@login_required
@require_POST
def filing_action_view(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, "cultivation.review_rdreservefiling")
    filing = selectors.filing_get(user=request.user, pk=pk)
    try:
        services.rd_filing_transition(
            actor=request.user,
            filing=filing,
            action=request.POST.get("action", ""),
            reason=request.POST.get("reason", ""),
        )
    except BusinessError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已保存。")
    return redirect("cultivation:filing_detail", filing.pk)


# ------------------------------------------------------------------ policies


@login_required
def policy_list_view(request: HttpRequest) -> HttpResponse:
    _require(request, "cultivation.view_subsidypolicy")
    policies = [
        {"p": p, "versions": list(selectors.policy_versions(policy=p))}
        for p in selectors.policy_list(user=request.user)
    ]
    return render(
        request, "cultivation/policy_list.html", {"policies": policies, "can_manage": can_manage_policy(request.user)}
    )


@login_required
@require_http_methods(["GET", "POST"])
def policy_create_view(request: HttpRequest) -> HttpResponse:
    """New policy or new version: code, name, formula kind, params (JSON), effective date."""
    if not can_manage_policy(request.user):
        raise PermissionDenied
    values = {
        k: request.POST.get(k, request.GET.get(k, "")) for k in ("code", "name", "kind", "params", "effective_from")
    }
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            params = json.loads(values["params"] or "{}")
        except ValueError:
            errors["params"] = "参数不是有效的 JSON。"
        effective = _parse_date(values["effective_from"])
        if effective is None:
            errors["effective_from"] = "请填写有效的生效日期（如 2025-01-01）。"
        if not errors:
            try:
                services.subsidy_policy_ensure(
                    actor=request.user,
                    code=values["code"],
                    name=values["name"],
                    kind=values["kind"],
                    params=params,
                    effective_from=effective,  # type: ignore[arg-type]
                )
            except BusinessError as exc:
                errors[(exc.field or "params").split(".")[0]] = exc.message
            else:
                messages.success(request, "已保存政策版本。")
                return redirect("cultivation:policy_list")
    examples = {
        "fixed": '{"amount": "100000"}',
        "rate_of_increase": '{"rate": "0.10", "cap": "500000"}',
        "by_level": '{"table": {"national": "1000000", "provincial": "300000", "city": "100000"}}',
        "per_unit": '{"table": {"invention": "5000", "utility": "1000"}, "cap": "50000"}',
    }
    return render(
        request,
        "cultivation/policy_form.html",
        {"values": values, "errors": errors, "kinds": FormulaKind.choices, "examples": examples},
    )


# ------------------------------------------------------------------ awards


def _award_columns() -> list[Column]:
    return [
        Column("单位", lambda a: a.organization.name, sort="organization__name", link=True),
        Column("年度", lambda a: a.year, sort="year"),
        Column("所属区划", lambda a: a.region.name, sort="region"),
        Column("政策", lambda a: a.policy_version.policy.name),
        Column("金额（元）", lambda a: a.amount, sort="amount"),
        Column("测算说明", lambda a: a.explanation),
        Column("状态", lambda a: a.get_status_display(), sort="status"),
        Column("拨付日期", lambda a: a.paid_on.isoformat() if a.paid_on else "", sort="paid_on"),
        Column("凭证号", lambda a: a.voucher_no),
    ]


@login_required
def award_list_view(request: HttpRequest) -> HttpResponse:
    """奖补 list with totals by policy, year and region."""
    _require(request, "cultivation.view_subsidyaward")
    filters = _filters(request, ("q", "year", "status", "region", "policy"))
    by = request.GET.get("by", "policy")
    by = by if by in ("policy", "year", "region") else "policy"
    qs = selectors.award_list(user=request.user, filters=filters)
    page = ListPage(
        title="奖补测算与拨付",
        columns=_award_columns(),
        default_sort="-year",
        export_name="subsidy_awards",
        filters_template="cultivation/award_list_filters.html",
        actions_template="cultivation/award_list_actions.html",
        row_url=lambda a: reverse("cultivation:award_detail", args=[a.pk]),
    )
    return render_list(
        request,
        qs,
        page,
        context={
            "filters": filters,
            "statuses": AwardStatus.choices,
            "years": _years(),
            "by": by,
            "totals": selectors.award_totals(user=request.user, filters=filters, by=by),
            "policies": selectors.policy_list(user=request.user),
            "can_add": request.user.has_perm("cultivation.add_subsidyaward"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def award_create_view(request: HttpRequest) -> HttpResponse:
    """奖补测算: pick a policy, an organization and a year, enter the inputs the formula asks for."""
    _require(request, "cultivation.add_subsidyaward")
    policies = list(selectors.policy_list(user=request.user).filter(is_active=True))
    values = {k: request.POST.get(k, request.GET.get(k, ""))[:64] for k in ("policy", "organization", "year")}
    policy = next((p for p in policies if p.code == values["policy"]), policies[0] if policies else None)
    year = selectors._year(values["year"]) or timezone.localdate().year
    version = services.subsidy_version_for(policy_code=policy.code, year=year) if policy else None
    inputs_spec = input_fields(version.kind, version.params) if version else []
    errors: list[str] = []
    if request.method == "POST" and request.POST.get("calculate") == "1":
        if policy is None:
            errors.append("请先设置奖补政策。")
        else:
            try:
                org = _org_visible(request.user, values["organization"])
            except Http404:
                errors.append("请选择管辖范围内的单位。")
            else:
                inputs = {k: request.POST.get("in_" + k, "").strip() for k, _ in inputs_spec}
                if version is not None and version.kind == "per_unit":
                    inputs = {k: v for k, v in inputs.items() if v}
                try:
                    award = services.subsidy_award_create(
                        actor=request.user,
                        policy_code=policy.code,
                        organization=org,
                        year=values["year"],
                        inputs=inputs,
                        source=request.POST.get("source", "")[:80],
                    )
                except BusinessError as exc:
                    errors.append(exc.message)
                else:
                    messages.success(request, "已测算：%s 元。" % award.amount)
                    return redirect("cultivation:award_detail", award.pk)
    return render(
        request,
        "cultivation/award_form.html",
        {
            "policies": policies,
            "policy": policy,
            "version": version,
            "values": values,
            "year": year,
            "inputs_spec": [(k, label, request.POST.get("in_" + k, "")) for k, label in inputs_spec],
            "levels": list(version.params.get("table", {})) if version and version.kind == "by_level" else [],
            "errors": errors,
            "org_options": _org_options(request.user),
            "years": _years(),
        },
    )


@login_required
def award_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, "cultivation.view_subsidyaward")
    award = selectors.award_get(user=request.user, pk=pk)
    user = request.user
    allowed = []
    for a in AWARD.available(award.status):
        if (a.name == "pay" and can_pay_award(user, award)) or (a.name != "pay" and can_approve_award(user, award)):
            allowed.append(a)
    return render(
        request,
        "cultivation/award_detail.html",
        {
            "award": award,
            "actions": allowed,
            "transitions": award.transitions.select_related("actor").all(),
            "today": timezone.localdate().isoformat(),
        },
    )


@login_required
@require_POST
def award_action_view(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, "cultivation.view_subsidyaward")
    award = selectors.award_get(user=request.user, pk=pk)
    try:
        services.subsidy_award_transition(
            actor=request.user,
            award=award,
            action=request.POST.get("action", ""),
            reason=request.POST.get("reason", ""),
            paid_on=_parse_date(request.POST.get("paid_on", "")),
            voucher_no=request.POST.get("voucher_no", ""),
        )
    except BusinessError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已保存。")
    return redirect("cultivation:award_detail", award.pk)


@login_required
def ledger_view(request: HttpRequest) -> HttpResponse:
    """拨付台账: paid awards with date and voucher; Excel export."""
    _require(request, "cultivation.view_subsidyaward")
    filters = _filters(request, ("q", "year", "region", "policy"))
    page = ListPage(
        title="奖补拨付台账",
        columns=_award_columns(),
        default_sort="-paid_on",
        export_name="subsidy_ledger",
        filters_template="cultivation/award_list_filters.html",
        row_url=lambda a: reverse("cultivation:award_detail", args=[a.pk]),
    )
    return render_list(
        request,
        selectors.ledger(user=request.user, filters=filters),
        page,
        context={
            "filters": filters,
            "years": _years(),
            "statuses": [],
            "policies": selectors.policy_list(user=request.user),
            "ledger": True,
        },
    )


def publicity_view(request: HttpRequest) -> HttpResponse:
    """公示名单 (public): awards under publicity or paid — organization, policy, year and amount only."""
    region = request.GET.get("region", "")[:12]
    year = selectors._year(request.GET.get("year"))
    rows = selectors.publicity_list(region=region if region.isdigit() else "", year=year)[:500]
    return render(request, "cultivation/publicity.html", {"rows": rows, "year": year})

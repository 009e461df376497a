"""Writes of the target-responsibility assessment (house rules 1, 4 and 5).

The flow: a bureau saves a scheme with its scoring template (:func:`scheme_save`), issues it — one 目标任务书
per town (or department) with its targets (:func:`scheme_issue`, :func:`target_set`) —; each assessee fills
in and submits its self-assessment with evidence before the deadline (:func:`self_assessment_save`,
:func:`evidence_add`, :func:`self_assessment_submit`); the bureau starts scoring, the named assessors score
the qualitative items (:func:`assessor_score_submit`), the totals, grades and ranks are computed by the pure
engine (:func:`scheme_compute`) and published (:func:`scheme_publish`); an assessee may appeal and the
bureau decides with an adjustment (:func:`appeal_file`, :func:`appeal_decide`).

Quantitative items that name a platform indicator (``"indicator": "service.requests_handled"``) take the
actual value from the records of the assessee's town for the year, with the record count as provenance,
unless the assessee entered a value with evidence.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.db import transaction
from django.utils import timezone

from kejiju.assessment import actions
from kejiju.assessment.choices import (
    MIDYEAR_SCHEME_STATES,
    MIDYEAR_TARGET_STATES,
    SCHEME_FLOW,
    TARGET_FLOW,
    AppealStatus,
    AssesseeKind,
    SchemeStatus,
    TargetStatus,
)
from kejiju.assessment.models import (
    AssessmentAppeal,
    AssessmentScheme,
    AssessmentTarget,
    AssessorScore,
    MidyearProgress,
    SchemeTransition,
    TargetTransition,
)
from kejiju.assessment.permissions import (
    can_manage_assessment,
    can_score_target,
    can_self_assess,
    is_own_assessee,
)
from kejiju.core.audit import log_operation
from kejiju.core.errors import BusinessError, RowErrors
from kejiju.core.history import acting
from kejiju.core.indicators import get_indicator
from kejiju.core.models import Attachment, Department, Region
from kejiju.core.permissions import can_manage_region
from kejiju.core.services.attachments import attachment_create
from kejiju.core.workflow import apply_transition
from kejiju.engines import assessment as engine

EVIDENCE_PURPOSE = "佐证材料"
MIDYEAR_EVIDENCE_PURPOSE = "年中进度佐证"
MIDYEAR_KINDS = ("quantitative", "qualitative")
#: a mid-year value is below 10^15, so its percentage of any target (two decimals, at least 0.01) stays within
#: exact decimal arithmetic (28 digits) on the table, the Excel export and the API
MIDYEAR_VALUE_LIMIT = Decimal(10) ** 15


def _forbid(message: str) -> BusinessError:
    return BusinessError(message, code="forbidden")


def parse_template(data: Any) -> engine.Template:
    """The typed template, or ``RowErrors`` on ``template`` listing every problem in Chinese."""
    try:
        return engine.parse_template(data if isinstance(data, dict) else {})
    except engine.TemplateError as exc:
        raise RowErrors({"template": [f"{p}：{m}" if p else m for p, m in exc.problems]}) from None


def _decimal(value: Any, *, field: str, label: str, places: int = 2) -> Decimal | None:
    problems: list[tuple[str, str]] = []
    result = engine.to_decimal(value, where=field, problems=problems, what=label)
    if problems:
        raise RowErrors({field: [problems[0][1]]})
    if result is None:
        return None
    try:
        rounded = result.quantize(Decimal(1).scaleb(-places))
    except InvalidOperation:
        # more digits than exact decimal arithmetic holds (28): refused, never a 500
        raise RowErrors({field: [f"{label}数值过大，不是有效的数值。"]}) from None
    if result != rounded:
        raise RowErrors({field: [f"{label}最多保留 {places} 位小数。"]})
    return result


@transaction.atomic
def scheme_save(
    *,
    actor: Any,
    name: str,
    year: int,
    template: dict[str, Any],
    self_assessment_due: datetime,
    region: str | None = None,
    assessee_kind: str = AssesseeKind.TOWN,
    notes: str = "",
    assessors: list[Any] | None = None,
    scheme: AssessmentScheme | None = None,
) -> AssessmentScheme:
    """Create or change a draft scheme. The template must pass the engine's checks (weights of scored
    items add up to 100, bands descend to 0 …); a scheme already issued cannot change its template.
    Raises ``RowErrors`` naming the field, or ``BusinessError``; logged as ``assessment.scheme_save``."""
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name:
        errors.setdefault("name", []).append("方案名称不能为空。")
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        errors.setdefault("year", []).append("考核年度应为 2000 至 2100 之间的年份。")
    if assessee_kind not in AssesseeKind.values:
        errors.setdefault("assessee_kind", []).append("考核对象应为乡镇（街道）或部门。")
    if not isinstance(self_assessment_due, datetime) or timezone.is_naive(self_assessment_due):
        errors.setdefault("self_assessment_due", []).append("请填写自评截止时间。")
    try:
        parse_template(template)
    except RowErrors as exc:
        errors.update(exc.errors)
    if errors:
        raise RowErrors(errors)
    if scheme is None:
        code = region or getattr(actor, "region_id", None) or ""
        if not code or not can_manage_region(actor, code) or not can_manage_assessment(actor):
            raise _forbid("您没有在该区划制定考核方案的权限。")
        scheme = AssessmentScheme(region_id=code)
    else:
        scheme = AssessmentScheme.objects.select_for_update().get(pk=scheme.pk)
        if not can_manage_assessment(actor, scheme):
            raise _forbid("您没有修改该考核方案的权限。")
        if scheme.status != SchemeStatus.DRAFT:
            raise BusinessError("考核方案已下达，考核细则不能再修改。", code="bad_transition")
    scheme.name, scheme.year, scheme.template = name, year, template
    scheme.self_assessment_due, scheme.assessee_kind, scheme.notes = self_assessment_due, assessee_kind, notes
    with acting(actor):
        scheme.save()
    if assessors is not None:
        outside = [u for u in assessors if not can_manage_region(actor, getattr(u, "region_id", "") or "")]
        if outside:
            raise BusinessError("考核人员应为本辖区的账号。", code="out_of_scope", field="assessors")
        scheme.assessors.set(assessors)
    log_operation(actor=actor, action=actions.SCHEME_SAVE, target=scheme, extra={"year": year})
    return scheme


def _check_targets(template: engine.Template, targets: dict[str, Any]) -> dict[str, str]:
    cleaned: dict[str, str] = {}
    errors: dict[str, list[str]] = {}
    for code, raw in (targets or {}).items():
        item = template.item(code)
        if item is None or item.kind not in ("quantitative", "bonus"):
            errors.setdefault("targets", []).append(f"指标“{code}”不是定量指标，不能设定目标值。")
            continue
        value = _decimal(raw, field="targets", label=f"“{item.name}”的目标值")
        if value is None:
            continue
        if value < 0:
            errors.setdefault("targets", []).append(f"“{item.name}”的目标值不能为负数。")
            continue
        cleaned[code] = str(value)
    if errors:
        raise RowErrors(errors)
    return cleaned


@transaction.atomic
def scheme_issue(
    *,
    actor: Any,
    scheme: AssessmentScheme,
    targets: dict[str, dict[str, Any]] | None = None,
    default_targets: dict[str, Any] | None = None,
    issue_documents: bool = False,
) -> list[AssessmentTarget]:
    """下达: create one 目标任务书 per active town below the scheme's region (or per active department of
    its bureau), each with its targets (``targets`` by region code / department id, else
    ``default_targets``), and freeze the template. With ``issue_documents`` each target gets its
    目标任务书 as a GB/T 9704 document. Raises ``BusinessError`` from a wrong status."""
    scheme = AssessmentScheme.objects.select_for_update().get(pk=scheme.pk)
    if not can_manage_assessment(actor, scheme):
        raise _forbid("您没有下达该考核方案的权限。")
    SCHEME_FLOW.check("issue", scheme.status)
    template = parse_template(scheme.template)
    targets = targets or {}
    base = _check_targets(template, default_targets or {})
    created: list[AssessmentTarget] = []
    if scheme.assessee_kind == AssesseeKind.TOWN:
        towns = Region.objects.filter(code__startswith=scheme.region_id, level=9, is_active=True).order_by("code")
        assessees: list[tuple[str, Department | None, str]] = [(t.code, None, t.name) for t in towns]
    else:
        departments = Department.objects.filter(bureau__region_id=scheme.region_id, is_active=True).order_by("pk")
        assessees = [(scheme.region_id, d, d.name) for d in departments]
    if not assessees:
        raise BusinessError("该区划下没有可考核的乡镇（街道）或部门。", code="empty")
    for region_code, department, name in assessees:
        own = targets.get(str(department.pk) if department else region_code)
        values = {**base, **_check_targets(template, own)} if own else dict(base)
        target = AssessmentTarget(
            scheme=scheme, region_id=region_code, department=department, assessee_name=name, targets=values
        )
        with acting(actor):
            target.save()
        created.append(target)
    apply_transition(
        obj=scheme,
        workflow=SCHEME_FLOW,
        action="issue",
        actor=actor,
        transition_model=SchemeTransition,
        fk_name="scheme",
        extra={"targets": len(created)},
    )
    log_operation(actor=actor, action=actions.SCHEME_ISSUE, target=scheme, extra={"targets": len(created)})
    if issue_documents:
        for target in created:
            _issue_document(actor, scheme, template, target)
    return created


def _issue_document(actor: Any, scheme: AssessmentScheme, template: engine.Template, target: AssessmentTarget) -> None:
    from kejiju.reports.services import document_issue

    lines = []
    for item in template.items:
        if item.kind in ("quantitative", "bonus") and item.code in target.targets:
            lines.append(f"{item.name}：{target.targets[item.code]}{item.unit}（{item.weight.normalize():f} 分）")
    issuer = scheme.region.name + "科学技术局"
    data = {
        "issuer": issuer,
        "title": f"{issuer}关于下达{target.assessee_name}\n{scheme.year}年度科技进步目标任务的通知",
        "addressee": target.assessee_name,
        "body": [
            {
                "type": "paragraph",
                "text": f"根据《{scheme.name}》，现将你单位{scheme.year}年度科技进步目标任务下达如下，请认真组织实施。",
            },
            {"type": "heading", "level": 1, "text": "目标任务"},
            *[
                {"type": "paragraph", "text": f"{n}. {line}。"}
                for n, line in enumerate(lines or ["按考核细则执行"], start=1)
            ],
            {"type": "heading", "level": 1, "text": "考核办法"},
            {
                "type": "paragraph",
                "text": "年终实行百分考核：定性指标由考核组评分，定量指标按完成比例计分，另设加分、扣分和一票否决项。",
            },
        ],
        "date": date.today().isoformat(),
        "seal": True,
    }
    document = document_issue(
        actor=actor, data=data, region=scheme.region_id, source=f"assessment.target:{target.pk}", with_pdf=False
    )
    AssessmentTarget.objects.filter(pk=target.pk).update(document=document)


@transaction.atomic
def honour_list_issue(*, actor: Any, scheme: AssessmentScheme) -> Any:
    """先进单位名单: a 通报 listing the assessees of the top grade of a published scheme (the certificate
    list to print), kept with the scheme as a GB/T 9704 document."""
    from kejiju.reports.services import document_issue

    scheme = AssessmentScheme.objects.get(pk=scheme.pk)
    if not can_manage_assessment(actor, scheme):
        raise _forbid("您没有为该考核方案发文的权限。")
    if scheme.status != SchemeStatus.PUBLISHED:
        raise BusinessError("考核结果公布后才能生成先进单位名单。", code="bad_transition")
    template = parse_template(scheme.template)
    top = template.bands[0][0]
    winners = list(scheme.targets.filter(grade=top).order_by("rank", "pk"))
    if not winners:
        raise BusinessError(f"没有考核等次为“{top}”的单位。", code="empty")
    issuer = scheme.region.name + "科学技术局"
    rows = [["名次", "单位", "得分", "等次"]] + [[str(t.rank), t.assessee_name, str(t.total), t.grade] for t in winners]
    data = {
        "issuer": issuer,
        "title": f"{issuer}关于{scheme.year}年度\n科技进步目标责任制考核结果的通报",
        "addressee": "各乡镇人民政府、街道办事处，有关部门",
        "body": [
            {
                "type": "paragraph",
                "text": f"根据《{scheme.name}》，经单位自评、考核组评分和结果公示，{len(winners)}个单位考核等次为“{top}”，"
                "现予通报表扬。",
            },
            {"type": "table", "rows": rows, "header": True},
            {"type": "paragraph", "text": "希望受到表扬的单位再接再厉，各单位以先进为榜样，推动科技工作再上新台阶。"},
        ],
        "date": date.today().isoformat(),
        "seal": True,
    }
    document = document_issue(
        actor=actor,
        data=data,
        region=scheme.region_id,
        source=f"assessment.scheme:{scheme.pk}",
        kind="bulletin",
        with_pdf=False,
    )
    log_operation(
        actor=actor,
        action=actions.HONOUR_LIST,
        target=scheme,
        extra={"grade": top, "units": [t.assessee_name for t in winners], "document": document.pk},
    )
    return document


@transaction.atomic
def target_set(*, actor: Any, target: AssessmentTarget, targets: dict[str, Any], reason: str) -> AssessmentTarget:
    """Adjust one assessee's targets (before scoring starts), with the reason kept in the history."""
    target = AssessmentTarget.objects.select_for_update().select_related("scheme").get(pk=target.pk)
    if not can_manage_assessment(actor, target.scheme):
        raise _forbid("您没有调整目标任务的权限。")
    if target.scheme.status != SchemeStatus.ISSUED:
        raise BusinessError("只有已下达、尚未开始评分的方案可以调整目标任务。", code="bad_transition")
    if not reason.strip():
        raise BusinessError("请填写调整理由。", code="reason_required", field="reason")
    cleaned = _check_targets(parse_template(target.scheme.template), targets)
    target.targets = {**target.targets, **cleaned}
    with acting(actor, reason):
        target.save(update_fields=["targets", "updated_at"])
    log_operation(actor=actor, action=actions.TARGET_SET, target=target, extra={"targets": cleaned, "reason": reason})
    return target


def _check_open_for_self(target: AssessmentTarget, actor: Any) -> None:
    if not can_self_assess(actor, target):
        raise _forbid("您没有填报该单位自评的权限。")
    if target.scheme.status != SchemeStatus.ISSUED or target.status != TargetStatus.ISSUED:
        raise BusinessError("自评已提交或考核已进入评分阶段，不能再修改。", code="bad_transition")
    if timezone.now() > target.scheme.self_assessment_due:
        due = timezone.localtime(target.scheme.self_assessment_due).strftime("%Y-%m-%d %H:%M")
        raise BusinessError(f"自评截止时间（{due}）已过，不能再填报。", code="deadline_passed")


@transaction.atomic
def self_assessment_save(
    *, actor: Any, target: AssessmentTarget, values: dict[str, dict[str, Any]]
) -> AssessmentTarget:
    """Save the assessee's self-assessment draft: per item ``actual`` (quantitative, bonus), ``count``
    (deduction), ``triggered`` (veto) and a ``note``. Values are checked (numbers, not negative, two
    decimals); before the deadline only. Raises ``RowErrors`` naming the item."""
    target = AssessmentTarget.objects.select_for_update().select_related("scheme").get(pk=target.pk)
    _check_open_for_self(target, actor)
    template = parse_template(target.scheme.template)
    cleaned: dict[str, dict[str, Any]] = {}
    errors: dict[str, list[str]] = {}
    for code, raw in (values or {}).items():
        item = template.item(code)
        if item is None:
            errors.setdefault(code, []).append("考核细则中没有该指标。")
            continue
        raw = raw if isinstance(raw, dict) else {}
        entry: dict[str, Any] = {"note": str(raw.get("note") or "").strip()[:2000]}
        try:
            if item.kind in ("quantitative", "bonus"):
                actual = _decimal(raw.get("actual"), field=code, label=f"“{item.name}”的完成值")
                if actual is not None and actual < 0:
                    raise RowErrors({code: [f"“{item.name}”的完成值不能为负数。"]})
                entry["actual"] = None if actual is None else str(actual)
            elif item.kind == "deduction":
                count = _decimal(raw.get("count") or 0, field=code, label=f"“{item.name}”的次数", places=0)
                if count is None or count < 0:
                    raise RowErrors({code: [f"“{item.name}”的次数应为不小于 0 的整数。"]})
                entry["count"] = int(count)
            elif item.kind == "veto":
                entry["triggered"] = bool(raw.get("triggered"))
        except RowErrors as exc:
            for key, messages in exc.errors.items():
                errors.setdefault(key, []).extend(messages)
            continue
        cleaned[code] = entry
    if errors:
        raise RowErrors(errors)
    target.self_values = {**target.self_values, **cleaned}
    with acting(actor):
        target.save(update_fields=["self_values", "updated_at"])
    log_operation(actor=actor, action=actions.SELF_SAVE, target=target, extra={"items": sorted(cleaned)})
    return target


def evidence_for(target: AssessmentTarget) -> dict[str, list[Attachment]]:
    """Evidence attachments of a target by item code."""
    from django.contrib.contenttypes.models import ContentType

    found: dict[str, list[Attachment]] = {}
    rows = Attachment.objects.filter(
        owner_type=ContentType.objects.get_for_model(AssessmentTarget), owner_id=str(target.pk), is_archived=False
    ).order_by("created_at")
    for attachment in rows:
        code = attachment.purpose.partition(":")[2]
        found.setdefault(code, []).append(attachment)
    return found


@transaction.atomic
def evidence_add(*, actor: Any, target: AssessmentTarget, item_code: str, fileobj: IO[bytes], name: str) -> Attachment:
    """Upload one piece of evidence (佐证材料) for an item of the self-assessment."""
    target = AssessmentTarget.objects.select_for_update().select_related("scheme").get(pk=target.pk)
    _check_open_for_self(target, actor)
    if parse_template(target.scheme.template).item(item_code) is None:
        raise BusinessError("考核细则中没有该指标。", code="invalid", field="item")
    attachment = attachment_create(
        actor=actor,
        fileobj=fileobj,
        name=name,
        region=target.region_id,
        owner=target,
        purpose=f"{EVIDENCE_PURPOSE}:{item_code}",
    )
    log_operation(actor=actor, action=actions.EVIDENCE_ADD, target=target, extra={"item": item_code})
    return attachment


@transaction.atomic
def self_assessment_submit(*, actor: Any, target: AssessmentTarget) -> AssessmentTarget:
    """提交自评: every quantitative item has an actual value (or comes from a platform indicator), and every
    item whose template requires evidence and has a value has at least one evidence file. Locks the
    self-assessment. Raises ``RowErrors`` listing what is missing."""
    target = AssessmentTarget.objects.select_for_update().select_related("scheme").get(pk=target.pk)
    _check_open_for_self(target, actor)
    template = parse_template(target.scheme.template)
    evidence = evidence_for(target)
    errors: dict[str, list[str]] = {}
    for item in template.items:
        entry = target.self_values.get(item.code, {})
        has_value = entry.get("actual") not in (None, "") or entry.get("count") or entry.get("triggered")
        if item.kind == "quantitative" and not has_value and not item.indicator:
            errors.setdefault(item.code, []).append(f"请填写“{item.name}”的完成值。")
        if item.evidence_required and has_value and not evidence.get(item.code):
            errors.setdefault(item.code, []).append(f"“{item.name}”须上传佐证材料。")
    if errors:
        raise RowErrors(errors)
    target.self_submitted_at = timezone.now()
    apply_transition(
        obj=target,
        workflow=TARGET_FLOW,
        action="submit",
        actor=actor,
        transition_model=TargetTransition,
        fk_name="target",
        update_fields=["self_submitted_at"],
    )
    log_operation(actor=actor, action=actions.SELF_SUBMIT, target=target)
    return target


@transaction.atomic
def self_assessment_reopen(*, actor: Any, target: AssessmentTarget, reason: str) -> AssessmentTarget:
    """Return a submitted self-assessment for correction (before scoring starts), with the reason."""
    target = AssessmentTarget.objects.select_for_update().select_related("scheme").get(pk=target.pk)
    if not can_manage_assessment(actor, target.scheme):
        raise _forbid("您没有退回自评的权限。")
    if target.scheme.status != SchemeStatus.ISSUED:
        raise BusinessError("考核已进入评分阶段，不能退回自评。", code="bad_transition")
    apply_transition(
        obj=target,
        workflow=TARGET_FLOW,
        action="reopen",
        actor=actor,
        transition_model=TargetTransition,
        fk_name="target",
        reason=reason,
    )
    log_operation(actor=actor, action=actions.SELF_REOPEN, target=target, extra={"reason": reason})
    return target


@transaction.atomic
def scheme_start_scoring(*, actor: Any, scheme: AssessmentScheme) -> AssessmentScheme:
    """Close self-assessment and open scoring (after the deadline, or earlier when every target has
    submitted)."""
    scheme = AssessmentScheme.objects.select_for_update().get(pk=scheme.pk)
    if not can_manage_assessment(actor, scheme):
        raise _forbid("您没有管理该考核方案的权限。")
    pending = scheme.targets.filter(status=TargetStatus.ISSUED).count()
    if pending and timezone.now() <= scheme.self_assessment_due:
        raise BusinessError(f"还有 {pending} 个单位未提交自评，且自评尚未截止。", code="not_ready")
    if not scheme.assessors.exists():
        raise BusinessError("请先指定考核人员。", code="no_assessors", field="assessors")
    apply_transition(
        obj=scheme,
        workflow=SCHEME_FLOW,
        action="start_scoring",
        actor=actor,
        transition_model=SchemeTransition,
        fk_name="scheme",
        extra={"pending": pending},
    )
    log_operation(actor=actor, action=actions.SCHEME_SCORING, target=scheme, extra={"pending": pending})
    return scheme


@transaction.atomic
def assessor_score_submit(
    *, actor: Any, target: AssessmentTarget, scores: dict[str, Any], comments: str = ""
) -> AssessorScore:
    """An assessor scores a target's qualitative items (and gives bonus points without a per-unit rule).
    Each score lies within the item's range and rubric, two decimals at most; every qualitative item is
    scored; an assessor never scores their own town or department; submitted scores are locked.
    Raises ``RowErrors`` naming the item, or ``BusinessError``."""
    target = AssessmentTarget.objects.select_for_update().select_related("scheme").get(pk=target.pk)
    if is_own_assessee(actor, target):
        raise _forbid("考核人员不能为本单位评分。")
    if not can_score_target(actor, target):
        raise _forbid("您不是该考核方案的考核人员。")
    if target.scheme.status != SchemeStatus.SCORING:
        raise BusinessError("考核方案不在评分阶段。", code="bad_transition")
    if AssessorScore.objects.filter(target=target, assessor=actor).exists():
        raise BusinessError("您已提交该单位的评分，不能重复提交或修改。", code="locked")
    template = parse_template(target.scheme.template)
    cleaned: dict[str, str] = {}
    errors: dict[str, list[str]] = {}
    for item in template.items:
        if item.kind == "qualitative" or (item.kind == "bonus" and item.per_unit is None):
            raw = (scores or {}).get(item.code)
            if raw in (None, ""):
                if item.kind == "qualitative":
                    errors.setdefault(item.code, []).append(f"请为“{item.name}”评分。")
                continue
            try:
                value = _decimal(raw, field=item.code, label=f"“{item.name}”的得分")
            except RowErrors as exc:
                errors.update(exc.errors)
                continue
            assert value is not None
            limit = item.weight if item.kind == "qualitative" else item.max_points
            reason = engine.check_score(item, value) if item.kind == "qualitative" else None
            if reason is None and not Decimal(0) <= value <= limit:
                reason = f"“{item.name}”的得分应在 0 至 {limit.normalize():f} 分之间。"
            if reason:
                errors.setdefault(item.code, []).append(reason)
                continue
            cleaned[item.code] = str(value)
    unknown = set(scores or {}) - {i.code for i in template.items}
    for code in sorted(unknown):
        errors.setdefault(code, []).append("考核细则中没有该指标。")
    if errors:
        raise RowErrors(errors)
    row = AssessorScore.objects.create(target=target, assessor=actor, scores=cleaned, comments=comments.strip())
    log_operation(actor=actor, action=actions.SCORE_SUBMIT, target=target, extra={"scores": cleaned})
    return row


def _indicator_actual(item: engine.Item, target: AssessmentTarget) -> tuple[Decimal, int] | None:
    indicator = get_indicator(item.indicator) if item.indicator else None
    if indicator is None:
        return None
    year = target.scheme.year
    records = indicator.records(target.region_id, date(year, 1, 1), date(year, 12, 31))
    return Decimal(indicator.value(records)), int(records.count())


def _inputs(template: engine.Template, target: AssessmentTarget) -> tuple[dict[str, engine.ItemInput], dict[str, Any]]:
    scores = list(target.scores.all())
    inputs: dict[str, engine.ItemInput] = {}
    provenance: dict[str, Any] = {}
    for item in template.items:
        entry = target.self_values.get(item.code, {})
        given = engine.ItemInput()
        if item.kind in ("quantitative", "bonus"):
            if entry.get("actual") not in (None, ""):
                given.actual = Decimal(entry["actual"])
                provenance[item.code] = {"source": "self"}
            else:
                found = _indicator_actual(item, target)
                if found is not None:
                    given.actual = found[0]
                    provenance[item.code] = {"source": "indicator", "indicator": item.indicator, "records": found[1]}
            target_value = target.targets.get(item.code)
            given.target = Decimal(target_value) if target_value not in (None, "") else None
        if item.kind == "qualitative" or (item.kind == "bonus" and item.per_unit is None):
            given.scores = [Decimal(s.scores[item.code]) for s in scores if item.code in s.scores]
        if item.kind == "deduction":
            given.count = int(entry.get("count") or 0)
        if item.kind == "veto":
            given.triggered = bool(entry.get("triggered"))
        inputs[item.code] = given
    return inputs, provenance


def _result_dict(result: engine.Result, provenance: dict[str, Any]) -> dict[str, Any]:
    return {
        "rule_version": result.rule_version,
        "base": str(result.base),
        "bonus": str(result.bonus),
        "deduction": str(result.deduction),
        "score": str(result.total),
        "vetoed_by": list(result.vetoed_by),
        "items": [
            {
                "code": s.code,
                "name": s.name,
                "kind": s.kind,
                "score": str(s.score),
                "explanation": s.explanation,
                **({"provenance": provenance[s.code]} if s.code in provenance else {}),
            }
            for s in result.items
        ],
    }


@transaction.atomic
def scheme_compute(*, actor: Any, scheme: AssessmentScheme) -> list[AssessmentTarget]:
    """Compute every target's total (engine score + appeal adjustment), grade and rank. Allowed while
    scoring and, after an accepted appeal, on a published scheme. Logged with the totals."""
    scheme = AssessmentScheme.objects.select_for_update().get(pk=scheme.pk)
    if not can_manage_assessment(actor, scheme):
        raise _forbid("您没有计算该考核方案得分的权限。")
    if scheme.status not in (SchemeStatus.SCORING, SchemeStatus.PUBLISHED):
        raise BusinessError("只有评分阶段或已公布的方案可以计算得分。", code="bad_transition")
    template = parse_template(scheme.template)
    targets = list(scheme.targets.select_for_update().order_by("pk"))
    totals: list[tuple[int, Decimal]] = []
    for target in targets:
        inputs, provenance = _inputs(template, target)
        try:
            result = engine.score(template, inputs)
        except engine.ScoreError as exc:
            raise BusinessError(f"{target.assessee_name}：{exc}", code="invalid") from None
        total = max(result.total + target.adjustment, Decimal(0))
        vetoed = bool(result.vetoed_by)
        target.total = total
        target.grade = template.bands[-1][0] if vetoed else template.grade_for(total)
        target.result = _result_dict(result, provenance)
        totals.append((target.pk, total))
    ranks = engine.rank(totals)
    for target in targets:
        target.rank = ranks[target.pk]
        with acting(actor):
            target.save(update_fields=["total", "grade", "result", "rank", "updated_at"])
    scheme.computed_at = timezone.now()
    with acting(actor):
        scheme.save(update_fields=["computed_at", "updated_at"])
    log_operation(
        actor=actor,
        action=actions.SCHEME_COMPUTE,
        target=scheme,
        extra={"totals": {t.assessee_name: str(t.total) for t in targets}},
    )
    return targets


@transaction.atomic
def scheme_publish(*, actor: Any, scheme: AssessmentScheme) -> AssessmentScheme:
    """公布: compute once more, then publish the scheme and every target's result."""
    scheme_compute(actor=actor, scheme=scheme)
    scheme = AssessmentScheme.objects.select_for_update().get(pk=scheme.pk)
    scheme.published_at = timezone.now()
    apply_transition(
        obj=scheme,
        workflow=SCHEME_FLOW,
        action="publish",
        actor=actor,
        transition_model=SchemeTransition,
        fk_name="scheme",
        update_fields=["published_at"],
    )
    for target in scheme.targets.select_for_update():
        apply_transition(
            obj=target,
            workflow=TARGET_FLOW,
            action="publish",
            actor=actor,
            transition_model=TargetTransition,
            fk_name="target",
        )
    log_operation(actor=actor, action=actions.SCHEME_PUBLISH, target=scheme)
    return scheme


@transaction.atomic
def appeal_file(*, actor: Any, target: AssessmentTarget, reason: str) -> AssessmentAppeal:
    """申诉 by the assessee after publication (one open appeal at a time)."""
    target = AssessmentTarget.objects.select_for_update().select_related("scheme").get(pk=target.pk)
    if not can_self_assess(actor, target):
        raise _forbid("您没有为该单位申诉的权限。")
    if target.status != TargetStatus.PUBLISHED:
        raise BusinessError("考核结果公布后才能申诉。", code="bad_transition")
    if not (reason or "").strip():
        raise BusinessError("请填写申诉理由。", code="required", field="reason")
    if target.appeals.filter(status=AppealStatus.OPEN).exists():
        raise BusinessError("已有待处理的申诉。", code="duplicate")
    appeal = AssessmentAppeal.objects.create(target=target, reason=reason.strip(), filed_by=actor)
    log_operation(actor=actor, action=actions.APPEAL_FILE, target=target, extra={"appeal": appeal.pk})
    return appeal


@transaction.atomic
def appeal_decide(
    *, actor: Any, appeal: AssessmentAppeal, accept: bool, decision: str, adjustment: Any = 0
) -> AssessmentAppeal:
    """Decide an appeal. Accepting adds ``adjustment`` points (may be negative, two decimals) to the
    target's total and recomputes grades and ranks of the whole scheme; the change is in the target's
    field history with the decision as the reason."""
    appeal = AssessmentAppeal.objects.select_for_update().select_related("target__scheme").get(pk=appeal.pk)
    target = appeal.target
    if not can_manage_assessment(actor, target.scheme):
        raise _forbid("您没有处理申诉的权限。")
    if appeal.status != AppealStatus.OPEN:
        raise BusinessError("该申诉已处理。", code="bad_transition")
    if not (decision or "").strip():
        raise BusinessError("请填写处理意见。", code="required", field="decision")
    points = _decimal(adjustment or 0, field="adjustment", label="调整分") or Decimal(0)
    appeal.status = AppealStatus.ACCEPTED if accept else AppealStatus.REJECTED
    appeal.decision, appeal.decided_by, appeal.decided_at = decision.strip(), actor, timezone.now()
    appeal.adjustment = points if accept else Decimal(0)
    appeal.save()
    if accept and points:
        locked = AssessmentTarget.objects.select_for_update().get(pk=target.pk)
        locked.adjustment = locked.adjustment + points
        with acting(actor, decision):
            locked.save(update_fields=["adjustment", "updated_at"])
        scheme_compute(actor=actor, scheme=target.scheme)
    log_operation(
        actor=actor,
        action=actions.APPEAL_DECIDE,
        target=target,
        extra={"appeal": appeal.pk, "accepted": accept, "adjustment": str(appeal.adjustment)},
    )
    return appeal


# ----------------------------------------------------------------- 年中进度 (mid-year progress)


def midyear_items(template: engine.Template) -> list[engine.Item]:
    """The items a mid-year report covers: quantitative ones (value so far) and qualitative ones (text)."""
    return [item for item in template.items if item.kind in MIDYEAR_KINDS]


def midyear_open(target: AssessmentTarget) -> bool:
    """Whether the target's mid-year progress may be reported now (see ``choices.MIDYEAR_SCHEME_STATES``):
    never again once the self-assessment has been submitted, even if it was returned for correction."""
    return (
        target.scheme.status in MIDYEAR_SCHEME_STATES
        and target.status in MIDYEAR_TARGET_STATES
        and target.self_submitted_at is None
    )


def _check_open_for_midyear(target: AssessmentTarget, actor: Any) -> None:
    if not can_self_assess(actor, target):
        raise _forbid("您没有报送该单位年中进度的权限。")
    if not midyear_open(target):
        raise BusinessError(
            "年中进度只能在目标任务已下达、本单位提交自评之前报送；当前方案状态为“%s”，目标任务书状态为“%s”%s。"
            % (
                target.scheme.get_status_display(),
                target.get_status_display(),
                "（已提交过自评）" if target.self_submitted_at is not None else "",
            ),
            code="bad_transition",
        )


def midyear_evidence_for(progress: MidyearProgress | None) -> dict[str, list[Attachment]]:
    """Evidence attachments of a mid-year report by item code."""
    from django.contrib.contenttypes.models import ContentType

    if progress is None or progress.pk is None:
        return {}
    found: dict[str, list[Attachment]] = {}
    rows = Attachment.objects.filter(
        owner_type=ContentType.objects.get_for_model(MidyearProgress), owner_id=str(progress.pk), is_archived=False
    ).order_by("created_at")
    for attachment in rows:
        found.setdefault(attachment.purpose.partition(":")[2], []).append(attachment)
    return found


def _clean_midyear(template: engine.Template, values: Any) -> dict[str, dict[str, str]]:
    cleaned: dict[str, dict[str, str]] = {}
    errors: dict[str, list[str]] = {}
    if not isinstance(values, dict) or not values:
        raise RowErrors({"values": ["请至少填报一项指标的年中进度。"]})
    for code, raw in values.items():
        code = str(code)
        item = template.item(code)
        if item is None:
            errors.setdefault(code, []).append(f"考核细则中没有指标“{code}”。")
            continue
        if item.kind not in MIDYEAR_KINDS:
            errors.setdefault(code, []).append(f"“{item.name}”不是定量或定性指标，不报送年中进度。")
            continue
        raw = raw if isinstance(raw, dict) else {}
        note = str(raw.get("note") or "").strip()
        if "\x00" in note:
            errors.setdefault(code, []).append(f"“{item.name}”的进展情况含有空字符（NUL），请删除后再报送。")
            continue
        if len(note) > 2000:
            errors.setdefault(code, []).append(f"“{item.name}”的进展情况最多 2000 字。")
            continue
        if item.kind == "qualitative":
            if not note:
                errors.setdefault(code, []).append(f"请填写“{item.name}”的进展情况。")
                continue
            cleaned[code] = {"note": note}
            continue
        raw_value = raw.get("value")
        if raw_value is None or str(raw_value).strip() == "":
            errors.setdefault(code, []).append(f"请填写“{item.name}”的累计完成值。")
            continue
        try:
            value = _decimal(raw_value, field=code, label=f"“{item.name}”的累计完成值")
        except RowErrors as exc:
            for key, messages in exc.errors.items():
                errors.setdefault(key, []).extend(messages)
            continue
        if value is None or value < 0:
            errors.setdefault(code, []).append(f"“{item.name}”的累计完成值不能为负数。")
            continue
        if value >= MIDYEAR_VALUE_LIMIT:
            errors.setdefault(code, []).append(f"“{item.name}”的累计完成值过大（整数部分最多 15 位）。")
            continue
        cleaned[code] = {"value": str(value), "note": note}
    if errors:
        raise RowErrors(errors)
    return cleaned


@transaction.atomic
def midyear_report(
    *,
    actor: Any,
    target: AssessmentTarget,
    values: dict[str, dict[str, Any]],
    evidence: list[tuple[str, IO[bytes], str]] | None = None,
) -> MidyearProgress:
    """报送年中进度: ``values`` per item code — quantitative ``{"value": 累计完成, "note": 进展情况}`` (a number,
    not negative, two decimals at most), qualitative ``{"note": 进展情况}`` —, and optional evidence files
    ``(item code, file, name)``. Only by the assessee (or bureau staff for it), while the scheme is issued and
    the assessee has not submitted its self-assessment. A new report replaces the earlier values (which stay
    in the record's history); the year-end self-assessment and scoring never read it. Raises ``RowErrors``
    naming the item or ``BusinessError``; nothing is stored on error. Logged as ``assessment.midyear_report``."""
    target = AssessmentTarget.objects.select_for_update().select_related("scheme").get(pk=target.pk)
    _check_open_for_midyear(target, actor)
    template = parse_template(target.scheme.template)
    cleaned = _clean_midyear(template, values)
    files = list(evidence or [])
    allowed = {item.code for item in midyear_items(template)}
    wrong = sorted({code for code, _, _ in files if code not in allowed})
    if wrong:
        raise RowErrors({"evidence_item": [f"佐证材料对应的指标“{code}”不在年中进度的指标中。" for code in wrong]})
    progress = MidyearProgress.objects.select_for_update().filter(target=target).first()
    replaced = progress is not None
    if progress is None:
        progress = MidyearProgress(target=target, region_id=target.region_id)
    progress.values = cleaned
    progress.reported_at = timezone.now()
    progress.reported_by = actor
    with acting(actor, "重新报送年中进度" if replaced else ""):
        progress.save()
    for code, fileobj, name in files:
        attachment_create(
            actor=actor,
            fileobj=fileobj,
            name=name,
            region=target.region_id,
            owner=progress,
            purpose=f"{MIDYEAR_EVIDENCE_PURPOSE}:{code}",
        )
    log_operation(
        actor=actor,
        action=actions.MIDYEAR_REPORT,
        target=target,
        extra={"items": sorted(cleaned), "replaced": replaced, "evidence": [code for code, _, _ in files]},
    )
    return progress


@transaction.atomic
def midyear_threshold_set(*, actor: Any, scheme: AssessmentScheme, threshold: Any) -> AssessmentScheme:
    """Set the scheme's 年中滞后阈值 (percent of the target below which a mid-year value is 滞后): 0 to 100,
    one decimal at most; editable until the results are published. Logged as ``assessment.midyear_threshold``."""
    scheme = AssessmentScheme.objects.select_for_update().get(pk=scheme.pk)
    if not can_manage_assessment(actor, scheme):
        raise _forbid("您没有修改该考核方案的权限。")
    if scheme.status == SchemeStatus.PUBLISHED:
        raise BusinessError(
            "考核结果已公布，年中滞后阈值不能再修改。", code="bad_transition", field="midyear_threshold"
        )
    if threshold is None or str(threshold).strip() == "":
        raise RowErrors({"midyear_threshold": ["请填写年中滞后阈值（%）。"]})
    value = _decimal(str(threshold).strip(), field="midyear_threshold", label="年中滞后阈值", places=1)
    if value is None or not Decimal(0) <= value <= Decimal(100):
        raise RowErrors({"midyear_threshold": ["年中滞后阈值应在 0 至 100 之间（%）。"]})
    before = scheme.midyear_threshold
    scheme.midyear_threshold = value
    with acting(actor):
        scheme.save(update_fields=["midyear_threshold", "updated_at"])
    log_operation(
        actor=actor,
        action=actions.MIDYEAR_THRESHOLD,
        target=scheme,
        extra={"from": str(before), "to": str(value)},
    )
    return scheme

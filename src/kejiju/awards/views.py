"""Pages of S&T awards: cycles, nominations, the decision, public publicity, winners' archive."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from kejiju.awards import selectors, services
from kejiju.awards.choices import CYCLE_FLOW, NOMINATION_FLOW, CycleStatus, NominationStatus
from kejiju.awards.models import Nomination, Objection
from kejiju.awards.permissions import can_edit_nomination, can_manage_awards, can_view_awards
from kejiju.awards.review import KEY as REVIEW_SOURCE_KEY
from kejiju.core.errors import BusinessError, RowErrors
from kejiju.core.listing import Column, ListPage, render_list


def _errors(exc: BusinessError) -> list[str]:
    if isinstance(exc, RowErrors):
        return [m for messages_ in exc.errors.values() for m in messages_]
    return [exc.message]


def _flash(request: HttpRequest, exc: BusinessError) -> None:
    for message in _errors(exc):
        messages.error(request, message)


def _aware(text: str) -> datetime | None:
    try:
        return timezone.make_aware(datetime.fromisoformat(text))
    except (ValueError, TypeError):
        return None


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except (ValueError, TypeError):
        return None


# the scoring criteria suggested for a cycle's expert review (weights add to 100; staff may change them)
REVIEW_CRITERIA = "创新程度:30\n技术水平与难度:25\n经济社会效益:30\n推广应用前景:15"

CYCLE_COLUMNS = [
    Column("奖励", lambda c: c.programme.name, link=True),
    Column("年度", lambda c: c.year, sort="year"),
    Column("区划", lambda c: c.region.name, sort="region_id"),
    Column("推荐截止", lambda c: timezone.localtime(c.closes_at).strftime("%Y-%m-%d %H:%M"), sort="closes_at"),
    Column("推荐项目", lambda c: c.nomination_count),
    Column("状态", lambda c: c.get_status_display(), sort="status"),
]


@login_required
def cycle_list_view(request: HttpRequest) -> HttpResponse:
    page = ListPage(
        "科技奖励",
        CYCLE_COLUMNS,
        default_sort="-year",
        export_name="award_cycles",
        row_url=lambda c: reverse("awards:cycle_detail", args=[c.pk]),
        actions_template="awards/cycle_list_actions.html",
    )
    return render_list(request, selectors.cycle_list(user=request.user, filters=request.GET.dict()), page)


@login_required
def programme_create_view(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("awards.add_awardprogramme"):
        raise PermissionDenied
    errors: list[str] = []
    values = {
        "name": "",
        "categories": "科技进步奖，科技成果转化奖",
        "grades": "一等奖,50000,2\n二等奖,30000,4\n三等奖,10000,8",
        "rules": "",
        "year": str(timezone.localdate().year),
        "opens_at": "",
        "closes_at": "",
        "vote_quorum": "2/3",
        "vote_pass": "2/3",
        "vote_pass_exceeds": "",
    }
    if request.method == "POST":
        values = {k: request.POST.get(k, "") for k in values}
        grades = []
        for n, line in enumerate(values["grades"].splitlines(), start=1):
            parts = [p.strip() for p in line.replace("，", ",").split(",")]
            if not any(parts):
                continue
            if len(parts) < 2:
                errors.append(f"奖励等级第{n}行应为“等级,奖金,名额”。")
                continue
            grades.append({"grade": parts[0], "prize": parts[1], "quota": parts[2] if len(parts) > 2 else None})
        opens, closes = _aware(values["opens_at"]), _aware(values["closes_at"])
        if opens is None or closes is None:
            errors.append("请填写推荐起止时间。")
        if not errors:
            try:
                programme = services.programme_save(
                    actor=request.user,
                    name=values["name"],
                    categories=[c for c in values["categories"].replace("，", ",").split(",")],
                    grades=grades,
                    rules=values["rules"],
                    vote_quorum=values["vote_quorum"],
                    vote_pass=values["vote_pass"],
                    vote_pass_exceeds=bool(values["vote_pass_exceeds"]),
                )
                assert opens is not None and closes is not None
                cycle = services.cycle_save(
                    actor=request.user,
                    programme=programme,
                    year=int(values["year"]) if values["year"].isdigit() else 0,
                    opens_at=opens,
                    closes_at=closes,
                )
            except BusinessError as exc:
                errors.extend(_errors(exc))
            else:
                messages.success(request, "奖励项目和年度已创建。")
                return HttpResponseRedirect(reverse("awards:cycle_detail", args=[cycle.pk]))
    return render(
        request, "awards/programme_form.html", {"values": values, "errors": errors}, status=400 if errors else 200
    )


@login_required
def cycle_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = selectors.cycle_get(user=request.user, pk=pk)
    manage = can_manage_awards(request.user, cycle)
    review_url = ""
    if manage and cycle.status == CycleStatus.REVIEW and request.user.has_perm("review.add_reviewbatch"):
        # the checked nominations are offered as candidates of the review module's new batch form
        review_url = "%s?%s" % (
            reverse("review:batch_create"),
            urlencode(
                {
                    "source_key": REVIEW_SOURCE_KEY,
                    "kind": "award",
                    "filter_cycle": str(cycle.pk),
                    "title": "%s专家评审" % cycle,
                    "criteria": REVIEW_CRITERIA,
                }
            ),
        )
    return render(
        request,
        "awards/cycle_detail.html",
        {
            "cycle": cycle,
            "nominations": selectors.nomination_list(user=request.user, cycle=cycle).order_by("review_rank", "pk"),
            "can_manage": manage,
            "actions": CYCLE_FLOW.available(cycle.status) if manage else [],
            "can_nominate": cycle.status == CycleStatus.OPEN and timezone.now() <= cycle.closes_at,
            "review_url": review_url,
            "meeting": selectors.meeting_of(cycle=cycle),
            "votes": list(selectors.vote_list(user=request.user, cycle=cycle)) if can_view_awards(request.user) else [],
            "can_vote": manage and cycle.status == CycleStatus.REVIEW,
            "review_batches": list(selectors.review_batches(user=request.user, cycle=cycle))
            if can_view_awards(request.user, cycle)
            else [],
        },
    )


@login_required
@require_POST
def cycle_step_view(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    cycle = selectors.cycle_get(user=request.user, pk=pk)
    try:
        services.cycle_step(
            actor=request.user,
            cycle=cycle,
            action=action,
            reason=request.POST.get("reason", ""),
            publicity_from=_date(request.POST.get("publicity_from", "")),
            publicity_until=_date(request.POST.get("publicity_until", "")),
        )
        messages.success(request, "已%s。" % CYCLE_FLOW.action(action).label)
    except BusinessError as exc:
        _flash(request, exc)
    return HttpResponseRedirect(reverse("awards:cycle_detail", args=[cycle.pk]))


def _members_from(text: str) -> list[dict[str, str]]:
    members = []
    for line in text.splitlines():
        parts = [p.strip() for p in line.replace("，", ",").split(",")]
        if any(parts):
            members.append(
                {
                    "name": parts[0],
                    "id_number": parts[1] if len(parts) > 1 else "",
                    "contribution": parts[2] if len(parts) > 2 else "",
                }
            )
    return members


def _nomination_form(request: HttpRequest, cycle: Any, nomination: Nomination | None) -> HttpResponse:
    from kejiju.orgs.selectors import organization_list, organizations_of_user

    own = list(organizations_of_user(user=request.user))
    errors: list[str] = []
    if nomination is not None:
        values = {
            "organization": str(nomination.organization_id),
            "title": nomination.title,
            "category": nomination.category,
            "summary": nomination.summary,
            "benefits": nomination.benefits,
            "field_keywords": nomination.field_keywords,
            "members": "\n".join(
                f"{m.person.name},{m.person.id_number},{m.contribution}"
                for m in nomination.members.select_related("person")
            ),
        }
    else:
        values = {
            "organization": str(own[0].pk) if own else "",
            "title": "",
            "category": "",
            "summary": "",
            "benefits": "",
            "field_keywords": "",
            "members": "",
        }
    if request.method == "POST":
        values = {k: request.POST.get(k, "") for k in values}
        organization = next((o for o in own if str(o.pk) == values["organization"]), None)
        if organization is None and values["organization"].isdigit():
            organization = (
                organization_list(user=request.user, filters={}).filter(pk=int(values["organization"])).first()
            )
        if organization is None:
            errors.append("请选择推荐单位（本单位）。")
        else:
            try:
                saved = services.nomination_save(
                    actor=request.user,
                    cycle=cycle,
                    organization=organization,
                    nomination=nomination,
                    data=values,
                    members=_members_from(values["members"]),
                )
            except BusinessError as exc:
                errors.extend(_errors(exc))
            else:
                messages.success(request, "推荐材料已保存。")
                return HttpResponseRedirect(reverse("awards:nomination_detail", args=[saved.pk]))
    return render(
        request,
        "awards/nomination_form.html",
        {"cycle": cycle, "nomination": nomination, "values": values, "errors": errors, "own": own},
        status=400 if errors else 200,
    )


@login_required
def nomination_create_view(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = selectors.cycle_get(user=request.user, pk=pk)
    return _nomination_form(request, cycle, None)


@login_required
def nomination_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    nomination = selectors.nomination_get(user=request.user, pk=pk)
    if not can_edit_nomination(request.user, nomination):
        raise PermissionDenied
    return _nomination_form(request, nomination.cycle, nomination)


@login_required
def nomination_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    nomination = selectors.nomination_get(user=request.user, pk=pk)
    manage = can_manage_awards(request.user, nomination)
    steps = [
        a for a in NOMINATION_FLOW.available(nomination.status) if a.name in ("return", "pass", "reject", "revoke")
    ]
    history = [
        {
            "at": t.at,
            "actor": (t.actor.full_name or t.actor.username) if t.actor else "系统",
            "label": NOMINATION_FLOW.actions[t.action].label if t.action in NOMINATION_FLOW.actions else t.action,
            "reason": t.reason,
        }
        for t in nomination.transitions.select_related("actor")
    ]
    return render(
        request,
        "awards/nomination_detail.html",
        {
            "n": nomination,
            "members": nomination.members.select_related("person"),
            "can_manage": manage,
            "can_edit": can_edit_nomination(request.user, nomination),
            "steps": steps if manage else [],
            "in_review": nomination.cycle.status == CycleStatus.REVIEW,
            "grades": nomination.cycle.programme.grades,
            "objections": nomination.objections.select_related("resolved_by"),
            "payments": nomination.payments.all(),
            "history": history,
            "granted": nomination.status == NominationStatus.GRANTED,
            "votes": list(
                nomination.votes.select_related("recorded_by", "overridden_by").order_by("-recorded_at", "-pk")
            )
            if can_view_awards(request.user, nomination)
            else [],
            "vote": services.current_vote(nomination),
            "review_batches": list(selectors.review_batches(user=request.user, nomination=nomination))
            if can_view_awards(request.user, nomination)
            else [],
        },
    )


@login_required
@require_POST
def nomination_action_view(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    nomination = selectors.nomination_get(user=request.user, pk=pk)
    post = request.POST
    try:
        if action in ("submit", "return", "pass", "reject", "revoke"):
            services.nomination_step(
                actor=request.user, nomination=nomination, action=action, reason=post.get("reason", "")
            )
        elif action == "review":
            from decimal import Decimal, InvalidOperation

            try:
                score = Decimal(post.get("score", ""))
            except InvalidOperation:
                raise RowErrors({"score": ["评审得分应为数字。"]}) from None
            services.nomination_review_result(
                actor=request.user,
                nomination_id=nomination.pk,
                score=score,
                rank=int(post["rank"]) if post.get("rank", "").isdigit() else None,
                opinions=[post.get("opinions", "")],
            )
        elif action == "override":
            services.vote_override(
                actor=request.user, nomination=nomination, grade=post.get("grade", ""), reason=post.get("reason", "")
            )
        elif action == "pay":
            paid_on = _date(post.get("paid_on", ""))
            if paid_on is None:
                raise RowErrors({"paid_on": ["请填写发放日期。"]})
            services.prize_pay(
                actor=request.user,
                nomination=nomination,
                amount=post.get("amount", ""),
                paid_on=paid_on,
                payee=post.get("payee", ""),
                voucher=post.get("voucher", ""),
            )
        elif action == "certificate":
            services.certificate_issue(actor=request.user, nomination=nomination)
        else:
            raise BusinessError("未知的操作。", code="unknown_action")
        messages.success(request, "操作已完成。")
    except BusinessError as exc:
        _flash(request, exc)
    return HttpResponseRedirect(reverse("awards:nomination_detail", args=[nomination.pk]))


@login_required
@require_POST
def objection_resolve_view(request: HttpRequest, pk: int) -> HttpResponse:
    objection = get_object_or_404(Objection, pk=pk)
    nomination = selectors.nomination_get(user=request.user, pk=objection.nomination_id)
    try:
        services.objection_resolve(
            actor=request.user,
            objection=objection,
            upheld=request.POST.get("upheld") == "1",
            resolution=request.POST.get("resolution", ""),
        )
        messages.success(request, "异议已处理。")
    except BusinessError as exc:
        _flash(request, exc)
    return HttpResponseRedirect(reverse("awards:nomination_detail", args=[nomination.pk]))


def publicity_view(request: HttpRequest) -> HttpResponse:
    """Public page (no login): the proposed awards in publicity, and a form to object (实名)."""
    errors: list[str] = []
    if request.method == "POST":
        nomination = get_object_or_404(selectors.publicity_list(), pk=request.POST.get("nomination") or 0)
        try:
            services.objection_file(
                nomination=nomination,
                filed_by_name=request.POST.get("filed_by_name", ""),
                contact=request.POST.get("contact", ""),
                content=request.POST.get("content", ""),
            )
        except BusinessError as exc:
            errors = _errors(exc)
        else:
            messages.success(request, "异议已收到，我们将核实处理。")
            return HttpResponseRedirect(reverse("awards:publicity"))
    return render(
        request,
        "awards/publicity.html",
        {"rows": selectors.publicity_list(), "errors": errors},
        status=400 if errors else 200,
    )


@login_required
def winners_view(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("awards.view_nomination"):
        raise PermissionDenied
    q = request.GET.get("q", "")
    local, higher = selectors.winners(user=request.user, q=q)
    return render(request, "awards/winners.html", {"local": local[:200], "higher": higher[:200], "q": q})


# ------------------------------------------------------------------------------------------ committee vote


def _manage_in_review(request: HttpRequest, pk: int) -> Any:
    cycle = selectors.cycle_get(user=request.user, pk=pk)
    if not can_manage_awards(request.user, cycle):
        raise PermissionDenied
    return cycle


def _committee_from(text: str) -> list[dict[str, str]]:
    members = []
    for line in text.splitlines():
        parts = [p.strip() for p in line.replace("，", ",").split(",", 1)]
        if any(parts):
            members.append({"name": parts[0], "unit": parts[1] if len(parts) > 1 else ""})
    return members


@login_required
def meeting_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The form of the cycle's 评审委员会会议: date, place, members (one a line: 姓名,单位), present."""
    cycle = _manage_in_review(request, pk)
    meeting = selectors.meeting_of(cycle=cycle)
    errors: list[str] = []
    values = {
        "held_on": meeting.held_on.isoformat() if meeting else timezone.localdate().isoformat(),
        "place": meeting.place if meeting else "",
        "members": "\n".join(f"{m['name']},{m['unit']}" for m in meeting.members) if meeting else "",
        "members_present": str(meeting.members_present) if meeting else "",
    }
    if request.method == "POST":
        values = {k: request.POST.get(k, "") for k in values}
        try:
            services.meeting_save(
                actor=request.user,
                cycle=cycle,
                held_on=_date(values["held_on"]),
                place=values["place"],
                members=_committee_from(values["members"]),
                members_present=values["members_present"],
            )
        except BusinessError as exc:
            errors = _errors(exc)
        else:
            messages.success(request, "评审委员会会议已登记。")
            return HttpResponseRedirect(reverse("awards:vote_sheet", args=[cycle.pk]))
    programme = cycle.programme
    return render(
        request,
        "awards/meeting_form.html",
        {
            "cycle": cycle,
            "meeting": meeting,
            "values": values,
            "errors": errors,
            "quorum": meeting.quorum if meeting else programme.vote_quorum,
            "pass_fraction": meeting.pass_fraction if meeting else programme.vote_pass,
            "pass_exceeds": meeting.pass_exceeds if meeting else programme.vote_pass_exceeds,
        },
        status=400 if errors else 200,
    )


@login_required
def vote_sheet_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The vote sheet: one row per checked nomination with its expert review result; the proposed grade
    and the counts for, against and abstaining. All rows are recorded or none."""
    cycle = _manage_in_review(request, pk)
    meeting = selectors.meeting_of(cycle=cycle)
    if meeting is None:
        messages.error(request, "请先登记评审委员会会议（日期、地点、委员和出席人数）。")
        return HttpResponseRedirect(reverse("awards:meeting", args=[cycle.pk]))
    nominations = list(
        selectors.nomination_list(user=request.user, cycle=cycle)
        .filter(status__in=services.VOTABLE)
        .order_by("review_rank", "pk")
    )
    current = {v.nomination_id: v for v in selectors.vote_list(user=request.user, cycle=cycle)}
    grades = [g["grade"] for g in cycle.programme.grades]
    errors: list[str] = []
    posted: dict[str, str] = {}
    if request.method == "POST":
        posted = request.POST.dict()
        rows = []
        for n in nominations:
            row = {
                k: posted.get(f"{k}_{n.pk}", "").strip()
                for k in ("grade", "votes_for", "votes_against", "votes_abstain")
            }
            if not any(row[k] for k in ("votes_for", "votes_against", "votes_abstain")):
                continue  # not voted yet at this sitting
            rows.append({"nomination": n.pk, **row})
        try:
            recorded = services.vote_sheet(actor=request.user, cycle=cycle, rows=rows)
        except BusinessError as exc:
            errors = _errors(exc)
        else:
            messages.success(request, "已录入 %s 项表决结果。" % len(recorded))
            return HttpResponseRedirect(reverse("awards:cycle_detail", args=[cycle.pk]))

    def field(n: Nomination, name: str, default: str) -> str:
        return posted.get(f"{name}_{n.pk}", default) if posted else default

    sheet = []
    for n in nominations:
        vote = current.get(n.pk)
        default_grade = vote.grade if vote else (n.grade or (grades[-1] if grades else ""))
        sheet.append(
            {
                "n": n,
                "vote": vote,
                "grade": field(n, "grade", default_grade),
                "votes_for": field(n, "votes_for", str(vote.votes_for) if vote else ""),
                "votes_against": field(n, "votes_against", str(vote.votes_against) if vote else ""),
                "votes_abstain": field(n, "votes_abstain", str(vote.votes_abstain) if vote else ""),
            }
        )
    return render(
        request,
        "awards/vote_sheet.html",
        {"cycle": cycle, "meeting": meeting, "sheet": sheet, "grades": grades, "errors": errors},
        status=400 if errors else 200,
    )


VOTE_COLUMNS = [
    Column("评审排名", lambda v: v.nomination.review_rank or "—"),
    Column("成果名称", lambda v: v.nomination.title),
    Column("第一完成单位", lambda v: v.nomination.organization.name),
    Column("评审得分", lambda v: v.nomination.review_score if v.nomination.review_score is not None else "—"),
    Column("表决等级", lambda v: v.grade),
    Column("出席委员", lambda v: v.present),
    Column("赞成", lambda v: v.votes_for),
    Column("反对", lambda v: v.votes_against),
    Column("弃权", lambda v: v.votes_abstain),
    Column("表决结果", lambda v: v.result_display),
    Column("评定", lambda v: v.outcome_display),
    Column("调整理由", lambda v: v.override_reason if v.overridden else ""),
    Column("录入时间", lambda v: timezone.localtime(v.recorded_at).strftime("%Y-%m-%d %H:%M")),
]


@login_required
def vote_results_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The cycle's vote results (current votes) as a list, exported to Excel with ``?export=xlsx``."""
    cycle = selectors.cycle_get(user=request.user, pk=pk)
    if not can_view_awards(request.user, cycle):
        raise PermissionDenied
    page = ListPage(
        "%s评审委员会表决结果" % cycle,
        VOTE_COLUMNS,
        export_name="award_votes",
        row_url=lambda v: reverse("awards:nomination_detail", args=[v.nomination_id]),
    )
    crumbs = [
        {"url": reverse("awards:cycle_list"), "label": "科技奖励"},
        {"url": reverse("awards:cycle_detail", args=[cycle.pk]), "label": str(cycle)},
    ]
    votes: Any = selectors.vote_list(user=request.user, cycle=cycle)
    return render_list(request, votes, page, context={"breadcrumbs": crumbs})

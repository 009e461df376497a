"""Pages of technology transfer (成果转化): demands with ranked suggestions, achievements and their public
listing, matches and their status buttons, match events, technology contract registration with totals,
and co-operation agreements.

Staff pages need the model permission (403 without it) and read through region-scoped selectors (404
outside the region). Organization accounts (单位用户) post and follow their own demands and achievements.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import partial
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from kejiju.core.errors import BusinessError
from kejiju.core.forms.attachments import region_choices
from kejiju.core.listing import Column, ListPage, render_list
from kejiju.core.permissions import active_region_code
from kejiju.orgs.selectors import organization_list, organizations_of_user
from kejiju.transfer import selectors, services
from kejiju.transfer.choices import DemandStatus, MatchStatus, PairOutcome, TechField
from kejiju.transfer.forms import (
    OUTCOME_CHOICES,
    AchievementForm,
    ContractForm,
    CooperationForm,
    DemandForm,
    EventForm,
)
from kejiju.transfer.models import Match
from kejiju.transfer.permissions import (
    acts_for,
    can_change_achievement,
    can_change_contract,
    can_change_cooperation,
    can_change_demand,
    can_change_event,
    can_manage_match,
    can_register_contract,
    can_save_cooperation,
    can_save_event,
)
from kejiju.transfer.workflows import MATCH_WORKFLOW

#: Organizations offered in the staff's pick list (newest first beyond that: type the name to search).
ORG_CHOICES = 1000


def _require(request: HttpRequest, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied


def _money(value: Any) -> str:
    return "" if value is None else f"{value:,.2f}"


def _org_choices(request: HttpRequest, staff_perm: str) -> list[tuple[str, str]]:
    """The organizations the user may post for: staff — those in their region; accounts — their own."""
    user = request.user
    own = [(str(o.pk), o.name) for o in organizations_of_user(user=user)]
    if user.has_perm(staff_perm):
        qs = organization_list(user=user).order_by("name_initials")[:ORG_CHOICES]
        seen = {pk for pk, _ in own}
        own += [(str(o.pk), o.name) for o in qs if str(o.pk) not in seen]
    return own


def _org_of(request: HttpRequest, pk: str) -> Any:
    from kejiju.orgs.selectors import organization_get

    for org in organizations_of_user(user=request.user):
        if str(org.pk) == pk:
            return org
    try:
        return organization_get(user=request.user, pk=pk)
    except Http404:
        return None


def _form_page(
    request: HttpRequest, form: Any, title: str, back: str, template: str = "transfer/form.html"
) -> HttpResponse:
    form.mark_invalid()
    status = 400 if form.is_bound and form.errors else 200
    return render(request, template, {"form": form, "title": title, "back": back}, status=status)


def _values_of(obj: Any, form_class: Any, **given: Any) -> dict[str, Any]:
    """A record's present values of the form's fields, to fill its edit page; ``given``: the fields not read
    straight from the record (its organization, region, lines of text)."""
    return {name: getattr(obj, name) for name in form_class.base_fields if name not in given} | given


def _form_view(
    request: HttpRequest,
    make_form: Callable[..., Any],
    initial: Callable[[], dict[str, Any] | None],
    save: Callable[[dict[str, Any]], Any],
    done: Callable[[Any], tuple[str, str]],
    page: Callable[[Any], HttpResponse],
) -> HttpResponse:
    """A record's create or edit page (the caller has checked the permissions). GET: the form from
    ``make_form`` filled with ``initial()``. POST: a valid form's cleaned data go to ``save`` (the service),
    then the success message and the redirect that ``done`` gives for the saved record; an invalid form, or
    one the service refuses (its error on the form, nothing saved), is shown again by ``page`` (400)."""
    if request.method != "POST":
        return page(make_form(initial=initial()))
    form = make_form(request.POST)
    if form.is_valid():
        try:
            obj = save(dict(form.cleaned_data))
        except BusinessError as exc:
            form.add_service_error(exc)
        else:
            message, target = done(obj)
            messages.success(request, message)
            return redirect(target)
    return page(form)


# ------------------------------------------------------------------ demands


@login_required
def demand_list_view(request: HttpRequest) -> HttpResponse:
    """技术需求 (staff): search, field, status, export."""
    _require(request, "transfer.view_techdemand")
    filters = {k: request.GET.get(k, "")[:64] for k in ("q", "field", "status")}
    page = ListPage(
        title="技术需求",
        columns=[
            Column("需求名称", lambda d: d.title, sort="title", link=True),
            Column("需求单位", lambda d: d.enterprise.name),
            Column("技术领域", lambda d: d.get_field_display(), sort="field"),
            Column("预算（元）", lambda d: _money(d.budget), sort="budget"),
            Column("期望解决时间", lambda d: d.deadline.isoformat() if d.deadline else "", sort="deadline"),
            Column("状态", lambda d: d.get_status_display(), sort="status"),
            Column("所属区划", lambda d: d.region.name),
        ],
        default_sort="-created_at",
        export_name="transfer_demands",
        filters_template="transfer/demand_filters.html",
        actions_template="transfer/demand_actions.html",
        row_url=lambda d: reverse("transfer:demand_detail", args=[d.pk]),
    )
    context = {
        "filters": filters,
        "field_choices": TechField.choices,
        "status_choices": DemandStatus.choices,
        "can_add": request.user.has_perm("transfer.add_techdemand"),
    }
    return render_list(request, selectors.demand_list(user=request.user, filters=filters), page, context=context)


def _may_post(request: HttpRequest) -> bool:
    user = request.user
    return user.has_perm("transfer.add_techdemand") or (
        user.has_perm("transfer.post_techdemand") and organizations_of_user(user=user).exists()
    )


@login_required
@require_http_methods(["GET", "POST"])
def demand_create_view(request: HttpRequest) -> HttpResponse:
    """发布技术需求: an enterprise's account for itself, or staff for an enterprise in their region."""
    if not _may_post(request):
        raise PermissionDenied
    return _demand_form(request)


@login_required
@require_http_methods(["GET", "POST"])
def demand_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    """One demand: the ranked achievements (and experts, for staff) with the reason of each suggestion,
    the matches listed and their status buttons. Staff add a suggestion to the matches from here."""
    user = request.user
    if not (user.has_perm("transfer.view_techdemand") or user.has_perm("transfer.post_techdemand")):
        raise PermissionDenied
    demand = selectors.demand_get(user=user, pk=pk)
    staff = can_manage_match(user, demand)
    if request.method == "POST":
        if not staff:
            raise PermissionDenied
        return _propose(request, demand)
    achievements = selectors.achievement_suggestions(demand=demand)
    experts = selectors.expert_suggestions(user=user, demand=demand) if staff else []
    matches = list(selectors.demand_matches_for_owner(demand=demand))
    context = {
        "demand": demand,
        "achievements": achievements,
        "experts": experts,
        "matches": [{"m": m, "actions": MATCH_WORKFLOW.available(m.status) if staff else []} for m in matches],
        "staff": staff,
        "can_edit": can_change_demand(user, demand),
        "own": acts_for(user, demand.enterprise),
        "can_log": user.has_perm("core.view_operationlog"),
        "history_url": reverse("core:history_detail", kwargs={"model": "techdemand", "pk": demand.pk}),
    }
    return render(request, "transfer/demand_detail.html", context)


def _editable_demand(request: HttpRequest, pk: int) -> Any:
    """A demand the user may see (404 otherwise) and change (403 otherwise)."""
    if not (request.user.has_perm("transfer.change_techdemand") or request.user.has_perm("transfer.post_techdemand")):
        raise PermissionDenied
    demand = selectors.demand_get(user=request.user, pk=pk)
    if not can_change_demand(request.user, demand):
        raise PermissionDenied
    return demand


def _with_current(choices: list[tuple[str, str]], org: Any) -> list[tuple[str, str]]:
    """The pick list with the record's present organization in it (it may lie beyond the list's length)."""
    if any(pk == str(org.pk) for pk, _ in choices):
        return choices
    return [(str(org.pk), org.name), *choices]


@login_required
@require_http_methods(["GET", "POST"])
def demand_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    """修改技术需求: the enterprise's account or staff of its region; a closed demand is not changed."""
    demand = _editable_demand(request, pk)
    if demand.status == DemandStatus.CLOSED:
        messages.error(request, "需求已关闭，不能修改。")
        return redirect("transfer:demand_detail", pk=demand.pk)
    return _demand_form(request, demand)


def _demand_form(request: HttpRequest, demand: Any = None) -> HttpResponse:
    """The page that posts a demand or, given ``demand``, changes it."""
    if demand is None:
        choices = _org_choices(request, "transfer.add_techdemand")
        title, back = "发布技术需求", reverse("transfer:my_list")
    else:
        choices = _with_current(_org_choices(request, "transfer.change_techdemand"), demand.enterprise)
        title, back = "修改技术需求", reverse("transfer:demand_detail", args=[demand.pk])

    def initial() -> dict[str, Any] | None:
        return None if demand is None else _values_of(demand, DemandForm, organization=str(demand.enterprise_id))

    def save(data: dict[str, Any]) -> Any:
        org = _org_of(request, data.pop("organization"))
        return services.demand_save(actor=request.user, enterprise=org, data=data, demand=demand)

    def done(saved: Any) -> tuple[str, str]:
        if demand is None:
            return "已发布技术需求，下面是按内容匹配的成果推荐。", reverse("transfer:demand_detail", args=[saved.pk])
        return "已保存技术需求的修改。", back

    return _form_view(
        request,
        partial(DemandForm, organizations=choices),
        initial,
        save,
        done,
        lambda form: _form_page(request, form, title, back),
    )


@login_required
@require_POST
def demand_close_view(request: HttpRequest, pk: int) -> HttpResponse:
    """关闭需求 (solved elsewhere or withdrawn); the page asks for confirmation first."""
    demand = _editable_demand(request, pk)
    try:
        services.demand_close(actor=request.user, demand=demand)
    except BusinessError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已关闭技术需求“%s”。" % demand.title)
    return redirect("transfer:demand_detail", pk=demand.pk)


def _propose(request: HttpRequest, demand: Any) -> HttpResponse:
    kind = request.POST.get("kind")
    key = request.POST.get("key", "")
    suggestions = (
        selectors.achievement_suggestions(demand=demand, limit=50)
        if kind == "achievement"
        else selectors.expert_suggestions(user=request.user, demand=demand, limit=50)
    )
    chosen = next((s for s in suggestions if str(s.obj.pk) == key), None)
    if chosen is None:
        messages.error(request, "所选推荐已不在推荐列表中，请刷新后重试。")
        return redirect("transfer:demand_detail", pk=demand.pk)
    try:
        services.match_propose(
            actor=request.user,
            demand=demand,
            achievement=chosen.obj if kind == "achievement" else None,
            expert=chosen.obj if kind != "achievement" else None,
            score=chosen.score,
            explanation=chosen.explanation,
        )
    except BusinessError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已加入对接列表。")
    return redirect(reverse("transfer:demand_detail", args=[demand.pk]) + "#matches")


@login_required
@require_POST
def match_transition_view(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """确认对接 / 未达成 / 达成合作 (one POST per transition)."""
    _require(request, "transfer.change_match")
    match = selectors.match_get(user=request.user, pk=pk)
    try:
        services.match_transition(
            actor=request.user, match=match, action=action, reason=request.POST.get("reason", "")[:500]
        )
    except BusinessError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "对接状态已更新为“%s”。" % match.get_status_display())
    target = str(request.POST.get("next") or "")
    return redirect(target if target.startswith("/transfer/") else reverse("transfer:match_list"))


@login_required
def my_list_view(request: HttpRequest) -> HttpResponse:
    """本单位需求与成果 (单位用户)."""
    if not (request.user.has_perm("transfer.post_techdemand") or request.user.has_perm("transfer.add_techdemand")):
        raise PermissionDenied
    context = {
        "demands": selectors.own_demands(user=request.user).order_by("-created_at")[:100],
        "achievements": selectors.own_achievements(user=request.user).order_by("-created_at")[:100],
        "can_post": _may_post(request),
    }
    return render(request, "transfer/my_list.html", context)


# ------------------------------------------------------------------ achievements


@login_required
def achievement_list_view(request: HttpRequest) -> HttpResponse:
    _require(request, "transfer.view_achievement")
    filters = {k: request.GET.get(k, "")[:64] for k in ("q", "field")}
    page = ListPage(
        title="科技成果",
        columns=[
            Column("成果名称", lambda a: a.title, sort="title", link=True),
            Column("成果单位", lambda a: a.owner.name),
            Column("技术领域", lambda a: a.get_field_display(), sort="field"),
            Column("成熟度", lambda a: a.get_maturity_display(), sort="maturity"),
            Column("拟转化方式", lambda a: a.get_transfer_form_display()),
            Column("意向价格（元）", lambda a: "%s – %s" % (_money(a.price_min), _money(a.price_max))),
            Column("公开", lambda a: "是" if a.is_public else "否"),
        ],
        default_sort="-created_at",
        export_name="transfer_achievements",
        filters_template="transfer/achievement_filters.html",
        actions_template="transfer/achievement_actions.html",
        row_url=lambda a: reverse("transfer:achievement_detail", args=[a.pk]),
    )
    context = {
        "filters": filters,
        "field_choices": TechField.choices,
        "can_add": request.user.has_perm("transfer.add_achievement"),
    }
    return render_list(request, selectors.achievement_list(user=request.user, filters=filters), page, context=context)


@login_required
@require_http_methods(["GET", "POST"])
def achievement_create_view(request: HttpRequest) -> HttpResponse:
    if not (request.user.has_perm("transfer.add_achievement") or _may_post(request)):
        raise PermissionDenied
    return _achievement_form(request)


@login_required
def achievement_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    if not (request.user.has_perm("transfer.view_achievement") or request.user.has_perm("transfer.post_techdemand")):
        raise PermissionDenied
    achievement = selectors.achievement_get(user=request.user, pk=pk)
    context = {
        "a": achievement,
        "public": False,
        "can_edit": can_change_achievement(request.user, achievement),
        "can_log": request.user.has_perm("core.view_operationlog"),
        "history_url": reverse("core:history_detail", kwargs={"model": "achievement", "pk": achievement.pk}),
    }
    return render(request, "transfer/achievement_detail.html", context)


def _editable_achievement(request: HttpRequest, pk: int) -> Any:
    """An achievement the user may see (404 otherwise) and change (403 otherwise)."""
    if not (request.user.has_perm("transfer.change_achievement") or request.user.has_perm("transfer.post_techdemand")):
        raise PermissionDenied
    achievement = selectors.achievement_get(user=request.user, pk=pk)
    if not can_change_achievement(request.user, achievement):
        raise PermissionDenied
    return achievement


@login_required
@require_http_methods(["GET", "POST"])
def achievement_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    """修改科技成果 (the owner's account or staff of its region), related IP given by number."""
    return _achievement_form(request, _editable_achievement(request, pk))


def _achievement_form(request: HttpRequest, achievement: Any = None) -> HttpResponse:
    """The page that registers an achievement or, given ``achievement``, changes it."""
    if achievement is None:
        choices = _org_choices(request, "transfer.add_achievement")
        title, back = "登记科技成果", reverse("transfer:achievement_list")
    else:
        choices = _with_current(_org_choices(request, "transfer.change_achievement"), achievement.owner)
        title, back = "修改科技成果", reverse("transfer:achievement_detail", args=[achievement.pk])

    def initial() -> dict[str, Any] | None:
        if achievement is None:
            return None
        numbers = "\n".join(ip.number for ip in achievement.related_ip.order_by("number"))
        return _values_of(achievement, AchievementForm, organization=str(achievement.owner_id), related_ip=numbers)

    def save(data: dict[str, Any]) -> Any:
        org = _org_of(request, data.pop("organization"))
        data["related_ip"] = services.related_ip_from_numbers(org, data.pop("related_ip"))
        return services.achievement_save(actor=request.user, owner=org, data=data, achievement=achievement)

    def done(saved: Any) -> tuple[str, str]:
        if achievement is None:
            return "已登记科技成果。", reverse("transfer:achievement_detail", args=[saved.pk])
        return "已保存科技成果的修改。", back

    return _form_view(
        request,
        partial(AchievementForm, organizations=choices),
        initial,
        save,
        done,
        lambda form: _form_page(request, form, title, back),
    )


@login_required
@require_POST
def achievement_archive_view(request: HttpRequest, pk: int) -> HttpResponse:
    """撤回 (``archived=1``: off the lists, the public listing and the suggestions) or 恢复 (``archived=0``)."""
    achievement = _editable_achievement(request, pk)
    archived = request.POST.get("archived", "1") != "0"
    try:
        services.achievement_archive(actor=request.user, achievement=achievement, archived=archived)
    except BusinessError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, ("已撤回科技成果“%s”。" if archived else "已恢复科技成果“%s”。") % achievement.title)
    return redirect("transfer:achievement_detail", pk=achievement.pk)


def public_list_view(request: HttpRequest) -> HttpResponse:
    """成果展示 (public, no login): published achievements with search by words and field."""
    from django.core.paginator import Paginator

    filters = {k: request.GET.get(k, "")[:64] for k in ("q", "field")}
    qs = selectors.public_achievements(filters=filters).order_by("-created_at", "-pk")
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    return render(
        request, "transfer/public_list.html", {"page_obj": page, "filters": filters, "field_choices": TechField.choices}
    )


def public_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    return render(
        request, "transfer/achievement_detail.html", {"a": selectors.public_achievement_get(pk=pk), "public": True}
    )


# ------------------------------------------------------------------ matches


@login_required
def match_list_view(request: HttpRequest) -> HttpResponse:
    _require(request, "transfer.view_match")
    filters = {k: request.GET.get(k, "")[:32] for k in ("status", "kind")}

    def other(m: Match) -> str:
        if m.achievement is not None:
            return m.achievement.title
        return m.expert.name if m.expert is not None else ""

    page = ListPage(
        title="成果对接",
        columns=[
            Column("技术需求", lambda m: m.demand.title, link=True),
            Column("需求单位", lambda m: m.demand.enterprise.name),
            Column("对接类型", lambda m: m.get_kind_display(), sort="kind"),
            Column("成果 / 专家", other),
            Column("匹配度", lambda m: m.score, sort="score"),
            Column("匹配说明", lambda m: m.explanation),
            Column("状态", lambda m: m.get_status_display(), sort="status"),
        ],
        default_sort="-created_at",
        export_name="transfer_matches",
        filters_template="transfer/match_filters.html",
        row_url=lambda m: reverse("transfer:demand_detail", args=[m.demand_id]) + "#matches",
    )
    context = {"filters": filters, "status_choices": MatchStatus.choices}
    return render_list(request, selectors.match_list(user=request.user, filters=filters), page, context=context)


# ------------------------------------------------------------------ events


@login_required
def event_list_view(request: HttpRequest) -> HttpResponse:
    _require(request, "transfer.view_matchevent")
    page = ListPage(
        title="对接活动",
        columns=[
            Column("活动名称", lambda e: e.title, sort="title", link=True),
            Column("举办日期", lambda e: e.held_on.isoformat(), sort="held_on"),
            Column("地点", lambda e: e.venue),
            Column("参会人数", lambda e: e.participant_count, sort="participant_count"),
            Column("洽谈对接", lambda e: e.pair_count),
        ],
        default_sort="-held_on",
        export_name="transfer_events",
        actions_template="transfer/event_actions.html",
        row_url=lambda e: reverse("transfer:event_detail", args=[e.pk]),
    )
    context = {"can_add": can_save_event(request.user)}
    return render_list(request, selectors.event_list(user=request.user), page, context=context)


def _event_candidates(user: Any, exclude: Any = ()) -> list[Match]:
    """The confirmed or agreed matches of the user's region that may be listed at an event."""
    qs = selectors.match_list(user=user).filter(status__in=[MatchStatus.CONFIRMED, MatchStatus.AGREED])
    return list(qs.exclude(pk__in=list(exclude)).order_by("-pk")[:200])


def _event_pairs(request: HttpRequest, candidates: list[Match]) -> list[tuple[Match, str, str]]:
    pairs = []
    for m in candidates:
        outcome = request.POST.get(f"outcome_{m.pk}", "")
        if outcome:
            pairs.append((m, outcome, request.POST.get(f"note_{m.pk}", "")[:300]))
    return pairs


def _event_parties(pairs: list[tuple[Match, str, str]]) -> tuple[list[Any], list[Any]]:
    """The organizations (the demanding enterprise, the achievement's owner) and experts of the pairs."""
    organizations = {m.demand.enterprise_id: m.demand.enterprise for m, _, _ in pairs}
    for m, _, _ in pairs:
        if m.achievement is not None:
            organizations[m.achievement.owner_id] = m.achievement.owner
    experts = [m.expert for m, _, _ in pairs if m.expert_id]
    return list(organizations.values()), experts


def _event_form_page(request: HttpRequest, form: Any, candidates: list[Match], **extra: Any) -> HttpResponse:
    form.mark_invalid()
    context = {
        "form": form,
        "candidates": candidates,
        "outcomes": OUTCOME_CHOICES,
        "posted": request.POST if request.method == "POST" else {},
        **extra,
    }
    return render(request, "transfer/event_form.html", context, status=400 if form.is_bound and form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def event_create_view(request: HttpRequest) -> HttpResponse:
    """登记对接活动: the event, its participants, and an outcome for each confirmed pair discussed."""
    if not can_save_event(request.user):
        raise PermissionDenied
    return _event_form(request)


@login_required
def event_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, "transfer.view_matchevent")
    event = selectors.event_get(user=request.user, pk=pk)
    pairs = event.pairs.select_related("match", "match__demand", "match__achievement", "match__expert")
    return render(
        request,
        "transfer/event_detail.html",
        {
            "event": event,
            "pairs": pairs,
            "organizations": event.organizations.all(),
            "experts": event.experts.all(),
            "can_contract": can_register_contract(request.user),
            "can_edit": can_change_event(request.user, event),
            "agreement": PairOutcome.AGREEMENT,
            "can_log": request.user.has_perm("core.view_operationlog"),
            "history_url": reverse("core:history_detail", kwargs={"model": "matchevent", "pk": event.pk}),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def event_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    """修改对接活动: name, date, venue, count, summary, region; the pairs recorded stay (their outcomes have
    moved the matches), further pairs discussed may be added."""
    _require(request, "transfer.change_matchevent")
    event = selectors.event_get(user=request.user, pk=pk)
    if not can_change_event(request.user, event):
        raise PermissionDenied
    return _event_form(request, event)


def _event_form(request: HttpRequest, event: Any = None) -> HttpResponse:
    """The page that registers a match event or, given ``event``, changes it (the pairs recorded are listed
    and stay; further pairs discussed may be added)."""
    user = request.user
    regions = region_choices(active_region_code(user), depth=1, floor=6)
    extra: dict[str, Any]
    if event is None:
        candidates = _event_candidates(user)
        extra = {"title": "登记对接活动", "back": reverse("transfer:event_list")}
    else:
        regions = _with_region(regions, event.region)
        existing = list(event.pairs.select_related("match", "match__demand", "match__achievement", "match__expert"))
        candidates = _event_candidates(user, exclude=[p.match_id for p in existing])
        extra = {
            "title": "修改对接活动",
            "back": reverse("transfer:event_detail", args=[event.pk]),
            "existing": existing,
        }

    def initial() -> dict[str, Any]:
        if event is None:
            return {"held_on": date.today(), "region": active_region_code(user)}
        return _values_of(event, EventForm, region=event.region_id)

    def save(data: dict[str, Any]) -> Any:
        pairs = _event_pairs(request, candidates)
        organizations, experts = _event_parties(pairs)
        region = data.pop("region")
        return services.event_save(
            actor=user,
            region=region,
            data=data,
            organizations=organizations,
            experts=experts,
            pairs=pairs,
            event=event,
        )

    def done(saved: Any) -> tuple[str, str]:
        if event is None:
            return "已登记对接活动。", reverse("transfer:event_detail", args=[saved.pk])
        return "已保存对接活动的修改。", extra["back"]

    return _form_view(
        request,
        partial(EventForm, regions=regions),
        initial,
        save,
        done,
        lambda form: _event_form_page(request, form, candidates, **extra),
    )


def _with_region(choices: Any, region: Any) -> list[tuple[str, str]]:
    """The region pick list with the record's present region in it."""
    choices = list(choices)
    if any(str(code) == region.code for code, _ in choices):
        return choices
    return [(region.code, region.name), *choices]


# ------------------------------------------------------------------ contracts


@login_required
def contract_list_view(request: HttpRequest) -> HttpResponse:
    """技术合同登记: the list (search, type, year, export) and the totals by region for the year."""
    _require(request, "transfer.view_techcontract")
    user = request.user
    filters = {k: request.GET.get(k, "")[:64] for k in ("q", "contract_type", "year", "region")}
    year = (
        int(filters["year"])
        if filters["year"].isdigit() and 1900 <= int(filters["year"]) <= 2100
        else date.today().year
    )
    scope = active_region_code(user) or ""
    page = ListPage(
        title="技术合同登记",
        columns=[
            Column("登记编号", lambda c: c.registration_no, sort="registration_no", link=True),
            Column("合同名称", lambda c: c.title, sort="title"),
            Column("合同类型", lambda c: c.get_contract_type_display(), sort="contract_type"),
            Column("卖方（受托方）", lambda c: c.seller_name),
            Column("买方（委托方）", lambda c: c.buyer_name),
            Column("成交额（元）", lambda c: c.amount, sort="amount"),
            Column("登记日期", lambda c: c.registered_on.isoformat(), sort="registered_on"),
            Column("所属区划", lambda c: c.region.name),
        ],
        default_sort="-registered_on",
        export_name="transfer_contracts",
        filters_template="transfer/contract_filters.html",
        actions_template="transfer/contract_actions.html",
        row_url=lambda c: reverse("transfer:contract_detail", args=[c.pk]),
    )
    from kejiju.transfer.choices import ContractType

    context = {
        "filters": filters,
        "type_choices": ContractType.choices,
        "can_add": can_register_contract(user),
        "totals": selectors.contract_totals(user=user, region=scope, year=year) if scope else [],
        "totals_year": year,
    }
    return render_list(
        request,
        selectors.contract_list(user=user, filters=filters),
        page,
        template="transfer/contract_list.html",
        context=context,
    )


@login_required
def contract_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    """One registered contract: type, parties, exact amount, dates, the match it came from."""
    _require(request, "transfer.view_techcontract")
    contract = selectors.contract_get(user=request.user, pk=pk)
    context = {
        "c": contract,
        "amount": _money(contract.amount),
        "can_edit": can_change_contract(request.user, contract),
        "can_log": request.user.has_perm("core.view_operationlog"),
        "history_url": reverse("core:history_detail", kwargs={"model": "techcontract", "pk": contract.pk}),
    }
    return render(request, "transfer/contract_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def contract_create_view(request: HttpRequest) -> HttpResponse:
    if not can_register_contract(request.user):
        raise PermissionDenied
    return _contract_form(request)


@login_required
@require_http_methods(["GET", "POST"])
def contract_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    """修改技术合同: the same fields and rules as registration (the registration number stays unique,
    the amount exact to the fen, no date in the future); a newly chosen match brings its parties."""
    _require(request, "transfer.change_techcontract")
    contract = selectors.contract_get(user=request.user, pk=pk)
    if not can_change_contract(request.user, contract):
        raise PermissionDenied
    return _contract_form(request, contract)


def _contract_form(request: HttpRequest, contract: Any = None) -> HttpResponse:
    """The page that registers a technology contract (a confirmed or agreed match, chosen or given as
    ``?match=``, fills in its parties) or, given ``contract``, changes it."""
    user = request.user
    regions = region_choices(active_region_code(user), depth=1, floor=6)
    matches = list(
        selectors.match_list(user=user)
        .filter(status__in=[MatchStatus.CONFIRMED, MatchStatus.AGREED])
        .order_by("-pk")[:200]
    )
    if contract is None:
        title, back = "技术合同登记", reverse("transfer:contract_list")
    else:
        title, back = "修改技术合同", reverse("transfer:contract_detail", args=[contract.pk])
        regions = _with_region(regions, contract.region)
        if contract.match is not None and all(m.pk != contract.match_id for m in matches):
            matches.insert(0, contract.match)
    match_choices = [(str(m.pk), str(m)) for m in matches]

    def initial() -> dict[str, Any]:
        if contract is not None:
            return _values_of(contract, ContractForm, region=contract.region_id, match=str(contract.match_id or ""))
        values: dict[str, Any] = {"registered_on": date.today(), "region": active_region_code(user)}
        chosen = next((m for m in matches if str(m.pk) == request.GET.get("match", "")), None)
        if chosen is not None:
            values.update(
                match=str(chosen.pk),
                buyer_name=chosen.demand.enterprise.name,
                seller_name=chosen.achievement.owner.name
                if chosen.achievement is not None
                else (chosen.expert.name if chosen.expert is not None else ""),
                title=chosen.demand.title,
            )
        return values

    def save(data: dict[str, Any]) -> Any:
        region = data.pop("region")
        key = data.pop("match")
        match = next((m for m in matches if str(m.pk) == key), None)
        # a change keeps the parties linked unless another match is chosen (then they are the match's)
        keep = contract is not None and (match is None or match.pk == contract.match_id)
        return services.contract_register(
            actor=user,
            region=region,
            data=data,
            seller=contract.seller if keep else None,
            buyer=contract.buyer if keep else None,
            match=match,
            contract=contract,
        )

    def done(saved: Any) -> tuple[str, str]:
        if contract is None:
            return "已登记技术合同 %s。" % saved.registration_no, reverse("transfer:contract_list")
        return "已保存技术合同 %s 的修改。" % contract.registration_no, back

    return _form_view(
        request,
        partial(ContractForm, regions=regions, matches=match_choices),
        initial,
        save,
        done,
        lambda form: _form_page(request, form, title, back),
    )


# ------------------------------------------------------------------ co-operation agreements


@login_required
def cooperation_list_view(request: HttpRequest) -> HttpResponse:
    _require(request, "transfer.view_cooperation")
    filters = {"q": request.GET.get("q", "")[:64]}
    page = ListPage(
        title="合作协议",
        columns=[
            Column("协议名称", lambda c: c.title, sort="title", link=True),
            Column("合作院校（院所）", lambda c: c.partner_name, sort="partner_name"),
            Column("签订日期", lambda c: c.signed_on.isoformat(), sort="signed_on"),
            Column("有效期至", lambda c: c.ends_on.isoformat() if c.ends_on else ""),
            Column("合作项目", lambda c: "；".join(c.projects)),
        ],
        default_sort="-signed_on",
        export_name="transfer_cooperations",
        actions_template="transfer/cooperation_actions.html",
        row_url=lambda c: reverse("transfer:cooperation_detail", args=[c.pk]),
    )
    return render_list(
        request,
        selectors.cooperation_list(user=request.user, filters=filters),
        page,
        context={"filters": filters, "can_add": can_save_cooperation(request.user)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def cooperation_create_view(request: HttpRequest) -> HttpResponse:
    if not can_save_cooperation(request.user):
        raise PermissionDenied
    return _cooperation_form(request)


@login_required
def cooperation_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    """One co-operation agreement: the parties, the dates, the content and the projects recorded with it."""
    _require(request, "transfer.view_cooperation")
    cooperation = selectors.cooperation_get(user=request.user, pk=pk)
    context = {
        "c": cooperation,
        "projects": [{"text": p, "ref": services.is_ref(p)} for p in cooperation.projects],
        "can_edit": can_change_cooperation(request.user, cooperation),
        "can_log": request.user.has_perm("core.view_operationlog"),
        "history_url": reverse("core:history_detail", kwargs={"model": "cooperation", "pk": cooperation.pk}),
    }
    return render(request, "transfer/cooperation_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def cooperation_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    """修改合作协议 (same fields and rules as registration)."""
    _require(request, "transfer.change_cooperation")
    cooperation = selectors.cooperation_get(user=request.user, pk=pk)
    if not can_change_cooperation(request.user, cooperation):
        raise PermissionDenied
    return _cooperation_form(request, cooperation)


def _cooperation_form(request: HttpRequest, cooperation: Any = None) -> HttpResponse:
    """The page that records a co-operation agreement or, given ``cooperation``, changes it (its partner and
    local party links are kept, the service drops a partner link whose name no longer matches)."""
    regions = region_choices(active_region_code(request.user), depth=1, floor=6)
    if cooperation is None:
        title, back = "登记合作协议", reverse("transfer:cooperation_list")
    else:
        title, back = "修改合作协议", reverse("transfer:cooperation_detail", args=[cooperation.pk])
        regions = _with_region(regions, cooperation.region)

    def initial() -> dict[str, Any]:
        if cooperation is None:
            return {"region": active_region_code(request.user)}
        projects = "\n".join(cooperation.projects)
        return _values_of(cooperation, CooperationForm, region=cooperation.region_id, projects=projects)

    def save(data: dict[str, Any]) -> Any:
        region = data.pop("region")
        return services.cooperation_save(
            actor=request.user,
            region=region,
            data=data,
            partner=cooperation.partner if cooperation is not None else None,
            local_party=cooperation.local_party if cooperation is not None else None,
            cooperation=cooperation,
        )

    def done(saved: Any) -> tuple[str, str]:
        if cooperation is None:
            return "已登记合作协议。", reverse("transfer:cooperation_detail", args=[saved.pk])
        return "已保存合作协议的修改。", back

    return _form_view(
        request,
        partial(CooperationForm, regions=regions),
        initial,
        save,
        done,
        lambda form: _form_page(request, form, title, back),
    )

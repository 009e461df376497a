"""What the review app adds to the platform: role permissions, menu, region counters, field-history pages
and the expert role on the person page."""

from __future__ import annotations

from typing import Any

from kejiju.core.audit import register_history_model
from kejiju.core.choices import Role
from kejiju.core.navigation import NavItem, register_nav
from kejiju.core.roles import grant
from kejiju.core.selectors import RegionCounter, register_region_counter
from kejiju.people.registry import PersonRole, register_person_role

VIEW = ("review.view_expert", "review.view_reviewbatch")
EDIT = (
    "review.add_expert",
    "review.change_expert",
    "review.import_expert",
    "review.add_reviewbatch",
    "review.change_reviewbatch",
    "review.draw_reviewbatch",
)

grant((Role.SYSTEM_ADMIN, Role.BUREAU_ADMIN, Role.BUREAU_STAFF), *VIEW, *EDIT)
grant(Role.BUREAU_LEADER, *VIEW)
grant(Role.EXPERT, "review.take_review")

register_nav(
    "review_mine",
    "我的评审",
    "clipboard-check",
    290,
    [
        NavItem("评审任务", "review:my_list", "review.take_review", "inbox"),
        NavItem("我的回避申报", "review:my_declarations", "review.take_review", "shield-exclamation"),
        NavItem("不可参评时间", "review:my_unavailable", "review.take_review", "calendar-x"),
    ],
)

register_nav(
    "review",
    "专家评审",
    "people",
    300,
    [
        NavItem("专家库", "review:expert_list", "review.view_expert", "person-badge"),
        NavItem("新增专家", "review:expert_create", "review.add_expert", "person-plus"),
        NavItem("评审批次", "review:batch_list", "review.view_reviewbatch", "clipboard-check"),
        NavItem("新建评审批次", "review:batch_create", "review.add_reviewbatch", "plus-circle"),
        NavItem("评审费标准", "review:fee_list", "review.change_reviewbatch", "cash-coin"),
    ],
)


def _experts():  # type: ignore[no-untyped-def]
    from kejiju.review.models import Expert

    return Expert.objects.filter(status="active", is_archived=False)


register_region_counter(RegionCounter("experts", "在库专家", _experts, url_name="review:expert_list"))

register_history_model("expert", "review.Expert", "专家")
register_history_model("reviewbatch", "review.ReviewBatch", "评审批次")


def _person_roles(user: Any, person: Any) -> list[PersonRole]:
    from django.urls import reverse

    from kejiju.review.models import Expert
    from kejiju.review.permissions import can_view_expert

    expert = Expert.objects.filter(person=person).first()
    if expert is None:
        return []
    url = reverse("review:expert_detail", args=[expert.pk]) if can_view_expert(user, expert) else ""
    return [PersonRole("专家（%s）" % expert.get_status_display(), url, expert.title)]


register_person_role("review.expert", _person_roles, order=20)

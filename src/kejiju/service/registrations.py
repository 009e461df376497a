"""What the service line adds to the platform: role permissions, menu, region counters, history pages and
the role a person plays here (承办人)."""

from __future__ import annotations

from typing import Any

from kejiju.core.audit import register_history_model
from kejiju.core.choices import Role
from kejiju.core.navigation import NavItem, register_nav
from kejiju.core.roles import grant
from kejiju.core.selectors import RegionCounter, register_region_counter
from kejiju.people.registry import register_person_role

VIEW = (
    "service.view_servicerequest",
    "service.view_knowledgearticle",
    "service.view_dutyslot",
    "service.view_earlywarning",
    "service.view_service_stats",
)
HANDLE = (
    "service.add_servicerequest",
    "service.change_servicerequest",
    "service.dispatch_servicerequest",
    "service.add_knowledgearticle",
    "service.change_knowledgearticle",
    "service.add_dutyslot",
    "service.change_dutyslot",
    "core.add_attachment",
)

grant((Role.SYSTEM_ADMIN, Role.BUREAU_ADMIN, Role.BUREAU_STAFF), *VIEW, *HANDLE, "service.check_loss")
grant(Role.TOWN_STATION, *VIEW, *HANDLE)
grant(Role.BUREAU_LEADER, *VIEW)
# Experts and commissioners see the knowledge base and work on the requests assigned to them (by
# Person.user), not on the whole region's.
grant((Role.EXPERT, Role.COMMISSIONER), "service.view_knowledgearticle", "core.add_attachment")

register_nav(
    "service",
    "服务热线",
    "telephone",
    400,
    [
        NavItem("受理求助", "service:request_create", "service.add_servicerequest", "telephone-plus"),
        NavItem("工单列表", "service:request_list", "service.view_servicerequest", "list-task"),
        NavItem("我的任务", "service:my_tasks", "", "person-check"),
        NavItem("值班安排", "service:duty_list", "service.view_dutyslot", "calendar-week"),
        NavItem("预警", "service:warning_list", "service.view_earlywarning", "exclamation-triangle"),
        NavItem("知识库", "service:article_list", "service.view_knowledgearticle", "journal-text"),
        NavItem("服务统计", "service:stats", "service.view_service_stats", "bar-chart"),
    ],
)


def _open_requests():  # type: ignore[no-untyped-def]
    from kejiju.service.choices import OPEN_STATUSES
    from kejiju.service.models import ServiceRequest

    return ServiceRequest.objects.filter(status__in=OPEN_STATUSES)


register_region_counter(
    RegionCounter(
        "service_open", "在办服务工单", _open_requests, url_name="service:request_list", url_query="status=open"
    )
)

register_history_model("servicerequest", "service.ServiceRequest", "服务工单")
register_history_model("knowledgearticle", "service.KnowledgeArticle", "知识库文章")


def _person_role(user: Any, person: Any) -> list[Any]:
    from kejiju.people.registry import PersonRole
    from kejiju.service.models import ServiceRequest

    n = ServiceRequest.objects.filter(assignee=person).count()
    if not n:
        return []
    return [PersonRole("服务热线承办人", "", "承办服务工单 %d 件" % n)]


register_person_role("service_assignee", _person_role, order=60)

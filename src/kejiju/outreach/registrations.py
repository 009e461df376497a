"""What the outreach app adds to the platform: role permissions, menu, region counters, field-history
pages and the commissioner role on the person page."""

from __future__ import annotations

from typing import Any

from kejiju.core.audit import register_history_model
from kejiju.core.choices import Role
from kejiju.core.navigation import NavItem, register_nav
from kejiju.core.roles import grant
from kejiju.core.selectors import RegionCounter, register_region_counter
from kejiju.people.registry import PersonRole, register_person_role

VIEW = (
    "outreach.view_commissioner",
    "outreach.view_assignment",
    "outreach.view_servicediary",
    "outreach.view_assessment",
    "outreach.view_assessmenttemplate",
    "outreach.view_activity",
    "outreach.view_outreachkind",
)
EDIT = (
    "outreach.add_commissioner",
    "outreach.change_commissioner",
    "outreach.assess_commissioner",
    "outreach.add_assessmenttemplate",
    "outreach.change_assessmenttemplate",
    "outreach.add_activity",
    "outreach.change_activity",
)

grant((Role.SYSTEM_ADMIN, Role.BUREAU_ADMIN), *VIEW, *EDIT, "outreach.change_outreachkind")
grant(Role.BUREAU_STAFF, *VIEW, *EDIT)
grant(Role.BUREAU_LEADER, *VIEW)
# town stations organise trainings in their town and see the commissioners serving it
grant(Role.TOWN_STATION, *VIEW, "outreach.add_activity", "outreach.change_activity")
# a commissioner logs their own service (with photos) on their own pages
grant(Role.COMMISSIONER, "outreach.add_servicediary", "core.add_attachment")

register_nav(
    "outreach",
    "特派员与科普",
    "people",
    400,
    [
        NavItem("我的服务", "outreach:my_home", "outreach.add_servicediary", "phone"),
        NavItem("科技特派员", "outreach:commissioner_list", "outreach.view_commissioner", "person-badge"),
        NavItem("服务日志", "outreach:diary_list", "outreach.view_servicediary", "journal-text"),
        NavItem("培训与科普活动", "outreach:activity_list", "outreach.view_activity", "easel"),
        NavItem("活动统计", "outreach:activity_stats", "outreach.view_activity", "bar-chart"),
        NavItem("考核模板", "outreach:template_list", "outreach.view_assessmenttemplate", "clipboard-check"),
        NavItem("类别设置", "outreach:kind_list", "outreach.change_outreachkind", "gear"),
    ],
)


def _commissioners():  # type: ignore[no-untyped-def]
    from kejiju.outreach.models import Commissioner

    return Commissioner.objects.filter(is_archived=False)


def _held():  # type: ignore[no-untyped-def]
    from kejiju.outreach.models import Activity

    return Activity.objects.filter(is_archived=False, status="held")


register_region_counter(
    RegionCounter("commissioners", "科技特派员", _commissioners, url_name="outreach:commissioner_list")
)
register_region_counter(
    RegionCounter(
        "activities_held", "已举办培训与科普活动", _held, url_name="outreach:activity_list", url_query="status=held"
    )
)

register_history_model("commissioner", "outreach.Commissioner", "科技特派员")
register_history_model("assignment", "outreach.Assignment", "特派员服务对象")
register_history_model("servicediary", "outreach.ServiceDiary", "服务日志")
register_history_model("assessment", "outreach.Assessment", "特派员年度考核")
register_history_model("activity", "outreach.Activity", "培训与科普活动")
register_history_model("assessmenttemplate", "outreach.AssessmentTemplate", "考核模板")


def _commissioner_roles(user: Any, person: Any) -> list[PersonRole]:
    from django.urls import reverse

    from kejiju.outreach import selectors

    rows = selectors.commissioner_list(user=user, filters={"archived": "1"}).filter(person=person)
    return [
        PersonRole(
            "%s（%s 年选派）" % (c.kind.name, c.selection_year),
            reverse("outreach:commissioner_detail", args=[c.pk]),
            c.expertise,
        )
        for c in rows
    ]


register_person_role("outreach.commissioner", _commissioner_roles, order=30)

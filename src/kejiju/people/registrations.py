"""What the people registry adds to the platform: role permissions, menu, region counters, the
field-history pages, the talent roles on the person page and the review source of selections."""

from __future__ import annotations

from typing import Any

from kejiju.core.audit import register_history_model
from kejiju.core.choices import Role
from kejiju.core.navigation import NavItem, register_nav
from kejiju.core.roles import grant
from kejiju.core.selectors import RegionCounter, register_region_counter
from kejiju.people.registry import PersonRole, register_person_role

VIEW = (
    "people.view_person",
    "people.view_talentmembership",
    "people.view_honour",
    "people.view_trainingrecord",
    "people.view_selectionround",
    "people.view_talentcategory",
)
EDIT = ("people.add_person", "people.change_person", "people.add_selectionround", "people.change_selectionround")

grant((Role.SYSTEM_ADMIN, Role.BUREAU_ADMIN), *VIEW, *EDIT, "people.change_talentcategory")
grant(Role.BUREAU_STAFF, *VIEW, *EDIT)
grant((Role.BUREAU_LEADER, Role.TOWN_STATION), *VIEW)

register_history_model("person", "people.Person", "人员")
register_history_model("talentmembership", "people.TalentMembership", "人才入库")
register_history_model("talenthonour", "people.Honour", "荣誉与入选")
register_history_model("talentround", "people.SelectionRound", "人才评选")
register_history_model("talentnomination", "people.Nomination", "推荐人选")

register_nav(
    "people",
    "人才库",
    "people",
    150,
    [
        NavItem("人员列表", "people:person_list", "people.view_person", "person-lines-fill"),
        NavItem("新增人员", "people:person_create", "people.add_person", "person-plus"),
        NavItem("导入人员", "people:person_import", "people.add_person", "upload"),
        NavItem("人才库", "people:talent_list", "people.view_talentmembership", "stars"),
        NavItem("人才评选", "people:round_list", "people.view_selectionround", "award"),
        NavItem("人才统计", "people:talent_stats", "people.view_talentmembership", "bar-chart"),
        NavItem("人才类别", "people:category_list", "people.view_talentcategory", "tags"),
    ],
)


def _talents():  # type: ignore[no-untyped-def]
    from kejiju.people.models import Person

    return Person.objects.filter(is_archived=False, memberships__is_archived=False).distinct()


register_region_counter(RegionCounter("talents", "在库人才", _talents, url_name="people:talent_list"))


def _talent_roles(user: Any, person: Any) -> list[PersonRole]:
    from django.urls import reverse

    from kejiju.people import selectors
    from kejiju.people.permissions import can_view_talent

    if not can_view_talent(user, person):
        return []
    return [
        PersonRole(
            label="%s（%s 年入选）" % (m.category.name, m.year),
            url=reverse("people:person_detail", args=[person.pk]) + "#talent",
            detail=m.document_no,
        )
        for m in selectors.person_memberships(person=person)
    ]


register_person_role("people.talent", _talent_roles, order=10)


def _register_review_source() -> None:
    try:
        from kejiju.review.sources import register_review_source
    except ImportError:  # the review module is optional
        return
    from kejiju.people.review import NominationReviewSource

    register_review_source(NominationReviewSource())


_register_review_source()

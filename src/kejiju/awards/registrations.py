"""What S&T awards add to the platform: role permissions, menu, history pages and the review source."""

from __future__ import annotations

from kejiju.core.audit import register_history_model
from kejiju.core.choices import Role
from kejiju.core.navigation import NavItem, register_nav
from kejiju.core.roles import grant

VIEW = ("awards.view_awardcycle", "awards.view_awardprogramme", "awards.view_nomination", "awards.view_higheraward")
MANAGE = (
    "awards.add_awardprogramme",
    "awards.change_awardprogramme",
    "awards.add_awardcycle",
    "awards.change_awardcycle",
    "awards.add_nomination",
    "awards.change_nomination",
    "awards.add_higheraward",
    "awards.change_higheraward",
)

grant((Role.SYSTEM_ADMIN, Role.BUREAU_ADMIN, Role.BUREAU_STAFF), *VIEW, *MANAGE)
grant((Role.BUREAU_LEADER, Role.TOWN_STATION), *VIEW)

register_nav(
    "awards",
    "科技奖励",
    "award",
    410,
    [
        NavItem("奖励年度", "awards:cycle_list", "", "list-stars"),
        NavItem("设立奖励", "awards:programme_create", "awards.add_awardprogramme", "plus-circle"),
        NavItem("获奖档案", "awards:winners", "awards.view_nomination", "archive"),
        NavItem("公示", "awards:publicity", "", "megaphone"),
    ],
)

register_history_model("awardnomination", "awards.Nomination", "奖励推荐")
register_history_model("higheraward", "awards.HigherAward", "上级奖励")
register_history_model("awardmeeting", "awards.VoteMeeting", "评审委员会会议")


def _register_review_source() -> None:
    from kejiju.awards.review import NominationReviewSource
    from kejiju.review.sources import register_review_source

    register_review_source(NominationReviewSource())


_register_review_source()

"""What the people registry adds to the platform: role permissions and the field-history pages."""

from __future__ import annotations

from kejiju.core.audit import register_history_model
from kejiju.core.choices import Role
from kejiju.core.roles import grant

VIEW = ("people.view_person",)
EDIT = ("people.add_person", "people.change_person")

grant((Role.SYSTEM_ADMIN, Role.BUREAU_ADMIN, Role.BUREAU_STAFF), *VIEW, *EDIT)
grant((Role.BUREAU_LEADER, Role.TOWN_STATION), *VIEW)

register_history_model("person", "people.Person", "人员")

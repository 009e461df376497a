"""What the reports app adds to the platform: operation-log action codes, role permissions, the menu and
the field-history page of official documents."""

from __future__ import annotations

from kejiju.core.audit import register_action, register_history_model
from kejiju.core.choices import Role
from kejiju.core.navigation import NavItem, register_nav
from kejiju.core.roles import grant

DOCUMENT_SAVE = register_action("reports.document_save", "保存公文草稿")
DOCUMENT_GENERATE = register_action("reports.document_generate", "生成公文")
DOCUMENT_FAILED = register_action("reports.document_failed", "公文生成失败")
DOCUMENT_RETRY = register_action("reports.document_retry", "重试生成公文")

VIEW = ("reports.view_officialdocument",)
EDIT = ("reports.add_officialdocument", "reports.change_officialdocument")

grant((Role.SYSTEM_ADMIN, Role.BUREAU_ADMIN, Role.BUREAU_STAFF), *VIEW, *EDIT)
grant(Role.BUREAU_LEADER, *VIEW)

register_nav(
    "reports",
    "公文与报告",
    "file-earmark-text",
    800,
    [
        NavItem("公文列表", "reports:document_list", "reports.view_officialdocument", "files"),
        NavItem("起草公文", "reports:document_create", "reports.add_officialdocument", "pencil-square"),
    ],
)

register_history_model("officialdocument", "reports.OfficialDocument", "公文")

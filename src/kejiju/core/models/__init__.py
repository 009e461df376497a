"""Models of the core app: regions, bureaus, accounts, audit, attachments and code tables."""

from kejiju.core.models.attachments import Attachment
from kejiju.core.models.audit import LoginAttempt, OperationLog
from kejiju.core.models.base import DomainModel
from kejiju.core.models.codes import CodeItem
from kejiju.core.models.notifications import Notification, OutboundMessage
from kejiju.core.models.regions import Bureau, Department, Region
from kejiju.core.models.users import User

__all__ = [
    "Attachment",
    "Bureau",
    "CodeItem",
    "Department",
    "DomainModel",
    "LoginAttempt",
    "Notification",
    "OperationLog",
    "OutboundMessage",
    "Region",
    "User",
]

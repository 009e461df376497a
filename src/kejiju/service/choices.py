"""Choice lists of the service line (labels are the Chinese interface)."""

from __future__ import annotations

from django.db import models


class Channel(models.TextChoices):
    PHONE = "phone", "电话"
    WEB = "web", "网上求助"
    WALK_IN = "walk_in", "来访"


class RequestStatus(models.TextChoices):
    RECEIVED = "received", "待处理"
    WAITING = "waiting", "等待来电人"
    DISPATCHED = "dispatched", "已派单"
    ACCEPTED = "accepted", "已接单"
    ANSWERED = "answered", "已答复"
    VISITED = "visited", "已出诊"
    CLOSED = "closed", "已办结"


OPEN_STATUSES = (
    RequestStatus.RECEIVED,
    RequestStatus.WAITING,
    RequestStatus.DISPATCHED,
    RequestStatus.ACCEPTED,
    RequestStatus.ANSWERED,
    RequestStatus.VISITED,
)


class DispatchKind(models.TextChoices):
    DISPATCH = "dispatch", "派单"
    TRANSFER = "transfer", "转派"


class LossMethod(models.TextChoices):
    NONE = "", "未挽回损失"
    AREA = "area", "面积 × 亩挽回产量 × 单价"
    HEAD = "head", "头（只）数 × 单价"
    DIRECT = "direct", "直接金额"


class LossStatus(models.TextChoices):
    NONE = "", "—"
    PENDING = "pending", "待核定"
    CHECKED = "checked", "已核定"
    REJECTED = "rejected", "不予认定"


class Visibility(models.TextChoices):
    PUBLIC = "public", "公开"
    INTERNAL = "internal", "内部"


class Season(models.TextChoices):
    SPRING = "spring", "春季"
    SUMMER = "summer", "夏季"
    AUTUMN = "autumn", "秋季"
    WINTER = "winter", "冬季"


#: The subjects and problem categories a fresh database starts with (the bureau edits them in the admin
#: code pages; timers are hours: first response, visit, closure).
DEFAULT_SUBJECTS = (
    ("crop", "种植业"),
    ("livestock", "畜牧业"),
    ("aquaculture", "水产养殖"),
    ("forestry", "林业果树"),
    ("machinery", "农业机械"),
    ("market", "市场信息"),
    ("policy", "政策咨询"),
    ("other", "其他"),
)
DEFAULT_CATEGORIES = (
    ("disease", "病害", 4, 48, 168),
    ("pest", "虫害", 4, 48, 168),
    ("cultivation", "栽培管理", 8, 72, 240),
    ("breeding", "饲养管理", 8, 72, 240),
    ("epidemic", "疫病", 2, 24, 120),
    ("technique", "技术咨询", 24, 0, 120),
    ("information", "信息咨询", 24, 0, 72),
)

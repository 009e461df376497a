"""Test data makers of the outreach app."""

from __future__ import annotations

import base64
from datetime import date, timedelta
from itertools import count
from typing import Any

from kejiju.engines.idcodes import make_credit_code, make_id_number
from kejiju.outreach import services
from kejiju.outreach.models import Activity, AssessmentTemplate, Assignment, Commissioner

_seq = count(1)

#: A 1×1 PNG.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def png(name: str = "photo.png") -> services.Upload:
    return services.Upload(name, PNG)


def id_number() -> str:
    return make_id_number("341181", date(1980, 3, 1), next(_seq) % 1000)


def make_org(region_code: str = "341181", name: str | None = None) -> Any:
    from kejiju.orgs.services import organization_create

    n = next(_seq)
    code = make_credit_code("93341181MA%07d" % n)
    return organization_create(
        actor=None,
        data={
            "name": name or "测试合作社%d" % n,
            "credit_code": code,
            "region": region_code,
            "org_type": "cooperative",
        },
    )


def make_commissioner(actor: Any, region_code: str = "341181", **overrides: Any) -> Commissioner:
    data: dict[str, Any] = {
        "kind": "commissioner",
        "holder_type": "individual",
        "selection_year": date.today().year,
        "region": region_code,
        "person": {"name": "王农科", "id_number": id_number(), "phone": "13905501234"},
        "expertise": "水稻栽培",
    }
    data.update(overrides)
    return services.commissioner_create(actor=actor, data=data)


def make_assignment(actor: Any, commissioner: Commissioner, town: str = "341181100", **overrides: Any) -> Assignment:
    data: dict[str, Any] = {
        "target_region": town,
        "start_on": date.today() - timedelta(days=200),
        "targets": [{"indicator": "推广新品种", "number": 3}],
    }
    data.update(overrides)
    return services.assignment_save(actor=actor, commissioner=commissioner, data=data)


def make_template(actor: Any, region_code: str = "341181") -> AssessmentTemplate:
    return services.template_save(
        actor=actor,
        data={
            "name": "科技特派员年度考核",
            "region": region_code,
            "items": [
                {"name": "服务时长", "weight": 40},
                {"name": "目标完成", "weight": 40},
                {"name": "满意度", "weight": 20},
            ],
            "grade_bands": [{"grade": "优秀", "min": 90}, {"grade": "合格", "min": 60}, {"grade": "不合格", "min": 0}],
        },
    )


def make_activity(actor: Any, region_code: str = "341181100", **overrides: Any) -> Activity:
    data: dict[str, Any] = {
        "kind": "training",
        "title": "水稻病虫害绿色防控培训班",
        "topic": "稻瘟病防治",
        "region": region_code,
        "planned_start": date.today() - timedelta(days=10),
        "planned_end": date.today() - timedelta(days=9),
        "planned_attendance": 80,
    }
    data.update(overrides)
    return services.activity_plan(actor=actor, data=data)

"""Demo data of the assessment module: the demo county's towns assessed for last year (published, with
results) and this year (issued, most towns have reported their mid-year progress, some have submitted),
and an upward dossier."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from kejiju.core.demo import COUNTY_CODE, DemoContext, register_demo

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde"


def assessment_demo(ctx: DemoContext) -> None:
    from kejiju.assessment import services
    from kejiju.assessment.dossier import DEFAULT_INDICATORS, dossier_fill, dossier_save
    from kejiju.assessment.models import AssessmentScheme
    from kejiju.assessment.views import DEFAULT_TEMPLATE

    staff = ctx.users.get("county_staff")
    leader = ctx.users.get("county_leader")
    if staff is None or leader is None or not ctx.towns_of(COUNTY_CODE):
        return
    if AssessmentScheme.objects.filter(region__code__startswith=COUNTY_CODE).exists():
        return  # already loaded: a second run adds nothing (the demo is idempotent)
    rng = ctx.rng_for("assessment", COUNTY_CODE)
    year = timezone.localdate().year
    targets = {"B1": "3000", "B2": "5", "B3": "40"}
    for scheme_year in (year - 1, year):
        scheme = services.scheme_save(
            actor=staff,
            name=f"{scheme_year}年度乡镇科技进步目标责任制考核",
            year=scheme_year,
            template=DEFAULT_TEMPLATE,
            self_assessment_due=timezone.now() + timedelta(days=20),
            assessors=[leader],
        )
        issued = services.scheme_issue(actor=staff, scheme=scheme, default_targets=targets)
        submitting = issued if scheme_year < year else issued[: max(1, len(issued) // 2)]
        if scheme_year == year:
            # 年中进度: most towns report around July (one lagging on training), the last ones have not yet
            reporting = issued[: max(1, len(issued) - 2)]
            for n, target in enumerate(reporting):
                services.midyear_report(
                    actor=staff,
                    target=target,
                    values={
                        "A1": {"note": "已调整科技工作领导小组，明确专职科技特派员联络人。"},
                        "B1": {
                            "value": str(rng.randint(600, 1200) if n == 0 else rng.randint(1500, 2400)),
                            "note": "上半年举办农民科技培训班",
                        },
                        "B2": {"value": str(rng.randint(1, 4)), "note": "稻渔综合种养等"},
                        "B3": {"value": str(rng.randint(15, 30))},
                    },
                    evidence=[("B1", io.BytesIO(PNG), "上半年培训签到表.png")],
                )
            ctx.count("年中进度", len(reporting))
        for target in submitting:
            values: dict[str, dict[str, Any]] = {
                "B1": {"actual": str(rng.randint(1800, 3600)), "note": "冬春农民科技培训"},
                "B2": {"actual": str(rng.randint(2, 7))},
                "B3": {"actual": str(rng.randint(25, 50))},
                "C1": {"actual": str(rng.randint(0, 2))},
                "D1": {"count": rng.choice([0, 0, 0, 1])},
            }
            services.self_assessment_save(actor=staff, target=target, values=values)
            services.evidence_add(
                actor=staff, target=target, item_code="B1", fileobj=io.BytesIO(PNG), name="培训签到表.png"
            )
            services.self_assessment_submit(actor=staff, target=target)
        if scheme_year < year:
            AssessmentScheme.objects.filter(pk=scheme.pk).update(self_assessment_due=timezone.now() - timedelta(days=1))
            services.scheme_start_scoring(actor=staff, scheme=scheme)
            for target in issued:
                services.assessor_score_submit(
                    actor=leader,
                    target=target,
                    scores={"A1": str(rng.randint(13, 20)), "A2": str(Decimal(rng.randint(20, 30)) / 2)},
                )
            services.scheme_publish(actor=staff, scheme=scheme)
        ctx.count("目标任务书", len(issued))
    dossier = dossier_save(
        actor=staff, name=f"{year}年度全国科技进步考核申报材料", year=year, indicators=DEFAULT_INDICATORS
    )
    dossier_fill(actor=staff, dossier=dossier)
    ctx.count("科技进步考核材料", 1)


register_demo("assessment", assessment_demo, order=95)

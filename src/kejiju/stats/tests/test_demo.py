"""The statistics demo: entered figures with sources, targets, a draft work report — idempotent."""

from __future__ import annotations

from typing import Any

import pytest

from kejiju.core import demo as core_demo
from kejiju.stats.models import EnteredValue, WorkReport

pytestmark = pytest.mark.django_db(transaction=True)


def test_stats_demo(monkeypatch: Any, test_indicators: list[str]) -> None:
    core_demo.discover_demos()
    keep = {k: v for k, v in core_demo._REGISTRY.items() if k in ("core", "orgs", "stats")}
    monkeypatch.setattr(core_demo, "_REGISTRY", keep)
    monkeypatch.setattr(core_demo, "discover_demos", lambda: None)
    core_demo.run_demo(scale="county", log=lambda _m: None)
    assert EnteredValue.objects.filter(region_id="341181").count() == 6
    assert all(v.source_document.original_name.endswith("统计公报.pdf") for v in EnteredValue.objects.all())
    report = WorkReport.objects.get(region_id="341181")
    assert report.status == "draft" and "研发投入不足" in report.problems
    core_demo.run_demo(scale="county", log=lambda _m: None)
    assert EnteredValue.objects.count() == 6 and WorkReport.objects.count() == 1

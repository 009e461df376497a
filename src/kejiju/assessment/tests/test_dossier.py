"""科技进步考核申报材料: values from the platform's records with provenance, entered values with evidence,
gaps against the standard, and the ZIP export."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from typing import Any

import pytest
from django.urls import reverse

from kejiju.assessment.dossier import (
    dossier_enter,
    dossier_evidence_add,
    dossier_export,
    dossier_fill,
    dossier_rows,
    dossier_save,
)
from kejiju.assessment.models import ProgressDossier
from kejiju.core import indicators
from kejiju.core.errors import BusinessError, RowErrors
from kejiju.core.models import OperationLog, Region
from kejiju.core.testing.factories import role_user
from kejiju.core.testing.matrix import Endpoint, matrix_cases, run_matrix_case

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64

SET = [
    {"code": "D01", "name": "党政领导重视", "kind": "qualitative"},
    {
        "code": "L01",
        "name": "下辖乡镇数",
        "kind": "quantitative",
        "unit": "个",
        "standard": "3",
        "indicator": "test.towns",
    },
    {"code": "L02", "name": "财政科技支出占比", "kind": "quantitative", "unit": "%", "standard": "2"},
]


@pytest.fixture(autouse=True)
def towns_indicator() -> Any:
    """A test indicator over regions: the towns below a county (the records exist in every test)."""
    indicator = indicators.register_indicator(
        indicators.Indicator(
            code="test.towns",
            name="乡镇数",
            definition="区划内的乡级区划数",
            unit="个",
            area="test",
            records=lambda code, start, end: Region.objects.filter(code__startswith=code, level=9),
        )
    )
    yield indicator
    indicators._registry.pop("test.towns", None)


def test_fill_enter_gaps_and_export(world: dict[str, Any]) -> None:
    staff = world["staff"]
    dossier = dossier_save(actor=staff, name="2026年度全国科技进步考核", year=2026, indicators=SET)
    assert dossier_fill(actor=staff, dossier=dossier) == ["L01"]
    dossier.refresh_from_db()
    assert dossier.values["L01"]["value"] == "2" and dossier.values["L01"]["records"] == 2
    with pytest.raises(RowErrors) as no_evidence:
        dossier_enter(actor=staff, dossier=dossier, code="L02", value="2.5")
    assert "佐证材料" in no_evidence.value.errors["value"][0]
    dossier_evidence_add(actor=staff, dossier=dossier, code="L02", fileobj=io.BytesIO(PNG), name="决算表.png")
    with pytest.raises(RowErrors):
        dossier_enter(actor=staff, dossier=dossier, code="L02", value="abc")
    dossier_enter(actor=staff, dossier=dossier, code="L02", value="2.5", note="据财政局决算")
    dossier_enter(actor=staff, dossier=dossier, code="D01", note="县委常委会每年专题研究科技工作")
    # an entered value is never overwritten by a later fill
    dossier_fill(actor=staff, dossier=dossier)
    dossier.refresh_from_db()
    rows = {r.code: r for r in dossier_rows(dossier)}
    assert rows["L01"].gap == "差 1个" and rows["L01"].met is False and rows["L01"].source == "平台记录"
    assert rows["L02"].gap == "达标" and rows["L02"].source == "人工填报"
    assert rows["D01"].met is False  # a statement without evidence
    content = dossier_export(actor=staff, dossier=dossier)
    names = zipfile.ZipFile(io.BytesIO(content)).namelist()
    assert "指标表.xlsx" in names and "佐证材料/L02-1-决算表.png" in names
    assert OperationLog.objects.filter(action="assessment.dossier_export").count() == 1


def test_bad_indicator_sets_store_nothing(world: dict[str, Any]) -> None:
    with pytest.raises(RowErrors) as error:
        dossier_save(actor=world["staff"], name="x", year=2026, indicators=[{"code": "A", "name": "", "kind": "x"}])
    assert len(error.value.errors["indicators"]) == 2
    with pytest.raises(RowErrors):
        dossier_save(actor=world["staff"], name="x", year=2026, indicators=[])
    with pytest.raises(BusinessError):
        dossier_save(actor=world["town"], name="x", year=2026, indicators=SET)
    assert ProgressDossier.objects.count() == 0


def _dossier(code: str) -> ProgressDossier:
    return dossier_save(
        actor=role_user("bureau_staff", code), name=f"考核材料{code}", year=date.today().year, indicators=SET
    )


ENDPOINTS = [
    Endpoint(
        "dossier list",
        "assessment.view_assessmentscheme",
        make=_dossier,
        url=lambda obj: reverse("assessment:dossier_list"),
        detail=False,
        marker=lambda obj: obj.name,
    ),
    Endpoint(
        "dossier detail",
        "assessment.view_assessmentscheme",
        make=_dossier,
        url=lambda obj: reverse("assessment:dossier_detail", args=[obj.pk]),
    ),
]


@pytest.mark.parametrize("case", matrix_cases(ENDPOINTS), ids=str)
def test_permission_matrix(case: Any, client: Any, db: Any) -> None:
    run_matrix_case(case, client)


def test_pages(client: Any, world: dict[str, Any]) -> None:
    client.force_login(world["staff"])
    form = client.get(reverse("assessment:dossier_create"))
    assert form.status_code == 200 and "test.towns" in form.content.decode()
    bad = client.post(reverse("assessment:dossier_create"), {"name": "x", "year": "2026", "indicators": "[{"})
    assert bad.status_code == 400
    import json

    client.post(reverse("assessment:dossier_create"), {"name": "材料", "year": "2026", "indicators": json.dumps(SET)})
    dossier = ProgressDossier.objects.get()
    client.post(reverse("assessment:dossier_action", args=[dossier.pk, "fill"]))
    page = client.get(reverse("assessment:dossier_detail", args=[dossier.pk])).content.decode()
    assert "test.towns，2 条记录" in page and "差 1个" in page
    export = client.get(reverse("assessment:dossier_detail", args=[dossier.pk]), {"export": "zip"})
    assert export["Content-Type"] == "application/zip"

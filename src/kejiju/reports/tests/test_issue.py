"""Documents issued on behalf of another app's record (立项通知书, 验收证书, 抽取记录…)."""

from __future__ import annotations

from typing import Any

import pytest

from kejiju.core.errors import BusinessError, RowErrors
from kejiju.core.models import OperationLog
from kejiju.reports.choices import DocumentStatus
from kejiju.reports.models import OfficialDocument
from kejiju.reports.selectors import documents_for_source, documents_for_sources
from kejiju.reports.services import document_issue
from kejiju.reports.tests.conftest import sample_payload


def test_issue_generates_and_links_the_source(staff: Any, no_libreoffice: Any) -> None:
    document = document_issue(actor=staff, data=sample_payload(), region="341181", source="programs.project:12")
    assert document.status == DocumentStatus.GENERATED and document.output is not None
    assert document.source == "programs.project:12" and document.requested_by == staff
    assert list(documents_for_source(source="programs.project:12")) == [document]
    assert list(documents_for_sources(prefix="programs.project:1")) == [document]
    assert list(documents_for_source(source="programs.project:1")) == []
    log = OperationLog.objects.get(action="reports.document_save")
    assert log.extra["source"] == "programs.project:12"


def test_issue_does_not_ask_the_reports_permission(regions: Any, make_user: Any, no_libreoffice: Any) -> None:
    """The calling service checked its own permission (e.g. a town station issuing a service record)."""
    town = make_user("town_station", "341181100")
    document = document_issue(actor=town, data=sample_payload(), region="341181100", source="service.request:1")
    assert document.status == DocumentStatus.GENERATED


def test_bad_content_or_region_stores_nothing(staff: Any, no_libreoffice: Any) -> None:
    with pytest.raises(RowErrors) as bad:
        document_issue(actor=staff, data=sample_payload(date="2026年13月1日"), region="341181", source="x:1")
    assert "date" in bad.value.errors
    with pytest.raises(BusinessError) as region:
        document_issue(actor=staff, data=sample_payload(), region="999999", source="x:1")
    assert region.value.field == "region"
    with pytest.raises(BusinessError):
        document_issue(actor=staff, data=sample_payload(), region="341181", source="x:1", kind="memo")
    assert OfficialDocument.objects.count() == 0

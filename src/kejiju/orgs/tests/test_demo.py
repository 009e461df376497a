"""Demo organizations: valid codes, qualifications and IP, idempotent."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from kejiju.engines.idcodes import check_credit_code
from kejiju.orgs.models import IntellectualProperty, Organization, Qualification

pytestmark = pytest.mark.django_db(transaction=True)


def test_county_demo_organizations(capsys):
    call_command("demo", "--scale", "county", "--seed", "7")
    orgs = Organization.objects.filter(region__code__startswith="341181")
    # 400 from the registry's contributor; other modules' demos may register a few more (e.g. a service provider)
    assert 400 <= orgs.count() <= 410
    total = Organization.objects.count()
    assert all(check_credit_code(code).ok for code in orgs.values_list("credit_code", flat=True))
    assert Qualification.objects.filter(kind="hnte").exists()
    assert Qualification.objects.filter(kind="tech_sme").exists()
    assert IntellectualProperty.objects.filter(ip_class="I").exists()
    assert Organization.history.filter(history_type="+").count() == total
    assert all(q.expires_on is None or q.expires_on >= q.issued_on for q in Qualification.objects.all())
    call_command("demo", "--scale", "county", "--seed", "7")
    assert Organization.objects.count() == total  # a second run adds nothing

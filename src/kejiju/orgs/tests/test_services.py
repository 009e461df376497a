"""Organization services: create, update/rename, merge, qualifications, IP — rules, audit, no change on failure."""

from __future__ import annotations

from datetime import date

import pytest

from kejiju.core.errors import BusinessError, RowErrors
from kejiju.core.models import OperationLog
from kejiju.engines.idcodes import make_credit_code
from kejiju.orgs.models import IntellectualProperty, Organization, OrganizationAlias, Qualification
from kejiju.orgs.services import (
    clean_organization,
    ip_save,
    name_initials,
    organization_create,
    organization_merge,
    organization_update,
    qualification_save,
)

pytestmark = pytest.mark.django_db

CODE_A = "91341181MA2T3K4P5X"


def code(n: int) -> str:
    return make_credit_code(f"91341181MA{n:07d}")


def data(**overrides):
    base = {
        "name": "天长市青禾农业科技有限公司",
        "credit_code": code(1),
        "region": "341181",
        "org_type": "enterprise",
        "industry_code": "A",
        "contact_phone": "0550-7301234",
        "founded_on": "2018-03-01",
        "staff_count": "35",
    }
    base.update(overrides)
    return base


@pytest.fixture
def staff(regions, make_user):
    return make_user("bureau_staff", "341181")


def test_create_happy_path(staff):
    org = organization_create(actor=staff, data=data())
    assert org.region_id == "341181" and org.staff_count == 35 and org.founded_on == date(2018, 3, 1)
    assert " tcsqhnykjyxgs" in org.name_initials and " tzsqhnykjyxgs" in org.name_initials
    assert OperationLog.objects.filter(action="orgs.create", target_id=str(org.pk), actor=staff).exists()
    assert org.history.first().history_user_id == staff.pk


@pytest.mark.parametrize(
    "field,value,fragment",
    [
        ("name", "", "单位名称不能为空"),
        ("credit_code", "91110000600037341N", "校验位"),
        ("credit_code", "123", "18 位"),
        ("region", "999999", "不存在"),
        ("region", "341182", "管辖范围"),
        ("org_type", "公司", "单位类型无效"),
        ("industry_code", "Z", "行业代码"),
        ("contact_phone", "9999", "联系电话"),
        ("founded_on", "2020-13-01", "成立日期"),
        ("founded_on", "2999-01-01", "不能晚于今天"),
        ("staff_count", "-3", "非负整数"),
    ],
)
def test_create_rule_violations_change_nothing(staff, field, value, fragment):
    with pytest.raises(RowErrors) as exc:
        organization_create(actor=staff, data=data(**{field: value}))
    assert field in exc.value.errors
    assert fragment in "".join(exc.value.errors[field])
    assert Organization.objects.count() == 0
    assert not OperationLog.objects.filter(action="orgs.create").exists()


def test_duplicate_credit_code(staff):
    organization_create(actor=staff, data=data())
    with pytest.raises(RowErrors) as exc:
        organization_create(actor=staff, data=data(name="另一个名字"))
    assert "已登记为" in exc.value.errors["credit_code"][0]
    assert Organization.objects.count() == 1


def test_rename_keeps_former_name(staff):
    org = organization_create(actor=staff, data=data())
    organization_update(actor=staff, organization=org, data=data(name="天长市青禾科技股份有限公司"))
    org.refresh_from_db()
    assert org.name == "天长市青禾科技股份有限公司"
    assert list(org.aliases.values_list("name", flat=True)) == ["天长市青禾农业科技有限公司"]
    assert OperationLog.objects.filter(action="orgs.rename").exists()
    assert org.history.count() == 2


def test_published_region_codes_are_normalised(staff):
    result = clean_organization(data(region="341181000000"))
    assert result.data["region"] == "341181" and not result.errors


def test_merge_moves_records_and_logs(regions, make_user, staff):
    admin = make_user("bureau_admin", "341181")
    keep = organization_create(actor=staff, data=data())
    dup = organization_create(actor=staff, data=data(name="青禾农业（重复）", credit_code=code(2)))
    qualification_save(actor=staff, organization=dup, kind="tech_sme", issued_on=date(2025, 5, 1))
    ip_save(
        actor=staff,
        organization=dup,
        ip_type="invention",
        title="一种水稻育秧方法",
        number="202310123456.6",
        applied_on=date(2023, 1, 5),
    )
    with pytest.raises(BusinessError):
        organization_merge(actor=staff, keep=keep, duplicate=dup, reason="重复录入")  # staff may not merge
    organization_merge(actor=admin, keep=keep, duplicate=dup, reason="重复录入")
    dup.refresh_from_db()
    assert dup.merged_into_id == keep.pk and dup.is_archived
    assert Qualification.objects.get().organization_id == keep.pk
    assert IntellectualProperty.objects.get().organization_id == keep.pk
    assert OrganizationAlias.objects.filter(organization=keep, name="青禾农业（重复）", source="merge").exists()
    log = OperationLog.objects.get(action="orgs.merge")
    assert log.extra["moved"]["orgs.Qualification"] == 1 and log.actor == admin
    with pytest.raises(BusinessError):
        organization_merge(actor=admin, keep=keep, duplicate=dup, reason="再合并")


def test_merge_with_itself_or_without_reason(regions, make_user, staff):
    admin = make_user("bureau_admin", "341181")
    org = organization_create(actor=staff, data=data())
    with pytest.raises(BusinessError, match="自身"):
        organization_merge(actor=admin, keep=org, duplicate=org, reason="x")
    other = organization_create(actor=staff, data=data(name="乙", credit_code=code(3)))
    with pytest.raises(BusinessError, match="原因"):
        organization_merge(actor=admin, keep=org, duplicate=other, reason=" ")


def test_qualification_rules(staff):
    org = organization_create(actor=staff, data=data())
    hnte = qualification_save(
        actor=staff, organization=org, kind="hnte", issued_on=date(2024, 12, 1), certificate_no="GR202434001234"
    )
    assert hnte.expires_on == date(2027, 12, 1)
    assert hnte.is_valid_on(date(2027, 12, 1)) and not hnte.is_valid_on(date(2027, 12, 2))
    with pytest.raises(BusinessError, match="早于发证日期"):
        qualification_save(
            actor=staff, organization=org, kind="tech_sme", issued_on=date(2025, 5, 1), expires_on=date(2025, 1, 1)
        )
    with pytest.raises(BusinessError, match="已登记"):
        qualification_save(
            actor=staff, organization=org, kind="hnte", issued_on=date(2024, 12, 1), certificate_no="GR202434001234"
        )
    assert Qualification.objects.count() == 1


def test_ip_rules(staff):
    org = organization_create(actor=staff, data=data())
    ip = ip_save(
        actor=staff,
        organization=org,
        ip_type="utility",
        title="一种播种机",
        number="202320123456.1",
        applied_on=date(2023, 2, 1),
        granted_on=date(2023, 8, 1),
        status="granted",
    )
    assert ip.ip_class == "II"
    with pytest.raises(BusinessError, match="格式不正确"):
        ip_save(actor=staff, organization=org, ip_type="invention", title="x", number="ABC")
    with pytest.raises(BusinessError, match="早于申请日"):
        ip_save(
            actor=staff,
            organization=org,
            ip_type="software",
            title="x",
            number="2024SR000001",
            applied_on=date(2024, 5, 1),
            granted_on=date(2024, 1, 1),
        )
    with pytest.raises(BusinessError, match="重复"):
        ip_save(actor=staff, organization=org, ip_type="utility", title="y", number="202320123456.1")
    with pytest.raises(BusinessError, match="授权日"):
        ip_save(actor=staff, organization=org, ip_type="software", title="z", number="2024SR000002", status="granted")
    assert IntellectualProperty.objects.count() == 1


def test_name_initials():
    assert name_initials("安徽科技ABC有限公司").split()[0] == "ahkjabcyxgs"


def test_home_counts_valid_hnte_and_links_to_the_list(staff, client):
    org = organization_create(actor=staff, data=data())
    qualification_save(actor=staff, organization=org, kind="hnte", issued_on=date(2025, 1, 10))
    expired = organization_create(actor=staff, data=data(name="过期高企", credit_code=code(5)))
    qualification_save(
        actor=staff, organization=expired, kind="hnte", issued_on=date(2020, 1, 1), expires_on=date(2022, 12, 31)
    )
    client.force_login(staff)
    response = client.get("/")
    card = next(c for c in response.context["cards"] if c["label"] == "有效高新技术企业")
    assert card["value"] == 1 and card["url"] == "/orgs/?qualification=hnte"
    listed = client.get("/orgs/?qualification=hnte").content.decode()
    assert org.name in listed and "过期高企" not in listed

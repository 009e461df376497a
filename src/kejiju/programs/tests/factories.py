"""Test builders for programmes and projects: a city call with county recommendation, an applicant
organization with its 单位用户, staff of the city, the county and another county, and functions that walk
an application and a project along the flow through the services."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from io import BytesIO
from typing import Any

from django.utils import timezone

from kejiju.core.choices import Role
from kejiju.core.testing.factories import region, role_user
from kejiju.engines.idcodes import make_credit_code, make_id_number
from kejiju.programs import services
from kejiju.programs.models import Application, Call, Program, Project

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

FORM_FIELDS = [
    {"key": "summary", "label": "项目简介", "type": "text", "required": True},
    {"key": "self_funds", "label": "自筹资金（元）", "type": "money", "required": False},
    {"key": "members", "label": "项目组成员", "type": "members", "required": True},
    {"key": "budget", "label": "经费预算", "type": "budget", "required": True},
    {"key": "plan", "label": "可行性研究报告", "type": "attachment", "required": True},
]


def id_number(n: int) -> str:
    return make_id_number("341181", date(1980, 1, 1) + timedelta(days=n), 10 + n)


def pdf() -> BytesIO:
    return BytesIO(PDF)


@dataclass
class World:
    city: Any
    county: Any
    other: Any
    applicant: Any
    org: Any
    program: Program
    call: Call

    @property
    def users(self) -> dict[str, Any]:
        return {"city": self.city, "county": self.county, "other": self.other, "applicant": self.applicant}


_counter = [0]


def organization(actor: Any, region_code: str = "341181", org_type: str = "enterprise", name: str = "") -> Any:
    from kejiju.orgs.services import organization_create

    _counter[0] += 1
    n = _counter[0]
    return organization_create(
        actor=actor,
        data={
            "name": name or "天长市测试科技有限公司%s" % n,
            "credit_code": make_credit_code("91341181MA%07d" % (n + 500)),
            "region": region_code,
            "org_type": org_type,
            "contact_person": "钱伟",
            "contact_phone": "13905501234",
        },
    )


def applicant_for(admin: Any, org: Any, region_code: str = "341181", username: str | None = None) -> Any:
    from kejiju.orgs.services import organization_member_add

    user = role_user(Role.ORG_USER, region_code, username=username, email="applicant@example.com", phone="13905501234")
    organization_member_add(actor=admin, organization=org, user=user)
    return user


def make_call(
    actor: Any,
    program: Program,
    *,
    needs_recommendation: bool = True,
    publish: bool = True,
    closes_in: timedelta = timedelta(days=10),
    **changes: Any,
) -> Call:
    now = timezone.now()
    data = {
        "program": program,
        "year": 2026,
        "title": "2026年度%s申报指南" % program.name,
        "guide": "申报范围……",
        "opens_at": now - timedelta(days=1),
        "closes_at": now + closes_in,
        "budget_ceiling": "1000000.00",
        "max_request": "300000.00",
        "form_fields": FORM_FIELDS,
        "eligibility": {"org_types": ["enterprise"], "one_per_org": True},
        "needs_recommendation": needs_recommendation,
        **changes,
    }
    call = services.call_save(actor=actor, data=data)
    if publish:
        call = services.call_transition(actor=actor, call=call, action="publish")
    return call


def world(**call_changes: Any) -> World:
    """City 3411 issues the call; the applicant sits in county 341181."""
    region("3411", "滁州市")
    region("341181", "天长市")
    region("341182", "明光市")
    admin = role_user(Role.SYSTEM_ADMIN, None)
    city = role_user(Role.BUREAU_STAFF, "3411", full_name="市局经办")
    county = role_user(Role.BUREAU_STAFF, "341181", full_name="县局经办")
    other = role_user(Role.BUREAU_STAFF, "341182", full_name="外县经办")
    org = organization(admin)
    applicant = applicant_for(admin, org)
    program = services.program_save(actor=city, data={"name": "市重点研发计划", "kind": "key_rd", "region": "3411"})
    call = make_call(city, program, **call_changes)
    return World(city, county, other, applicant, org, program, call)


def good_data(amount: str = "200000.00") -> dict[str, Any]:
    half = (Decimal(amount) / 2).quantize(Decimal("0.01"))
    return {
        "title": "稻虾共养智能投喂系统研发",
        "subjects": ["240", "210"],
        "requested_amount": amount,
        "contact_person": "钱伟",
        "contact_phone": "13905501234",
        "fields": {"summary": "研发智能投喂系统。", "self_funds": "400000"},
        "members": [
            {"name": "张三", "id_number": id_number(1), "role": "负责人", "is_leader": True},
            {"name": "李四", "id_number": id_number(2), "role": "软件"},
        ],
        "budget": [
            {"category": "equipment", "source": "grant", "amount": str(half)},
            {"category": "labor", "source": "grant", "amount": str(Decimal(amount) - half)},
            {"category": "materials", "source": "self", "amount": "400000.00"},
        ],
    }


def filled_application(w: World, **data_changes: Any) -> Application:
    app = services.application_create(
        actor=w.applicant, call=w.call, organization=w.org, data={**good_data(), **data_changes}
    )
    services.application_attach(
        actor=w.applicant, application=app, key="plan", fileobj=pdf(), name="可行性研究报告.pdf"
    )
    return app


def submitted(w: World) -> Application:
    app = filled_application(w)
    services.application_submit(actor=w.applicant, application=app)
    if w.call.needs_recommendation:
        services.application_transition(actor=w.county, application=app, action="recommend")
    return Application.objects.get(pk=app.pk)


def reviewed(w: World) -> Application:
    app = submitted(w)
    services.application_transition(actor=w.city, application=app, action="pass_check")
    services.application_review_record(actor=w.city, application=app, score="86.5", opinion="创新性较好，建议立项。")
    return Application.objects.get(pk=app.pk)


def approved_project(w: World, amount: str = "150000.00") -> Project:
    app = reviewed(w)
    decision = services.decision_create(
        actor=w.city,
        call=w.call,
        meeting="局长办公会",
        decided_on=timezone.localdate(),
        items=[(app.pk, amount)],
        doc_number="滁科〔2026〕8号",
    )
    today = timezone.localdate()
    services.decision_publish(
        actor=w.city, decision=decision, start=today - timedelta(days=8), end=today - timedelta(days=1)
    )
    [project] = services.decision_confirm(actor=w.city, decision=decision)
    return project


def contract_data(amount: Decimal, starts: date | None = None) -> dict[str, Any]:
    starts = starts or timezone.localdate()
    half = (amount / 2).quantize(Decimal("0.01"))
    return {
        "starts_on": starts.isoformat(),
        "ends_on": (starts + timedelta(days=730)).isoformat(),
        "targets": [
            {"name": "申请发明专利", "unit": "件", "value": "2"},
            {"name": "新增销售收入", "unit": "万元", "value": "500"},
        ],
        "milestones": [{"due": (starts + timedelta(days=365)).isoformat(), "content": "完成样机"}],
        "budget": [
            {"category": "equipment", "source": "grant", "amount": str(half)},
            {"category": "labor", "source": "grant", "amount": str(amount - half)},
        ],
    }


def signed_project(w: World, starts: date | None = None) -> Project:
    project = approved_project(w)
    services.contract_save(actor=w.city, project=project, data=contract_data(project.approved_amount, starts))
    scan = services.project_attach(
        actor=w.applicant, project=project, fileobj=pdf(), name="任务书签字盖章.pdf", purpose="signed_contract"
    )
    services.contract_sign(actor=w.city, project=project, signed_on=timezone.localdate(), scan=scan)
    return Project.objects.get(pk=project.pk)


def county_world() -> World:
    """A county call (region 341181, no recommendation): the county bureau is the issuer."""
    region("341181", "天长市")
    region("341182", "明光市")
    admin = role_user(Role.SYSTEM_ADMIN, None)
    county = role_user(Role.BUREAU_STAFF, "341181")
    other = role_user(Role.BUREAU_STAFF, "341182")
    org = organization(admin)
    applicant = applicant_for(admin, org)
    program = services.program_save(actor=county, data={"name": "县科技计划", "kind": "spark", "region": "341181"})
    call = make_call(county, program, needs_recommendation=False)
    return World(county, county, other, applicant, org, program, call)


def matrix_application(_code: str) -> Application:
    return submitted(county_world())


def matrix_project(_code: str) -> Project:
    return signed_project(county_world())

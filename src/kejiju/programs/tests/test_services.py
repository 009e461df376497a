"""The whole flow through the services, each rule violation (nothing stored), and the audit rows."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from kejiju.core.errors import BusinessError, RowErrors
from kejiju.core.models import Notification, OperationLog
from kejiju.programs import selectors, services
from kejiju.programs.choices import ApplicationStatus, DecisionStatus, ProjectStatus, ReportStatus
from kejiju.programs.models import (
    Application,
    ApplicationTransition,
    ApplicationVersion,
    Payment,
    ProgressReport,
    Project,
    ProjectTransition,
)
from kejiju.programs.tests import factories as f

pytestmark = pytest.mark.django_db


def test_apply_recommend_check_return_resubmit_approve(w):
    app = f.filled_application(w)
    services.application_submit(actor=w.applicant, application=app)
    app.refresh_from_db()
    assert app.status == ApplicationStatus.PENDING_RECOMMENDATION and app.version == 1 and app.number
    # the city does not see it before the county recommends; the county does
    assert not selectors.application_list(user=w.city).filter(pk=app.pk).exists()
    assert selectors.application_list(user=w.county).filter(pk=app.pk).exists()
    with pytest.raises(BusinessError):  # the city may not recommend
        services.application_transition(actor=w.city, application=app, action="recommend")
    services.application_transition(actor=w.county, application=app, action="recommend")
    assert selectors.application_list(user=w.city, filters={"stage": "check"}).filter(pk=app.pk).exists()
    with pytest.raises(BusinessError):  # the county may not do the city's formal check
        services.application_transition(actor=w.county, application=app, action="pass_check")
    services.application_transition(actor=w.city, application=app, action="start_check")
    with pytest.raises(BusinessError) as no_reason:
        services.application_transition(actor=w.city, application=app, action="return")
    assert no_reason.value.code == "reason_required"
    services.application_transition(actor=w.city, application=app, action="return", reason="缺少自筹资金证明。")
    assert Notification.objects.filter(recipient=w.applicant, title__contains="退回修改").exists()
    services.application_save(actor=w.applicant, application=app, data={"fields": {"self_funds": "450000"}})
    services.application_submit(actor=w.applicant, application=app)
    app.refresh_from_db()
    assert app.version == 2 and ApplicationVersion.objects.filter(application=app).count() == 2
    v1, v2 = app.versions.all()
    diff = selectors.snapshot_diff(v1.snapshot, v2.snapshot)
    assert ("字段 self_funds", "400000.00", "450000.00") in diff
    # after a return the correction goes back through the county
    assert app.status == ApplicationStatus.PENDING_RECOMMENDATION
    services.application_transition(actor=w.county, application=app, action="recommend")
    services.application_transition(actor=w.city, application=app, action="pass_check")
    services.application_review_record(actor=w.city, application=app, score="88", opinion="同意立项。")
    app.refresh_from_db()
    assert app.status == ApplicationStatus.REVIEWED and app.review_score == Decimal("88")
    actions = list(ApplicationTransition.objects.filter(application=app).values_list("action", flat=True))
    assert actions == [
        "submit_to_county",
        "recommend",
        "start_check",
        "return",
        "submit_to_county",
        "recommend",
        "pass_check",
        "record_review",
    ]
    assert OperationLog.objects.filter(action="programs.application_transition", target_id=str(app.pk)).count() == 8


def test_submit_after_deadline_is_refused_and_changes_nothing(w):
    app = f.filled_application(w)
    late = w.call.closes_at + timedelta(seconds=1)
    with pytest.raises(BusinessError) as err:
        services.application_submit(actor=w.applicant, application=app, now=late)
    assert err.value.code == "deadline" and "截止" in err.value.message
    app.refresh_from_db()
    assert app.status == ApplicationStatus.DRAFT and app.version == 0 and not app.versions.exists()
    # exactly at the deadline is still in time
    services.application_submit(actor=w.applicant, application=app, now=w.call.closes_at)


def test_second_application_of_one_organization_is_refused(w):
    f.filled_application(w)
    with pytest.raises(BusinessError) as err:
        services.application_create(actor=w.applicant, call=w.call, organization=w.org)
    assert err.value.code == "one_per_org" and "限报 1 项" in err.value.message
    assert Application.objects.count() == 1


def test_withdrawn_application_frees_the_place_until_the_check_starts(w):
    app = f.filled_application(w)
    services.application_submit(actor=w.applicant, application=app)
    services.application_withdraw(actor=w.applicant, application=app)
    other = services.application_create(actor=w.applicant, call=w.call, organization=w.org)
    assert other.pk != app.pk
    with pytest.raises(BusinessError):
        services.application_reopen(actor=w.applicant, application=app)


def test_withdraw_refused_once_the_formal_check_started(w):
    app = f.submitted(w)
    services.application_transition(actor=w.city, application=app, action="start_check")
    with pytest.raises(BusinessError) as err:
        services.application_withdraw(actor=w.applicant, application=app)
    assert err.value.code == "bad_transition" and "形式审查中" in err.value.message
    assert Application.objects.get(pk=app.pk).status == ApplicationStatus.CHECKING


def test_budget_lines_that_do_not_add_up(w):
    data = f.good_data()
    data["budget"][0]["amount"] = "1.00"
    app = services.application_create(actor=w.applicant, call=w.call, organization=w.org, data=data)
    services.application_attach(actor=w.applicant, application=app, key="plan", fileobj=f.pdf(), name="a.pdf")
    with pytest.raises(RowErrors) as err:
        services.application_submit(actor=w.applicant, application=app)
    assert "与申请资助" in err.value.errors["budget"][0]
    assert Application.objects.get(pk=app.pk).status == ApplicationStatus.DRAFT


@pytest.mark.parametrize("value", ["100.001", "1e3", "abc", "-5", "12,34.5.6"])
def test_money_with_three_decimals_or_garbage_is_refused(w, value):
    app = services.application_create(actor=w.applicant, call=w.call, organization=w.org, data={"title": "原名"})
    with pytest.raises(RowErrors) as err:
        services.application_save(actor=w.applicant, application=app, data={"title": "新名", "requested_amount": value})
    assert "requested_amount" in err.value.errors
    app.refresh_from_db()
    assert app.title == "原名" and app.requested_amount == 0


@given(st.decimals(min_value=0, max_value=10**9, places=3, allow_nan=False, allow_infinity=False))
@settings(max_examples=40, deadline=None)
def test_parse_money_boundary(value):
    text = format(value, "f")
    if len(text.partition(".")[2]) <= 2:
        assert services.parse_money(text, label="金额", field="x") == value.quantize(Decimal("0.01"))
    else:
        with pytest.raises(RowErrors) as err:
            services.parse_money(text, label="金额", field="x")
        assert "两位小数" in err.value.errors["x"][0]


def test_missing_required_attachment(w):
    app = services.application_create(actor=w.applicant, call=w.call, organization=w.org, data=f.good_data())
    with pytest.raises(RowErrors) as err:
        services.application_submit(actor=w.applicant, application=app)
    assert err.value.errors["plan"] == ["缺少必传附件“可行性研究报告”。"]
    assert Application.objects.get(pk=app.pk).status == ApplicationStatus.DRAFT


def test_bad_member_id_number_names_the_row(w):
    app = services.application_create(actor=w.applicant, call=w.call, organization=w.org)
    with pytest.raises(RowErrors) as err:
        services.application_save(
            actor=w.applicant, application=app, data={"members": [{"name": "张三", "id_number": "341181198001011234"}]}
        )
    assert err.value.errors["members"][0].startswith("成员第 1 行（张三）")
    assert not app.members.exists()


def test_eligibility_reasons(w):
    from kejiju.core.testing.factories import role_user

    admin = role_user("system_admin", None)
    school = f.organization(admin, org_type="university", name="滁州职业技术学院")
    user = f.applicant_for(admin, school)
    call = f.make_call(w.city, w.program, eligibility={"org_types": ["enterprise"], "qualifications": ["hnte"]})
    app = services.application_create(actor=user, call=call, organization=school, data=f.good_data())
    services.application_attach(actor=user, application=app, key="plan", fileobj=f.pdf(), name="a.pdf")
    with pytest.raises(BusinessError) as err:
        services.application_submit(actor=user, application=app)
    assert err.value.code == "ineligible"
    assert "只受理以下类型单位申报：企业" in err.value.message and "高新技术企业" in err.value.message


def test_wrong_role_and_wrong_state(w):
    app = f.filled_application(w)
    with pytest.raises(BusinessError) as forbidden:
        services.application_transition(actor=w.other, application=app, action="recommend")
    assert forbidden.value.code == "forbidden"
    with pytest.raises(BusinessError):  # staff may not submit for the organization
        services.application_submit(actor=w.city, application=app)
    services.application_submit(actor=w.applicant, application=app)
    with pytest.raises(BusinessError) as state:
        services.application_review_record(actor=w.city, application=app, score="80", opinion="好")
    assert state.value.code == "bad_transition"
    assert Application.objects.get(pk=app.pk).review_score is None


def test_approval_publicity_objections_notice(w):
    app = f.reviewed(w)
    with pytest.raises(RowErrors) as over:
        services.decision_create(
            actor=w.city, call=w.call, meeting="局长办公会", decided_on="2026-09-01", items=[(app.pk, "999999.00")]
        )
    assert "超过申请金额" in over.value.errors["items"][0]
    decision = services.decision_create(
        actor=w.city, call=w.call, meeting="局长办公会", decided_on="2026-09-01", items=[(app.pk, "150000.00")]
    )
    today = timezone.localdate()
    services.decision_publish(actor=w.city, decision=decision, start=today, end=today + timedelta(days=6))
    assert selectors.public_publicities().filter(pk=decision.pk).exists()
    objection = services.objection_record(
        actor=w.city, decision=decision, content="负责人同时承担其他项目。", received_on=today
    )
    with pytest.raises(BusinessError) as early:
        services.decision_confirm(actor=w.city, decision=decision, today=today + timedelta(days=7))
    assert early.value.code == "objections"
    services.objection_resolve(actor=w.city, objection=objection, resolution="经核实不影响本项目。", upheld=False)
    with pytest.raises(BusinessError) as during:
        services.decision_confirm(actor=w.city, decision=decision, today=today + timedelta(days=6))
    assert during.value.code == "publicity"
    [project] = services.decision_confirm(actor=w.city, decision=decision, today=today + timedelta(days=7))
    assert project.approved_amount == Decimal("150000.00") and project.status == ProjectStatus.PENDING_CONTRACT
    assert Application.objects.get(pk=app.pk).status == ApplicationStatus.APPROVED
    document = services.decision_issue_notice(actor=w.city, decision=decision)
    decision.refresh_from_db()
    assert decision.status == DecisionStatus.NOTICED and decision.notice_document_id == document.pk
    assert document.source == "programs.approval:%s" % decision.pk and document.output is not None
    assert selectors.project_documents(project) == [document]


def test_contract_payments_never_above_approved(w):
    project = f.approved_project(w, amount="100000.00")
    bad = f.contract_data(project.approved_amount)
    bad["budget"][0]["amount"] = "1.00"
    with pytest.raises(RowErrors) as err:
        services.contract_save(actor=w.city, project=project, data=bad)
    assert "应等于立项资助" in err.value.errors["budget"][0]
    with pytest.raises(BusinessError):  # no payment before signing
        services.payment_create(actor=w.city, project=project, amount="1.00", paid_on="2026-10-01")
    assert not Payment.objects.exists() and not hasattr(Project.objects.get(pk=project.pk), "contract")


def test_two_instalments_then_refuse_overpayment(w):
    project = f.signed_project(w)
    assert project.status == ProjectStatus.IN_PROGRESS and project.reports.count() >= 3
    services.disbursement_plan_save(
        actor=w.city,
        project=project,
        rows=[{"planned_on": "2026-10-01", "amount": "90000.00"}, {"planned_on": "2027-10-01", "amount": "60000.00"}],
    )
    d1, d2 = project.disbursements.all()
    services.payment_create(actor=w.city, project=project, amount="90000.00", paid_on="2026-10-08", disbursement=d1)
    with pytest.raises(RowErrors) as over:
        services.payment_create(actor=w.city, project=project, amount="60000.01", paid_on="2027-10-08", disbursement=d2)
    assert "最多还可拨付 60000.00 元" in over.value.errors["amount"][0]
    with pytest.raises(RowErrors):
        services.payment_create(actor=w.city, project=project, amount="0.001", paid_on="2027-10-08")
    services.payment_create(actor=w.city, project=project, amount="60000.00", paid_on="2027-10-08", disbursement=d2)
    assert services.paid_total(project) == project.approved_amount == Decimal("150000.00")
    assert str(services.paid_total(project)) == "150000.00"
    assert Payment.objects.filter(project=project).count() == 2
    with pytest.raises(RowErrors) as full:
        services.payment_create(actor=w.city, project=project, amount="0.01", paid_on="2027-10-09")
    assert full.value.errors["amount"] == [
        "拨付后累计 150000.01 元将超过立项资助 150000.00 元（已拨付 150000.00 元，最多还可拨付 0.00 元）。"
    ]
    assert Payment.objects.filter(project=project).count() == 2
    with pytest.raises(BusinessError):  # the applicant cannot pay itself
        services.payment_create(actor=w.applicant, project=project, amount="1.00", paid_on="2027-10-09")


def test_late_report_triggers_reminders_once_per_week(w):
    project = f.signed_project(w, starts=timezone.localdate() - timedelta(days=200))
    report = project.reports.first()
    assert report.due_on < timezone.localdate()
    assert services.remind_due_reports() == 1
    assert services.remind_due_reports() == 0  # idempotent the same day
    later = timezone.localdate() + timedelta(days=7)
    assert services.remind_due_reports(today=later) >= 1
    note = Notification.objects.filter(recipient=w.applicant, title__contains="逾期").first()
    assert note is not None and project.title in note.title
    assert selectors.overdue_reports(user=w.city).filter(pk=report.pk).exists()
    services.report_submit(actor=w.applicant, report=report, content="完成样机设计。", funds_used="10000.00")
    assert not selectors.overdue_reports(user=w.city).filter(pk=report.pk).exists()
    services.report_review(actor=w.city, report=report, accept=True)
    assert ProgressReport.objects.get(pk=report.pk).status == ReportStatus.ACCEPTED
    assert OperationLog.objects.filter(action="programs.remind").exists()


def test_change_inspection_acceptance_and_performance(w):
    project = f.signed_project(w)
    contract = project.contract
    new_end = contract.ends_on + timedelta(days=180)
    change = services.change_request(
        actor=w.applicant,
        project=project,
        kind="period",
        reason="设备到货延迟。",
        after={"ends_on": new_end.isoformat()},
    )
    with pytest.raises(BusinessError):
        services.change_decide(actor=w.applicant, change=change, approve=True)
    services.change_decide(actor=w.city, change=change, approve=True, reason="同意延期。")
    contract.refresh_from_db()
    assert contract.ends_on == new_end and change.transitions.count() == 2
    inspection = services.inspection_create(
        actor=w.city,
        project=project,
        data={
            "inspected_on": timezone.localdate().isoformat(),
            "findings": "台账不全。",
            "rectification_due": "2027-01-31",
        },
    )
    with pytest.raises(BusinessError):
        services.inspection_close(actor=w.city, inspection=inspection)
    services.inspection_rectify(actor=w.applicant, inspection=inspection, text="已补齐台账。")
    services.inspection_close(actor=w.city, inspection=inspection)
    services.payment_create(actor=w.city, project=project, amount="150000.00", paid_on="2026-10-08")
    with pytest.raises(RowErrors) as missing:
        services.acceptance_apply(
            actor=w.applicant, project=project, summary="完成。", results=[{"name": "申请发明专利", "achieved": "3"}]
        )
    assert "新增销售收入" in missing.value.errors["results"][0]
    services.acceptance_apply(
        actor=w.applicant,
        project=project,
        summary="完成全部任务。",
        results=[{"name": "申请发明专利", "achieved": "3"}, {"name": "新增销售收入", "achieved": "620"}],
    )
    with pytest.raises(BusinessError):  # no decision without the panel's opinion
        services.acceptance_decide(actor=w.city, project=project, decision="pass", decided_on="2028-10-01")
    services.acceptance_panel_record(actor=w.city, project=project, score="91", opinion="全面完成任务书指标。")
    acceptance = services.acceptance_decide(actor=w.city, project=project, decision="pass", decided_on="2028-10-01")
    project.refresh_from_db()
    assert project.status == ProjectStatus.ACCEPTED and acceptance.certificate_document_id
    template = services.default_template()
    with pytest.raises(RowErrors):
        services.performance_review_create(
            actor=w.city,
            project=project,
            template=template,
            scores={"targets": "41"},
            outputs={},
            funds_used="1",
            reviewed_on="2028-12-01",
        )
    review = services.performance_review_create(
        actor=w.city,
        project=project,
        template=template,
        scores={"targets": "38", "funds": "18", "outputs": "17.5", "benefits": "16"},
        outputs={"patents": "3", "products": "1", "revenue": "620", "jobs": "12", "trainees": "80"},
        funds_used="148000.00",
        reviewed_on="2028-12-01",
    )
    assert review.total == Decimal("89.5") and review.grade == "良好"
    steps = [r["action"] for r in selectors.timeline(project)]
    assert steps[0] == "提交（待属地推荐）" and "签订任务书" in steps and steps[-1] == "验收通过"
    assert ProjectTransition.objects.filter(project=project).count() == 4


def test_review_sources_apply_outcome(w):
    from kejiju.review.sources import ReviewOutcome, review_source

    app = f.submitted(w)
    services.application_transition(actor=w.city, application=app, action="pass_check")
    source = review_source("programs.application")
    assert [s.ref for s in source.candidates(user=w.city, kind="call", filters={"call": w.call.pk})] == [
        "programs.application:%s" % app.pk
    ]
    assert source.document("programs.application:%s" % app.pk).title == app.title
    source.apply_outcome(
        actor=w.city,
        outcome=ReviewOutcome(
            ref="programs.application:%s" % app.pk,
            batch_id=1,
            batch_title="第一批",
            kind="call",
            score_mean=Decimal("80.5"),
            score_trimmed=Decimal("81"),
            rank=1,
            reviewers=5,
            opinions=("好", "较好"),
        ),
    )
    app.refresh_from_db()
    assert app.status == ApplicationStatus.REVIEWED and app.review_score == Decimal("81") and app.review_rank == 1
    with pytest.raises(BusinessError):  # a second outcome is refused
        source.apply_outcome(
            actor=w.city,
            outcome=ReviewOutcome(
                ref="programs.application:%s" % app.pk,
                batch_id=2,
                batch_title="x",
                kind="call",
                score_mean=None,
                score_trimmed=None,
                rank=None,
                reviewers=0,
            ),
        )
    assert review_source("programs.project").kinds == (("acceptance", "验收评审"), ("inspection", "中期检查"))


def test_indicators(w):
    from kejiju.core.indicators import get_indicator

    project = f.signed_project(w)
    services.payment_create(actor=w.city, project=project, amount="50000.00", paid_on=timezone.localdate())
    today = timezone.localdate()
    start, end = today.replace(month=1, day=1), today.replace(month=12, day=31)
    assert (
        get_indicator("programs.applications_submitted").value(
            get_indicator("programs.applications_submitted").records("34", start, end)
        )
        == 1
    )
    approved = get_indicator("programs.projects_approved")
    assert approved.value(approved.records("3411", start, end)) == 1
    assert approved.value(approved.records("341182", start, end)) == 0
    funds = get_indicator("programs.funds_approved")
    assert funds.value(funds.records("34", start, end)) == Decimal("15.0000")
    paid = get_indicator("programs.funds_disbursed")
    assert paid.value(paid.records("34", start, end)) == Decimal("5.0000")
    running = get_indicator("programs.projects_in_progress")
    assert running.value(running.records("34", start, end)) == 1
    assert Project.objects.count() == 1

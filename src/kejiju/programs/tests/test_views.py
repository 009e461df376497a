"""Pages: the permission matrix of every staff list and detail, the public pages, the applicant's
pages (only its own organizations), forms with errors on their fields, exports and the dossier."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from kejiju.core.errors import BusinessError
from kejiju.core.models import OperationLog
from kejiju.core.testing.matrix import Endpoint, matrix_cases, run_matrix_case
from kejiju.programs import services
from kejiju.programs.choices import ApplicationStatus, ProjectStatus
from kejiju.programs.models import Application, Payment, Project
from kejiju.programs.tests import factories as f

pytestmark = pytest.mark.django_db

ENDPOINTS = [
    Endpoint(
        "call list",
        "programs.view_call",
        lambda c: f.matrix_application(c).call,
        lambda o: reverse("programs:call_list"),
        detail=False,
        marker=lambda o: o.title,
    ),
    Endpoint(
        "call detail",
        "programs.view_call",
        lambda c: f.matrix_application(c).call,
        lambda o: reverse("programs:call_detail", args=[o.pk]),
    ),
    Endpoint(
        "application list",
        "programs.view_application",
        f.matrix_application,
        lambda o: reverse("programs:application_list"),
        detail=False,
        marker=lambda o: o.title,
    ),
    Endpoint(
        "application detail",
        "programs.view_application",
        f.matrix_application,
        lambda o: reverse("programs:application_detail", args=[o.pk]),
    ),
    Endpoint(
        "project list",
        "programs.view_project",
        f.matrix_project,
        lambda o: reverse("programs:project_list"),
        detail=False,
        marker=lambda o: o.number,
    ),
    Endpoint(
        "project detail",
        "programs.view_project",
        f.matrix_project,
        lambda o: reverse("programs:project_detail", args=[o.pk]),
    ),
    Endpoint(
        "ledger",
        "programs.view_project",
        f.matrix_project,
        lambda o: reverse("programs:ledger"),
        detail=False,
        marker=lambda o: o.program.name,
    ),
    Endpoint("overdue", "programs.view_project", f.matrix_project, lambda o: reverse("programs:overdue"), detail=False),
    Endpoint(
        "payments", "programs.view_project", f.matrix_project, lambda o: reverse("programs:payment_list"), detail=False
    ),
    Endpoint(
        "api calls",
        "programs.view_call",
        lambda c: f.matrix_application(c).call,
        lambda o: "/api/v1/programs/calls/",
        kind="api",
        detail=False,
        marker=lambda o: o.title,
    ),
    Endpoint(
        "api application",
        "programs.view_application",
        f.matrix_application,
        lambda o: "/api/v1/programs/applications/%s/" % o.pk,
        kind="api",
    ),
    Endpoint(
        "api projects",
        "programs.view_project",
        f.matrix_project,
        lambda o: "/api/v1/programs/projects/",
        kind="api",
        detail=False,
        marker=lambda o: o.number,
    ),
    Endpoint(
        "api project",
        "programs.view_project",
        f.matrix_project,
        lambda o: "/api/v1/programs/projects/%s/" % o.pk,
        kind="api",
    ),
    Endpoint(
        "api payments",
        "programs.view_project",
        f.matrix_project,
        lambda o: "/api/v1/programs/projects/%s/payments/" % o.pk,
        kind="api",
    ),
]


@pytest.mark.parametrize("case", matrix_cases(ENDPOINTS), ids=str)
def test_permission_matrix(case, client):
    run_matrix_case(case, client)


def test_public_pages_for_anonymous(client, w):
    response = client.get(reverse("programs:public_call_list"))
    assert response.status_code == 200 and w.call.title in response.content.decode()
    assert client.get(reverse("programs:public_call_detail", args=[w.call.pk])).status_code == 200
    draft = f.make_call(w.city, w.program, publish=False, title="未发布的指南")
    assert client.get(reverse("programs:public_call_detail", args=[draft.pk])).status_code == 404
    assert "未发布的指南" not in client.get(reverse("programs:public_call_list")).content.decode()
    project = f.approved_project(w)
    page = client.get(reverse("programs:public_publicity_detail", args=[project.decision_id])).content.decode()
    assert project.title in page and "150,000" not in page and "15.00" in page
    assert client.get(reverse("programs:public_publicity_list")).status_code == 200


def test_applicant_fills_saves_uploads_and_submits_in_the_browser_forms(client, w):
    client.force_login(w.applicant)
    response = client.post(reverse("programs:my_apply", args=[w.call.pk]), {"organization": w.org.pk})
    app = Application.objects.get()
    assert response["Location"] == reverse("programs:my_application", args=[app.pk])
    url = reverse("programs:my_application", args=[app.pk])
    form = {
        "op": "save",
        "title": "智能投喂",
        "requested_amount": "100000.001",
        "field_summary": "简介",
        "member_name": ["张三"],
        "member_id": [f.id_number(1)],
        "member_role": ["负责人"],
        "member_phone": [""],
        "budget_category": ["equipment"],
        "budget_source": ["grant"],
        "budget_amount": ["100000.00"],
        "budget_note": [""],
    }
    page = client.post(url, form).content.decode()
    assert 'data-testid="error-requested_amount"' in page and "最多保留两位小数" in page
    app.refresh_from_db()
    assert app.title == "" and not app.members.exists()  # nothing stored
    form["requested_amount"] = "100000.00"
    assert client.post(url, form).status_code == 302
    page = client.post(url, {**form, "op": "submit"}).content.decode()
    assert "缺少必传附件“可行性研究报告”" in page
    assert 'data-testid="error-subjects"' in page and "请至少填写一个学科" in page
    upload = io.BytesIO(f.PDF)
    upload.name = "报告.pdf"
    client.post(url, {"op": "upload", "key": "plan", "file": upload})
    form["subjects"] = "240,210"
    assert client.post(url, {**form, "op": "submit"}).status_code == 302
    app.refresh_from_db()
    assert app.status == ApplicationStatus.PENDING_RECOMMENDATION and app.version == 1
    page = client.get(url).content.decode()
    assert "待属地推荐" in page and 'data-testid="withdraw"' in page
    client.post(url, {"op": "withdraw"})
    assert Application.objects.get(pk=app.pk).status == ApplicationStatus.WITHDRAWN


def test_applicant_sees_only_its_own_organizations(client, w):
    from kejiju.core.testing.factories import role_user

    app = f.filled_application(w)
    admin = role_user("system_admin", None)
    other_org = f.organization(admin)
    stranger = f.applicant_for(admin, other_org)
    client.force_login(stranger)
    assert client.get(reverse("programs:my_application", args=[app.pk])).status_code == 404
    assert client.get("/api/v1/programs/my/applications/%s/" % app.pk).status_code == 404
    # an applicant has no staff pages
    assert client.get(reverse("programs:application_list")).status_code == 403
    client.force_login(w.applicant)
    assert client.get(reverse("programs:my_application", args=[app.pk])).status_code == 200


def test_forged_project_id_of_another_region_is_404_and_changes_nothing(client, w):
    project = f.signed_project(w)
    client.force_login(w.other)
    assert client.get(reverse("programs:project_detail", args=[project.pk])).status_code == 404
    response = client.post(
        reverse("programs:project_step", args=[project.pk, "pay"]), {"amount": "1.00", "paid_on": "2026-10-01"}
    )
    assert response.status_code == 404
    assert (
        client.post(
            "/api/v1/programs/projects/%s/payments/" % project.pk,
            {"amount": "1.00", "paid_on": "2026-10-01"},
            content_type="application/json",
        ).status_code
        == 404
    )
    assert not Payment.objects.exists()


def test_staff_queue_buttons_and_wrong_state(client, w):
    app = f.filled_application(w)
    services.application_submit(actor=w.applicant, application=app)
    client.force_login(w.county)
    page = client.get(reverse("programs:application_detail", args=[app.pk])).content.decode()
    assert 'data-testid="act-recommend"' in page and 'data-testid="act-pass_check"' not in page
    client.post(reverse("programs:application_transition", args=[app.pk]), {"action": "recommend"})
    client.force_login(w.city)
    queue = client.get(reverse("programs:application_list") + "?stage=check").content.decode()
    assert app.title in queue
    response = client.post(
        reverse("programs:application_transition", args=[app.pk]), {"action": "record_review"}, follow=True
    )
    assert "您没有该操作的权限。" in response.content.decode()
    response = client.post(reverse("programs:application_transition", args=[app.pk]), {"action": "return"}, follow=True)
    assert "请填写“退回修改”的理由。" in response.content.decode()
    assert Application.objects.get(pk=app.pk).status == ApplicationStatus.SUBMITTED


def test_project_page_timeline_documents_export_and_dossier(client, w):
    project = f.signed_project(w)
    decision = project.decision
    services.decision_issue_notice(actor=w.city, decision=decision)
    services.payment_create(actor=w.city, project=project, amount="50000.00", paid_on=timezone.localdate())
    client.force_login(w.city)
    page = client.get(reverse("programs:project_detail", args=[project.pk])).content.decode()
    assert "签订任务书" in page and "形式审查通过" in page and "立项通知" in page and "市局经办" in page
    export = client.get(reverse("programs:project_list") + "?export=xlsx")
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxmlformats")
    dossier = client.get(reverse("programs:project_dossier", args=[project.pk]))
    names = zipfile.ZipFile(io.BytesIO(dossier.content)).namelist()
    assert "01_申报书.docx" in names and "02_任务书.docx" in names and "03_经费台账.xlsx" in names
    assert any(n.startswith("附件/申报/") for n in names) and any(n.startswith("公文/") for n in names)
    assert OperationLog.objects.filter(action="programs.dossier_export").exists()
    client.force_login(w.applicant)
    page = client.get(reverse("programs:my_project", args=[project.pk])).content.decode()
    assert project.number in page
    decision.refresh_from_db()
    doc_file = decision.notice_document_id
    from kejiju.reports.selectors import documents_for_sources

    output = documents_for_sources(prefix="programs.").get(pk=doc_file).output_id
    assert client.get(reverse("programs:file", args=[output])).status_code == 200


def test_staff_steps_through_pages(client, w):
    project = f.approved_project(w)
    client.force_login(w.city)
    step = lambda name, data: client.post(reverse("programs:project_step", args=[project.pk, name]), data, follow=True)  # noqa: E731
    page = step(
        "contract",
        {
            "starts_on": "2026-10-01",
            "ends_on": "2028-09-30",
            "targets": "申请发明专利|件|2",
            "milestones": "2027-10-01|样机",
            "budget_category": ["equipment"],
            "budget_source": ["grant"],
            "budget_amount": ["100000.00"],
            "budget_note": [""],
        },
    ).content.decode()
    assert "应等于立项资助" in page
    step(
        "contract",
        {
            "starts_on": "2026-10-01",
            "ends_on": "2028-09-30",
            "targets": "申请发明专利|件|2",
            "budget_category": ["equipment"],
            "budget_source": ["grant"],
            "budget_amount": ["150000.00"],
            "budget_note": [""],
        },
    )
    scan = io.BytesIO(f.PDF)
    scan.name = "任务书.pdf"
    client.post(reverse("programs:project_step", args=[project.pk, "sign"]), {"signed_on": "2026-10-01", "scan": scan})
    assert Project.objects.get(pk=project.pk).status == ProjectStatus.IN_PROGRESS
    step("plan", {"rows": "2026-10-10|90000\n2027-10-10|60000"})
    step("pay", {"amount": "90000.00", "paid_on": "2026-10-12"})
    page = step("pay", {"amount": "60000.01", "paid_on": "2027-10-12"}).content.decode()
    assert "将超过立项资助" in page
    step("pay", {"amount": "60000.00", "paid_on": "2027-10-12"})
    assert services.paid_total(project) == Decimal("150000.00")
    assert step("nonsense", {}).status_code == 404


def test_api_applicant_flow_and_bad_input(client, w):
    client.force_login(w.applicant)
    base = "/api/v1/programs/my/applications/"
    created = client.post(
        base, {"call": w.call.pk, "organization": w.org.pk, **f.good_data()}, content_type="application/json"
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    bad = client.patch("%s%s/" % (base, pk), {"requested_amount": "1.001"}, content_type="application/json")
    assert bad.status_code == 400 and "两位小数" in bad.json()["detail"]
    again = client.post(base, {"call": w.call.pk, "organization": w.org.pk}, content_type="application/json")
    assert again.status_code == 400 and "限报 1 项" in again.json()["detail"]
    missing = client.post("%s%s/submit/" % (base, pk), content_type="application/json")
    assert missing.status_code == 400 and "可行性研究报告" in missing.json()["detail"]
    services.application_attach(
        actor=w.applicant, application=Application.objects.get(pk=pk), key="plan", fileobj=f.pdf(), name="a.pdf"
    )
    ok = client.post("%s%s/submit/" % (base, pk), content_type="application/json")
    assert ok.status_code == 200 and ok.json()["status"] == "pending_recommendation"
    assert (
        client.post("%s%s/withdraw/" % (base, pk), {}, content_type="application/json").json()["status"] == "withdrawn"
    )
    assert client.get("%s99999999999999999999/" % base).status_code == 404


def test_api_staff_transition_and_late_submit(client, w):
    app = f.filled_application(w)
    late = w.call.closes_at + timedelta(minutes=1)
    with pytest.raises(BusinessError):
        services.application_submit(actor=w.applicant, application=app, now=late)
    services.application_submit(actor=w.applicant, application=app)
    client.force_login(w.county)
    url = "/api/v1/programs/applications/%s/transition/" % app.pk
    assert client.post(url, {"action": "pass_check"}, content_type="application/json").status_code == 403
    assert client.post(url, {"action": "recommend"}, content_type="application/json").status_code == 200
    client.force_login(w.city)
    assert client.post(url, {"action": "no_such"}, content_type="application/json").status_code == 400
    assert client.post(url, {"action": "pass_check"}, content_type="application/json").json()["status"] == "in_review"
    review = client.post(
        "/api/v1/programs/applications/%s/review/" % app.pk,
        {"score": "101", "opinion": "x"},
        content_type="application/json",
    )
    assert review.status_code == 400


def test_transition_records_read_in_chinese(client, w):
    app = f.filled_application(w)
    services.application_submit(actor=w.applicant, application=app)
    services.application_transition(actor=w.county, application=app, action="recommend")
    client.force_login(w.city)
    page = client.get("/programs/applications/%s/" % app.pk).content.decode()
    records = page[page.index('data-testid="transitions"') :]
    assert "待属地推荐 → 待形式审查" in records and "推荐" in records
    assert "pending_recommendation" not in records and ">recommend<" not in records


def test_uploads_are_named_by_their_form_field(client, w):
    """An upload is stored under its field's key (plan) and shown by the field's label in the call."""
    app = f.filled_application(w)
    services.application_submit(actor=w.applicant, application=app)
    services.application_transition(actor=w.county, application=app, action="recommend")
    client.force_login(w.city)
    page = client.get("/programs/applications/%s/" % app.pk).content.decode()
    files = page[page.index("附件</h2>") :]
    files = files[: files.index("</ul>")]
    assert "可行性研究报告.pdf" in files and "可行性研究报告 ·" in files
    assert "plan ·" not in files


def test_performance_form_offers_every_scoring_template(client, w):
    project = f.signed_project(w)
    services.default_template()
    other = services.performance_template_save(
        actor=w.city,
        name="软科学项目绩效评价",
        items=[{"key": "quality", "label": "研究质量", "max": 60}, {"key": "use", "label": "成果采纳", "max": 40}],
    )
    client.force_login(w.city)
    page = client.get("/programs/projects/%s/" % project.pk).content.decode()
    assert 'data-testid="perf-template-%s"' % other.pk in page and "perf-quality" not in page
    page = client.get("/programs/projects/%s/?perf_template=%s" % (project.pk, other.pk)).content.decode()
    assert 'data-testid="perf-quality"' in page and 'name="template" value="%s"' % other.pk in page
    response = client.post(
        "/programs/projects/%s/do/performance/" % project.pk,
        {
            "template": other.pk,
            "score_quality": "50",
            "score_use": "30",
            "funds_used": "0",
            "reviewed_on": "2026-11-30",
        },
    )
    assert response.status_code in (200, 302)
    review = project.performance_reviews.get()
    assert review.template == other and review.total == 80

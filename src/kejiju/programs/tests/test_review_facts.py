"""Subjects, co-operating organizations and the experts an applicant asks to avoid: validated on the
application (page and API), required on submission, handed to the expert review by both sources and
respected by a real 立项评审 draw."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.apps import apps
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from kejiju.core.errors import RowErrors
from kejiju.core.testing.factories import region, role_user
from kejiju.programs import services
from kejiju.programs.choices import ApplicationStatus
from kejiju.programs.models import Application, Contract
from kejiju.programs.registrations import ApplicationReviewSource, ProjectReviewSource
from kejiju.programs.tests import factories as f
from kejiju.review import services as review_services
from kejiju.review.sources import make_ref

pytestmark = pytest.mark.django_db

OperationLog = apps.get_model("core", "OperationLog")
AVOID = {"name": "吴志远", "organization": "", "reason": "与申报单位存在竞争关系"}


def _admin() -> Any:
    return role_user("system_admin", None)


def _expert(actor: Any, n: int, subjects: str = "240", **data: Any) -> Any:
    return review_services.expert_create(
        actor=actor,
        data={
            "name": data.pop("name", "专家%s" % n),
            "id_number": f.id_number(100 + n),
            "region": "3411",
            "subjects": subjects,
            "title": "正高级工程师",
            **data,
        },
    )


def _draft(w: f.World, **data: Any) -> Application:
    return services.application_create(actor=w.applicant, call=w.call, organization=w.org, data=data or None)


def _batch(w: f.World, refs: list[str], **data: Any) -> Any:
    """A 立项评审 draw batch of the city over ``refs`` (one reviewer each unless told, no reserves)."""
    return review_services.batch_create(
        actor=w.city,
        data={
            "title": "2026 年度市重点研发计划立项评审",
            "source_key": "programs.application",
            "kind": "call",
            "mode": "draw",
            "reviewers_per_item": 1,
            "reserves_per_item": 0,
            "max_load": 3,
            "min_load": 0,
            "refs": refs,
            "region": "3411",
            **data,
        },
    )


# ------------------------------------------------------------------------------------------ validation


def test_subjects_codes_are_checked_and_a_draft_may_leave_them_blank(w):
    app = _draft(w, title="草稿")
    assert app.subjects == []
    logs = OperationLog.objects.count()
    with pytest.raises(RowErrors) as err:
        services.application_save(actor=w.applicant, application=app, data={"title": "改名", "subjects": "240,999"})
    assert err.value.errors == {"subjects": ["学科代码“999”不在《学科分类与代码》（GB/T 13745）中。"]}
    app.refresh_from_db()
    assert (app.title, app.subjects) == ("草稿", []) and OperationLog.objects.count() == logs
    services.application_save(actor=w.applicant, application=app, data={"subjects": "240，210、240"})
    app.refresh_from_db()
    assert app.subjects == ["240", "210"]
    log = OperationLog.objects.filter(action="programs.application_save").latest("pk")
    assert log.extra == {"fields": ["subjects"]}


def test_submission_requires_a_subject(w):
    app = f.filled_application(w, subjects=[])
    with pytest.raises(RowErrors) as err:
        services.application_submit(actor=w.applicant, application=app)
    assert err.value.errors == {"subjects": ["请至少填写一个学科（GB/T 13745 代码，第一个为主学科）。"]}
    app.refresh_from_db()
    assert app.status == ApplicationStatus.DRAFT and app.version == 0 and not app.versions.exists()
    services.application_save(actor=w.applicant, application=app, data={"subjects": ["240"]})
    services.application_submit(actor=w.applicant, application=app)
    snapshot = app.versions.get().snapshot
    assert snapshot["subjects"] == ["240"] and snapshot["avoid_experts"] == []


@override_settings(KEJIJU_REVIEW_APPLICANT_AVOID_MAX=2)
def test_avoid_rows_are_capped_and_need_a_name_and_a_reason(w):
    app = _draft(w, title="草稿")
    cases = [
        ([AVOID, {**AVOID, "name": "李四"}, {**AVOID, "name": "王五"}], "申请回避的专家最多 2 名，现填写 3 名。"),
        ([{**AVOID, "name": " "}], "申请回避的专家第 1 行：姓名不能为空。"),
        ([AVOID, {**AVOID, "reason": ""}], "申请回避的专家第 2 行（吴志远）：请填写回避理由。"),
        ("吴志远", "申请回避的专家应为列表。"),
    ]
    for rows, message in cases:
        with pytest.raises(RowErrors) as err:
            services.application_save(actor=w.applicant, application=app, data={"avoid_experts": rows, "title": "x"})
        assert message in err.value.errors["avoid_experts"]
        app.refresh_from_db()
        assert app.avoid_experts == [] and app.title == "草稿"
    blank = {"name": "", "organization": "", "reason": ""}
    services.application_save(
        actor=w.applicant,
        application=app,
        data={"avoid_experts": [{**AVOID, "organization": " 滁州学院 "}, blank, blank]},
    )
    app.refresh_from_db()
    assert app.avoid_experts == [{"name": "吴志远", "organization": "滁州学院", "reason": "与申报单位存在竞争关系"}]


def test_cooperating_organizations_come_from_the_registry_within_the_call(w):
    admin = _admin()
    partner = f.organization(admin, org_type="institute", name="天长市农业科学研究所")
    region("3412", "其他市")
    outside = f.organization(admin, region_code="3412", name="外市合作公司")
    app = _draft(w, title="草稿")
    with pytest.raises(RowErrors) as err:
        services.application_save(
            actor=w.applicant,
            application=app,
            data={"cooperating_organizations": ["天长市农业科学研究所", "不存在的公司", w.org.name, outside.name]},
        )
    problems = err.value.errors["cooperating_organizations"]
    assert problems[0].startswith("合作单位第 2 行：“不存在的公司”不在本指南范围的单位名录中")
    assert problems[1] == "合作单位第 3 行：“%s”是申报单位本身，不能作为合作单位。" % w.org.name
    assert problems[2].startswith("合作单位第 4 行：“外市合作公司”不在")
    assert not app.cooperating_organizations.exists()
    with pytest.raises(RowErrors) as err:
        services.application_save(
            actor=w.applicant, application=app, data={"cooperating_organizations": [w.org.pk, outside.pk]}
        )
    assert err.value.errors["cooperating_organizations"] == [
        "合作单位第 1 行：申报单位本身不能作为合作单位。",
        "合作单位第 2 行：单位 %s 不在本指南范围的单位名录中。" % outside.pk,
    ]
    services.application_save(
        actor=w.applicant, application=app, data={"cooperating_organizations": "%s\n\n" % partner.credit_code.lower()}
    )
    assert list(app.cooperating_organizations.all()) == [partner]
    services.application_save(actor=w.applicant, application=app, data={"cooperating_organizations": []})
    assert not app.cooperating_organizations.exists()


def test_page_shows_the_errors_and_stores_nothing(client, w):
    app = f.filled_application(w)
    client.force_login(w.applicant)
    url = reverse("programs:my_application", args=[app.pk])
    page = client.get(url).content.decode()
    assert 'data-testid="subjects"' in page and 'value="240,210"' in page and "最多 3 名" in page
    form = {
        "op": "save",
        "title": "改过的名称",
        "requested_amount": "200000.00",
        "field_summary": "简介",
        "member_name": ["张三"],
        "member_id": [f.id_number(1)],
        "member_role": ["负责人"],
        "member_phone": [""],
        "budget_category": ["equipment"],
        "budget_source": ["grant"],
        "budget_amount": ["200000.00"],
        "budget_note": [""],
        "subjects": "240,abc",
        "cooperating_organizations": "不存在的公司",
        "avoid_name": ["吴志远", "", ""],
        "avoid_organization": ["滁州学院", "", ""],
        "avoid_reason": ["", "", ""],
    }
    page = client.post(url, form).content.decode()
    assert "学科代码“abc”不在《学科分类与代码》（GB/T 13745）中。" in page
    assert "申请回避的专家第 1 行（吴志远）：请填写回避理由。" in page
    assert 'data-testid="error-cooperating_organizations"' in page
    app.refresh_from_db()
    assert app.title == "稻虾共养智能投喂系统研发" and app.avoid_experts == [] and app.subjects == ["240", "210"]
    partner = f.organization(_admin(), org_type="institute", name="天长市农业科学研究所")
    form.update(subjects="240", cooperating_organizations=partner.name, avoid_reason=["竞争关系", "", ""])
    assert client.post(url, form).status_code == 302
    app.refresh_from_db()
    assert app.subjects == ["240"] and list(app.cooperating_organizations.all()) == [partner]
    assert app.avoid_experts == [{"name": "吴志远", "organization": "滁州学院", "reason": "竞争关系"}]
    services.application_submit(actor=w.applicant, application=app)
    client.force_login(w.county)
    page = client.get(reverse("programs:application_detail", args=[app.pk])).content.decode()
    assert "240 水产学" in page and partner.name in page and "竞争关系" in page


@override_settings(KEJIJU_REVIEW_APPLICANT_AVOID_MAX=1)
def test_api_validates_and_returns_the_review_facts(client, w):
    app = _draft(w, title="草稿")
    client.force_login(w.applicant)
    url = "/api/v1/programs/my/applications/%s/" % app.pk
    bad = client.patch(url, {"subjects": ["999"]}, content_type="application/json")
    assert bad.status_code == 400 and "999" in bad.json()["detail"]
    over = client.patch(url, {"avoid_experts": [AVOID, {**AVOID, "name": "李四"}]}, content_type="application/json")
    assert over.status_code == 400 and "申请回避的专家最多 1 名" in over.json()["detail"]
    no_reason = client.patch(url, {"avoid_experts": [{"name": "李四"}]}, content_type="application/json")
    assert no_reason.status_code == 400 and "回避理由" in no_reason.json()["detail"]
    app.refresh_from_db()
    assert app.subjects == [] and app.avoid_experts == []
    partner = f.organization(_admin(), org_type="institute")
    ok = client.patch(
        url,
        {"subjects": ["240", "210"], "cooperating_organizations": [partner.pk], "avoid_experts": [AVOID]},
        content_type="application/json",
    )
    assert ok.status_code == 200, ok.content
    body = ok.json()
    assert body["subjects"] == ["240", "210"] and body["cooperating_organizations"] == [partner.pk]
    assert body["avoid_experts"] == [AVOID]


# ------------------------------------------------------------------------------------------ review sources


def test_application_source_hands_over_subjects_cooperating_and_avoid_list(w):
    admin = _admin()
    partner = f.organization(admin, org_type="institute")
    twin_a = _expert(w.city, 1, name="吴志远", organization_name="滁州学院")
    twin_b = _expert(w.city, 2, name="吴志远", organization_name="安徽科技学院")
    named = _expert(w.city, 3, name="钱一鸣", organization_name="滁州学院")
    _expert(w.city, 4, name="钱一鸣", organization_name="安徽科技学院")
    app = f.filled_application(
        w,
        cooperating_organizations=[partner.pk],
        avoid_experts=[
            AVOID,  # no work unit: both experts of that name are avoided
            {"name": "钱一鸣", "organization": "滁州", "reason": "曾有合作纠纷"},
            {"name": "不在库的专家", "organization": "", "reason": "竞争关系"},
        ],
    )
    (subject,) = ApplicationReviewSource().subjects([make_ref("programs.application", app.pk)])
    assert subject.subjects == ("240", "210")
    assert subject.cooperating_organization_ids == (partner.pk,)
    assert subject.organization_id == w.org.pk
    assert set(subject.member_person_ids) == set(app.members.values_list("person_id", flat=True))
    assert sorted(subject.avoid_person_ids) == sorted(
        [
            (twin_a.person_id, "与申报单位存在竞争关系"),
            (twin_b.person_id, "与申报单位存在竞争关系"),
            (named.person_id, "曾有合作纠纷"),
        ]
    )
    document = ApplicationReviewSource().document(subject.ref)
    assert ("学科", "240、210") in document.fields and ("合作单位", partner.name) in document.fields


def test_project_source_uses_the_application_and_the_contract(w):
    admin = _admin()
    partner = f.organization(admin, org_type="institute")
    extra = f.organization(admin, org_type="institute")
    expert = _expert(w.city, 5, name="吴志远")
    app = f.filled_application(w, cooperating_organizations=[partner.pk], avoid_experts=[AVOID])
    services.application_submit(actor=w.applicant, application=app)
    services.application_transition(actor=w.county, application=app, action="recommend")
    services.application_transition(actor=w.city, application=app, action="pass_check")
    services.application_review_record(actor=w.city, application=app, score="86.5", opinion="建议立项。")
    today = timezone.localdate()
    decision = services.decision_create(
        actor=w.city, call=w.call, meeting="局长办公会", decided_on=today, items=[(app.pk, "150000.00")]
    )
    services.decision_publish(
        actor=w.city, decision=decision, start=today - timedelta(days=8), end=today - timedelta(days=1)
    )
    (project,) = services.decision_confirm(actor=w.city, decision=decision)
    services.contract_save(actor=w.city, project=project, data=f.contract_data(project.approved_amount))
    contract = Contract.objects.get(project=project)
    assert list(contract.cooperating_organizations.all()) == [partner]  # carried from the application
    contract.cooperating_organizations.add(extra)
    (subject,) = ProjectReviewSource().subjects([make_ref("programs.project", project.pk)])
    assert subject.subjects == ("240", "210")
    assert subject.cooperating_organization_ids == tuple(sorted([partner.pk, extra.pk]))
    assert subject.avoid_person_ids == ((expert.person_id, "与申报单位存在竞争关系"),)


def test_a_review_draw_over_applications_respects_subject_and_avoid_list(w):
    ConflictKind = apps.get_model("review", "BatchConflict")._meta.get_field("kind").choices
    assert ("applicant_named", "申报单位申请回避") in ConflictKind
    partner = f.organization(_admin(), org_type="institute")
    fit_a = _expert(w.city, 11, subjects="240")
    fit_b = _expert(w.city, 12, subjects="210,180")
    avoided = _expert(w.city, 13, subjects="240", name="吴志远")
    coop = _expert(w.city, 14, subjects="240", organization=partner.pk)
    _expert(w.city, 15, subjects="520")  # computer science: no shared subject
    _expert(w.city, 16, subjects="460")
    app = f.filled_application(w, cooperating_organizations=[partner.pk], avoid_experts=[AVOID])
    services.application_submit(actor=w.applicant, application=app)
    services.application_transition(actor=w.county, application=app, action="recommend")
    services.application_transition(actor=w.city, application=app, action="pass_check")
    ref = make_ref("programs.application", app.pk)
    batch = _batch(w, [ref], reviewers_per_item=2, filters={"call": w.call.pk})
    item = batch.items.get()
    assert item.facts["subjects"] == ["240", "210"]
    assert item.facts["avoid_person_ids"] == [[avoided.person_id, "与申报单位存在竞争关系"]]
    record = review_services.batch_draw(actor=w.city, batch=batch, nonce="p6-draw", supervisor="李", witnesses="王")
    assert record.ok, record.result
    Assignment = apps.get_model("review", "Assignment")
    panel = set(Assignment.objects.filter(batch=batch, panel=True).values_list("expert_id", flat=True))
    assert panel == {fit_a.pk, fit_b.pk}
    BatchConflict = apps.get_model("review", "BatchConflict")
    kinds = dict(BatchConflict.objects.filter(batch=batch).values_list("expert_id", "kind"))
    assert kinds[avoided.pk] == "applicant_named" and kinds[coop.pk] == "coop_org"


@override_settings(KEJIJU_REVIEW_APPLICANT_AVOID_MAX=3)
def test_a_name_shared_by_several_experts_counts_once_against_the_cap(w):
    """Three rows, the first naming a name two experts of the pool share: both are avoided, and the batch
    is built (three experts named, not four)."""
    twins = [_expert(w.city, 21 + n, subjects="240", name="吴志远") for n in range(2)]
    others = [_expert(w.city, 23 + n, subjects="240", name=name) for n, name in enumerate(("李四海", "周明"))]
    rows = [AVOID, {**AVOID, "name": "李四海"}, {**AVOID, "name": "周明"}]
    app = f.filled_application(w, avoid_experts=rows)
    services.application_submit(actor=w.applicant, application=app)
    services.application_transition(actor=w.county, application=app, action="recommend")
    services.application_transition(actor=w.city, application=app, action="pass_check")
    (subject,) = ApplicationReviewSource().subjects([make_ref("programs.application", app.pk)])
    assert subject.avoid_requests == 3 and len(subject.avoid_person_ids) == 4
    batch = _batch(w, [subject.ref])
    avoided = {pk for pk, _reason in batch.items.get().facts["avoid_person_ids"]}
    assert avoided == {e.person_id for e in twins + others}


def test_call_page_opens_a_review_batch_and_lists_it(client, w):
    """The call's page offers 组织专家评审 once applications are in review, pre-filling the review module's
    form (source, kind, this call, title, criteria), and lists the batches that review its applications."""
    client.force_login(w.city)
    url = reverse("programs:call_detail", args=[w.call.pk])
    assert 'data-testid="call-review-batch"' not in client.get(url).content.decode()
    app = f.submitted(w)
    services.application_transition(actor=w.city, application=app, action="pass_check")
    page = client.get(url).content.decode()
    link = page.split('data-testid="call-review-batch"', 1)[0].rsplit('href="', 1)[1].split('"', 1)[0]
    assert "source_key=programs.application" in link and "filter_call=%s" % w.call.pk in link
    form = client.get(link.replace("&amp;", "&")).content.decode()
    assert app.title in form and "创新性:30" in form
    _expert(w.city, 31, subjects="240")
    batch = _batch(w, [make_ref("programs.application", app.pk)])
    listed = client.get(url).content.decode().split('data-testid="call-review-batches"', 1)[1]
    assert reverse("review:batch_detail", args=[batch.pk]) in listed
    # the county's staff, who may not manage the city's call, get neither the button nor another's batches
    client.force_login(w.other)
    other = client.get(url).content.decode()
    assert 'data-testid="call-review-batch"' not in other and "call-review-batches" not in other


def test_project_page_offers_acceptance_review_when_applied(client, w):
    project = f.signed_project(w)
    client.force_login(w.city)
    url = reverse("programs:project_detail", args=[project.pk])
    page = client.get(url).content.decode()
    link = page.split('data-testid="project-review-batch"', 1)[0].rsplit('href="', 1)[1].split('"', 1)[0]
    assert "source_key=programs.project" in link and "kind=inspection" in link
    assert "组织中期检查（抽取专家）" in page


def test_call_review_criteria_are_checked_and_offered_to_its_review_batch(client, w):
    """Criteria and weights per call: checked as a batch's are (sum 100, positive whole points, no repeats),
    stored one a line, shown on the call page and pre-filled into the call's new review batch."""
    call = w.call
    full = {
        "program": call.program_id,
        "year": call.year,
        "title": call.title,
        "opens_at": timezone.localtime(call.opens_at).strftime("%Y-%m-%d %H:%M"),
        "closes_at": timezone.localtime(call.closes_at).strftime("%Y-%m-%d %H:%M"),
    }
    for bad, message in (
        ("创新性:60\n可行性:30", "各项指标分值之和应为 100，现为 90。"),
        ("创新性:50\n创新性:50", "评分指标名称不能重复。"),
        ("创新性:abc\n可行性:100", "第 1 项“创新性”的分值应为正整数。"),
    ):
        with pytest.raises(RowErrors) as err:
            services.call_save(actor=w.city, call=call, data={**full, "review_criteria": bad, "title": "改名"})
        assert message in err.value.errors["review_criteria"]
        w.call.refresh_from_db()
        assert w.call.review_criteria == "" and w.call.title != "改名"
    services.call_save(
        actor=w.city,
        call=w.call,
        data={**full, "review_criteria": " 创新性：40\n\n技术可行性:35\n 预期效益 : 25 "},
    )
    w.call.refresh_from_db()
    assert w.call.review_criteria == "创新性:40\n技术可行性:35\n预期效益:25"
    app = f.submitted(w)
    services.application_transition(actor=w.city, application=app, action="pass_check")
    client.force_login(w.city)
    page = client.get(reverse("programs:call_detail", args=[w.call.pk])).content.decode()
    assert "技术可行性:35" in page.split('data-testid="call-review-criteria"', 1)[1]
    link = page.split('data-testid="call-review-batch"', 1)[0].rsplit('href="', 1)[1].split('"', 1)[0]
    form = client.get(link.replace("&amp;", "&")).content.decode()
    assert "创新性:40\n技术可行性:35\n预期效益:25" in form


@override_settings(KEJIJU_REVIEW_APPLICANT_AVOID_MAX=3)
def test_staff_entries_count_against_what_the_applicant_named_not_the_matches(w):
    """The cap counts the applicant's rows: two typed names matching nobody in the pool leave room for one
    staff entry, not two; a name two experts share counts once."""
    _expert(w.city, 41, subjects="240", name="吴志远")
    _expert(w.city, 42, subjects="240", name="吴志远")
    pool = [_expert(w.city, 43 + n, subjects="240") for n in range(3)]
    unknown = [{**AVOID, "name": "查无此人"}, {**AVOID, "name": "也无此人"}]
    w.call.eligibility = {"org_types": ["enterprise"], "one_per_org": False}
    w.call.save()
    apps_ = []
    for rows in (unknown, [AVOID, {**AVOID, "name": "查无此人"}]):
        app = f.filled_application(w, avoid_experts=rows, title="申报%d" % len(apps_))
        services.application_submit(actor=w.applicant, application=app)
        services.application_transition(actor=w.county, application=app, action="recommend")
        services.application_transition(actor=w.city, application=app, action="pass_check")
        apps_.append(app)
    batch = _batch(w, [make_ref("programs.application", a.pk) for a in apps_])
    first, second = batch.items.order_by("pk")
    assert first.facts["avoid_requests"] == 2 and first.facts["avoid_person_ids"] == []
    review_services.applicant_avoid_add(actor=w.city, batch=batch, item=first.pk, expert=pool[0].pk, reason="竞争")
    with pytest.raises(RowErrors) as err:
        review_services.applicant_avoid_add(actor=w.city, batch=batch, item=first.pk, expert=pool[1].pk, reason="竞争")
    assert "最多申请回避 3 名专家" in err.value.errors["expert"][0]
    # two rows, one of them a name two experts share: one more staff entry fits
    assert second.facts["avoid_requests"] == 2 and len(second.facts["avoid_person_ids"]) == 2
    review_services.applicant_avoid_add(actor=w.city, batch=batch, item=second.pk, expert=pool[2].pk, reason="竞争")
    assert batch.avoid_requests.count() == 2


def test_the_sources_read_avoid_lists_in_a_fixed_number_of_queries(w):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _expert(w.city, 51, subjects="240", name="吴志远")
    rows = [AVOID, {**AVOID, "name": "李四海"}, {**AVOID, "name": "周明"}]

    def refs(n: int) -> list[str]:
        made = [f.filled_application(w, avoid_experts=rows, title="申报%d" % i) for i in range(n)]
        return [make_ref("programs.application", a.pk) for a in made]

    w.call.eligibility = {"org_types": ["enterprise"], "one_per_org": False}
    w.call.save()
    one, five = refs(1), refs(5)
    with CaptureQueriesContext(connection) as small:
        ApplicationReviewSource().subjects(one)
    with CaptureQueriesContext(connection) as large:
        subjects = ApplicationReviewSource().subjects(five)
    assert len(large) == len(small) and all(len(s.avoid_person_ids) == 1 for s in subjects)

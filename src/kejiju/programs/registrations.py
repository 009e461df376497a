"""What programmes and projects add to the platform: role permissions, menu, region counters, history
pages, the organization-page panel, the person roles, and the two review sources the review module
plugs into (``programs.application`` and ``programs.project``)."""

from __future__ import annotations

from typing import Any

from kejiju.core.audit import register_history_model
from kejiju.core.choices import Role
from kejiju.core.navigation import NavItem, register_nav
from kejiju.core.roles import grant
from kejiju.core.selectors import RegionCounter, register_region_counter
from kejiju.orgs.selectors import register_organization_panel
from kejiju.people.registry import PersonRole, register_person_role
from kejiju.review.sources import ReviewDocument, ReviewSubject, make_ref, register_review_source

VIEW = (
    "programs.view_program",
    "programs.view_call",
    "programs.view_application",
    "programs.view_approvaldecision",
    "programs.view_project",
)
STAFF = (
    "programs.add_program",
    "programs.change_program",
    "programs.add_call",
    "programs.change_call",
    "programs.publish_call",
    "programs.recommend_application",
    "programs.check_application",
    "programs.review_application",
    "programs.add_approvaldecision",
    "programs.approve_application",
    "programs.manage_project",
    "programs.pay_project",
    "programs.add_performancetemplate",
)

grant((Role.SYSTEM_ADMIN, Role.BUREAU_ADMIN, Role.BUREAU_STAFF), *VIEW, *STAFF)
grant(Role.BUREAU_LEADER, *VIEW)
grant(Role.ORG_USER, "programs.apply_application")

register_nav(
    "programs",
    "科技计划与项目",
    "kanban",
    200,
    [
        NavItem("申报指南", "programs:call_list", "programs.view_call", "megaphone"),
        NavItem("申报受理", "programs:application_list", "programs.view_application", "inbox"),
        NavItem("立项管理", "programs:decision_list", "programs.view_approvaldecision", "check2-square"),
        NavItem("项目管理", "programs:project_list", "programs.view_project", "kanban"),
        NavItem("经费台账", "programs:ledger", "programs.view_project", "cash-coin"),
        NavItem("逾期事项", "programs:overdue", "programs.view_project", "alarm"),
        NavItem("科技计划", "programs:program_list", "programs.view_program", "collection"),
        NavItem("我的申报与项目", "programs:my_home", "programs.apply_application", "person-workspace"),
    ],
)


def _projects():  # type: ignore[no-untyped-def]
    from kejiju.programs.models import Project

    return Project.objects.all()


register_region_counter(RegionCounter("projects", "科技项目", _projects, url_name="programs:project_list"))
register_history_model("call", "programs.Call", "项目指南")
register_history_model("application", "programs.Application", "项目申报")
register_history_model("project", "programs.Project", "项目")


def _org_panel(user: Any, organization: Any) -> dict[str, Any] | None:
    from kejiju.programs.models import Project

    if not user.has_perm("programs.view_project"):
        return None
    projects = (
        Project.objects.restrict(user, "programs.view_project")
        .filter(organization=organization)
        .select_related("program")
    )
    return {"projects": list(projects.order_by("-approved_on")[:50])}


register_organization_panel("科技项目", "programs/panel_org_projects.html", _org_panel, order=40, key="programs")


def _person_roles(user: Any, person: Any) -> list[PersonRole]:
    from django.urls import reverse

    from kejiju.programs.models import ApplicationMember

    if not user.has_perm("programs.view_application"):
        return []
    out = []
    rows = ApplicationMember.objects.filter(person=person).select_related("application")
    for m in rows.filter(
        application__in=__import__("kejiju.programs.selectors", fromlist=["x"]).application_list(user=user)
    )[:20]:
        out.append(
            PersonRole(
                "项目负责人" if m.is_leader else "项目成员",
                reverse("programs:application_detail", args=[m.application_id]),
                m.application.title,
            )
        )
    return out


register_person_role("programs", _person_roles, order=40)


# ------------------------------------------------------------------------------------------ review sources


def avoid_pool(applications: Any) -> dict[str, list[tuple[int, str]]]:
    """The pool's experts named in any of the applications' avoid lists, in one query (see
    :func:`avoid_person_ids`)."""
    from kejiju.review.selectors import experts_by_names

    names = [row.get("name", "") for app in applications for row in app.avoid_experts or [] if isinstance(row, dict)]
    return experts_by_names(names=names)


def avoid_person_ids(rows: Any, pool: dict[str, list[tuple[int, str]]]) -> tuple[tuple[int, str], ...]:
    """The experts an applicant asked to avoid (rows ``{name, organization, reason}`` as typed), matched
    against the whole expert pool (``pool`` from :func:`avoid_pool`) when the review module takes the record
    into a batch: every expert of that name — and, when a work unit was given, whose unit contains it —
    with the row's reason. A name shared by several experts avoids them all (the safer reading); a name
    not in the pool avoids no one."""
    out: dict[int, str] = {}
    for row in rows or []:
        if not isinstance(row, dict):
            continue
        unit = str(row.get("organization") or "").strip()
        for pid, held in pool.get("".join(str(row.get("name") or "").split()), []):
            if not unit or unit in held:
                out.setdefault(pid, str(row.get("reason") or ""))
    return tuple(out.items())


class ApplicationReviewSource:
    """Applications in review (评审中) of a call: 立项评审."""

    key = "programs.application"
    label = "项目申报"
    kinds: tuple[tuple[str, str], ...] = (("call", "立项评审"),)

    def candidates(self, *, user: Any, kind: str, filters: dict[str, Any]) -> list[ReviewSubject]:
        from kejiju.programs import selectors

        qs = selectors.application_list(user=user, filters={"stage": "review", "call": filters.get("call")})
        return self.subjects([make_ref(self.key, pk) for pk in qs.values_list("pk", flat=True)])

    def subjects(self, refs: list[str]) -> list[ReviewSubject]:
        from kejiju.programs.models import Application

        ids = [int(r.rpartition(":")[2]) for r in refs if r.rpartition(":")[2].isdigit()]
        out = []
        apps = list(
            Application.objects.filter(pk__in=ids)
            .prefetch_related("members", "cooperating_organizations")
            .order_by("pk")
        )
        pool = avoid_pool(apps)
        for app in apps:
            out.append(
                ReviewSubject(
                    ref=make_ref(self.key, app.pk),
                    title=app.title,
                    region_code=app.region_id,
                    organization_id=app.organization_id,
                    cooperating_organization_ids=tuple(sorted(o.pk for o in app.cooperating_organizations.all())),
                    subjects=tuple(app.subjects or ()),
                    keywords=str((app.data or {}).get("keywords", "")),
                    member_person_ids=tuple(m.person_id for m in app.members.all()),
                    avoid_person_ids=avoid_person_ids(app.avoid_experts, pool),
                    avoid_requests=len(app.avoid_experts or ()),
                )
            )
        return out

    def document(self, ref: str) -> ReviewDocument:
        from kejiju.programs.models import Application
        from kejiju.programs.selectors import attachments_of, cooperating_names

        app = Application.objects.select_related("call", "organization").get(pk=int(ref.rpartition(":")[2]))
        labels = {f["key"]: f["label"] for f in app.call.form_fields or []}
        fields = [("申报单位", app.organization.name), ("申请资助（元）", str(app.requested_amount))]
        fields += [("学科", "、".join(app.subjects or [])), ("合作单位", "、".join(cooperating_names(app)))]
        fields += [(labels.get(k, k), str(v)) for k, v in (app.data or {}).items()]
        budget = tuple(
            (b.get_category_display(), b.get_source_display(), str(b.amount)) for b in app.budget_lines.all()
        )
        members = tuple(
            (m.person.name, "负责人" if m.is_leader else "成员", m.role) for m in app.members.select_related("person")
        )
        return ReviewDocument(
            title=app.title,
            fields=tuple(fields),
            tables=(
                ("项目组成员", ("姓名", "角色", "分工"), members),
                ("预算", ("科目", "来源", "金额（元）"), budget),
            ),
            attachment_ids=tuple(str(a.pk) for a in attachments_of(owner=app)),
        )

    def apply_outcome(self, *, actor: Any, outcome: Any) -> None:
        from kejiju.programs.services import apply_application_outcome

        apply_application_outcome(actor=actor, outcome=outcome)


class ProjectReviewSource:
    """Projects under acceptance (验收评审) or inspection (中期检查)."""

    key = "programs.project"
    label = "科技项目"
    kinds: tuple[tuple[str, str], ...] = (("acceptance", "验收评审"), ("inspection", "中期检查"))

    def candidates(self, *, user: Any, kind: str, filters: dict[str, Any]) -> list[ReviewSubject]:
        from kejiju.programs import selectors
        from kejiju.programs.choices import ProjectStatus

        status = ProjectStatus.ACCEPTANCE_APPLIED if kind == "acceptance" else ProjectStatus.IN_PROGRESS
        qs = selectors.project_list(user=user, filters={"status": status, "call": filters.get("call")})
        return self.subjects([make_ref(self.key, pk) for pk in qs.values_list("pk", flat=True)])

    def subjects(self, refs: list[str]) -> list[ReviewSubject]:
        from kejiju.programs.models import Project

        ids = [int(r.rpartition(":")[2]) for r in refs if r.rpartition(":")[2].isdigit()]
        out = []
        projects = list(
            Project.objects.filter(pk__in=ids)
            .select_related("application", "contract")
            .prefetch_related(
                "application__members", "application__cooperating_organizations", "contract__cooperating_organizations"
            )
            .order_by("pk")
        )
        pool = avoid_pool([p.application for p in projects])
        for p in projects:
            app = p.application
            coop = {o.pk for o in app.cooperating_organizations.all()}
            contract = getattr(p, "contract", None)
            if contract is not None:
                coop |= {o.pk for o in contract.cooperating_organizations.all()}
            out.append(
                ReviewSubject(
                    ref=make_ref(self.key, p.pk),
                    title=p.title,
                    region_code=p.region_id,
                    organization_id=p.organization_id,
                    cooperating_organization_ids=tuple(sorted(coop)),
                    subjects=tuple(app.subjects or ()),
                    member_person_ids=tuple(m.person_id for m in app.members.all()),
                    avoid_person_ids=avoid_person_ids(app.avoid_experts, pool),
                    avoid_requests=len(app.avoid_experts or ()),
                )
            )
        return out

    def document(self, ref: str) -> ReviewDocument:
        from kejiju.programs.models import Project
        from kejiju.programs.selectors import attachments_of

        p = Project.objects.select_related("organization").get(pk=int(ref.rpartition(":")[2]))
        acceptance = getattr(p, "acceptance", None)
        rows = tuple(
            (r["name"], r.get("unit", ""), r["value"], r.get("achieved", ""))
            for r in (acceptance.results if acceptance else [])
        )
        return ReviewDocument(
            title=p.title,
            fields=(
                ("项目编号", p.number),
                ("承担单位", p.organization.name),
                ("立项资助（元）", str(p.approved_amount)),
                ("完成情况总结", acceptance.summary if acceptance else ""),
            ),
            tables=(("考核指标完成情况", ("指标", "单位", "目标值", "完成值"), rows),),
            attachment_ids=tuple(str(a.pk) for a in attachments_of(owner=p)),
        )

    def apply_outcome(self, *, actor: Any, outcome: Any) -> None:
        from kejiju.programs.services import apply_project_outcome

        apply_project_outcome(actor=actor, outcome=outcome)


register_review_source(ApplicationReviewSource())
register_review_source(ProjectReviewSource())

"""The demo contributor: two programmes, calls in several stages, projects in every state, and the
demo 单位用户 with applications of its own organization."""

from __future__ import annotations

import pytest

from kejiju.programs.choices import ProjectStatus

pytestmark = pytest.mark.django_db(transaction=False)


def test_demo_programs(settings, monkeypatch):
    monkeypatch.setattr("kejiju.reports.services.find_soffice", lambda: None)
    from kejiju.core import demo as core_demo
    from kejiju.core.demo import run_demo

    core_demo.discover_demos()
    ordered = core_demo._ordered
    # this app's contributor on top of the ones it builds on (other apps' demos are tested by them)
    monkeypatch.setattr(
        core_demo, "_ordered", lambda: [r for r in ordered() if r.name in ("core", "orgs", "orgs_members", "programs")]
    )
    from kejiju.orgs.selectors import organizations_of_user
    from kejiju.programs.models import Call, Program, Project
    from kejiju.programs.selectors import my_applications, my_projects

    ctx = run_demo(scale="county", log=lambda _m: None)
    assert Program.objects.count() == 2
    assert set(Call.objects.values_list("status", flat=True)) == {"draft", "published", "closed"}
    states = set(Project.objects.values_list("status", flat=True))
    assert states == set(ProjectStatus.values), states
    demo = ctx.users["org_demo"]
    assert organizations_of_user(user=demo).exists()
    assert my_applications(user=demo).count() >= 2 and my_projects(user=demo).exists()

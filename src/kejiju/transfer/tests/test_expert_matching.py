"""Stored matcher tokens of experts (``people.Person.match_tokens``): written by every people service that
changes the compared text (create, update, find-or-register, import, the demo), unchanged by a failed save,
the expert suggestions identical to segmenting every text on each view (order and scores), two queries
whatever the count, the ``retokenize`` command and the migration's fill."""

from __future__ import annotations

import importlib
import io
import random
from datetime import date
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Exists, OuterRef
from django.test.utils import CaptureQueriesContext

from kejiju.core.errors import RowErrors
from kejiju.core.models import OperationLog
from kejiju.core.testing.factories import grant_perms
from kejiju.engines.idcodes import make_id_number
from kejiju.engines.textmatch import Doc, rank, tokenize
from kejiju.people import services as people
from kejiju.transfer import matching, selectors, services
from kejiju.transfer.models import Match
from kejiju.transfer.tests.factories import demand, maker, org

pytestmark = pytest.mark.django_db

TERMS = (
    "水稻 育秧 基质 小龙虾 稻虾 综合种养 有机肥 好氧发酵 秸秆 菌渣 果蔬 脆片 真空 油炸 数控 机床 主轴 热变形 补偿 电缆"
    " 绝缘料 交联 聚乙烯 光伏 运维 故障 诊断 机器视觉 缺陷 检测 注塑 茶叶 加工 烘干 冷链 保鲜 PLC ABS 5G 一种 方法"
).split()
TITLES = ("高级农艺师", "农艺师", "正高级工程师", "工程师", "教授", "", "A", "技术员")
MAJORS = ("作物栽培学与耕作学", "食品科学与工程", "机械设计制造及其自动化", "", "，。", "材料 科学")
SUBJECTS = (["210"], ["230", "510"], ["460"], ["550"], [], ["240", "210"], ["180"])

_seq = iter(range(1, 10_000))


class _PersonModel:
    """The people app's Person model, reached through the app registry (another app's models are not
    imported; the people app's own tests check the demo's tokens)."""

    def __getattr__(self, name: str) -> Any:
        from django.apps import apps

        return getattr(apps.get_model("people", "Person"), name)


Person: Any = _PersonModel()


@pytest.fixture
def staff(regions: Any) -> Any:
    return grant_perms(maker(), "people.view_person", "people.add_person", "people.change_person")


def _person(actor: Any, **data: Any) -> Any:
    n = next(_seq)
    values = {
        "id_number": make_id_number("341181", date(1960 + n % 30, 1 + n % 12, 1 + n % 28), n % 1000),
        "region": "341181",
        "name": f"专家{n}",
        "keywords": "水稻育秧,基质",
        "title": "高级农艺师",
        "major": "作物栽培学与耕作学",
        "subjects": ["210"],
    }
    values.update(data)
    return people.person_create(actor=actor, data=values)


def _expected(p: Any) -> str:
    return " ".join(tokenize(f"{p.keywords} {p.keywords} {p.title} {p.major}"))


def test_tokens_written_on_create_and_kept_exact_on_update(staff: Any) -> None:
    p = _person(staff)
    p.refresh_from_db()
    assert p.match_tokens == _expected(p) == people.match_tokens(p)
    assert p.match_tokens.split()[:2] == ["水稻", "育秧"]
    for change in ({"keywords": "光伏运维,故障诊断"}, {"title": "正高级工程师"}, {"major": "电气工程"}):
        people.person_update(actor=staff, person=p, data=change)
        p.refresh_from_db()
        assert p.match_tokens == _expected(p)
    assert "光伏" in p.match_tokens.split() and "水稻" not in p.match_tokens.split()
    assert "电气工程" in p.match_tokens.replace(" ", "")
    logged = OperationLog.objects.filter(action="people.update", target_id=str(p.pk))
    assert [entry.extra["fields"] for entry in logged.order_by("pk")] == [["keywords"], ["title"], ["major"]]
    people.person_update(actor=staff, person=p, data={"phone": "13905509876"})  # another field: tokens kept
    p.refresh_from_db()
    assert p.match_tokens == _expected(p)
    people.person_update(actor=staff, person=p, data={"keywords": ""})
    p.refresh_from_db()
    assert p.match_tokens == _expected(p) != ""  # title and major still count


def test_person_ensure_fill_and_import_store_tokens(staff: Any) -> None:
    from openpyxl import Workbook

    from kejiju.core.importing import get_importer, run_import

    p = _person(staff, keywords="", title="", major="")
    assert Person.objects.get(pk=p.pk).match_tokens == ""
    filled = people.person_ensure(actor=staff, data={"id_number": p.id_number, "keywords": "茶叶加工,烘干"})
    assert filled.pk == p.pk
    filled.refresh_from_db()
    assert filled.keywords == "茶叶加工,烘干" and filled.match_tokens == _expected(filled) and filled.match_tokens

    importer = get_importer("persons")
    wb = Workbook()
    ws = wb.active
    ws.append(importer.headers())
    number = make_id_number("341181", date(1979, 3, 3), 77)
    row = {"姓名": "导入专家", "证件号码": number, "所属区划代码": "341181", "职称": "高级工程师"}
    row.update({"所学专业": "材料科学与工程", "专长关键词": "电缆绝缘料,交联聚乙烯"})
    ws.append([row.get(h, "") for h in importer.headers()])
    buf = io.BytesIO()
    wb.save(buf)
    report = run_import(importer, buf.getvalue(), "persons.xlsx", actor=staff, commit=True)
    assert report.committed and report.created == 1
    imported = Person.objects.get(id_number=number)
    assert imported.match_tokens == _expected(imported) and "电缆" in imported.match_tokens.split()


def test_failed_update_keeps_the_stored_tokens(staff: Any) -> None:
    p = _person(staff)
    before = Person.objects.get(pk=p.pk).match_tokens
    logs = OperationLog.objects.count()
    with pytest.raises(RowErrors):
        people.person_update(actor=staff, person=p, data={"keywords": "光伏运维", "phone": "123"})
    after = Person.objects.get(pk=p.pk)
    assert after.match_tokens == before and after.keywords == "水稻育秧,基质"
    assert OperationLog.objects.count() == logs and Person.objects.count() == 1


def _varied_persons(actor: Any, n: int, seed: int) -> list[Any]:
    rng = random.Random(seed)
    texts = ["，。、！", "一种方法技术研究", "A B 1 2 3", "PLC控制 ABS 5G", "  水稻  育秧  "]
    made = [_person(actor, keywords=t, title=rng.choice(TITLES), major=rng.choice(MAJORS)) for t in texts]
    while len(made) < n:
        sep = rng.choice(["", "，", " ", "、", ","])
        keywords = sep.join(rng.choice(TERMS) for _ in range(rng.randint(1, 8)))[:300]
        made.append(
            _person(
                actor,
                keywords=keywords,
                title=rng.choice(TITLES),
                major=rng.choice(MAJORS),
                subjects=rng.choice(SUBJECTS),
            )
        )
    return made


def _reference(user: Any, d: Any, limit: int) -> list[tuple[int, float, str, tuple[str, ...], bool, bool]]:
    """The expert suggestions as computed before tokens were stored: every text segmented on the view."""
    from kejiju.people.selectors import person_list

    persons = person_list(user=user).exclude(keywords="")
    rows = persons.order_by("-pk").values_list("pk", "keywords", "title", "major", "subjects")
    prefixes = selectors.FIELD_SUBJECTS.get(d.field, ())
    docs = []
    for pk, keywords, title, major, subjects in rows[: selectors.CANDIDATE_LIMIT]:
        codes = [str(s) for s in (subjects or [])]
        in_field = any(s.startswith(prefixes) for s in codes) if prefixes else False
        docs.append(Doc(str(pk), f"{keywords} {keywords} {title} {major}", (d.field,) if in_field else ()))
    ranked = rank(Doc(str(d.pk), f"{d.title} {d.title} {d.problem}", (d.field,)), docs, limit=limit)
    listed = dict(
        persons.annotate(x=Exists(Match.objects.filter(demand=d, expert=OuterRef("pk")))).values_list("pk", "x")
    )
    return [(int(m.key), m.score, m.explain(), m.shared_terms, m.field_match, listed[int(m.key)]) for m in ranked]


def _key(found: list[Any]) -> list[tuple[int, float, str, tuple[str, ...], bool, bool]]:
    return [(s.obj.pk, s.score, s.explanation, s.shared_terms, s.field_match, s.listed) for s in found]


@pytest.mark.parametrize("seed", [1, 2])
def test_expert_suggestions_identical_to_segmenting_every_view(staff: Any, seed: int) -> None:
    _varied_persons(staff, 120, seed)
    enterprise = org(staff)
    demands = [
        demand(staff, enterprise, title="水稻育秧基质配方", problem="育秧基质板结，出苗率低，希望引进新型水稻育秧基质"),
        demand(staff, enterprise, title="电缆绝缘料", problem="交联聚乙烯绝缘料 PLC 检测", field="materials"),
        demand(staff, enterprise, title="果蔬脆片", problem="真空油炸 冷链保鲜", field="food"),
    ]
    assert Person.objects.filter(match_tokens__isnull=True).count() == 0
    services.match_propose(actor=staff, demand=demands[0], expert=Person.objects.order_by("pk")[7])
    for d in demands:
        for limit in (10, 200):
            stored = _key(selectors.expert_suggestions(user=staff, demand=d, limit=limit))
            assert stored == _reference(staff, d, limit)
            assert len(stored) >= 5
    assert any(s[5] for s in _key(selectors.expert_suggestions(user=staff, demand=demands[0], limit=200)))
    # some rows without stored tokens (written around the services): the same result
    Person.objects.filter(pk__in=list(Person.objects.order_by("?").values_list("pk", flat=True)[:60])).update(
        match_tokens=None
    )
    for d in demands:
        assert _key(selectors.expert_suggestions(user=staff, demand=d, limit=200)) == _reference(staff, d, 200)


def test_expert_suggestions_query_count_does_not_grow(staff: Any) -> None:
    d = demand(staff, org(staff))

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            found = selectors.expert_suggestions(user=staff, demand=d)
        assert found
        return len(ctx.captured_queries)

    _person(staff)
    few = count()
    for i in range(12):
        _person(staff, keywords=f"水稻育秧基质{i},秸秆")
    Person.objects.filter(pk=Person.objects.order_by("pk").last().pk).update(match_tokens=None)
    assert count() == few == 2


def test_no_people_permission_no_expert_suggestions(regions: Any) -> None:
    builder = grant_perms(maker(), "people.add_person")
    _person(builder)
    assert selectors.expert_suggestions(user=builder, demand=demand(builder, org(builder))) == []


class _Out(io.StringIO):
    @property
    def text(self) -> str:
        return self.getvalue()


def test_retokenize_command_covers_persons(staff: Any) -> None:
    p1, p2 = _person(staff), _person(staff, keywords="光伏组件清洗")
    expected = {p.pk: people.match_tokens(p) for p in (p1, p2)}
    Person.objects.filter(pk=p1.pk).update(match_tokens=None)
    Person.objects.filter(pk=p2.pk).update(match_tokens="旧词")
    history, logs = p1.history.count(), OperationLog.objects.count()
    call_command("transfer", "retokenize", stdout=(out := _Out()))
    assert "人员 2 名（更新 2 名）" in out.text
    assert dict(Person.objects.values_list("pk", "match_tokens")) == expected
    assert p1.history.count() == history and OperationLog.objects.count() == logs  # a derived value
    call_command("transfer", "retokenize", stdout=(again := _Out()))
    assert "人员 2 名（更新 0 名）" in again.text


def test_migration_fills_existing_persons(staff: Any) -> None:
    from django.apps import apps

    p = _person(staff)
    Person.objects.update(match_tokens=None)
    migration = importlib.import_module("kejiju.people.migrations.0004_match_tokens")
    migration.fill_tokens(apps, None)
    assert Person.objects.get(pk=p.pk).match_tokens == _expected(p)


def test_sql_fallback_text_is_the_people_text(staff: Any) -> None:
    p = _person(staff, keywords="稻虾,综合种养", title="水产工程师", major="水产养殖")
    Person.objects.update(match_tokens=None)
    [(pk, subjects, stored, text)] = list(matching.expert_rows(Person.objects.all()))
    assert (pk, subjects, stored, text) == (p.pk, ["210"], None, people.match_text(p))
    Person.objects.update(match_tokens="x")
    assert list(matching.expert_rows(Person.objects.all())) == [(p.pk, ["210"], "x", "")]

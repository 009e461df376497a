"""Demo data (``kejiju demo``): a registry of contributors and the core contributor.

Every app may ship a ``demo.py`` module that calls :func:`register_demo` at import time; the
command imports those modules (Django's ``autodiscover_modules("demo")``) and runs the
contributors in ``order`` inside one transaction. Each contributor gets a :class:`DemoContext`
with the scale, a ``random.Random`` seeded from the command's seed and the contributor's name
(so adding a contributor never changes what another one generates), the regions in scope, the
demo accounts and a ``log`` printer.

Data is deterministic (same seed → same records) and built over the real region codes of
安徽省 from the shipped national list: ``county`` = 天长市 (341181); ``city`` = 滁州市 (3411) and its
8 counties; ``province`` = all of 安徽. Towns and villages below the counties are generated
(plausible 9- and 12-digit codes, Chinese names, source "demo"). Running the command again
creates only what is missing (get-or-create), so it never fails on existing data.
"""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from simple_history.utils import bulk_create_with_history

from kejiju.core import actions
from kejiju.core.audit import log_operation, new_batch_id
from kejiju.core.choices import RegionLevel, RegionSource, Role
from kejiju.core.models import Bureau, Department, Region, User

#: The password of every demo account (meets the validators: ≥ 10 characters, 3 classes).
DEMO_PASSWORD = "Kejiju@2026"
DEFAULT_SEED = 2026
SCALES = ("county", "city", "province")
SCALE_LABELS = {
    "county": "县级（天长市）",
    "city": "市级（滁州市及 8 个县市区）",
    "province": "省级（安徽省全部县市区）",
}

PROVINCE_CODE = "34"
CITY_CODE = "3411"  # 滁州市
COUNTY_CODE = "341181"  # 天长市
OTHER_COUNTY_CODE = "341182"  # 明光市
#: The region each scale covers (a code prefix).
SCALE_SCOPE = {"county": COUNTY_CODE, "city": CITY_CODE, "province": PROVINCE_CODE}

DEPARTMENTS = ("办公室", "计划科", "高新技术科", "农村科技科", "政策法规科")
#: A provincial department (科学技术厅) has 处 rather than 科.
PROVINCE_DEPARTMENTS = ("办公室", "计划处", "高新技术处", "农村科技处", "政策法规处")
PROVINCE_SHORT_NAMES = {"34": "皖科"}


# --------------------------------------------------------------------------- registry


Contributor = Callable[["DemoContext"], None]


@dataclass(frozen=True)
class _Registration:
    name: str
    func: Contributor
    order: int


_REGISTRY: dict[str, _Registration] = {}


def register_demo(name: str, func: Contributor, order: int = 100) -> Contributor:
    """Register a demo-data contributor. ``name`` is stable (it seeds the contributor's random
    generator); lower ``order`` runs first (core is 0). Registering the same name again replaces
    the earlier entry, so re-importing a module is harmless. Returns ``func``."""
    _REGISTRY[name] = _Registration(name=name, func=func, order=order)
    return func


def registered_demos() -> list[tuple[str, int]]:
    """(name, order) of every contributor, in running order."""
    return [(r.name, r.order) for r in _ordered()]


def _ordered() -> list[_Registration]:
    return sorted(_REGISTRY.values(), key=lambda r: (r.order, r.name))


def discover_demos() -> None:
    """Import ``<app>.demo`` of every installed app so its contributors register."""
    from django.utils.module_loading import autodiscover_modules

    autodiscover_modules("demo")


# --------------------------------------------------------------------------- context


@dataclass
class DemoContext:
    """What a contributor gets. Lists are sorted codes; ``users`` maps demo user names to
    accounts (``admin``, ``city_staff``, ``county_staff``, ``town_staff``, ``expert_demo``…)."""

    scale: str
    seed: int
    log: Callable[[str], None]
    batch_id: uuid.UUID
    rng: random.Random = field(default_factory=random.Random)
    scope_code: str = ""
    province_code: str = PROVINCE_CODE
    city_codes: list[str] = field(default_factory=list)
    county_codes: list[str] = field(default_factory=list)
    town_codes: list[str] = field(default_factory=list)
    village_codes: list[str] = field(default_factory=list)
    region_names: dict[str, str] = field(default_factory=dict)
    bureaus: dict[str, Bureau] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    #: Counts reported by contributors ("区划" → 123), printed at the end.
    stats: dict[str, int] = field(default_factory=dict)

    def rng_for(self, *parts: Any) -> random.Random:
        """A generator for one sub-part (e.g. one county) that depends only on the seed and
        ``parts``: the part's data stays the same whatever else is generated."""
        return random.Random(":".join(["kejiju-demo", str(self.seed), *map(str, parts)]))

    def towns_of(self, county_code: str) -> list[str]:
        """Town codes (9 digits) below one county."""
        return [code for code in self.town_codes if code.startswith(county_code)]

    def villages_of(self, town_code: str) -> list[str]:
        """Village codes (12 digits) below one town."""
        return [code for code in self.village_codes if code.startswith(town_code)]

    @property
    def bureau_users(self) -> dict[str, User]:
        """The demo accounts of bureaus (administrators, leaders and staff)."""
        bureau_roles = {Role.BUREAU_ADMIN, Role.BUREAU_LEADER, Role.BUREAU_STAFF}
        return {name: user for name, user in self.users.items() if user.role in bureau_roles}

    def actor_for(self, region_code: str) -> User | None:
        """The demo bureau account closest above ``region_code`` (staff first, then the account
        administrator), else the system administrator: the actor a contributor passes to
        services for records in that region."""
        best: User | None = None
        best_key: tuple[int, int] = (-1, -1)
        rank = {Role.BUREAU_STAFF: 2, Role.BUREAU_ADMIN: 1, Role.BUREAU_LEADER: 0}
        for user in self.bureau_users.values():
            code = user.region_id or ""
            if code and region_code.startswith(code):
                key = (len(code), rank.get(Role(user.role), 0))
                if key > best_key:
                    best, best_key = user, key
        return best or self.users.get("admin")

    def count(self, label: str, n: int) -> None:
        """Add ``n`` to the reported count ``label``."""
        self.stats[label] = self.stats.get(label, 0) + n


# --------------------------------------------------------------------------- accounts


@dataclass(frozen=True)
class DemoAccount:
    """One fixed demo account. ``region_code`` ``"town"`` means the first town of 天长市."""

    username: str
    full_name: str
    role: str
    region_code: str | None
    department: str = ""
    note: str = ""
    scales: tuple[str, ...] = SCALES


DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount("admin", "系统管理员", Role.SYSTEM_ADMIN, None, note="全平台：所有区划、账号、代码表和操作日志"),
    DemoAccount(
        "city_admin",
        "周立新",
        Role.BUREAU_ADMIN,
        CITY_CODE,
        "办公室",
        note="滁州市及下辖各县（市、区）的账号、区划和科室管理",
    ),
    DemoAccount("city_leader", "李国栋", Role.BUREAU_LEADER, CITY_CODE, note="滁州市全市数据（只读）、统计和工作报告"),
    DemoAccount(
        "city_staff", "陈晓燕", Role.BUREAU_STAFF, CITY_CODE, "计划科", note="滁州市计划科：全市项目、申报和各县数据"
    ),
    DemoAccount(
        "county_admin", "王海峰", Role.BUREAU_ADMIN, COUNTY_CODE, "办公室", note="天长市的账号、乡镇村区划和科室管理"
    ),
    DemoAccount(
        "county_staff", "刘静", Role.BUREAU_STAFF, COUNTY_CODE, "计划科", note="天长市计划科：本市及所辖乡镇的业务数据"
    ),
    DemoAccount(
        "county_leader", "张建国", Role.BUREAU_LEADER, COUNTY_CODE, note="天长市全部数据（只读）、统计和工作报告"
    ),
    DemoAccount(
        "mingguang_staff",
        "赵明",
        Role.BUREAU_STAFF,
        OTHER_COUNTY_CODE,
        "计划科",
        note="明光市计划科：只见明光市，看不到天长市的数据",
        scales=("city", "province"),
    ),
    DemoAccount("town_staff", "孙丽", Role.TOWN_STATION, "town", note="天长市第一个乡镇的科技站：本乡镇及所辖村"),
    DemoAccount("expert_demo", "吴志远", Role.EXPERT, COUNTY_CODE, note="专家：分配给自己的评审任务"),
    DemoAccount(
        "commissioner_demo", "郑红梅", Role.COMMISSIONER, COUNTY_CODE, note="科技特派员：自己的服务对象和服务记录"
    ),
    DemoAccount("org_demo", "钱伟", Role.ORG_USER, COUNTY_CODE, note="单位用户：本单位的申报、项目和材料"),
)


def demo_exists() -> bool:
    """Whether the database already holds demo data or any account (``--if-empty`` then
    leaves it alone)."""
    return User.objects.exists() or Region.objects.filter(source=RegionSource.DEMO).exists()


def demo_accounts_table() -> list[dict[str, str]]:
    """One row per demo account present in the database: 账号, 密码, 角色, 区划, 说明. The password
    column says when the holder has changed the demo password."""
    found = {
        u.username: u
        for u in User.objects.filter(username__in=[a.username for a in DEMO_ACCOUNTS]).select_related(
            "region", "department"
        )
    }
    rows = []
    for account in DEMO_ACCOUNTS:
        user = found.get(account.username)
        if user is None:
            continue
        region = user.region.name if user.region else "全部区划"
        if user.department:
            region = "%(region)s %(dept)s" % {"region": region, "dept": user.department.name}
        rows.append(
            {
                "账号": user.username,
                "密码": DEMO_PASSWORD if user.check_password(DEMO_PASSWORD) else "（已修改）",
                "角色": Role(user.role).label,
                "区划": region,
                "说明": account.note,
            }
        )
    return rows


# --------------------------------------------------------------------------- names

_STREET_BASES = tuple(
    ("东城 西城 南城 北城 城关 城南 城北 新城 滨湖 龙城 凤城 胜利 人民 解放 振兴 永安 和平 文昌").split()
)
_TOWN_BASES = tuple(
    (
        "青山 柳河 石桥 杨村 秦栏 大通 汊涧 铜城 金牛 永丰 仁和 冶山 新街 张铺 郑集 万寿 "
        "龙岗 三河 白塔 古城 马坝 桃园 黄岗 双沟 沙河 界牌 兴隆 龙山 凤凰 太平 长岭 枫林 "
        "梅花 松林 竹山 洪山 石门 河口 新集 安乐 庙山 张桥 仙鹤 朱湖 莲花 鹿鸣 柏树 荷塘 "
        "清水 东湖 南岗 北山 大营 陈集 刘集 孙岗 周庄 吴圩 徐桥 赵店 汪湖 程岭 宋集 杨湾 "
        "潘村 管店 涧溪 苏巷 桥头 观音 高庙 方集 章广 自来桥 女山湖 三界 涧西 古沛 桥头集 "
        "柳巷"
    ).split()
)
_SURNAMES = tuple(
    (
        "王 李 张 刘 陈 杨 赵 黄 周 吴 徐 孙 胡 朱 高 林 何 郭 马 罗 梁 宋 郑 谢 "
        "韩 唐 冯 于 董 萧 程 曹 袁 邓 许 傅 沈 曾 彭 吕 苏 卢 蒋 蔡 贾 丁 魏 薛 "
        "叶 阎 余 潘 杜 戴 夏 钟 汪"
    ).split()
)
_VILLAGE_SUFFIXES = ("庄", "营", "岗", "圩", "集", "湾", "桥", "店", "郢", "塘", "洼", "楼", "岭", "坝", "墩")
_VILLAGE_WORDS = tuple(
    (
        "新华 红星 光明 建设 胜利 联合 团结 幸福 和平 友谊 民主 永兴 长丰 富民 兴旺 先锋 "
        "前进 新农 丰收 振兴 安居 同心 大桥 双塘 高峰 金山 银河 荷花"
    ).split()
)
_COMMUNITY_WORDS = tuple(
    ("东门 西门 南门 北门 建设 文化 花园 锦绣 春晖 翠园 金桥 龙泉 市场 团结 滨河 公园 育才 新港 华庭 康乐").split()
)


def _village_name(r: random.Random) -> str:
    if r.random() < 0.6:
        return r.choice(_SURNAMES) + r.choice(_VILLAGE_SUFFIXES) + "村"  # 王庄村, 陈郢村
    return r.choice(_VILLAGE_WORDS) + "村"  # 新华村


def _unique(rng: random.Random, make: Callable[[random.Random], str], taken: set[str]) -> str:
    """A name from ``make`` not yet in ``taken`` (names are unique under one parent)."""
    for _ in range(200):
        name = make(rng)
        if name not in taken:
            taken.add(name)
            return name
    raise RuntimeError("demo name pool exhausted")  # never with the pools above


def _plan_county(rng: random.Random, county_code: str, scale: str) -> list[tuple[Region, list[Region]]]:
    """Towns (8–15, 8–12 at province scale) with their villages (5–12, 3 at province scale)
    for one county: codes county + 100, 101… and town + 001, 002…; the first 1–3 towns are
    街道 (sub-districts), about one in five of the rest 乡."""
    towns: list[tuple[Region, list[Region]]] = []
    n_towns = rng.randint(8, 12) if scale == "province" else rng.randint(8, 15)
    n_streets = rng.randint(1, 3)
    town_names: set[str] = set()
    for t in range(n_towns):
        code = "%s%03d" % (county_code, 100 + t)
        if t < n_streets:
            kind = "街道"
            name = _unique(rng, lambda r: r.choice(_STREET_BASES) + "街道", town_names)
        else:
            kind = "乡" if rng.random() < 0.2 else "镇"
            name = _unique(
                rng,
                (lambda r: r.choice(_TOWN_BASES) + "乡") if kind == "乡" else (lambda r: r.choice(_TOWN_BASES) + "镇"),
                town_names,
            )
        town = Region(
            code=code, name=name, kind=kind, parent_id=county_code, level=RegionLevel.TOWN, source=RegionSource.DEMO
        )
        n_villages = 3 if scale == "province" else rng.randint(5, 12)
        village_names: set[str] = set()
        villages = []
        for v in range(n_villages):
            vcode = "%s%03d" % (code, v + 1)
            if kind == "街道" or v == 0:
                # 街道 are made of 社区; a 镇 or 乡 has its seat's community first.
                vkind = "居委会"
                vname = _unique(rng, lambda r: r.choice(_COMMUNITY_WORDS) + "社区", village_names)
            else:
                vkind = "村委会"
                vname = _unique(rng, _village_name, village_names)
            villages.append(
                Region(
                    code=vcode,
                    name=vname,
                    kind=vkind,
                    parent_id=code,
                    level=RegionLevel.VILLAGE,
                    source=RegionSource.DEMO,
                )
            )
        towns.append((town, villages))
    return towns


def _bureau_names(region: Region, parent_name: str) -> tuple[str, str]:
    """Official name and document short name (发文代字) of a region's S&T bureau."""
    if region.level == RegionLevel.PROVINCE:
        return region.name + "科学技术厅", PROVINCE_SHORT_NAMES.get(region.code, region.name[0] + "科")
    if region.level == RegionLevel.COUNTY and region.kind == "市辖区":
        # A city district is named with its city: 滁州市琅琊区科学技术局.
        return parent_name + region.name + "科学技术局", region.name[0] + "科"
    return region.name + "科学技术局", region.name[0] + "科"


# --------------------------------------------------------------------------- core contributor


def _core_regions(ctx: DemoContext) -> None:
    from kejiju.core.services.regions import regions_load_province

    started = time.monotonic()
    loaded = regions_load_province(actor=None, province_code=PROVINCE_CODE)
    ctx.log(
        "  国家区划：安徽省 %(total)s 个省市县区划（新建 %(c)s 个，更新 %(u)s 个）"
        % {"total": loaded["total"], "c": loaded["created"], "u": loaded["updated"]}
    )
    scope = ctx.scope_code
    counties = list(
        Region.objects.filter(level=RegionLevel.COUNTY, code__startswith=scope)
        .order_by("code")
        .values_list("code", flat=True)
    )
    ctx.county_codes = counties
    ctx.city_codes = sorted({c[:4] for c in counties})
    # Counties that already have towns (generated earlier or imported for real) are left as they are.
    with_towns = set(
        Region.objects.filter(level=RegionLevel.TOWN, code__startswith=scope).values_list("parent_id", flat=True)
    )
    new_towns: list[Region] = []
    new_villages: list[Region] = []
    for county in counties:
        if county in with_towns:
            continue
        for town, villages in _plan_county(ctx.rng_for("core", "county", county), county, ctx.scale):
            new_towns.append(town)
            new_villages.extend(villages)
    if new_towns:
        # Bulk insert (with history rows) instead of region_create: thousands of rows at province
        # scale; parents first, one demo_load log row for the batch below.
        bulk_create_with_history(new_towns + new_villages, Region, batch_size=500, default_change_reason="演示数据")
    ctx.count("新建乡镇", len(new_towns))
    ctx.count("新建村（社区）", len(new_villages))
    rows = Region.objects.filter(code__startswith=scope).values_list("code", "name", "level")
    for code, name, level in rows:
        ctx.region_names[code] = name
        if level == RegionLevel.TOWN:
            ctx.town_codes.append(code)
        elif level == RegionLevel.VILLAGE:
            ctx.village_codes.append(code)
    for code in (PROVINCE_CODE, CITY_CODE):
        ctx.region_names.setdefault(code, Region.objects.get(code=code).name)
    ctx.town_codes.sort()
    ctx.village_codes.sort()
    ctx.log(
        "  乡镇村：%(counties)s 个县（市、区）、%(towns)s 个乡镇（新建 %(nt)s）、%(villages)s 个村（社区）"
        "（新建 %(nv)s）（%(s).1f 秒）"
        % {
            "counties": len(counties),
            "towns": len(ctx.town_codes),
            "nt": len(new_towns),
            "villages": len(ctx.village_codes),
            "nv": len(new_villages),
            "s": time.monotonic() - started,
        }
    )


def _core_bureaus(ctx: DemoContext) -> None:
    from kejiju.core.services.regions import bureau_save, department_save

    started = time.monotonic()
    codes = list(ctx.county_codes) + list(ctx.city_codes)
    if ctx.scale == "province":
        codes.append(PROVINCE_CODE)
    if CITY_CODE not in codes:
        codes.append(CITY_CODE)  # the demo city accounts exist at every scale
    regions = {r.code: r for r in Region.objects.filter(code__in=set(codes) | {c[:4] for c in codes})}
    existing = {b.region_id: b for b in Bureau.objects.filter(region_id__in=codes)}
    existing_depts = set(Department.objects.filter(region_id__in=codes).values_list("region_id", "name"))
    new_bureaus = new_depts = 0
    for code in sorted(codes, key=lambda c: (len(c), c)):
        region = regions[code]
        bureau = existing.get(code)
        if bureau is None:
            parent_name = regions[code[:4]].name if len(code) == 6 else ""
            name, short_name = _bureau_names(region, parent_name)
            bureau = bureau_save(actor=None, region=region, name=name, short_name=short_name)
            new_bureaus += 1
        ctx.bureaus[code] = bureau
        for dept in PROVINCE_DEPARTMENTS if len(code) == 2 else DEPARTMENTS:
            if (code, dept) not in existing_depts:
                department_save(actor=None, bureau=bureau, name=dept)
                new_depts += 1
    ctx.count("新建科技局", new_bureaus)
    ctx.count("新建科室", new_depts)
    ctx.log(
        "  科技局：%(n)s 个（新建 %(nb)s），新建科室 %(nd)s 个（%(s).1f 秒）"
        % {"n": len(codes), "nb": new_bureaus, "nd": new_depts, "s": time.monotonic() - started}
    )


def _core_accounts(ctx: DemoContext) -> None:
    from kejiju.core.services.accounts import user_create

    first_town = min(ctx.towns_of(COUNTY_CODE))
    existing = {u.username: u for u in User.objects.filter(username__in=[a.username for a in DEMO_ACCOUNTS])}
    created = 0
    for account in DEMO_ACCOUNTS:
        if ctx.scale not in account.scales:
            continue
        user = existing.get(account.username)
        if user is None:
            code = first_town if account.region_code == "town" else account.region_code
            region = Region.objects.get(code=code) if code else None
            department = Department.objects.get(region_id=code, name=account.department) if account.department else None
            user = user_create(
                actor=None,
                username=account.username,
                full_name=account.full_name,
                password=DEMO_PASSWORD,
                role=account.role,
                region=region,
                department=department,
                must_change_password=False,
            )
            created += 1
        ctx.users[account.username] = user
    ctx.count("新建账号", created)
    ctx.log("  演示账号：%(n)s 个（新建 %(c)s）" % {"n": len(ctx.users), "c": created})


def core_demo(ctx: DemoContext) -> None:
    """Regions (real 省/市/县 codes, generated 乡镇/村), bureaus with their sections, and the demo
    accounts; one ``core.demo_load`` log row for the batch."""
    _core_regions(ctx)
    _core_bureaus(ctx)
    _core_accounts(ctx)
    log_operation(
        actor=None,
        action=actions.DEMO_LOAD,
        region=ctx.scope_code,
        batch_id=ctx.batch_id,
        extra={"scale": ctx.scale, "seed": ctx.seed, **ctx.stats},
    )


register_demo("core", core_demo, order=0)


# --------------------------------------------------------------------------- runner


def run_demo(*, scale: str, seed: int = DEFAULT_SEED, log: Callable[[str], None] = print) -> DemoContext:
    """Generate the demo data of ``scale`` with ``seed``: every registered contributor in order,
    all in one transaction (a failure leaves the database as it was). Returns the context."""
    if scale not in SCALES:
        raise ValueError("unknown scale %r" % scale)
    discover_demos()
    ctx = DemoContext(scale=scale, seed=seed, log=log, batch_id=new_batch_id(), scope_code=SCALE_SCOPE[scale])
    started = time.monotonic()
    log("生成演示数据：规模 %(label)s，随机种子 %(seed)s。" % {"label": SCALE_LABELS[scale], "seed": seed})
    with transaction.atomic():
        for registration in _ordered():
            step = time.monotonic()
            ctx.rng = random.Random("kejiju-demo:%s:%s" % (seed, registration.name))
            log("[%(name)s] 开始……" % {"name": registration.name})
            registration.func(ctx)
            log("[%(name)s] 完成（%(s).1f 秒）" % {"name": registration.name, "s": time.monotonic() - step})
    summary = "，".join("%s %s 个" % (label, n) for label, n in ctx.stats.items())
    log(
        "演示数据生成完毕：%(summary)s；共用时 %(s).1f 秒。"
        % {"summary": summary or "无新增", "s": time.monotonic() - started}
    )
    return ctx

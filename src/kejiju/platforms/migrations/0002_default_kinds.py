"""The platform kinds and the evaluation template shipped by default (a bureau may add or disable)."""

from django.db import migrations

KINDS = [
    ("star_space", "星创天地"),
    ("maker_space", "众创空间"),
    ("incubator", "科技企业孵化器"),
    ("engineering_center", "工程技术研究中心"),
    ("key_lab", "重点实验室"),
    ("academician_station", "院士专家工作站"),
    ("industry_alliance", "产业技术创新战略联盟"),
    ("agri_park", "农业科技园区"),
    ("demo_base", "科技示范基地"),
]
TEMPLATE_ITEMS = [
    {"key": "service", "name": "服务能力与条件", "weight": 25},
    {"key": "incubation", "name": "孵化（服务）成效", "weight": 30},
    {"key": "innovation", "name": "创新创业活动", "weight": 20},
    {"key": "management", "name": "运行管理", "weight": 25},
]


def forwards(apps, schema_editor):
    PlatformKind = apps.get_model("platforms", "PlatformKind")
    IndicatorTemplate = apps.get_model("platforms", "IndicatorTemplate")
    for order, (code, name) in enumerate(KINDS, start=1):
        PlatformKind.objects.get_or_create(code=code, defaults={"name": name, "order": order * 10})
    IndicatorTemplate.objects.get_or_create(name="创新平台年度绩效评价（通用）", defaults={"items": TEMPLATE_ITEMS})


class Migration(migrations.Migration):
    dependencies = [("platforms", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]

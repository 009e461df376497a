"""Seed the talent categories a new installation starts with (editable data afterwards)."""

from django.db import migrations

CATEGORIES = (
    ("top", "拔尖人才", "经评选认定的本地拔尖人才。", 10),
    ("rural", "乡土人才", "扎根农村、有一技之长的乡土实用人才。", 20),
    ("sanqu", "三区科技人才", "边远贫困地区、边疆民族地区和革命老区人才支持计划科技人员。", 30),
    ("introduced", "引进人才", "从外地引进的高层次人才和急需紧缺人才。", 40),
    ("young", "青年人才", "35 岁以下的青年科技人才。", 50),
)


def seed(apps, schema_editor):
    TalentCategory = apps.get_model("people", "TalentCategory")
    for code, name, description, order in CATEGORIES:
        TalentCategory.objects.get_or_create(code=code, defaults={"name": name, "description": description, "order": order})


class Migration(migrations.Migration):
    dependencies = [("people", "0002_talent_pool")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

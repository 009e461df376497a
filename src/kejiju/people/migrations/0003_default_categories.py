"""Seed the talent categories a new installation starts with (editable data afterwards)."""

from django.db import migrations


def seed(apps, schema_editor):
    from kejiju.people.choices import DEFAULT_CATEGORIES

    TalentCategory = apps.get_model("people", "TalentCategory")
    for order, (code, name, description) in enumerate(DEFAULT_CATEGORIES, start=1):
        TalentCategory.objects.get_or_create(code=code, defaults={"name": name, "description": description, "order": order * 10})


class Migration(migrations.Migration):
    dependencies = [("people", "0002_talent_pool")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

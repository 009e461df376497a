"""The platform kinds and the evaluation template shipped by default (a bureau may add or disable)."""

from django.db import migrations


def forwards(apps, schema_editor):
    from kejiju.platforms.choices import DEFAULT_KINDS as KINDS
    from kejiju.platforms.choices import DEFAULT_TEMPLATE_ITEMS, DEFAULT_TEMPLATE_NAME

    PlatformKind = apps.get_model("platforms", "PlatformKind")
    IndicatorTemplate = apps.get_model("platforms", "IndicatorTemplate")
    for order, (code, name) in enumerate(KINDS, start=1):
        PlatformKind.objects.get_or_create(code=code, defaults={"name": name, "order": order * 10})
    IndicatorTemplate.objects.get_or_create(
        name=DEFAULT_TEMPLATE_NAME, defaults={"items": [dict(item) for item in DEFAULT_TEMPLATE_ITEMS]}
    )


class Migration(migrations.Migration):
    dependencies = [("platforms", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]

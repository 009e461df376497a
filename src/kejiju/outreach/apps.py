from django.apps import AppConfig


class OutreachConfig(AppConfig):
    name = "kejiju.outreach"
    label = "outreach"
    verbose_name = "科技特派员与科普培训"
    default_auto_field = "django.db.models.BigAutoField"

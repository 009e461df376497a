"""Pages of the outreach app (house rule 8)."""

from django.urls import path  # noqa: F401

app_name = "outreach"

urlpatterns: list = []

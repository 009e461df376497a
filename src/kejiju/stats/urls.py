"""Pages of the stats app (house rule 8)."""

from django.urls import path  # noqa: F401

app_name = "stats"

urlpatterns: list = []

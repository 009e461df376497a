"""Pages of the cultivation app (house rule 8)."""

from django.urls import path  # noqa: F401

app_name = "cultivation"

urlpatterns: list = []

"""Pages of the transfer app (house rule 8)."""

from django.urls import path  # noqa: F401

app_name = "transfer"

urlpatterns: list = []

"""REST API of the stats app under /api/v1/stats/."""

from django.urls import path  # noqa: F401

urlpatterns: list = []

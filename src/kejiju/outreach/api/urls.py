"""REST API of the outreach app under /api/v1/outreach/."""

from django.urls import path  # noqa: F401

urlpatterns: list = []

"""REST API of the programs app under /api/v1/programs/."""

from django.urls import path  # noqa: F401

urlpatterns: list = []

"""REST API of the people app under /api/v1/people/."""

from django.urls import path  # noqa: F401

urlpatterns: list = []

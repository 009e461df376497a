"""REST API of the platforms app under /api/v1/platforms/."""

from django.urls import path  # noqa: F401

urlpatterns: list = []

"""REST API of the service app under /api/v1/service/."""

from django.urls import path  # noqa: F401

urlpatterns: list = []

"""REST API of the cultivation app under /api/v1/cultivation/."""

from django.urls import path  # noqa: F401

urlpatterns: list = []

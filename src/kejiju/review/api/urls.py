"""REST API of the review app under /api/v1/review/."""

from django.urls import path  # noqa: F401

urlpatterns: list = []

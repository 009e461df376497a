"""REST API of the transfer app under /api/v1/transfer/."""

from django.urls import path  # noqa: F401

urlpatterns: list = []

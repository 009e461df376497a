"""Audit pages (to be completed)."""
from django.http import HttpRequest, HttpResponse


def _todo(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise NotImplementedError


oplog_list_view = history_list_view = history_detail_view = _todo

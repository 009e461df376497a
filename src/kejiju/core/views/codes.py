"""Code tables (to be completed)."""
from django.http import HttpRequest, HttpResponse


def _todo(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise NotImplementedError


code_list_view = code_set_active_view = _todo

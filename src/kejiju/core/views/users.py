"""Accounts (to be completed)."""
from django.http import HttpRequest, HttpResponse


def _todo(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise NotImplementedError


user_list_view = user_create_view = user_detail_view = user_edit_view = _todo
user_reset_password_view = user_unlock_view = user_set_active_view = _todo

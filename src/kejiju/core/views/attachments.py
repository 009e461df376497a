"""Attachments (to be completed)."""
from django.http import HttpRequest, HttpResponse


def _todo(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise NotImplementedError


attachment_list_view = attachment_upload_view = attachment_download_view = attachment_archive_view = _todo

"""Region tree, region detail, town/village creation and import (to be completed)."""
from django.http import HttpRequest, HttpResponse


def _todo(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise NotImplementedError


region_tree_view = region_create_view = region_import_view = region_import_template_view = _todo
region_detail_view = region_edit_view = _todo

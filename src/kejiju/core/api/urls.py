"""/api/v1/: the core API and the OpenAPI schema (explicit URLs, house rule 8)."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from kejiju.core.api import schema as _schema  # noqa: F401  (registers the schema extensions)
from kejiju.core.api import views

app_name = "core_api"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(authentication_classes=[], permission_classes=[]), name="schema"),
    path("token/", views.TokenView.as_view(), name="token"),
    path("me/", views.MeView.as_view(), name="me"),
    path("regions/", views.RegionListView.as_view(), name="region_list"),
    path("regions/<str:code>/", views.RegionDetailView.as_view(), name="region_detail"),
    path("users/", views.UserListView.as_view(), name="user_list"),
    path("users/<str:id>/", views.UserDetailView.as_view(), name="user_detail"),
]

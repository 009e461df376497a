"""REST API of the platforms app under /api/v1/platforms/."""

from django.urls import path

from kejiju.platforms.api import views

app_name = "platforms_api"

urlpatterns = [
    path("", views.PlatformListView.as_view(), name="platform_list"),
    path("<str:id>/", views.PlatformDetailView.as_view(), name="platform_detail"),
]

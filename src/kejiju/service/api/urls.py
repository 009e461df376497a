"""REST API of the service app under /api/v1/service/."""

from django.urls import path

from kejiju.service.api import views

app_name = "service_api"

urlpatterns = [
    path("requests/", views.RequestListView.as_view(), name="request_list"),
    path("requests/<str:id>/", views.RequestDetailView.as_view(), name="request_detail"),
    path("requests/<str:id>/transitions/", views.RequestTransitionView.as_view(), name="request_transition"),
    path("kb/search/", views.KbSearchView.as_view(), name="kb_search"),
]

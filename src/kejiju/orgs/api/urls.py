"""/api/v1/orgs/: the organizations registry API (explicit URLs, house rule 8)."""

from django.urls import path

from kejiju.orgs.api import views

app_name = "orgs_api"

urlpatterns = [
    path("organizations/", views.OrganizationListView.as_view(), name="organization_list"),
    path("organizations/<str:id>/", views.OrganizationDetailView.as_view(), name="organization_detail"),
]

"""/api/v1/orgs/: the organizations registry API (explicit URLs, house rule 8)."""

from django.urls import path

from kejiju.orgs.api import ip, views

app_name = "orgs_api"

urlpatterns = [
    path("organizations/", views.OrganizationListView.as_view(), name="organization_list"),
    path("organizations/<str:id>/", views.OrganizationDetailView.as_view(), name="organization_detail"),
    path("ip/", ip.IpListView.as_view(), name="ip_list"),
    path("ip/counts/", ip.IpCountsView.as_view(), name="ip_counts"),
    path("ip/custody/", ip.CustodyListView.as_view(), name="custody_list"),
    path("ip/<str:id>/", ip.IpDetailView.as_view(), name="ip_detail"),
]

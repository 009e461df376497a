"""REST API of the cultivation app under /api/v1/cultivation/."""

from django.urls import path

from kejiju.cultivation.api import views

app_name = "cultivation_api"

urlpatterns = [
    path("pipeline/", views.PipelineListView.as_view(), name="pipeline_list"),
    path("pipeline/<str:id>/", views.PipelineDetailView.as_view(), name="pipeline_detail"),
    path("filings/", views.FilingListView.as_view(), name="filing_list"),
    path("filings/<str:id>/", views.FilingDetailView.as_view(), name="filing_detail"),
    path("policies/", views.PolicyListView.as_view(), name="policy_list"),
    path("awards/", views.AwardListView.as_view(), name="award_list"),
    path("awards/<str:id>/", views.AwardDetailView.as_view(), name="award_detail"),
]

"""Pages of the cultivation app (house rule 8)."""

from django.urls import path

from kejiju.cultivation import views

app_name = "cultivation"

urlpatterns = [
    path("batch/", views.batch_view, name="batch"),
    path("batch/template/<str:kind>/", views.batch_template_view, name="batch_template"),
    path("self-assessment/", views.self_assess_view, name="self_assess"),
    path("pipeline/", views.pipeline_list_view, name="pipeline_list"),
    path("pipeline/stats/", views.pipeline_stats_view, name="pipeline_stats"),
    path("pipeline/<int:pk>/", views.pipeline_detail_view, name="pipeline_detail"),
    path("pipeline/<int:pk>/action/", views.pipeline_action_view, name="pipeline_action"),
    path("filings/", views.filing_list_view, name="filing_list"),
    path("filings/new/", views.filing_create_view, name="filing_create"),
    path("filings/<int:pk>/", views.filing_detail_view, name="filing_detail"),
    path("filings/<int:pk>/action/", views.filing_action_view, name="filing_action"),
    path("policies/", views.policy_list_view, name="policy_list"),
    path("policies/new/", views.policy_create_view, name="policy_create"),
    path("awards/", views.award_list_view, name="award_list"),
    path("awards/new/", views.award_create_view, name="award_create"),
    path("awards/<int:pk>/", views.award_detail_view, name="award_detail"),
    path("awards/<int:pk>/action/", views.award_action_view, name="award_action"),
    path("ledger/", views.ledger_view, name="ledger"),
    path("publicity/", views.publicity_view, name="publicity"),
]

"""REST API of the assessment app under /api/v1/assessment/."""

from django.urls import path

from kejiju.assessment.api import views

app_name = "assessment_api"

urlpatterns = [
    path("schemes/", views.SchemeListView.as_view(), name="scheme_list"),
    path("schemes/<str:id>/", views.SchemeDetailView.as_view(), name="scheme_detail"),
    path("schemes/<str:id>/results/", views.SchemeResultsView.as_view(), name="scheme_results"),
    path("schemes/<str:id>/midyear/", views.SchemeMidyearView.as_view(), name="scheme_midyear"),
    path("targets/", views.TargetListView.as_view(), name="target_list"),
    path("targets/<str:id>/", views.TargetDetailView.as_view(), name="target_detail"),
    path("targets/<str:id>/self-assessment/", views.SelfAssessmentView.as_view(), name="target_self"),
    path("targets/<str:id>/submit/", views.SelfAssessmentSubmitView.as_view(), name="target_submit"),
    path("targets/<str:id>/midyear/", views.TargetMidyearView.as_view(), name="target_midyear"),
    path("targets/<str:id>/scores/", views.TargetScoresView.as_view(), name="target_scores"),
]

"""REST API of the programs app under /api/v1/programs/."""

from django.urls import path

from kejiju.programs.api import views

app_name = "programs_api"

urlpatterns = [
    path("calls/", views.CallListView.as_view(), name="call_list"),
    path("calls/<str:id>/", views.CallDetailView.as_view(), name="call_detail"),
    path("applications/", views.ApplicationListView.as_view(), name="application_list"),
    path("applications/<str:id>/", views.ApplicationDetailView.as_view(), name="application_detail"),
    path("applications/<str:id>/transition/", views.ApplicationTransitionView.as_view(), name="application_transition"),
    path("applications/<str:id>/review/", views.ApplicationReviewView.as_view(), name="application_review"),
    path("my/applications/", views.MyApplicationListView.as_view(), name="my_application_list"),
    path("my/applications/<str:id>/", views.MyApplicationDetailView.as_view(), name="my_application_detail"),
    path("my/applications/<str:id>/submit/", views.MyApplicationSubmitView.as_view(), name="my_application_submit"),
    path(
        "my/applications/<str:id>/withdraw/", views.MyApplicationWithdrawView.as_view(), name="my_application_withdraw"
    ),
    path("projects/", views.ProjectListView.as_view(), name="project_list"),
    path("projects/<str:id>/", views.ProjectDetailView.as_view(), name="project_detail"),
    path("projects/<str:id>/payments/", views.ProjectPaymentsView.as_view(), name="project_payments"),
]

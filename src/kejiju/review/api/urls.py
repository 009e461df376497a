"""/api/v1/review/: the expert pool and the expert's own review tasks."""

from django.urls import path

from kejiju.review.api import views

app_name = "review_api"

urlpatterns = [
    path("experts/", views.ExpertListView.as_view(), name="expert_list"),
    path("experts/<str:id>/", views.ExpertDetailView.as_view(), name="expert_detail"),
    path("batches/<str:id>/", views.BatchDetailView.as_view(), name="batch_detail"),
    path("my/assignments/", views.MyAssignmentListView.as_view(), name="my_assignment_list"),
    path("my/assignments/<str:id>/", views.MyAssignmentDetailView.as_view(), name="my_assignment_detail"),
    path("my/assignments/<str:id>/respond/", views.MyRespondView.as_view(), name="my_assignment_respond"),
    path("my/assignments/<str:id>/score/", views.MySheetView.as_view(), name="my_assignment_score"),
]

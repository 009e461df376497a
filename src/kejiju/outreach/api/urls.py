"""/api/v1/outreach/: commissioners, service diary, training and 科普 activities (explicit URLs)."""

from django.urls import path

from kejiju.outreach.api import views

app_name = "outreach_api"

urlpatterns = [
    path("commissioners/", views.CommissionerListView.as_view(), name="commissioner_list"),
    path("commissioners/<str:id>/", views.CommissionerDetailView.as_view(), name="commissioner_detail"),
    path("commissioners/<str:id>/diaries/", views.DiaryCreateView.as_view(), name="diary_create"),
    path("diaries/", views.DiaryListView.as_view(), name="diary_list"),
    path("activities/", views.ActivityListView.as_view(), name="activity_list"),
    path("activities/<str:id>/", views.ActivityDetailView.as_view(), name="activity_detail"),
    path("activities/<str:id>/hold/", views.ActivityHoldView.as_view(), name="activity_hold"),
    path("activities/<str:id>/cancel/", views.ActivityCancelView.as_view(), name="activity_cancel"),
]

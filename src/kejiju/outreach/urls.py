"""Pages of the outreach app (house rule 8: explicit, names ``outreach:<model>_<action>``)."""

from django.urls import path

from kejiju.outreach import views

app_name = "outreach"

urlpatterns = [
    path("my/", views.my_home_view, name="my_home"),
    path("my/<int:pk>/diary/new/", views.my_diary_create_view, name="my_diary_create"),
    path("commissioners/", views.commissioner_list_view, name="commissioner_list"),
    path("commissioners/new/", views.commissioner_create_view, name="commissioner_create"),
    path("commissioners/<int:pk>/", views.commissioner_detail_view, name="commissioner_detail"),
    path("commissioners/<int:pk>/edit/", views.commissioner_edit_view, name="commissioner_edit"),
    path("commissioners/<int:pk>/assignments/new/", views.assignment_create_view, name="assignment_create"),
    path("commissioners/<int:pk>/diary/new/", views.diary_create_view, name="diary_create"),
    path("commissioners/<int:pk>/assess/", views.assessment_view, name="assessment_create"),
    path("diaries/", views.diary_list_view, name="diary_list"),
    path("activities/", views.activity_list_view, name="activity_list"),
    path("activities/new/", views.activity_create_view, name="activity_create"),
    path("activities/stats/", views.activity_stats_view, name="activity_stats"),
    path("activities/<int:pk>/", views.activity_detail_view, name="activity_detail"),
    path("activities/<int:pk>/edit/", views.activity_edit_view, name="activity_edit"),
    path("activities/<int:pk>/hold/", views.activity_hold_view, name="activity_hold"),
    path("activities/<int:pk>/cancel/", views.activity_cancel_view, name="activity_cancel"),
    path("templates/", views.template_list_view, name="template_list"),
    path("templates/new/", views.template_create_view, name="template_create"),
    path("kinds/", views.kind_list_view, name="kind_list"),
]

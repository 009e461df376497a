"""Pages of S&T awards (house rule 8)."""

from django.urls import path

from kejiju.awards import views

app_name = "awards"

urlpatterns = [
    path("", views.cycle_list_view, name="cycle_list"),
    path("new/", views.programme_create_view, name="programme_create"),
    path("publicity/", views.publicity_view, name="publicity"),
    path("winners/", views.winners_view, name="winners"),
    path("cycles/<int:pk>/", views.cycle_detail_view, name="cycle_detail"),
    path("cycles/<int:pk>/nominate/", views.nomination_create_view, name="nomination_create"),
    path("cycles/<int:pk>/meeting/", views.meeting_view, name="meeting"),
    path("cycles/<int:pk>/vote-sheet/", views.vote_sheet_view, name="vote_sheet"),
    path("cycles/<int:pk>/votes/", views.vote_results_view, name="vote_results"),
    path("cycles/<int:pk>/<slug:action>/", views.cycle_step_view, name="cycle_step"),
    path("nominations/<int:pk>/", views.nomination_detail_view, name="nomination_detail"),
    path("nominations/<int:pk>/edit/", views.nomination_edit_view, name="nomination_edit"),
    path("nominations/<int:pk>/<slug:action>/", views.nomination_action_view, name="nomination_action"),
    path("objections/<int:pk>/resolve/", views.objection_resolve_view, name="objection_resolve"),
]

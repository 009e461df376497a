"""Pages of the transfer app (house rule 8)."""

from django.urls import path

from kejiju.transfer import views

app_name = "transfer"

urlpatterns = [
    path("", views.demand_list_view, name="demand_list"),
    path("mine/", views.my_list_view, name="my_list"),
    path("demands/new/", views.demand_create_view, name="demand_create"),
    path("demands/<int:pk>/", views.demand_detail_view, name="demand_detail"),
    path("demands/<int:pk>/edit/", views.demand_edit_view, name="demand_edit"),
    path("demands/<int:pk>/close/", views.demand_close_view, name="demand_close"),
    path("achievements/", views.achievement_list_view, name="achievement_list"),
    path("achievements/new/", views.achievement_create_view, name="achievement_create"),
    path("achievements/<int:pk>/", views.achievement_detail_view, name="achievement_detail"),
    path("achievements/<int:pk>/edit/", views.achievement_edit_view, name="achievement_edit"),
    path("achievements/<int:pk>/archive/", views.achievement_archive_view, name="achievement_archive"),
    path("public/", views.public_list_view, name="public_list"),
    path("public/<int:pk>/", views.public_detail_view, name="public_detail"),
    path("matches/", views.match_list_view, name="match_list"),
    path("matches/<int:pk>/<str:action>/", views.match_transition_view, name="match_transition"),
    path("events/", views.event_list_view, name="event_list"),
    path("events/new/", views.event_create_view, name="event_create"),
    path("events/<int:pk>/", views.event_detail_view, name="event_detail"),
    path("events/<int:pk>/edit/", views.event_edit_view, name="event_edit"),
    path("contracts/", views.contract_list_view, name="contract_list"),
    path("contracts/new/", views.contract_create_view, name="contract_create"),
    path("contracts/<int:pk>/", views.contract_detail_view, name="contract_detail"),
    path("contracts/<int:pk>/edit/", views.contract_edit_view, name="contract_edit"),
    path("cooperations/", views.cooperation_list_view, name="cooperation_list"),
    path("cooperations/new/", views.cooperation_create_view, name="cooperation_create"),
    path("cooperations/<int:pk>/", views.cooperation_detail_view, name="cooperation_detail"),
    path("cooperations/<int:pk>/edit/", views.cooperation_edit_view, name="cooperation_edit"),
]

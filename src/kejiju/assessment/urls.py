"""Pages of the target-responsibility assessment (house rule 8)."""

from django.urls import path

from kejiju.assessment import views

app_name = "assessment"

urlpatterns = [
    path("schemes/", views.scheme_list_view, name="scheme_list"),
    path("schemes/new/", views.scheme_create_view, name="scheme_create"),
    path("schemes/<int:pk>/", views.scheme_detail_view, name="scheme_detail"),
    path("schemes/<int:pk>/edit/", views.scheme_edit_view, name="scheme_edit"),
    path("schemes/<int:pk>/midyear/", views.scheme_midyear_view, name="scheme_midyear"),
    path(
        "schemes/<int:pk>/<slug:action>/",
        views.scheme_action_view,
        name="scheme_action",
    ),
    path("targets/<int:pk>/", views.target_detail_view, name="target_detail"),
    path("targets/<int:pk>/self/", views.target_self_view, name="target_self"),
    path("targets/<int:pk>/midyear/", views.target_midyear_view, name="target_midyear"),
    path("targets/<int:pk>/reopen/", views.target_reopen_view, name="target_reopen"),
    path("targets/<int:pk>/score/", views.target_score_view, name="target_score"),
    path("targets/<int:pk>/appeal/", views.target_appeal_view, name="target_appeal"),
    path("appeals/<int:pk>/decide/", views.appeal_decide_view, name="appeal_decide"),
    path("dossiers/", views.dossier_list_view, name="dossier_list"),
    path("dossiers/new/", views.dossier_create_view, name="dossier_create"),
    path("dossiers/<int:pk>/", views.dossier_detail_view, name="dossier_detail"),
    path("dossiers/<int:pk>/edit/", views.dossier_edit_view, name="dossier_edit"),
    path("dossiers/<int:pk>/<slug:action>/", views.dossier_action_view, name="dossier_action"),
]

"""Pages of the people app (house rule 8: explicit URLs, names ``people:<model>_<action>``)."""

from django.urls import path

from kejiju.people import views

app_name = "people"

urlpatterns = [
    path("", views.person_list_view, name="person_list"),
    path("new/", views.person_create_view, name="person_create"),
    path("import/", views.person_import_view, name="person_import"),
    path("<int:pk>/", views.person_detail_view, name="person_detail"),
    path("<int:pk>/edit/", views.person_edit_view, name="person_edit"),
    path("<int:pk>/archive/", views.person_archive_view, name="person_archive"),
    path("<int:pk>/memberships/new/", views.membership_create_view, name="membership_create"),
    path("<int:pk>/memberships/<int:mpk>/archive/", views.membership_archive_view, name="membership_archive"),
    path("<int:pk>/honours/new/", views.honour_form_view, name="honour_create"),
    path("<int:pk>/honours/<int:hpk>/edit/", views.honour_form_view, name="honour_edit"),
    path("<int:pk>/honours/<int:hpk>/archive/", views.honour_archive_view, name="honour_archive"),
    path("<int:pk>/trainings/new/", views.training_form_view, name="training_create"),
    path("<int:pk>/trainings/<int:tpk>/edit/", views.training_form_view, name="training_edit"),
    path("<int:pk>/trainings/<int:tpk>/archive/", views.training_archive_view, name="training_archive"),
    path("talents/", views.talent_list_view, name="talent_list"),
    path("stats/", views.talent_stats_view, name="talent_stats"),
    path("categories/", views.category_list_view, name="category_list"),
    path("categories/new/", views.category_form_view, name="category_create"),
    path("categories/<int:pk>/edit/", views.category_form_view, name="category_edit"),
    path("rounds/", views.round_list_view, name="round_list"),
    path("rounds/new/", views.round_form_view, name="round_create"),
    path("rounds/<int:pk>/", views.round_detail_view, name="round_detail"),
    path("rounds/<int:pk>/edit/", views.round_form_view, name="round_edit"),
    path("rounds/<int:pk>/do/<slug:action>/", views.round_transition_view, name="round_transition"),
    path("rounds/<int:pk>/nominations/new/", views.nomination_create_view, name="nomination_create"),
    path(
        "rounds/<int:pk>/nominations/<int:npk>/<slug:action>/",
        views.nomination_action_view,
        name="nomination_action",
    ),
    path("rounds/<int:pk>/objections/<int:opk>/handle/", views.objection_handle_view, name="objection_handle"),
    path("publicity/", views.public_round_list_view, name="public_round_list"),
    path("publicity/<int:pk>/", views.public_round_view, name="public_round"),
]

"""Pages of the programs app (house rule 8): public calls and publicity lists, the staff pages (calls,
queues per stage, decisions, projects, ledgers, overdue items) and the applicant's pages (我的申报与项目)."""

from django.urls import path

from kejiju.programs import views

app_name = "programs"

urlpatterns = [
    # public (anonymous)
    path("public/calls/", views.public_call_list_view, name="public_call_list"),
    path("public/calls/<int:pk>/", views.public_call_detail_view, name="public_call_detail"),
    path("public/publicity/", views.public_publicity_list_view, name="public_publicity_list"),
    path("public/publicity/<int:pk>/", views.public_publicity_detail_view, name="public_publicity_detail"),
    # staff
    path("", views.call_list_view, name="call_list"),
    path("plans/", views.program_list_view, name="program_list"),
    path("plans/new/", views.program_form_view, name="program_create"),
    path("calls/new/", views.call_form_view, name="call_create"),
    path("calls/<int:pk>/", views.call_detail_view, name="call_detail"),
    path("calls/<int:pk>/edit/", views.call_form_view, name="call_edit"),
    path("calls/<int:pk>/transition/", views.call_transition_view, name="call_transition"),
    path("calls/<int:pk>/decide/", views.decision_create_view, name="decision_create"),
    path("applications/", views.application_list_view, name="application_list"),
    path("applications/<int:pk>/", views.application_detail_view, name="application_detail"),
    path("applications/<int:pk>/versions/", views.application_versions_view, name="application_versions"),
    path("applications/<int:pk>/transition/", views.application_transition_view, name="application_transition"),
    path("applications/<int:pk>/review/", views.application_review_view, name="application_review"),
    path("decisions/", views.decision_list_view, name="decision_list"),
    path("decisions/<int:pk>/", views.decision_detail_view, name="decision_detail"),
    path("decisions/<int:pk>/<str:step>/", views.decision_step_view, name="decision_step"),
    path("projects/", views.project_list_view, name="project_list"),
    path("projects/<int:pk>/", views.project_detail_view, name="project_detail"),
    path("projects/<int:pk>/dossier/", views.project_dossier_view, name="project_dossier"),
    path("projects/<int:pk>/do/<str:step>/", views.project_step_view, name="project_step"),
    path("payments/", views.payment_list_view, name="payment_list"),
    path("ledger/", views.ledger_view, name="ledger"),
    path("overdue/", views.overdue_view, name="overdue"),
    path("files/<uuid:pk>/", views.file_view, name="file"),
    # applicant (单位用户)
    path("my/", views.my_home_view, name="my_home"),
    path("my/apply/<int:call_pk>/", views.my_apply_view, name="my_apply"),
    path("my/applications/<int:pk>/", views.my_application_view, name="my_application"),
    path("my/projects/<int:pk>/", views.my_project_view, name="my_project"),
    path("my/projects/<int:pk>/do/<str:step>/", views.my_project_step_view, name="my_project_step"),
]

"""Pages of the stats app (house rule 8)."""

from django.urls import path

from kejiju.stats import views

app_name = "stats"

urlpatterns = [
    path("", views.dashboard_view, name="dashboard"),
    path("records/", views.records_view, name="records"),
    path("indicators/", views.indicator_list_view, name="indicator_list"),
    path("indicators/new/", views.indicator_form_view, name="indicator_create"),
    path("indicators/<int:pk>/edit/", views.indicator_form_view, name="indicator_edit"),
    path("values/", views.entered_list_view, name="entered_list"),
    path("values/new/", views.entered_form_view, name="entered_create"),
    path("targets/", views.target_list_view, name="target_list"),
    path("targets/new/", views.target_form_view, name="target_create"),
    path("check/", views.additivity_view, name="additivity"),
    path("tables/", views.layout_list_view, name="layout_list"),
    path("tables/new/", views.layout_form_view, name="layout_create"),
    path("tables/<int:pk>/", views.layout_table_view, name="layout_table"),
    path("tables/<int:pk>/edit/", views.layout_form_view, name="layout_edit"),
    path("templates/", views.template_list_view, name="template_list"),
    path("templates/new/", views.template_form_view, name="template_create"),
    path("templates/<int:pk>/edit/", views.template_form_view, name="template_edit"),
    path("reports/", views.report_list_view, name="report_list"),
    path("reports/new/", views.report_form_view, name="report_create"),
    path("reports/<int:pk>/", views.report_detail_view, name="report_detail"),
    path("reports/<int:pk>/edit/", views.report_form_view, name="report_edit"),
    path("reports/<int:pk>/generate/", views.report_generate_view, name="report_generate"),
    path("reports/<int:pk>/figures.json", views.report_figures_view, name="report_figures"),
    path("reports/<int:pk>/<str:action>/", views.report_transition_view, name="report_transition"),
]

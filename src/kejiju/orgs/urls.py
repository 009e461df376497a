"""URLs of the organizations registry (house rule 8: explicit, names ``orgs:<model>_<action>``)."""

from django.urls import path

from kejiju.orgs import ip_views, views

app_name = "orgs"

urlpatterns = [
    path("", views.organization_list_view, name="organization_list"),
    path("new/", views.organization_create_view, name="organization_create"),
    path("import/", views.organization_import_view, name="organization_import"),
    path("merge/", views.organization_merge_view, name="organization_merge"),
    path("<int:pk>/", views.organization_detail_view, name="organization_detail"),
    path("<int:pk>/edit/", views.organization_edit_view, name="organization_edit"),
    path("<int:pk>/archive/", views.organization_archive_view, name="organization_archive"),
    path("<int:pk>/qualifications/new/", views.qualification_form_view, name="qualification_create"),
    path("<int:pk>/qualifications/<int:qpk>/edit/", views.qualification_form_view, name="qualification_edit"),
    path("<int:pk>/qualifications/<int:qpk>/archive/", views.qualification_archive_view, name="qualification_archive"),
    path("<int:pk>/ip/new/", views.ip_form_view, name="ip_create"),
    path("<int:pk>/ip/<int:ipk>/edit/", views.ip_form_view, name="ip_edit"),
    path("<int:pk>/ip/<int:ipk>/archive/", views.ip_archive_view, name="ip_archive"),
    path("ip/", ip_views.ip_list_view, name="ip_list"),
    path("ip/stats/", ip_views.ip_stats_view, name="ip_stats"),
    path("ip/population/", ip_views.population_view, name="ip_population"),
    path("ip/import/", ip_views.ip_import_view, name="ip_import"),
    path("ip/<int:pk>/", ip_views.ip_detail_view, name="ip_detail"),
    path("ip/<int:pk>/subsidy/", ip_views.ip_subsidy_view, name="ip_subsidy"),
    path("ip/custody/", ip_views.custody_list_view, name="custody_list"),
    path("ip/custody/new/", ip_views.custody_create_view, name="custody_create"),
    path("ip/custody/<int:pk>/", ip_views.custody_detail_view, name="custody_detail"),
    path("ip/cases/", ip_views.ip_case_list_view, name="ip_case_list"),
    path("ip/cases/new/", ip_views.ip_case_create_view, name="ip_case_create"),
    path("ip/cases/<int:pk>/", ip_views.ip_case_detail_view, name="ip_case_detail"),
]

"""URLs of official documents (house rule 8: explicit, names ``reports:document_<action>``)."""

from django.urls import path

from kejiju.reports import views

app_name = "reports"

urlpatterns = [
    path("documents/", views.document_list_view, name="document_list"),
    path("documents/new/", views.document_create_view, name="document_create"),
    path("documents/<int:pk>/", views.document_detail_view, name="document_detail"),
    path("documents/<int:pk>/edit/", views.document_edit_view, name="document_edit"),
    path("documents/<int:pk>/preview/", views.document_preview_view, name="document_preview"),
    path("documents/<int:pk>/generate/", views.document_generate_view, name="document_generate"),
    path("documents/<int:pk>/retry/", views.document_retry_view, name="document_retry"),
]

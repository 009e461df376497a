"""/api/v1/people/: the people registry and talent pool API (explicit URLs, house rule 8)."""

from django.urls import path

from kejiju.people.api import views

app_name = "people_api"

urlpatterns = [
    path("persons/", views.PersonListView.as_view(), name="person_list"),
    path("persons/<str:id>/", views.PersonDetailView.as_view(), name="person_detail"),
    path("talents/", views.TalentListView.as_view(), name="talent_list"),
    path("categories/", views.CategoryListView.as_view(), name="category_list"),
]

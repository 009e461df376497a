"""REST API of the stats app under /api/v1/stats/."""

from django.urls import path

from kejiju.stats.api import views

app_name = "stats_api"

urlpatterns = [
    path("indicators/", views.IndicatorListView.as_view(), name="indicator_list"),
    path("indicators/<str:code>/", views.IndicatorDetailView.as_view(), name="indicator_detail"),
    path("values/", views.ValueView.as_view(), name="value"),
    path("entered-values/", views.EnteredValueListView.as_view(), name="entered_value_list"),
]

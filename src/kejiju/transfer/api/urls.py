"""REST API of the transfer app under /api/v1/transfer/."""

from django.urls import path

from kejiju.transfer.api import views

app_name = "transfer_api"

urlpatterns = [
    path("demands/", views.DemandListView.as_view(), name="demand_list"),
    path("demands/<str:id>/", views.DemandDetailView.as_view(), name="demand_detail"),
    path("demands/<str:id>/suggestions/", views.DemandSuggestionsView.as_view(), name="demand_suggestions"),
    path("achievements/", views.AchievementListView.as_view(), name="achievement_list"),
    path("achievements/<str:id>/", views.AchievementDetailView.as_view(), name="achievement_detail"),
    path("matches/", views.MatchListView.as_view(), name="match_list"),
    path("contracts/", views.ContractListView.as_view(), name="contract_list"),
    path("contracts/<str:id>/", views.ContractDetailView.as_view(), name="contract_detail"),
]

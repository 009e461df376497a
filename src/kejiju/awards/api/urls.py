"""REST API of the awards app under /api/v1/awards/."""

from django.urls import path

from kejiju.awards.api import views

app_name = "awards_api"

urlpatterns = [
    path("programmes/", views.ProgrammeListView.as_view(), name="programme_list"),
    path("programmes/<str:id>/", views.ProgrammeDetailView.as_view(), name="programme_detail"),
    path("cycles/", views.CycleListView.as_view(), name="cycle_list"),
    path("cycles/<str:id>/", views.CycleDetailView.as_view(), name="cycle_detail"),
    path("cycles/<str:id>/meeting/", views.CycleMeetingView.as_view(), name="cycle_meeting"),
    path("cycles/<str:id>/votes/", views.CycleVoteListView.as_view(), name="cycle_votes"),
    path("cycles/<str:id>/votes/override/", views.CycleVoteOverrideView.as_view(), name="cycle_vote_override"),
    path("nominations/", views.NominationListView.as_view(), name="nomination_list"),
    path("nominations/<str:id>/", views.NominationDetailView.as_view(), name="nomination_detail"),
    path("nominations/<str:id>/transition/", views.NominationTransitionView.as_view(), name="nomination_transition"),
    path("winners/", views.WinnerListView.as_view(), name="winner_list"),
    path("higher-awards/", views.HigherAwardListView.as_view(), name="higher_award_list"),
    path("prize-ledger/", views.LedgerListView.as_view(), name="prize_ledger"),
    path("my/cycles/", views.MyCycleListView.as_view(), name="my_cycle_list"),
    path("my/nominations/", views.MyNominationListView.as_view(), name="my_nomination_list"),
    path("my/nominations/<str:id>/", views.MyNominationDetailView.as_view(), name="my_nomination_detail"),
    path("my/nominations/<str:id>/submit/", views.MyNominationSubmitView.as_view(), name="my_nomination_submit"),
]

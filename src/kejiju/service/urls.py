"""Pages of the service app (house rule 8)."""

from django.urls import path

from kejiju.service import views

app_name = "service"

urlpatterns = [
    path("", views.request_list_view, name="request_list"),
    path("new/", views.request_create_view, name="request_create"),
    path("caller-history/", views.caller_history_view, name="caller_history"),
    path("mine/", views.my_tasks_view, name="my_tasks"),
    path("<int:pk>/", views.request_detail_view, name="request_detail"),
    path("<int:pk>/answer/", views.request_answer_view, name="request_answer"),
    path("<int:pk>/dispatch/", views.request_dispatch_view, name="request_dispatch"),
    path("<int:pk>/visit/", views.visit_create_view, name="visit_create"),
    path("<int:pk>/callback/", views.callback_create_view, name="callback_create"),
    path("<int:pk>/callbacks/<int:cb>/check/", views.loss_check_view, name="loss_check"),
    path("<int:pk>/article/", views.article_from_request_view, name="article_from_request"),
    path("<int:pk>/<slug:action>/", views.request_action_view, name="request_action"),
    path("duty/", views.duty_list_view, name="duty_list"),
    path("warnings/", views.warning_list_view, name="warning_list"),
    path("stats/", views.stats_view, name="stats"),
    path("kb/", views.article_list_view, name="article_list"),
    path("kb/new/", views.article_create_view, name="article_create"),
    path("kb/<int:pk>/", views.article_detail_view, name="article_detail"),
    path("kb/<int:pk>/edit/", views.article_edit_view, name="article_edit"),
    path("public/kb/", views.public_kb_view, name="public_kb"),
    path("public/kb/<int:pk>/", views.public_article_view, name="public_article"),
    path("public/help/", views.public_request_view, name="public_request"),
]

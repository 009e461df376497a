"""Pages of the platforms app (house rule 8)."""

from django.urls import path

from kejiju.platforms import views

app_name = "platforms"

urlpatterns = [
    path("", views.platform_list_view, name="platform_list"),
    path("new/", views.platform_form_view, name="platform_create"),
    path("mine/", views.my_platforms_view, name="my_platforms"),
    path("templates/", views.template_list_view, name="template_list"),
    path("<int:pk>/", views.platform_detail_view, name="platform_detail"),
    path("<int:pk>/edit/", views.platform_form_view, name="platform_edit"),
    path("<int:pk>/action/", views.platform_action_view, name="platform_action"),
    path("<int:pk>/report/", views.report_view, name="platform_report"),
    path("<int:pk>/evaluate/", views.evaluate_view, name="platform_evaluate"),
    path("<int:pk>/reward/", views.reward_view, name="platform_reward"),
]

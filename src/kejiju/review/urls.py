"""Pages of the review app (house rule 8)."""

from django.urls import path

from kejiju.review import views

app_name = "review"

urlpatterns = [
    path("experts/", views.expert_list_view, name="expert_list"),
    path("experts/new/", views.expert_create_view, name="expert_create"),
    path("experts/apply/", views.expert_apply_view, name="expert_apply"),
    path("experts/<int:pk>/", views.expert_detail_view, name="expert_detail"),
    path("experts/<int:pk>/edit/", views.expert_edit_view, name="expert_edit"),
    path("experts/<int:pk>/status/", views.expert_transition_view, name="expert_transition"),
    path("experts/<int:pk>/account/", views.expert_account_view, name="expert_account"),
    path("experts/<int:pk>/rate/", views.expert_rate_view, name="expert_rate"),
    path("experts/<int:pk>/relations/", views.expert_relation_view, name="expert_relation"),
    path(
        "experts/<int:pk>/relations/<int:rid>/remove/",
        views.expert_relation_remove_view,
        name="expert_relation_remove",
    ),
    path("experts/<int:pk>/unavailable/", views.expert_unavailable_view, name="expert_unavailable"),
    path(
        "experts/<int:pk>/unavailable/<int:wid>/remove/",
        views.expert_unavailable_remove_view,
        name="expert_unavailable_remove",
    ),
    path("batches/", views.batch_list_view, name="batch_list"),
    path("batches/new/", views.batch_create_view, name="batch_create"),
    path("batches/<int:pk>/", views.batch_detail_view, name="batch_detail"),
    path("batches/<int:pk>/draw/", views.batch_draw_view, name="batch_draw"),
    path("batches/<int:pk>/avoid/", views.batch_avoid_view, name="batch_avoid"),
    path("batches/<int:pk>/draws/<int:draw>/", views.draw_detail_view, name="draw_detail"),
    path("batches/<int:pk>/draws/<int:draw>/input.json", views.draw_input_view, name="draw_input"),
    path("batches/<int:pk>/close/", views.batch_close_view, name="batch_close"),
    path("batches/<int:pk>/meetings/", views.batch_meeting_view, name="batch_meeting"),
    path("batches/<int:pk>/payments.xlsx", views.batch_payments_view, name="batch_payments"),
    path("fees/", views.fee_list_view, name="fee_list"),
    path("my/", views.my_list_view, name="my_list"),
    path("my/declarations/", views.my_declarations_view, name="my_declarations"),
    path("my/unavailable/", views.my_unavailable_view, name="my_unavailable"),
    path("my/<int:pk>/", views.my_detail_view, name="my_detail"),
    path("my/<int:pk>/files/<uuid:file>/", views.my_attachment_view, name="my_attachment"),
]

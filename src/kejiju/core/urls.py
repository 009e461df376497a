"""URLs of the core app (house rule 8: explicit, names ``core:<model>_<action>``)."""

from django.urls import path

from kejiju.core.views import attachments, audit, auth, codes, home, imports, notifications, regions, users

app_name = "core"

urlpatterns = [
    path("", home.home_view, name="home"),
    path("login/", auth.login_view, name="login"),
    path("logout/", auth.logout_view, name="logout"),
    path("password/", auth.password_change_view, name="password_change"),
    path("token/", auth.token_view, name="token"),
    path("region-switch/", auth.region_switch_view, name="region_switch"),
    # regions
    path("regions/", regions.region_tree_view, name="region_tree"),
    path("regions/new/", regions.region_create_view, name="region_create"),
    path("regions/import/", regions.region_import_view, name="region_import"),
    path("regions/import/template/", regions.region_import_template_view, name="region_import_template"),
    path("regions/<str:code>/", regions.region_detail_view, name="region_detail"),
    path("regions/<str:code>/edit/", regions.region_edit_view, name="region_edit"),
    # accounts
    path("accounts/", users.user_list_view, name="user_list"),
    path("accounts/new/", users.user_create_view, name="user_create"),
    path("accounts/<int:pk>/", users.user_detail_view, name="user_detail"),
    path("accounts/<int:pk>/edit/", users.user_edit_view, name="user_edit"),
    path("accounts/<int:pk>/reset-password/", users.user_reset_password_view, name="user_reset_password"),
    path("accounts/<int:pk>/unlock/", users.user_unlock_view, name="user_unlock"),
    path("accounts/<int:pk>/active/", users.user_set_active_view, name="user_set_active"),
    # audit
    path("audit/operations/", audit.oplog_list_view, name="oplog_list"),
    path("audit/history/", audit.history_list_view, name="history_list"),
    path("audit/history/<str:model>/<str:pk>/", audit.history_detail_view, name="history_detail"),
    # attachments
    path("files/", attachments.attachment_list_view, name="attachment_list"),
    path("files/upload/", attachments.attachment_upload_view, name="attachment_upload"),
    path("files/<uuid:pk>/download/", attachments.attachment_download_view, name="attachment_download"),
    path("files/<uuid:pk>/archive/", attachments.attachment_archive_view, name="attachment_archive"),
    # code tables
    path("notifications/", notifications.notification_list_view, name="notification_list"),
    path("notifications/read-all/", notifications.notification_read_all_view, name="notification_read_all"),
    path("notifications/<int:pk>/open/", notifications.notification_open_view, name="notification_open"),
    path("codes/", codes.code_list_view, name="code_list"),
    path("codes/<int:pk>/active/", codes.code_set_active_view, name="code_set_active"),
    # the two-phase Excel import of any registered importer (kejiju.core.importing)
    path("imports/<slug:name>/", imports.import_upload_view, name="import_upload"),
    path("imports/<slug:name>/template/", imports.import_template_view, name="import_template"),
    path("imports/<slug:name>/<str:token>/", imports.import_preview_view, name="import_preview"),
    path("imports/<slug:name>/<str:token>/errors/", imports.import_errors_view, name="import_errors"),
    path("imports/<slug:name>/<str:token>/commit/", imports.import_commit_view, name="import_commit"),
    path("imports/<slug:name>/<str:token>/result/", imports.import_result_view, name="import_result"),
]

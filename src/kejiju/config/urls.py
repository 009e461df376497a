"""Root URLs: the core shell, each app's pages, the REST API and the admin site."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    path("favicon.ico", RedirectView.as_view(url=settings.STATIC_URL + "core/favicon.svg", permanent=True)),
    path("", include("kejiju.core.urls")),
    path("orgs/", include("kejiju.orgs.urls")),
    path("reports/", include("kejiju.reports.urls")),
    path("api/v1/orgs/", include("kejiju.orgs.api.urls")),
    path("api/v1/", include("kejiju.core.api.urls")),
    path("admin/", admin.site.urls),
]

handler400 = "kejiju.core.views.home.error_400"
handler403 = "kejiju.core.views.home.error_403"
handler404 = "kejiju.core.views.home.error_404"
handler500 = "kejiju.core.views.home.error_500"

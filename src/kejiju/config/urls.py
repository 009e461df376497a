"""Root URLs: the core shell, each app's pages, the REST API and the admin site."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    path("favicon.ico", RedirectView.as_view(url=settings.STATIC_URL + "core/favicon.svg", permanent=True)),
    path("", include("kejiju.core.urls")),
    path("orgs/", include("kejiju.orgs.urls")),
    path("people/", include("kejiju.people.urls")),
    path("programs/", include("kejiju.programs.urls")),
    path("review/", include("kejiju.review.urls")),
    path("cultivation/", include("kejiju.cultivation.urls")),
    path("platforms/", include("kejiju.platforms.urls")),
    path("service/", include("kejiju.service.urls")),
    path("outreach/", include("kejiju.outreach.urls")),
    path("transfer/", include("kejiju.transfer.urls")),
    path("stats/", include("kejiju.stats.urls")),
    path("assessment/", include("kejiju.assessment.urls")),
    path("awards/", include("kejiju.awards.urls")),
    path("reports/", include("kejiju.reports.urls")),
    path("api/v1/orgs/", include("kejiju.orgs.api.urls")),
    path("api/v1/people/", include("kejiju.people.api.urls")),
    path("api/v1/programs/", include("kejiju.programs.api.urls")),
    path("api/v1/review/", include("kejiju.review.api.urls")),
    path("api/v1/cultivation/", include("kejiju.cultivation.api.urls")),
    path("api/v1/platforms/", include("kejiju.platforms.api.urls")),
    path("api/v1/service/", include("kejiju.service.api.urls")),
    path("api/v1/outreach/", include("kejiju.outreach.api.urls")),
    path("api/v1/transfer/", include("kejiju.transfer.api.urls")),
    path("api/v1/stats/", include("kejiju.stats.api.urls")),
    path("api/v1/assessment/", include("kejiju.assessment.api.urls")),
    path("api/v1/awards/", include("kejiju.awards.api.urls")),
    path("api/v1/", include("kejiju.core.api.urls")),
    path("admin/", admin.site.urls),
]

handler400 = "kejiju.core.views.home.error_400"
handler403 = "kejiju.core.views.home.error_403"
handler404 = "kejiju.core.views.home.error_404"
handler500 = "kejiju.core.views.home.error_500"

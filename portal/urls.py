"""Root URL configuration: pages are translated (Polish at /, English at /en/), the API and OAI-PMH are not."""

import re

from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path, re_path

from core import metrics as core_metrics
from core import views as core_views
from core.media import public_media
from publications import oai

# The admin logs in through allauth, so its log-in gets the same rate limits, lock-out and 2FA as the portal.
admin.site.login = secure_admin_login(admin.site.login)

# Styled pages in the visitor's language; JSON under /api/ (core/errors.py).
handler403 = "core.errors.permission_denied"
handler404 = "core.errors.page_not_found"
handler500 = "core.errors.server_error"
handler429 = "core.views.too_many_requests"  # allauth's rate limits (log-in, sign-up, password reset)

urlpatterns = [
    path("api/v1/", include("portal.api_urls")),
    path("oai/", oai.endpoint, name="oai"),
    path("i18n/", include("django.conf.urls.i18n")),
    # Probes for the load balancer and the process manager (docs/operations.md); outside the language prefix.
    path("healthz", core_views.healthz, name="healthz"),
    path("livez", core_views.livez, name="livez"),
    path("readyz", core_views.readyz, name="readyz"),
    # Prometheus metrics, for the monitoring system only: a 404 for anyone else (core/metrics.py).
    path("metrics", core_metrics.metrics, name="metrics"),
]

urlpatterns += i18n_patterns(
    path(settings.ADMIN_URL, admin.site.urls),
    path("statystyki/", include("monitoring.urls")),
    path("biblioteka/", include("publications.urls")),
    path("szkolenia/", include("trainings.urls")),
    path("eksporty/", include("exportjobs.urls")),
    path("konto/", include("allauth.urls")),
    path("panel/", include("cooperatives.selfservice_urls")),
    path("", include("core.urls")),
    path("", include("cooperatives.urls")),
    prefix_default_language=False,
)

# Public uploads (photos, logos, covers) in every environment, production included (core/media.py); a deployment
# whose web server serves MEDIA_ROOT's public folders itself sets PORTAL_SERVE_MEDIA=false (docs/deployment.md).
if settings.PORTAL_SERVE_MEDIA and settings.MEDIA_URL.startswith("/"):
    urlpatterns.insert(
        0, re_path(rf"^{re.escape(settings.MEDIA_URL.lstrip('/'))}(?P<path>.+)$", public_media, name="public-media")
    )

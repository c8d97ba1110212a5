"""Root URL configuration: pages are translated (Polish at /, English at /en/), the API and OAI-PMH are not."""

from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from publications import oai

# The admin logs in through allauth, so its log-in gets the same rate limits, lock-out and 2FA as the portal.
admin.site.login = secure_admin_login(admin.site.login)

handler404 = "core.api.not_found"
handler500 = "core.api.server_error"

urlpatterns = [
    path("api/v1/", include("portal.api_urls")),
    path("oai/", oai.endpoint, name="oai"),
    path("i18n/", include("django.conf.urls.i18n")),
]

urlpatterns += i18n_patterns(
    path(settings.ADMIN_URL, admin.site.urls),
    path("statystyki/", include("monitoring.urls")),
    path("biblioteka/", include("publications.urls")),
    path("szkolenia/", include("trainings.urls")),
    path("konto/", include("allauth.urls")),
    path("panel/", include("cooperatives.selfservice_urls")),
    path("", include("core.urls")),
    path("", include("cooperatives.urls")),
    prefix_default_language=False,
)

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

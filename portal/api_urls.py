"""REST API v1: one router for every app's endpoints, plus the OpenAPI schema and its offline docs."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView

from cooperatives.api import manage as cooperatives_manage_api
from cooperatives.api import views as cooperatives_api
from core.api import PortalRouter, api_not_found
from core.views import ApiDocsView
from monitoring.api import views as monitoring_api
from publications.api import views as publications_api
from trainings.api import views as trainings_api

router = PortalRouter()
for app_api in (cooperatives_api, monitoring_api, publications_api, trainings_api):
    app_api.register(router)
cooperatives_manage_api.register(router)

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", ApiDocsView.as_view(url_name="api-schema"), name="api-docs"),
    path("", include(router.urls)),
    # Anything else under /api/v1/ is a JSON 404, never the site's HTML error page.
    re_path(r"^.*$", api_not_found),
]

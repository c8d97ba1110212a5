from django.conf import settings
from django.db import DatabaseError, connections
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.dateparse import parse_date
from django.views.decorators.cache import never_cache
from drf_spectacular.views import SpectacularSwaggerSplitView

from . import site


class ApiDocsView(SpectacularSwaggerSplitView):
    """Swagger UI under the portal's strict CSP: its start-up script is a separate same-origin response (the
    "split" view) and the page's inline <style> is replaced by a static stylesheet."""

    template_name = "core/swagger_ui.html"


def accessibility_statement(request):
    """Deklaracja dostępności, in the form required by the act of 4 April 2019 on digital accessibility."""
    return render(
        request,
        "core/accessibility_statement.html",
        {
            "entity_name": settings.ACCESSIBILITY_ENTITY_NAME,
            "site_published": parse_date(settings.ACCESSIBILITY_SITE_PUBLISHED),
            "site_updated": parse_date(settings.ACCESSIBILITY_SITE_UPDATED),
            "statement_prepared": parse_date(settings.ACCESSIBILITY_STATEMENT_PREPARED),
            "statement_reviewed": parse_date(settings.ACCESSIBILITY_STATEMENT_REVIEWED),
            "contact_name": settings.ACCESSIBILITY_CONTACT_NAME,
            "contact_email": settings.ACCESSIBILITY_CONTACT_EMAIL,
            "contact_phone": settings.ACCESSIBILITY_CONTACT_PHONE,
            "site_url": site.absolute_url("/"),
        },
    )


@never_cache
def too_many_requests(request):
    """allauth's rate limits refused the request (`handler429`). They count in the shared cache: with the cache
    down they refuse every attempt (closed, core/README.md), and the page says it is an outage, not the visitor."""
    from .cache import is_available

    if not is_available():
        response = render(request, "429.html", {"unavailable": True}, status=503)
        response["Retry-After"] = "60"
        return response
    return render(request, "429.html", status=429)


@never_cache
def livez(request):
    """Liveness: the process answers. Touches neither the database nor the cache, so a failing dependency never
    gets a healthy process restarted."""
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")


@never_cache
def readyz(request):
    """Readiness for the load balancer: 503 when the database is unreachable (nothing can be served); 200 with
    "degraded" when only the cache is (every page is then computed from the database: slower, but served, so the
    server stays in rotation). docs/operations.md."""
    from .cache import is_available

    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
        database = "ok"
    except DatabaseError:
        database = "unavailable"
    cache = "ok" if is_available(probe=True) else "unavailable"
    if database != "ok":
        status = "unavailable"
    elif cache != "ok":
        status = "degraded"
    else:
        status = "ok"
    return JsonResponse(
        {"status": status, "database": database, "cache": cache}, status=503 if status == "unavailable" else 200
    )

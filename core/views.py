from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.dateparse import parse_date
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe
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


# --- Public-body pages (act of 4 April 2019 on digital accessibility; RODO) --------------------------------------


def _contact() -> dict:
    return {
        "operator": settings.PORTAL_DATA_CONTROLLER,
        "address": settings.PORTAL_CONTACT_ADDRESS,
        "email": settings.PORTAL_CONTACT_EMAIL,
        "phone": settings.PORTAL_CONTACT_PHONE,
        "hours": settings.PORTAL_CONTACT_HOURS,
        "data_protection_contact": settings.PORTAL_DATA_PROTECTION_CONTACT,
        "coordinator_name": settings.ACCESSIBILITY_COORDINATOR_NAME,
        "coordinator_email": settings.ACCESSIBILITY_COORDINATOR_EMAIL,
    }


@require_safe
def easy_to_read(request):
    """What the portal is, in short sentences (tekst łatwy do czytania, ETR), as public bodies' sites must have."""
    return render(request, "core/easy_to_read.html", {"contact": _contact()})


@require_safe
def sign_language(request):
    """Information in Polish Sign Language (PJM): the video when recorded, the same content as text meanwhile."""
    return render(
        request, "core/sign_language.html", {"contact": _contact(), "video_url": settings.PORTAL_PJM_VIDEO_URL}
    )


@require_safe
def contact(request):
    """Who runs the portal and how to reach them, the accessibility coordinator and the data-protection contact."""
    return render(request, "core/contact.html", {"contact": _contact()})


@require_safe
def privacy(request):
    """Every form's personal data: purpose, legal basis, retention (the periods the portal enforces, from settings),
    recipients, rights."""
    return render(
        request,
        "core/privacy.html",
        {
            "contact": _contact(),
            "inquiry_days": settings.PORTAL_INQUIRY_RETENTION_DAYS,
            "training_years": settings.TRAININGS_ANONYMISE_AFTER_YEARS,
            "training_confirmation_hours": settings.TRAININGS_CONFIRMATION_HOURS,
            "representation_link_hours": settings.PORTAL_REPRESENTATION_LINK_HOURS,
            "token_max_days": settings.PORTAL_API_TOKEN_MAX_DAYS,
            "min_cell_size": settings.MONITORING_MIN_CELL_SIZE,
            "display_cookie_days": settings.PORTAL_DISPLAY_COOKIE_AGE // (24 * 3600),
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
def display_settings(request):
    """Text size and contrast: a POST stores the choice in a cookie and returns to the page it came from."""
    from . import display

    if request.method == "POST":
        choice = display.read(request)
        text, contrast = request.POST.get("text"), request.POST.get("contrast")
        if text in display.TEXT_SIZES:
            choice["text"] = text
        if contrast in display.CONTRASTS:
            choice["contrast"] = contrast
        if request.POST.get("reset"):
            choice = dict(display.DEFAULT)
        target = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
            target = request.path
        response = redirect(target)
        display.store(response, choice)
        return response
    return render(
        request,
        "core/display_settings.html",
        {"text_sizes": display.TEXT_SIZES, "contrasts": display.CONTRASTS},
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
def healthz(request):
    """Liveness: the process answers. Touches neither the database nor the cache, so a failing dependency never
    gets a healthy process restarted. Also at /livez (the older name, kept)."""
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")


livez = healthz

# A failure of these takes the server out of rotation (503); of the others (shared by every server, and the pages
# are still served without them) the server stays in rotation as "degraded". docs/operations.md.
READINESS_REQUIRED = ("database", "migrations", "storage")


@never_cache
def readyz(request):
    """Readiness for the load balancer (core/health.py): JSON naming each part; 503 when the database, the
    migrations or the storage fail ("failing" names them); 200 "degraded" when only the cache, the broker or the
    replica does (every page is still served); 200 "ok". No addresses, no error texts."""
    from . import db_router, health

    parts = {"database": health.database()}
    if db_router.replica_configured():
        parts["replica"] = health.database(db_router.REPLICA_ALIAS)
    parts["migrations"] = health.migrations() if parts["database"] == "ok" else "unknown"
    parts["cache"] = health.cache()
    parts["broker"] = health.broker()
    parts["storage"] = health.storage()
    failing = [name for name, state in parts.items() if state not in ("ok", "eager", "unknown")]
    if any(name in READINESS_REQUIRED for name in failing):
        status = "unavailable"
    elif failing:
        status = "degraded"
    else:
        status = "ok"
    return JsonResponse({"status": status, **parts, "failing": failing}, status=503 if status == "unavailable" else 200)

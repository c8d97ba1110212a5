from django.conf import settings
from django.shortcuts import render
from django.utils.dateparse import parse_date
from drf_spectacular.views import SpectacularSwaggerSplitView


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
            "site_url": request.build_absolute_uri("/"),
        },
    )

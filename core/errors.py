"""Error pages: every 403, 404, 405, 500 and CSRF failure is a page of the portal in the visitor's language.

Pages under /api/ keep their JSON errors (DRF answers for its own views; the handlers here answer in JSON for what
reaches Django's handlers), and /oai/ keeps its protocol's answers. The 500 page is rendered from a standalone
template without context processors: it must work when the database, the cache or the templates' data are down.
"""

from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import requires_csrf_token

# Paths whose clients read machine answers, not pages.
MACHINE_PREFIXES = ("/api/", "/oai/")


def is_machine_path(path: str) -> bool:
    return path.startswith(MACHINE_PREFIXES)


def _json_error(message: str, status: int) -> JsonResponse:
    return JsonResponse({"detail": message}, status=status)


@requires_csrf_token
def permission_denied(request, exception=None):
    """handler403: why the visitor cannot see the page, and the way in (log-in) or out (the panel)."""
    if request.path.startswith("/api/"):
        return _json_error(_("Brak uprawnień do tego zasobu."), 403)
    return render(request, "403.html", status=403)


@requires_csrf_token
def page_not_found(request, exception=None):
    """handler404: JSON under /api/, the portal's page elsewhere."""
    if request.path.startswith("/api/"):
        return _json_error(_("Nie znaleziono."), 404)
    return render(request, "404.html", status=404)


@requires_csrf_token
def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: a form sent without a valid token (an expired page, blocked cookies, another site)."""
    if request.path.startswith("/api/"):
        return _json_error(_("Brak ważnego tokenu CSRF: odśwież stronę i spróbuj ponownie."), 403)
    return render(request, "403_csrf.html", status=403)


def server_error(request):
    """handler500: a standalone page in the language of the request, with nothing that could fail again."""
    if request.path.startswith("/api/"):
        return _json_error(_("Błąd serwera. Spróbuj ponownie za kilka minut."), 500)
    language = get_language() or "pl"
    try:
        home_url = reverse("cooperatives:home")
    except Exception:  # the URL configuration itself may be what failed
        home_url = "/"
    html = loader.get_template("500.html").render({"LANGUAGE_CODE": language, "home_url": home_url})
    return HttpResponseServerError(html)


class StyledMethodNotAllowedMiddleware:
    """Django answers a wrong HTTP method (GET on a form that only takes POST) with an empty 405; pages get the
    portal's 405 page instead, keeping the Allow header. API and OAI answers are left as their views made them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code != 405
            or is_machine_path(request.path)
            or response.get("Content-Type", "").startswith("application/json")
        ):
            return response
        if getattr(response, "streaming", False) or response.content.strip():
            return response
        page = render(request, "405.html", status=405)
        if "Allow" in response:
            page["Allow"] = response["Allow"]
        return page

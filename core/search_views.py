"""The portal-wide search page and the suggestions endpoint (kinds and suggesters come from core/portal_search.py)."""

from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from . import portal_search
from .validators import validate_single_line

TOP_RESULTS = 5
SUGGESTIONS_PER_SOURCE = 4
MAX_SUGGESTIONS = 10


@require_safe
def search(request):
    """/szukaj/?q=: each registered kind with its count, its top results and a link to its catalogue."""
    raw = request.GET.get("q", "")
    query = portal_search.clean_query(raw)
    context = {"query": query, "groups": [], "notice": "", "portal_query": query}
    if len(raw) > portal_search.max_length():
        context["notice"] = _("Zapytanie było za długie: szukamy w jego pierwszych %(count)s znakach.") % {
            "count": portal_search.max_length()
        }
    if query and not portal_search.has_words(query):
        context["notice"] = _("Wpisz w zapytaniu litery albo cyfry.")
    elif query:
        for kind in portal_search.kinds():
            results = kind.search(query, TOP_RESULTS)
            context["groups"].append({"key": kind.key, "label": kind.label, "results": results})
        context["total"] = sum(group["results"].count for group in context["groups"])
        if not context["total"]:
            corrections = (kind.correct(query) for kind in portal_search.kinds() if kind.correct)
            context["did_you_mean"] = next((corrected for corrected in corrections if corrected), "")
    return render(request, "core/portal_search.html", context)


@require_safe
def suggestions(request):
    """JSON for the search box's combobox: {"query", "suggestions": [{"label", "url", "kind"}]}.

    400 with a field message for a query that is too long or holds control characters; an empty list for a query
    too short or without letters."""
    raw = request.GET.get("q", "")
    if len(raw) > portal_search.max_length():
        message = _("Zapytanie może mieć najwyżej %(count)s znaków.") % {"count": portal_search.max_length()}
        return JsonResponse({"q": [message]}, status=400)
    try:
        validate_single_line(raw)
    except ValidationError as error:
        return JsonResponse({"q": error.messages}, status=400)
    query = portal_search.clean_query(raw)
    found = []
    if portal_search.has_words(query):
        for suggest in portal_search.suggesters():
            found += suggest(query, SUGGESTIONS_PER_SOURCE)
    items = [{"label": s.label, "url": s.url, "kind": s.kind} for s in found[:MAX_SUGGESTIONS]]
    return JsonResponse({"query": query, "suggestions": items})

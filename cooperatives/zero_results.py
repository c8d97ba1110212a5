"""Help on a catalogue page that found nothing: "did you mean ...?" and which filter to drop for results.

Only computed when a valid search or filter gave 0 results. Each relaxation re-runs the catalogue's FilterSet on
the query string without one chosen value (the active filter's own "remove" link) or without the search, and
counts: at most MAX_RELAXATIONS counts, one query each.
"""

from django.http import QueryDict
from django.utils.translation import gettext as _

from . import did_you_mean

MAX_RELAXATIONS = 6


def relaxations(filterset, active_filters: list[dict], remove_search_href: str | None) -> list[dict]:
    """[{label, value, href, count}] for each removal that gives results, the most results first."""
    options = [(item["label"], item["value"], item["remove_href"]) for item in active_filters]
    if remove_search_href and options:  # with no filter, dropping the search is the catalogue itself
        options.append((_("Szukaj"), filterset.form.cleaned_data.get("search", ""), remove_search_href))
    found = []
    for label, value, href in options[:MAX_RELAXATIONS]:
        relaxed = type(filterset)(data=QueryDict(href.lstrip("?")), queryset=filterset.queryset)
        if not relaxed.is_valid():
            continue
        count = relaxed.qs.count()
        if count:
            found.append({"label": label, "value": value, "href": href, "count": count})
    found.sort(key=lambda item: -item["count"])
    return found


def help_context(filterset, params_query, active_filters: list[dict]) -> dict:
    """Context for templates/includes/zero_results.html. `params_query(**changes)` builds a query string."""
    query = filterset.form.cleaned_data.get("search") or ""
    context = {"relaxations": relaxations(filterset, active_filters, params_query(search=None) if query else None)}
    if query:
        corrected = did_you_mean.correction(query, filterset.queryset.model._meta.model_name)
        if corrected:
            context["did_you_mean"] = {"query": corrected, "href": params_query(search=[corrected])}
    return context

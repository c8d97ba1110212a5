"""What the registry adds to the portal-wide search (core/portal_search.py): cooperatives and offers as searchable
kinds (the catalogues' own search, so the counts are the catalogues' counts) and the suggestions while one types.
Registered from CooperativesConfig.ready()."""

from django.http import QueryDict
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from core import portal_search
from core.counting import exact_count

from . import did_you_mean, search, selectors, suggestions


def _catalogue_url(name: str, query: str) -> str:
    return f"{reverse(name)}?{urlencode({'search': query})}"


def _results(filterset, query: str, limit: int, url_name: str, hit) -> portal_search.KindResults:
    url = _catalogue_url(url_name, query)
    if not filterset.is_valid():
        return portal_search.KindResults(0, [], url)
    queryset = filterset.qs
    pages = search.pageable(queryset, number=1, per_page=limit)
    if pages is queryset:  # SQLite, or no relevance order: count, then the first rows
        count = exact_count(queryset)
        rows = list(queryset[:limit]) if count else []
    else:  # PostgreSQL, ordered by relevance: the count and the page's ids in one statement (search.RelevancePages)
        rows = pages[0:limit]
        count = pages.count()
    return portal_search.KindResults(count, [hit(row) for row in rows], url)


def _data(query: str) -> QueryDict:
    data = QueryDict(mutable=True)
    data["search"] = query
    return data


def search_cooperatives(query: str, limit: int) -> portal_search.KindResults:
    return _results(
        selectors.cooperative_list(data=_data(query)),
        query,
        limit,
        "cooperatives:list",
        lambda c: portal_search.Hit(c.name, c.get_absolute_url(), c.town),
    )


def search_offers(query: str, limit: int) -> portal_search.KindResults:
    return _results(
        selectors.offer_list(data=_data(query)),
        query,
        limit,
        "cooperatives:offers",
        lambda o: portal_search.Hit(o.title, o.get_absolute_url(), o.cooperative.name),
    )


def register() -> None:
    portal_search.register_kind(
        portal_search.SearchKind(
            "cooperatives",
            _("Spółdzielnie"),
            search_cooperatives,
            10,
            lambda q: did_you_mean.correction(q, "cooperative"),
        )
    )
    portal_search.register_kind(
        portal_search.SearchKind(
            "offers", _("Oferty"), search_offers, 20, lambda q: did_you_mean.correction(q, "offer")
        )
    )
    portal_search.register_suggester("categories", suggestions.categories, order=10)
    portal_search.register_suggester("places", suggestions.places, order=20)
    portal_search.register_suggester("cooperatives", suggestions.cooperatives, order=30)

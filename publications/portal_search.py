"""The library as a kind of the portal-wide search (core/portal_search.py), registered from PublicationsConfig.ready():
the library's own search, so the count is the library's."""

from django.http import QueryDict
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from core import portal_search

from . import selectors


def search_publications(query: str, limit: int) -> portal_search.KindResults:
    data = QueryDict(mutable=True)
    data["search"] = query
    filterset = selectors.publication_list(data=data)
    url = f"{reverse('publications:index')}?{urlencode({'search': query})}"
    if not filterset.is_valid():
        return portal_search.KindResults(0, [], url)
    queryset = filterset.qs
    count = queryset.count()
    rows = list(queryset.prefetch_related(None)[:limit]) if count else []
    hits = [portal_search.Hit(p.title, p.get_absolute_url(), str(p.year or "")) for p in rows]
    return portal_search.KindResults(count, hits, url)


def register() -> None:
    portal_search.register_kind(portal_search.SearchKind("publications", _("Publikacje"), search_publications, 30))

"""The training calendar as a kind of the portal-wide search (core/portal_search.py), registered from
TrainingsConfig.ready(): the calendar's own `search` filter, so the count is the calendar's."""

from django.http import QueryDict
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from core import portal_search

from . import selectors


def search_trainings(query: str, limit: int) -> portal_search.KindResults:
    data = QueryDict(mutable=True)
    data["search"] = query
    filterset = selectors.training_list(data=data)
    url = f"{reverse('trainings:index')}?{urlencode({'search': query})}"
    if not filterset.is_valid():
        return portal_search.KindResults(0, [], url)
    queryset = filterset.qs
    count = queryset.count()
    rows = list(queryset.prefetch_related(None)[:limit]) if count else []
    hits = [portal_search.Hit(t.title, t.get_absolute_url(), date_format(t.starts_on)) for t in rows]
    return portal_search.KindResults(count, hits, url)


def register() -> None:
    portal_search.register_kind(portal_search.SearchKind("trainings", _("Szkolenia"), search_trainings, 40))

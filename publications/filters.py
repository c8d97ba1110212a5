"""Filters of the library, shared by the list page, its citation export and the REST API.

Query parameters: search, series (slug), topic (slug), year, author (id), language (ISO 639-1), ordering.
An unknown value is a validation error with a Polish message, never silently ignored.
"""

import django_filters
from django.utils.translation import gettext_lazy as _

from cooperatives.filters import SearchFilter, order_by_name
from cooperatives.search import apply_search, is_postgresql

from .models import MAX_YEAR, MIN_YEAR, Language, Person, Publication, Series, Topic


class Ordering:
    RELEVANCE = "relevance"
    TITLE = "title"
    NEWEST = "newest"
    OLDEST = "oldest"
    CHOICES = [
        (RELEVANCE, _("trafność")),
        (TITLE, _("tytuł (A–Ż)")),
        (NEWEST, _("najnowsze")),
        (OLDEST, _("najstarsze")),
    ]


class PublicationFilterSet(django_filters.FilterSet):
    search = SearchFilter(label=_("Szukaj"), method="filter_search")
    series = django_filters.ModelChoiceFilter(
        label=_("Seria"),
        queryset=Series.objects.all(),
        to_field_name="slug",
        error_messages={"invalid_choice": _("Nieznana seria: %(value)s.")},
    )
    topic = django_filters.ModelChoiceFilter(
        label=_("Temat"),
        queryset=Topic.objects.all(),
        to_field_name="slug",
        field_name="topics",
        error_messages={"invalid_choice": _("Nieznany temat: %(value)s.")},
    )
    year = django_filters.NumberFilter(
        label=_("Rok wydania"),
        min_value=MIN_YEAR,
        max_value=MAX_YEAR,
        error_messages={
            "invalid": _("Podaj rok jako liczbę, np. 2014."),
            "min_value": _("Rok nie może być wcześniejszy niż %(limit_value)s."),
            "max_value": _("Rok nie może być późniejszy niż %(limit_value)s."),
        },
    )
    author = django_filters.ModelChoiceFilter(
        label=_("Autor"),
        # Only people with a published item: the name of a draft's author is not public yet.
        queryset=Person.objects.filter(authorships__publication__status=Publication.Status.PUBLISHED).distinct(),
        field_name="authorships__person",  # one authorship per person and publication: no duplicate rows
        error_messages={"invalid_choice": _("Nieznany autor: %(value)s.")},
    )
    language = django_filters.ChoiceFilter(
        label=_("Język"),
        choices=Language.choices,
        error_messages={"invalid_choice": _("Nieznany język: %(value)s.")},
    )
    ordering = django_filters.ChoiceFilter(
        label=_("Sortowanie"), choices=Ordering.CHOICES, method="filter_ordering", empty_label=None
    )

    class Meta:
        model = Publication
        fields = []

    def filter_search(self, queryset, name, value):
        return queryset  # applied in filter_queryset, so that ordering by relevance can see the annotation

    def filter_ordering(self, queryset, name, value):
        return queryset  # applied last, in filter_queryset

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        query = self.form.cleaned_data.get("search") or ""
        queryset = apply_search(queryset, query, fallback_fields=("abstract",))
        ordering = self.form.cleaned_data.get("ordering") or (Ordering.RELEVANCE if query else Ordering.NEWEST)
        if ordering == Ordering.RELEVANCE and query and is_postgresql():
            return queryset.order_by("-relevance", "-year", "pk")
        if ordering == Ordering.TITLE:
            return order_by_name(queryset, "title")
        if ordering == Ordering.OLDEST:
            return queryset.order_by("year", "title", "pk")
        return queryset.order_by("-year", "title", "pk")

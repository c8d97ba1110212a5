"""Filters of the API's dictionary endpoints. Cooperatives and offers use the catalogue's own FilterSets
(cooperatives/filters.py), so their query parameters are the catalogue's."""

import django_filters
from django.utils.translation import gettext_lazy as _

from ..filters import SearchFilter
from ..models import OfferCategory, TerritorialUnit
from ..search import is_postgresql

PUBLIC_LEVELS = [
    (value, label) for value, label in TerritorialUnit.Level.choices if value != TerritorialUnit.Level.GMINA_PART
]


class TerritorialUnitFilterSet(django_filters.FilterSet):
    level = django_filters.ChoiceFilter(label=_("Poziom jednostki"), choices=PUBLIC_LEVELS)
    parent = django_filters.ModelChoiceFilter(
        label=_("Kod TERYT jednostki nadrzędnej"),
        queryset=TerritorialUnit.objects.exclude(level=TerritorialUnit.Level.GMINA),
        to_field_name="code",
        error_messages={"invalid_choice": _("Nieznany kod TERYT: %(value)s.")},
    )
    search = SearchFilter(label=_("Fragment nazwy"), method="filter_search")

    class Meta:
        model = TerritorialUnit
        fields = []

    def filter_search(self, queryset, name, value):
        # Case and diacritics are ignored on PostgreSQL (unaccent); SQLite folds ASCII letters only.
        lookup = "name__unaccent__icontains" if is_postgresql() else "name__icontains"
        return queryset.filter(**{lookup: value})


class OfferCategoryFilterSet(django_filters.FilterSet):
    """`level=1` sectors, `level=2` their kinds of service; `parent` the sector's identifier (slug)."""

    level = django_filters.ChoiceFilter(
        label=_("Poziom kategorii"),
        choices=[("1", _("branża")), ("2", _("rodzaj usługi lub produktu"))],
        method="filter_level",
    )
    parent = django_filters.ModelChoiceFilter(
        label=_("Identyfikator kategorii nadrzędnej"),
        queryset=OfferCategory.objects.filter(parent__isnull=True),
        to_field_name="slug",
        error_messages={"invalid_choice": _("Nieznana kategoria: %(value)s.")},
    )

    class Meta:
        model = OfferCategory
        fields = []

    def filter_level(self, queryset, name, value):
        return queryset.filter(parent__isnull=value == "1")

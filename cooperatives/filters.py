"""The catalogue's filters, shared by the HTML catalogue, the open-data exports and the REST API.

Query parameters are the same everywhere (shareable URLs): search, voivodeship, powiat, gmina (TERYT codes),
category (slug), target_group (code), founder_type, status, social_enterprise, certification, ordering; for
buyers, cpv (a CPV code or its first digits) and reserved=art94 (can take reserved contracts, art. 94 Pzp).
An unknown code or value is a validation error (a Polish message per parameter), never silently ignored.
"""

import django_filters
from django import forms
from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Collate
from django.utils.translation import gettext_lazy as _

from . import cpv, reserved
from .models import Cooperative, Offer, OfferCategory, TargetGroup, TerritorialUnit
from .search import apply_search, is_postgresql

POLISH_COLLATION = "pl-x-icu"


class Certification:
    QUALITY_MARK = "quality_mark"
    OZRSS = "ozrss"
    ZAKUP_PROSPOLECZNY = "zakup_prospoleczny"
    COOPERATIVE_CHOICES = [
        (QUALITY_MARK, _("Znak Jakości Ekonomii Społecznej i Solidarnej")),
        (OZRSS, _("członkostwo w OZRSS")),
        (ZAKUP_PROSPOLECZNY, _("certyfikat Zakup Prospołeczny")),
    ]
    OFFER_CHOICES = [(ZAKUP_PROSPOLECZNY, _("certyfikat Zakup Prospołeczny"))]


class Ordering:
    RELEVANCE = "relevance"
    NAME = "name"
    NEWEST = "newest"
    CHOICES = [(RELEVANCE, _("trafność")), (NAME, _("nazwa (A–Ż)")), (NEWEST, _("najnowsze"))]


def order_by_name(queryset, field: str):
    """Polish alphabetical order (ł after l, ś after s) on PostgreSQL via ICU; plain order on SQLite."""
    if is_postgresql():
        return queryset.order_by(Collate(field, POLISH_COLLATION), "pk")
    return queryset.order_by(field, "pk")


def category_with_children(category: OfferCategory) -> list[int]:
    return [category.pk, *category.children.values_list("pk", flat=True)]


class TerritoryChoiceFilter(django_filters.ModelChoiceFilter):
    """A TERYT code of one level; an unknown code is refused with a clear message."""

    def __init__(self, *args, level: str, **kwargs):
        kwargs.setdefault("queryset", TerritorialUnit.objects.filter(level=level))
        kwargs.setdefault("to_field_name", "code")
        kwargs.setdefault("error_messages", {"invalid_choice": _("Nieznany kod TERYT: %(value)s.")})
        super().__init__(*args, **kwargs)


class SearchField(forms.CharField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", settings.PORTAL_SEARCH_MAX_LENGTH)
        kwargs.setdefault("strip", True)
        super().__init__(*args, **kwargs)


class SearchFilter(django_filters.CharFilter):
    field_class = SearchField


# --- Buyers' filters: CPV codes and reserved contracts (art. 94), shared by both catalogues -------------------


class CpvField(forms.CharField):
    """A CPV code or the first digits of one; cleans to a cpv.CpvQuery (what was typed, the digits it covers)."""

    def clean(self, value):
        value = super().clean(value)
        return cpv.parse_filter(value) if value else None


class CpvFilter(django_filters.CharFilter):
    """Offers (or cooperatives with an active offer) whose CPV code lies under the given one: a division or
    group code matches every code below it."""

    field_class = CpvField

    def __init__(self, *args, offers_of_cooperative: bool = False, **kwargs):
        kwargs.setdefault("label", _("Kod CPV"))
        super().__init__(*args, **kwargs)
        self.offers_of_cooperative = offers_of_cooperative

    def filter(self, qs, value):
        if not value:
            return qs
        if self.offers_of_cooperative:
            offers = Offer.objects.filter(cooperative=OuterRef("pk"), is_active=True, cpv_code__startswith=value.prefix)
            return qs.filter(Exists(offers))
        return qs.filter(cpv_code__startswith=value.prefix)


class ReservedContractsFilter(django_filters.ChoiceFilter):
    """Cooperatives whose current declared share of employees at risk of exclusion reaches 30% (art. 94 Pzp)."""

    def __init__(self, *args, prefix: str = "", **kwargs):
        kwargs.setdefault("label", _("Zamówienia zastrzeżone (art. 94)"))
        kwargs.setdefault("choices", reserved.FILTER_CHOICES)
        super().__init__(*args, **kwargs)
        self.prefix = prefix

    def filter(self, qs, value):
        return qs.filter(reserved.qualifying_condition(self.prefix)) if value else qs


class CatalogueFilterSet(django_filters.FilterSet):
    """Parts common to both catalogues. Subclasses say which field leads to the cooperative."""

    coop = ""  # "" for Cooperative, "cooperative__" for Offer

    search = SearchFilter(label=_("Szukaj"), method="filter_search")
    voivodeship = TerritoryChoiceFilter(
        label=_("Województwo"), level=TerritorialUnit.Level.VOIVODESHIP, method="filter_territory"
    )
    powiat = TerritoryChoiceFilter(label=_("Powiat"), level=TerritorialUnit.Level.POWIAT, method="filter_territory")
    gmina = TerritoryChoiceFilter(label=_("Gmina"), level=TerritorialUnit.Level.GMINA, method="filter_territory")
    ordering = django_filters.ChoiceFilter(
        label=_("Sortowanie"), choices=Ordering.CHOICES, method="filter_ordering", empty_label=None
    )

    search_fallback_fields: tuple[str, ...] = ()

    def filter_search(self, queryset, name, value):
        # Searching is applied in filter_queryset so that ordering by relevance can see the annotation.
        return queryset

    def filter_territory(self, queryset, name, value):
        return queryset.filter(**{f"{self.coop}{name}_id": value.code})

    def filter_ordering(self, queryset, name, value):
        return queryset  # applied last, in filter_queryset

    def category_ids(self, category: OfferCategory) -> list[int]:
        """The category and its children, looked up once per FilterSet (facet counts apply the filter many times)."""
        known = self.__dict__.setdefault("_category_ids", {})
        if category.pk not in known:
            known[category.pk] = category_with_children(category)
        return known[category.pk]

    def queryset_without(self, queryset, *names):
        """`queryset` narrowed by every chosen filter except `names`, unordered, for facet counts. Uses the values
        this (valid) FilterSet already cleaned, so no TERYT code or slug is looked up again."""
        cleaned = {name: value for name, value in self.form.cleaned_data.items() if name not in names}
        return self._apply(queryset, cleaned).order_by()

    def filter_queryset(self, queryset):
        return self._apply(queryset, self.form.cleaned_data)

    def _apply(self, queryset, cleaned: dict):
        for name, value in cleaned.items():
            queryset = self.filters[name].filter(queryset, value)  # search and ordering: applied below
        query = cleaned.get("search") or ""
        queryset = apply_search(queryset, query, fallback_fields=self.search_fallback_fields)
        ordering = cleaned.get("ordering") or (Ordering.RELEVANCE if query else Ordering.NAME)
        if ordering == Ordering.RELEVANCE and query and is_postgresql():
            return queryset.order_by("-relevance", "pk")
        if ordering == Ordering.NEWEST:
            return queryset.order_by("-created_at", "-pk")
        return order_by_name(queryset, self.name_field)


class CooperativeFilterSet(CatalogueFilterSet):
    name_field = "name"
    search_fallback_fields = ("description",)

    category = django_filters.ModelChoiceFilter(
        label=_("Kategoria oferty"),
        queryset=OfferCategory.objects.all(),
        to_field_name="slug",
        method="filter_category",
    )
    target_group = django_filters.ModelChoiceFilter(
        label=_("Grupa docelowa"),
        queryset=TargetGroup.objects.all(),
        to_field_name="code",
        field_name="target_groups",
    )
    founder_type = django_filters.ChoiceFilter(label=_("Założyciele"), choices=Cooperative.FounderType.choices)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Cooperative.Status.choices)
    # A choice, not a BooleanFilter: that one silently ignores values it cannot read ("abc").
    social_enterprise = django_filters.TypedChoiceFilter(
        label=_("Przedsiębiorstwo społeczne"),
        field_name="is_social_enterprise",
        choices=[("true", _("tak")), ("false", _("nie"))],
        coerce=lambda value: value == "true",
    )
    certification = django_filters.ChoiceFilter(
        label=_("Certyfikaty i znaki"),
        choices=Certification.COOPERATIVE_CHOICES,
        method="filter_certification",
    )
    # Buyers (issue 13).
    reserved = ReservedContractsFilter()
    cpv = CpvFilter(offers_of_cooperative=True, label=_("Kod CPV oferty"))

    class Meta:
        model = Cooperative
        fields = []

    def filter_category(self, queryset, name, value):
        offers = Offer.objects.filter(cooperative=OuterRef("pk"), is_active=True, category__in=self.category_ids(value))
        return queryset.filter(Exists(offers))

    def filter_certification(self, queryset, name, value):
        if value == Certification.QUALITY_MARK:
            return queryset.filter(has_quality_mark=True)
        if value == Certification.OZRSS:
            return queryset.filter(is_ozrss_member=True)
        offers = Offer.objects.filter(cooperative=OuterRef("pk"), is_active=True, zakup_prospoleczny_year__isnull=False)
        return queryset.filter(Exists(offers))


class OfferFilterSet(CatalogueFilterSet):
    coop = "cooperative__"
    name_field = "title"
    search_fallback_fields = ("description", "cooperative__search_text")

    category = django_filters.ModelChoiceFilter(
        label=_("Kategoria"),
        queryset=OfferCategory.objects.all(),
        to_field_name="slug",
        method="filter_category",
    )
    serves = django_filters.ModelChoiceFilter(
        label=_("Obsługuje obszar"),
        queryset=TerritorialUnit.objects.exclude(level="gmina_part"),
        to_field_name="code",
        method="filter_serves",
        error_messages={"invalid_choice": _("Nieznany kod TERYT: %(value)s.")},
    )
    service_area = django_filters.ChoiceFilter(label=_("Zasięg"), choices=Offer.ServiceArea.choices)
    certification = django_filters.ChoiceFilter(
        label=_("Certyfikaty"), choices=Certification.OFFER_CHOICES, method="filter_certification"
    )
    # Buyers (issue 13).
    cpv = CpvFilter()
    reserved = ReservedContractsFilter(prefix="cooperative__")

    class Meta:
        model = Offer
        fields = []

    def filter_category(self, queryset, name, value):
        return queryset.filter(category__in=self.category_ids(value))

    def filter_certification(self, queryset, name, value):
        return queryset.filter(zakup_prospoleczny_year__isnull=False)

    def filter_serves(self, queryset, name, value):
        """Offers whose service area covers the unit: nationwide, its voivodeship, its powiat, or local to it."""
        voivodeship_code = value.code[:2]
        served = Q(service_area=Offer.ServiceArea.NATIONAL) | Q(
            service_area=Offer.ServiceArea.VOIVODESHIPS, area_voivodeships=voivodeship_code
        )
        if len(value.code) >= 4:
            powiat_code = value.code[:4]
            served |= Q(service_area=Offer.ServiceArea.POWIATS, area_powiats=powiat_code)
            served |= Q(service_area=Offer.ServiceArea.LOCAL, cooperative__powiat_id=powiat_code)
        else:
            served |= Q(
                service_area__in=[Offer.ServiceArea.LOCAL, Offer.ServiceArea.POWIATS],
                cooperative__voivodeship_id=voivodeship_code,
            )
        return queryset.filter(pk__in=Offer.objects.filter(served).values("pk"))

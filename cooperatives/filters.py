"""The catalogue's filters, shared by the HTML catalogue, the open-data exports and the REST API.

Query parameters are the same everywhere (shareable URLs): search, voivodeship, powiat, gmina (TERYT codes),
category (slug), target_group (code), founder_type, status, social_enterprise, certification, near and km, ordering;
for buyers, cpv (a CPV code or its first digits) and reserved=art94 (can take reserved contracts, art. 94 Pzp).
An unknown code or value is a validation error (a Polish message per parameter), never silently ignored.

Facets take several values (`?powiat=1261&powiat=1206`, or a comma list `?powiat=1261,1206`): the values of one facet
are alternatives (OR), different facets narrow each other (AND). The territorial facets are one choice of places:
a unit narrowed by chosen units inside it stands for those units only (`voivodeship=12&powiat=1206` is the powiat
krakowski, `voivodeship=12,14&powiat=1206` is the powiat krakowski and the whole of mazowieckie).

Struck-off cooperatives (status `deleted`) are left out unless a status is chosen (`status=deleted`, or every status
listed). `near` (a gmina's TERYT code or a town's name) with `km` keeps what lies within km kilometres of the place
(see cooperatives/geo.py).
"""

import django_filters
from django import forms
from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Collate
from django.utils.translation import gettext_lazy as _

from core.params import IntegerFilter, StrictIntegerField

from . import cpv, geo, reserved
from .models import Cooperative, Offer, OfferCategory, TargetGroup, TerritorialUnit
from .search import apply_search, is_postgresql

TERRITORY = ("voivodeship", "powiat", "gmina")
NEAR = ("near", "km")

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
    DISTANCE = "distance"
    CHOICES = [
        (RELEVANCE, _("trafność")),
        (NAME, _("nazwa (A–Ż)")),
        (NEWEST, _("najnowsze")),
        (DISTANCE, _("odległość (z „W pobliżu”)")),
    ]


def order_by_name(queryset, field: str):
    """Polish alphabetical order (ł after l, ś after s) on PostgreSQL via ICU; plain order on SQLite."""
    if is_postgresql():
        return queryset.order_by(Collate(field, POLISH_COLLATION), "pk")
    return queryset.order_by(field, "pk")


def category_with_children(category: OfferCategory) -> list[int]:
    return [category.pk, *category.children.values_list("pk", flat=True)]


# --- Several values per parameter: repeated (`?a=1&a=2`) or a comma list (`?a=1,2`) ---------------------------


def split_values(values) -> list[str]:
    """Every value of a repeated parameter, comma lists split, blanks dropped, repeats removed (order kept)."""
    if values in (None, ""):
        return []
    if isinstance(values, str):
        values = [values]
    parts = [part.strip() for value in values for part in str(value).split(",")]
    return list(dict.fromkeys(part for part in parts if part))


# More values than any facet has (380 powiats are the most a person would pick from) is an abuse; refused before
# the database sees a list of thousands of parameters (SQLite caps them).
MAX_VALUES = 100


def split_checked(value) -> list[str]:
    values = split_values(value)
    if len(values) > MAX_VALUES:
        raise forms.ValidationError(
            _("Podaj najwyżej %(limit)s wartości."), code="too_many", params={"limit": MAX_VALUES}
        )
    return values


class CommaMultipleChoiceField(forms.MultipleChoiceField):
    def to_python(self, value):
        return split_checked(value)


class CommaModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Values looked up in one query; the chosen objects come back in the order they were given."""

    def clean(self, value):
        values = split_checked(value)
        objects = super().clean(values)
        if not values:
            return []
        key = self.to_field_name or "pk"
        by_key = {str(getattr(obj, key)): obj for obj in objects}
        return [by_key[value] for value in values if value in by_key]


class MultipleValuesFilter(django_filters.MultipleChoiceFilter):
    """Choices, several at once (OR): one `IN` condition (or the FilterSet's `method`)."""

    field_class = CommaMultipleChoiceField

    def filter(self, qs, value):
        return qs.filter(**{f"{self.field_name}__in": value}) if value else qs


class ModelMultipleValuesFilter(django_filters.ModelMultipleChoiceFilter):
    """Objects by a key (a code, a slug), several at once; the FilterSet applies them through `method`."""

    field_class = CommaModelMultipleChoiceField


class TerritoryChoiceFilter(ModelMultipleValuesFilter):
    """TERYT codes of one level; an unknown code is refused with a clear message."""

    def __init__(self, *args, level: str, **kwargs):
        kwargs.setdefault("queryset", TerritorialUnit.objects.filter(level=level))
        kwargs.setdefault("to_field_name", "code")
        kwargs.setdefault(
            "error_messages",
            {
                "invalid_choice": _("Nieznany kod TERYT: %(value)s."),
                "invalid_list": _("Podaj listę kodów TERYT."),
            },
        )
        super().__init__(*args, **kwargs)


def territory_condition(units, prefix: str = "") -> Q | None:
    """The chosen places as one condition: a unit with chosen units inside it stands for those only."""
    codes = {unit.code for unit in units}
    kept = [code for code in codes if not any(other != code and other.startswith(code) for other in codes)]
    if not kept:
        return None
    condition = Q()
    for length, field in ((2, "voivodeship_id"), (4, "powiat_id"), (7, "gmina_id")):
        level = sorted(code for code in kept if len(code) == length)
        if level:
            condition |= Q(**{f"{prefix}{field}__in": level})
    return condition


def is_chosen(value) -> bool:
    return value not in (None, "", [], ())


# --- Near a place ----------------------------------------------------------------------------------------------


class KilometresField(StrictIntegerField):
    default_error_messages = {
        "invalid": _("Odległość podaj w pełnych kilometrach."),
        "min_value": _("Odległość musi wynosić co najmniej %(limit_value)s km."),
        "max_value": _("Odległość może wynosić co najwyżej %(limit_value)s km."),
    }

    def __init__(self, **kwargs):
        kwargs.pop("min_value", None), kwargs.pop("max_value", None)
        super().__init__(min_value=1, max_value=geo.MAX_KM, **kwargs)


class KilometresFilter(IntegerFilter):
    field_class = KilometresField


class CatalogueForm(forms.Form):
    """The catalogue's parameters that depend on each other: `near` is looked up once here, `km` and ordering by
    distance need it."""

    def clean_near(self):
        raw = self.cleaned_data.get("near") or ""
        return geo.resolve_place(raw) if raw else None

    def clean(self):
        cleaned = super().clean()
        place_missing = not cleaned.get("near") and "near" not in self.errors
        if cleaned.get("km") is not None and place_missing:
            self.add_error("km", _("Odległość działa razem z miejscem „W pobliżu”: podaj też miejsce."))
        if cleaned.get("ordering") == Ordering.DISTANCE and place_missing:
            self.add_error("ordering", _("Sortowanie według odległości wymaga miejsca „W pobliżu”."))
        return cleaned


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
    near = django_filters.CharFilter(
        label=_("W pobliżu"),
        method="filter_applied_later",
        max_length=100,
        help_text=_("Nazwa miejscowości albo gminy, albo kod TERYT gminy (7 cyfr)."),
    )
    km = KilometresFilter(
        label=_("Odległość (km)"),
        method="filter_applied_later",
    )
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

    def filter_applied_later(self, queryset, name, value):
        return queryset  # territory, near and distance: applied together in _apply

    def filter_territory(self, queryset, name, value):
        return queryset  # applied together in _apply (a unit narrowed by units inside it stands for those)

    def filter_ordering(self, queryset, name, value):
        return queryset  # applied last, in filter_queryset

    def category_ids(self, category: OfferCategory) -> list[int]:
        """The category and its children, looked up once per FilterSet (facet counts apply the filter many times)."""
        known = self.__dict__.setdefault("_category_ids", {})
        if category.pk not in known:
            known[category.pk] = category_with_children(category)
        return known[category.pk]

    def chosen(self) -> set[str]:
        """Names of the filters given a value (a valid FilterSet)."""
        return {name for name, value in self.form.cleaned_data.items() if is_chosen(value)}

    def queryset_without(self, queryset, *names):
        """`queryset` narrowed by every chosen filter except `names`, unordered, for facet counts. Uses the values
        this (valid) FilterSet already cleaned, so no TERYT code or slug is looked up again."""
        cleaned = {name: value for name, value in self.form.cleaned_data.items() if name not in names}
        return self._apply(queryset, cleaned, ordered=False).order_by()

    def filter_queryset(self, queryset):
        return self._apply(queryset, self.form.cleaned_data)

    def _apply(self, queryset, cleaned: dict, *, ordered: bool = True):
        for name, value in cleaned.items():
            if is_chosen(value):
                queryset = self.filters[name].filter(queryset, value)  # search and ordering: applied below
        queryset = self.apply_defaults(queryset, cleaned)
        units = [unit for name in TERRITORY for unit in cleaned.get(name) or ()]
        condition = territory_condition(units, self.coop)
        if condition is not None:
            queryset = queryset.filter(condition)
        place = cleaned.get("near")
        if place is not None:
            queryset = geo.within(queryset, place, cleaned.get("km") or geo.DEFAULT_KM, prefix=self.coop)
        query = cleaned.get("search") or ""
        queryset = apply_search(queryset, query, fallback_fields=self.search_fallback_fields)
        if not ordered:
            return queryset
        ordering = cleaned.get("ordering") or (
            Ordering.RELEVANCE if query else Ordering.DISTANCE if place is not None else Ordering.NAME
        )
        if ordering == Ordering.RELEVANCE and query:
            return queryset.order_by("-relevance", "pk")
        if ordering == Ordering.NEWEST:
            return queryset.order_by("-created_at", "-pk")
        if ordering == Ordering.DISTANCE and place is not None:
            return queryset.order_by("distance_km", "pk")
        return order_by_name(queryset, self.name_field)

    def apply_defaults(self, queryset, cleaned: dict):
        """What applies when a filter is not chosen (the cooperatives' status)."""
        return queryset

    def category_filter(self, queryset, field: str, categories):
        ids = [pk for category in categories for pk in self.category_ids(category)]
        return queryset.filter(**{f"{field}__in": ids})


class CooperativeFilterSet(CatalogueFilterSet):
    name_field = "name"
    search_fallback_fields = ("description",)

    category = ModelMultipleValuesFilter(
        label=_("Kategoria oferty"),
        queryset=OfferCategory.objects.all(),
        to_field_name="slug",
        method="filter_category",
    )
    target_group = ModelMultipleValuesFilter(
        label=_("Grupa docelowa"),
        queryset=TargetGroup.objects.all(),
        to_field_name="code",
        method="filter_target_group",
    )
    founder_type = MultipleValuesFilter(label=_("Założyciele"), choices=Cooperative.FounderType.choices)
    status = MultipleValuesFilter(
        label=_("Status"),
        choices=Cooperative.Status.choices,
        help_text=_("Bez wybranego statusu wykreślone z KRS są pominięte."),
    )
    # A choice, not a BooleanFilter: that one silently ignores values it cannot read ("abc").
    social_enterprise = django_filters.TypedChoiceFilter(
        label=_("Przedsiębiorstwo społeczne"),
        field_name="is_social_enterprise",
        choices=[("true", _("tak")), ("false", _("nie"))],
        coerce=lambda value: value == "true",
    )
    certification = MultipleValuesFilter(
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
        form = CatalogueForm

    def apply_defaults(self, queryset, cleaned: dict):
        if "status" in cleaned and not cleaned["status"]:
            return queryset.exclude(status=Cooperative.Status.DELETED)
        return queryset

    def filter_category(self, queryset, name, value):
        offers = self.category_filter(
            Offer.objects.filter(cooperative=OuterRef("pk"), is_active=True), "category", value
        )
        return queryset.filter(Exists(offers))

    def filter_target_group(self, queryset, name, value):
        links = Cooperative.target_groups.through.objects.filter(
            cooperative=OuterRef("pk"), targetgroup__in=[group.pk for group in value]
        )
        return queryset.filter(Exists(links))

    def filter_certification(self, queryset, name, value):
        condition = Q()
        if Certification.QUALITY_MARK in value:
            condition |= Q(has_quality_mark=True)
        if Certification.OZRSS in value:
            condition |= Q(is_ozrss_member=True)
        if Certification.ZAKUP_PROSPOLECZNY in value:
            offers = Offer.objects.filter(
                cooperative=OuterRef("pk"), is_active=True, zakup_prospoleczny_year__isnull=False
            )
            condition |= Q(Exists(offers))
        return queryset.filter(condition)


class OfferFilterSet(CatalogueFilterSet):
    coop = "cooperative__"
    name_field = "title"
    search_fallback_fields = ("description", "cooperative__search_text")

    category = ModelMultipleValuesFilter(
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
    service_area = MultipleValuesFilter(label=_("Zasięg"), choices=Offer.ServiceArea.choices)
    certification = MultipleValuesFilter(
        label=_("Certyfikaty"), choices=Certification.OFFER_CHOICES, method="filter_certification"
    )
    # Buyers (issue 13).
    cpv = CpvFilter()
    reserved = ReservedContractsFilter(prefix="cooperative__")

    class Meta:
        model = Offer
        fields = []
        form = CatalogueForm

    def filter_category(self, queryset, name, value):
        return self.category_filter(queryset, "category", value)

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

"""REST API v1 of the registry: read-only for everyone.

Cooperatives and offers take exactly the catalogue's query parameters (the same FilterSets), plus `page` and
`page_size`. Every unusable parameter is answered with a 400 naming it.
"""

import re

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.exceptions import NotFound

from core.api import ParameterValidatingFilterBackend

from .. import geo, selectors
from ..filters import Certification, CooperativeFilterSet, OfferFilterSet
from ..models import Cooperative, Offer
from .filters import OfferCategoryFilterSet, TerritorialUnitFilterSet
from .serializers import (
    CooperativeDetailSerializer,
    CooperativeSerializer,
    OfferCategorySerializer,
    OfferSerializer,
    TerritorialUnitSerializer,
)


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


VALIDATION_ERROR = OpenApiResponse(
    response={
        "type": "object",
        "additionalProperties": {"type": "array", "items": {"type": "string"}},
        "example": {"voivodeship": ["Nieznany kod TERYT: 99."], "page_size": ["Rozmiar strony musi być…"]},
    },
    description="Nieprawidłowe parametry zapytania: dla każdego błędnego parametru lista komunikatów.",
)
NOT_FOUND = OpenApiResponse(ErrorSerializer, description="Nie ma takiego obiektu albo takiej strony wyników.")
THROTTLED = OpenApiResponse(
    ErrorSerializer, description="Przekroczony limit zapytań; nagłówek Retry-After podaje, po ilu sekundach ponowić."
)
LIST_ERRORS = {400: VALIDATION_ERROR, 404: NOT_FOUND, 429: THROTTLED}
DETAIL_ERRORS = {404: NOT_FOUND, 429: THROTTLED}

SEVERAL = " Kilka wartości: parametr powtórzony (`?{name}=a&{name}=b`) albo lista po przecinku (`?{name}=a,b`)."


def several(name: str, item: dict, description: str) -> OpenApiParameter:
    """A catalogue parameter taking several values (any of them matches)."""
    return OpenApiParameter(
        name,
        {"type": "array", "items": item},
        description=description + SEVERAL.format(name=name),
        style="form",
        explode=True,
    )


# The catalogue's parameters whose choices drf-spectacular cannot read from a method-based filter.
CATALOGUE_PARAMETERS = [
    several("voivodeship", {"type": "string", "pattern": r"^\d{2}(,\d{2})*$"}, "Kody TERYT województw (2 cyfry)."),
    several(
        "powiat",
        {"type": "string", "pattern": r"^\d{4}(,\d{4})*$"},
        "Kody TERYT powiatów (4 cyfry). Województwo z wybranymi w nim powiatami oznacza tylko te powiaty.",
    ),
    several(
        "gmina",
        {"type": "string", "pattern": r"^\d{7}(,\d{7})*$"},
        "Kody TERYT gmin (7 cyfr). Powiat z wybranymi w nim gminami oznacza tylko te gminy.",
    ),
    several(
        "category",
        {"type": "string"},
        "Identyfikatory kategorii oferty (slug); branża obejmuje swoje podkategorie.",
    ),
    OpenApiParameter("search", str, description="Wyszukiwanie pełnotekstowe (odporne na brak polskich znaków)."),
    OpenApiParameter(
        "near",
        str,
        description="W pobliżu miejsca: kod TERYT gminy (7 cyfr) albo nazwa gminy lub miejscowości. Położenie "
        "spółdzielni to jej współrzędne, a bez nich punkt jej gminy; wyniki mają wtedy odległość i domyślnie są "
        "uporządkowane od najbliższych (ordering=distance).",
    ),
    OpenApiParameter(
        "km",
        {"type": "integer", "minimum": 1, "maximum": geo.MAX_KM},
        description=f"Promień dla `near` w km (domyślnie {geo.DEFAULT_KM}); tylko razem z `near`.",
    ),
]
COOPERATIVE_PARAMETERS = [
    several(
        "status",
        {"type": "string", "enum": Cooperative.Status.values},
        "Status w KRS: active, inactive, liquidation, deleted. Domyślnie (bez tego parametru) spółdzielnie "
        "wykreślone z KRS (deleted) są pominięte; wszystkie: status=active,inactive,liquidation,deleted.",
    ),
    several("founder_type", {"type": "string", "enum": Cooperative.FounderType.values}, "Typ założycieli."),
    several("target_group", {"type": "string"}, "Kody grup docelowych."),
    several(
        "certification",
        {"type": "string", "enum": [value for value, _label in Certification.COOPERATIVE_CHOICES]},
        "Certyfikaty i znaki.",
    ),
]


def catalogue_list_schema(serializer, description: str, extra_parameters=()):
    return extend_schema(
        description=description,
        parameters=[*CATALOGUE_PARAMETERS, *extra_parameters],
        responses={200: serializer, **LIST_ERRORS},
    )


class PublicReadOnlyViewSet(viewsets.ReadOnlyModelViewSet):
    """Lists are filtered and paginated; a detail is looked up by its identifier alone (query parameters of a
    list do not apply to it), and an identifier that cannot exist is a 404 before any query."""

    filter_backends = [ParameterValidatingFilterBackend]
    # Public data: no log-in, so every client is anonymous and rate-limited alike.
    authentication_classes = []
    lookup_pattern: re.Pattern

    def get_object(self):
        value = self.kwargs[self.lookup_field]
        if not self.lookup_pattern.fullmatch(value):
            raise NotFound
        try:
            obj = self.get_queryset().get(**{self.lookup_field: value})
        except self.get_queryset().model.DoesNotExist:
            raise NotFound from None
        self.check_object_permissions(self.request, obj)
        return obj


@extend_schema_view(
    list=catalogue_list_schema(
        CooperativeSerializer,
        "Spółdzielnie socjalne z rejestru, z filtrami katalogu. Domyślnie w kolejności alfabetycznej "
        "(przy wyszukiwaniu – według trafności, przy `near` – według odległości). Bez parametru `status` "
        "spółdzielnie wykreślone z KRS są pominięte. Filtry przyjmują kilka wartości (którakolwiek pasuje), "
        "różne filtry zawężają się nawzajem.",
        COOPERATIVE_PARAMETERS,
    ),
    retrieve=extend_schema(
        description="Spółdzielnia o podanym numerze KRS, z jej aktywnymi ofertami.",
        parameters=[
            OpenApiParameter(
                "krs_number", str, OpenApiParameter.PATH, description="Numer KRS (10 cyfr).", pattern=r"^\d{10}$"
            )
        ],
        responses={200: CooperativeDetailSerializer, **DETAIL_ERRORS},
    ),
)
class CooperativeViewSet(PublicReadOnlyViewSet):
    """Social cooperatives; detail by KRS number."""

    filterset_class = CooperativeFilterSet
    lookup_field = "krs_number"
    lookup_pattern = re.compile(r"\d{10}")

    def get_queryset(self):
        return selectors.cooperative_api_queryset()

    def get_serializer_class(self):
        return CooperativeDetailSerializer if self.action == "retrieve" else CooperativeSerializer


@extend_schema_view(
    list=catalogue_list_schema(
        OfferSerializer,
        "Aktywne oferty spółdzielni (bez ofert spółdzielni wykreślonych z KRS), z filtrami katalogu ofert. Filtry "
        "przyjmują kilka wartości (którakolwiek pasuje).",
        [
            OpenApiParameter("serves", str, description="Kod TERYT obszaru, który oferta obsługuje."),
            several("service_area", {"type": "string", "enum": Offer.ServiceArea.values}, "Zasięg oferty."),
            several(
                "certification",
                {"type": "string", "enum": [value for value, _label in Certification.OFFER_CHOICES]},
                "Certyfikaty.",
            ),
        ],
    ),
    retrieve=extend_schema(
        description="Oferta o podanym identyfikatorze.", responses={200: OfferSerializer, **DETAIL_ERRORS}
    ),
)
class OfferViewSet(PublicReadOnlyViewSet):
    serializer_class = OfferSerializer
    filterset_class = OfferFilterSet
    lookup_pattern = re.compile(r"\d{1,18}")

    def get_queryset(self):
        return selectors.offer_api_queryset()


@extend_schema_view(
    list=extend_schema(
        description="Dwupoziomowa klasyfikacja ofert: branże (poziom 1) i rodzaje usług lub produktów (poziom 2).",
        responses={200: OfferCategorySerializer, **LIST_ERRORS},
    ),
    retrieve=extend_schema(
        description="Kategoria o podanym identyfikatorze.",
        parameters=[OpenApiParameter("slug", str, OpenApiParameter.PATH, description="Identyfikator kategorii.")],
        responses={200: OfferCategorySerializer, **DETAIL_ERRORS},
    ),
)
class OfferCategoryViewSet(PublicReadOnlyViewSet):
    serializer_class = OfferCategorySerializer
    filterset_class = OfferCategoryFilterSet
    lookup_field = "slug"
    lookup_pattern = re.compile(r"[-a-zA-Z0-9_]{1,80}")

    def get_queryset(self):
        return selectors.offer_category_queryset()


@extend_schema_view(
    list=extend_schema(
        description="Województwa, powiaty i gminy z rejestru TERC GUS.",
        parameters=[OpenApiParameter("parent", str, description="Kod TERYT województwa lub powiatu.")],
        responses={200: TerritorialUnitSerializer, **LIST_ERRORS},
    ),
    retrieve=extend_schema(
        description="Jednostka o podanym kodzie TERYT.",
        parameters=[
            OpenApiParameter(
                "code",
                str,
                OpenApiParameter.PATH,
                description="Kod TERYT: 2 cyfry (województwo), 4 (powiat) albo 7 (gmina).",
                pattern=r"^(\d{2}|\d{4}|\d{7})$",
            )
        ],
        responses={200: TerritorialUnitSerializer, **DETAIL_ERRORS},
    ),
)
class TerritorialUnitViewSet(PublicReadOnlyViewSet):
    serializer_class = TerritorialUnitSerializer
    filterset_class = TerritorialUnitFilterSet
    lookup_field = "code"
    lookup_pattern = re.compile(r"\d{2}|\d{4}|\d{7}")

    def get_queryset(self):
        return selectors.territorial_unit_queryset()


def register(router) -> None:
    """Register this app's viewsets on the project's API router."""
    router.register("cooperatives", CooperativeViewSet, basename="cooperative")
    router.register("offers", OfferViewSet, basename="offer")
    router.register("categories", OfferCategoryViewSet, basename="offercategory")
    router.register("territorial-units", TerritorialUnitViewSet, basename="territorialunit")

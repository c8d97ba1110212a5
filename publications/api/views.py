"""REST API v1 of the library: read-only, published items only."""

from rest_framework import viewsets

from .. import selectors
from ..filters import PublicationFilterSet
from .filters import AuthorFilterSet, SeriesFilterSet
from .serializers import AuthorSerializer, PublicationSerializer, SeriesSerializer


class PublicationViewSet(viewsets.ReadOnlyModelViewSet):
    """Published items of the library with authors (in order), series, topics and editions."""

    serializer_class = PublicationSerializer
    filterset_class = PublicationFilterSet
    lookup_field = "slug"

    def get_queryset(self):
        return selectors.publication_public_queryset()


class SeriesViewSet(viewsets.ReadOnlyModelViewSet):
    """Series holding at least one published item."""

    serializer_class = SeriesSerializer
    filterset_class = SeriesFilterSet
    lookup_field = "slug"

    def get_queryset(self):
        return selectors.series_public_list()


class AuthorViewSet(viewsets.ReadOnlyModelViewSet):
    """Authors and editors of at least one published item."""

    serializer_class = AuthorSerializer
    filterset_class = AuthorFilterSet

    def get_queryset(self):
        return selectors.author_public_list()


def register(router) -> None:
    """Register this app's viewsets on the project's API router."""
    router.register("publications", PublicationViewSet, basename="publication")
    router.register("series", SeriesViewSet, basename="series")
    router.register("authors", AuthorViewSet, basename="author")

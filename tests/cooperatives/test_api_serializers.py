"""The API's direct renderings (cooperatives/api/serializers.py) equal DRF's generic rendering of the declared fields,
which is what the OpenAPI schema describes: field for field, on every kind of row and request."""

import datetime
from contextlib import ExitStack
from unittest import mock

import pytest
from django.utils import timezone, translation
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from cooperatives import selectors
from cooperatives.api import serializers as api_serializers
from cooperatives.models import Cooperative, Offer

from .sample_registry import build_sample_registry

pytestmark = pytest.mark.django_db

FAST_CLASSES = (
    api_serializers.CooperativeRefSerializer,
    api_serializers.CooperativeSerializer,
    api_serializers.CooperativeDetailSerializer,
    api_serializers.OfferRefSerializer,
    api_serializers.OfferSerializer,
)


def generic_rendering():
    """Every direct to_representation replaced by DRF's generic one (nested serializers included)."""
    stack = ExitStack()
    for cls in FAST_CLASSES:
        stack.enter_context(mock.patch.object(cls, "to_representation", serializers.Serializer.to_representation))
    return stack


def both(serializer_class, instances, request):
    context = {"request": request, "format": None}
    fast = serializer_class(instances, many=True, context=context).data
    with generic_rendering():
        generic = serializer_class(instances, many=True, context=context).data
    return fast, generic


@pytest.fixture
def registry():
    registry = build_sample_registry()
    Cooperative.objects.filter(pk=registry.lodz.pk).update(
        verified_at=timezone.make_aware(datetime.datetime(2026, 1, 2, 3, 4, 5)),
        status_date=datetime.date(2024, 1, 1),
        last_audit_date=datetime.date(2025, 6, 30),
    )
    registry.cleaning.area_powiats.set(["1465"])
    Offer.objects.filter(pk=registry.cleaning.pk).update(service_area=Offer.ServiceArea.POWIATS)
    return registry


@pytest.mark.parametrize("query", ["", "?format=json"])
@pytest.mark.parametrize("language", ["pl", "en"])
def test_direct_rendering_equals_the_generic_one(registry, query, language):
    request = Request(APIRequestFactory().get(f"/api/v1/cooperatives/{query}"))
    cooperatives = list(selectors.cooperative_api_queryset())
    offers = list(selectors.offer_api_queryset())
    assert len(cooperatives) == 3 and len(offers) == 3
    with translation.override(language):
        for serializer_class, instances in (
            (api_serializers.CooperativeSerializer, cooperatives),
            (api_serializers.CooperativeDetailSerializer, cooperatives),
            (api_serializers.CooperativeRefSerializer, cooperatives),
            (api_serializers.OfferSerializer, offers),
            (api_serializers.OfferRefSerializer, offers),
        ):
            fast, generic = both(serializer_class, instances, request)
            assert fast == generic, serializer_class.__name__
            # Same keys in the same order: the JSON is byte for byte what the generic path would send.
            assert [list(row) for row in fast] == [list(row) for row in generic]


def test_links_are_reversed_per_request_not_per_row(registry):
    request = Request(APIRequestFactory().get("/api/v1/cooperatives/"))
    cooperatives = list(selectors.cooperative_api_queryset())
    with mock.patch.object(api_serializers, "api_reverse", wraps=api_serializers.api_reverse) as api_reverse:
        data = api_serializers.CooperativeDetailSerializer(cooperatives, many=True, context={"request": request}).data
    # cooperative-detail and offer-detail, once each, whatever the number of rows
    assert api_reverse.call_count == 2
    assert data[0]["offers"][0]["url"].startswith("http://testserver/api/v1/offers/")


def test_link_template_needs_the_placeholder():
    with pytest.raises(ValueError):
        api_serializers.LinkTemplate("http://testserver/api/v1/offers/1/")
    link = api_serializers.LinkTemplate(f"http://testserver/api/v1/offers/{api_serializers.LINK_PLACEHOLDER}/?a=b")
    assert link(42) == "http://testserver/api/v1/offers/42/?a=b"

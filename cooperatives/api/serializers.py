"""What the public API shows: only public fields. Contacts appear only with the cooperative's consent to publish
them; nothing about users (representatives, editors) ever does.

The declared fields are the contract (drf-spectacular builds the OpenAPI schema from them, and DRF's generic
`to_representation` renders them). The cooperative and offer serializers, which render every row of the large
lists, answer through a direct `to_representation` instead: DRF's generic path rebuilt nested serializers per row and
called reverse() twice per row, several times the cost of the SQL. tests/cooperatives/test_api_serializers.py keeps
the two paths equal, field for field, on every kind of row.
"""

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.reverse import reverse as api_reverse

from core import site

from ..models import (
    Cooperative,
    CooperativeActivity,
    FounderKind,
    Offer,
    OfferCategory,
    TargetGroup,
    TerritorialUnit,
)


def absolute_page_url(request, view_name: str, **kwargs) -> str:
    """The absolute URL of an HTML page, always in the default language, so links stay stable across clients."""
    with translation.override(settings.LANGUAGE_CODE):
        path = reverse(view_name, kwargs=kwargs)
    return site.absolute_url(path)


# A value valid in every lookup these links use (a KRS number, an offer id): the URL is reversed once per request
# with it and each row's value is put in its place. Both kinds of value are digits, so they need no escaping.
LINK_PLACEHOLDER = "9999999999"
# DRF's own formatting of datetimes (current time zone, ISO 8601, "Z" for UTC), used outside a serializer.
DATETIME = serializers.DateTimeField()


class LinkTemplate:
    """An absolute URL reversed once, with LINK_PLACEHOLDER where the row's identifier goes."""

    def __init__(self, url: str):
        self.prefix, found, self.suffix = url.rpartition(LINK_PLACEHOLDER)
        if not found:
            raise ValueError(f"{url!r} does not contain the placeholder")

    def __call__(self, value) -> str:
        return f"{self.prefix}{value}{self.suffix}"


# Helpers for the direct `to_representation` of the hot serializers: links reversed once per request. (No docstring:
# drf-spectacular would take it as the description of every serializer without one of its own.)
class FastRepresentationMixin:
    def link(self, name: str) -> LinkTemplate:
        """The LinkTemplate of `name` for this request: an API route (`cooperative-detail`, `offer-detail`, as
        HyperlinkedIdentityField builds it) or a page (`cooperatives:...`, as absolute_page_url builds it)."""
        root = self.root
        links = root.__dict__.setdefault("_link_templates", {})
        if name not in links:
            request = self.context.get("request")
            if ":" in name:
                kwarg = "krs" if name == "cooperatives:detail" else "pk"
                url = absolute_page_url(request, name, **{kwarg: LINK_PLACEHOLDER})
            else:
                kwarg = "krs_number" if name == "cooperative-detail" else "pk"
                url = api_reverse(
                    name, kwargs={kwarg: LINK_PLACEHOLDER}, request=request, format=self.context.get("format")
                )
            links[name] = LinkTemplate(url)
        return links[name]


def _prefetched(obj, relation: str):
    """The related objects prefetched into `public_<relation>` by the API's queryset, else the relation itself."""
    values = getattr(obj, f"public_{relation}", None)
    return getattr(obj, relation).all() if values is None else values


def _date(value) -> str | None:
    return value.isoformat() if value else None


def _datetime(value) -> str | None:
    return DATETIME.to_representation(value) if value else None


def _int(value) -> int | None:
    return None if value is None else int(value)


def _unit(unit) -> dict | None:
    return None if unit is None else {"code": unit.code, "name": unit.name}


def _category(category) -> dict:
    parent = category.parent if category.parent_id else None
    return {
        "slug": category.slug,
        "name": category.name,
        "parent": None if parent is None else {"slug": parent.slug, "name": parent.name},
    }


def _cooperative_ref(serializer: FastRepresentationMixin, obj) -> dict:
    return {
        "url": serializer.link("cooperative-detail")(obj.krs_number),
        "profile_url": serializer.link("cooperatives:detail")(obj.krs_number),
        "krs_number": obj.krs_number,
        "name": obj.name,
        "town": obj.town,
        "voivodeship": _unit(obj.voivodeship),
    }


def _offer_ref(serializer: FastRepresentationMixin, obj) -> dict:
    return {
        "url": serializer.link("offer-detail")(obj.pk),
        "page_url": serializer.link("cooperatives:offer-detail")(obj.pk),
        "id": obj.pk,
        "title": obj.title,
        "category": _category(obj.category),
    }


class UnitRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = TerritorialUnit
        fields = ["code", "name"]


class UnitWithLevelSerializer(serializers.ModelSerializer):
    class Meta:
        model = TerritorialUnit
        fields = ["code", "name", "level"]


class TerritorialUnitSerializer(serializers.HyperlinkedModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="territorialunit-detail", lookup_field="code")
    parent = UnitRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = TerritorialUnit
        fields = ["url", "code", "name", "level", "gmina_kind", "kind_name", "parent", "valid_on"]


class CategoryRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = OfferCategory
        fields = ["slug", "name"]


class CategoryWithParentSerializer(serializers.ModelSerializer):
    parent = CategoryRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = OfferCategory
        fields = ["slug", "name", "parent"]


class OfferCategorySerializer(serializers.HyperlinkedModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="offercategory-detail", lookup_field="slug")
    level = serializers.SerializerMethodField(help_text="1 – branża, 2 – rodzaj usługi lub produktu w branży.")
    parent = CategoryRefSerializer(read_only=True, allow_null=True)
    children = CategoryRefSerializer(many=True, read_only=True)

    class Meta:
        model = OfferCategory
        fields = ["url", "slug", "name", "level", "parent", "children"]

    def get_level(self, obj) -> int:
        return 2 if obj.parent_id else 1


class TargetGroupSerializer(serializers.ModelSerializer):
    class Meta:
        model = TargetGroup
        fields = ["code", "name", "legal_basis"]


class FounderKindSerializer(serializers.ModelSerializer):
    class Meta:
        model = FounderKind
        fields = ["code", "name", "legal_basis", "is_legal_person"]


class ActivitySerializer(serializers.ModelSerializer):
    class Meta:
        model = CooperativeActivity
        fields = ["code", "version", "is_main"]


class SocialEnterpriseSerializer(serializers.ModelSerializer):
    """The social-enterprise (PS) status granted by a wojewoda's decision."""

    decision_number = serializers.CharField(source="ps_decision_number")
    decision_date = serializers.DateField(source="ps_decision_date", allow_null=True)
    voivode = UnitRefSerializer(source="ps_voivode", read_only=True, allow_null=True)
    aim = serializers.ChoiceField(source="ps_aim", choices=Cooperative.SocialEnterpriseAim.choices, allow_blank=True)

    class Meta:
        model = Cooperative
        fields = ["is_social_enterprise", "decision_number", "decision_date", "voivode", "aim"]


class AddressSerializer(serializers.ModelSerializer):
    gmina = UnitRefSerializer(read_only=True)
    powiat = UnitRefSerializer(read_only=True)
    voivodeship = UnitRefSerializer(read_only=True)

    class Meta:
        model = Cooperative
        fields = ["street", "postal_code", "town", "gmina", "powiat", "voivodeship"]


class LocationSerializer(serializers.ModelSerializer):
    latitude = serializers.FloatField()
    longitude = serializers.FloatField()

    class Meta:
        model = Cooperative
        fields = ["latitude", "longitude", "location_precision"]


class ContactSerializer(serializers.ModelSerializer):
    """Each contact is shown only if the cooperative agreed to publish it; otherwise it is null."""

    email = serializers.SerializerMethodField()
    phone = serializers.SerializerMethodField()
    website = serializers.SerializerMethodField()

    class Meta:
        model = Cooperative
        fields = ["email", "phone", "website"]

    def get_email(self, obj) -> str | None:
        return obj.public_email or None

    def get_phone(self, obj) -> str | None:
        return obj.public_phone or None

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_website(self, obj) -> str | None:
        return obj.public_website or None


class CertificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Cooperative
        fields = ["has_quality_mark", "is_ozrss_member", "last_audit_date"]


class CooperativeRefSerializer(FastRepresentationMixin, serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="cooperative-detail", lookup_field="krs_number")
    profile_url = serializers.SerializerMethodField()
    voivodeship = UnitRefSerializer(read_only=True)

    class Meta:
        model = Cooperative
        fields = ["url", "profile_url", "krs_number", "name", "town", "voivodeship"]

    @extend_schema_field(OpenApiTypes.URI)
    def get_profile_url(self, obj) -> str:
        return absolute_page_url(self.context.get("request"), "cooperatives:detail", krs=obj.krs_number)

    def to_representation(self, instance):
        return _cooperative_ref(self, instance)


class CooperativeSerializer(CooperativeRefSerializer):
    """A cooperative's public data. Expects the prefetches of selectors.cooperative_api_queryset()."""

    founder_kinds = FounderKindSerializer(many=True, read_only=True)
    social_enterprise = SocialEnterpriseSerializer(source="*", read_only=True)
    address = AddressSerializer(source="*", read_only=True)
    location = serializers.SerializerMethodField()
    contact = ContactSerializer(source="*", read_only=True)
    activities = ActivitySerializer(many=True, read_only=True)
    target_groups = TargetGroupSerializer(many=True, read_only=True)
    certification = CertificationSerializer(source="*", read_only=True)
    categories = serializers.SerializerMethodField()

    class Meta:
        model = Cooperative
        fields = [
            "url",
            "profile_url",
            "krs_number",
            "name",
            "short_name",
            "nip",
            "regon",
            "status",
            "status_date",
            "krs_registration_date",
            "founder_type",
            "founder_kinds",
            "social_enterprise",
            "address",
            "location",
            "contact",
            "description",
            "activities",
            "target_groups",
            "categories",
            "members_count",
            "employees_count",
            "employees_at_risk_count",
            "counts_as_of",
            "certification",
            "verified_at",
            "created_at",
            "updated_at",
        ]

    @extend_schema_field(LocationSerializer(allow_null=True))
    def get_location(self, obj):
        if obj.latitude is None or obj.longitude is None:
            return None
        return LocationSerializer(obj).data

    @extend_schema_field(CategoryWithParentSerializer(many=True))
    def get_categories(self, obj):
        """Categories of the cooperative's active offers, each once, in the order of its offers."""
        categories = {offer.category_id: offer.category for offer in obj.public_offers}
        return CategoryWithParentSerializer(categories.values(), many=True).data

    def to_representation(self, instance):
        obj = instance
        has_location = obj.latitude is not None and obj.longitude is not None
        categories = {offer.category_id: offer.category for offer in obj.public_offers}
        return {
            "url": self.link("cooperative-detail")(obj.krs_number),
            "profile_url": self.link("cooperatives:detail")(obj.krs_number),
            "krs_number": obj.krs_number,
            "name": obj.name,
            "short_name": obj.short_name,
            "nip": obj.nip,
            "regon": obj.regon,
            "status": obj.status,
            "status_date": _date(obj.status_date),
            "krs_registration_date": _date(obj.krs_registration_date),
            "founder_type": obj.founder_type,
            "founder_kinds": [
                {
                    "code": kind.code,
                    "name": kind.name,
                    "legal_basis": kind.legal_basis,
                    "is_legal_person": bool(kind.is_legal_person),
                }
                for kind in _prefetched(obj, "founder_kinds")
            ],
            "social_enterprise": {
                "is_social_enterprise": bool(obj.is_social_enterprise),
                "decision_number": obj.ps_decision_number,
                "decision_date": _date(obj.ps_decision_date),
                "voivode": _unit(obj.ps_voivode),
                "aim": obj.ps_aim,
            },
            "address": {
                "street": obj.street,
                "postal_code": obj.postal_code,
                "town": obj.town,
                "gmina": _unit(obj.gmina),
                "powiat": _unit(obj.powiat),
                "voivodeship": _unit(obj.voivodeship),
            },
            "location": {
                "latitude": float(obj.latitude),
                "longitude": float(obj.longitude),
                "location_precision": obj.location_precision,
            }
            if has_location
            else None,
            "contact": {
                "email": obj.public_email or None,
                "phone": obj.public_phone or None,
                "website": obj.public_website or None,
            },
            "description": obj.description,
            "activities": [
                {"code": activity.code, "version": activity.version, "is_main": bool(activity.is_main)}
                for activity in _prefetched(obj, "activities")
            ],
            "target_groups": [
                {"code": group.code, "name": group.name, "legal_basis": group.legal_basis}
                for group in _prefetched(obj, "target_groups")
            ],
            "categories": [_category(category) for category in categories.values()],
            "members_count": _int(obj.members_count),
            "employees_count": _int(obj.employees_count),
            "employees_at_risk_count": _int(obj.employees_at_risk_count),
            "counts_as_of": _date(obj.counts_as_of),
            "certification": {
                "has_quality_mark": bool(obj.has_quality_mark),
                "is_ozrss_member": bool(obj.is_ozrss_member),
                "last_audit_date": _date(obj.last_audit_date),
            },
            "verified_at": _datetime(obj.verified_at),
            "created_at": _datetime(obj.created_at),
            "updated_at": _datetime(obj.updated_at),
        }


class OfferRefSerializer(FastRepresentationMixin, serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="offer-detail")
    page_url = serializers.SerializerMethodField()
    category = CategoryWithParentSerializer(read_only=True)

    class Meta:
        model = Offer
        fields = ["url", "page_url", "id", "title", "category"]

    @extend_schema_field(OpenApiTypes.URI)
    def get_page_url(self, obj) -> str:
        return absolute_page_url(self.context.get("request"), "cooperatives:offer-detail", pk=obj.pk)

    def to_representation(self, instance):
        return _offer_ref(self, instance)


class CooperativeDetailSerializer(CooperativeSerializer):
    offers = OfferRefSerializer(source="public_offers", many=True, read_only=True)

    class Meta(CooperativeSerializer.Meta):
        fields = [*CooperativeSerializer.Meta.fields, "offers"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["offers"] = [_offer_ref(self, offer) for offer in instance.public_offers]
        return data


class OfferSerializer(OfferRefSerializer):
    """A public offer. Expects the joins and prefetches of selectors.offer_api_queryset()."""

    cooperative = CooperativeRefSerializer(read_only=True)
    service_area_units = serializers.SerializerMethodField()

    class Meta:
        model = Offer
        fields = [
            "url",
            "page_url",
            "id",
            "title",
            "description",
            "category",
            "service_area",
            "service_area_units",
            "price_note",
            "cpv_code",
            "zakup_prospoleczny_year",
            "cooperative",
            "created_at",
            "updated_at",
        ]

    @extend_schema_field(UnitWithLevelSerializer(many=True))
    def get_service_area_units(self, obj):
        """The chosen voivodeships or powiats, when the service area is a choice of them."""
        if obj.service_area == Offer.ServiceArea.VOIVODESHIPS:
            units = obj.area_voivodeships.all()
        elif obj.service_area == Offer.ServiceArea.POWIATS:
            units = obj.area_powiats.all()
        else:
            units = []
        return UnitWithLevelSerializer(units, many=True).data

    def to_representation(self, instance):
        obj = instance
        if obj.service_area == Offer.ServiceArea.VOIVODESHIPS:
            units = obj.area_voivodeships.all()
        elif obj.service_area == Offer.ServiceArea.POWIATS:
            units = obj.area_powiats.all()
        else:
            units = []
        return {
            "url": self.link("offer-detail")(obj.pk),
            "page_url": self.link("cooperatives:offer-detail")(obj.pk),
            "id": obj.pk,
            "title": obj.title,
            "description": obj.description,
            "category": _category(obj.category),
            "service_area": obj.service_area,
            "service_area_units": [{"code": u.code, "name": u.name, "level": u.level} for u in units],
            "price_note": obj.price_note,
            "cpv_code": obj.cpv_code,
            "zakup_prospoleczny_year": _int(obj.zakup_prospoleczny_year),
            "cooperative": _cooperative_ref(self, obj.cooperative),
            "created_at": _datetime(obj.created_at),
            "updated_at": _datetime(obj.updated_at),
        }

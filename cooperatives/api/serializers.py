"""What the public API shows: only public fields. Contacts appear only with the cooperative's consent to publish
them; nothing about users (representatives, editors) ever does."""

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

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
    return request.build_absolute_uri(path) if request is not None else path


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


class CooperativeRefSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="cooperative-detail", lookup_field="krs_number")
    profile_url = serializers.SerializerMethodField()
    voivodeship = UnitRefSerializer(read_only=True)

    class Meta:
        model = Cooperative
        fields = ["url", "profile_url", "krs_number", "name", "town", "voivodeship"]

    @extend_schema_field(OpenApiTypes.URI)
    def get_profile_url(self, obj) -> str:
        return absolute_page_url(self.context.get("request"), "cooperatives:detail", krs=obj.krs_number)


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


class OfferRefSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="offer-detail")
    page_url = serializers.SerializerMethodField()
    category = CategoryWithParentSerializer(read_only=True)

    class Meta:
        model = Offer
        fields = ["url", "page_url", "id", "title", "category"]

    @extend_schema_field(OpenApiTypes.URI)
    def get_page_url(self, obj) -> str:
        return absolute_page_url(self.context.get("request"), "cooperatives:offer-detail", pk=obj.pk)


class CooperativeDetailSerializer(CooperativeSerializer):
    offers = OfferRefSerializer(source="public_offers", many=True, read_only=True)

    class Meta(CooperativeSerializer.Meta):
        fields = [*CooperativeSerializer.Meta.fields, "offers"]


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

"""Write API for representatives: their own cooperatives' profiles and offers (session or token authentication).

The same predicates and services as the pages. Optimistic concurrency (core.concurrency, as everywhere): every
response carries `ETag: "<version>"`; a write must send `If-Match` (412 when stale) or the `version` field (409
when stale); without either it gets 428.
A cooperative the user does not represent is simply not in their querysets (404).
"""

from decimal import Decimal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from accounts.models import ApiToken
from accounts.roles import is_ministry_staff
from core import site
from core.concurrency import STALE_EDIT_RESPONSES, StaleVersionError, expected_version, stale_response, with_etag
from core.inputs import TEXTAREA_STYLE

from .. import reserved, services
from ..models import (
    LATITUDE_RANGE,
    LONGITUDE_RANGE,
    ChangeRequest,
    Cooperative,
    Offer,
    OfferCategory,
    TargetGroup,
    TerritorialUnit,
)
from ..permissions import CanEditCooperative, can_edit_cooperative


def _coordinate(bounds: tuple[float, float]) -> serializers.DecimalField:
    # Decimal bounds: the model's float validators would make DRF warn and compare floats with decimals.
    low, high = (Decimal(str(bound)) for bound in bounds)
    return serializers.DecimalField(
        max_digits=8, decimal_places=6, allow_null=True, required=False, min_value=low, max_value=high
    )


class ManagedCooperativeSerializer(serializers.ModelSerializer):
    gmina = serializers.PrimaryKeyRelatedField(queryset=TerritorialUnit.objects.gminas())
    latitude = _coordinate(LATITUDE_RANGE)
    longitude = _coordinate(LONGITUDE_RANGE)
    target_groups = serializers.SlugRelatedField(
        slug_field="code", many=True, queryset=TargetGroup.objects.all(), required=False
    )

    class Meta:
        model = Cooperative
        fields = [
            "krs_number",
            "name",
            "version",
            *services.PROFILE_FIELDS,
            "target_groups",
            "verified_at",
        ]
        read_only_fields = ["krs_number", "name", "version", "verified_at"]

    def validate(self, attrs):
        """The art. 94 declaration holds together (cooperatives/reserved.py), with the stored values for the
        fields a partial update leaves out."""
        attrs = super().validate(attrs)

        def value(field):
            return attrs[field] if field in attrs else getattr(self.instance, field, None)

        errors = reserved.declaration_errors(
            employees=value("employees_count"), at_risk=value("employees_at_risk_count"), as_of=value("counts_as_of")
        )
        if errors:
            raise serializers.ValidationError({field: [message] for field, message in errors.items()})
        return attrs


class ChangeRequestSerializer(serializers.ModelSerializer):
    justification = serializers.CharField(
        required=False, allow_blank=True, max_length=2000, write_only=True, style=TEXTAREA_STYLE
    )

    class Meta:
        model = Cooperative
        fields = [*ChangeRequest.IDENTITY_FIELDS, "justification"]
        # Uniqueness is checked when a moderator applies the change.
        extra_kwargs = {"krs_number": {"validators": []}, "nip": {"validators": []}}


class ManagedCooperativeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The cooperatives the user represents (all of them for ministry staff)."""

    serializer_class = ManagedCooperativeSerializer
    permission_classes = [IsAuthenticated, CanEditCooperative]
    token_scope = ApiToken.Scope.REGISTRY
    lookup_field = "krs_number"
    lookup_value_regex = r"\d{10}"

    def get_queryset(self):
        queryset = Cooperative.objects.prefetch_related("target_groups").order_by("name")
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return queryset.none()
        if is_ministry_staff(self.request.user):
            return queryset
        return queryset.filter(memberships__user=self.request.user)

    def retrieve(self, request, *args, **kwargs):
        cooperative = self.get_object()
        return with_etag(Response(self.get_serializer(cooperative).data), cooperative.version)

    @extend_schema(responses={200: ManagedCooperativeSerializer, **STALE_EDIT_RESPONSES})
    def partial_update(self, request, *args, **kwargs):
        """Profile fields publish at once; identity fields go through `change-request`."""
        cooperative = self.get_object()
        version, stale_status = expected_version(request)
        serializer = self.get_serializer(cooperative, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        target_groups = data.pop("target_groups", None)
        try:
            cooperative = services.cooperative_update_profile(
                cooperative=cooperative,
                user=request.user,
                expected_version=version,
                data=data,
                target_groups=target_groups,
            )
        except StaleVersionError as error:
            return stale_response(error, stale_status)
        return with_etag(Response(self.get_serializer(cooperative).data), cooperative.version)

    @action(detail=True, methods=["post"], url_path="change-request")
    def change_request(self, request, krs_number=None, **kwargs):  # kwargs: the router's format suffix
        """Identity fields (name, KRS, NIP, REGON, founder type, status, PS status) wait for a moderator."""
        cooperative = self.get_object()
        serializer = ChangeRequestSerializer(cooperative, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        proposed = dict(serializer.validated_data)
        justification = proposed.pop("justification", "")
        try:
            change = services.change_request_create(
                cooperative=cooperative,
                user=request.user,
                proposed=proposed,
                justification=justification,
                build_url=site.absolute_url,
            )
        except DjangoValidationError as error:
            raise serializers.ValidationError({"detail": error.messages}) from None
        return Response({"id": change.pk, "status": change.status, "proposed": change.proposed}, status=201)


class ManagedOfferSerializer(serializers.ModelSerializer):
    cooperative = serializers.SlugRelatedField(slug_field="krs_number", queryset=Cooperative.objects.all())
    category = serializers.SlugRelatedField(
        slug_field="slug", queryset=OfferCategory.objects.filter(parent__isnull=False)
    )
    area_powiats = serializers.PrimaryKeyRelatedField(
        many=True, required=False, queryset=TerritorialUnit.objects.powiats()
    )
    area_voivodeships = serializers.PrimaryKeyRelatedField(
        many=True, required=False, queryset=TerritorialUnit.objects.voivodeships()
    )

    class Meta:
        model = Offer
        fields = [
            "id",
            "cooperative",
            "title",
            "category",
            "description",
            "service_area",
            "area_powiats",
            "area_voivodeships",
            "price_note",
            "cpv_code",
            "zakup_prospoleczny_year",
            "is_active",
            "version",
        ]
        read_only_fields = ["id", "version"]

    def validate_cooperative(self, cooperative):
        if self.instance is not None and cooperative != self.instance.cooperative:
            raise serializers.ValidationError(_("Oferty nie można przenieść do innej spółdzielni."))
        if not can_edit_cooperative(self.context["request"].user, cooperative):
            raise PermissionDenied(_("Nie reprezentujesz tej spółdzielni."))
        return cooperative


@extend_schema_view(
    update=extend_schema(responses={200: ManagedOfferSerializer, **STALE_EDIT_RESPONSES}),
    partial_update=extend_schema(responses={200: ManagedOfferSerializer, **STALE_EDIT_RESPONSES}),
)
class ManagedOfferViewSet(viewsets.ModelViewSet):
    """Offers of the cooperatives the user represents: add, edit, deactivate (is_active=false), delete."""

    serializer_class = ManagedOfferSerializer
    permission_classes = [IsAuthenticated, CanEditCooperative]
    token_scope = ApiToken.Scope.REGISTRY

    def get_queryset(self):
        queryset = (
            Offer.objects.select_related("cooperative", "category")
            .prefetch_related("area_powiats", "area_voivodeships")
            .order_by("cooperative__name", "title")
        )
        if getattr(self, "swagger_fake_view", False):
            return queryset.none()
        if is_ministry_staff(self.request.user):
            return queryset
        return queryset.filter(cooperative__memberships__user=self.request.user)

    def retrieve(self, request, *args, **kwargs):
        offer = self.get_object()
        return with_etag(Response(self.get_serializer(offer).data), offer.version)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        cooperative = data.pop("cooperative")
        try:
            serializer.instance = services.offer_create(cooperative=cooperative, user=self.request.user, data=data)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.message_dict) from None

    def update(self, request, *args, **kwargs):
        offer = self.get_object()
        version, stale_status = expected_version(request)
        serializer = self.get_serializer(offer, data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        data = {k: v for k, v in serializer.validated_data.items() if k != "cooperative"}
        try:
            offer = services.offer_update(offer=offer, user=request.user, expected_version=version, data=data)
        except StaleVersionError as error:
            return stale_response(error, stale_status)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.message_dict) from None
        return with_etag(Response(self.get_serializer(offer).data), offer.version)

    def destroy(self, request, *args, **kwargs):
        offer = self.get_object()
        services.offer_delete(offer=offer, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


def register(router) -> None:
    router.register("manage/cooperatives", ManagedCooperativeViewSet, basename="manage-cooperative")
    router.register("manage/offers", ManagedOfferViewSet, basename="manage-offer")

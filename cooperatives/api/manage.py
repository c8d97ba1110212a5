"""Write API for representatives: their own cooperatives' profiles and offers (session or token authentication).

The same predicates and services as the pages. Optimistic concurrency: every response carries `ETag: "<version>"`;
a write must send `If-Match` (412 when stale) or the `version` field (409 when stale); without either it gets 428.
A cooperative the user does not represent is simply not in their querysets (404).
"""

from decimal import Decimal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from accounts.roles import is_ministry_staff
from core.inputs import TEXTAREA_STYLE

from .. import services
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


class PreconditionRequired(APIException):
    status_code = 428
    default_detail = gettext_lazy("Podaj wersję, na której opiera się zmiana: nagłówek If-Match albo pole version.")
    default_code = "precondition_required"


def _stale_response(error: services.StaleVersionError, status_code: int) -> Response:
    """409/412 with the current version and what changed since the client's version."""
    payload = {
        "detail": _("Obiekt zmieniono w międzyczasie; pobierz aktualną wersję i spróbuj ponownie."),
        "current_version": error.current_version,
        "changes": [{"field": c.field, "before": c.before_text, "after": c.after_text} for c in error.changes],
    }
    return _with_etag(Response(payload, status=status_code), error.current_version)


def _expected_version(request) -> tuple[int, int]:
    """(version, status code to use when it is stale) from If-Match or the body."""
    if_match = request.headers.get("If-Match")
    if if_match:
        try:
            return int(if_match.strip().removeprefix("W/").strip('"')), status.HTTP_412_PRECONDITION_FAILED
        except ValueError:
            message = _("Nagłówek If-Match musi zawierać ETag zasobu.")
            raise serializers.ValidationError({"If-Match": [message]}) from None
    if "version" in request.data:
        try:
            return int(request.data["version"]), status.HTTP_409_CONFLICT
        except (TypeError, ValueError):
            raise serializers.ValidationError({"version": [_("Wersja musi być liczbą całkowitą.")]}) from None
    raise PreconditionRequired


def _with_etag(response: Response, version: int) -> Response:
    response["ETag"] = f'"{version}"'
    return response


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
        return _with_etag(Response(self.get_serializer(cooperative).data), cooperative.version)

    def partial_update(self, request, *args, **kwargs):
        """Profile fields publish at once; identity fields go through `change-request`."""
        cooperative = self.get_object()
        version, stale_status = _expected_version(request)
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
        except services.StaleVersionError as error:
            return _stale_response(error, stale_status)
        return _with_etag(Response(self.get_serializer(cooperative).data), cooperative.version)

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
                build_url=request.build_absolute_uri,
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


class ManagedOfferViewSet(viewsets.ModelViewSet):
    """Offers of the cooperatives the user represents: add, edit, deactivate (is_active=false), delete."""

    serializer_class = ManagedOfferSerializer
    permission_classes = [IsAuthenticated, CanEditCooperative]

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
        return _with_etag(Response(self.get_serializer(offer).data), offer.version)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        cooperative = data.pop("cooperative")
        try:
            serializer.instance = services.offer_create(cooperative=cooperative, user=self.request.user, data=data)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.message_dict) from None

    def update(self, request, *args, **kwargs):
        offer = self.get_object()
        version, stale_status = _expected_version(request)
        serializer = self.get_serializer(offer, data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        data = {k: v for k, v in serializer.validated_data.items() if k != "cooperative"}
        try:
            offer = services.offer_update(offer=offer, user=request.user, expected_version=version, data=data)
        except services.StaleVersionError as error:
            return _stale_response(error, stale_status)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.message_dict) from None
        return _with_etag(Response(self.get_serializer(offer).data), offer.version)

    def destroy(self, request, *args, **kwargs):
        offer = self.get_object()
        services.offer_delete(offer=offer, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


def register(router) -> None:
    router.register("manage/cooperatives", ManagedCooperativeViewSet, basename="manage-cooperative")
    router.register("manage/offers", ManagedOfferViewSet, basename="manage-offer")

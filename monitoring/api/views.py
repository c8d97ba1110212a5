"""REST API v1 of the monitoring: waves with questionnaires, statistics (suppressed for non-staff) and responses
(representatives: their own, writable while the wave is open; staff: all, i.e. microdata)."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, mixins, permissions, status, viewsets
from rest_framework.response import Response as ApiResponse

from accounts.models import ApiToken
from accounts.roles import is_ministry_staff
from cooperatives.models import Cooperative
from core.concurrency import (
    STALE_EDIT_RESPONSES,
    STALE_EDIT_RESPONSES_OF_CREATE,
    PreconditionRequired,
    StaleVersionError,
    expected_version,
    stale_response,
    with_etag,
)
from monitoring import rules as consistency
from monitoring import selectors, services, statistics
from monitoring.filters import MAX_ID, statistics_query
from monitoring.forms import clean_answers
from monitoring.models import Answer, Choice, Question, Response, Section, Wave
from monitoring.permissions import can_fill_response, can_see_confidential_statistics, can_view_wave_statistics
from monitoring.versions import with_statistics_version

from .filters import ResponseFilterSet
from .serializers import (
    ResponseSavedSerializer,
    ResponseSerializer,
    ResponseWriteSerializer,
    StatisticsSerializer,
    WaveSerializer,
)


class WaveViewSet(viewsets.ReadOnlyModelViewSet):
    """Survey waves with their questionnaires (drafts only for ministry staff)."""

    serializer_class = WaveSerializer
    queryset = Wave.objects.none()

    def get_queryset(self):
        questions = Question.objects.select_related("condition_question").prefetch_related(
            Prefetch("choices", queryset=Choice.objects.order_by("order", "pk"))
        )
        waves = Wave.objects.prefetch_related(
            Prefetch("sections", queryset=Section.objects.order_by("order", "pk")),
            Prefetch("sections__questions", queryset=questions.order_by("order", "pk")),
        ).order_by("-reference_year", "-opens_on", "pk")
        if not is_ministry_staff(self.request.user):
            waves = waves.exclude(status=Wave.Status.DRAFT)
        return waves


def _cell_data(column: str, cell) -> dict:
    return {
        "column": column,
        "value": cell.shown_value,
        "cooperatives": cell.shown_contributors,
        "suppressed": cell.suppressed,
        "confidential": cell.confidential,
    }


def _row_data(table, row) -> dict:
    return {
        "key": row.key,
        "label": str(row.label),
        "cells": [_cell_data(code, cell) for (code, _label), cell in zip(table.columns, row.cells, strict=True)],
        "total": _cell_data("total", row.total) if row.total else None,
    }


class SingleObjectSchema(AutoSchema):
    """The statistics endpoint answers one object (a table), not a list, although it is a viewset's list."""

    def _is_list_view(self, serializer=None) -> bool:
        return False


class StatisticsViewSet(viewsets.ViewSet):
    """One statistics table of a wave. For everyone but ministry staff the numbers are protected by the cell-key
    method (docs/decisions/0005): counts randomly rounded to multiples of 3, sums of fewer than
    MONITORING_MIN_CELL_SIZE cooperatives hidden (`value: null`), other sums with noise."""

    permission_classes = [permissions.AllowAny]
    schema = SingleObjectSchema()

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "wave", {"type": "integer", "minimum": 1, "maximum": MAX_ID}, required=True, description="wave id"
            ),
            OpenApiParameter("indicator", OpenApiTypes.STR, required=True, enum=list(statistics.INDICATORS)),
            OpenApiParameter(
                "breakdown",
                OpenApiTypes.STR,
                enum=list(statistics.BREAKDOWNS),
                description="a PKD breakdown takes at most one of the filters voivodeship and founder_type",
            ),
            OpenApiParameter("voivodeship", OpenApiTypes.STR, description="TERYT code of a voivodeship (2 digits)"),
            OpenApiParameter("founder_type", OpenApiTypes.STR, enum=list(Cooperative.FounderType.values)),
        ],
        responses=StatisticsSerializer,
    )
    def list(self, request, *args, **kwargs):  # kwargs: the router's format suffix (".json")
        query, errors, _form = statistics_query(request.query_params, require_wave=True, require_indicator=True)
        wave = None
        if query["wave"] is not None and "wave" not in errors:
            wave = with_statistics_version(Wave.objects.filter(pk=query["wave"])).first()
            if wave is None or not can_view_wave_statistics(request.user, wave):
                errors["wave"] = _("Nie ma opublikowanej fali o numerze %(value)s.") % {"value": query["wave"]}
        if errors:
            raise exceptions.ValidationError({key: [value] for key, value in errors.items()})
        confidential = can_see_confidential_statistics(request.user)
        table = statistics.build_table(
            wave=wave,
            indicator=query["indicator"],
            breakdown=query["breakdown"],
            filters=query["filters"],
            confidential_view=confidential,
        )
        data = {
            "wave": wave.pk,
            "indicator": table.indicator.code,
            "breakdown": table.breakdown,
            "filters": table.filters,
            "columns": [{"code": code, "label": str(label)} for code, label in table.columns],
            "rows": [_row_data(table, row) for row in table.rows],
            "total": _row_data(table, table.total_row),
            "min_cell_size": table.min_cell_size,
            "confidential": confidential,
            "disclosure_control": statistics.method_description(confidential=confidential),
        }
        return ApiResponse(StatisticsSerializer(data).data)


class ResponseViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Responses: a representative's own cooperatives' (writable while the wave accepts answers); ministry staff see
    all of them (microdata) and may write until a wave is published. Filter by `?wave=`."""

    serializer_class = ResponseSerializer
    filterset_class = ResponseFilterSet
    permission_classes = [permissions.IsAuthenticated]
    token_scope = ApiToken.Scope.SURVEY
    queryset = Response.objects.none()
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        answers = Answer.objects.select_related("question").prefetch_related(
            Prefetch("selected_choices", queryset=Choice.objects.order_by("order", "pk"))
        )
        responses = (
            Response.objects.select_related("cooperative")
            .prefetch_related(Prefetch("answers", queryset=answers))
            .order_by("wave_id", "pk")
        )
        if not is_ministry_staff(self.request.user):
            responses = responses.filter(cooperative__memberships__user=self.request.user)
        return responses

    def get_serializer_class(self):
        if self.action in ("create", "partial_update", "update"):
            return ResponseWriteSerializer
        return ResponseSerializer

    def retrieve(self, request, *args, **kwargs):
        response = self.get_object()
        return with_etag(ApiResponse(ResponseSerializer(response).data), response.version)

    @extend_schema(
        request=ResponseWriteSerializer,
        responses={201: ResponseSavedSerializer, 200: ResponseSavedSerializer, **STALE_EDIT_RESPONSES_OF_CREATE},
    )
    def create(self, request, *args, **kwargs):
        """Creates the cooperative's response for the wave. When it already exists, this is an edit of it and
        needs its version (If-Match or `version`), like PATCH; without one it is a 409 with the current version."""
        payload = ResponseWriteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        errors = {}
        if not payload.validated_data.get("wave"):
            errors["wave"] = [_("Podaj falę.")]
        if not payload.validated_data.get("cooperative"):
            errors["cooperative"] = [_("Podaj numer KRS spółdzielni.")]
        if errors:
            raise exceptions.ValidationError(errors)
        wave = payload.validated_data["wave"]
        cooperative = Cooperative.objects.filter(krs_number=payload.validated_data["cooperative"]).first()
        if cooperative is None:
            raise exceptions.ValidationError({"cooperative": [_("Nie ma spółdzielni o tym numerze KRS.")]})
        existing = Response.objects.filter(wave=wave, cooperative=cooperative).first()
        return self._save(wave, cooperative, payload.validated_data, existing=existing)

    @extend_schema(request=ResponseWriteSerializer, responses={200: ResponseSavedSerializer, **STALE_EDIT_RESPONSES})
    def partial_update(self, request, *args, **kwargs):
        """Changes answers; the version the change is based on is required (If-Match or `version`)."""
        existing = self.get_object()
        payload = ResponseWriteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        return self._save(existing.wave, existing.cooperative, payload.validated_data, existing=existing)

    def _reload(self, response):
        return self.get_queryset().get(pk=response.pk)

    def _save(self, wave, cooperative, data, *, existing):
        """Saves and answers with the response and its ETag: 201 when created, else 200; an edit of an existing
        response without a version is a 428, a stale one a 409 (body `version`) or 412 (If-Match)."""
        user = self.request.user
        if not can_fill_response(user, wave, cooperative):
            raise exceptions.PermissionDenied(
                _("Nie możesz wypełniać tej ankiety (albo fala nie przyjmuje odpowiedzi).")
            )
        version, stale_status = None, None
        if existing is not None:
            try:
                version, stale_status = expected_version(self.request)
            except PreconditionRequired:
                if self.action != "create":
                    raise
                # A create that finds the response already there conflicts with it: edit it with its version.
                error = StaleVersionError(current_version=existing.version)
                return stale_response(error, status.HTTP_409_CONFLICT)
        questions = selectors.questionnaire(wave)
        known = {question.code for question in questions}
        unknown = sorted(set(data["answers"]) - known)
        if unknown:
            raise exceptions.ValidationError({"answers": {code: [_("Nieznany kod pytania.")] for code in unknown}})
        raw = selectors.answer_values(existing) if existing else {}
        raw.update(data["answers"])
        rules = consistency.wave_rules(wave.pk)
        values, errors = clean_answers(questions, raw, complete=data["submit"], rules=rules)
        if errors:
            raise exceptions.ValidationError({"answers": errors})
        try:
            response, _changed = services.response_save(
                wave=wave,
                cooperative=cooperative,
                questions=questions,
                values=values,
                user=user,
                submit=data["submit"],
                as_staff=is_ministry_staff(user),
                expected_version=version,
                source=Response.Source.STAFF if is_ministry_staff(user) else Response.Source.ONLINE,
            )
        except StaleVersionError as error:
            return stale_response(error, stale_status or status.HTTP_409_CONFLICT)
        except DjangoValidationError as error:
            raise exceptions.ValidationError({"detail": error.messages}) from None
        code = status.HTTP_200_OK if existing is not None else status.HTTP_201_CREATED
        saved = self._reload(response)
        saved.contradictions = consistency.messages_by_code(consistency.check(rules, questions, values))
        return with_etag(ApiResponse(ResponseSavedSerializer(saved).data, status=code), response.version)


def register(router) -> None:
    """Register this app's viewsets on the project's API router."""
    router.register("waves", WaveViewSet, basename="wave")
    router.register("statistics", StatisticsViewSet, basename="statistics")
    router.register("responses", ResponseViewSet, basename="response")

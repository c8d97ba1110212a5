"""REST API v1 of the training records.

Public: the training calendar (`/api/v1/trainings/`). Staff and the training's organisers: its enrolments and
attendance (`/api/v1/trainings/{id}/enrolments/`, `/api/v1/trainings/{id}/attendance/`).
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers as drf_serializers
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.models import ApiToken

from .. import selectors, services
from ..filters import TrainingFilterSet
from ..models import Attendance, Training, TrainingSession
from ..permissions import CanRecordAttendance, CanViewParticipants
from .serializers import (
    AttendanceBulkResultSerializer,
    AttendanceBulkSerializer,
    AttendanceSerializer,
    EnrolmentSerializer,
    TrainingSerializer,
)


class TrainingViewSet(viewsets.ReadOnlyModelViewSet):
    """Trainings (public). Filters: voivodeship, date_from, date_to, mode (format), topic, when."""

    serializer_class = TrainingSerializer
    filterset_class = TrainingFilterSet
    token_scope = ApiToken.Scope.TRAININGS  # the only write: attendance

    def get_queryset(self):
        if self.action in ("enrolments", "attendance"):
            return Training.objects.all()
        return selectors.training_base_queryset().prefetch_related(
            Prefetch("sessions", queryset=TrainingSession.objects.order_by("starts_at", "pk"))
        )

    @extend_schema(responses=EnrolmentSerializer(many=True))
    @action(detail=True, methods=["get"], permission_classes=[CanViewParticipants], filterset_class=None)
    def enrolments(self, request, pk=None, **kwargs):  # kwargs: the router's format suffix
        """Enrolments of one training with participants' data (staff and the training's organisers)."""
        training = self.get_object()
        page = self.paginate_queryset(selectors.training_participants(training=training))
        return self.get_paginated_response(EnrolmentSerializer(page, many=True).data)

    @extend_schema(methods=["GET"], responses=AttendanceSerializer(many=True))
    @extend_schema(methods=["POST"], request=AttendanceBulkSerializer, responses=AttendanceBulkResultSerializer)
    @action(detail=True, methods=["get", "post"], permission_classes=[CanRecordAttendance], filterset_class=None)
    def attendance(self, request, pk=None, **kwargs):  # kwargs: the router's format suffix
        """GET: attendance of every session. POST: mark many enrolments of one session at once."""
        training = self.get_object()
        if request.method == "GET":
            queryset = Attendance.objects.filter(session__training=training).order_by("session__starts_at", "pk")
            page = self.paginate_queryset(queryset)
            return self.get_paginated_response(AttendanceSerializer(page, many=True).data)
        payload = AttendanceBulkSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        session = TrainingSession.objects.filter(training=training, pk=payload.validated_data["session"]).first()
        if session is None:
            raise drf_serializers.ValidationError({"session": [_("Ta sesja nie należy do tego szkolenia.")]})
        marks = payload.validated_data["marks"]
        statuses = {mark["enrolment"]: mark["status"] for mark in marks}
        expected = {mark["enrolment"]: mark["expected"] for mark in marks if "expected" in mark}
        try:
            written = services.attendance_record(
                session=session, statuses=statuses, marked_by=request.user, expected=expected or None
            )
        except DjangoValidationError as error:
            raise drf_serializers.ValidationError({"marks": error.messages}) from None
        return Response(AttendanceBulkResultSerializer({"written": written}).data)


def register(router) -> None:
    """Register this app's viewsets on the project's API router."""
    router.register("trainings", TrainingViewSet, basename="training")

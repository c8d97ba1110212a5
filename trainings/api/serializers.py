from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core import site

from ..models import Attendance, Enrolment, Training, TrainingSession
from ..selectors import enrolment_is_eligible


class TrainingSessionSerializer(serializers.ModelSerializer):
    class Meta:
        model = TrainingSession
        fields = ["id", "title", "starts_at", "ends_at"]


class TrainingSerializer(serializers.ModelSerializer):
    """Public data of a training (no personal data)."""

    url = serializers.HyperlinkedIdentityField(view_name="training-detail")
    page_url = serializers.SerializerMethodField()
    programme = serializers.StringRelatedField(allow_null=True)
    gmina = serializers.CharField(source="gmina_id", allow_null=True)
    powiat = serializers.CharField(source="powiat_id", allow_null=True)
    voivodeship = serializers.CharField(source="voivodeship_id", allow_null=True)
    format_display = serializers.CharField(source="get_format_display")
    status_display = serializers.CharField(source="get_status_display")
    topic_display = serializers.CharField(source="get_topic_display")
    target_institution_types = serializers.ListField(child=serializers.CharField())
    sessions = TrainingSessionSerializer(many=True)

    class Meta:
        model = Training
        fields = [
            "id",
            "url",
            "page_url",
            "title",
            "description",
            "programme",
            "topic",
            "topic_display",
            "format",
            "format_display",
            "status",
            "status_display",
            "starts_on",
            "ends_on",
            "venue",
            "gmina",
            "powiat",
            "voivodeship",
            "trainers",
            "capacity",
            "target_institution_types",
            "required_attendance_percent",
            "sessions",
        ]

    def get_page_url(self, obj) -> str:
        return site.absolute_url(obj.get_absolute_url())


class EnrolmentSerializer(serializers.ModelSerializer):
    """An enrolment with the participant's personal data (staff and the training's organisers only)."""

    first_name = serializers.CharField(source="participant.first_name")
    last_name = serializers.CharField(source="participant.last_name")
    email = serializers.CharField(source="participant.email")
    position = serializers.CharField(source="participant.position")
    institution = serializers.CharField(source="participant.institution.name")
    institution_type = serializers.CharField(source="participant.institution.type")
    institution_gmina = serializers.CharField(source="participant.institution.gmina_id")
    attended_sessions = serializers.IntegerField(source="attended_count")
    sessions = serializers.IntegerField(source="session_count")
    is_eligible_for_certificate = serializers.SerializerMethodField()

    class Meta:
        model = Enrolment
        fields = [
            "id",
            "status",
            "created_at",
            "confirmed_at",
            "waitlisted_at",
            "promoted_at",
            "cancelled_at",
            "first_name",
            "last_name",
            "email",
            "position",
            "institution",
            "institution_type",
            "institution_gmina",
            "attended_sessions",
            "sessions",
            "is_eligible_for_certificate",
        ]

    @extend_schema_field(serializers.BooleanField())
    def get_is_eligible_for_certificate(self, obj) -> bool:
        return enrolment_is_eligible(obj)


class AttendanceSerializer(serializers.ModelSerializer):
    # Documented as text: a second component with the same enum would give it an unstable generated name.
    status = serializers.CharField(
        read_only=True, help_text="present (obecny), late (spóźniony), absent (nieobecny), excused (usprawiedliwiony)"
    )

    class Meta:
        model = Attendance
        fields = ["id", "enrolment", "session", "status", "marked_at"]


class AttendanceMarkSerializer(serializers.Serializer):
    enrolment = serializers.IntegerField(min_value=1)
    status = serializers.ChoiceField(choices=Attendance.Status.choices)
    expected = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="Status, który klient widział ('' = brak wpisu). Podany: zmiana wpisu zmienionego w międzyczasie "
        "przez kogoś innego jest odrzucana zamiast nadpisana.",
    )


class AttendanceBulkSerializer(serializers.Serializer):
    session = serializers.IntegerField(min_value=1)
    marks = AttendanceMarkSerializer(many=True, allow_empty=False)

    def validate_marks(self, marks):
        ids = [mark["enrolment"] for mark in marks]
        if len(ids) != len(set(ids)):
            raise serializers.ValidationError(_("Każde zgłoszenie może wystąpić tylko raz."))
        return marks


class AttendanceBulkResultSerializer(serializers.Serializer):
    written = serializers.IntegerField()

from decimal import Decimal

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from monitoring.models import Choice, Question, Response, Section, Wave


class ChoiceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Choice
        fields = ["code", "label"]


class QuestionSerializer(serializers.ModelSerializer):
    choices = ChoiceSerializer(many=True, read_only=True)
    condition_question = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = Question
        fields = [
            "code",
            "text",
            "type",
            "is_required",
            "min_value",
            "max_value",
            "unit",
            "help_text",
            "condition_question",
            "condition_value",
            "choices",
        ]


class SectionSerializer(serializers.ModelSerializer):
    questions = QuestionSerializer(many=True, read_only=True)

    class Meta:
        model = Section
        fields = ["title", "description", "questions"]


class WaveSerializer(serializers.ModelSerializer):
    sections = SectionSerializer(many=True, read_only=True)

    class Meta:
        model = Wave
        fields = ["id", "name", "reference_year", "opens_on", "closes_on", "status", "sections"]


class ResponseSerializer(serializers.ModelSerializer):
    """A cooperative's response with its answers keyed by question code (choice codes for choice questions)."""

    cooperative = serializers.SlugRelatedField(slug_field="krs_number", read_only=True)
    answers = serializers.SerializerMethodField()

    class Meta:
        model = Response
        fields = [
            "id",
            "wave",
            "cooperative",
            "status",
            "source",
            "submitted_at",
            "verification",
            "verification_comment",
            "version",
            "answers",
        ]

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_answers(self, obj):
        """Amounts and percentages as decimal strings (like every decimal in the API), integers as numbers."""
        values = {}
        for answer in obj.answers.all():
            value = answer.python_value()
            values[answer.question.code] = str(value) if isinstance(value, Decimal) else value
        return values


class ResponseSavedSerializer(ResponseSerializer):
    """The response after a write, with the consistency rules its answers break: a draft is saved even when its
    answers contradict each other (submission is refused with a 400 until they are corrected)."""

    contradictions = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        read_only=True,
        help_text="question code -> Polish messages of the consistency rules the answers break (empty when none)",
    )

    class Meta(ResponseSerializer.Meta):
        fields = [*ResponseSerializer.Meta.fields, "contradictions"]


class ResponseWriteSerializer(serializers.Serializer):
    """Answers to save. `wave` and `cooperative` (KRS) only when creating; `version` (from the last read) when
    changing, so a concurrent change is refused instead of overwritten. `submit` submits, otherwise a draft."""

    wave = serializers.PrimaryKeyRelatedField(queryset=Wave.objects.all(), required=False)
    cooperative = serializers.CharField(required=False, max_length=10)
    answers = serializers.DictField(child=serializers.JSONField(), allow_empty=True)
    submit = serializers.BooleanField(default=False)
    version = serializers.IntegerField(required=False, min_value=0)


@extend_schema_field({"type": "number", "nullable": True})
class StatisticNumberField(serializers.Field):
    """A statistics number as a JSON number: counts as integers, sums with at most two decimals."""

    def to_representation(self, value):
        if value is None:
            return None
        value = Decimal(value)
        return int(value) if value == value.to_integral_value() else float(value.quantize(Decimal("0.01")))


class CellSerializer(serializers.Serializer):
    column = serializers.CharField()
    value = StatisticNumberField(allow_null=True, help_text="null when hidden; perturbed for everyone but staff")
    cooperatives = serializers.IntegerField(
        allow_null=True, help_text="number of cooperatives aggregated (rounded to a multiple of 3 for the public)"
    )
    suppressed = serializers.BooleanField(help_text="a sum of too few cooperatives to publish")
    confidential = serializers.BooleanField(help_text="staff only: an exact value that must not be published")


class RowSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    cells = CellSerializer(many=True)
    total = CellSerializer(allow_null=True)


class ColumnSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()


class StatisticsSerializer(serializers.Serializer):
    wave = serializers.IntegerField()
    indicator = serializers.CharField()
    breakdown = serializers.CharField()
    filters = serializers.DictField(child=serializers.CharField())
    columns = ColumnSerializer(many=True)
    rows = RowSerializer(many=True)
    total = RowSerializer()
    min_cell_size = serializers.IntegerField()
    confidential = serializers.BooleanField(help_text="exact values for ministry staff: not for publication")
    disclosure_control = serializers.CharField(help_text="how the numbers are protected, in Polish")

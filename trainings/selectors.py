"""Reads composed per screen or endpoint. Views and API views call these."""

import datetime
from collections import defaultdict

from django.db.models import Count, F, IntegerField, OuterRef, Prefetch, Q, Subquery, Value
from django.db.models.functions import Coalesce, TruncMonth
from django.utils.translation import gettext

from cooperatives.models import Cooperative, TerritorialUnit
from publications.models import Publication

from .filters import TrainingFilterSet
from .models import (
    Attendance,
    Certificate,
    Enrolment,
    InstitutionType,
    Participant,
    Training,
    TrainingProgramme,
    TrainingSession,
)

# --- Public calendar -------------------------------------------------------------------------------------


def training_base_queryset():
    return Training.objects.select_related("gmina", "powiat", "voivodeship", "programme")


def training_list(*, data, queryset=None) -> TrainingFilterSet:
    """The filtered calendar (bound FilterSet: the caller checks `.is_valid()` and uses `.qs`)."""
    queryset = queryset if queryset is not None else training_base_queryset()
    return TrainingFilterSet(data=data, queryset=queryset)


def training_detail(*, pk: int) -> Training:
    """One training with its sessions and the number of seats taken. Raises Training.DoesNotExist."""
    return (
        training_base_queryset()
        .prefetch_related(
            "sessions",
            Prefetch(
                "materials",
                queryset=Publication.objects.published().order_by("year", "title"),
                to_attr="public_materials",
            ),
        )
        .annotate(seats_taken=Count("enrolments", filter=Q(enrolments__status__in=Enrolment.SEAT_STATUSES)))
        .get(pk=pk)
    )


def seats_taken(*, training: Training) -> int:
    return Enrolment.objects.filter(training=training).holding_seat().count()


def certificate_for_verification(*, code=None, short_code: str | None = None) -> Certificate:
    """A certificate by the UUID of its QR code or by the short number typed from paper (normalised).

    Raises Certificate.DoesNotExist."""
    queryset = Certificate.objects.select_related("enrolment__participant", "enrolment__training")
    if short_code is not None:
        return queryset.get(short_code=short_code)
    return queryset.get(verification_code=code)


def certificate_for_download(*, token) -> Certificate:
    """The certificate a participant's download link points to. Raises Certificate.DoesNotExist."""
    return Certificate.objects.select_related(
        "enrolment__participant", "enrolment__training__programme", "enrolment__training__gmina"
    ).get(download_token=token)


# --- Organisers ------------------------------------------------------------------------------------------


def organiser_trainings(*, user, is_staff: bool):
    """Trainings on a user's panel: all for staff, the ones they organise otherwise."""
    queryset = training_base_queryset().annotate(
        seats_taken=Count("enrolments", filter=Q(enrolments__status__in=Enrolment.SEAT_STATUSES)),
        waitlisted=Count("enrolments", filter=Q(enrolments__status=Enrolment.Status.WAITLISTED)),
    )
    if not is_staff:
        queryset = queryset.filter(organisers=user)
    return queryset.order_by("-starts_on", "-pk")


def _attended_count_subquery():
    return Subquery(
        Attendance.objects.filter(enrolment=OuterRef("pk"), status__in=Attendance.ATTENDED_STATUSES)
        .order_by()
        .values("enrolment")
        .annotate(n=Count("pk"))
        .values("n"),
        output_field=IntegerField(),
    )


def _session_count_subquery():
    return Subquery(
        TrainingSession.objects.filter(training=OuterRef("training"))
        .order_by()
        .values("training")
        .annotate(n=Count("pk"))
        .values("n"),
        output_field=IntegerField(),
    )


def enrolments_with_attendance():
    """Enrolments annotated with attended sessions, the training's session count and certificate eligibility.

    Eligible: holds a seat, and attended (present or late) at least the required share of the training's sessions.
    """
    return (
        Enrolment.objects.annotate(
            attended_count=Coalesce(_attended_count_subquery(), Value(0)),
            session_count=Coalesce(_session_count_subquery(), Value(0)),
        )
        .alias(attended_x100=F("attended_count") * 100)
        .alias(required_x=F("training__required_attendance_percent") * F("session_count"))
    )


def eligible_enrolments():
    return (
        enrolments_with_attendance()
        .filter(status__in=Enrolment.SEAT_STATUSES, session_count__gt=0)
        .filter(attended_x100__gte=F("required_x"))
    )


def training_participants(*, training: Training):
    """The participant list of one training (every status), with attendance counts and certificates."""
    return (
        enrolments_with_attendance()
        .filter(training=training)
        .select_related(
            "training", "participant", "participant__institution", "participant__institution__gmina", "certificate"
        )
        .order_by("participant__last_name", "participant__first_name", "pk")
    )


def enrolment_is_eligible(enrolment) -> bool:
    """Uses the annotations of enrolments_with_attendance()."""
    if enrolment.status not in Enrolment.SEAT_STATUSES or not enrolment.session_count:
        return False
    return enrolment.attended_count * 100 >= enrolment.training.required_attendance_percent * enrolment.session_count


def attendance_register(*, session: TrainingSession):
    """Enrolments holding a seat, each with its attendance for this session (or None) as `.session_attendance`."""
    return (
        Enrolment.objects.filter(training_id=session.training_id)
        .holding_seat()
        .select_related("participant", "participant__institution")
        .prefetch_related(
            Prefetch("attendances", queryset=Attendance.objects.filter(session=session), to_attr="session_attendances")
        )
        .order_by("participant__last_name", "participant__first_name", "pk")
    )


def training_certificates(*, training: Training):
    return (
        Certificate.objects.filter(enrolment__training=training)
        .select_related("enrolment__participant", "enrolment__training__programme", "enrolment__training__gmina")
        .order_by("number")
    )


def completion_preview(*, training: Training) -> dict:
    """What completing a training will do: how many certificates will be issued, to how many e-mail addresses,
    and how many people holding a seat will get none (not enough attendance)."""
    eligible = eligible_enrolments().filter(training=training, certificate__isnull=True)
    holding_seat = Enrolment.objects.filter(training=training).holding_seat()
    certificates = eligible.count()
    return {
        "certificates": certificates,
        "emails": eligible.exclude(participant__email="").count(),
        "without_certificate": holding_seat.count() - certificates,
        "pending": Enrolment.objects.filter(training=training).pending().count(),
        "sessions": TrainingSession.objects.filter(training=training).count(),
    }


# --- Reports ---------------------------------------------------------------------------------------------


class Dimension:
    VOIVODESHIP = "voivodeship"
    POWIAT = "powiat"
    INSTITUTION_TYPE = "institution_type"
    MONTH = "month"


def _no_location_label() -> str:
    return gettext("bez miejsca (szkolenia online)")


def _report_trainings(*, programme=None, date_from=None, date_to=None):
    queryset = Training.objects.held()
    if programme is not None:
        queryset = queryset.filter(programme=programme)
    if date_from:
        queryset = queryset.filter(starts_on__gte=date_from)
    if date_to:
        queryset = queryset.filter(starts_on__lte=date_to)
    return queryset


def _report_people(trainings):
    return eligible_enrolments().filter(training__in=trainings.values("pk"))


def _unit_labels(codes) -> dict[str, str]:
    return {unit.code: str(unit) for unit in TerritorialUnit.objects.filter(code__in=[c for c in codes if c])}


def training_report(*, dimension: str, programme=None, date_from=None, date_to=None) -> list[dict]:
    """Trainings held and people trained grouped by one dimension, counted in the database.

    Held: status completed. Trained: an enrolment that earned a certificate (attended the required share).
    By institution type, "trainings" counts the held trainings attended by people of that type.
    """
    trainings = _report_trainings(programme=programme, date_from=date_from, date_to=date_to).order_by()
    people = _report_people(trainings).order_by()
    if dimension == Dimension.INSTITUTION_TYPE:
        rows = people.values(key=F("participant__institution__type")).annotate(
            trainings=Count("training", distinct=True), people=Count("pk")
        )
        by_key = {row["key"]: row for row in rows}
        return [
            {
                "key": value,
                "label": str(label),
                "trainings": by_key[value]["trainings"],
                "people": by_key[value]["people"],
            }
            for value, label in InstitutionType.choices
            if value in by_key
        ]
    if dimension == Dimension.MONTH:
        training_key, people_key = TruncMonth("starts_on"), TruncMonth("training__starts_on")
    elif dimension == Dimension.POWIAT:
        training_key, people_key = F("powiat_id"), F("training__powiat_id")
    else:
        training_key, people_key = F("voivodeship_id"), F("training__voivodeship_id")
    counts: dict = defaultdict(lambda: {"trainings": 0, "people": 0})
    for row in trainings.values(key=training_key).annotate(n=Count("pk")):
        counts[row["key"]]["trainings"] = row["n"]
    for row in people.values(key=people_key).annotate(n=Count("pk")):
        counts[row["key"]]["people"] = row["n"]
    if dimension == Dimension.MONTH:
        labels = {key: _month_label(key) for key in counts}
    else:
        labels = _unit_labels(counts)
    rows = [{"key": key, "label": labels.get(key) or _no_location_label(), **values} for key, values in counts.items()]
    rows.sort(key=lambda row: (row["key"] is None, str(row["key"] or "")))
    return rows


def _month_label(value) -> str:
    if isinstance(value, datetime.datetime):
        value = value.date()
    return value.strftime("%Y-%m") if value else ""


def programme_progress(*, programme: TrainingProgramme) -> dict:
    """Trainings held and people trained against the programme's targets."""
    trainings = _report_trainings(programme=programme)
    held = trainings.count()
    trained = _report_people(trainings).count()

    def share(done: int, target: int) -> int:
        return round(done * 100 / target) if target else 0

    return {
        "programme": programme,
        "trainings_held": held,
        "people_trained": trained,
        "trainings_percent": share(held, programme.target_trainings),
        "people_percent": share(trained, programme.target_participants),
    }


def trainings_and_cooperatives_by_powiat(*, programme=None, date_from=None, date_to=None) -> list[dict]:
    """Held trainings per powiat next to the number of registered (not deleted) cooperatives there."""
    trainings = _report_trainings(programme=programme, date_from=date_from, date_to=date_to).order_by()
    training_counts = {
        row["powiat_id"]: row["n"]
        for row in trainings.filter(powiat__isnull=False).values("powiat_id").annotate(n=Count("pk"))
    }
    cooperative_counts = {
        row["powiat_id"]: row["n"]
        for row in Cooperative.objects.exclude(status=Cooperative.Status.DELETED)
        .order_by()
        .values("powiat_id")
        .annotate(n=Count("pk"))
    }
    codes = set(training_counts) | set(cooperative_counts)
    labels = _unit_labels(codes)
    return [
        {
            "key": code,
            "label": labels.get(code, code),
            "trainings": training_counts.get(code, 0),
            "cooperatives": cooperative_counts.get(code, 0),
        }
        for code in sorted(codes)
    ]


# --- Personal data ---------------------------------------------------------------------------------------


def personal_data_for_email(*, email: str) -> dict | None:
    """Everything held about one e-mail address (a data-subject access request), or None if nothing."""
    participant = (
        Participant.objects.select_related("institution", "institution__gmina")
        .filter(email__iexact=email.strip())
        .first()
    )
    if participant is None:
        return None
    enrolments = (
        Enrolment.objects.filter(participant=participant)
        .select_related("training", "certificate")
        .prefetch_related(Prefetch("attendances", queryset=Attendance.objects.select_related("session")))
        .order_by("created_at", "pk")
    )

    def iso(value):
        return value.isoformat() if value else None

    return {
        "participant": {
            "first_name": participant.first_name,
            "last_name": participant.last_name,
            "email": participant.email,
            "position": participant.position,
            "created_at": iso(participant.created_at),
            "updated_at": iso(participant.updated_at),
        },
        "institution": {
            "name": participant.institution.name,
            "type": participant.institution.get_type_display(),
            "gmina": str(participant.institution.gmina),
            "gmina_code": participant.institution.gmina_id,
        },
        "enrolments": [
            {
                "training": enrolment.training.title,
                "training_id": enrolment.training_id,
                "starts_on": iso(enrolment.training.starts_on),
                "ends_on": iso(enrolment.training.ends_on),
                "status": enrolment.get_status_display(),
                "registered_at": iso(enrolment.created_at),
                "consent_at": iso(enrolment.consent_at),
                "confirmed_at": iso(enrolment.confirmed_at),
                "waitlisted_at": iso(enrolment.waitlisted_at),
                "promoted_at": iso(enrolment.promoted_at),
                "cancelled_at": iso(enrolment.cancelled_at),
                "attendance": [
                    {"session_starts_at": iso(a.session.starts_at), "status": a.get_status_display()}
                    for a in sorted(enrolment.attendances.all(), key=lambda a: a.session.starts_at)
                ],
                "certificate": (
                    {"number": enrolment.certificate.number, "issued_at": iso(enrolment.certificate.issued_at)}
                    if hasattr(enrolment, "certificate")
                    else None
                ),
            }
            for enrolment in enrolments
        ],
    }

"""Writes. Keyword-only, type-hinted, atomic; e-mails are sent only after the transaction commits.

Capacity rule: registered and confirmed enrolments hold a seat. Every write that can change who holds a seat locks
the training row first (SELECT ... FOR UPDATE), so two people taking the last seat at the same moment are
serialised: the second one sees the seat taken and is waitlisted.
"""

import datetime
from collections.abc import Mapping
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.mail import send_mail

from .models import Attendance, Certificate, Enrolment, Institution, Participant, Training, TrainingSession

CANCEL_SALT = "trainings.enrolment-cancel"


# --- Links and e-mails -----------------------------------------------------------------------------------


def enrolment_cancel_signature(enrolment: Enrolment) -> str:
    return signing.dumps(str(enrolment.cancel_token), salt=CANCEL_SALT)


def enrolment_from_cancel_signature(value: str) -> Enrolment:
    """The enrolment a cancellation link points to. Raises Enrolment.DoesNotExist for a bad or forged link."""
    try:
        token = signing.loads(value, salt=CANCEL_SALT)
    except signing.BadSignature:
        raise Enrolment.DoesNotExist from None
    return Enrolment.objects.select_related("training", "participant").get(cancel_token=token)


def _absolute(base_url: str, path: str) -> str:
    return base_url.rstrip("/") + path


def _send_enrolment_email(*, enrolment: Enrolment, template: str, subject: str, base_url: str) -> None:
    cancel_url = _absolute(
        base_url, reverse("trainings:cancel", kwargs={"signature": enrolment_cancel_signature(enrolment)})
    )
    context = {
        "enrolment": enrolment,
        "training": enrolment.training,
        "participant": enrolment.participant,
        "training_url": _absolute(base_url, enrolment.training.get_absolute_url()),
        "cancel_url": cancel_url,
    }
    body = render_to_string(f"trainings/email/{template}.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [enrolment.participant.email])


def _email_after_commit(**kwargs) -> None:
    transaction.on_commit(lambda: _send_enrolment_email(**kwargs))


# --- Registration and cancellation -----------------------------------------------------------------------


@dataclass(frozen=True)
class RegistrationData:
    first_name: str
    last_name: str
    email: str
    position: str
    institution_name: str
    institution_type: str
    institution_gmina_id: str


def _lock_training(training_id: int) -> Training:
    return Training.objects.select_for_update().get(pk=training_id)


@transaction.atomic
def enrolment_register(*, training_id: int, data: RegistrationData, base_url: str) -> Enrolment:
    """Register a person for an open training: a free seat gives "registered", a full training the waiting list.

    Raises ValidationError when registration is closed or the person is already enrolled.
    """
    training = _lock_training(training_id)
    if not training.is_open_for_registration:
        raise ValidationError(_("Rejestracja na to szkolenie nie jest otwarta."))
    email = data.email.strip().lower()
    # An address already known keeps its stored data: a form typed by someone else must not rewrite it.
    participant = Participant.objects.filter(email=email).first()
    if participant is None:
        institution, _created = Institution.objects.get_or_create(
            name=data.institution_name.strip(), type=data.institution_type, gmina_id=data.institution_gmina_id
        )
        participant = Participant.objects.create(
            first_name=data.first_name.strip(),
            last_name=data.last_name.strip(),
            email=email,
            institution=institution,
            position=data.position.strip(),
        )
    if (
        Enrolment.objects.filter(training=training, participant=participant)
        .exclude(status=Enrolment.Status.CANCELLED)
        .exists()
    ):
        raise ValidationError({"email": _("Osoba z tym adresem e-mail jest już zapisana na to szkolenie.")})

    now = timezone.now()
    has_seat = Enrolment.objects.filter(training=training).holding_seat().count() < training.capacity
    enrolment = Enrolment.objects.create(
        training=training,
        participant=participant,
        status=Enrolment.Status.REGISTERED if has_seat else Enrolment.Status.WAITLISTED,
        consent_at=now,
        waitlisted_at=None if has_seat else now,
    )
    if has_seat:
        subject = _("Potwierdzenie zgłoszenia: %(title)s") % {"title": training.title}
        _email_after_commit(enrolment=enrolment, template="registered", subject=subject, base_url=base_url)
    else:
        subject = _("Lista rezerwowa: %(title)s") % {"title": training.title}
        _email_after_commit(enrolment=enrolment, template="waitlisted", subject=subject, base_url=base_url)
    return enrolment


def enrolment_can_be_cancelled(*, training: Training) -> bool:
    return training.status not in (Training.Status.COMPLETED, Training.Status.CANCELLED)


@transaction.atomic
def enrolment_cancel(*, enrolment_id: int, base_url: str) -> Enrolment | None:
    """Cancel an enrolment. A freed seat goes to the first person on the waiting list, who is told by e-mail.

    Returns the promoted enrolment, if any. Cancelling twice is harmless. A completed or cancelled training's
    enrolments are history (attendance, certificates, reports) and cannot be cancelled.
    """
    enrolment = Enrolment.objects.select_related("training").get(pk=enrolment_id)
    training = _lock_training(enrolment.training_id)
    enrolment = Enrolment.objects.select_for_update().get(pk=enrolment_id)
    if enrolment.status == Enrolment.Status.CANCELLED:
        return None
    if not enrolment_can_be_cancelled(training=training):
        raise ValidationError(_("To szkolenie już się zakończyło lub zostało odwołane: rezygnacja nie jest możliwa."))
    freed_seat = enrolment.holds_seat
    enrolment.status = Enrolment.Status.CANCELLED
    enrolment.cancelled_at = timezone.now()
    enrolment.save(update_fields=["status", "cancelled_at", "updated_at"])
    if not freed_seat:
        return None
    return _promote_from_waitlist(training=training, base_url=base_url)


def _promote_from_waitlist(*, training: Training, base_url: str) -> Enrolment | None:
    if Enrolment.objects.filter(training=training).holding_seat().count() >= training.capacity:
        return None
    promoted = (
        Enrolment.objects.filter(training=training)
        .waitlisted()
        .select_related("participant", "training")
        .select_for_update(of=("self",))
        .first()
    )
    if promoted is None:
        return None
    promoted.status = Enrolment.Status.REGISTERED
    promoted.promoted_at = timezone.now()
    promoted.save(update_fields=["status", "promoted_at", "updated_at"])
    subject = _("Zwolniło się miejsce: %(title)s") % {"title": training.title}
    _email_after_commit(enrolment=promoted, template="promoted", subject=subject, base_url=base_url)
    return promoted


@transaction.atomic
def enrolment_confirm(*, enrolment_id: int) -> Enrolment:
    """The organiser confirms a registered participant (a waitlisted one has no seat to confirm)."""
    enrolment = Enrolment.objects.select_for_update().get(pk=enrolment_id)
    if enrolment.status != Enrolment.Status.REGISTERED:
        raise ValidationError(_("Potwierdzić można tylko zgłoszenie ze statusem „zgłoszony”."))
    enrolment.status = Enrolment.Status.CONFIRMED
    enrolment.confirmed_at = timezone.now()
    enrolment.save(update_fields=["status", "confirmed_at", "updated_at"])
    return enrolment


# --- Training status -------------------------------------------------------------------------------------

STATUS_TRANSITIONS = {
    Training.Status.PLANNED: {Training.Status.OPEN, Training.Status.CANCELLED},
    Training.Status.OPEN: {Training.Status.CLOSED, Training.Status.COMPLETED, Training.Status.CANCELLED},
    Training.Status.CLOSED: {Training.Status.OPEN, Training.Status.COMPLETED, Training.Status.CANCELLED},
    Training.Status.COMPLETED: set(),
    Training.Status.CANCELLED: set(),
}


def training_allowed_statuses(*, training: Training) -> list[str]:
    return [value for value in Training.Status.values if value in STATUS_TRANSITIONS[training.status]]


@transaction.atomic
def training_set_status(*, training_id: int, status: str, base_url: str) -> Training:
    """Move a training along planned -> open <-> closed -> completed (or cancelled at any point before completion).

    Cancelling a training tells everyone still enrolled (seat or waiting list) by e-mail.
    """
    training = _lock_training(training_id)
    if status not in STATUS_TRANSITIONS[training.status]:
        raise ValidationError(
            {
                "status": _("Nie można zmienić statusu z „%(old)s” na „%(new)s”.")
                % {
                    "old": training.get_status_display(),
                    "new": Training.Status(status).label if status in Training.Status.values else status,
                }
            }
        )
    training.status = status
    training.save(update_fields=["status", "updated_at"])
    if status == Training.Status.CANCELLED:
        subject = _("Szkolenie odwołane: %(title)s") % {"title": training.title}
        for enrolment in (
            Enrolment.objects.filter(training=training)
            .exclude(status=Enrolment.Status.CANCELLED)
            .select_related("participant", "training")
        ):
            if enrolment.participant.email:
                _email_after_commit(
                    enrolment=enrolment, template="training_cancelled", subject=subject, base_url=base_url
                )
    return training


# --- Attendance and certificates -------------------------------------------------------------------------


@transaction.atomic
def attendance_record(
    *,
    session: TrainingSession,
    statuses: Mapping[int, str],
    marked_by,
    expected: Mapping[int, str] | None = None,
) -> int:
    """Record attendance for many enrolments of one session at once (enrolment id -> status).

    Only enrolments of this session's training that hold a seat may be marked. With `expected` (enrolment id ->
    the status the writer last saw, "" for none), a row changed by someone else in the meantime is refused rather
    than overwritten. Returns the number of rows written.
    """
    # Serialises concurrent registers of one session (both would otherwise insert the same new rows).
    TrainingSession.objects.select_for_update().filter(pk=session.pk).first()
    valid_statuses = set(Attendance.Status.values)
    bad_status = [value for value in statuses.values() if value not in valid_statuses]
    if bad_status:
        raise ValidationError(_("Nieznany status obecności: %(value)s.") % {"value": bad_status[0]})
    allowed = set(
        Enrolment.objects.filter(training_id=session.training_id, pk__in=list(statuses))
        .holding_seat()
        .values_list("pk", flat=True)
    )
    unknown = sorted(set(statuses) - allowed)
    if unknown:
        raise ValidationError(
            _("Zgłoszenia %(ids)s nie należą do uczestników tego szkolenia.") % {"ids": ", ".join(map(str, unknown))}
        )
    existing = {
        a.enrolment_id: a
        for a in Attendance.objects.select_for_update().filter(session=session).select_related("enrolment__participant")
    }
    if expected is not None:
        conflicts = [
            existing[enrolment_id].enrolment.participant.full_name
            for enrolment_id in statuses
            if enrolment_id in existing and existing[enrolment_id].status != expected.get(enrolment_id, "")
        ]
        conflicts += [_("zgłoszenie %(id)s") % {"id": i} for i in statuses if i not in existing and expected.get(i)]
        if conflicts:
            raise ValidationError(
                _("W międzyczasie ktoś inny zmienił obecność: %(names)s. Sprawdź aktualny stan i zapisz ponownie.")
                % {"names": ", ".join(conflicts)}
            )
    to_update, to_create = [], []
    now = timezone.now()
    for enrolment_id, status in statuses.items():
        attendance = existing.get(enrolment_id)
        if attendance is None:
            to_create.append(Attendance(enrolment_id=enrolment_id, session=session, status=status, marked_by=marked_by))
        elif attendance.status != status:
            attendance.status, attendance.marked_by, attendance.marked_at = status, marked_by, now
            to_update.append(attendance)
    Attendance.objects.bulk_create(to_create)
    Attendance.objects.bulk_update(to_update, ["status", "marked_by", "marked_at"])
    return len(to_create) + len(to_update)


def certificate_number(*, training: Training, enrolment: Enrolment) -> str:
    return f"SZK/{training.starts_on.year}/{training.pk:05d}/{enrolment.pk:06d}"


@transaction.atomic
def certificates_issue(*, training_id: int) -> list[Certificate]:
    """Issue a certificate to every eligible participant of a completed training who has none yet."""
    from .selectors import eligible_enrolments

    training = _lock_training(training_id)
    if training.status != Training.Status.COMPLETED:
        raise ValidationError(_("Zaświadczenia wystawia się po zakończeniu szkolenia."))
    enrolments = eligible_enrolments().filter(training=training, certificate__isnull=True)
    certificates = [
        Certificate(enrolment=enrolment, number=certificate_number(training=training, enrolment=enrolment))
        for enrolment in enrolments
    ]
    return Certificate.objects.bulk_create(certificates)


# --- Personal data ---------------------------------------------------------------------------------------


@transaction.atomic
def participants_anonymise(*, older_than: datetime.timedelta, now: datetime.datetime | None = None) -> int:
    """Blank the personal data of participants whose trainings all ended before `now - older_than`.

    Rows, institutions, enrolments, attendance and certificates stay, so every report counts the same.
    Returns the number of participants anonymised.
    """
    now = now or timezone.now()
    cutoff = timezone.localdate(now) - older_than
    recent = Enrolment.objects.filter(training__ends_on__gte=cutoff).values("participant_id")
    candidates = Participant.objects.filter(anonymised_at__isnull=True).exclude(pk__in=recent)
    candidates = candidates.filter(Q(enrolments__isnull=False) | Q(created_at__date__lt=cutoff)).distinct()
    return Participant.objects.filter(pk__in=candidates.values("pk")).update(
        first_name="", last_name="", email="", position="", anonymised_at=now, updated_at=now
    )

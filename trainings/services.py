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
from django.db.models import Max, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from core.mail import queue_mail
from core.text import hours_text

from .models import (
    Attendance,
    Certificate,
    Enrolment,
    Institution,
    Participant,
    Training,
    TrainingSession,
    generate_short_code,
)

CANCEL_SALT = "trainings.enrolment-cancel"
CONFIRM_SALT = "trainings.enrolment-confirm-email"


def confirmation_max_age() -> datetime.timedelta:
    """How long a registration waits for its e-mail confirmation (TRAININGS_CONFIRMATION_HOURS)."""
    return datetime.timedelta(hours=settings.TRAININGS_CONFIRMATION_HOURS)


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


def enrolment_confirm_signature(enrolment: Enrolment) -> str:
    return signing.dumps(str(enrolment.cancel_token), salt=CONFIRM_SALT)


def enrolment_from_confirm_signature(value: str) -> Enrolment:
    """The enrolment an e-mail confirmation link points to.

    Raises signing.SignatureExpired for a link older than the confirmation period, Enrolment.DoesNotExist for a
    bad or forged one (or one whose pending registration was already removed).
    """
    try:
        token = signing.loads(value, salt=CONFIRM_SALT, max_age=confirmation_max_age())
    except signing.SignatureExpired:
        raise
    except signing.BadSignature:
        raise Enrolment.DoesNotExist from None
    return Enrolment.objects.select_related("training", "participant").get(cancel_token=token)


def absolute_url(path: str, base_url: str | None = None) -> str:
    """An absolute link for e-mails and certificates: the site's BASE_URL setting, never the request's host."""
    return (base_url or settings.BASE_URL).rstrip("/") + path


def _send_enrolment_email(
    *, enrolment: Enrolment, template: str, subject: str, base_url: str | None, extra: dict | None = None
) -> None:
    cancel_url = absolute_url(
        reverse("trainings:cancel", kwargs={"signature": enrolment_cancel_signature(enrolment)}), base_url
    )
    context = {
        "enrolment": enrolment,
        "training": enrolment.training,
        "training_url": absolute_url(enrolment.training.get_absolute_url(), base_url),
        "cancel_url": cancel_url,
        "site_name": settings.SITE_NAME,
        **(extra or {}),
    }
    body = render_to_string(f"trainings/email/{template}.txt", context)
    queue_mail(subject, body, [enrolment.participant.email])  # sent by a worker (core/mail.py)


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
    grammatical_form: str = ""


def _lock_training(training_id: int) -> Training:
    return Training.objects.select_for_update().get(pk=training_id)


def validity_text(hours: int) -> str:
    """ "48 godzin", "1 godzinę": a duration in the accusative ("ważny przez ..."), with Polish plural forms."""
    return hours_text(hours)


@transaction.atomic
def enrolment_register(*, training_id: int, data: RegistrationData, base_url: str | None = None) -> Enrolment:
    """Record a registration for an open training as pending and e-mail a confirmation link to the address.

    A pending registration holds no seat: a form anyone can fill in must not fill the training or send e-mails
    that say more than "confirm or ignore". The seat (or the waiting list) comes with enrolment_confirm_email.
    Raises ValidationError when registration is closed or the address is already enrolled or awaiting confirmation.
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
            grammatical_form=data.grammatical_form,
        )
    now = timezone.now()
    active = (
        Enrolment.objects.select_for_update()
        .filter(training=training, participant=participant)
        .exclude(status=Enrolment.Status.CANCELLED)
        .first()
    )
    if (
        active is not None
        and active.status == Enrolment.Status.PENDING
        and active.created_at < now - confirmation_max_age()
    ):
        active.delete()  # its link has expired; the address may register afresh
        active = None
    if active is not None and active.status == Enrolment.Status.PENDING:
        hours = validity_text(settings.TRAININGS_CONFIRMATION_HOURS)
        raise ValidationError(
            {
                "email": _(
                    "Na ten adres wysłaliśmy już link potwierdzający zgłoszenie na to szkolenie. Sprawdź skrzynkę "
                    "(także folder ze spamem); link jest ważny przez %(hours)s od wysłania."
                )
                % {"hours": hours}
            }
        )
    if active is not None:
        raise ValidationError({"email": _("Osoba z tym adresem e-mail jest już zapisana na to szkolenie.")})

    enrolment = Enrolment.objects.create(
        training=training, participant=participant, status=Enrolment.Status.PENDING, consent_at=now
    )
    confirm_url = absolute_url(
        reverse("trainings:confirm-email", kwargs={"signature": enrolment_confirm_signature(enrolment)}), base_url
    )
    subject = _("Potwierdź zgłoszenie na szkolenie: %(title)s") % {"title": training.title}
    _email_after_commit(
        enrolment=enrolment,
        template="confirm_email",
        subject=subject,
        base_url=base_url,
        extra={"confirm_url": confirm_url, "valid_for": validity_text(settings.TRAININGS_CONFIRMATION_HOURS)},
    )
    return enrolment


@transaction.atomic
def enrolment_confirm_email(*, enrolment_id: int, base_url: str | None = None) -> Enrolment:
    """The owner of the address confirms a pending registration: a free seat gives "registered", a full training
    the waiting list. Confirming twice is harmless (the enrolment is returned as it is).

    The training row is locked first, so two people confirming for the last seat at once are serialised: the
    second sees it taken and is waitlisted. Raises ValidationError when the registration has expired or the
    training no longer takes registrations.
    """
    enrolment = Enrolment.objects.get(pk=enrolment_id)
    training = _lock_training(enrolment.training_id)
    enrolment = Enrolment.objects.select_for_update().select_related("participant").get(pk=enrolment_id)
    enrolment.training = training
    if enrolment.status != Enrolment.Status.PENDING:
        return enrolment
    now = timezone.now()
    if enrolment.created_at < now - confirmation_max_age():
        raise ValidationError(_("Link potwierdzający wygasł. Zgłoś się ponownie na stronie szkolenia."))
    if not training.is_open_for_registration:
        raise ValidationError(_("Rejestracja na to szkolenie została zamknięta. Zgłoszenie nie zostało przyjęte."))
    has_seat = Enrolment.objects.filter(training=training).holding_seat().count() < training.capacity
    enrolment.status = Enrolment.Status.REGISTERED if has_seat else Enrolment.Status.WAITLISTED
    enrolment.email_confirmed_at = now
    enrolment.waitlisted_at = None if has_seat else now
    enrolment.save(update_fields=["status", "email_confirmed_at", "waitlisted_at", "updated_at"])
    if has_seat:
        subject = _("Potwierdzenie zgłoszenia: %(title)s") % {"title": training.title}
        _email_after_commit(enrolment=enrolment, template="registered", subject=subject, base_url=base_url)
    else:
        subject = _("Lista rezerwowa: %(title)s") % {"title": training.title}
        _email_after_commit(enrolment=enrolment, template="waitlisted", subject=subject, base_url=base_url)
    return enrolment


@transaction.atomic
def enrolments_expire_pending(*, now: datetime.datetime | None = None) -> int:
    """Delete pending registrations whose confirmation link has expired, and the participants they created.

    A participant stays if anything else refers to them. Returns the number of registrations removed.
    """
    now = now or timezone.now()
    expired = Enrolment.objects.pending().filter(created_at__lt=now - confirmation_max_age())
    participant_ids = set(expired.values_list("participant_id", flat=True))
    count, _deleted = expired.delete()
    Participant.objects.filter(pk__in=participant_ids, enrolments__isnull=True).delete()
    return count


def enrolment_can_be_cancelled(*, training: Training) -> bool:
    return training.status not in (Training.Status.COMPLETED, Training.Status.CANCELLED)


@transaction.atomic
def enrolment_cancel(*, enrolment_id: int, base_url: str | None = None) -> Enrolment | None:
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


def _promote_from_waitlist(*, training: Training, base_url: str | None) -> Enrolment | None:
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


def training_completion_blocker(*, training: Training, now: datetime.datetime | None = None) -> str | None:
    """Why the training cannot be marked completed now (a sentence for the organiser), or None if it can.

    A training is completed only once it has ended: not before its end date, nor before its last session ends.
    """
    if Training.Status.COMPLETED not in STATUS_TRANSITIONS[training.status]:
        return _("Szkolenia o statusie „%(status)s” nie można zakończyć.") % {"status": training.get_status_display()}
    now = now or timezone.now()
    if timezone.localdate(now) < training.ends_on:
        return _("Szkolenie kończy się %(date)s. Oznaczyć je jako zakończone można dopiero od tego dnia.") % {
            "date": formats.date_format(training.ends_on, "j E Y")
        }
    last_end = TrainingSession.objects.filter(training=training).aggregate(last=Max("ends_at"))["last"]
    if last_end is not None and last_end > now:
        return _("Ostatnia sesja szkolenia kończy się %(time)s. Zakończ szkolenie po niej.") % {
            "time": formats.date_format(timezone.localtime(last_end), "j E Y, H:i")
        }
    return None


@transaction.atomic
def training_set_status(*, training_id: int, status: str, base_url: str | None = None, user=None) -> Training:
    """Move a training along planned -> open <-> closed -> completed (or cancelled at any point before completion).

    Completing goes through training_complete (its date rule and certificates apply however it is asked for).
    Cancelling a training tells everyone still enrolled (seat or waiting list) by e-mail.
    """
    if status == Training.Status.COMPLETED:
        training_complete(training_id=training_id, completed_by=user, base_url=base_url)
        return Training.objects.get(pk=training_id)
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
            .exclude(status__in=(Enrolment.Status.CANCELLED, Enrolment.Status.PENDING))
            .select_related("participant", "training")
        ):
            if enrolment.participant.email:
                _email_after_commit(
                    enrolment=enrolment, template="training_cancelled", subject=subject, base_url=base_url
                )
    return training


@transaction.atomic
def training_complete(
    *, training_id: int, completed_by=None, base_url: str | None = None, now: datetime.datetime | None = None
) -> list[Certificate]:
    """Mark a training completed and issue (and e-mail) a certificate to every eligible participant.

    Refused before the training has ended (training_completion_blocker). Returns the certificates issued.
    """
    training = _lock_training(training_id)
    blocker = training_completion_blocker(training=training, now=now)
    if blocker:
        raise ValidationError({"status": blocker})
    training.status = Training.Status.COMPLETED
    training.completed_at = now or timezone.now()
    training.completed_by = completed_by
    training.save(update_fields=["status", "completed_at", "completed_by", "updated_at"])
    return certificates_issue(training_id=training.pk, base_url=base_url)


def training_completion_undo_blocker(*, training: Training) -> str | None:
    """Why completing this training cannot be undone (a sentence), or None if it can."""
    if training.status != Training.Status.COMPLETED:
        return _("Szkolenie nie jest oznaczone jako zakończone.")
    if Certificate.objects.filter(enrolment__training=training, downloaded_at__isnull=False).exists():
        return _(
            "Co najmniej jedno zaświadczenie zostało już pobrane, więc zakończenia nie można cofnąć. "
            "Błędne zaświadczenie można unieważnić."
        )
    return None


@transaction.atomic
def training_completion_undo(*, training_id: int) -> Training:
    """Undo a completion while no certificate has been downloaded: the certificates are deleted (nobody holds a
    copy; their links and numbers stop working) and the training goes back to "registration closed"."""
    training = _lock_training(training_id)
    blocker = training_completion_undo_blocker(training=training)
    if blocker:
        raise ValidationError({"status": blocker})
    Certificate.objects.filter(enrolment__training=training).delete()
    training.status = Training.Status.CLOSED
    training.completed_at = None
    training.completed_by = None
    training.save(update_fields=["status", "completed_at", "completed_by", "updated_at"])
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


def _unused_short_codes(count: int) -> list[str]:
    """`count` fresh verification numbers, none already taken (a clash of 50-bit random codes is rare, yet possible)."""
    codes: set[str] = set()
    while len(codes) < count:
        wanted = {generate_short_code() for _i in range(count - len(codes))} - codes
        taken = set(Certificate.objects.filter(short_code__in=wanted).values_list("short_code", flat=True))
        codes |= wanted - taken
    return list(codes)


@transaction.atomic
def certificates_issue(*, training_id: int, base_url: str | None = None) -> list[Certificate]:
    """Issue a certificate to every eligible participant of a completed training who has none yet, and e-mail each
    of them a link to download it (after commit)."""
    from .selectors import eligible_enrolments

    training = _lock_training(training_id)
    if training.status != Training.Status.COMPLETED:
        raise ValidationError(_("Zaświadczenia wystawia się po zakończeniu szkolenia."))
    enrolments = list(
        eligible_enrolments().filter(training=training, certificate__isnull=True).select_related("participant")
    )
    codes = _unused_short_codes(len(enrolments))
    certificates = Certificate.objects.bulk_create(
        Certificate(
            enrolment=enrolment, number=certificate_number(training=training, enrolment=enrolment), short_code=code
        )
        for enrolment, code in zip(enrolments, codes, strict=True)
    )
    subject = _("Zaświadczenie ukończenia szkolenia: %(title)s") % {"title": training.title}
    for certificate in certificates:
        enrolment = certificate.enrolment
        enrolment.training = training
        if not enrolment.participant.email:
            continue
        _email_after_commit(
            enrolment=enrolment,
            template="certificate_issued",
            subject=subject,
            base_url=base_url,
            extra={
                "certificate": certificate,
                "download_url": absolute_url(certificate.get_download_url(), base_url),
                "verify_url": absolute_url(reverse("trainings:certificate-lookup"), base_url),
            },
        )
    return certificates


def certificates_mark_downloaded(*, certificate_ids) -> None:
    """Record the first download of certificates (from then on the training's completion cannot be undone)."""
    Certificate.objects.filter(pk__in=list(certificate_ids), downloaded_at__isnull=True).update(
        downloaded_at=timezone.now()
    )


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

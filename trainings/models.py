"""Training records: programmes with targets, training events and their sessions, institutions, participants,
enrolments (with a waiting list), attendance per session and certificates.

Personal data lives only in Participant (names, e-mail, position). Anonymisation blanks those fields and keeps
every row, so reports count the same before and after it.
"""

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cooperatives.models import TerritorialUnit
from core.models import TimeStampedModel


class InstitutionType(models.TextChoices):
    GMINA_OFFICE = "gmina_office", _("urząd gminy / miasta")
    STAROSTWO = "starostwo", _("starostwo powiatowe")
    MARSHAL_OFFICE = "marshal_office", _("urząd marszałkowski")
    SOCIAL_ASSISTANCE = "ops", _("ośrodek pomocy społecznej (OPS / MOPS / GOPS)")
    PCPR = "pcpr", _("powiatowe centrum pomocy rodzinie (PCPR)")
    PUP = "pup", _("powiatowy urząd pracy (PUP)")
    WUP = "wup", _("wojewódzki urząd pracy (WUP)")
    ROPS = "rops", _("regionalny ośrodek polityki społecznej (ROPS)")
    OWES = "owes", _("ośrodek wsparcia ekonomii społecznej (OWES)")
    NGO = "ngo", _("organizacja pozarządowa")
    OTHER = "other", _("inna")


class Topic(models.TextChoices):
    BASICS = "basics", _("spółdzielnie socjalne – podstawy")
    FOUNDING = "founding", _("zakładanie spółdzielni socjalnej przez JST i NGO")
    PUBLIC_PROCUREMENT = "procurement", _("społecznie odpowiedzialne zamówienia publiczne")
    COMMISSIONING = "commissioning", _("zlecanie zadań publicznych")
    PUBLIC_SERVICES = "public_services", _("usługi użyteczności publicznej")
    REINTEGRATION = "reintegration", _("reintegracja społeczna i zawodowa")
    COOPERATION = "cooperation", _("współpraca z instytucjami rynku pracy i pomocy społecznej")
    OTHER = "other", _("inne")


class TrainingProgramme(TimeStampedModel):
    """A programme of trainings with its targets (e.g. 200 trainings for 3,000 people in 2012-2015)."""

    name = models.CharField(_("nazwa"), max_length=200, unique=True)
    description = models.TextField(_("opis"), blank=True)
    target_trainings = models.PositiveIntegerField(_("docelowa liczba szkoleń"))
    target_participants = models.PositiveIntegerField(_("docelowa liczba przeszkolonych osób"))
    starts_on = models.DateField(_("początek okresu"))
    ends_on = models.DateField(_("koniec okresu"))
    is_demo = models.BooleanField(_("dane demonstracyjne"), default=False, editable=False)

    class Meta:
        verbose_name = _("program szkoleń")
        verbose_name_plural = _("programy szkoleń")
        ordering = ["-starts_on", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="programme_period_ordered"),
        ]

    def __str__(self):
        return self.name


class TrainingQuerySet(models.QuerySet):
    def held(self):
        return self.filter(status=Training.Status.COMPLETED)

    def organised_by(self, user):
        return self.filter(organisers=user)


class Training(TimeStampedModel):
    """A training event: one or more sessions, at a venue in a gmina or online."""

    class Format(models.TextChoices):
        IN_PERSON = "in_person", _("stacjonarne")
        ONLINE = "online", _("online")
        HYBRID = "hybrid", _("hybrydowe")

    class Status(models.TextChoices):
        PLANNED = "planned", _("planowane")
        OPEN = "open", _("otwarta rejestracja")
        CLOSED = "closed", _("rejestracja zamknięta")
        COMPLETED = "completed", _("zakończone")
        CANCELLED = "cancelled", _("odwołane")

    programme = models.ForeignKey(
        TrainingProgramme,
        verbose_name=_("program"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="trainings",
    )
    title = models.CharField(_("tytuł"), max_length=200)
    description = models.TextField(_("opis"), blank=True)
    topic = models.CharField(_("temat"), max_length=20, choices=Topic.choices)
    format = models.CharField(_("forma"), max_length=10, choices=Format.choices, default=Format.IN_PERSON)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PLANNED)
    starts_on = models.DateField(_("data rozpoczęcia"))
    ends_on = models.DateField(_("data zakończenia"))
    venue = models.CharField(_("miejsce"), max_length=200, blank=True)
    gmina = models.ForeignKey(
        TerritorialUnit,
        verbose_name=_("gmina"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="trainings",
        limit_choices_to={"level": TerritorialUnit.Level.GMINA},
    )
    # Derived from the gmina on save (never typed), so reports group by them in the database.
    powiat = models.ForeignKey(
        TerritorialUnit, verbose_name=_("powiat"), on_delete=models.PROTECT, null=True, editable=False, related_name="+"
    )
    voivodeship = models.ForeignKey(
        TerritorialUnit,
        verbose_name=_("województwo"),
        on_delete=models.PROTECT,
        null=True,
        editable=False,
        related_name="+",
    )
    organisers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("organizatorzy"), blank=True, related_name="organised_trainings"
    )
    trainers = models.TextField(_("trenerzy"), blank=True, help_text=_("Jedna osoba w wierszu."))
    materials = models.ManyToManyField(
        "publications.Publication", verbose_name=_("materiały z biblioteki"), blank=True, related_name="trainings"
    )
    capacity = models.PositiveIntegerField(_("liczba miejsc"))
    target_institution_types = models.JSONField(
        _("instytucje docelowe"), default=list, blank=True, help_text=_("Typy instytucji, do których kierowane jest.")
    )
    required_attendance_percent = models.PositiveSmallIntegerField(
        _("wymagana frekwencja do zaświadczenia (%)"), default=80
    )
    # Printed on every certificate: who issues it, how long the training was and what it covered.
    issuer = models.CharField(
        _("organizator (wystawca zaświadczeń)"),
        max_length=200,
        blank=True,
        help_text=_("Pełna nazwa instytucji. Puste: nazwa portalu."),
    )
    hours = models.PositiveSmallIntegerField(
        _("liczba godzin"),
        null=True,
        blank=True,
        help_text=_("Wymiar szkolenia w godzinach. Puste: suma czasu trwania sesji."),
    )
    curriculum = models.TextField(
        _("program szkolenia"), blank=True, help_text=_("Zagadnienia, jedno w wierszu; drukowane na zaświadczeniu.")
    )
    completed_at = models.DateTimeField(_("zakończono"), null=True, blank=True, editable=False)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("zakończył(a)"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    is_demo = models.BooleanField(_("dane demonstracyjne"), default=False, editable=False)

    objects = TrainingQuerySet.as_manager()

    class Meta:
        verbose_name = _("szkolenie")
        verbose_name_plural = _("szkolenia")
        ordering = ["starts_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="training_dates_ordered"),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="training_capacity_positive"),
            models.CheckConstraint(
                condition=Q(required_attendance_percent__gte=1, required_attendance_percent__lte=100),
                name="training_required_attendance_range",
            ),
            models.CheckConstraint(
                condition=Q(format="online") | Q(gmina__isnull=False),
                name="training_venue_gmina_unless_online",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "starts_on"], name="training_status_start_idx"),
            models.Index(fields=["voivodeship", "starts_on"], name="training_voiv_start_idx"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("trainings:detail", kwargs={"pk": self.pk})

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("Data zakończenia nie może być wcześniejsza niż data rozpoczęcia.")})
        if self.format != self.Format.ONLINE and not self.gmina_id:
            raise ValidationError({"gmina": _("Podaj gminę miejsca szkolenia (nie dotyczy szkoleń online).")})

    def refresh_derived_fields(self):
        self.powiat_id = self.gmina_id[:4] if self.gmina_id else None
        self.voivodeship_id = self.gmina_id[:2] if self.gmina_id else None

    def save(self, *args, **kwargs):
        self.refresh_derived_fields()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "powiat", "voivodeship"}
        super().save(*args, **kwargs)

    @property
    def is_open_for_registration(self) -> bool:
        return self.status == self.Status.OPEN

    def get_target_institution_types_display(self) -> list[str]:
        labels = dict(InstitutionType.choices)
        return [labels.get(value, value) for value in self.target_institution_types or []]

    def get_issuer(self) -> str:
        return self.issuer or settings.SITE_NAME

    def get_curriculum_items(self) -> list[str]:
        return [line.strip() for line in self.curriculum.splitlines() if line.strip()]


class TrainingSession(models.Model):
    """One meeting of a training (a day, or part of one). Attendance is recorded per session."""

    training = models.ForeignKey(
        Training, verbose_name=_("szkolenie"), on_delete=models.CASCADE, related_name="sessions"
    )
    title = models.CharField(_("tytuł"), max_length=200, blank=True)
    starts_at = models.DateTimeField(_("początek"))
    ends_at = models.DateTimeField(_("koniec"))

    class Meta:
        verbose_name = _("sesja szkolenia")
        verbose_name_plural = _("sesje szkolenia")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="session_ends_after_start"),
        ]

    def __str__(self):
        return self.title or f"{self.training} – {self.starts_at:%Y-%m-%d %H:%M}"

    def clean(self):
        from django.core.exceptions import ValidationError
        from django.utils import timezone

        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("Sesja musi kończyć się po rozpoczęciu.")})
        if self.training_id and self.starts_at:
            day = timezone.localtime(self.starts_at).date()
            if not self.training.starts_on <= day <= self.training.ends_on:
                raise ValidationError({"starts_at": _("Sesja musi mieścić się w terminie szkolenia.")})


class Institution(models.Model):
    """A participant's employer: a local-government office or social-policy institution, with its gmina."""

    name = models.CharField(_("nazwa"), max_length=250)
    type = models.CharField(_("typ"), max_length=20, choices=InstitutionType.choices)
    gmina = models.ForeignKey(
        TerritorialUnit,
        verbose_name=_("gmina"),
        on_delete=models.PROTECT,
        related_name="training_institutions",
        limit_choices_to={"level": TerritorialUnit.Level.GMINA},
    )
    is_demo = models.BooleanField(_("dane demonstracyjne"), default=False, editable=False)

    class Meta:
        verbose_name = _("instytucja")
        verbose_name_plural = _("instytucje")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["name", "type", "gmina"], name="institution_unique_name_type_gmina"),
        ]

    def __str__(self):
        return self.name


class GrammaticalForm(models.TextChoices):
    """How a certificate states completion: Polish past tense agrees with the person (ukończyła / ukończył)."""

    FEMININE = "f", _("ukończyła")
    MASCULINE = "m", _("ukończył")


class Participant(TimeStampedModel):
    """A person who registered for a training. Identified by e-mail until anonymised."""

    first_name = models.CharField(_("imię"), max_length=100)
    last_name = models.CharField(_("nazwisko"), max_length=100)
    email = models.EmailField(_("e-mail"), blank=True)
    institution = models.ForeignKey(
        Institution, verbose_name=_("instytucja"), on_delete=models.PROTECT, related_name="participants"
    )
    position = models.CharField(_("stanowisko"), max_length=150, blank=True)
    grammatical_form = models.CharField(
        _("forma gramatyczna"), max_length=1, choices=GrammaticalForm.choices, blank=True, default=""
    )
    anonymised_at = models.DateTimeField(_("zanonimizowano"), null=True, blank=True, editable=False)
    is_demo = models.BooleanField(_("dane demonstracyjne"), default=False, editable=False)

    class Meta:
        verbose_name = _("uczestnik")
        verbose_name_plural = _("uczestnicy")
        ordering = ["last_name", "first_name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["email"], condition=~Q(email=""), name="participant_unique_email"),
            models.CheckConstraint(
                condition=Q(anonymised_at__isnull=True) | Q(email="", position=""),
                name="participant_anonymised_has_no_contact",
            ),
        ]

    def __str__(self):
        return self.full_name

    @property
    def full_name(self) -> str:
        if self.anonymised_at:
            return str(_("uczestnik zanonimizowany"))
        return f"{self.first_name} {self.last_name}".strip()

    def completed_verb(self) -> str:
        """ "ukończyła" / "ukończył", or the neutral "ukończył(a)" when the form is unknown."""
        if self.grammatical_form in GrammaticalForm.values:
            return str(GrammaticalForm(self.grammatical_form).label)
        return str(_("ukończył(a)"))


class EnrolmentQuerySet(models.QuerySet):
    def holding_seat(self):
        return self.filter(status__in=Enrolment.SEAT_STATUSES)

    def waitlisted(self):
        return self.filter(status=Enrolment.Status.WAITLISTED).order_by("created_at", "pk")

    def pending(self):
        return self.filter(status=Enrolment.Status.PENDING)


class Enrolment(TimeStampedModel):
    """A participant's registration for a training. Registered and confirmed enrolments hold a seat.

    A registration from the public form starts as pending and holds no seat until the link e-mailed to the
    address is followed (services.enrolment_confirm_email).
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("czeka na potwierdzenie adresu e-mail")
        REGISTERED = "registered", _("zgłoszony")
        WAITLISTED = "waitlisted", _("lista rezerwowa")
        CONFIRMED = "confirmed", _("potwierdzony")
        CANCELLED = "cancelled", _("anulowany")

    SEAT_STATUSES = (Status.REGISTERED, Status.CONFIRMED)

    training = models.ForeignKey(
        Training, verbose_name=_("szkolenie"), on_delete=models.PROTECT, related_name="enrolments"
    )
    participant = models.ForeignKey(
        Participant, verbose_name=_("uczestnik"), on_delete=models.PROTECT, related_name="enrolments"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.REGISTERED)
    # The cancellation link in the confirmation e-mail carries this token, signed; it is never shown elsewhere.
    cancel_token = models.UUIDField(_("token anulowania"), default=uuid.uuid4, unique=True, editable=False)
    consent_at = models.DateTimeField(_("zapoznanie z informacją o danych osobowych"))
    email_confirmed_at = models.DateTimeField(_("potwierdzono adres e-mail"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("potwierdzono"), null=True, blank=True)
    waitlisted_at = models.DateTimeField(_("wpisano na listę rezerwową"), null=True, blank=True)
    promoted_at = models.DateTimeField(_("przeniesiono z listy rezerwowej"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("anulowano"), null=True, blank=True)

    objects = EnrolmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("zgłoszenie")
        verbose_name_plural = _("zgłoszenia")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["training", "participant"],
                condition=~Q(status="cancelled"),
                name="enrolment_one_active_per_participant",
            ),
            models.CheckConstraint(
                condition=~Q(status="cancelled") | Q(cancelled_at__isnull=False),
                name="enrolment_cancelled_has_timestamp",
            ),
        ]
        indexes = [models.Index(fields=["training", "status"], name="enrolment_training_status_idx")]

    def __str__(self):
        return f"{self.participant} – {self.training}"

    @property
    def holds_seat(self) -> bool:
        return self.status in self.SEAT_STATUSES


class Attendance(models.Model):
    """Whether an enrolled participant attended one session. Present and late count towards a certificate."""

    class Status(models.TextChoices):
        PRESENT = "present", _("obecny")
        LATE = "late", _("spóźniony")
        ABSENT = "absent", _("nieobecny")
        EXCUSED = "excused", _("nieobecność usprawiedliwiona")

    ATTENDED_STATUSES = (Status.PRESENT, Status.LATE)

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="attendances")
    session = models.ForeignKey(TrainingSession, on_delete=models.CASCADE, related_name="attendances")
    status = models.CharField(_("obecność"), max_length=10, choices=Status.choices)
    marked_at = models.DateTimeField(_("zaznaczono"), auto_now=True)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("obecność")
        verbose_name_plural = _("obecności")
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "session"], name="attendance_unique_enrolment_session"),
        ]

    def __str__(self):
        return f"{self.enrolment} – {self.session}: {self.get_status_display()}"


# Crockford's base32: no I, L, O or U, so a number copied from paper cannot be misread; 10 characters = 50 bits.
SHORT_CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
SHORT_CODE_LENGTH = 10
_SHORT_CODE_READS_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})


def generate_short_code() -> str:
    return "".join(secrets.choice(SHORT_CODE_ALPHABET) for _i in range(SHORT_CODE_LENGTH))


def normalise_short_code(value: str) -> str:
    """A typed verification number in its stored form: upper case, without spaces or dashes, O read as 0, I and L
    as 1. Returns "" when it cannot be a number."""
    value = "".join(value.split()).replace("-", "").upper().translate(_SHORT_CODE_READS_AS)
    if len(value) != SHORT_CODE_LENGTH or any(char not in SHORT_CODE_ALPHABET for char in value):
        return ""
    return value


class Certificate(models.Model):
    """A certificate of completion. The number is printed; the UUID makes the verification URL of the QR code, the
    short code is what a person types from paper, and the download token is the participant's own link."""

    enrolment = models.OneToOneField(Enrolment, on_delete=models.PROTECT, related_name="certificate")
    number = models.CharField(_("numer"), max_length=30, unique=True)
    verification_code = models.UUIDField(_("kod weryfikacyjny"), default=uuid.uuid4, unique=True, editable=False)
    short_code = models.CharField(
        _("numer weryfikacyjny"), max_length=SHORT_CODE_LENGTH, unique=True, default=generate_short_code, editable=False
    )
    download_token = models.UUIDField(_("token pobrania"), default=uuid.uuid4, unique=True, editable=False)
    issued_at = models.DateTimeField(_("wystawiono"), auto_now_add=True)
    downloaded_at = models.DateTimeField(_("pierwsze pobranie"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("unieważniono"), null=True, blank=True)

    class Meta:
        verbose_name = _("zaświadczenie")
        verbose_name_plural = _("zaświadczenia")
        ordering = ["number"]

    def __str__(self):
        return self.number

    def get_verification_url(self):
        return reverse("trainings:certificate-verify", kwargs={"code": self.verification_code})

    def get_download_url(self):
        return reverse("trainings:certificate-download", kwargs={"token": self.download_token})

    @property
    def is_valid(self) -> bool:
        return self.revoked_at is None

    @property
    def short_code_display(self) -> str:
        half = SHORT_CODE_LENGTH // 2
        return f"{self.short_code[:half]}-{self.short_code[half:]}"

"""Monitoring survey waves: a wave's questionnaire (sections, questions, choices) and the cooperatives' answers.

Answers keep their value in typed columns (a decimal for every number, a boolean, a text, chosen choices) so the
database can aggregate them; see monitoring/README.md.
"""

import functools
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cooperatives.models import Cooperative
from core.models import TimeStampedModel
from core.text import data_label


class WaveQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Wave.Status.PUBLISHED)

    def open(self):
        return self.filter(status=Wave.Status.OPEN)


class Wave(TimeStampedModel):
    """One round of the survey, about one reference year."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("w przygotowaniu")
        OPEN = "open", _("otwarta")
        CLOSED = "closed", _("zamknięta")
        PUBLISHED = "published", _("opublikowana")

    name = models.CharField(_("nazwa"), max_length=200, unique=True)
    reference_year = models.PositiveSmallIntegerField(_("rok, którego dotyczy"))
    opens_on = models.DateField(_("data otwarcia"))
    closes_on = models.DateField(_("data zamknięcia"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)

    objects = WaveQuerySet.as_manager()

    class Meta:
        verbose_name = _("fala badania")
        verbose_name_plural = _("fale badania")
        ordering = ["-reference_year", "-opens_on"]
        constraints = [
            models.CheckConstraint(condition=Q(closes_on__gte=F("opens_on")), name="wave_closes_after_opening"),
            models.CheckConstraint(
                condition=Q(reference_year__gte=2000, reference_year__lte=2100), name="wave_reference_year_range"
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def is_questionnaire_frozen(self) -> bool:
        """Once a wave opens, answers refer to its questions: the questionnaire may no longer change."""
        return self.status != self.Status.DRAFT

    @property
    def is_accepting_answers(self) -> bool:
        return self.status == self.Status.OPEN and self.opens_on <= timezone.localdate() <= self.closes_on

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED


class Section(models.Model):
    wave = models.ForeignKey(Wave, verbose_name=_("fala"), on_delete=models.CASCADE, related_name="sections")
    order = models.PositiveSmallIntegerField(_("kolejność"), default=0)
    title = models.CharField(_("tytuł"), max_length=200)
    description = models.TextField(_("opis"), blank=True)

    class Meta:
        verbose_name = _("część kwestionariusza")
        verbose_name_plural = _("części kwestionariusza")
        ordering = ["wave", "order", "pk"]

    def __str__(self):
        return self.title


class Question(models.Model):
    """One question. Its code is stable across waves: answers are compared and pre-filled by code."""

    class Type(models.TextChoices):
        INTEGER = "integer", _("liczba całkowita")
        AMOUNT = "amount", _("kwota w zł")
        PERCENTAGE = "percentage", _("odsetek (%)")
        YES_NO = "yes_no", _("tak / nie")
        SINGLE_CHOICE = "single_choice", _("jednokrotny wybór")
        MULTIPLE_CHOICE = "multiple_choice", _("wielokrotny wybór")
        SHORT_TEXT = "short_text", _("krótki tekst")
        LONG_TEXT = "long_text", _("długi tekst")

    NUMERIC_TYPES = (Type.INTEGER, Type.AMOUNT, Type.PERCENTAGE)
    CHOICE_TYPES = (Type.SINGLE_CHOICE, Type.MULTIPLE_CHOICE)
    TEXT_TYPES = (Type.SHORT_TEXT, Type.LONG_TEXT, Type.SINGLE_CHOICE)

    wave = models.ForeignKey(Wave, verbose_name=_("fala"), on_delete=models.CASCADE, related_name="questions")
    section = models.ForeignKey(Section, verbose_name=_("część"), on_delete=models.CASCADE, related_name="questions")
    order = models.PositiveSmallIntegerField(_("kolejność"), default=0)
    code = models.SlugField(_("kod"), max_length=60)
    text = models.CharField(_("treść pytania"), max_length=500)
    type = models.CharField(_("typ"), max_length=20, choices=Type.choices)
    is_required = models.BooleanField(_("wymagane"), default=False)
    min_value = models.DecimalField(_("wartość minimalna"), max_digits=18, decimal_places=2, null=True, blank=True)
    max_value = models.DecimalField(_("wartość maksymalna"), max_digits=18, decimal_places=2, null=True, blank=True)
    unit = models.CharField(_("jednostka"), max_length=30, blank=True)
    help_text = models.CharField(_("objaśnienie"), max_length=500, blank=True)
    condition_question = models.ForeignKey(
        "self",
        verbose_name=_("pokazuj tylko, gdy pytanie"),
        # a question shown only after another one makes no sense without it
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="dependent_questions",
    )
    condition_value = models.CharField(_("ma wartość"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("pytanie")
        verbose_name_plural = _("pytania")
        ordering = ["wave", "section__order", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["wave", "code"], name="question_unique_code_per_wave"),
            models.CheckConstraint(
                condition=Q(min_value__isnull=True) | Q(max_value__isnull=True) | Q(max_value__gte=F("min_value")),
                name="question_min_not_above_max",
            ),
            models.CheckConstraint(
                condition=Q(condition_question__isnull=True, condition_value="")
                | Q(condition_question__isnull=False) & ~Q(condition_value=""),
                name="question_condition_complete",
            ),
        ]

    def __str__(self):
        return f"{self.code}: {self.text}"

    @property
    def is_numeric(self) -> bool:
        return self.type in self.NUMERIC_TYPES

    @property
    def is_conditional(self) -> bool:
        return self.condition_question_id is not None

    @property
    def condition_value_label(self) -> str:
        """The condition as the respondent reads it: the choice's label rather than its code."""
        parent = self.condition_question
        if parent is not None and parent.type in self.CHOICE_TYPES:
            for choice in parent.choices.all():
                if choice.code == self.condition_value:
                    return data_label(choice.label)
        return data_label(self.condition_value)  # "tak" / "nie" of a yes-no question


class Choice(models.Model):
    question = models.ForeignKey(Question, verbose_name=_("pytanie"), on_delete=models.CASCADE, related_name="choices")
    order = models.PositiveSmallIntegerField(_("kolejność"), default=0)
    code = models.SlugField(_("kod"), max_length=60)
    label = models.CharField(_("etykieta"), max_length=200)

    class Meta:
        verbose_name = _("odpowiedź do wyboru")
        verbose_name_plural = _("odpowiedzi do wyboru")
        ordering = ["question", "order", "pk"]
        constraints = [models.UniqueConstraint(fields=["question", "code"], name="choice_unique_code_per_question")]

    def __str__(self):
        return self.label


@functools.lru_cache(maxsize=1024)
def split_codes(text: str) -> tuple[str, ...]:
    """Question codes written in a rule's field, separated by spaces or commas (a code has neither); cached, as the
    staff's report checks every response of a wave against the same few rules."""
    return tuple(text.replace(",", " ").split())


class Rule(models.Model):
    """A consistency rule between a wave's numeric answers, declared with its questionnaire (monitoring/rules.py
    checks them in every channel). Unlike the questions, rules may be added to a wave that is already open: they
    change no answer, and the staff's report lists the responses that break a rule added later."""

    class Kind(models.TextChoices):
        NOT_ABOVE = "not_above", _("część nie większa niż całość (A ≤ B)")
        SUM_EQUALS = "sum_equals", _("suma części równa całości (A = B)")
        SHARE_AT_LEAST = "share_at_least", _("odsetek nie mniejszy, niż wynika z kwot (P ≥ 100 × A / B)")
        SHARE_AT_MOST = "share_at_most", _("odsetek nie większy, niż wynika z kwot (P ≤ 100 × A / B)")

    SHARE_KINDS = (Kind.SHARE_AT_LEAST, Kind.SHARE_AT_MOST)

    wave = models.ForeignKey(Wave, verbose_name=_("fala"), on_delete=models.CASCADE, related_name="rules")
    order = models.PositiveSmallIntegerField(_("kolejność"), default=0)
    kind = models.CharField(_("rodzaj"), max_length=20, choices=Kind.choices)
    parts = models.CharField(
        _("część (A)"),
        max_length=500,
        help_text=_("Kody pytań liczbowych oddzielone spacją; kilka kodów to ich suma."),
    )
    whole = models.CharField(
        _("całość (B)"),
        max_length=500,
        help_text=_("Kody pytań liczbowych oddzielone spacją; kilka kodów to ich suma."),
    )
    share_question = models.SlugField(
        _("pytanie o odsetek (P)"),
        max_length=60,
        blank=True,
        help_text=_("Tylko w regułach o odsetku: kod pytania typu „odsetek (%)”."),
    )
    tolerance = models.DecimalField(
        _("dopuszczalna różnica"),
        max_digits=18,
        decimal_places=2,
        default=0,
        help_text=_("W jednostkach całości; w regułach o odsetku w punktach procentowych."),
    )

    class Meta:
        verbose_name = _("reguła spójności odpowiedzi")
        verbose_name_plural = _("reguły spójności odpowiedzi")
        ordering = ["wave", "order", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(tolerance__gte=0), name="rule_tolerance_not_negative"),
            models.CheckConstraint(
                condition=Q(kind__in=["share_at_least", "share_at_most"]) & ~Q(share_question="")
                | ~Q(kind__in=["share_at_least", "share_at_most"]) & Q(share_question=""),
                name="rule_share_question_only_for_shares",
            ),
        ]

    def __str__(self):
        parts, whole = " + ".join(self.part_codes), " + ".join(self.whole_codes)
        if self.kind == self.Kind.NOT_ABOVE:
            return f"{parts} ≤ {whole}"
        if self.kind == self.Kind.SUM_EQUALS:
            return f"{parts} = {whole}"
        sign = "≥" if self.kind == self.Kind.SHARE_AT_LEAST else "≤"
        return f"{self.share_question} {sign} 100 × ({parts}) / ({whole})"

    @property
    def part_codes(self) -> tuple[str, ...]:
        return split_codes(self.parts)

    @property
    def whole_codes(self) -> tuple[str, ...]:
        return split_codes(self.whole)

    @property
    def codes(self) -> list[str]:
        """Every question the rule names, the share first."""
        share = [self.share_question] if self.share_question else []
        return [*share, *self.part_codes, *self.whole_codes]

    def clean(self):
        errors = {}
        is_share = self.kind in self.SHARE_KINDS
        if is_share and not self.share_question:
            errors["share_question"] = _("Reguła o odsetku wymaga pytania o odsetek.")
        if not is_share and self.share_question:
            errors["share_question"] = _("Pytanie o odsetek podaje się tylko w regułach o odsetku.")
        if not self.part_codes:
            errors["parts"] = _("Podaj co najmniej jeden kod pytania.")
        if not self.whole_codes:
            errors["whole"] = _("Podaj co najmniej jeden kod pytania.")
        if not is_share and set(self.part_codes) & set(self.whole_codes):
            # a share's parts are usually within its whole (public revenue of all revenue); a part of itself is not
            errors.setdefault("whole", _("To samo pytanie nie może być częścią i całością."))
        if self.wave_id and not errors:
            types = dict(Question.objects.filter(wave_id=self.wave_id).values_list("code", "type"))
            for name, codes in (("parts", self.part_codes), ("whole", self.whole_codes)):
                wrong = [code for code in codes if types.get(code) not in Question.NUMERIC_TYPES]
                if wrong:
                    errors[name] = _("To nie są kody pytań liczbowych tej fali: %(codes)s.") % {
                        "codes": ", ".join(wrong)
                    }
            if is_share and types.get(self.share_question) != Question.Type.PERCENTAGE:
                errors["share_question"] = _("To nie jest kod pytania typu „odsetek (%)” tej fali.")
        if errors:
            raise ValidationError(errors)


RECORD_KEY_LIMIT = 2**31


def new_record_key() -> int:
    """A response's secret record key (statistics.py: the cell-key method of disclosure control)."""
    return secrets.randbelow(RECORD_KEY_LIMIT)


class ResponseQuerySet(models.QuerySet):
    def submitted(self):
        return self.filter(status=Response.Status.SUBMITTED)


class Response(TimeStampedModel):
    """A cooperative's answers in one wave: one per cooperative and wave."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("szkic")
        SUBMITTED = "submitted", _("przesłana")

    class Verification(models.TextChoices):
        PENDING = "", _("niezweryfikowana")
        VERIFIED = "verified", _("zweryfikowana")
        NEEDS_CORRECTION = "needs_correction", _("wymaga poprawy")

    class Source(models.TextChoices):
        ONLINE = "online", _("formularz online")
        STAFF = "staff", _("wprowadzona przez pracownika")
        IMPORT = "import", _("import z pliku")

    wave = models.ForeignKey(Wave, verbose_name=_("fala"), on_delete=models.PROTECT, related_name="responses")
    cooperative = models.ForeignKey(
        Cooperative, verbose_name=_("spółdzielnia"), on_delete=models.CASCADE, related_name="survey_responses"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    source = models.CharField(_("źródło"), max_length=10, choices=Source.choices, default=Source.ONLINE)
    submitted_at = models.DateTimeField(_("przesłano"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("przesłał(a)"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    verification = models.CharField(
        _("weryfikacja"), max_length=20, choices=Verification.choices, default=Verification.PENDING, blank=True
    )
    verification_comment = models.TextField(_("uwagi weryfikującego"), blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("zweryfikował(a)"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    verified_at = models.DateTimeField(_("zweryfikowano"), null=True, blank=True)
    # Optimistic concurrency: a save based on an older version is refused instead of overwriting.
    version = models.PositiveIntegerField(_("wersja"), default=1)
    # A random number that never leaves the database (not in the API, the microdata or the admin): a statistics
    # cell's key is the sum of its responses' record keys, so the same cooperatives always get the same noise.
    record_key = models.IntegerField(_("klucz rekordu"), default=new_record_key, editable=False)

    objects = ResponseQuerySet.as_manager()

    class Meta:
        verbose_name = _("odpowiedź spółdzielni")
        verbose_name_plural = _("odpowiedzi spółdzielni")
        ordering = ["wave", "cooperative__name"]
        constraints = [
            models.UniqueConstraint(fields=["wave", "cooperative"], name="response_one_per_cooperative_and_wave"),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(submitted_at__isnull=False), name="response_submitted_has_time"
            ),
            models.CheckConstraint(
                condition=Q(record_key__gte=0, record_key__lt=RECORD_KEY_LIMIT), name="response_record_key_range"
            ),
        ]
        indexes = [models.Index(fields=["wave", "status"], name="response_wave_status_idx")]

    def __str__(self):
        return f"{self.cooperative} – {self.wave}"


class Answer(models.Model):
    """One answer. Numbers (integers, amounts, percentages) share a decimal column, so sums run in the database."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    numeric_value = models.DecimalField(max_digits=18, decimal_places=2, null=True, blank=True)
    bool_value = models.BooleanField(null=True, blank=True)
    text_value = models.TextField(blank=True)
    selected_choices = models.ManyToManyField(Choice, blank=True, related_name="answers")

    class Meta:
        verbose_name = _("odpowiedź na pytanie")
        verbose_name_plural = _("odpowiedzi na pytania")
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="answer_one_per_question"),
        ]
        indexes = [
            # Carries the number, so the statistics read the answers of a wave's questions from the index alone
            # (an index-only scan on PostgreSQL; statistics._grouped).
            models.Index(fields=["question", "response"], include=["numeric_value"], name="answer_question_num_idx")
        ]

    def __str__(self):
        return f"{self.question.code} = {self.display_value()}"

    def python_value(self, choice_codes=None):
        """The value as the questionnaire form expects it (choice codes for choices)."""
        question_type = self.question.type
        if question_type in Question.NUMERIC_TYPES:
            if self.numeric_value is None:
                return None
            return int(self.numeric_value) if question_type == Question.Type.INTEGER else self.numeric_value
        if question_type == Question.Type.YES_NO:
            return self.bool_value
        if question_type == Question.Type.MULTIPLE_CHOICE:
            if choice_codes is not None:
                return list(choice_codes)
            return [choice.code for choice in self.selected_choices.all()]
        return self.text_value

    def display_value(self) -> str:
        value = self.python_value()
        if value is None:
            return ""
        if isinstance(value, bool):
            return str(_("tak") if value else _("nie"))
        if isinstance(value, list):
            return ";".join(value)
        return str(value)


class StatisticsVersion(models.Model):
    """A counter per wave of the changes to what its statistics count (answers, response status), raised in the
    same transaction as the change (`bump_statistics_version`, the signals in monitoring/signals.py): cached
    aggregates are keyed by it, so a cached value is never older than the data its key names.

    A table of its own rather than a column of Wave: a Wave saved from a stale instance (admin form, tests) must
    not move the counter back."""

    wave = models.OneToOneField(Wave, on_delete=models.CASCADE, primary_key=True, related_name="statistics_version")
    number = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("wersja statystyk fali")
        verbose_name_plural = _("wersje statystyk fal")

    def __str__(self):
        return f"{self.wave_id}: {self.number}"


class RegistrySnapshot(models.Model):
    """The registry's counts when a wave closed (`services.wave_set_status`), so a wave's statistics are shown next
    to the registry as it was then, not as it is today."""

    wave = models.OneToOneField(Wave, on_delete=models.CASCADE, primary_key=True, related_name="registry_snapshot")
    taken_at = models.DateTimeField(_("stan na"))
    registered = models.PositiveIntegerField(_("zarejestrowane"))
    active = models.PositiveIntegerField(_("aktywne"))
    liquidation = models.PositiveIntegerField(_("w likwidacji"))

    class Meta:
        verbose_name = _("stan rejestru przy zamknięciu fali")
        verbose_name_plural = _("stany rejestru przy zamknięciu fal")

    def __str__(self):
        return f"{self.wave_id}: {self.registered}"


class AnswerImport(models.Model):
    """One upload of a wave's answers, imported by a worker (monitoring.tasks.import_answers). The file is kept here
    until the import ends (every app server and worker can read it), then emptied; the outcome stays: counts, the
    file's errors, or the message saying why it could not be read."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("w kolejce")
        RUNNING = "running", _("trwa")
        DONE = "done", _("zaimportowano")
        REJECTED = "rejected", _("błędy w pliku – nic nie zapisano")
        FAILED = "failed", _("nie udało się – nic nie zapisano")

    FINISHED = (Status.DONE, Status.REJECTED, Status.FAILED)

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="imports", verbose_name=_("fala"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("kto")
    )
    filename = models.CharField(_("plik"), max_length=255)
    data = models.BinaryField(_("zawartość"), blank=True)
    task_id = models.CharField(_("zadanie"), max_length=64, blank=True)
    status = models.CharField(_("stan"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    rows = models.PositiveIntegerField(_("wiersze"), default=0)
    changed = models.PositiveIntegerField(_("zmienione"), default=0)
    unchanged = models.PositiveIntegerField(_("bez zmian"), default=0)
    errors = models.JSONField(_("błędy"), default=list, blank=True)
    message = models.TextField(_("komunikat"), blank=True)
    created_at = models.DateTimeField(_("utworzono"), auto_now_add=True)
    finished_at = models.DateTimeField(_("zakończono"), null=True, blank=True)

    class Meta:
        verbose_name = _("import odpowiedzi")
        verbose_name_plural = _("importy odpowiedzi")

    def __str__(self):
        return f"{self.wave_id}: {self.filename} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED

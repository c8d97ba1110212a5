"""The publication library: handbooks and reports, their authors, series, topics and editions (print, PDF, EPUB)."""

import uuid
from pathlib import PurePosixPath

from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel

from .validators import ISBNField, validate_cover_size

MIN_YEAR = 1900
MAX_YEAR = 2100


class Person(models.Model):
    """An author or editor; one row per person, reused across publications."""

    first_name = models.CharField(_("imię"), max_length=100)
    last_name = models.CharField(_("nazwisko"), max_length=100)
    affiliation = models.CharField(_("afiliacja"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("osoba")
        verbose_name_plural = _("osoby")
        ordering = ["last_name", "first_name", "pk"]
        indexes = [models.Index(fields=["last_name", "first_name"], name="person_name_idx")]

    def __str__(self):
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def inverted_name(self) -> str:
        """'Cibor, Krzysztof': the form catalogues and citation formats expect."""
        return f"{self.last_name}, {self.first_name}" if self.first_name else self.last_name


class Topic(models.Model):
    name = models.CharField(_("nazwa"), max_length=100, unique=True)
    slug = models.SlugField(_("identyfikator w adresie"), max_length=100, unique=True)

    class Meta:
        verbose_name = _("temat")
        verbose_name_plural = _("tematy")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Series(models.Model):
    title = models.CharField(_("tytuł serii"), max_length=255, unique=True)
    slug = models.SlugField(_("identyfikator w adresie"), max_length=100, unique=True)
    description = models.TextField(_("opis"), blank=True)
    planned_volumes = models.PositiveSmallIntegerField(_("planowana liczba tomów"), null=True, blank=True)

    class Meta:
        verbose_name = _("seria")
        verbose_name_plural = _("serie")
        ordering = ["title"]

    def __str__(self):
        return self.title


class Language(models.TextChoices):
    """ISO 639-1 codes: what Dublin Core and OAI-PMH harvesters expect."""

    POLISH = "pl", _("polski")
    ENGLISH = "en", _("angielski")
    GERMAN = "de", _("niemiecki")
    UKRAINIAN = "uk", _("ukraiński")


class Licence(models.TextChoices):
    CC_BY = "CC-BY-4.0", _("CC BY 4.0")
    CC_BY_SA = "CC-BY-SA-4.0", _("CC BY-SA 4.0")
    CC_BY_NC_ND = "CC-BY-NC-ND-4.0", _("CC BY-NC-ND 4.0")
    ALL_RIGHTS_RESERVED = "all-rights-reserved", _("wszelkie prawa zastrzeżone")


LICENCE_URLS = {
    Licence.CC_BY: "https://creativecommons.org/licenses/by/4.0/",
    Licence.CC_BY_SA: "https://creativecommons.org/licenses/by-sa/4.0/",
    Licence.CC_BY_NC_ND: "https://creativecommons.org/licenses/by-nc-nd/4.0/",
}


def cover_upload_to(instance, filename: str) -> str:
    """A server-made name: the uploader's file name never reaches the storage."""
    suffix = PurePosixPath(filename).suffix.lower()
    suffix = suffix if suffix in {".jpg", ".jpeg", ".png", ".webp", ".gif"} else ".img"
    return f"publications/covers/{uuid.uuid4().hex}{suffix}"


class PublicationQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Publication.Status.PUBLISHED)


class Publication(TimeStampedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("szkic")
        PUBLISHED = "published", _("opublikowana")

    title = models.CharField(_("tytuł"), max_length=300)
    subtitle = models.CharField(_("podtytuł"), max_length=300, blank=True)
    slug = models.SlugField(_("identyfikator w adresie"), max_length=120, unique=True)
    authors = models.ManyToManyField(
        Person, verbose_name=_("autorzy"), through="Authorship", related_name="publications"
    )
    series = models.ForeignKey(
        Series,
        verbose_name=_("seria"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="publications",
    )
    volume_number = models.PositiveSmallIntegerField(
        _("numer tomu"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    year = models.PositiveSmallIntegerField(
        _("rok wydania"), validators=[MinValueValidator(MIN_YEAR), MaxValueValidator(MAX_YEAR)]
    )
    publisher = models.CharField(_("wydawca"), max_length=255, blank=True)
    place = models.CharField(_("miejsce wydania"), max_length=100, blank=True)
    language = models.CharField(_("język"), max_length=2, choices=Language.choices, default=Language.POLISH)
    abstract = models.TextField(_("streszczenie"), blank=True)
    topics = models.ManyToManyField(Topic, verbose_name=_("tematy"), blank=True, related_name="publications")
    funding_note = models.TextField(_("informacja o finansowaniu"), blank=True)
    licence = models.CharField(
        _("licencja"), max_length=24, choices=Licence.choices, default=Licence.ALL_RIGHTS_RESERVED
    )
    cover = models.ImageField(_("okładka"), upload_to=cover_upload_to, blank=True, validators=[validate_cover_size])
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    is_demo = models.BooleanField(
        _("publikacja demonstracyjna"),
        default=False,
        help_text=_("Zaznacz dla pozycji, które nie opisują prawdziwych wydawnictw."),
    )
    # Optimistic concurrency: every saved edit increments it; a save based on an older version is refused.
    version = models.PositiveIntegerField(_("wersja"), default=1, editable=False)

    # Search: folded title, authors, series and topics (kept by services.publication_refresh_search on every
    # database) and a weighted tsvector maintained by a PostgreSQL trigger (migration add_search_on_postgresql).
    search_text = models.TextField(editable=False, blank=True, default="")
    search_vector = SearchVectorField(null=True, editable=False)

    objects = PublicationQuerySet.as_manager()

    class Meta:
        verbose_name = _("publikacja")
        verbose_name_plural = _("publikacje")
        ordering = ["-year", "title", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["series", "volume_number"],
                condition=Q(series__isnull=False, volume_number__isnull=False),
                name="publication_unique_volume_in_series",
                violation_error_message=_("Ten numer tomu jest już zajęty w tej serii."),
            ),
            models.CheckConstraint(
                condition=Q(volume_number__isnull=True) | Q(series__isnull=False),
                name="publication_volume_needs_series",
                violation_error_message=_("Numer tomu można podać tylko dla publikacji w serii."),
            ),
            models.CheckConstraint(
                condition=Q(year__gte=MIN_YEAR, year__lte=MAX_YEAR),
                name="publication_year_range",
            ),
            models.CheckConstraint(
                condition=Q(volume_number__isnull=True) | Q(volume_number__gte=1),
                name="publication_volume_positive",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "-year"], name="publication_status_year_idx"),
            models.Index(fields=["status", "updated_at", "id"], name="publication_status_updated_idx"),
            models.Index(fields=["language"], name="publication_language_idx"),
        ]

    def __str__(self):
        return self.full_title

    def get_absolute_url(self):
        return reverse("publications:detail", kwargs={"slug": self.slug})

    @property
    def full_title(self) -> str:
        return f"{self.title}. {self.subtitle}" if self.subtitle else self.title

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def licence_url(self) -> str:
        return LICENCE_URLS.get(self.licence, "")


class Authorship(models.Model):
    """A person's place in a publication's author list (the order printed on the title page)."""

    class Role(models.TextChoices):
        AUTHOR = "author", _("autor")
        EDITOR = "editor", _("redaktor")

    publication = models.ForeignKey(Publication, on_delete=models.CASCADE, related_name="authorships")
    person = models.ForeignKey(Person, verbose_name=_("osoba"), on_delete=models.PROTECT, related_name="authorships")
    position = models.PositiveSmallIntegerField(_("kolejność"), default=1)
    role = models.CharField(_("rola"), max_length=10, choices=Role.choices, default=Role.AUTHOR)

    class Meta:
        verbose_name = _("autorstwo")
        verbose_name_plural = _("autorzy")
        ordering = ["publication", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["publication", "position"],
                name="authorship_unique_position",
                violation_error_message=_("Dwie osoby nie mogą mieć tej samej pozycji na liście autorów."),
            ),
            models.UniqueConstraint(
                fields=["publication", "person"],
                name="authorship_unique_person",
                violation_error_message=_("Ta osoba jest już na liście autorów."),
            ),
        ]

    def __str__(self):
        return f"{self.position}. {self.person}"


def edition_upload_to(instance, filename: str) -> str:
    """A server-made name whose extension follows the edition's format, never the uploaded name."""
    extension = {Edition.Format.PDF: ".pdf", Edition.Format.EPUB: ".epub"}.get(instance.format, ".bin")
    return f"publications/editions/{uuid.uuid4().hex}{extension}"


class Edition(TimeStampedModel):
    class Format(models.TextChoices):
        PRINT = "print", _("druk")
        PDF = "pdf", _("PDF")
        EPUB = "epub", _("EPUB")

    ELECTRONIC = (Format.PDF, Format.EPUB)
    CONTENT_TYPES = {Format.PDF: "application/pdf", Format.EPUB: "application/epub+zip"}

    publication = models.ForeignKey(Publication, on_delete=models.CASCADE, related_name="editions")
    format = models.CharField(_("format"), max_length=5, choices=Format.choices)
    isbn = ISBNField(_("ISBN"), blank=True)
    file = models.FileField(_("plik"), upload_to=edition_upload_to, blank=True, max_length=200)
    file_size = models.PositiveBigIntegerField(_("rozmiar pliku (bajty)"), null=True, blank=True, editable=False)
    download_count = models.PositiveIntegerField(_("liczba pobrań"), default=0, editable=False)

    class Meta:
        verbose_name = _("wydanie")
        verbose_name_plural = _("wydania")
        ordering = ["publication", "format", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["isbn"],
                condition=~Q(isbn=""),
                name="edition_unique_isbn",
                violation_error_message=_("Wydanie o tym numerze ISBN już istnieje."),
            ),
            models.UniqueConstraint(
                fields=["publication", "format"],
                name="edition_unique_format",
                violation_error_message=_("Ta publikacja ma już wydanie w tym formacie."),
            ),
            # Stored normalised: 13 digits (ISBN-10 is converted), or empty.
            models.CheckConstraint(condition=Q(isbn="") | Q(isbn__regex=r"^97[89][0-9]{10}$"), name="edition_isbn_13"),
            models.CheckConstraint(
                condition=Q(format="print", file="") | (Q(format__in=["pdf", "epub"]) & ~Q(file="")),
                name="edition_file_matches_format",
                violation_error_message=_("Wydanie elektroniczne wymaga pliku, a wydanie drukowane nie może go mieć."),
            ),
        ]

    def __str__(self):
        return f"{self.publication.title} ({self.get_format_display()})"

    @property
    def is_electronic(self) -> bool:
        return self.format in self.ELECTRONIC

    @property
    def content_type(self) -> str:
        return self.CONTENT_TYPES.get(self.format, "application/octet-stream")

    @property
    def isbn_display(self) -> str:
        from stdnum import isbn

        return isbn.format(self.isbn) if self.isbn else ""

    def get_download_url(self) -> str:
        return reverse("publications:download", kwargs={"slug": self.publication.slug, "pk": self.pk})

    def clean(self):
        from .validators import validate_edition_file

        super().clean()
        if self.format == self.Format.PRINT and self.file:
            raise ValidationError({"file": _("Wydanie drukowane nie może mieć pliku.")})
        if self.format in self.ELECTRONIC and not self.file:
            raise ValidationError({"file": _("Dodaj plik wydania elektronicznego.")})
        # Only a fresh upload is inspected; a file already in the storage was checked when it arrived.
        if self.file and not getattr(self.file, "_committed", True):
            validate_edition_file(self.file, self.format)
            self.file_size = self.file.size

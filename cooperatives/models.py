"""The registry: territorial units (TERYT), social cooperatives, their offers, and who represents them.

The legal background of the fields is in docs/domain.md (a copy of the shared domain notes).
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import TimeStampedModel
from core.text import data_label, fold

from .uploads import PrivateStorage
from .validators import (
    validate_cpv_code,
    validate_krs,
    validate_nip,
    validate_pkd_code,
    validate_postal_code,
    validate_regon,
)

# Poland's bounding box with a small margin: coordinates outside it are typing errors.
LATITUDE_RANGE = (48.9, 55.0)
LONGITUDE_RANGE = (14.0, 24.2)


# --- Territorial units -----------------------------------------------------------------------------------


class TerritorialUnitQuerySet(models.QuerySet):
    def voivodeships(self):
        return self.filter(level=TerritorialUnit.Level.VOIVODESHIP)

    def powiats(self):
        return self.filter(level=TerritorialUnit.Level.POWIAT)

    def gminas(self):
        return self.filter(level=TerritorialUnit.Level.GMINA)


class TerritorialUnit(models.Model):
    """A unit of the GUS TERC register. The TERYT code is the primary key, so foreign keys carry the code.

    Codes: voivodeship WOJ (2 digits), powiat WOJ+POW (4), gmina WOJ+POW+GMI+RODZ (7). Towns and rural areas of
    urban-rural gminas, Warsaw districts and delegatury are kept as parts of their gmina.
    """

    class Level(models.TextChoices):
        VOIVODESHIP = "voivodeship", _("województwo")
        POWIAT = "powiat", _("powiat")
        GMINA = "gmina", _("gmina")
        GMINA_PART = "gmina_part", _("część gminy")

    class GminaKind(models.TextChoices):
        URBAN = "1", _("gmina miejska")
        RURAL = "2", _("gmina wiejska")
        URBAN_RURAL = "3", _("gmina miejsko-wiejska")
        TOWN_IN_URBAN_RURAL = "4", _("miasto w gminie miejsko-wiejskiej")
        RURAL_AREA_OF_URBAN_RURAL = "5", _("obszar wiejski w gminie miejsko-wiejskiej")
        WARSAW_DISTRICT = "8", _("dzielnica m.st. Warszawy")
        DELEGATURA = "9", _("delegatura")

    code = models.CharField(_("kod TERYT"), max_length=7, primary_key=True)
    level = models.CharField(_("poziom"), max_length=12, choices=Level.choices, db_index=True)
    gmina_kind = models.CharField(_("rodzaj gminy"), max_length=1, choices=GminaKind.choices, blank=True)
    name = models.CharField(_("nazwa"), max_length=100)
    kind_name = models.CharField(_("określenie dodatkowe"), max_length=100, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("jednostka nadrzędna"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    valid_on = models.DateField(_("stan rejestru na dzień"))
    # A representative point for distances ("near a place"), from cooperatives/data/centroids.csv: the unit's own
    # centroid where the file has one, else its powiat's (see that folder's README).
    latitude = models.FloatField(_("szerokość geograficzna (środek)"), null=True, blank=True)
    longitude = models.FloatField(_("długość geograficzna (środek)"), null=True, blank=True)

    objects = TerritorialUnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("jednostka terytorialna")
        verbose_name_plural = _("jednostki terytorialne")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(level="voivodeship", parent__isnull=True) | (~Q(level="voivodeship") & Q(parent__isnull=False))
                ),
                name="territorialunit_parent_matches_level",
            ),
        ]

    def __str__(self):
        if self.level == self.Level.VOIVODESHIP:
            return gettext("woj. %(name)s") % {"name": self.name.lower()}
        if self.level == self.Level.POWIAT:
            if self.kind_name.startswith("miasto"):
                return self.name
            return gettext("pow. %(name)s") % {"name": self.name}
        return f"{self.name} ({data_label(self.kind_name)})" if self.kind_name else self.name

    @property
    def voivodeship_code(self) -> str:
        return self.code[:2]

    @property
    def powiat_code(self) -> str | None:
        return self.code[:4] if len(self.code) >= 4 else None


# --- Dictionaries with a legal basis ---------------------------------------------------------------------


class LegalBasis(models.TextChoices):
    ACT_2006_ART4_1 = "art4_1", _("art. 4 ust. 1 ustawy o spółdzielniach socjalnych (brzmienie obecne)")
    ACT_2006_ART4_1_BEFORE_2018 = (
        "art4_1_pre2018",
        _("art. 4 ust. 1 ustawy o spółdzielniach socjalnych (do 2018 r.)"),
    )
    ACT_2006_ART4_2 = "art4_2", _("art. 4 ust. 2 ustawy o spółdzielniach socjalnych")
    ACT_2022 = "es_2022", _("ustawa z 5 sierpnia 2022 r. o ekonomii społecznej")


class TargetGroup(models.Model):
    """A category of people at risk of social exclusion whom a cooperative's members and work serve."""

    code = models.SlugField(_("kod"), max_length=50, unique=True)
    name = models.CharField(_("nazwa"), max_length=200)
    legal_basis = models.CharField(_("podstawa prawna"), max_length=20, choices=LegalBasis.choices)
    sort_order = models.PositiveSmallIntegerField(_("kolejność"), default=0)

    class Meta:
        verbose_name = _("grupa docelowa")
        verbose_name_plural = _("grupy docelowe")
        ordering = ["sort_order", "name"]

    def __str__(self):
        return data_label(self.name)


class FounderKind(models.Model):
    """A kind of founder allowed by art. 4 of the Act on social cooperatives (current or earlier text)."""

    code = models.SlugField(_("kod"), max_length=50, unique=True)
    name = models.CharField(_("nazwa"), max_length=200)
    legal_basis = models.CharField(_("podstawa prawna"), max_length=20, choices=LegalBasis.choices)
    is_legal_person = models.BooleanField(_("osoba prawna"), default=False)
    sort_order = models.PositiveSmallIntegerField(_("kolejność"), default=0)

    class Meta:
        verbose_name = _("rodzaj założyciela")
        verbose_name_plural = _("rodzaje założycieli")
        ordering = ["sort_order", "name"]

    def __str__(self):
        return data_label(self.name)


# --- Cooperatives ----------------------------------------------------------------------------------------


# Kept by name (not only inside the classes) so services can write one historical record after changing
# many-to-many fields, instead of the one per add/remove that simple-history's m2m_changed handler would write.
COOPERATIVE_HISTORY = HistoricalRecords(
    excluded_fields=["search_text", "offers_text", "sectors_text", "search_vector", "updated_at"],
    m2m_fields=["target_groups", "founder_kinds"],
)
OFFER_HISTORY = HistoricalRecords(
    excluded_fields=["search_text", "search_vector", "updated_at"],
    m2m_fields=["area_powiats", "area_voivodeships"],
)


class CooperativeQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status=Cooperative.Status.ACTIVE)

    def in_voivodeship(self, code: str):
        return self.filter(voivodeship_id=code)

    def in_powiat(self, code: str):
        return self.filter(powiat_id=code)

    def in_gmina(self, code: str):
        return self.filter(gmina_id=code)

    def with_location(self):
        return self.filter(latitude__isnull=False, longitude__isnull=False)


class Cooperative(TimeStampedModel):
    """A social cooperative (spółdzielnia socjalna) as entered in the KRS business register."""

    class FounderType(models.TextChoices):
        NATURAL_PERSONS = "natural", _("osoby fizyczne")
        LEGAL_PERSONS = "legal", _("osoby prawne")
        MIXED = "mixed", _("osoby fizyczne i prawne")

    class Status(models.TextChoices):
        ACTIVE = "active", _("aktywna")
        INACTIVE = "inactive", _("nieaktywna")
        LIQUIDATION = "liquidation", _("w likwidacji")
        DELETED = "deleted", _("wykreślona z KRS")

    class SocialEnterpriseAim(models.TextChoices):
        REINTEGRATION = "reintegration", _("reintegracja społeczna i zawodowa")
        SOCIAL_SERVICES = "social_services", _("realizacja usług społecznych")

    class LocationPrecision(models.TextChoices):
        EXACT = "exact", _("dokładna lokalizacja")
        GMINA_CENTRE = "gmina_centre", _("przybliżona (środek gminy)")

    # Identity (changes go through moderation once representatives exist).
    name = models.CharField(_("nazwa"), max_length=300)
    short_name = models.CharField(_("nazwa skrócona"), max_length=120, blank=True)
    krs_number = models.CharField(_("numer KRS"), max_length=10, unique=True, validators=[validate_krs])
    nip = models.CharField(_("NIP"), max_length=10, blank=True, validators=[validate_nip])
    regon = models.CharField(_("REGON"), max_length=14, blank=True, validators=[validate_regon])
    founder_type = models.CharField(_("typ założycieli"), max_length=10, choices=FounderType.choices)
    founder_kinds = models.ManyToManyField(
        FounderKind, verbose_name=_("rodzaje założycieli"), blank=True, related_name="cooperatives"
    )
    krs_registration_date = models.DateField(_("data wpisu do KRS"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.ACTIVE)
    status_date = models.DateField(_("data statusu"), null=True, blank=True)

    # Social-enterprise status (Act of 5 August 2022 on the social economy).
    is_social_enterprise = models.BooleanField(_("przedsiębiorstwo społeczne"), default=False)
    ps_decision_number = models.CharField(_("numer decyzji wojewody"), max_length=100, blank=True)
    ps_voivode = models.ForeignKey(
        TerritorialUnit,
        verbose_name=_("wojewoda (województwo)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"level": TerritorialUnit.Level.VOIVODESHIP},
    )
    ps_decision_date = models.DateField(_("data decyzji"), null=True, blank=True)
    ps_aim = models.CharField(
        _("cel przedsiębiorstwa społecznego"), max_length=20, blank=True, choices=SocialEnterpriseAim.choices
    )

    # Seat. The powiat and voivodeship are derived from the gmina and never typed.
    street = models.CharField(_("ulica i numer"), max_length=200, blank=True)
    postal_code = models.CharField(_("kod pocztowy"), max_length=6, validators=[validate_postal_code])
    town = models.CharField(_("miejscowość"), max_length=100)
    gmina = models.ForeignKey(
        TerritorialUnit,
        verbose_name=_("gmina"),
        on_delete=models.PROTECT,
        related_name="cooperatives",
        limit_choices_to={"level": TerritorialUnit.Level.GMINA},
    )
    powiat = models.ForeignKey(
        TerritorialUnit,
        verbose_name=_("powiat"),
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    voivodeship = models.ForeignKey(
        TerritorialUnit,
        verbose_name=_("województwo"),
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    latitude = models.DecimalField(
        _("szerokość geograficzna"),
        max_digits=8,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(LATITUDE_RANGE[0]), MaxValueValidator(LATITUDE_RANGE[1])],
    )
    longitude = models.DecimalField(
        _("długość geograficzna"),
        max_digits=8,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(LONGITUDE_RANGE[0]), MaxValueValidator(LONGITUDE_RANGE[1])],
    )
    location_precision = models.CharField(
        _("dokładność lokalizacji"), max_length=12, choices=LocationPrecision.choices, blank=True
    )

    # Contact, each field published only with consent.
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("telefon"), max_length=40, blank=True)
    website = models.URLField(_("strona internetowa"), blank=True)
    publish_email = models.BooleanField(_("zgoda na publikację e-maila"), default=False)
    publish_phone = models.BooleanField(_("zgoda na publikację telefonu"), default=False)
    publish_website = models.BooleanField(_("zgoda na publikację strony"), default=True)
    # Publishing the address and receiving buyers' inquiries through the portal are separate choices: the portal
    # relays inquiries to `email` (and to the representatives) without showing it, unless the cooperative opts out.
    accepts_inquiries = models.BooleanField(
        _("przyjmujemy zapytania ofertowe przez portal"),
        default=True,
        help_text=_(
            "Portal przekaże zapytania na adres e-mail spółdzielni i przedstawicielom, także gdy adres nie jest "
            "opublikowany; kupujący go nie zobaczy."
        ),
    )

    description = models.TextField(_("opis działalności"), blank=True)
    target_groups = models.ManyToManyField(
        TargetGroup, verbose_name=_("grupy docelowe"), blank=True, related_name="cooperatives"
    )
    members_count = models.PositiveIntegerField(_("liczba członków"), null=True, blank=True)
    employees_count = models.PositiveIntegerField(_("liczba pracowników"), null=True, blank=True)
    counts_as_of = models.DateField(_("liczby według stanu na"), null=True, blank=True)
    # Art. 94 of the public procurement law (reserved contracts): the cooperative's own declaration, dated by
    # counts_as_of; never a survey answer (docs/decisions/0006). The share is computed in reserved.py.
    employees_at_risk_count = models.PositiveIntegerField(
        _("w tym pracownicy z grup zagrożonych wykluczeniem społecznym"),
        null=True,
        blank=True,
        help_text=_(
            "Do oceny, czy spółdzielnia może ubiegać się o zamówienia zastrzeżone (art. 94 Prawa zamówień "
            "publicznych: co najmniej 30% zatrudnionych). Podaj razem z liczbą pracowników i datą stanu."
        ),
    )

    # Certification marks.
    has_quality_mark = models.BooleanField(_("Znak Jakości Ekonomii Społecznej i Solidarnej"), default=False)
    is_ozrss_member = models.BooleanField(_("członek OZRSS"), default=False)
    last_audit_date = models.DateField(_("data ostatniej lustracji"), null=True, blank=True)

    logo = models.ImageField(_("logo"), upload_to="logos/", blank=True)

    verified_at = models.DateTimeField(_("dane potwierdzone"), null=True, blank=True)
    is_demo = models.BooleanField(_("dane demonstracyjne"), default=False, editable=False)
    # Optimistic concurrency: every saved edit increments it; a save based on an older version is refused.
    version = models.PositiveIntegerField(_("wersja"), default=1, editable=False)

    # Search: folded text for substring matching on SQLite (kept by the application on every database) and a
    # weighted tsvector maintained by a PostgreSQL trigger (see migration add_search_on_postgresql).
    search_text = models.TextField(editable=False, blank=True, default="")
    # What the cooperative does, for its search: the folded words of its active offers' titles and categories
    # (with their synonyms), and apart, weighted lower, the words of their sectors that are not already there
    # (cooperatives.search.refresh_offers_text, called whenever an offer is saved or deleted).
    offers_text = models.TextField(editable=False, blank=True, default="")
    sectors_text = models.TextField(editable=False, blank=True, default="")
    search_vector = SearchVectorField(null=True, editable=False)

    # Who changed what and when; derived search columns are left out (they follow the fields). The many-to-many
    # fields are recorded with every version, so diffs show them and a revert restores them.
    history = COOPERATIVE_HISTORY

    objects = CooperativeQuerySet.as_manager()

    class Meta:
        verbose_name = _("spółdzielnia socjalna")
        verbose_name_plural = _("spółdzielnie socjalne")
        ordering = ["name", "krs_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["nip"],
                condition=~Q(nip=""),
                name="cooperative_unique_nip",
                violation_error_message=_("Spółdzielnia z tym numerem NIP jest już w rejestrze."),
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(
                    latitude__gte=LATITUDE_RANGE[0],
                    latitude__lte=LATITUDE_RANGE[1],
                    longitude__gte=LONGITUDE_RANGE[0],
                    longitude__lte=LONGITUDE_RANGE[1],
                ),
                name="cooperative_coordinates_in_poland",
                violation_error_message=_("Podaj obie współrzędne, leżące w granicach Polski."),
            ),
            models.CheckConstraint(
                condition=Q(status_date__isnull=True)
                | Q(krs_registration_date__isnull=True)
                | Q(status_date__gte=F("krs_registration_date")),
                name="cooperative_status_after_registration",
                violation_error_message=_("Data statusu nie może być wcześniejsza niż data wpisu do KRS."),
            ),
            models.CheckConstraint(
                condition=Q(employees_at_risk_count__isnull=True)
                | Q(employees_count__isnull=False, employees_at_risk_count__lte=F("employees_count")),
                name="cooperative_at_risk_within_employees",
                violation_error_message=_(
                    "Liczba pracowników z grup zagrożonych wykluczeniem nie może przekraczać liczby pracowników."
                ),
            ),
            models.CheckConstraint(
                condition=Q(is_social_enterprise=True) | Q(ps_decision_date__isnull=True, ps_decision_number=""),
                name="cooperative_ps_decision_only_for_ps",
                violation_error_message=_("Dane decyzji wojewody podaje się tylko dla przedsiębiorstwa społecznego."),
            ),
        ]
        indexes = [
            models.Index(fields=["status", "voivodeship"], name="coop_status_voiv_idx"),
            # The statistics' breakdowns join answers to their cooperatives' groups: an index-only scan (PostgreSQL)
            # instead of reading the wide rows.
            models.Index(fields=["id"], include=["voivodeship", "founder_type"], name="coop_statistics_groups_idx"),
            models.Index(fields=["founder_type"], name="coop_founder_type_idx"),
            models.Index(fields=["is_social_enterprise"], name="coop_ps_idx"),
            models.Index(fields=["has_quality_mark"], name="coop_quality_mark_idx"),
            models.Index(fields=["-created_at"], name="coop_created_idx"),
            models.Index(fields=["name"], name="coop_name_idx"),
            # Catalogue and API counts at 100,000 rows: a voivodeship's cooperatives read from the index alone, and
            # the few deleted ones for excluding their offers from the public ones (Offer.objects.public()).
            models.Index(fields=["voivodeship", "id"], name="coop_voiv_id_idx"),
            models.Index(fields=["id"], condition=Q(status="deleted"), name="coop_deleted_idx"),
            # "does the registry hold demo data?" (the banner on every page): without it, a registry with no demo
            # rows is read whole to answer no.
            models.Index(fields=["id"], condition=Q(is_demo=True), name="coop_demo_idx"),
            # The catalogue's facet counts (selectors.cooperative_facets) over the whole registry, index-only.
            models.Index(
                fields=["founder_type", "status", "is_social_enterprise", "has_quality_mark", "is_ozrss_member", "id"],
                name="coop_facet_values_idx",
            ),
            # The map's grid (cooperatives/map.py) over a bounding box, index-only.
            models.Index(fields=["latitude", "longitude", "id"], name="coop_location_idx"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("cooperatives:detail", kwargs={"krs": self.krs_number})

    def refresh_derived_fields(self):
        """Derive the powiat and voivodeship from the gmina, and the folded search text from the names, the town and
        the identifiers (KRS, NIP, REGON: a buyer pastes one from an invoice)."""
        if self.gmina_id:
            self.powiat_id = self.gmina_id[:4]
            self.voivodeship_id = self.gmina_id[:2]
        identity = [self.name, self.short_name, self.town, self.krs_number, self.nip, self.regon]
        self.search_text = fold(" ".join(filter(None, identity)))

    def save(self, *args, **kwargs):
        self.refresh_derived_fields()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "powiat", "voivodeship", "search_text"}
        super().save(*args, **kwargs)

    @property
    def public_email(self) -> str:
        return self.email if self.publish_email else ""

    @property
    def public_phone(self) -> str:
        return self.phone if self.publish_phone else ""

    @property
    def public_website(self) -> str:
        return self.website if self.publish_website else ""


class PkdVersion(models.TextChoices):
    PKD_2007 = "2007", _("PKD 2007")
    PKD_2025 = "2025", _("PKD 2025")


class CooperativeActivity(models.Model):
    """A PKD subclass of a cooperative's activity, with the PKD version it is coded in."""

    cooperative = models.ForeignKey(Cooperative, on_delete=models.CASCADE, related_name="activities")
    code = models.CharField(_("kod PKD"), max_length=7, validators=[validate_pkd_code])
    version = models.CharField(_("wersja PKD"), max_length=4, choices=PkdVersion.choices)
    is_main = models.BooleanField(_("działalność przeważająca"), default=False)

    class Meta:
        verbose_name = _("działalność (PKD)")
        verbose_name_plural = _("działalności (PKD)")
        ordering = ["-is_main", "code"]
        constraints = [
            models.UniqueConstraint(fields=["cooperative", "code", "version"], name="activity_unique_code"),
            models.UniqueConstraint(
                fields=["cooperative"], condition=Q(is_main=True), name="activity_one_main_per_cooperative"
            ),
        ]

    def __str__(self):
        return f"{self.code} (PKD {self.version})"

    @property
    def division(self) -> str:
        return self.code[:2]


# --- Offers ----------------------------------------------------------------------------------------------


class OfferCategory(models.Model):
    """A two-level taxonomy of what social cooperatives sell (sector -> kind of service or product)."""

    name = models.CharField(_("nazwa"), max_length=120)
    slug = models.SlugField(_("identyfikator"), max_length=80, unique=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("kategoria nadrzędna"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    sort_order = models.PositiveSmallIntegerField(_("kolejność"), default=0)
    keywords = models.TextField(
        _("synonimy i słowa kluczowe"),
        blank=True,
        help_text=_(
            "Inne słowa, którymi kupujący szukają tej kategorii, oddzielone przecinkami (np. „katering, żywienie”). "
            "Spółdzielnie z ofertą w tej kategorii (lub w jej podkategoriach) są wyszukiwane także po nich."
        ),
    )

    class Meta:
        verbose_name = _("kategoria oferty")
        verbose_name_plural = _("kategorie ofert")
        ordering = ["sort_order", "name"]

    def __str__(self):
        name = data_label(self.name)
        return f"{data_label(self.parent.name)} › {name}" if self.parent_id else name

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.parent_id and self.parent.parent_id:
            raise ValidationError({"parent": _("Kategorie mają tylko dwa poziomy.")})


class OfferQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def public(self):
        """Offers shown to the public: active, of a cooperative not deleted from the KRS.

        Written as NOT EXISTS (an anti-join on the partial indexes of active offers and deleted cooperatives), not
        as a join on the cooperative's status, which read every cooperative to count the public offers."""
        deleted = Cooperative.objects.filter(pk=OuterRef("cooperative_id"), status=Cooperative.Status.DELETED)
        return self.filter(is_active=True).exclude(Exists(deleted))


class Offer(TimeStampedModel):
    """A product or service a cooperative offers to buyers (public institutions, companies, people)."""

    class ServiceArea(models.TextChoices):
        LOCAL = "local", _("lokalnie (gmina siedziby)")
        POWIATS = "powiats", _("wybrane powiaty")
        VOIVODESHIPS = "voivodeships", _("wybrane województwa")
        NATIONAL = "national", _("cała Polska")

    cooperative = models.ForeignKey(
        Cooperative, verbose_name=_("spółdzielnia"), on_delete=models.CASCADE, related_name="offers"
    )
    title = models.CharField(_("tytuł"), max_length=200)
    category = models.ForeignKey(
        OfferCategory, verbose_name=_("kategoria"), on_delete=models.PROTECT, related_name="offers"
    )
    description = models.TextField(_("opis"), blank=True)
    service_area = models.CharField(
        _("obszar działania"), max_length=12, choices=ServiceArea.choices, default=ServiceArea.LOCAL
    )
    area_powiats = models.ManyToManyField(
        TerritorialUnit,
        verbose_name=_("powiaty"),
        blank=True,
        related_name="+",
        limit_choices_to={"level": TerritorialUnit.Level.POWIAT},
    )
    area_voivodeships = models.ManyToManyField(
        TerritorialUnit,
        verbose_name=_("województwa"),
        blank=True,
        related_name="+",
        limit_choices_to={"level": TerritorialUnit.Level.VOIVODESHIP},
    )
    price_note = models.CharField(_("cena"), max_length=200, blank=True)
    cpv_code = models.CharField(
        _("kod CPV"),
        max_length=10,
        blank=True,
        validators=[validate_cpv_code],
        help_text=_("Kod Wspólnego Słownika Zamówień z cyfrą kontrolną, np. 55520000-1. Zacznij pisać kod albo nazwę."),
    )
    zakup_prospoleczny_year = models.PositiveSmallIntegerField(
        _("certyfikat Zakup Prospołeczny (rok)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(2010), MaxValueValidator(2100)],
    )
    is_active = models.BooleanField(_("aktywna"), default=True)
    version = models.PositiveIntegerField(_("wersja"), default=1, editable=False)

    search_text = models.TextField(editable=False, blank=True, default="")
    search_vector = SearchVectorField(null=True, editable=False)

    history = OFFER_HISTORY

    objects = OfferQuerySet.as_manager()

    class Meta:
        verbose_name = _("oferta")
        verbose_name_plural = _("oferty")
        ordering = ["title", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(zakup_prospoleczny_year__isnull=True)
                | Q(zakup_prospoleczny_year__gte=2010, zakup_prospoleczny_year__lte=2100),
                name="offer_zakup_prospoleczny_year_range",
            ),
        ]
        indexes = [
            models.Index(fields=["is_active", "category"], name="offer_active_category_idx"),
            models.Index(fields=["-created_at"], name="offer_created_idx"),
            models.Index(fields=["title"], name="offer_title_idx"),
            # Active offers by cooperative (public offers, the "has an offer in category" filter, a page's offers)
            # and by category (category filter and facet), both readable without visiting the table.
            models.Index(
                fields=["cooperative", "category"], condition=Q(is_active=True), name="offer_active_coop_cat_idx"
            ),
            models.Index(
                fields=["category", "cooperative"], condition=Q(is_active=True), name="offer_active_cat_coop_idx"
            ),
            # The CPV filter matches codes by their first digits (cooperatives/cpv.py): a prefix search (LIKE 'nn%'
            # needs varchar_pattern_ops), with the cooperative for the cooperatives' filter, read from the index.
            models.Index(
                fields=["cpv_code"],
                include=["cooperative"],
                condition=Q(is_active=True),
                name="offer_active_cpv_idx",
                opclasses=["varchar_pattern_ops"],
            ),
            # Cooperatives with a Zakup Prospołeczny certificate (certification filter and facet).
            models.Index(
                fields=["cooperative"],
                condition=Q(is_active=True, zakup_prospoleczny_year__isnull=False),
                name="offer_certified_coop_idx",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("cooperatives:offer-detail", kwargs={"pk": self.pk})

    def refresh_derived_fields(self):
        """Folded title, category and the offering cooperative's name and town (buyers search "catering łódź")."""
        category_name = self.category.name if self.category_id else ""
        cooperative = self.cooperative if self.cooperative_id else None
        coop_text = f"{cooperative.name} {cooperative.town}" if cooperative else ""
        self.search_text = fold(f"{self.title} {category_name} {coop_text}")

    def save(self, *args, **kwargs):
        self.refresh_derived_fields()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "search_text"}
        super().save(*args, **kwargs)
        from cooperatives.search import refresh_offers_text

        refresh_offers_text([self.cooperative_id])

    def delete(self, *args, **kwargs):
        cooperative_id = self.cooperative_id
        result = super().delete(*args, **kwargs)
        from cooperatives.search import refresh_offers_text

        refresh_offers_text([cooperative_id])
        return result


# --- Representatives -------------------------------------------------------------------------------------


class Membership(TimeStampedModel):
    """A user's verified right to represent a cooperative on the portal (as its owner or an editor)."""

    class Role(models.TextChoices):
        OWNER = "owner", _("właściciel profilu")
        EDITOR = "editor", _("redaktor")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    cooperative = models.ForeignKey(Cooperative, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("rola"), max_length=10, choices=Role.choices, default=Role.EDITOR)

    class Meta:
        verbose_name = _("przedstawiciel spółdzielni")
        verbose_name_plural = _("przedstawiciele spółdzielni")
        constraints = [
            models.UniqueConstraint(fields=["user", "cooperative"], name="membership_unique_user_cooperative"),
        ]

    def __str__(self):
        return f"{self.user} – {self.cooperative} ({self.get_role_display()})"


class Invitation(TimeStampedModel):
    """An owner's invitation to edit a profile, sent to an e-mail address that has no account yet.

    The e-mailed link is signed and names the invitation; it works once (accepted_at), for VALID_FOR, and only for
    a signed-in user with this address verified. Cancelling deletes the invitation, which voids the link.
    """

    VALID_FOR = timedelta(days=7)

    cooperative = models.ForeignKey(Cooperative, on_delete=models.CASCADE, related_name="invitations")
    # Stored lower-case, so the one-pending-invitation rule and the match with the account ignore case.
    email = models.EmailField(_("adres e-mail"))
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("zaprasza"),
    )
    accepted_at = models.DateTimeField(_("przyjęto"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("przyjął(-ęła)"),
    )

    class Meta:
        verbose_name = _("zaproszenie redaktora")
        verbose_name_plural = _("zaproszenia redaktorów")
        constraints = [
            models.UniqueConstraint(
                fields=["cooperative", "email"],
                condition=Q(accepted_at__isnull=True),
                name="invitation_one_pending_per_email",
                violation_error_message=_("Zaproszenie na ten adres już czeka na przyjęcie."),
            ),
            models.CheckConstraint(
                condition=Q(email=Lower("email")),
                name="invitation_email_lower_case",
                violation_error_message=_("Adres e-mail zaproszenia zapisuje się małymi literami."),
            ),
        ]

    def __str__(self):
        return f"{self.email} → {self.cooperative}"

    @property
    def expires_at(self):
        return self.created_at + self.VALID_FOR

    @property
    def is_expired(self) -> bool:
        return timezone.now() >= self.expires_at


class CooperativePhoto(TimeStampedModel):
    """A photo on a cooperative's profile. Stored re-encoded (no EXIF/GPS) under a server-made name."""

    cooperative = models.ForeignKey(Cooperative, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("zdjęcie"), upload_to="photos/")
    alt_text = models.CharField(_("opis zdjęcia (tekst alternatywny)"), max_length=200)
    sort_order = models.PositiveSmallIntegerField(_("kolejność"), default=0)

    class Meta:
        verbose_name = _("zdjęcie spółdzielni")
        verbose_name_plural = _("zdjęcia spółdzielni")
        ordering = ["sort_order", "pk"]

    def __str__(self):
        return self.alt_text


# --- Self-service: coordinators, representation, moderation ----------------------------------------------


class CoordinatorAssignment(models.Model):
    """A regional coordinator moderates the cooperatives of the voivodeships assigned here."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="coordinator_assignments")
    voivodeship = models.ForeignKey(
        TerritorialUnit,
        verbose_name=_("województwo"),
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level": TerritorialUnit.Level.VOIVODESHIP},
    )

    class Meta:
        verbose_name = _("przydział koordynatora")
        verbose_name_plural = _("przydziały koordynatorów")
        constraints = [
            models.UniqueConstraint(fields=["user", "voivodeship"], name="coordinator_unique_voivodeship"),
        ]

    def __str__(self):
        return f"{self.user} – {self.voivodeship}"


class ReviewStatus(models.TextChoices):
    PENDING = "pending", _("oczekuje")
    APPROVED = "approved", _("zatwierdzony")
    REJECTED = "rejected", _("odrzucony")


class ReviewQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(status=ReviewStatus.PENDING)


class RepresentationRequest(TimeStampedModel):
    """A user's request to represent a cooperative; approved by a moderator or by the cooperative's e-mail link."""

    class VerifiedBy(models.TextChoices):
        MODERATOR = "moderator", _("decyzja moderatora")
        EMAIL_LINK = "email_link", _("link wysłany na e-mail spółdzielni")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="representation_requests")
    cooperative = models.ForeignKey(Cooperative, on_delete=models.CASCADE, related_name="representation_requests")
    role_in_cooperative = models.CharField(_("funkcja w spółdzielni"), max_length=120)
    message = models.TextField(_("uzasadnienie"), blank=True)
    document = models.FileField(
        _("dokument potwierdzający (PDF)"), upload_to="representation/", blank=True, storage=PrivateStorage()
    )
    status = models.CharField(_("status"), max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.PENDING)
    reason = models.TextField(_("uzasadnienie decyzji"), blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("data decyzji"), null=True, blank=True)
    verified_by = models.CharField(_("sposób weryfikacji"), max_length=12, choices=VerifiedBy.choices, blank=True)
    link_sent_to = models.EmailField(_("link wysłany na adres"), blank=True)
    link_sent_at = models.DateTimeField(_("link wysłany"), null=True, blank=True)

    objects = ReviewQuerySet.as_manager()

    class Meta:
        verbose_name = _("wniosek o reprezentowanie")
        verbose_name_plural = _("wnioski o reprezentowanie")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "cooperative"],
                condition=Q(status="pending"),
                name="representation_one_pending_per_user",
            ),
            models.CheckConstraint(
                condition=Q(status="pending") | Q(decided_at__isnull=False),
                name="representation_decided_has_date",
            ),
        ]

    def __str__(self):
        return f"{self.user} → {self.cooperative}"


class ChangeRequest(TimeStampedModel):
    """A proposed change of a cooperative's identity fields; applies only after a moderator approves it."""

    IDENTITY_FIELDS = (
        "name",
        "krs_number",
        "nip",
        "regon",
        "founder_type",
        "status",
        "is_social_enterprise",
        "ps_decision_number",
        "ps_decision_date",
    )

    cooperative = models.ForeignKey(Cooperative, on_delete=models.CASCADE, related_name="change_requests")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="change_requests")
    proposed = models.JSONField(_("proponowane wartości"))
    previous = models.JSONField(_("wartości w chwili zgłoszenia"))
    base_version = models.PositiveIntegerField(_("wersja bazowa"))
    justification = models.TextField(_("uzasadnienie"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.PENDING)
    reason = models.TextField(_("uzasadnienie decyzji"), blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("data decyzji"), null=True, blank=True)

    objects = ReviewQuerySet.as_manager()

    class Meta:
        verbose_name = _("wniosek o zmianę danych rejestrowych")
        verbose_name_plural = _("wnioski o zmianę danych rejestrowych")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="pending") | Q(decided_at__isnull=False),
                name="changerequest_decided_has_date",
            ),
        ]

    def __str__(self):
        return f"{self.cooperative} ({self.get_status_display()})"


class ErrorReport(TimeStampedModel):
    """A visitor's report that a public entry is wrong."""

    class Status(models.TextChoices):
        OPEN = "open", _("otwarte")
        RESOLVED = "resolved", _("rozpatrzone")

    cooperative = models.ForeignKey(Cooperative, on_delete=models.CASCADE, related_name="error_reports")
    message = models.TextField(_("co jest nie tak"), max_length=3000)
    reporter_email = models.EmailField(_("e-mail do odpowiedzi (opcjonalnie)"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(_("rozpatrzono"), null=True, blank=True)

    class Meta:
        verbose_name = _("zgłoszenie błędu")
        verbose_name_plural = _("zgłoszenia błędów")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.cooperative}: {self.message[:40]}"


class DeliveryStatus(models.TextChoices):
    """What happened to an inquiry e-mail: recorded only after the attempt (or the reason none was made)."""

    PENDING = "pending", _("oczekuje na wysłanie")
    SENT = "sent", _("wysłano")
    NO_ADDRESS = "no_address", _("brak adresu e-mail")
    OPTED_OUT = "opted_out", _("nie przyjmuje zapytań przez portal")
    FAILED = "failed", _("nie udało się wysłać")


class Inquiry(TimeStampedModel):
    """A buyer's inquiry sent to several cooperatives at once. The sender's data is personal data: only the
    addressed cooperatives' representatives and staff may see it."""

    subject = models.CharField(_("czego dotyczy zapytanie"), max_length=200)
    details = models.TextField(_("opis potrzeby"), max_length=5000)
    place = models.CharField(_("miejsce realizacji"), max_length=200)
    timeframe = models.CharField(_("termin"), max_length=200)
    budget = models.CharField(_("budżet"), max_length=100, blank=True)
    contact_name = models.CharField(_("imię i nazwisko"), max_length=200)
    organisation = models.CharField(_("instytucja lub firma"), max_length=200, blank=True)
    contact_email = models.EmailField(_("e-mail"))
    contact_phone = models.CharField(_("telefon"), max_length=40, blank=True)
    cooperatives = models.ManyToManyField(Cooperative, through="InquiryRecipient", related_name="inquiries")
    copy_status = models.CharField(
        _("kopia dla pytającego"), max_length=12, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )

    class Meta:
        verbose_name = _("zapytanie ofertowe")
        verbose_name_plural = _("zapytania ofertowe")
        ordering = ["-created_at"]

    def __str__(self):
        return self.subject


class InquiryRecipient(models.Model):
    inquiry = models.ForeignKey(Inquiry, on_delete=models.CASCADE, related_name="recipients")
    cooperative = models.ForeignKey(Cooperative, on_delete=models.CASCADE, related_name="inquiry_recipients")
    # The registry address the message was accepted for (never shown to the buyer); representatives get their own.
    emailed_to = models.EmailField(_("wysłano na adres"), blank=True)
    status = models.CharField(
        _("doręczenie"), max_length=12, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    status_at = models.DateTimeField(_("stan z"), null=True, blank=True)

    class Meta:
        verbose_name = _("adresat zapytania")
        verbose_name_plural = _("adresaci zapytań")
        constraints = [
            models.UniqueConstraint(fields=["inquiry", "cooperative"], name="inquiryrecipient_unique"),
        ]

    def __str__(self):
        return f"{self.inquiry} → {self.cooperative}"

    @property
    def is_delivered(self) -> bool:
        return self.status == DeliveryStatus.SENT

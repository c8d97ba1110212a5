"""Forms of the self-service pages. Uploads are checked by content here (cooperatives.uploads)."""

import datetime

from django import forms
from django.forms.utils import ErrorDict
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from core.forms import https_formfield
from core.params import is_digits, parse_int
from core.public_forms import HoneypotMixin

from . import cpv, reserved, territory
from .models import (
    LATITUDE_RANGE,
    LONGITUDE_RANGE,
    ChangeRequest,
    Cooperative,
    Offer,
    OfferCategory,
    PkdVersion,
    TargetGroup,
    TerritorialUnit,
)
from .services import MAX_PHOTOS
from .uploads import sanitize_image, validate_pdf
from .validators import normalize_pkd_code

MAX_PKD_CODES = 30
# PKD 2025 is in force since 1 January 2025; codes in PKD 2007 are accepted until the end of 2026 (DOMAIN.md).
# After that a profile keeps the PKD 2007 codes it holds, but a new one must be a PKD 2025 code.
PKD_2007_ACCEPTED_UNTIL = datetime.date(2026, 12, 31)


def _today() -> datetime.date:
    return timezone.localdate()


class VersionedFormMixin(forms.Form):
    """The version the user started from travels with the form; the service refuses a stale one."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class PkdActivityForm(forms.Form):
    """One PKD code of the profile's list; a blank code is no code (an empty row left over)."""

    code = forms.CharField(
        required=False,
        max_length=12,
        label=_("kod PKD"),
        widget=forms.TextInput(attrs={"size": 10, "class": "input-pkd", "autocomplete": "off"}),
    )
    version = forms.ChoiceField(choices=PkdVersion.choices, initial=PkdVersion.PKD_2025, label=_("wersja PKD"))

    def clean_code(self):
        return normalize_pkd_code(self.cleaned_data["code"])


class BasePkdFormSet(forms.BaseFormSet):
    def clean(self):
        held = getattr(self, "held", set())  # the codes the profile has: kept even when no longer accepted as new
        seen = set()
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or self._should_delete_form(form):
                continue
            key = (form.cleaned_data.get("code"), form.cleaned_data.get("version"))
            if not key[0]:
                continue
            if key in seen:
                form.add_error("code", _("Ten kod jest już na liście."))
            elif key[1] == PkdVersion.PKD_2007 and key not in held and _today() > PKD_2007_ACCEPTED_UNTIL:
                form.add_error(
                    "code",
                    _("Nowe kody PKD 2007 przyjmowaliśmy do 31 grudnia 2026 r. Podaj kod w wersji PKD 2025."),
                )
            seen.add(key)

    def activities(self) -> list[tuple[str, str]]:
        """(code, version) in the order given; the first is the main activity."""
        return [
            (form.cleaned_data["code"], form.cleaned_data["version"])
            for form in self.forms
            if form.cleaned_data.get("code") and not self._should_delete_form(form)
        ]


PkdFormSet = forms.formset_factory(
    PkdActivityForm, formset=BasePkdFormSet, extra=1, can_delete=True, max_num=MAX_PKD_CODES, validate_max=True
)


class CooperativeProfileForm(VersionedFormMixin, forms.ModelForm):
    """The profile. The gmina is chosen voivodeship -> powiat -> gmina or found by name (cooperatives.territory):
    without JavaScript the "show" buttons post the form back with the lists narrowed (`step`), nothing saved and
    nothing typed lost; with it, static/js/gmina-picker.js fills the lists in place."""

    STEPS = ("voivodeship", "powiat", "search", "pkd_add")

    voivodeship = forms.ChoiceField(required=False, label=_("województwo"))
    powiat = forms.ChoiceField(required=False, label=_("powiat"))
    gmina_search = forms.CharField(
        required=False,
        max_length=100,
        label=_("albo wyszukaj gminę po nazwie"),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    gmina = forms.ModelChoiceField(
        queryset=TerritorialUnit.objects.gminas(),
        label=_("gmina"),
        help_text=_("Powiat i województwo ustalimy na podstawie gminy."),
        error_messages={
            "required": _("Wybierz gminę siedziby z listy."),
            "invalid_choice": _("Nie ma takiej gminy w rejestrze TERYT. Wybierz gminę z listy."),
        },
    )
    target_groups = forms.ModelMultipleChoiceField(
        queryset=TargetGroup.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("grupy docelowe"),
    )
    logo_upload = forms.FileField(
        required=False,
        label=_("nowe logo"),
        help_text=_("JPEG, PNG lub WebP, do 5 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )

    class Meta:
        model = Cooperative
        formfield_callback = https_formfield
        fields = [
            "description",
            "email",
            "publish_email",
            "accepts_inquiries",
            "phone",
            "publish_phone",
            "website",
            "publish_website",
            "street",
            "postal_code",
            "town",
            "gmina",
            "latitude",
            "longitude",
            "members_count",
            "employees_count",
            "employees_at_risk_count",
            "counts_as_of",
            "target_groups",
        ]
        widgets = {
            "counts_as_of": forms.DateInput(attrs={"type": "date"}),
            "latitude": forms.NumberInput(
                attrs={"step": "0.000001", "min": LATITUDE_RANGE[0], "max": LATITUDE_RANGE[1], "inputmode": "decimal"}
            ),
            "longitude": forms.NumberInput(
                attrs={"step": "0.000001", "min": LONGITUDE_RANGE[0], "max": LONGITUDE_RANGE[1], "inputmode": "decimal"}
            ),
        }
        help_texts = {
            "email": _(
                "Na ten adres portal przekazuje zapytania ofertowe (jeśli je przyjmujecie). Pokażemy go publicznie "
                "tylko za zgodą poniżej."
            ),
            "latitude": _("W stopniach dziesiętnych, np. 51.759445 (Polska leży między 48,9 a 55,0)."),
            "longitude": _("W stopniach dziesiętnych, np. 19.457216 (Polska leży między 14,0 a 24,2)."),
        }

    def __init__(self, *args, step: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.step = step if step in self.STEPS else ""
        pkd_data = None
        if self.is_bound:
            pkd_data = self.data
            if self.step == "pkd_add":
                pkd_data = self.data.copy()
                total = parse_int(pkd_data.get("pkd-TOTAL_FORMS")) or 0
                pkd_data["pkd-TOTAL_FORMS"] = str(min(total + 1, MAX_PKD_CODES))
        held = []
        if self.instance.pk:
            held = list(self.instance.activities.order_by("-is_main", "pk").values_list("code", "version"))
        if self.instance.pk and not self.is_bound:
            self.initial["version"] = self.instance.version
        # A client that does not send the list (no management form) leaves the codes as they are.
        self.pkd_submitted = not self.is_bound or "pkd-TOTAL_FORMS" in self.data
        initial_pkd = None if self.is_bound else [{"code": code, "version": version} for code, version in held]
        self.pkd = PkdFormSet(pkd_data if self.pkd_submitted else None, prefix="pkd", initial=initial_pkd)
        self.pkd.held = set(held)
        self._narrow_territory()

    def _narrow_territory(self):
        """The lists show one voivodeship's powiats and one powiat's gminas (or the gminas found by name). The
        gmina given decides, unless a "show" button asked for another voivodeship, powiat or name."""
        fields = self.fields
        gmina_code = self.data.get("gmina") if self.is_bound else (self.instance.gmina_id if self.instance.pk else None)
        current = territory.gmina_option(gmina_code) if is_digits(gmina_code, 7) else None
        if self.is_bound and self.step in ("voivodeship", "powiat", "search"):
            voivodeship = self.data.get("voivodeship", "")
            powiat = self.data.get("powiat", "") if self.step != "voivodeship" else ""
        else:
            voivodeship = current[0][:2] if current else ""
            powiat = current[0][:4] if current else ""
        voivodeships = territory.voivodeship_options()
        if voivodeship not in dict(voivodeships):
            voivodeship, powiat = "", ""
        powiats = territory.powiat_options(voivodeship)
        if powiat not in dict(powiats):
            powiat = ""
        self.search_results = None
        query = self.data.get("gmina_search", "").strip() if self.is_bound else ""
        if self.step == "search" and query:
            gminas = territory.gmina_search(query)
            self.search_results = min(len(gminas), territory.SEARCH_LIMIT)
            self.search_truncated = len(gminas) > territory.SEARCH_LIMIT
            gminas = gminas[: territory.SEARCH_LIMIT]
        else:
            gminas = territory.gmina_options(powiat)
        if current and current not in gminas and not self.step:
            gminas = [current, *gminas]
        placeholder = [("", _("– wybierz –"))]
        fields["voivodeship"].choices = placeholder + voivodeships
        fields["powiat"].choices = placeholder + powiats
        fields["gmina"].widget.choices = placeholder + gminas
        if self.step == "voivodeship":
            fields["powiat"].widget.attrs["autofocus"] = True
        elif self.step in ("powiat", "search"):
            fields["gmina"].widget.attrs["autofocus"] = True
        # The lists as narrowed, whatever was posted (a bound field shows the posted value).
        if self.is_bound:
            data = self.data.copy()
            data["voivodeship"], data["powiat"] = voivodeship, powiat
            self.data = data
        else:
            self.initial.update(voivodeship=voivodeship, powiat=powiat)

    def without_errors(self):
        """A "show" button posted the form: render it again as typed, without validating (nothing is saved)."""
        self._errors = ErrorDict()
        for form in self.pkd.forms:
            form._errors = ErrorDict()
        self.pkd._errors, self.pkd._non_form_errors = [], self.pkd.error_class()
        return self

    def clean_latitude(self):
        return self._in_poland("latitude", LATITUDE_RANGE, _("szerokość geograficzna"))

    def clean_longitude(self):
        return self._in_poland("longitude", LONGITUDE_RANGE, _("długość geograficzna"))

    def _in_poland(self, name, bounds, what):
        value = self.cleaned_data.get(name)
        if value is not None and not bounds[0] <= value <= bounds[1]:
            raise forms.ValidationError(
                _(
                    "Ten punkt leży poza Polską: %(what)s musi wynosić od %(low)s do %(high)s. Sprawdź, czy nie "
                    "zamieniono szerokości z długością."
                ),
                code="outside_poland",
                params={
                    "what": what,
                    "low": formats.number_format(bounds[0], 1),
                    "high": formats.number_format(bounds[1], 1),
                },
            )
        return value

    def clean_logo_upload(self):
        upload = self.cleaned_data.get("logo_upload")
        return sanitize_image(upload) if upload else None

    def clean(self):
        cleaned = super().clean()
        if (cleaned.get("latitude") is None) != (cleaned.get("longitude") is None) and not (
            self.has_error("latitude") or self.has_error("longitude")
        ):
            raise forms.ValidationError(_("Podaj obie współrzędne albo żadnej."))
        if self.pkd_submitted and not self.pkd.is_valid():
            self.add_error(None, _("Popraw kody PKD zaznaczone na liście."))
        # Art. 94 declaration (cooperatives/reserved.py).
        for field, message in reserved.declaration_errors(
            employees=cleaned.get("employees_count"),
            at_risk=cleaned.get("employees_at_risk_count"),
            as_of=cleaned.get("counts_as_of"),
        ).items():
            if field not in self.errors:
                self.add_error(field, message)
        return cleaned

    def activities(self) -> list[tuple[str, str]] | None:
        """The PKD list as (code, version), the main activity first; None when the form did not carry it."""
        return self.pkd.activities() if self.pkd_submitted and self.is_bound else None

    def profile_data(self) -> dict:
        return {field: self.cleaned_data[field] for field in self.Meta.fields if field != "target_groups"}


class OfferForm(VersionedFormMixin, forms.ModelForm):
    category = forms.ModelChoiceField(
        queryset=OfferCategory.objects.filter(parent__isnull=False).select_related("parent"), label=_("kategoria")
    )
    area_voivodeships = forms.ModelMultipleChoiceField(
        queryset=TerritorialUnit.objects.voivodeships(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("województwa (gdy obszar to wybrane województwa)"),
    )
    area_powiats = forms.ModelMultipleChoiceField(
        queryset=TerritorialUnit.objects.powiats().order_by("name"),
        required=False,
        label=_("powiaty (gdy obszar to wybrane powiaty)"),
        help_text=_("Aby wybrać kilka, przytrzymaj Ctrl (na Macu Cmd)."),
    )

    class Meta:
        model = Offer
        widgets = {"cpv_code": forms.TextInput(attrs={"list": "cpv-codes", "autocomplete": "off", "size": 12})}
        fields = [
            "title",
            "category",
            "description",
            "service_area",
            "area_voivodeships",
            "area_powiats",
            "price_note",
            "cpv_code",
            "zakup_prospoleczny_year",
            "is_active",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            self.fields["version"].required = False
        elif not self.is_bound:
            self.initial["version"] = self.instance.version

    def clean(self):
        cleaned = super().clean()
        area = cleaned.get("service_area")
        if area == Offer.ServiceArea.POWIATS and not cleaned.get("area_powiats"):
            self.add_error("area_powiats", _("Wybierz co najmniej jeden powiat."))
        if area == Offer.ServiceArea.VOIVODESHIPS and not cleaned.get("area_voivodeships"):
            self.add_error("area_voivodeships", _("Wybierz co najmniej jedno województwo."))
        # Units of an area that is not selected would only mislead buyers.
        if area != Offer.ServiceArea.POWIATS:
            cleaned["area_powiats"] = TerritorialUnit.objects.none()
        if area != Offer.ServiceArea.VOIVODESHIPS:
            cleaned["area_voivodeships"] = TerritorialUnit.objects.none()
        return cleaned

    def cpv_options(self):
        """The CPV list offered while typing (classes and above; deeper codes are typed in full)."""
        return cpv.options(max_digits=4)

    def offer_data(self) -> dict:
        return {field: self.cleaned_data[field] for field in self.Meta.fields}


class PhotoForm(forms.Form):
    image = forms.FileField(
        label=_("zdjęcie"),
        help_text=_("JPEG, PNG lub WebP, do 5 MB. Metadane (np. położenie GPS) usuwamy."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    alt_text = forms.CharField(
        max_length=200, label=_("opis zdjęcia"), help_text=_("Co widać na zdjęciu (dla osób niewidomych).")
    )

    def __init__(self, *args, photos_left: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.photos_left = photos_left

    def clean_image(self):
        # A full profile is told so before the upload is decoded (which is the costly part).
        if self.photos_left is not None and self.photos_left <= 0:
            raise forms.ValidationError(
                _("Profil może mieć najwyżej %(max)d zdjęć. Usuń któreś, aby dodać nowe.") % {"max": MAX_PHOTOS},
                code="too_many_photos",
            )
        return sanitize_image(self.cleaned_data["image"])


class CooperativeLookupForm(forms.Form):
    q = forms.CharField(
        max_length=200, label=_("Nazwa lub numer KRS spółdzielni"), widget=forms.TextInput(attrs={"type": "search"})
    )


class RepresentationRequestForm(forms.Form):
    role_in_cooperative = forms.CharField(
        max_length=120, label=_("Twoja funkcja w spółdzielni"), help_text=_("Np. prezes zarządu, członek zarządu.")
    )
    message = forms.CharField(required=False, max_length=2000, widget=forms.Textarea, label=_("Uzasadnienie"))
    document = forms.FileField(
        required=False,
        label=_("Dokument potwierdzający (PDF, do 5 MB)"),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}),
    )

    def clean_document(self):
        upload = self.cleaned_data.get("document")
        return validate_pdf(upload) if upload else None


class DecisionForm(forms.Form):
    class Decision:
        APPROVE = "approve"
        REJECT = "reject"

    decision = forms.ChoiceField(
        choices=[(Decision.APPROVE, _("Zatwierdź")), (Decision.REJECT, _("Odrzuć"))],
        widget=forms.RadioSelect,
        label=_("Decyzja"),
    )
    reason = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        label=_("Uzasadnienie (wymagane przy odrzuceniu)"),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == self.Decision.REJECT and not cleaned.get("reason", "").strip():
            self.add_error("reason", _("Podaj powód odrzucenia; wnioskodawca go zobaczy."))
        return cleaned

    @property
    def approve(self) -> bool:
        return self.cleaned_data["decision"] == self.Decision.APPROVE


class ChangeRequestForm(forms.ModelForm):
    justification = forms.CharField(
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        label=_("Uzasadnienie zmiany"),
        help_text=_("Np. numer wpisu w KRS lub decyzji wojewody."),
    )

    class Meta:
        model = Cooperative
        fields = list(ChangeRequest.IDENTITY_FIELDS)
        widgets = {"ps_decision_date": forms.DateInput(attrs={"type": "date"})}

    def validate_unique(self):
        # Uniqueness is checked when a moderator applies the change, against the data as it is then.
        pass

    def _post_clean(self):
        # Validate field by field only; never touch the instance (the change waits for a moderator).
        pass

    def proposed(self) -> dict:
        return {field: self.cleaned_data[field] for field in self.Meta.fields}


class MemberInviteForm(forms.Form):
    email = forms.EmailField(
        label=_("Adres e-mail osoby zapraszanej"),
        help_text=_("Osoba z kontem w portalu zostanie dodana od razu. Na inny adres wyślemy zaproszenie ważne 7 dni."),
    )


class ErrorReportForm(HoneypotMixin):
    message = forms.CharField(
        max_length=3000, widget=forms.Textarea(attrs={"rows": 5}), label=_("Co jest nie tak w tym wpisie?")
    )
    reporter_email = forms.EmailField(
        required=False,
        label=_("Twój e-mail (opcjonalnie)"),
        help_text=_("Podaj, jeśli chcesz, abyśmy mogli dopytać."),
    )


class InquiryForm(HoneypotMixin):
    krs = forms.ModelMultipleChoiceField(
        queryset=Cooperative.objects.exclude(status=Cooperative.Status.DELETED).order_by("name"),
        to_field_name="krs_number",
        widget=forms.CheckboxSelectMultiple,
        label=_("Spółdzielnie, do których wysyłasz zapytanie"),
        error_messages={"required": _("Wybierz co najmniej jedną spółdzielnię.")},
    )
    subject = forms.CharField(max_length=200, label=_("Czego dotyczy zapytanie"))
    details = forms.CharField(max_length=5000, widget=forms.Textarea(attrs={"rows": 5}), label=_("Opis potrzeby"))
    place = forms.CharField(max_length=200, label=_("Miejsce realizacji"))
    timeframe = forms.CharField(max_length=200, label=_("Termin"))
    budget = forms.CharField(max_length=100, required=False, label=_("Budżet (opcjonalnie)"))
    contact_name = forms.CharField(max_length=200, label=_("Imię i nazwisko"))
    organisation = forms.CharField(max_length=200, required=False, label=_("Instytucja lub firma"))
    contact_email = forms.EmailField(label=_("E-mail"))
    contact_phone = forms.CharField(max_length=40, required=False, label=_("Telefon (opcjonalnie)"))

    MAX_RECIPIENTS = 30

    def __init__(self, *args, preselected=(), **kwargs):
        super().__init__(*args, **kwargs)
        # Only the cooperatives picked in the catalogue are offered, so the list stays short.
        self.fields["krs"].queryset = self.fields["krs"].queryset.filter(krs_number__in=list(preselected)[:100])
        if preselected and not self.is_bound:
            self.initial["krs"] = list(preselected)

    def clean_krs(self):
        chosen = self.cleaned_data["krs"]
        if len(chosen) > self.MAX_RECIPIENTS:
            raise forms.ValidationError(
                _("Jedno zapytanie można wysłać do najwyżej %(max)d spółdzielni.") % {"max": self.MAX_RECIPIENTS}
            )
        return chosen

    def inquiry_data(self) -> dict:
        return {
            field: self.cleaned_data[field]
            for field in (
                "subject",
                "details",
                "place",
                "timeframe",
                "budget",
                "contact_name",
                "organisation",
                "contact_email",
                "contact_phone",
            )
        }

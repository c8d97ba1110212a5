"""Forms of the self-service pages. Uploads are checked by content here (cooperatives.uploads)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import https_formfield
from core.public_forms import HoneypotMixin

from . import cpv, reserved
from .models import ChangeRequest, Cooperative, Offer, OfferCategory, TargetGroup, TerritorialUnit
from .services import MAX_PHOTOS
from .uploads import sanitize_image, validate_pdf
from .validators import validate_pkd_code


class VersionedFormMixin(forms.Form):
    """The version the user started from travels with the form; the service refuses a stale one."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class CooperativeProfileForm(VersionedFormMixin, forms.ModelForm):
    gmina = forms.ModelChoiceField(
        queryset=TerritorialUnit.objects.gminas().order_by("name"),
        label=_("gmina"),
        help_text=_("Powiat i województwo ustalimy na podstawie gminy."),
    )
    target_groups = forms.ModelMultipleChoiceField(
        queryset=TargetGroup.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("grupy docelowe"),
    )
    pkd_codes = forms.CharField(
        required=False,
        label=_("kody PKD"),
        help_text=_("Oddzielone przecinkami, przeważająca działalność jako pierwsza, np. 56.21.Z, 81.30.Z."),
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
        widgets = {"counts_as_of": forms.DateInput(attrs={"type": "date"})}
        help_texts = {
            "email": _(
                "Na ten adres portal przekazuje zapytania ofertowe (jeśli je przyjmujecie). Pokażemy go publicznie "
                "tylko za zgodą poniżej."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["pkd_codes"] = ", ".join(a.code for a in self.instance.activities.all())
            self.initial["version"] = self.instance.version

    def clean_pkd_codes(self):
        codes = [code.strip().upper() for code in self.cleaned_data["pkd_codes"].split(",") if code.strip()]
        for code in codes:
            validate_pkd_code(code)
        return codes

    def clean_logo_upload(self):
        upload = self.cleaned_data.get("logo_upload")
        return sanitize_image(upload) if upload else None

    def clean(self):
        cleaned = super().clean()
        if (cleaned.get("latitude") is None) != (cleaned.get("longitude") is None):
            raise forms.ValidationError(_("Podaj obie współrzędne albo żadnej."))
        # Art. 94 declaration (cooperatives/reserved.py).
        for field, message in reserved.declaration_errors(
            employees=cleaned.get("employees_count"),
            at_risk=cleaned.get("employees_at_risk_count"),
            as_of=cleaned.get("counts_as_of"),
        ).items():
            if field not in self.errors:
                self.add_error(field, message)
        return cleaned

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

"""Forms of the trainings pages. Error messages are Polish (Django's own messages come from its pl catalogue)."""

from django import forms
from django.core.cache import cache
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from cooperatives.models import TerritorialUnit
from core.public_forms import HoneypotMixin

from .filters import DateInput
from .models import Attendance, GrammaticalForm, InstitutionType, Training, TrainingProgramme, normalise_short_code
from .selectors import Dimension
from .services import RegistrationData

GMINA_CHOICES_CACHE_KEY = "trainings:gmina-choices"


class AccessibleErrorsMixin:
    """Fields with errors say so to assistive technology: aria-invalid, and aria-describedby pointing at the
    error list that templates/trainings/_field.html renders as `<id>-errors`."""

    def add_error(self, field, error):
        super().add_error(field, error)
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["aria-invalid"] = "true"
                widget.attrs["aria-describedby"] = f"{self.auto_id % self.add_prefix(name)}-errors"


def gmina_choices() -> list:
    """Gminas grouped by voivodeship, labelled with their kind and powiat (names repeat across Poland)."""
    key = f"{GMINA_CHOICES_CACHE_KEY}:{get_language()}"  # the labels are translated
    choices = cache.get(key)
    if choices is None:
        groups: dict[str, list] = {}
        voivodeships = {unit.code: unit.name.lower() for unit in TerritorialUnit.objects.voivodeships()}
        for gmina in TerritorialUnit.objects.gminas().select_related("parent").order_by("parent__parent_id", "name"):
            label = f"{gmina.name} ({gmina.get_gmina_kind_display()}), {gmina.parent}"
            groups.setdefault(voivodeships.get(gmina.code[:2], ""), []).append((gmina.code, label))
        choices = [("", "---------"), *groups.items()]
        cache.set(key, choices, 3600)
    return choices


class RegistrationForm(AccessibleErrorsMixin, HoneypotMixin, forms.Form):
    first_name = forms.CharField(label=_("Imię"), max_length=100)
    last_name = forms.CharField(label=_("Nazwisko"), max_length=100)
    email = forms.EmailField(label=_("Adres e-mail"), max_length=254)
    position = forms.CharField(label=_("Stanowisko"), max_length=150, required=False)
    institution_name = forms.CharField(label=_("Nazwa instytucji"), max_length=250)
    institution_type = forms.ChoiceField(
        label=_("Typ instytucji"), choices=[("", "---------"), *InstitutionType.choices]
    )
    institution_gmina = forms.ChoiceField(label=_("Gmina, w której działa instytucja"))
    grammatical_form = forms.ChoiceField(
        label=_("Forma na zaświadczeniu (opcjonalnie)"),
        choices=[("", _("„ukończył(a)” – bez wskazywania formy")), *GrammaticalForm.choices],
        required=False,
        help_text=_("Jak zapisać na zaświadczeniu, że szkolenie zostało ukończone."),
    )
    consent = forms.BooleanField(
        label=_("Zapoznałem(-am) się z informacją o przetwarzaniu danych osobowych."),
        error_messages={"required": _("Zgłoszenie wymaga zapoznania się z informacją o danych osobowych.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["institution_gmina"].choices = gmina_choices()

    def registration_data(self) -> RegistrationData:
        data = self.cleaned_data
        return RegistrationData(
            first_name=data["first_name"],
            last_name=data["last_name"],
            email=data["email"],
            position=data["position"],
            institution_name=data["institution_name"],
            institution_type=data["institution_type"],
            institution_gmina_id=data["institution_gmina"],
            grammatical_form=data.get("grammatical_form") or "",
        )


BULK_FIELD = "mark_all"


class AttendanceForm(AccessibleErrorsMixin, forms.Form):
    """One select per participant, plus one "mark everyone without a status as ..." select for bulk marking.

    Each row also carries the status the organiser saw (a hidden field), so that only rows they changed are
    written and a row someone else changed in the meantime is reported instead of silently overwritten.
    """

    def __init__(self, *args, enrolments, **kwargs):
        super().__init__(*args, **kwargs)
        self.enrolments = list(enrolments)
        choices = [("", _("— bez zmian —")), *Attendance.Status.choices]
        self.fields[BULK_FIELD] = forms.ChoiceField(
            label=_("Zaznacz wszystkim bez statusu"), choices=choices, required=False
        )
        for enrolment in self.enrolments:
            current = enrolment.session_attendances[0].status if enrolment.session_attendances else ""
            self.fields[self.field_name(enrolment)] = forms.ChoiceField(
                label=enrolment.participant.full_name, choices=choices, required=False, initial=current
            )
            self.fields[self.seen_name(enrolment)] = forms.ChoiceField(
                choices=choices, required=False, initial=current, widget=forms.HiddenInput
            )

    @staticmethod
    def field_name(enrolment) -> str:
        return f"enrolment_{enrolment.pk}"

    @staticmethod
    def seen_name(enrolment) -> str:
        return f"seen_{enrolment.pk}"

    def rows(self):
        for enrolment in self.enrolments:
            yield enrolment, self[self.field_name(enrolment)], self[self.seen_name(enrolment)]

    def changes(self) -> tuple[dict[int, str], dict[int, str]]:
        """(enrolment id -> new status, enrolment id -> the status the organiser saw) for the rows they changed."""
        bulk = self.cleaned_data.get(BULK_FIELD) or ""
        statuses, expected = {}, {}
        for enrolment in self.enrolments:
            seen = self.cleaned_data.get(self.seen_name(enrolment)) or ""
            value = self.cleaned_data.get(self.field_name(enrolment)) or ""
            if not value and not seen:
                value = bulk
            if value and value != seen:
                statuses[enrolment.pk], expected[enrolment.pk] = value, seen
        return statuses, expected

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not self.changes()[0]:
            raise forms.ValidationError(_("Nie wybrano żadnej zmiany obecności."))
        return cleaned


class ReportForm(AccessibleErrorsMixin, forms.Form):
    dimension = forms.ChoiceField(
        label=_("Grupuj według"),
        choices=[
            (Dimension.VOIVODESHIP, _("województwa")),
            (Dimension.POWIAT, _("powiatu")),
            (Dimension.INSTITUTION_TYPE, _("typu instytucji")),
            (Dimension.MONTH, _("miesiąca")),
        ],
        required=False,
    )
    programme = forms.ModelChoiceField(
        label=_("Program"),
        queryset=TrainingProgramme.objects.all(),
        required=False,
        error_messages={"invalid_choice": _("Nie ma takiego programu.")},
    )
    date_from = forms.DateField(label=_("Szkolenia od dnia"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("Szkolenia do dnia"), required=False, widget=DateInput())

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("Data końcowa nie może być wcześniejsza niż początkowa."))
        return cleaned

    def dimension_label(self) -> str:
        value = self.cleaned_data.get("dimension") or Dimension.VOIVODESHIP
        return str(dict(self.fields["dimension"].choices)[value])


class PersonalDataRequestForm(AccessibleErrorsMixin, forms.Form):
    email = forms.EmailField(label=_("Adres e-mail osoby"), max_length=254)


class TrainingStatusForm(AccessibleErrorsMixin, forms.Form):
    status = forms.ChoiceField(label=_("Nowy status"))

    def __init__(self, *args, allowed: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(Training.Status.choices)
        self.fields["status"].choices = [(value, labels[value]) for value in allowed]


class CertificateLookupForm(AccessibleErrorsMixin, forms.Form):
    """The verification number typed from a paper certificate: any case, with or without dashes and spaces."""

    numer = forms.CharField(
        label=_("Numer weryfikacyjny zaświadczenia"),
        max_length=40,
        help_text=_("10 znaków, np. 7K3QD-XN9PA; wielkość liter i myślniki nie mają znaczenia."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}),
    )

    def clean_numer(self):
        code = normalise_short_code(self.cleaned_data["numer"])
        if not code:
            raise forms.ValidationError(
                _("Numer weryfikacyjny ma 10 znaków: cyfry i litery (bez I, L, O i U), np. 7K3QD-XN9PA.")
            )
        return code

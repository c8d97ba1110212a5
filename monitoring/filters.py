"""Query parameters of the statistics pages, exports and API: one form validates the wave, the indicator, the
breakdown and the registry filters for all of them, so a bad value is a clear message everywhere, never a 500."""

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cooperatives.models import Cooperative, TerritorialUnit
from core.params import split_nul_params
from core.text import polish_sort_key

from . import statistics

MAX_ID = 2**31 - 1


def voivodeship_choices() -> list[tuple[str, str]]:
    """(TERYT code, name) of every voivodeship in Polish alphabetical order (one query)."""
    units = TerritorialUnit.objects.voivodeships().values_list("code", "name")
    return sorted(units, key=lambda unit: polish_sort_key(unit[1]))


class StatisticsQueryForm(forms.Form):
    """`wave` and `indicator` are required where the caller says (the API: both; an export: the indicator)."""

    wave = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_ID,
        error_messages={
            "invalid": gettext_lazy("Podaj numer fali."),
            "min_value": gettext_lazy("Podaj numer fali."),
            "max_value": gettext_lazy("Podaj numer fali."),
            "required": gettext_lazy("Podaj numer fali."),
        },
    )
    indicator = forms.ChoiceField(required=False)
    breakdown = forms.ChoiceField(
        required=False,
        choices=list(statistics.BREAKDOWNS.items()),
        error_messages={"invalid_choice": gettext_lazy("Nieznany podział „%(value)s”.")},
    )
    voivodeship = forms.ChoiceField(
        required=False, error_messages={"invalid_choice": gettext_lazy("Nieznany kod województwa „%(value)s”.")}
    )
    founder_type = forms.ChoiceField(
        required=False,
        choices=Cooperative.FounderType.choices,
        error_messages={"invalid_choice": gettext_lazy("Nieznany typ założycieli „%(value)s”.")},
    )

    def __init__(self, data, *, require_wave=False, require_indicator=False, voivodeships=None):
        data, self.nul_errors = split_nul_params(data)
        super().__init__(data)
        # Read only when needed: a page lists them (and passes them in), the API checks a given code against them.
        self.fields["voivodeship"].choices = voivodeship_choices if voivodeships is None else voivodeships
        choose = _("Wybierz wskaźnik: %(choices)s.") % {"choices": ", ".join(statistics.INDICATORS)}
        indicator = self.fields["indicator"]
        indicator.choices = [(code, item.label) for code, item in statistics.INDICATORS.items()]
        indicator.required = require_indicator
        indicator.error_messages.update({"invalid_choice": choose, "required": choose})
        self.fields["wave"].required = require_wave

    def clean(self):
        cleaned = super().clean()
        breakdown = cleaned.get("breakdown")
        if breakdown in statistics.PKD_BREAKDOWNS and cleaned.get("voivodeship") and cleaned.get("founder_type"):
            # The full cube (section x voivodeship x founder type) would give an averaging attacker one more
            # independently perturbed table of each small group: docs/decisions/0005.
            self.add_error(
                "breakdown",
                _(
                    "Podział według sekcji PKD można połączyć z jednym filtrem: województwem albo typem założycieli, "
                    "nie z oboma naraz."
                ),
            )
        return cleaned

    def messages(self) -> dict[str, str]:
        """The first message per parameter (NUL characters included), for pages and the API alike."""
        errors = {name: str(messages[0]) for name, messages in self.errors.items()}
        errors.update({name: str(messages[0]) for name, messages in self.nul_errors.items()})
        return errors


def statistics_query(data, **options) -> tuple[dict, dict[str, str], StatisticsQueryForm]:
    """Validated parameters {wave, indicator, breakdown, filters} and the error messages per parameter; a bad
    parameter falls back to its default so a page can still show the rest."""
    form = StatisticsQueryForm(data, **options)
    valid = form.is_valid() and not form.nul_errors
    cleaned = form.cleaned_data
    errors = {} if valid else form.messages()
    breakdown = cleaned.get("breakdown") if "breakdown" not in errors else ""
    filters = {
        name: cleaned[name] for name in ("voivodeship", "founder_type") if cleaned.get(name) and name not in errors
    }
    query = {
        "wave": cleaned.get("wave"),
        "indicator": statistics.INDICATORS.get(cleaned.get("indicator") or ""),
        "breakdown": breakdown or "none",
        "filters": filters,
    }
    return query, errors, form


def statistics_filters(data) -> tuple[str, dict, dict]:
    """Breakdown and filters from query parameters; unknown values give errors instead of being ignored."""
    query, errors, _form = statistics_query(data)
    return query["breakdown"], query["filters"], errors

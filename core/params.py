"""Query-parameter hygiene shared by the API and the pages that take filters from the URL: NUL characters, numbers
(`parse_int`, `StrictIntegerField`, `IntegerFilter`) and repeated single-valued parameters."""

import sys

import django_filters
from django import forms
from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy


def split_nul_params(data: QueryDict) -> tuple[QueryDict, dict[str, list[str]]]:
    """`data` without the parameters whose values hold a NUL character, and an error message for each of them.

    PostgreSQL refuses NUL in text, so such a value must be answered as bad input before it reaches a query.
    """
    bad = sorted({key for key, values in data.lists() if any("\x00" in value for value in values)})
    if not bad:
        return data, {}
    clean = data.copy()
    for key in bad:
        del clean[key]
    return clean, {key.replace("\x00", ""): [_("Wartość zawiera niedozwolony znak NUL.")] for key in bad}


# --- Numbers -----------------------------------------------------------------------------------------------------
# One parser for every number a client sends in a query string, a path or an identifier. `str.isdigit()` is true
# for "²" and "١" (which `int()` refuses or reads as another number), so nothing here uses it: a number is ASCII
# digits only, within the range of a database key.

BIGINT_MAX = 2**63 - 1


def parse_int(raw, *, min_value: int = 0, max_value: int | None = BIGINT_MAX) -> int | None:
    """The integer written in `raw` (ASCII digits only, no sign or spaces) if it lies in [min_value, max_value]
    (`max_value=None`: no bound but Python's own limit on the digits of a string it converts)."""
    longest = len(str(max_value)) if max_value is not None else sys.get_int_max_str_digits() or 4300
    if not isinstance(raw, str) or not raw.isascii() or not raw.isdecimal() or len(raw) > longest:
        return None
    value = int(raw)
    return value if value >= min_value and (max_value is None or value <= max_value) else None


def is_digits(raw, length: int | None = None) -> bool:
    """ASCII digits only (optionally exactly `length` of them): a KRS number, a TERYT code, a numeric fragment."""
    return isinstance(raw, str) and raw.isascii() and raw.isdecimal() and (length is None or len(raw) == length)


class StrictIntegerField(forms.IntegerField):
    """A whole number typed with ASCII digits, within a database key's range (Django's IntegerField reads "١٢" as
    12 and lets "99999999999999999999" reach the database)."""

    default_error_messages = {"invalid": _lazy("Podaj liczbę całkowitą.")}

    def __init__(self, *, min_value=1, max_value=BIGINT_MAX, **kwargs):
        super().__init__(min_value=min_value, max_value=max_value, **kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        number = parse_int(str(value), max_value=BIGINT_MAX)
        if number is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return number


class IntegerFilter(django_filters.NumberFilter):
    """A FilterSet's integer parameter (an id): StrictIntegerField, so "²" is a 400, not a 500."""

    field_class = StrictIntegerField


def repeated_params_errors(data: QueryDict, names) -> dict[str, list[str]]:
    """A message for each of `names` given more than once: a single-valued parameter must not silently take the
    last of several values (`?page_size=x&page_size=5`)."""
    return {name: [_("Podaj ten parametr tylko raz.")] for name in names if len(data.getlist(name)) > 1}

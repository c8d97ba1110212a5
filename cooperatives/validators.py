"""Validators of the registry's identifiers. Checksums come from python-stdnum, never written by hand."""

import re

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.pl import nip as stdnum_nip
from stdnum.pl import regon as stdnum_regon

from .cpv import validate_cpv_code  # noqa: F401  (the CPV rules live with the vocabulary)

validate_krs = RegexValidator(
    r"^\d{10}$", _("Numer KRS składa się z dokładnie 10 cyfr (np. 0000123456)."), code="invalid_krs"
)
validate_postal_code = RegexValidator(
    r"^\d{2}-\d{3}$", _("Kod pocztowy musi mieć postać NN-NNN (np. 00-950)."), code="invalid_postal_code"
)
validate_pkd_code = RegexValidator(
    r"^\d{2}\.\d{2}\.[A-Z]$", _("Kod PKD musi mieć postać podklasy, np. 88.10.Z."), code="invalid_pkd"
)

_SEPARATORS = re.compile(r"[\s-]")


def compact_digits(value: str) -> str:
    return _SEPARATORS.sub("", value or "")


def validate_nip(value: str) -> None:
    try:
        stdnum_nip.validate(value)
    except StdnumError:
        raise ValidationError(
            _("Niepoprawny NIP: wymagane 10 cyfr z prawidłową cyfrą kontrolną."), code="invalid_nip"
        ) from None


def validate_regon(value: str) -> None:
    try:
        stdnum_regon.validate(value)
    except StdnumError:
        raise ValidationError(
            _("Niepoprawny REGON: wymagane 9 lub 14 cyfr z prawidłową cyfrą kontrolną."), code="invalid_regon"
        ) from None

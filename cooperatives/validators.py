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
_PKD_TYPED = re.compile(r"(\d{2})\.?(\d{2})\.?([A-Z])")


def normalize_pkd_code(value: str) -> str:
    """A subclass code as typed ("88.10.z", " 8810Z ") in its canonical form ("88.10.Z"); blank stays blank.
    PKD 2007 and PKD 2025 write subclasses the same way (two digits, two digits, a letter)."""
    typed = "".join((value or "").split()).upper()
    match = _PKD_TYPED.fullmatch(typed)
    if match:
        typed = ".".join(match.groups())
    if typed:
        validate_pkd_code(typed)
    return typed


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

"""The Common Procurement Vocabulary (CPV 2008: Regulation (EC) No 2195/2002 as amended by Regulation (EC)
No 213/2008): the codes buyers put in their tenders, so that offers can be found by them.

A code is eight digits, a hyphen and a check digit (`55520000-1`). The hierarchy is in the digits: `55000000`
is a division, `55500000` a group, `55520000` a class, `55521000` a category and so on; a code stands for every
code that starts with its digits up to the trailing zeros (never fewer than the division's two).

The vocabulary is read from CSV files (`code;name_pl;name_en`) in `data/cpv/`: the divisions ship with the
project (`cpv_2008_divisions.csv`); the full vocabulary (9,454 codes, also shipped) is read from
`PORTAL_CPV_FILE`, or from `data/cpv/cpv_2008.csv` when that file exists. `manage.py import_cpv cpv_2008.xlsx`
rewrites that file from the spreadsheet the EU Publications Office publishes. See data/cpv/README.md.

The vocabulary is the authority on check digits: most codes follow the weighted sum below, but codes renumbered
in 2008 kept the digits they had, so a code the vocabulary holds is checked against its entry. Without the full
vocabulary, other codes are checked by the formula and their division must exist.
"""

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

DATA_DIR = Path(__file__).resolve().parent / "data" / "cpv"
DIVISIONS_FILE = DATA_DIR / "cpv_2008_divisions.csv"
FULL_FILE = DATA_DIR / "cpv_2008.csv"
FULL_SIZE = 9000  # a file with fewer codes is not the whole vocabulary (CPV 2008 has 9,454)

# ASCII digits only: \d would take "５５" (full-width) and other scripts' digits.
CODE_PATTERN = re.compile(r"^([0-9]{8})-([0-9])$")
STEM_PATTERN = re.compile(r"^[0-9]{2,8}$")
WEIGHTS = (3, 7, 1, 3, 7, 1, 3, 7)


def computed_check_digit(stem: str) -> str:
    """The check digit by the CPV's weighted sum (weights 3, 7, 1 repeated, modulo 10)."""
    return str(sum(int(digit) * weight for digit, weight in zip(stem, WEIGHTS, strict=True)) % 10)


def significant_prefix(stem: str) -> str:
    """The digits that place a code in the hierarchy: the stem without its trailing zeros, at least the division."""
    return stem[:2] + stem[2:].rstrip("0")


@dataclass(frozen=True)
class CpvEntry:
    code: str
    name_pl: str
    name_en: str

    @property
    def stem(self) -> str:
        return self.code[:8]

    @property
    def name(self) -> str:
        """The name in the page's language (English for English pages, Polish otherwise)."""
        if (get_language() or "").startswith("en") and self.name_en:
            return self.name_en
        return self.name_pl

    @property
    def label(self) -> str:
        return f"{self.code} {self.name}"


class Vocabulary:
    def __init__(self, entries: list[CpvEntry], *, complete: bool):
        self.by_stem = {entry.stem: entry for entry in entries}
        self.entries = sorted(self.by_stem.values(), key=lambda entry: entry.code)
        self.complete = complete

    def get(self, code_or_stem: str) -> CpvEntry | None:
        return self.by_stem.get((code_or_stem or "")[:8])

    def division(self, stem: str) -> CpvEntry | None:
        return self.by_stem.get(stem[:2] + "000000")

    def nearest(self, code: str) -> CpvEntry | None:
        """The entry of the code itself, else of the nearest level above it that the vocabulary holds."""
        stem = code[:8]
        prefix = significant_prefix(stem)
        for length in range(len(prefix), 1, -1):
            entry = self.by_stem.get(prefix[:length].ljust(8, "0"))
            if entry is not None:
                return entry
        return None


def read_csv(path: Path) -> list[CpvEntry]:
    """`code;name_pl;name_en` rows (UTF-8, a header row). Rows whose code is not NNNNNNNN-N are refused."""
    entries = []
    with open(path, encoding="utf-8-sig", newline="") as handle:
        for number, row in enumerate(csv.DictReader(handle, delimiter=";"), start=2):
            code = (row.get("code") or "").strip()
            if not CODE_PATTERN.match(code):
                raise ValueError(f"{path}: row {number}: not a CPV code: {code!r}")
            entries.append(CpvEntry(code, (row.get("name_pl") or "").strip(), (row.get("name_en") or "").strip()))
    return entries


def full_file() -> Path | None:
    configured = getattr(settings, "PORTAL_CPV_FILE", "")
    if configured:
        return Path(configured)
    return FULL_FILE if FULL_FILE.exists() else None


@lru_cache(maxsize=1)
def vocabulary() -> Vocabulary:
    """The divisions shipped with the project, completed by the full vocabulary when it is installed."""
    entries = read_csv(DIVISIONS_FILE)
    path = full_file()
    complete = False
    if path is not None:
        full = read_csv(path)
        entries += full
        complete = len(full) >= FULL_SIZE
    return Vocabulary(entries, complete=complete)


def validate_cpv_code(value: str) -> None:
    """A CPV code written NNNNNNNN-N whose check digit is right and which the vocabulary knows (or, without the
    full vocabulary, whose division exists)."""
    match = CODE_PATTERN.match(value or "")
    if match is None:
        raise ValidationError(
            _("Kod CPV musi mieć postać 8 cyfr, myślnika i cyfry kontrolnej, np. 55520000-1."), code="invalid_cpv"
        )
    stem, digit = match.groups()
    words = vocabulary()
    entry = words.get(stem)
    if entry is not None:
        expected = entry.code[9]
    elif words.complete:
        raise ValidationError(
            _("Kodu %(code)s nie ma w słowniku CPV. Wybierz kod z listy."), code="unknown_cpv", params={"code": value}
        )
    elif words.division(stem) is None:
        raise ValidationError(
            _("Nie ma działu CPV %(division)s. Wybierz kod z listy."),
            code="unknown_cpv",
            params={"division": stem[:2]},
        )
    else:
        expected = computed_check_digit(stem)
    if digit != expected:
        raise ValidationError(
            _("Cyfra kontrolna kodu CPV %(stem)s to %(digit)s (%(stem)s-%(digit)s). Sprawdź, czy kod jest poprawny."),
            code="cpv_check_digit",
            params={"stem": stem, "digit": expected},
        )


@dataclass(frozen=True)
class CpvQuery:
    """A catalogue's CPV filter: what was typed, and the digits the codes it covers start with."""

    typed: str
    prefix: str

    def __str__(self) -> str:
        entry = vocabulary().get(self.typed) if CODE_PATTERN.match(self.typed) else None
        return f"{self.typed} ({entry.name})" if entry else self.typed


def parse_filter(value: str) -> CpvQuery:
    """A full code (validated) or 2-8 digits of a code's start. Raises ValidationError with a Polish message."""
    value = (value or "").strip()
    if CODE_PATTERN.match(value):
        validate_cpv_code(value)
        return CpvQuery(value, significant_prefix(value[:8]))
    if STEM_PATTERN.match(value):
        return CpvQuery(value, significant_prefix(value.ljust(8, "0")))
    raise ValidationError(
        _("Podaj kod CPV (np. 55520000-1) albo jego początek (np. 55 dla całego działu)."), code="invalid_cpv"
    )


def options(*, max_digits: int) -> list[CpvEntry]:
    """Entries down to the level of `max_digits` significant digits (2: divisions, 3: groups, 4: classes), for a
    <datalist>: the browser filters it by what is typed, with or without JavaScript."""
    return [entry for entry in vocabulary().entries if len(significant_prefix(entry.stem)) <= max_digits]

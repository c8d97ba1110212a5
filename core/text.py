"""Text normalisation shared by search on every database.

Lower-case, Polish diacritics folded to ASCII (ł -> l, which Unicode decomposition alone does not do), runs of
white space collapsed. PostgreSQL's unaccent() folds the same way, so a query normalised here matches a
document normalised there.
"""

import re
import unicodedata

_EXTRA_FOLDS = str.maketrans({"ł": "l", "Ł": "L", "đ": "d", "ø": "o", "ß": "ss"})
_SPACES = re.compile(r"\s+")
# Characters XML 1.0 cannot hold, not even written as a character reference: C0 controls other than tab, line feed
# and carriage return, lone surrogates and the non-characters U+FFFE and U+FFFF (XLSX cells, OAI-PMH answers).
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def fold(text: str | None) -> str:
    """'Spółdzielnia  Łódź' -> 'spoldzielnia lodz'."""
    if not text:
        return ""
    text = text.translate(_EXTRA_FOLDS)
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", stripped).strip().lower()


def xml_safe(text: str) -> str:
    """`text` without the characters XML 1.0 cannot hold (XML_ILLEGAL)."""
    return XML_ILLEGAL.sub("", text)


# Polish alphabetical order: each letter with a diacritic is a letter of its own, right after its base letter
# (a < ą < b, l < ł < m, s < ś < t, z < ź < ż), as ICU's "pl" collation orders them on PostgreSQL.
_POLISH_ALPHABET = "aąbcćdeęfghijklłmnńoópqrsśtuvwxyzźż"
_POLISH_WEIGHTS = {letter: chr(0x100 + index) for index, letter in enumerate(_POLISH_ALPHABET)}


def polish_sort_key(text: str | None) -> tuple[str, str]:
    """Sort key for Polish alphabetical order in Python (where the database's Polish collation is not at hand):
    case and other languages' accents only break ties. 'Łódzkie' sorts after 'Lubuskie', before 'Małopolskie'."""
    if not text:
        return ("", "")
    primary = []
    for char in text.lower():
        weight = _POLISH_WEIGHTS.get(char)
        if weight is None:
            base = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
            weight = "".join(_POLISH_WEIGHTS.get(c, c) for c in base)
        primary.append(weight)
    return ("".join(primary), text)


# Durations with a number, in the accusative ("ważny przez 1 godzinę", "przez 72 godziny", "przez 5 dni"): Polish
# has three plural forms (1 / 2-4, 22-24 / 5-21, 25-...), which only ngettext with the pl catalogue
# (locale/pl) gives; "%d godzin" with any number is wrong for 1, 2-4 and 22-24.
def hours_text(hours: int) -> str:
    from django.utils.translation import ngettext

    return ngettext("%(n)d godzinę", "%(n)d godziny", hours) % {"n": hours}


def days_text(days: int) -> str:
    from django.utils.translation import ngettext

    return ngettext("%(n)d dzień", "%(n)d dni", days) % {"n": days}


def data_label(value: str) -> str:
    """A name from one of the fixed data vocabularies (offer categories, target groups, founder kinds, survey
    questions and their choices), in the active language: its English form is an entry of locale/en like any
    interface text (tests/core/test_vocabulary_translations.py keeps the catalogue complete). A name added later
    through the admin, with no entry yet, stays Polish. gettext("") would return the catalogue's header."""
    from django.utils.translation import gettext

    return gettext(value) if value else value

"""Text normalisation shared by search on every database.

Lower-case, Polish diacritics folded to ASCII (ł -> l, which Unicode decomposition alone does not do), runs of
white space collapsed. PostgreSQL's unaccent() folds the same way, so a query normalised here matches a
document normalised there.
"""

import re
import unicodedata

_EXTRA_FOLDS = str.maketrans({"ł": "l", "Ł": "L", "đ": "d", "ø": "o", "ß": "ss"})
_SPACES = re.compile(r"\s+")


def fold(text: str | None) -> str:
    """'Spółdzielnia  Łódź' -> 'spoldzielnia lodz'."""
    if not text:
        return ""
    text = text.translate(_EXTRA_FOLDS)
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", stripped).strip().lower()


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

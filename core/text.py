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

"""Citation export: BibTeX (biblatex-compatible, UTF-8) and RIS. Pure functions: publications -> text.

`url_for(publication)` gives each record's absolute address (the caller knows the host).
"""

import re
from collections.abc import Callable, Iterable

from core.text import fold

from .models import Publication

_BIBTEX_SPECIAL = re.compile(r"([\\{}%&$#_^~])")
_BIBTEX_REPLACEMENTS = {"\\": r"\textbackslash{}", "^": r"\textasciicircum{}", "~": r"\textasciitilde{}"}
_KEY_WORD = re.compile(r"[a-z0-9]+")


def _bibtex_escape(value: str) -> str:
    value = " ".join(str(value).split())
    return _BIBTEX_SPECIAL.sub(lambda m: _BIBTEX_REPLACEMENTS.get(m.group(1), "\\" + m.group(1)), value)


def _authors(publication: Publication) -> list:
    return list(publication.authorships.all())


def _isbns(publication: Publication) -> list[str]:
    return [edition.isbn_display for edition in publication.editions.all() if edition.isbn]


def bibtex_key(publication: Publication) -> str:
    authorships = _authors(publication)
    name = fold(authorships[0].person.last_name) if authorships else ""
    title_words = _KEY_WORD.findall(fold(publication.title))
    parts = [*_KEY_WORD.findall(name)[:1], str(publication.year), *title_words[:1]]
    return "".join(parts) or f"publication{publication.pk}"


def bibtex(publications: Iterable[Publication], *, url_for: Callable[[Publication], str]) -> str:
    entries = []
    used_keys: dict[str, int] = {}
    for publication in publications:
        key = bibtex_key(publication)
        used_keys[key] = used_keys.get(key, 0) + 1
        if used_keys[key] > 1:
            key = f"{key}-{used_keys[key]}"
        authorships = _authors(publication)
        authors = [a.person.inverted_name for a in authorships if a.role == a.Role.AUTHOR]
        editors = [a.person.inverted_name for a in authorships if a.role == a.Role.EDITOR]
        fields = [
            ("author", " and ".join(authors)),
            ("editor", " and ".join(editors)),
            ("title", publication.title),
            ("subtitle", publication.subtitle),
            ("series", publication.series.title if publication.series_id else ""),
            ("number", str(publication.volume_number or "")),
            ("year", str(publication.year)),
            ("publisher", publication.publisher),
            ("address", publication.place),
            ("isbn", ", ".join(_isbns(publication))),
            ("language", publication.get_language_display()),
            ("url", url_for(publication)),
        ]
        body = ",\n".join(f"  {name} = {{{_bibtex_escape(value)}}}" for name, value in fields if value)
        entries.append(f"@book{{{key},\n{body}\n}}\n")
    return "\n".join(entries)


def _ris_value(value: str) -> str:
    return " ".join(str(value).split())  # RIS is line-based: a value never spans lines


def ris(publications: Iterable[Publication], *, url_for: Callable[[Publication], str]) -> str:
    lines: list[str] = []
    for publication in publications:
        record = [("TY", "BOOK")]
        for authorship in _authors(publication):
            tag = "AU" if authorship.role == authorship.Role.AUTHOR else "A2"
            record.append((tag, authorship.person.inverted_name))
        record.append(("TI", publication.full_title))
        if publication.series_id:
            record.append(("T2", publication.series.title))
        if publication.volume_number:
            record.append(("VL", str(publication.volume_number)))
        record.append(("PY", str(publication.year)))
        record.extend(
            (tag, value)
            for tag, value in (("PB", publication.publisher), ("CY", publication.place), ("AB", publication.abstract))
            if value
        )
        record.extend(("SN", isbn) for isbn in _isbns(publication))
        record.extend(("KW", topic.name) for topic in publication.topics.all())
        record.append(("LA", publication.language))
        record.append(("UR", url_for(publication)))
        record.append(("ER", ""))
        lines.extend(f"{tag}  - {_ris_value(value)}" for tag, value in record)
        lines.append("")
    return "\r\n".join(lines)

"""PKD sections by division (the first two digits of a subclass code), for PKD 2007 (sections A-U) and PKD 2025
(sections A-V, built on NACE Rev. 2.1). Each table lists (first division, last division, section letter, name);
divisions inside a range that do not exist in a version never occur in valid codes."""

import itertools

from django.utils.translation import gettext_lazy as _

PKD_2007_SECTIONS = (
    ("01", "03", "A", _("Rolnictwo, leśnictwo, łowiectwo i rybactwo")),
    ("05", "09", "B", _("Górnictwo i wydobywanie")),
    ("10", "33", "C", _("Przetwórstwo przemysłowe")),
    ("35", "35", "D", _("Wytwarzanie i zaopatrywanie w energię elektryczną, gaz, parę wodną i gorącą wodę")),
    ("36", "39", "E", _("Dostawa wody; gospodarowanie ściekami i odpadami oraz rekultywacja")),
    ("41", "43", "F", _("Budownictwo")),
    ("45", "47", "G", _("Handel hurtowy i detaliczny; naprawa pojazdów samochodowych")),
    ("49", "53", "H", _("Transport i gospodarka magazynowa")),
    ("55", "56", "I", _("Zakwaterowanie i usługi gastronomiczne")),
    ("58", "63", "J", _("Informacja i komunikacja")),
    ("64", "66", "K", _("Działalność finansowa i ubezpieczeniowa")),
    ("68", "68", "L", _("Obsługa rynku nieruchomości")),
    ("69", "75", "M", _("Działalność profesjonalna, naukowa i techniczna")),
    ("77", "82", "N", _("Usługi administrowania i działalność wspierająca")),
    ("84", "84", "O", _("Administracja publiczna i obrona narodowa; obowiązkowe zabezpieczenia społeczne")),
    ("85", "85", "P", _("Edukacja")),
    ("86", "88", "Q", _("Opieka zdrowotna i pomoc społeczna")),
    ("90", "93", "R", _("Działalność związana z kulturą, rozrywką i rekreacją")),
    ("94", "96", "S", _("Pozostała działalność usługowa")),
    ("97", "98", "T", _("Gospodarstwa domowe zatrudniające pracowników i produkujące na własne potrzeby")),
    ("99", "99", "U", _("Organizacje i zespoły eksterytorialne")),
)

PKD_2025_SECTIONS = (
    ("01", "03", "A", _("Rolnictwo, leśnictwo, łowiectwo i rybactwo")),
    ("05", "09", "B", _("Górnictwo i wydobywanie")),
    ("10", "33", "C", _("Przetwórstwo przemysłowe")),
    ("35", "35", "D", _("Wytwarzanie i zaopatrywanie w energię elektryczną, gaz, parę wodną i gorącą wodę")),
    ("36", "39", "E", _("Dostawa wody; gospodarowanie ściekami i odpadami oraz rekultywacja")),
    ("41", "43", "F", _("Budownictwo")),
    ("46", "47", "G", _("Handel hurtowy i detaliczny")),
    ("49", "53", "H", _("Transport i gospodarka magazynowa")),
    ("55", "56", "I", _("Zakwaterowanie i usługi gastronomiczne")),
    ("58", "60", "J", _("Działalność wydawnicza, nadawcza oraz produkcja i dystrybucja treści")),
    ("61", "63", "K", _("Telekomunikacja, programowanie komputerowe, doradztwo i usługi informacyjne")),
    ("64", "66", "L", _("Działalność finansowa i ubezpieczeniowa")),
    ("68", "68", "M", _("Obsługa rynku nieruchomości")),
    ("69", "75", "N", _("Działalność profesjonalna, naukowa i techniczna")),
    ("77", "82", "O", _("Usługi administrowania i działalność wspierająca")),
    ("84", "84", "P", _("Administracja publiczna i obrona narodowa; obowiązkowe zabezpieczenia społeczne")),
    ("85", "85", "Q", _("Edukacja")),
    ("86", "88", "R", _("Opieka zdrowotna i pomoc społeczna")),
    ("90", "93", "S", _("Działalność związana z kulturą, sportem i rekreacją")),
    ("94", "96", "T", _("Pozostała działalność usługowa")),
    ("97", "98", "U", _("Gospodarstwa domowe zatrudniające pracowników i produkujące na własne potrzeby")),
    ("99", "99", "V", _("Organizacje i zespoły eksterytorialne")),
)

TABLES = {"2007": PKD_2007_SECTIONS, "2025": PKD_2025_SECTIONS}


def section_for(code: str, version: str) -> str | None:
    """The section letter of a PKD code ("88.10.Z") in its version, or None for an unknown division."""
    division = code[:2]
    for first, last, letter, _name in TABLES.get(version, ()):
        if first <= division <= last:
            return letter
    return None


def section_key(version: str, letter: str) -> str:
    """Grouping key of a section: letters mean different things in the two versions ("2007-Q" vs "2025-R")."""
    return f"{version}-{letter}"


def section_labels() -> dict[str, str]:
    return {
        section_key(version, letter): f"{letter} (PKD {version}) – {name}"
        for version, table in TABLES.items()
        for _first, _last, letter, name in table
    }


def _combined_groups() -> dict[str, tuple[str, ...]]:
    """The sections of both versions joined where their divisions overlap (a connected group of sections): each
    group covers the same divisions in PKD 2007 and PKD 2025, so the two versions' cooperatives can be counted
    together. Most sections map one to one (2007 Q = 2025 R, "Opieka zdrowotna i pomoc społeczna"); 2007 J
    ("Informacja i komunikacja") is 2025 J and K together."""
    sections = [
        (section_key(version, letter), first, last)
        for version, table in TABLES.items()
        for first, last, letter, _n in table
    ]
    parent = {key: key for key, _first, _last in sections}

    def root(key):
        while parent[key] != key:
            key = parent[key]
        return key

    for (key_a, first_a, last_a), (key_b, first_b, last_b) in itertools.combinations(sections, 2):
        if first_a <= last_b and first_b <= last_a:
            parent[root(key_b)] = root(key_a)
    groups: dict[str, list[str]] = {}
    for key, _first, _last in sections:
        groups.setdefault(root(key), []).append(key)
    return {min(members): tuple(sorted(members)) for members in groups.values()}


COMBINED_GROUPS = _combined_groups()
_COMBINED_KEY = {member: group for group, members in COMBINED_GROUPS.items() for member in members}


def combined_key(section: str) -> str:
    """Grouping key of a section in the combined view: its group's key ("2007-J" for 2007 J, 2025 J and 2025 K)."""
    return _COMBINED_KEY.get(section, section)


def combined_labels() -> dict[str, str]:
    """ "J (PKD 2007) = J, K (PKD 2025) – Informacja i komunikacja": the letters of both versions, the 2007 name."""
    names = {section_key(version, letter): name for version, table in TABLES.items() for *_r, letter, name in table}
    labels = {}
    for group, members in COMBINED_GROUPS.items():
        by_version: dict[str, list[str]] = {}
        for member in members:
            version, _dash, letter = member.partition("-")
            by_version.setdefault(version, []).append(letter)
        letters = " = ".join(f"{', '.join(found)} (PKD {version})" for version, found in sorted(by_version.items()))
        labels[group] = f"{letters} – {names[group]}"
    return labels

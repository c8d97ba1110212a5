"""PKD sections by division (the first two digits of a subclass code), for PKD 2007 (sections A-U) and PKD 2025
(sections A-V, built on NACE Rev. 2.1). Each table lists (first division, last division, section letter, name);
divisions inside a range that do not exist in a version never occur in valid codes."""

from django.db.models import Case, CharField, Value, When
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


def section_expression(code_field: str, version_field: str):
    """A database expression giving the section key of a PKD code, so grouping by section runs in SQL."""
    # "88.10.Z" lies in ["86", "88~"): a range test on the code itself, as "~" sorts after every digit and dot.
    whens = [
        When(
            **{version_field: version, f"{code_field}__gte": first, f"{code_field}__lt": f"{last}~"},
            then=Value(section_key(version, letter)),
        )
        for version, table in TABLES.items()
        for first, last, letter, _name in table
    ]
    return Case(*whens, default=Value(""), output_field=CharField())

"""The two interface languages: Polish (the source, at /) and English (locale/en, at /en/).

The catalogue is checked by parsing the committed .po file directly (a fresh machine may have no GNU gettext), and the
committed .mo is checked against it, so a catalogue edited without recompiling fails here rather than in production.
locale/pl holds only the Polish plural forms of the source strings.
"""

import ast
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

PO_PATH = Path(settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES" / "django.po"
MO_PATH = PO_PATH.with_suffix(".mo")
POLISH_PO_PATH = Path(settings.LOCALE_PATHS[0]) / "pl" / "LC_MESSAGES" / "django.po"

POLISH_NAV = ["Spółdzielnie", "Oferty", "Mapa", "Statystyki", "Biblioteka", "Szkolenia", "Otwarte dane"]
ENGLISH_NAV = ["Cooperatives", "Offers", "Map", "Statistics", "Library", "Training", "Open data"]

_KEYWORD = re.compile(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+(\".*\")$")


def parse_po(text):
    """Entries of a .po file as dicts: 'flags' (set), 'msgctxt', 'msgid', 'msgid_plural', 'msgstr' or 'msgstr[N]'.

    Obsolete entries (#~) are skipped: gettext does not compile them."""
    entries = []
    entry = None
    key = None
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line:
            entry = key = None
            continue
        if line.startswith("#~"):
            continue
        if entry is None:
            entry = {"flags": set(), "line": number}
            entries.append(entry)
        if line.startswith("#,"):
            entry["flags"].update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            entry[key] += ast.literal_eval(line)
        else:
            match = _KEYWORD.match(line)
            assert match, f"django.po:{number}: unexpected line {line!r}"
            key = match.group(1)
            entry[key] = ast.literal_eval(match.group(2))
    return [entry for entry in entries if "msgid" in entry]


@pytest.fixture(autouse=True)
def _default_language_afterwards():
    # LocaleMiddleware leaves the request's language active in the thread; a later test's reverse() would then build
    # /en/ URLs.
    yield
    translation.deactivate()


@pytest.fixture(scope="module")
def catalogue():
    entries = parse_po(PO_PATH.read_text(encoding="utf-8"))
    header = entries[0]
    assert header["msgid"] == ""
    return header, entries[1:]


@pytest.fixture(scope="module")
def polish_catalogue():
    entries = parse_po(POLISH_PO_PATH.read_text(encoding="utf-8"))
    return entries[0], entries[1:]


def test_home_page_is_polish_by_default(client, db):
    response = client.get("/")

    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="pl">' in html
    for word in POLISH_NAV:
        assert f">{word}</a>" in html
    assert "Portal spółdzielni socjalnych" in html


def test_home_page_in_english_under_en_prefix(client, db):
    response = client.get("/en/")

    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="en">' in html
    for word in ENGLISH_NAV:
        assert f">{word}</a>" in html
    for word in POLISH_NAV:
        assert f">{word}</a>" not in html
    assert "Social cooperatives portal" in html
    assert "The register in figures" in html


def test_percent_signs_survive_translation_of_template_strings(client, db):
    # {% translate %} doubles "%" in its msgid and restores it after translation: the map's JavaScript
    # substitutes the literal "%s" that both languages must render.
    polish = client.get("/mapa/").content.decode()
    english = client.get("/en/mapa/").content.decode()

    assert 'data-text-total="Spółdzielnie w widocznym obszarze: %s."' in polish
    assert 'data-text-total="Cooperatives in the visible area: %s."' in english


def test_catalogue_header_declares_english_plurals(catalogue):
    header, _ = catalogue

    assert "fuzzy" not in header["flags"]
    assert "Language: en\n" in header["msgstr"]
    assert "Plural-Forms: nplurals=2; plural=(n != 1);\n" in header["msgstr"]


def test_catalogue_has_no_untranslated_or_fuzzy_entries(catalogue):
    _, entries = catalogue

    assert entries, "the English catalogue is empty"
    fuzzy = [entry["msgid"] for entry in entries if "fuzzy" in entry["flags"]]
    untranslated = []
    for entry in entries:
        if "msgid_plural" in entry:
            forms = [entry.get("msgstr[0]", ""), entry.get("msgstr[1]", "")]
        else:
            forms = [entry.get("msgstr", "")]
        if not all(forms):
            untranslated.append(entry["msgid"])
    assert fuzzy == []
    assert untranslated == []


def test_compiled_catalogue_matches_the_po_file(catalogue):
    """The committed .mo serves every entry of the .po: a machine without gettext cannot recompile it."""
    _, entries = catalogue

    assert MO_PATH.exists()
    stale = []
    with translation.override("en"):
        for entry in entries:
            context = entry.get("msgctxt")
            if "msgid_plural" in entry:
                served = [
                    translation.npgettext(context, entry["msgid"], entry["msgid_plural"], n)
                    if context
                    else translation.ngettext(entry["msgid"], entry["msgid_plural"], n)
                    for n in (1, 2)
                ]
                expected = [entry["msgstr[0]"], entry["msgstr[1]"]]
            else:
                served = (
                    translation.pgettext(context, entry["msgid"]) if context else translation.gettext(entry["msgid"])
                )
                expected = entry["msgstr"]
            if served != expected:
                stale.append(entry["msgid"])
    assert stale == []


def test_polish_catalogue_gives_every_plural_its_polish_forms(polish_catalogue):
    """Polish is the source, so locale/pl only carries plurals: gettext's fallback knows a single plural form."""
    header, entries = polish_catalogue
    plurals = [entry for entry in entries if "msgid_plural" in entry]

    assert "fuzzy" not in header["flags"]
    assert "Plural-Forms: nplurals=4;" in header["msgstr"]
    assert plurals
    incomplete = [entry["msgid"] for entry in plurals if not all(entry.get(f"msgstr[{i}]") for i in range(4))]
    assert incomplete == []
    assert [entry["msgid"] for entry in entries if "fuzzy" in entry["flags"]] == []


@pytest.mark.parametrize(
    ("count", "expected"),
    [(1, "1 zgłoszenie"), (2, "2 zgłoszenia"), (5, "5 zgłoszeń"), (12, "12 zgłoszeń"), (22, "22 zgłoszenia")],
)
def test_polish_counts_take_the_right_plural_form(count, expected):
    with translation.override("pl"):
        text = translation.ngettext("%(counter)s zgłoszenie", "%(counter)s zgłoszeń", count)

    assert text % {"counter": count} == expected


# A {% translate "..." %} literal, in double or single quotes, without a context or a variable.
_TEMPLATE_LITERAL = re.compile(
    r"""\{%\s*(?:translate|trans)\s+(?:"([^"]*)"|'([^']*)')\s*(?:noop\s*)?(?:as\s+\w+\s*)?%\}"""
)


def test_every_template_literal_has_its_english_entry_under_the_msgid_django_looks_up(catalogue):
    """{% translate %} looks a literal up with each "%" doubled (django.template.base.Variable): an entry written by
    hand with a single "%" is never found and the English page stays Polish."""
    _, entries = catalogue
    msgids = {entry["msgid"] for entry in entries if "msgctxt" not in entry}
    templates_dir = Path(settings.BASE_DIR) / "templates"
    missing = []
    for path in sorted(templates_dir.rglob("*.html")) + sorted(templates_dir.rglob("*.txt")):
        for match in _TEMPLATE_LITERAL.finditer(path.read_text(encoding="utf-8")):
            literal = match.group(1) if match.group(1) is not None else match.group(2)
            if literal and literal.replace("%", "%%") not in msgids:
                missing.append(f"{path.relative_to(templates_dir)}: {literal}")
    assert missing == []

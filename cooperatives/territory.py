"""Choosing a gmina: voivodeship -> powiat -> gmina, or by name. Reads only.

A gmina's name alone is ambiguous (51 names repeat among the 2,477 gminas: "Dąbrowa" is a gmina in four powiats,
"Garwolin" is both an urban and a rural gmina of one powiat), so every gmina is offered with its kind, powiat and
voivodeship: "Dąbrowa (gm. wiejska), pow. opolski, woj. opolskie". The same labels serve the page without
JavaScript (the server narrows the lists step by step) and the script (`static/js/gmina-picker.js`, which asks
`cooperatives:territory-options` for one list at a time).
"""

from django.utils.translation import gettext, pgettext

from core.text import fold, polish_sort_key

from .models import TerritorialUnit

SEARCH_LIMIT = 50


def _kind(unit: TerritorialUnit) -> str:
    kinds = {
        TerritorialUnit.GminaKind.URBAN: pgettext("gmina kind", "gm. miejska"),
        TerritorialUnit.GminaKind.RURAL: pgettext("gmina kind", "gm. wiejska"),
        TerritorialUnit.GminaKind.URBAN_RURAL: pgettext("gmina kind", "gm. miejsko-wiejska"),
    }
    return kinds.get(unit.gmina_kind, unit.kind_name)


def voivodeship_label(unit: TerritorialUnit) -> str:
    return gettext("woj. %(name)s") % {"name": unit.name.lower()}


def powiat_label(unit: TerritorialUnit) -> str:
    if unit.kind_name.startswith("miasto"):
        return gettext("miasto na prawach powiatu")
    return gettext("pow. %(name)s") % {"name": unit.name}


def gmina_label(gmina: TerritorialUnit) -> str:
    """The unambiguous label; needs gmina.parent (the powiat) and its parent (the voivodeship) loaded."""
    powiat = gmina.parent
    return gettext("%(name)s (%(kind)s), %(powiat)s, %(voivodeship)s") % {
        "name": gmina.name,
        "kind": _kind(gmina),
        "powiat": powiat_label(powiat),
        "voivodeship": voivodeship_label(powiat.parent),
    }


def _gminas():
    return TerritorialUnit.objects.gminas().select_related("parent__parent")


def voivodeship_options() -> list[tuple[str, str]]:
    return [(unit.code, unit.name.lower()) for unit in TerritorialUnit.objects.voivodeships().order_by("name")]


def powiat_options(voivodeship_code: str | None) -> list[tuple[str, str]]:
    if not voivodeship_code:
        return []
    units = TerritorialUnit.objects.powiats().filter(parent_id=voivodeship_code)
    return sorted(((unit.code, _powiat_name(unit)) for unit in units), key=lambda option: polish_sort_key(option[1]))


def _powiat_name(unit: TerritorialUnit) -> str:
    """The powiat in a list headed "powiat": its name, a city with powiat rights said so."""
    if unit.kind_name.startswith("miasto"):
        return gettext("%(name)s (miasto na prawach powiatu)") % {"name": unit.name}
    return unit.name


def gmina_options(powiat_code: str | None) -> list[tuple[str, str]]:
    if not powiat_code:
        return []
    return _labelled(_gminas().filter(parent_id=powiat_code))


def gmina_search(query: str) -> list[tuple[str, str]]:
    """Gminas whose name contains the query, case and Polish letters ignored; at most SEARCH_LIMIT + 1 (the caller
    says "more than SEARCH_LIMIT" when it gets more)."""
    needle = fold(query.strip())
    if not needle:
        return []
    return _labelled(unit for unit in _gminas() if needle in fold(unit.name))[: SEARCH_LIMIT + 1]


def gmina_option(code: str | None) -> tuple[str, str] | None:
    unit = _gminas().filter(code=code).first() if code else None
    return (unit.code, gmina_label(unit)) if unit else None


def _labelled(gminas) -> list[tuple[str, str]]:
    return sorted(((unit.code, gmina_label(unit)) for unit in gminas), key=lambda option: polish_sort_key(option[1]))

"""Query parameters of the statistics pages, exports and API: the breakdown and the registry filters."""

from django.utils.translation import gettext as _

from cooperatives.models import Cooperative, TerritorialUnit

from . import statistics


def statistics_filters(data) -> tuple[str, dict, dict]:
    """Breakdown and filters from query parameters; unknown values give errors instead of being ignored."""
    errors = {}
    breakdown = data.get("breakdown") or "none"
    if breakdown not in statistics.BREAKDOWNS:
        errors["breakdown"] = _("Nieznany podział „%(value)s”.") % {"value": breakdown}
        breakdown = "none"
    filters = {}
    voivodeship = data.get("voivodeship") or ""
    if voivodeship:
        if TerritorialUnit.objects.voivodeships().filter(code=voivodeship).exists():
            filters["voivodeship"] = voivodeship
        else:
            errors["voivodeship"] = _("Nieznany kod województwa „%(value)s”.") % {"value": voivodeship}
    founder_type = data.get("founder_type") or ""
    if founder_type:
        if founder_type in Cooperative.FounderType.values:
            filters["founder_type"] = founder_type
        else:
            errors["founder_type"] = _("Nieznany typ założycieli „%(value)s”.") % {"value": founder_type}
    return breakdown, filters, errors

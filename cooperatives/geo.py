"""Distances for the "near a place" filter, on SQLite and PostgreSQL alike (no PostGIS).

A place is a gmina (by TERYT code, or a town's or gmina's name) with the representative point of its territorial
unit. A cooperative's position is its own coordinates, else its gmina's point. Rows are first narrowed by a
bounding box on plain comparisons (the index on the coordinates serves it), then by the exact great-circle
(haversine) distance, computed in SQL with functions both databases have (Django registers them on SQLite).
"""

import math
from dataclasses import dataclass

from django import forms
from django.db.models import F, FloatField, Q
from django.db.models.functions import ASin, Cast, Coalesce, Cos, Power, Radians, Sin, Sqrt
from django.utils.translation import gettext as _

from core.params import is_digits
from core.text import fold

from .models import TerritorialUnit

EARTH_RADIUS_KM = 6371.0088
DEFAULT_KM = 25
MAX_KM = 300
# Ambiguous names are listed in the message, at most this many.
MAX_CANDIDATES = 8


@dataclass(frozen=True)
class Place:
    code: str
    label: str
    latitude: float
    longitude: float

    def __str__(self):
        return self.label


def _place(unit: TerritorialUnit) -> Place:
    return Place(code=unit.code, label=str(unit), latitude=unit.latitude, longitude=unit.longitude)


def resolve_place(raw: str) -> Place:
    """The gmina named by `raw`: a 7-digit TERYT code of a gmina (a town or district of one stands for it), or a
    name of a gmina or town. Raises forms.ValidationError with a Polish message otherwise (the typed text goes in
    as a parameter, never into the format string: "%(n)d" typed by a client must stay text)."""
    raw = raw.strip()
    units = TerritorialUnit.objects.filter(level__in=[TerritorialUnit.Level.GMINA, TerritorialUnit.Level.GMINA_PART])
    if is_digits(raw):
        unit = units.select_related("parent").filter(code=raw).first()
        if unit is None:
            raise forms.ValidationError(_("Nieznany kod TERYT gminy: %(value)s."), params={"value": raw})
        gmina = unit if unit.level == TerritorialUnit.Level.GMINA else unit.parent
        return _checked(gmina)
    wanted = fold(raw)
    # Names are few (about 4,000 units with short names): compared folded in Python, the same on both databases.
    matches = [
        unit
        for unit in units.select_related("parent").filter(name__istartswith=raw[:1]).order_by("code")
        if fold(unit.name) == wanted
    ] or [unit for unit in units.select_related("parent").order_by("code") if fold(unit.name) == wanted]
    gminas = {}
    for unit in matches:
        gmina = unit if unit.level == TerritorialUnit.Level.GMINA else unit.parent
        gminas.setdefault(gmina.code, gmina)
    if not gminas:
        raise forms.ValidationError(
            _("Nie znamy miejscowości ani gminy „%(value)s”. Podaj nazwę gminy albo jej kod TERYT."),
            params={"value": raw},
        )
    points = {(gmina.latitude, gmina.longitude) for gmina in gminas.values()}
    if len(points) > 1:
        listed = ", ".join(
            f"{gmina} – {gmina.parent} ({gmina.code})" for gmina in list(gminas.values())[:MAX_CANDIDATES]
        )
        raise forms.ValidationError(
            _("Kilka gmin nazywa się „%(value)s”; podaj kod TERYT jednej z nich: %(list)s."),
            params={"value": raw, "list": listed},
        )
    return _checked(next(iter(gminas.values())))


def _checked(gmina: TerritorialUnit) -> Place:
    if gmina.latitude is None or gmina.longitude is None:
        raise forms.ValidationError(
            _("Dla gminy %(name)s nie mamy współrzędnych; wybierz inną albo użyj filtrów obszaru."),
            params={"name": str(gmina)},
        )
    return _place(gmina)


def bounding_box(latitude: float, longitude: float, km: float) -> tuple[float, float, float, float]:
    """(south, north, west, east) holding every point within `km` of the given one (Poland is far from the poles)."""
    lat_delta = math.degrees(km / EARTH_RADIUS_KM)
    lon_delta = lat_delta / max(math.cos(math.radians(abs(latitude) + lat_delta)), 0.01)
    return latitude - lat_delta, latitude + lat_delta, longitude - lon_delta, longitude + lon_delta


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres (the same formula as `distance_expression`, for tests and Python)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    a = (
        math.sin((phi2 - phi1) / 2) ** 2
        + math.cos(phi1) * math.cos(phi2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


def distance_expression(latitude, longitude, place: Place):
    """SQL for the haversine distance in km between the point (latitude, longitude expressions) and `place`."""
    phi0 = math.radians(place.latitude)
    half_dphi = Sin((Radians(latitude) - phi0) / 2)
    half_dlambda = Sin((Radians(longitude) - math.radians(place.longitude)) / 2)
    a = Power(half_dphi, 2) + math.cos(phi0) * Cos(Radians(latitude)) * Power(half_dlambda, 2)
    return 2 * EARTH_RADIUS_KM * ASin(Sqrt(a))


def position(prefix: str = ""):
    """(latitude, longitude) expressions of a cooperative's position: its own coordinates, else its gmina's point."""
    return (
        Coalesce(Cast(F(f"{prefix}latitude"), FloatField()), F(f"{prefix}gmina__latitude")),
        Coalesce(Cast(F(f"{prefix}longitude"), FloatField()), F(f"{prefix}gmina__longitude")),
    )


def within(queryset, place: Place, km: int, *, prefix: str = ""):
    """Rows (cooperatives, or offers with prefix "cooperative__") within `km` of `place`, annotated `distance_km`.

    The position is the cooperative's own coordinates, else its gmina's point."""
    latitude, longitude = position(prefix)
    south, north, west, east = (round(value, 6) for value in bounding_box(place.latitude, place.longitude, km))
    own = Q(**{f"{prefix}latitude__isnull": False})
    in_box = (own & Q(**{f"{prefix}latitude__range": (south, north), f"{prefix}longitude__range": (west, east)})) | (
        ~own
        & Q(
            **{
                f"{prefix}gmina__latitude__range": (south, north),
                f"{prefix}gmina__longitude__range": (west, east),
            }
        )
    )
    return (
        queryset.filter(in_box)
        .annotate(distance_km=distance_expression(latitude, longitude, place))
        .filter(distance_km__lte=km)
    )

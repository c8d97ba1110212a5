"""The map's data: what the visible part of the map needs, and no more.

The whole registry (up to about 100,000 entities) never travels to the browser. Within the requested bounding box,
either every cooperative is sent as a point (when there are at most POINT_CAP of them) or the database groups them
into a grid of cells whose size follows the zoom level (about CELL_PX screen pixels), returning one row per cell:
its count and mean position. A cell holding a single cooperative is sent as a point, so isolated ones stay
clickable at every zoom. The bounding box is widened to whole cells of a grid fixed per zoom, so answers for
nearby viewports coincide and are cached.
"""

import hashlib
import json
import math
from decimal import Decimal

from django import forms
from django.db.models import Avg, Count, F, FloatField, Min
from django.db.models.functions import Cast, Floor
from django.utils.translation import gettext_lazy as _

from core.cache import compute_once

from .models import LATITUDE_RANGE, LONGITUDE_RANGE, Cooperative
from .selectors import cooperative_list

POINT_CAP = 2000
CELL_PX = 80
TILE_PX = 256
MAX_ZOOM = 19
DEFAULT_ZOOM = 6
REFERENCE_LATITUDE = 52.0
# A full-HD screen holds about 24 x 14 cells; a client asking for a large area at a close zoom gets a coarser grid.
MAX_CELLS = 1000
CACHE_SECONDS = 60
# Poland with the same margin the model allows for coordinates.
DEFAULT_BBOX = (LONGITUDE_RANGE[0], LATITUDE_RANGE[0], LONGITUDE_RANGE[1], LATITUDE_RANGE[1])


class MapQueryForm(forms.Form):
    """The map's own parameters; the catalogue's filters are validated by the shared FilterSet."""

    bbox = forms.CharField(required=False, max_length=200)
    zoom = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=MAX_ZOOM,
        error_messages={
            "invalid": _("Poziom przybliżenia musi być liczbą całkowitą."),
            "min_value": _("Poziom przybliżenia musi wynosić co najmniej %(limit_value)s."),
            "max_value": _("Poziom przybliżenia może wynosić co najwyżej %(limit_value)s."),
        },
    )

    def clean_bbox(self) -> tuple[float, float, float, float]:
        raw = self.cleaned_data["bbox"].strip()
        if not raw:
            return DEFAULT_BBOX
        message = _("Obszar mapy (bbox) podaj jako cztery liczby: zachód,południe,wschód,północ.")
        parts = raw.split(",")
        if len(parts) != 4:
            raise forms.ValidationError(message)
        try:
            west, south, east, north = (float(part) for part in parts)
        except ValueError:
            raise forms.ValidationError(message) from None
        if not all(math.isfinite(v) for v in (west, south, east, north)):
            raise forms.ValidationError(message)
        if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
            raise forms.ValidationError(
                _(
                    "Obszar mapy (bbox) jest nieprawidłowy: zachód < wschód (od -180 do 180), "
                    "południe < północ (od -90 do 90)."
                )
            )
        return west, south, east, north

    def clean_zoom(self) -> int:
        zoom = self.cleaned_data["zoom"]
        return DEFAULT_ZOOM if zoom is None else zoom


def cell_size(zoom: int) -> tuple[float, float]:
    """Degrees of latitude and longitude covered by about CELL_PX pixels at this zoom (Web Mercator near
    REFERENCE_LATITUDE). The grid is fixed per zoom, so every viewport at that zoom shares its cells."""
    lon_cell = CELL_PX * 360 / (TILE_PX * 2**zoom)
    return lon_cell * math.cos(math.radians(REFERENCE_LATITUDE)), lon_cell


def snap_to_grid(bbox, zoom: int) -> tuple[float, float, float, float]:
    """The bbox widened outward to whole grid cells: clusters at the edges are complete, and nearby viewports ask
    for the same area (so the cache serves them)."""
    west, south, east, north = bbox
    lat_cell, lon_cell = cell_size(zoom)
    return (
        round(math.floor(west / lon_cell) * lon_cell, 6),
        round(math.floor(south / lat_cell) * lat_cell, 6),
        round(math.ceil(east / lon_cell) * lon_cell, 6),
        round(math.ceil(north / lat_cell) * lat_cell, 6),
    )


def effective_zoom(bbox, zoom: int) -> int:
    """The zoom whose grid covers `bbox` in at most MAX_CELLS cells: the answer's size stays bounded whatever
    combination of area and zoom a client sends."""
    west, south, east, north = bbox
    while zoom > 0:
        lat_cell, lon_cell = cell_size(zoom)
        if ((east - west) / lon_cell + 1) * ((north - south) / lat_cell + 1) <= MAX_CELLS:
            break
        zoom -= 1
    return zoom


def _point(krs, name, lat, lon, precision) -> dict:
    return {"krs": krs, "name": name, "lat": round(float(lat), 5), "lon": round(float(lon), 5), "precision": precision}


def map_data(*, filterset, bbox: tuple[float, float, float, float], zoom: int) -> dict:
    """Points or grid clusters of the filtered cooperatives with a location inside `bbox` (a valid FilterSet).

    The grid cells (with the total), then either the points or, if some cells hold one cooperative, their details.
    """
    west, south, east, north = bbox
    # Ordering and the relevance annotation of search are useless here and would burden the grouping.
    located = (
        Cooperative.objects.filter(pk__in=filterset.qs.order_by().values("pk"))
        if filterset.form.cleaned_data.get("search")
        else filterset.qs
    )
    located = located.order_by().filter(
        latitude__isnull=False,
        longitude__isnull=False,
        latitude__gte=Decimal(str(max(south, LATITUDE_RANGE[0] - 1))),
        latitude__lte=Decimal(str(min(north, LATITUDE_RANGE[1] + 1))),
        longitude__gte=Decimal(str(max(west, LONGITUDE_RANGE[0] - 1))),
        longitude__lte=Decimal(str(min(east, LONGITUDE_RANGE[1] + 1))),
    )
    lat_cell, lon_cell = cell_size(zoom)
    # One grouped query gives the total too: the whole-country view reads the registry once, not twice. Comparing
    # integers is much cheaper than comparing names for every row: lone cooperatives are looked up afterwards by id.
    cells = list(
        located.annotate(
            cell_y=Floor(Cast("latitude", FloatField()) / lat_cell),
            cell_x=Floor(Cast("longitude", FloatField()) / lon_cell),
        )
        .values("cell_y", "cell_x")
        .annotate(
            n=Count("pk"),
            lat=Avg(Cast(F("latitude"), FloatField())),
            lon=Avg(Cast(F("longitude"), FloatField())),
            any_id=Min("pk"),
        )
        .order_by()
    )
    total = sum(cell["n"] for cell in cells)
    if total <= POINT_CAP:
        rows = located.values_list("krs_number", "name", "latitude", "longitude", "location_precision")
        return {"kind": "points", "total": total, "clusters": [], "points": [_point(*row) for row in rows]}

    clusters, lone_ids = [], []
    for cell in cells:
        if cell["n"] == 1:
            lone_ids.append(cell["any_id"])
        else:
            clusters.append({"lat": round(cell["lat"], 4), "lon": round(cell["lon"], 4), "count": cell["n"]})
    points = []
    if lone_ids:
        rows = Cooperative.objects.filter(pk__in=lone_ids).values_list(
            "krs_number", "name", "latitude", "longitude", "location_precision"
        )
        points = [_point(*row) for row in rows]
    return {"kind": "clusters", "total": total, "clusters": clusters, "points": points}


def _cache_key(data, bbox, zoom) -> str:
    # Every value of a repeated parameter (several powiats), not only the last one.
    filters = sorted(
        (key, sorted(values)) for key, values in data.lists() if any(values) and key not in ("bbox", "zoom", "page")
    )
    raw = json.dumps([filters, bbox, zoom], ensure_ascii=False)
    return "cooperatives:map-data:" + hashlib.sha256(raw.encode()).hexdigest()


def map_request(*, data) -> tuple[dict | None, dict[str, list[str]]]:
    """Validate the map's parameters and the catalogue's filters; return (data, errors per parameter).

    Answers are cached for CACHE_SECONDS in the shared cache: the country-wide view is the same for everyone, and
    a registry change may take that long to reach the map."""
    form = MapQueryForm(data=data)
    filterset = cooperative_list(data=data, queryset=Cooperative.objects.all())
    errors: dict[str, list[str]] = {}
    if not form.is_valid():
        errors.update({name: [str(m) for m in messages] for name, messages in form.errors.items()})
    if not filterset.is_valid():
        errors.update({name: [str(m) for m in messages] for name, messages in filterset.errors.items()})
    if errors:
        return None, errors
    zoom = effective_zoom(form.cleaned_data["bbox"], form.cleaned_data["zoom"])
    bbox = snap_to_grid(form.cleaned_data["bbox"], zoom)
    key = _cache_key(data, bbox, zoom)
    return compute_once(key, lambda: map_data(filterset=filterset, bbox=bbox, zoom=zoom), CACHE_SECONDS), {}

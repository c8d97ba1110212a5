"""Loading the GUS TERC register (a copy ships in cooperatives/data/) into TerritorialUnit, with each unit's
representative point from cooperatives/data/centroids.csv (see README.md there). Idempotent."""

import csv
import datetime
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from .models import TerritorialUnit

TERC_FILE = Path(__file__).resolve().parent / "data" / "TERC_2020-01-01.csv"
CENTROIDS_FILE = Path(__file__).resolve().parent / "data" / "centroids.csv"
GMINA_KINDS = {"1", "2", "3"}


@dataclass
class LoadResult:
    created: int
    updated: int
    unchanged: int


def _rows(path: Path):
    with path.open(encoding="utf-8-sig", newline="") as handle:
        yield from csv.DictReader(handle, delimiter=";")


def parse_terc(path: Path = TERC_FILE) -> list[TerritorialUnit]:
    """Units in parent-first order, with parents assigned by code."""
    units: list[TerritorialUnit] = []
    gmina_by_prefix: dict[str, str] = {}  # WOJ+POW+GMI -> gmina code
    city_gmina_by_powiat: dict[str, str] = {}  # WOJ+POW -> the urban gmina of a city with powiat rights
    for row in _rows(path):
        woj, pow_, gmi, rodz = row["WOJ"], row["POW"], row["GMI"], row["RODZ"]
        valid_on = datetime.date.fromisoformat(row["STAN_NA"])
        common = {"name": row["NAZWA"], "kind_name": row["NAZWA_DOD"], "valid_on": valid_on}
        if not pow_:
            units.append(TerritorialUnit(code=woj, level=TerritorialUnit.Level.VOIVODESHIP, parent_id=None, **common))
        elif not gmi:
            units.append(TerritorialUnit(code=woj + pow_, level=TerritorialUnit.Level.POWIAT, parent_id=woj, **common))
        else:
            code = woj + pow_ + gmi + rodz
            if rodz in GMINA_KINDS:
                gmina_by_prefix[woj + pow_ + gmi] = code
                if rodz == "1" and int(pow_) >= 61:
                    city_gmina_by_powiat[woj + pow_] = code
                units.append(
                    TerritorialUnit(
                        code=code,
                        level=TerritorialUnit.Level.GMINA,
                        gmina_kind=rodz,
                        parent_id=woj + pow_,
                        **common,
                    )
                )
            else:
                # Towns/rural areas (4, 5) belong to their urban-rural gmina; Warsaw districts and delegatury
                # (8, 9) to the city's gmina.
                parent = gmina_by_prefix.get(woj + pow_ + gmi) or city_gmina_by_powiat.get(woj + pow_)
                units.append(
                    TerritorialUnit(
                        code=code,
                        level=TerritorialUnit.Level.GMINA_PART,
                        gmina_kind=rodz,
                        parent_id=parent,
                        **common,
                    )
                )
    return units


def read_centroids(path: Path = CENTROIDS_FILE) -> dict[str, tuple[float, float]]:
    """TERYT code -> (latitude, longitude) of the units the file lists (any level)."""
    return {row["TERYT"]: (float(row["LAT"]), float(row["LON"])) for row in _rows(path)}


def assign_points(units: list[TerritorialUnit], centroids: dict[str, tuple[float, float]]) -> None:
    """Each unit's own point from `centroids`, else its parent's (a gmina gets its powiat's, a town its gmina's).
    `units` are in parent-first order."""
    points: dict[str, tuple[float, float]] = {}
    for unit in units:
        point = centroids.get(unit.code) or points.get(unit.parent_id or "")
        if point is not None:
            points[unit.code] = point
            unit.latitude, unit.longitude = point


FIELDS = ("level", "gmina_kind", "name", "kind_name", "parent_id", "valid_on", "latitude", "longitude")


@transaction.atomic
def load_territorial_units(path: Path = TERC_FILE, centroids_path: Path = CENTROIDS_FILE) -> LoadResult:
    """Create missing units and update changed ones; running it twice changes nothing."""
    units = parse_terc(path)
    assign_points(units, read_centroids(centroids_path))
    existing = TerritorialUnit.objects.in_bulk([u.code for u in units])
    to_create, to_update, unchanged = [], [], 0
    for unit in units:
        current = existing.get(unit.code)
        if current is None:
            to_create.append(unit)
        elif any(getattr(current, f) != getattr(unit, f) for f in FIELDS):
            to_update.append(unit)
        else:
            unchanged += 1
    # Parents come before children in the file, so one bulk insert in file order satisfies the foreign key.
    TerritorialUnit.objects.bulk_create(to_create, batch_size=1000)
    TerritorialUnit.objects.bulk_update(to_update, FIELDS, batch_size=1000)
    return LoadResult(created=len(to_create), updated=len(to_update), unchanged=unchanged)

"""Derive `centroids.csv` (TERYT code -> centroid) from boundary polygons. Run by hand, never by the portal:

    python cooperatives/data/derive_centroids.py powiaty.geojson wojewodztwa.geojson > cooperatives/data/centroids.csv

The inputs are GeoJSON FeatureCollections whose features are named "powiat <name>" (or "powiat <City>" for a city
with powiat rights) and "<voivodeship name>" (see centroids_README.md for where they come from). Powiats are matched
to the TERC register by name; a name that several voivodeships share is resolved by the voivodeship whose polygon
holds the powiat's centroid.
"""

import csv
import json
import math
import sys
from pathlib import Path

TERC = Path(__file__).resolve().parent / "TERC_2020-01-01.csv"


def rings(geometry):
    if geometry["type"] == "Polygon":
        yield from [geometry["coordinates"]]
    else:
        yield from geometry["coordinates"]


def centroid(geometry) -> tuple[float, float]:
    """Area-weighted centroid of the outer rings (holes subtracted), on a plane scaled by cos(latitude)."""
    total = cx = cy = 0.0
    for polygon in rings(geometry):
        for index, ring in enumerate(polygon):
            sign = 1 if index == 0 else -1
            area = x_sum = y_sum = 0.0
            for (x0, y0), (x1, y1) in zip(ring, ring[1:], strict=False):
                cross = x0 * y1 - x1 * y0
                area += cross
                x_sum += (x0 + x1) * cross
                y_sum += (y0 + y1) * cross
            area /= 2
            if area:
                total += sign * abs(area)
                cx += sign * abs(area) * x_sum / (6 * area)
                cy += sign * abs(area) * y_sum / (6 * area)
    return cy / total, cx / total  # latitude, longitude


def contains(geometry, lat: float, lon: float) -> bool:
    inside = False
    for polygon in rings(geometry):
        for ring in polygon:
            for (x0, y0), (x1, y1) in zip(ring, ring[1:], strict=False):
                if (y0 > lat) != (y1 > lat) and lon < x0 + (lat - y0) * (x1 - x0) / (y1 - y0):
                    inside = not inside
    return inside


def main(powiaty_path: str, voivodeships_path: str) -> None:
    with TERC.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter=";"))
    voivodeship_codes = {row["NAZWA"].lower(): row["WOJ"] for row in rows if not row["POW"]}
    powiat_codes: dict[str, list[str]] = {}
    for row in rows:
        if row["POW"] and not row["GMI"]:
            powiat_codes.setdefault(row["NAZWA"], []).append(row["WOJ"] + row["POW"])
    voivodeships = json.loads(Path(voivodeships_path).read_text(encoding="utf-8"))["features"]
    points: dict[str, tuple[float, float]] = {}
    for feature in voivodeships:
        points[voivodeship_codes[feature["properties"]["nazwa"].lower()]] = centroid(feature["geometry"])
    for feature in json.loads(Path(powiaty_path).read_text(encoding="utf-8"))["features"]:
        name = feature["properties"]["nazwa"].removeprefix("powiat ")
        lat, lon = centroid(feature["geometry"])
        codes = powiat_codes[name]
        if len(codes) > 1:
            holding = {
                voivodeship_codes[v["properties"]["nazwa"].lower()]
                for v in voivodeships
                if contains(v["geometry"], lat, lon)
            }
            codes = [code for code in codes if code[:2] in holding]
        if len(codes) != 1:
            raise SystemExit(f"cannot place powiat {name!r}: {codes}")
        points[codes[0]] = (lat, lon)
    missing = sorted(code for codes in powiat_codes.values() for code in codes if code not in points)
    if missing:
        raise SystemExit(f"powiats without a polygon: {missing}")
    writer = csv.writer(sys.stdout, delimiter=";", lineterminator="\n")
    writer.writerow(["TERYT", "LAT", "LON"])
    for code in sorted(points):
        lat, lon = points[code]
        writer.writerow([code, f"{lat:.4f}", f"{lon:.4f}"])
    assert all(math.isfinite(v) for point in points.values() for v in point)


if __name__ == "__main__":
    main(*sys.argv[1:3])

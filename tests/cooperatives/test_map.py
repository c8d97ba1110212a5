"""The map page and its data: points or database grid clusters for the bounding box, the catalogue's filters,
clear 400 errors, and a query count and size that do not depend on the number of cooperatives."""

import json
import re
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from cooperatives import map as registry_map
from cooperatives.models import Cooperative
from cooperatives.selectors import registry_has_demo_data

from .catalogue_fixtures import SPEC, build_registry, facet_counts, facet_links, text_of
from .factories import CooperativeFactory

pytestmark = pytest.mark.django_db

MAP_URL = reverse("cooperatives:map")
DATA_URL = reverse("cooperatives:map-data")
POLAND = "14.0,48.9,24.2,55.0"
AROUND_LODZ = "19.3,51.6,19.6,51.9"


@pytest.fixture
def registry():
    return build_registry()


def data(client, params, status=200):
    response = client.get(DATA_URL, params)
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    return response.json()


def located(predicate=lambda spec: True) -> list[str]:
    return sorted(spec["name"] for spec in SPEC if spec["location"] and predicate(spec))


# --- Data ----------------------------------------------------------------------------------------------


def test_few_cooperatives_come_as_points(client, registry):
    body = data(client, {"bbox": POLAND, "zoom": "6"})
    assert body["kind"] == "points"
    assert body["clusters"] == []
    assert body["total"] == len(located())
    assert sorted(point["name"] for point in body["points"]) == located()
    alfa = registry["Spółdzielnia Socjalna Alfa"]
    point = next(p for p in body["points"] if p["krs"] == alfa.krs_number)
    assert point == {"krs": alfa.krs_number, "name": alfa.name, "lat": 51.7592, "lon": 19.456, "precision": "exact"}
    epsilon = next(p for p in body["points"] if p["name"] == "Spółdzielnia Socjalna Epsilon")
    assert epsilon["precision"] == "gmina_centre"


def test_only_the_bounding_box_is_sent(client, registry):
    body = data(client, {"bbox": AROUND_LODZ, "zoom": "11"})
    assert [point["name"] for point in body["points"]] == ["Spółdzielnia Socjalna Alfa"]
    assert body["total"] == 1


def test_without_bbox_the_whole_country_is_meant(client, registry):
    assert data(client, {})["total"] == len(located())


@pytest.mark.parametrize(
    ("params", "predicate"),
    [
        ({"status": "active"}, lambda s: s["status"] == "active"),
        ({"voivodeship": "30"}, lambda s: s["gmina"].startswith("30")),
        ({"social_enterprise": "true"}, lambda s: s["ps"]),
        ({"category": "gastronomia"}, lambda s: any(o[2] == "gastronomia" and o[3] for o in s["offers"])),
        ({"search": "epsilon"}, lambda s: "Epsilon" in s["name"]),
    ],
)
def test_catalogue_filters_are_honoured(client, registry, params, predicate):
    body = data(client, {**params, "bbox": POLAND, "zoom": "6"})
    assert sorted(point["name"] for point in body["points"]) == located(predicate)
    assert body["total"] == len(located(predicate))


def spread(count: int, *, origin=(50.0, 15.0), step=0.05, **fields):
    """`count` cooperatives on a grid of `step` degrees from `origin` (south-west)."""
    per_row = 40
    for n in range(count):
        CooperativeFactory(
            latitude=Decimal(str(round(origin[0] + (n // per_row) * step, 6))),
            longitude=Decimal(str(round(origin[1] + (n % per_row) * step, 6))),
            location_precision=Cooperative.LocationPrecision.EXACT,
            **fields,
        )


def test_above_the_cap_the_database_sends_grid_clusters(client, monkeypatch):
    monkeypatch.setattr(registry_map, "POINT_CAP", 20)
    spread(60)
    CooperativeFactory(latitude=Decimal("54.400000"), longitude=Decimal("18.600000"), location_precision="exact")
    body = data(client, {"bbox": POLAND, "zoom": "5"})
    assert body["kind"] == "clusters"
    assert body["total"] == 61
    # Every cooperative is in exactly one cluster or point; the lone one in Gdańsk stays a clickable point.
    assert sum(cluster["count"] for cluster in body["clusters"]) + len(body["points"]) == 61
    assert all(cluster["count"] > 1 for cluster in body["clusters"])
    lone = [point for point in body["points"] if point["lat"] == 54.4]
    assert len(lone) == 1 and lone[0]["krs"]
    # A cluster sits at the mean position of its members, inside the grid that holds them.
    for cluster in body["clusters"]:
        assert 50.0 <= cluster["lat"] <= 50.05 and 15.0 <= cluster["lon"] <= 16.95


def test_closer_zoom_means_smaller_cells(client, monkeypatch):
    monkeypatch.setattr(registry_map, "POINT_CAP", 20)
    spread(60)
    far = data(client, {"bbox": POLAND, "zoom": "5"})
    near = data(client, {"bbox": POLAND, "zoom": "9"})
    assert len(near["clusters"]) + len(near["points"]) > len(far["clusters"]) + len(far["points"])
    # Zoomed in on a few of them: under the cap again, so points.
    close = data(client, {"bbox": "14.99,49.99,15.11,50.01", "zoom": "12"})
    assert close["kind"] == "points" and close["total"] == 3


def test_cell_size_follows_the_zoom():
    lat_cell, lon_cell = registry_map.cell_size(6)
    assert lon_cell == pytest.approx(80 * 360 / (256 * 64))
    assert lat_cell < lon_cell  # Mercator: a degree of latitude is longer on screen at 52°N
    assert registry_map.cell_size(7)[1] == pytest.approx(lon_cell / 2)


def test_bbox_is_widened_to_whole_cells():
    lat_cell, lon_cell = registry_map.cell_size(8)
    west, south, east, north = registry_map.snap_to_grid((19.31, 51.61, 19.59, 51.89), 8)
    assert west <= 19.31 and south <= 51.61 and east >= 19.59 and north >= 51.89
    assert east - 19.59 < lon_cell and 51.61 - south < lat_cell
    assert west / lon_cell == pytest.approx(round(west / lon_cell), abs=1e-4)
    assert north / lat_cell == pytest.approx(round(north / lat_cell), abs=1e-4)
    # Nearby viewports share the same area.
    assert registry_map.snap_to_grid((19.32, 51.62, 19.58, 51.88), 8) == (west, south, east, north)


def test_answers_are_cached_briefly(client, registry, django_assert_num_queries):
    data(client, {"bbox": POLAND, "zoom": "6"})
    with django_assert_num_queries(0):
        body = data(client, {"bbox": POLAND, "zoom": "6"})
    assert body["total"] == len(located())
    # Other filters are another answer.
    assert data(client, {"bbox": POLAND, "zoom": "6", "status": "active"})["total"] == 3


def test_clusters_are_filtered_too(client, monkeypatch):
    monkeypatch.setattr(registry_map, "POINT_CAP", 5)
    spread(20, status=Cooperative.Status.ACTIVE)
    spread(30, origin=(53.0, 20.0), status=Cooperative.Status.LIQUIDATION)
    body = data(client, {"bbox": POLAND, "zoom": "5", "status": "liquidation"})
    assert body["total"] == 30
    assert all(cluster["lat"] >= 53.0 for cluster in body["clusters"])


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"bbox": "1,2,3"}, "bbox", "cztery liczby"),
        ({"bbox": "a,b,c,d"}, "bbox", "cztery liczby"),
        ({"bbox": "nan,50,20,54"}, "bbox", "cztery liczby"),
        ({"bbox": "20,50,14,54"}, "bbox", "zachód < wschód"),
        ({"bbox": "14,50,20,95"}, "bbox", "południe < północ"),
        ({"bbox": "1," * 300}, "bbox", "co najwyżej 200 znaków"),
        ({"zoom": "abc"}, "zoom", "liczbą całkowitą"),
        ({"zoom": "99"}, "zoom", "co najwyżej 19"),
        ({"zoom": "-1"}, "zoom", "co najmniej 0"),
        ({"voivodeship": "99"}, "voivodeship", "Nieznany kod TERYT: 99."),
        ({"search": "x" * 5000}, "search", "co najwyżej 200 znaków"),
    ],
)
def test_invalid_parameters_are_a_400_with_a_message(client, params, field, message):
    body = data(client, params, status=400)
    assert body["message"] == "Nieprawidłowe parametry mapy."
    assert message in " ".join(body["errors"][field])


@pytest.mark.parametrize(("size", "kind", "queries"), [(5, "points", 2), (30, "clusters", 1)])
def test_query_count_does_not_grow_with_the_registry(
    client, django_assert_num_queries, monkeypatch, size, kind, queries
):
    monkeypatch.setattr(registry_map, "POINT_CAP", 10)
    spread(size)
    # The grid cells, which give the total, then the points when there are few of them (no lone cooperative among
    # the clusters here): the whole-country view reads the registry once.
    with django_assert_num_queries(queries):
        body = data(client, {"bbox": POLAND, "zoom": "6"})
    assert body["kind"] == kind and body["total"] == size
    # One more to check the chosen voivodeship's code; nothing matches, so: cells, then (no) points.
    with django_assert_num_queries(3):
        body = data(client, {"bbox": POLAND, "zoom": "6", "voivodeship": "02", "search": "testowa"})
    assert body["total"] == 0


def test_whole_country_response_stays_small(client, monkeypatch):
    """Far out, the answer's size depends on the grid, not on the number of cooperatives."""
    monkeypatch.setattr(registry_map, "POINT_CAP", 50)
    spread(400, step=0.02)
    response = client.get(DATA_URL, {"bbox": POLAND, "zoom": "6"})
    body = json.loads(response.content)
    assert body["kind"] == "clusters" and body["total"] == 400
    assert len(body["clusters"]) + len(body["points"]) < 40
    assert len(response.content) < 3000


# --- Page ----------------------------------------------------------------------------------------------


def test_map_page_has_the_map_its_filters_and_a_list_fallback(client, registry):
    response = client.get(MAP_URL, {"status": "active", "voivodeship": "10", "bbox": "1,2,3,4"})
    assert response.status_code == 200
    html = response.content.decode()
    element = re.search(r'<div id="registry-map"[^>]*>', html, re.S).group(0)
    data_url = re.search(r'data-url="([^"]+)"', element).group(1).replace("&amp;", "&")
    assert urlsplit(data_url).path == DATA_URL
    # The map's own position is not a filter: the data URL and the list link carry only the filters.
    assert parse_qs(urlsplit(data_url).query) == {"status": ["active"], "voivodeship": ["10"]}
    list_link = re.search(r'<a href="([^"]+)">Zobacz te spółdzielnie w postaci listy', html).group(1)
    assert parse_qs(urlsplit(list_link.replace("&amp;", "&")).query) == {"status": ["active"], "voivodeship": ["10"]}
    assert urlsplit(list_link).path == reverse("cooperatives:list")
    assert 'data-tiles-url="https://tile.openstreetmap.org/{z}/{x}/{y}.png"' in element
    assert "openstreetmap.org/copyright" in element
    assert "vendor/leaflet/leaflet.js" in html and "vendor/leaflet.markercluster/leaflet.markercluster.js" in html
    assert "js/map.js" in html
    assert "<noscript>" in html
    # No inline script: everything is configured through data- attributes.
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)


def test_map_filter_form_shows_counts_and_keeps_choices(client, registry):
    # The map has the catalogue's filters (links with counts, several values per facet) and its search form.
    html = client.get(MAP_URL, {"status": "active"}).content.decode()
    assert facet_counts(html, "status") == {"aktywna": 3, "w likwidacji": 1, "wykreślona z KRS": 1}
    assert facet_counts(html, "voivodeship")["łódzkie"] == 3
    links = facet_links(html, "voivodeship")
    assert parse_qs(urlsplit(links["łódzkie"]).query) == {"status": ["active"], "voivodeship": ["10"]}
    form = re.search(r'<form role="search".*?</form>', html, re.S).group(0)
    assert 'name="search"' in form and 'name="near"' in form
    assert '<input type="hidden" name="status" value="active">' in form


def test_map_zooms_to_the_chosen_area(client, registry):
    html = client.get(MAP_URL, {"gmina": "1001011,1001022"}).content.decode()
    bounds = re.search(r'data-bounds="([^"]+)"', html).group(1)
    south, west, north, east = (float(v) for v in bounds.split(","))
    # Beta (51.3687, 19.3564) and Epsilon (51.40, 19.30), the two cooperatives of Bełchatów's gminas.
    assert (south, west, north, east) == (51.3687, 19.3, 51.4, 19.3564)
    assert "data-bounds" not in client.get(MAP_URL).content.decode()  # no filter: the whole country


def test_map_page_with_invalid_filters_explains_them(client):
    response = client.get(MAP_URL, {"voivodeship": "99"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Nieznany kod TERYT: 99." in text_of(html)
    assert 'id="registry-map"' not in html


def test_vendored_libraries_and_their_licences_are_present():
    from django.contrib.staticfiles import finders

    for path in (
        "vendor/leaflet/leaflet.js",
        "vendor/leaflet/leaflet.css",
        "vendor/leaflet/LICENSE",
        "vendor/leaflet/images/marker-icon.png",
        "vendor/leaflet.markercluster/leaflet.markercluster.js",
        "vendor/leaflet.markercluster/MarkerCluster.css",
        "vendor/leaflet.markercluster/MarkerCluster.Default.css",
        "vendor/leaflet.markercluster/LICENSE.txt",
        "vendor/README.md",
        "js/map.js",
    ):
        assert finders.find(path), path
    readme = open(finders.find("vendor/README.md"), encoding="utf-8").read()
    assert "1.9.4" in readme and "1.5.3" in readme


@pytest.mark.parametrize("size", [5, 30])
def test_map_page_query_count_does_not_grow(client, django_assert_num_queries, size):
    spread(size)
    registry_has_demo_data()  # warm the demo-data flag cache, as on a running site
    # The facets of the filter form (as on the catalogue: 5); the map's data comes separately. (No area chosen:
    # no query for the bounds to zoom to.)
    with django_assert_num_queries(5):
        response = client.get(MAP_URL)
    assert response.status_code == 200


def test_a_close_zoom_over_a_large_area_gets_a_coarser_grid(client, monkeypatch):
    monkeypatch.setattr(registry_map, "POINT_CAP", 5)
    spread(200, step=0.01)
    body = data(client, {"bbox": POLAND, "zoom": "19"})
    assert body["kind"] == "clusters" and body["total"] == 200
    assert len(body["clusters"]) + len(body["points"]) <= registry_map.MAX_CELLS
    assert registry_map.effective_zoom((14.0, 48.9, 24.2, 55.0), 19) <= 9
    # A screen-sized area keeps its zoom.
    assert registry_map.effective_zoom((19.3, 51.6, 19.6, 51.8), 12) == 12

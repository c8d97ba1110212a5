"""Issue 13's catalogue journeys in a real browser: several values per facet, "near" a place, the status default
(desktop), and the catalogue, offers, profile, map and home at 390 px wide (a phone): no sideways scrolling,
results first with the filters behind a button, the map filling the screen and zoomed to the chosen area.

Every step leaves a screenshot in test-artifacts/journeys/ (successful runs too), and axe-core checks each page
the journeys change (WCAG 2.0/2.1 A and AA).
"""

import re
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from cooperatives.models import OfferCategory
from tests.cooperatives.factories import CooperativeFactory, OfferFactory

from .conftest import AXE_JS, ROOT
from .test_accessibility import AXE_RUN, AXE_TAGS

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("territory", "seed_dictionaries")]

JOURNEYS_DIR = ROOT / "test-artifacts" / "journeys"
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def shots(request):
    """shots(page, step): a full-page screenshot named after the test and the step."""
    JOURNEYS_DIR.mkdir(parents=True, exist_ok=True)
    test = re.sub(r"[^A-Za-z0-9_-]+", "_", request.node.name)
    for old in JOURNEYS_DIR.glob(f"{test}-*.png"):
        old.unlink()

    def take(page, step: str):
        page.screenshot(path=str(JOURNEYS_DIR / f"{test}-{step}.png"), full_page=True)

    return take


def no_axe_violations(page) -> None:
    page.add_script_tag(path=str(AXE_JS))
    violations = page.evaluate(AXE_RUN, AXE_TAGS)
    assert violations == [], f"{page.url}: {violations}"


def malopolska():
    """Kraków (city), Skawina (powiat krakowski), Wieliczka (powiat wielicki), Tarnów, and one struck off."""
    catering = OfferCategory.objects.get(slug="catering")
    cleaning = OfferCategory.objects.get(slug="sprzatanie-obiektow")
    greenery = OfferCategory.objects.get(slug="pielegnacja-zieleni")
    coops = {
        "krakow": CooperativeFactory(
            name="SS Krakowska Kuchnia", gmina_id="1261011", latitude=Decimal("50.061"), longitude=Decimal("19.937")
        ),
        "skawina": CooperativeFactory(
            name="SS Skawińskie Sprzątanie", gmina_id="1206113", latitude=Decimal("49.975"),
            longitude=Decimal("19.828"),
        ),
        "wieliczka": CooperativeFactory(name="SS Wielicka Zieleń", gmina_id="1219053"),
        "tarnow": CooperativeFactory(
            name="SS Tarnowski Catering", gmina_id="1263011", latitude=Decimal("50.012"), longitude=Decimal("20.988")
        ),
        "struck": CooperativeFactory(name="SS Dawna Spółdzielnia", gmina_id="1261011", status="deleted"),
    }  # fmt: skip
    OfferFactory(cooperative=coops["krakow"], title="Obiady dla szkół", category=catering)
    OfferFactory(cooperative=coops["skawina"], title="Sprzątanie biur", category=cleaning)
    OfferFactory(cooperative=coops["wieliczka"], title="Koszenie trawników", category=greenery)
    OfferFactory(cooperative=coops["tarnow"], title="Catering weselny", category=catering)
    return coops


def results(page) -> list[str]:
    return page.locator("ol.result-list li h3 a").all_inner_texts()


def click(page, locator):
    with page.expect_navigation():
        locator.click()


def test_several_places_and_categories_near_a_town_and_the_struck_off(page, shots):
    malopolska()
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(reverse("cooperatives:list"))
    # The default status hides the struck-off one and says so.
    assert "SS Dawna Spółdzielnia" not in results(page)
    assert "Ukryto spółdzielnie wykreślone z KRS: 1" in page.locator(".hidden-deleted").inner_text()
    shots(page, "1-start")
    no_axe_violations(page)

    # Kraków city + powiat krakowski + powiat wielicki: each value added, the others kept.
    click(page, page.locator("a.facet-value", has_text="małopolskie"))
    for powiat in ("Kraków", "pow. krakowski", "pow. wielicki"):
        click(page, page.locator("#facet-powiat").locator("..").locator("a.facet-value", has_text=powiat))
    assert results(page) == ["SS Krakowska Kuchnia", "SS Skawińskie Sprzątanie", "SS Wielicka Zieleń"]
    assert parse_qs(urlsplit(page.url).query)["powiat"] == ["1261", "1206", "1219"]
    chips = [chip.splitlines()[0] for chip in page.locator(".active-filters .chip").all_inner_texts()]
    assert [c for c in chips if c.startswith("Powiat")] == [
        "Powiat: Kraków ×",
        "Powiat: pow. krakowski ×",
        "Powiat: pow. wielicki ×",
    ]
    assert page.locator("#facet-powiat").locator("..").locator("a.facet-value.is-selected").count() == 3
    shots(page, "2-three-powiats")
    no_axe_violations(page)

    # Each chosen value is removable on its own.
    click(page, page.locator(".active-filters .chip", has_text="pow. wielicki"))
    assert results(page) == ["SS Krakowska Kuchnia", "SS Skawińskie Sprzątanie"]

    # Two categories: either matches.
    page.goto(reverse("cooperatives:list"))
    click(page, page.locator("a.facet-value", has_text="Gastronomia"))
    click(page, page.locator("a.facet-value", has_text="Sprzątanie"))
    assert results(page) == ["SS Krakowska Kuchnia", "SS Skawińskie Sprzątanie", "SS Tarnowski Catering"]
    shots(page, "3-two-categories")

    # Near Kraków within 30 km, nearest first, with distances.
    page.goto(reverse("cooperatives:list"))
    page.locator(".search-more > summary").click()
    page.fill("#id_near", "Kraków")
    page.fill("#id_km", "30")
    click(page, page.locator("form.catalogue-search button[type=submit]"))
    assert results(page) == ["SS Krakowska Kuchnia", "SS Skawińskie Sprzątanie", "SS Wielicka Zieleń"]
    assert "km" in page.locator("ol.result-list .distance").first.inner_text()
    assert "W pobliżu: Kraków" in page.locator(".active-filters").inner_text()
    shots(page, "4-near-krakow")
    no_axe_violations(page)

    # A place the portal does not know is explained, not a 500.
    page.fill("#id_near", "Nibylandia")
    with page.expect_navigation():
        page.locator("form.catalogue-search button[type=submit]").click()
    assert "Nie znamy miejscowości ani gminy" in page.locator(".error-summary").inner_text()
    shots(page, "5-unknown-place")
    no_axe_violations(page)

    # "pokaż": every status, the struck-off one included.
    page.goto(reverse("cooperatives:list"))
    click(page, page.locator(".hidden-deleted a"))
    assert "SS Dawna Spółdzielnia" in results(page)
    shots(page, "6-with-struck-off")


def test_offers_in_two_categories_near_a_place(page, shots):
    malopolska()
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(reverse("cooperatives:offers") + "?near=1261011&km=40")
    assert results(page) == ["Obiady dla szkół", "Sprzątanie biur", "Koszenie trawników"]
    click(page, page.locator("a.facet-value", has_text="Gastronomia"))
    click(page, page.locator("a.facet-value", has_text="Zieleń"))
    assert results(page) == ["Obiady dla szkół", "Koszenie trawników"]
    shots(page, "offers-two-categories-near")
    no_axe_violations(page)


def page_fits(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} scrolls sideways: {width} px"


def test_phone_catalogue_results_first_filters_behind_a_button(new_page, shots):
    coops = malopolska()
    page = new_page()
    page.set_viewport_size(PHONE)
    page.goto(reverse("cooperatives:list"))
    page_fits(page)
    # Results start on the first screen; the filters are folded behind their button.
    results_top = page.evaluate("document.querySelector('.catalogue-results').getBoundingClientRect().top")
    assert results_top < PHONE["height"], results_top
    assert not page.locator("a.facet-value", has_text="małopolskie").is_visible()
    shots(page, "1-catalogue")
    no_axe_violations(page)

    page.locator(".catalogue-filters > summary").click()
    assert page.locator("a.facet-value", has_text="małopolskie").is_visible()
    page_fits(page)
    shots(page, "2-filters-open")
    click(page, page.locator("a.facet-value", has_text="małopolskie"))
    assert " ".join(page.locator(".catalogue-filters > summary").inner_text().split()) == "Filtry (wybrane: 1)"
    assert results(page)[0] == "SS Krakowska Kuchnia"
    page_fits(page)
    shots(page, "3-filtered")

    for label, url in (
        ("offers", reverse("cooperatives:offers") + "?near=Krak%C3%B3w&km=30"),
        ("profile", coops["krakow"].get_absolute_url()),
        ("home", reverse("cooperatives:home")),
    ):
        page.goto(url)
        page_fits(page)
        shots(page, f"4-{label}")
        no_axe_violations(page)


def test_phone_map_fills_the_screen_and_zooms_to_the_chosen_area(new_page, shots):
    malopolska()
    page = new_page()
    page.set_viewport_size(PHONE)
    with page.expect_request(lambda r: "/mapa/dane.json" in r.url) as data:
        page.goto(reverse("cooperatives:map") + "?powiat=1261&powiat=1206&powiat=1219")
    page_fits(page)
    box = page.locator("#registry-map").bounding_box()
    assert box["width"] >= PHONE["width"] - 40 and box["height"] >= 0.7 * PHONE["height"], box
    # The first data request is for the chosen area (around Kraków), not the whole country.
    query = parse_qs(urlsplit(data.value.url).query)
    west, south, east, north = (float(v) for v in query["bbox"][0].split(","))
    assert west < 19.94 < east and south < 50.06 < north
    assert east - west < 3, "zoomed to the chosen powiats"
    assert query["powiat"] == ["1261", "1206", "1219"]
    page.wait_for_function("document.getElementById('map-status').textContent.includes('obszarze')")
    shots(page, "map-krakow-area")
    no_axe_violations(page)

"""Journeys of issue 13 in a real browser: a representative edits the profile (gmina by voivodeship -> powiat ->
gmina or by name, the seat picked on the map, PKD codes as rows), with and without JavaScript; a visitor sets a
larger text and high contrast, which persist across pages and pass axe. Screenshots go to test-artifacts/journeys/.
"""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from cooperatives.models import LATITUDE_RANGE, LONGITUDE_RANGE, CooperativeActivity
from tests.cooperatives.factories import CooperativeFactory
from tests.cooperatives.selfservice_helpers import representative

from .conftest import AXE_JS, BLOCKED_HOSTS, ROOT
from .test_accessibility import AXE_RUN, AXE_TAGS

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("territory", "seed_dictionaries")]

JOURNEYS_DIR = ROOT / "test-artifacts" / "journeys"


def screenshot(page, name: str) -> None:
    JOURNEYS_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(JOURNEYS_DIR / f"{name}.png"), full_page=True)


def axe_violations(page) -> list:
    page.add_script_tag(path=str(AXE_JS))
    return page.evaluate(AXE_RUN, AXE_TAGS)


def signed_in_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


def save(page):
    with page.expect_navigation():
        page.locator("form.profile-form button[type=submit]:not([name])").first.click()


def test_representative_picks_gmina_location_and_pkd_codes_with_javascript(new_page):
    coop = CooperativeFactory(email="zamowienia.publiczne@spoldzielnia-socjalna-przykladowa.example")
    CooperativeActivity.objects.create(cooperative=coop, code="56.21.Z", version="2007", is_main=True)
    page = new_page(session_cookie=signed_in_cookie(representative(coop)))
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(reverse("selfservice:cooperative-edit", args=[coop.krs_number]))
    screenshot(page, "profile-edit-1-opened")

    # The script hides the "show" buttons and fills the lists in place.
    assert not page.get_by_role("button", name="Pokaż powiaty").is_visible()
    page.select_option("select[name=voivodeship]", "16")
    page.wait_for_selector("select[name=powiat] option[value='1609']", state="attached")
    page.select_option("select[name=powiat]", "1609")
    page.wait_for_selector("select[name=gmina] option[value='1609022']", state="attached")
    assert page.locator("select[name=gmina] option[value='1609022']").inner_text() == (
        "Dąbrowa (gm. wiejska), pow. opolski, woj. opolskie"
    )
    # Searching by name offers the namesakes, each told apart.
    page.fill("input[name=gmina_search]", "Dąbrowa")
    page.wait_for_selector("select[name=gmina] option[value='0409012']", state="attached")
    assert "Znalezione gminy" in page.locator("#gmina-picker-status").inner_text()
    page.select_option("select[name=gmina]", "1609022")

    # A click on the map writes the coordinates (the tiles are blocked; the map still answers clicks).
    map_box = page.locator("[data-map-picker]")
    assert map_box.is_visible()
    map_box.click()  # the middle of the map: Poland
    latitude = Decimal(page.input_value("input[name=latitude]"))
    longitude = Decimal(page.input_value("input[name=longitude]"))
    assert LATITUDE_RANGE[0] <= latitude <= LATITUDE_RANGE[1]
    assert LONGITUDE_RANGE[0] <= longitude <= LONGITUDE_RANGE[1]

    # A PKD row is added in place, without a round trip.
    url_before = page.url
    page.get_by_role("button", name="Dodaj kod PKD").click()
    assert page.url == url_before
    page.fill("input[name='pkd-1-code']", "88.10.z")
    page.select_option("select[name='pkd-1-version']", "2025")

    # Inputs are wide enough for what they hold; each consent's label sits beside its checkbox.
    for name in ("email", "website", "phone"):
        fits = page.locator(f"input[name={name}]").evaluate("el => el.scrollWidth <= el.clientWidth")
        assert fits, name
    for name in ("publish_email", "accepts_inquiries", "publish_phone", "publish_website"):
        box = page.locator(f"input[name={name}]").bounding_box()
        label = page.locator(f"label[for=id_{name}]").bounding_box()
        assert label["x"] > box["x"] and abs((label["y"] + label["height"] / 2) - (box["y"] + box["height"] / 2)) < 12
    screenshot(page, "profile-edit-2-filled")
    assert axe_violations(page) == []

    save(page)
    coop.refresh_from_db()
    assert (coop.gmina_id, coop.powiat_id, coop.voivodeship_id) == ("1609022", "1609", "16")
    assert (coop.latitude, coop.longitude) == (latitude, longitude)
    assert list(coop.activities.order_by("-is_main", "pk").values_list("code", "version")) == [
        ("56.21.Z", "2007"),
        ("88.10.Z", "2025"),
    ]
    assert "Zapisano" in page.locator(".messages").inner_text()
    screenshot(page, "profile-edit-3-saved")


def test_representative_picks_gmina_and_adds_pkd_row_without_javascript(browser, live_server):
    coop = CooperativeFactory()
    context = browser.new_context(base_url=live_server.url, locale="pl-PL", java_script_enabled=False)
    context.route(BLOCKED_HOSTS, lambda route: route.abort())
    context.add_cookies(
        [{"name": "sessionid", "value": signed_in_cookie(representative(coop)), "url": live_server.url}]
    )
    try:
        page = context.new_page()
        page.goto(reverse("selfservice:cooperative-edit", args=[coop.krs_number]))
        page.fill("textarea[name=description]", "Opis wpisany przed wyborem gminy")
        page.select_option("select[name=voivodeship]", "16")
        with page.expect_navigation():
            page.get_by_role("button", name="Pokaż powiaty").click()
        page.select_option("select[name=powiat]", "1609")
        with page.expect_navigation():
            page.get_by_role("button", name="Pokaż gminy").click()
        page.select_option("select[name=gmina]", "1609022")
        with page.expect_navigation():
            page.get_by_role("button", name="Dodaj kod PKD").click()
        page.fill("input[name='pkd-0-code']", "88.10.Z")
        page.fill("input[name=latitude]", "50.5")  # typed as a number, without the map
        page.fill("input[name=longitude]", "17.9")
        assert not page.locator("[data-map-picker]").is_visible()
        assert page.input_value("textarea[name=description]") == "Opis wpisany przed wyborem gminy"
        screenshot(page, "profile-edit-nojs-1-stepped")
        save(page)
        coop.refresh_from_db()
        assert coop.gmina_id == "1609022" and coop.description == "Opis wpisany przed wyborem gminy"
        assert list(coop.activities.values_list("code", "version", "is_main")) == [("88.10.Z", "2025", True)]
        screenshot(page, "profile-edit-nojs-2-saved")
    finally:
        context.close()


def test_text_size_and_contrast_persist_across_pages(page):
    page.goto(reverse("cooperatives:home"))
    with page.expect_navigation():
        page.get_by_role("button", name="A++ tekst bardzo duży").click()
    assert page.url.endswith(reverse("cooperatives:home"))
    assert page.locator("html").get_attribute("class") == "text-larger"
    size = page.locator("body").evaluate("el => parseFloat(getComputedStyle(el).fontSize)")
    assert size == 24  # 150% of 16 px

    page.goto(reverse("cooperatives:list"))
    with page.expect_navigation():
        page.get_by_role("button", name="Wysoki kontrast").click()
    assert page.locator("html").get_attribute("class") == "text-larger contrast-high"
    assert page.get_by_role("button", name="Wysoki kontrast").get_attribute("aria-pressed") == "true"
    screenshot(page, "display-settings-1-catalogue")

    for name in ("core:privacy", "core:easy-to-read", "core:contact"):
        page.goto(reverse(name))
        assert page.locator("html").get_attribute("class") == "text-larger contrast-high", name
        assert axe_violations(page) == [], name
    screenshot(page, "display-settings-2-contact")

    # Back to the defaults from the settings page.
    page.goto(reverse("core:display-settings"))
    with page.expect_navigation():
        page.get_by_role("button", name="Przywróć domyślne").click()
    assert page.locator("html").get_attribute("class") is None

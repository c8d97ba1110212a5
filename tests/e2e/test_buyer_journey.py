"""The buyer's journey in a real browser (issue 13): filter the catalogue by reserved contracts (art. 94) and a CPV
code, open a profile, read the reserved-contract box and the official registers, add the cooperative to the
shortlist and download the contact list. Every page on the way is scanned by axe-core (WCAG 2.0/2.1 A and AA) and
photographed into test-artifacts/journeys/ (kept whether the test passes or not, for review).
"""

import csv
import datetime
import io
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.cooperatives.factories import CooperativeFactory, OfferFactory

from .conftest import AXE_JS, ROOT

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("territory", "seed_dictionaries")]

JOURNEY_DIR = ROOT / "test-artifacts" / "journeys"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_RUN = """async (tags) => {
  const results = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
  return results.violations.map(v => ({id: v.id, help: v.help, nodes: v.nodes.slice(0, 3).map(n => n.html)}));
}"""


def checked(page, name: str) -> None:
    """A full-page screenshot for review, then axe-core: no WCAG A/AA violation."""
    JOURNEY_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(JOURNEY_DIR / f"buyer-{name}.png"), full_page=True)
    page.add_script_tag(path=str(AXE_JS))
    violations = page.evaluate(AXE_RUN, AXE_TAGS)
    assert violations == [], json.dumps(violations, ensure_ascii=False, indent=1)


def test_buyer_filters_by_art_94_and_cpv_reads_the_profile_and_downloads_the_contacts(page):
    as_of = timezone.localdate() - datetime.timedelta(days=90)
    target = CooperativeFactory(
        name="Spółdzielnia Socjalna Smaczna Kuchnia",
        employees_count=12,
        employees_at_risk_count=5,
        counts_as_of=as_of,
        phone="42 600 70 80",
        publish_phone=True,
        is_social_enterprise=True,
    )
    OfferFactory(cooperative=target, title="Obiady dla szkół", cpv_code="55520000-1")
    below = CooperativeFactory(
        name="Spółdzielnia Socjalna Obiadowa", employees_count=10, employees_at_risk_count=2, counts_as_of=as_of
    )
    OfferFactory(cooperative=below, title="Obiady domowe", cpv_code="55520000-1")
    cleaning = CooperativeFactory(
        name="Spółdzielnia Socjalna Czysty Dom", employees_count=6, employees_at_risk_count=6, counts_as_of=as_of
    )
    OfferFactory(cooperative=cleaning, title="Sprzątanie biur", cpv_code="90910000-9")

    page.goto(reverse("cooperatives:list"))
    page.click("summary:has-text('Dla zamawiających')")  # the buyers' fields fold under their summary
    page.check("#id_reserved")
    page.fill("#id_cpv", "55000000-0")
    with page.expect_navigation():
        page.locator("form.catalogue-search button[type=submit]").click()
    assert "reserved=art94" in page.url and "cpv=55000000-0" in page.url
    results = page.locator("main .result h3 a").all_inner_texts()
    assert results == [target.name]
    assert page.locator("#id_reserved").is_checked() and page.input_value("#id_cpv") == "55000000-0"
    checked(page, "01-catalogue-art94-cpv")

    # The same filter on the offers catalogue.
    page.goto(reverse("cooperatives:offers") + "?cpv=555&reserved=art94")
    assert page.locator("main .result h3 a").all_inner_texts() == ["Obiady dla szkół"]
    checked(page, "02-offers-cpv")

    page.goto(reverse("cooperatives:list") + "?reserved=art94&cpv=55000000-0")
    with page.expect_navigation():
        page.get_by_role("link", name=target.name).click()
    box = page.locator("section.reserved-contracts").inner_text()
    assert "41,7% (5 z 12 pracowników)" in box
    assert "wg danych spółdzielni, stan na" in box
    assert "spółdzielnia może ubiegać się o zamówienia zastrzeżone" in box
    assert "weryfikuje zamawiający" in box
    krs_link = page.get_by_role("link", name="Odpis z KRS: oficjalna wyszukiwarka Ministerstwa Sprawiedliwości")
    assert krs_link.get_attribute("href") == "https://wyszukiwarka-krs.ms.gov.pl/"
    assert krs_link.get_attribute("target") is None
    assert page.get_by_role("link", name="Rejestr przedsiębiorstw społecznych (rejestrpes.pl)").count() == 1
    checked(page, "03-profile-reserved-box")

    with page.expect_navigation():
        page.locator("li.profile-shortlist form.shortlist-toggle button").click()
    assert "Na liście wybranych" in page.locator("li.profile-shortlist").inner_text()
    page.goto(reverse("cooperatives:shortlist"))
    assert target.name in page.locator("main").inner_text()
    checked(page, "04-shortlist")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="CSV (rozdzielany średnikami)").click()
    content = open(download_info.value.path(), encoding="utf-8-sig").read()
    rows = list(csv.reader(io.StringIO(content), delimiter=";"))
    header, row = rows[0], dict(zip(rows[0], rows[1], strict=True))
    assert header[:2] == ["Nazwa", "Numer KRS"] and "Zamówienia zastrzeżone (art. 94): próg 30%" in header
    assert row["Nazwa"] == target.name
    assert row["Telefon"] == "42 600 70 80"
    assert row["Zamówienia zastrzeżone (art. 94): próg 30%"] == "tak"
    assert row["Udział pracowników zagrożonych wykluczeniem (%)"] == "41.7"
    assert row["Udział według stanu na"] == as_of.isoformat()
    assert row["Kody CPV ofert"] == "55520000-1"
    assert len(rows) == 2

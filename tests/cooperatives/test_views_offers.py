"""The offers catalogue and an offer's page. Expected results come from catalogue_fixtures.SPEC."""

import re
from collections import Counter
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cooperatives.models import Offer, OfferCategory
from cooperatives.selectors import registry_has_demo_data

from .catalogue_fixtures import GMINAS, SPEC, build_registry, facet_counts, facet_links, result_names, text_of
from .factories import CooperativeFactory, OfferFactory

pytestmark = pytest.mark.django_db

OFFERS_URL = reverse("cooperatives:offers")


@pytest.fixture
def registry():
    return build_registry()


def public(predicate=lambda spec, offer: True) -> list[str]:
    """Titles of public offers (active, of a cooperative not deleted) satisfying `predicate`, by title."""
    return sorted(
        offer[0]
        for spec in SPEC
        if spec["status"] != "deleted"
        for offer in spec["offers"]
        if offer[3] and predicate(spec, offer)
    )


def get(client, params=None):
    response = client.get(OFFERS_URL, params or {})
    assert response.status_code != 500
    return response, response.content.decode()


def test_offers_catalogue_lists_public_offers_with_details(client, registry):
    response, html = get(client)
    assert response.status_code == 200
    assert result_names(html) == public()
    text = text_of(html)
    assert f"Liczba wyników: {len(public())}." in text
    assert "Dawny catering" not in html  # inactive
    assert "Koszenie trawników" not in html  # its cooperative was deleted from the KRS
    assert "Gastronomia i catering › Catering · Spółdzielnia Socjalna Alfa (Łódź, woj. łódzkie)" in text
    assert "Zakup Prospołeczny 2024" in text
    assert "Zasięg: cała Polska" in text


FILTERS = [
    ({"category": "gastronomia"}, lambda s, o: o[2] == "gastronomia"),
    ({"category": "remonty"}, lambda s, o: o[1] == "remonty"),
    ({"voivodeship": "10"}, lambda s, o: GMINAS[s["gmina"]][1] == "10"),
    ({"powiat": "1001"}, lambda s, o: GMINAS[s["gmina"]][0] == "1001"),
    ({"gmina": "1061011"}, lambda s, o: s["gmina"] == "1061011"),
    ({"service_area": "national"}, lambda s, o: o[5] == "national"),
    ({"certification": "zakup_prospoleczny"}, lambda s, o: o[4] is not None),
    ({"search": "catering"}, lambda s, o: "catering" in f"{o[0]} {o[1]}".lower()),
    # Łódź (powiat 1061) is served by: Alfa's local and national offers, Beta's offer for powiat 1061, and
    # Epsilon's offer for the łódzkie voivodeship.
    ({"serves": "1061"}, lambda s, o: o[5] in ("national", "voivodeships", "powiats") or s["gmina"] == "1061011"),
]


@pytest.mark.parametrize(("params", "predicate"), FILTERS, ids=[str(p) for p, _ in FILTERS])
def test_each_offer_filter(client, registry, params, predicate):
    response, html = get(client, params)
    assert response.status_code == 200
    expected = public(predicate)
    assert expected
    assert result_names(html) == expected


def test_serves_is_a_form_field_listing_voivodeships_and_the_chosen_ones_powiats(client, registry):
    _, html = get(client, {"serves": "1061"})
    select = re.search(r'<select id="id_serves" name="serves">.*?</select>', html, re.S).group(0)
    assert '<option value="1061" selected>– Łódź</option>' in select
    assert '<option value="30">woj. wielkopolskie</option>' in select
    assert 'value="3064"' not in select  # powiats of other voivodeships are not listed
    assert 'type="hidden" name="serves"' not in html


def test_offer_facet_counts(client, registry):
    _, html = get(client, {"voivodeship": "10"})
    in_lodzkie = [(s, o) for s in SPEC for o in s["offers"] if GMINAS[s["gmina"]][1] == "10"]
    public_all = [(s, o) for s in SPEC for o in s["offers"] if o[3] and s["status"] != "deleted"]
    public_lodzkie = [(s, o) for s, o in in_lodzkie if o[3] and s["status"] != "deleted"]
    categories = Counter(OfferCategory.objects.get(slug=o[2]).name for _, o in public_lodzkie)
    assert facet_counts(html, "category") == dict(categories)
    voivodeships = Counter(
        {"10": "łódzkie", "30": "wielkopolskie", "14": "mazowieckie"}[s["gmina"][:2]] for s, _ in public_all
    )
    assert facet_counts(html, "voivodeship") == dict(voivodeships)
    areas = Counter(Offer.ServiceArea(o[5]).label for _, o in public_lodzkie)
    assert facet_counts(html, "service_area") == dict(areas)
    powiats = Counter(GMINAS[s["gmina"]][0] for s, _ in public_lodzkie)
    assert facet_counts(html, "powiat") == {"Łódź": powiats["1061"], "pow. bełchatowski": powiats["1001"]}
    certified = sum(1 for _, o in public_lodzkie if o[4])
    assert facet_counts(html, "certification") == {"certyfikat Zakup Prospołeczny": certified}
    link = facet_links(html, "category")["Gastronomia i catering"]
    assert parse_qs(urlsplit(link).query) == {"voivodeship": ["10"], "category": ["gastronomia"]}


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"serves": "9999"}, "Nieznany kod TERYT: 9999."),
        ({"service_area": "moon"}, "Wybierz poprawną wartość"),
        ({"certification": "iso"}, "Wybierz poprawną wartość"),
        ({"search": "z" * 5000}, "co najwyżej 200 znaków"),
        ({"page": "abc"}, "Numer strony musi być dodatnią liczbą całkowitą."),
        ({"page": "99999"}, "Nie ma strony 99999"),
    ],
)
def test_invalid_offer_parameters(client, registry, params, message):
    response, html = get(client, params)
    assert response.status_code == 400
    assert message in text_of(html)


def test_offer_sorting_and_pages(client):
    cooperative = CooperativeFactory()
    for n in range(23):
        OfferFactory(cooperative=cooperative, title=f"Oferta {n:02d}")
    _, html = get(client, {"ordering": "newest", "page": "2"})
    assert result_names(html) == [f"Oferta {n:02d}" for n in (2, 1, 0)]
    assert re.search(r'<a href="\?ordering=newest&amp;page=1" rel="prev">', html)


@pytest.mark.parametrize("size", [5, 30])
def test_offer_catalogue_query_count_does_not_grow(client, django_assert_num_queries, size):
    for n in range(size):
        OfferFactory(cooperative=CooperativeFactory(gmina_id="1061011" if n % 2 else "1001011"))
    registry_has_demo_data()  # warm the demo-data flag cache, as on a running site
    # The count, the page, the areas of the "serves" field, then the facets: categories (counts and the top-level
    # categories), voivodeships (names joined in), service areas, certificate. Chosen codes are validated once,
    # never again per facet.
    with django_assert_num_queries(8):
        response = client.get(OFFERS_URL)
    assert len(result_names(response.content.decode())) == min(size, 20)
    # + the chosen voivodeship and area looked up, + the powiat facet
    with django_assert_num_queries(11):
        client.get(OFFERS_URL, {"voivodeship": "10", "serves": "1061", "page": "1"})
    # A search (with a typo on PostgreSQL, corrected inside the same statements) adds no query: the same count,
    # page and facets as the catalogue without it.
    cache.clear()
    registry_has_demo_data()
    with CaptureQueriesContext(connection) as without_search:
        client.get(OFFERS_URL)
    query = "usluga testowe" if connection.vendor == "postgresql" else "usluga testowa"
    with django_assert_num_queries(len(without_search)):
        response = client.get(OFFERS_URL, {"search": query})
    assert len(result_names(response.content.decode())) == min(size, 20)


# --- Offer page -----------------------------------------------------------------------------------------


def test_offer_page_shows_the_offer_and_its_cooperative(client, registry):
    alfa = registry["Spółdzielnia Socjalna Alfa"]
    alfa.email, alfa.publish_email = "kontakt@alfa.example.org", True
    alfa.save()
    offer = Offer.objects.get(title="Obiady dla szkół")
    offer.price_note, offer.cpv_code, offer.description = "od 12 zł za obiad", "55523100-3", "Obiady dwudaniowe."
    offer.save()
    response = client.get(offer.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    text = text_of(html)
    for expected in (
        "Obiady dla szkół",
        "Oferta spółdzielni socjalnej Spółdzielnia Socjalna Alfa",
        "Obiady dwudaniowe.",
        "Kategoria Gastronomia i catering › Catering",
        "Obszar działania lokalnie (gmina siedziby) : gmina Łódź",
        "Cena od 12 zł za obiad",
        "Kod CPV 55523100-3",
        "Certyfikat Zakup Prospołeczny 2024",
        "kontakt@alfa.example.org",
    ):
        assert expected in text, expected
    assert f'href="{alfa.get_absolute_url()}"' in html
    assert f"?krs={alfa.krs_number}" in html


def test_offer_page_lists_the_areas_it_serves(client, registry):
    offer = Offer.objects.get(title="Catering na wesela")
    text = text_of(client.get(offer.get_absolute_url()).content.decode())
    assert "wybrane województwa : łódzkie" in text


def test_offer_page_hides_the_contact_without_consent(client, registry):
    alfa = registry["Spółdzielnia Socjalna Alfa"]
    alfa.email, alfa.publish_email = "ukryty@alfa.example.org", False
    alfa.save()
    html = client.get(Offer.objects.get(title="Obiady dla szkół").get_absolute_url()).content.decode()
    assert "ukryty@alfa.example.org" not in html


@pytest.mark.parametrize("title", ["Dawny catering", "Koszenie trawników"])
def test_offers_that_are_not_public_are_404(client, registry, title):
    response = client.get(Offer.objects.get(title=title).get_absolute_url())
    assert response.status_code == 404
    assert "Nie znaleziono strony" in response.content.decode()


def test_unknown_offer_is_404(client):
    assert client.get(reverse("cooperatives:offer-detail", kwargs={"pk": 987654})).status_code == 404

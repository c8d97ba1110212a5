"""The public pages: home, the cooperative catalogue (filters, facet counts, search, sorting, pages, errors) and
profiles. Expected results are computed from the fixture's plain description (catalogue_fixtures.SPEC)."""

import json
import re
import time
from collections import Counter
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cooperatives.filters import Certification
from cooperatives.models import Cooperative, OfferCategory, TargetGroup
from cooperatives.selectors import registry_has_demo_data

from .catalogue_fixtures import (
    GMINAS,
    SPEC,
    build_registry,
    facet_counts,
    facet_links,
    full_profile,
    public_offers,
    result_names,
    text_of,
)
from .factories import CooperativeFactory, OfferFactory

pytestmark = pytest.mark.django_db

LIST_URL = reverse("cooperatives:list")
VOIVODESHIP_LABELS = {"10": "łódzkie", "30": "wielkopolskie", "14": "mazowieckie"}


@pytest.fixture
def registry():
    return build_registry()


def get(client, url, params=None):
    response = client.get(url, params or {})
    assert response.status_code != 500
    return response, response.content.decode()


def names_where(predicate) -> list[str]:
    """Names of the SPEC cooperatives satisfying `predicate`, in plain code-point order (all names start with
    letters whose Polish order equals their code-point order, except Ś, handled by name_key)."""
    return sorted((spec["name"] for spec in SPEC if predicate(spec)), key=name_key)


def name_key(name: str) -> str:
    # Polish order puts Ś right after S; code-point order puts it after Z. Enough for these names.
    return name.replace("Ś", "S\uffff")


def listed(spec) -> bool:
    """Shown without a status filter: struck-off cooperatives are hidden by default (issue 13)."""
    return spec["status"] != "deleted"


LISTED = [spec for spec in SPEC if listed(spec)]


def top_categories(spec) -> set[str]:
    return {offer[2] for offer in spec["offers"] if offer[3]}


# --- Home -----------------------------------------------------------------------------------------------


def test_home_shows_counts_newest_and_links(client, registry):
    response, html = get(client, reverse("cooperatives:home"))
    assert response.status_code == 200
    text = text_of(html)
    assert f"{len(SPEC)} spółdzielni w rejestrze" in text
    active = sum(spec["status"] == "active" for spec in SPEC)
    assert f"{active} aktywnych" in text
    assert f"{sum(spec['ps'] for spec in SPEC)} przedsiębiorstw społecznych" in text
    assert f"{sum(len(public_offers(spec)) for spec in SPEC)} aktualnych ofert" in text
    # Newest first; a cooperative deleted from the KRS is not advertised.
    newest = re.search(r'id="newest-cooperatives-title".*?</ul>', html, re.S).group(0)
    shown = re.findall(r'<a href="/spoldzielnie/\d{10}/">([^<]+)</a>', newest)
    assert shown == [spec["name"] for spec in reversed(SPEC) if spec["status"] != "deleted"]
    assert "Catering na wesela" in html and "Dawny catering" not in html
    for name in ("list", "offers", "map", "open-data"):
        assert f'href="{reverse(f"cooperatives:{name}")}"' in html
    assert 'role="search"' in html and 'name="search"' in html


def test_home_on_an_empty_registry(client):
    response, html = get(client, reverse("cooperatives:home"))
    assert response.status_code == 200
    assert "Rejestr jest jeszcze pusty." in html


# --- Catalogue: results and filters ---------------------------------------------------------------------


def result_text(html, cooperative) -> str:
    item = re.search(rf'<li class="result"[^>]*>(?:(?!</li>).)*?{cooperative.krs_number}.*?</li>', html, re.S)
    return text_of(item.group(0))


def test_catalogue_lists_everything_with_the_result_details(client, registry):
    response, html = get(client, LIST_URL)
    assert response.status_code == 200
    assert result_names(html) == names_where(listed)
    assert f"Liczba wyników: {len(LISTED)}." in text_of(html)
    assert "Ukryto spółdzielnie wykreślone z KRS: 1 — pokaż" in text_of(html)
    _, every = get(client, LIST_URL, {"status": "active,inactive,liquidation,deleted"})
    assert result_names(every) == names_where(lambda spec: True)
    item_text = result_text(html, registry["Spółdzielnia Socjalna Alfa"])
    assert "Łódź, woj. łódzkie" in item_text
    assert "status: aktywna" in item_text
    assert "PS – przedsiębiorstwo społeczne" in item_text
    assert "Oferta: Gastronomia i catering, Sprzątanie" in item_text
    # Beta's catering offer is inactive: only its active offer's category shows.
    beta_item = result_text(html, registry["Spółdzielnia Socjalna Beta"])
    assert "Oferta: Budownictwo i remonty" in beta_item and "PS" not in beta_item


def test_results_can_be_chosen_for_an_inquiry(client, registry):
    """Each result has its own POST form adding it to the shortlist and coming back to the same page (a single GET
    form of checkboxes per page lost the ticks of page 1 on page 2)."""
    _, html = get(client, LIST_URL + "?ordering=name")
    forms = re.findall(r'<form method="post" action="([^"]+)" class="shortlist-toggle">(.*?)</form>', html, re.S)
    assert {action for action, _body in forms} == {reverse("cooperatives:shortlist-add")}
    chosen = [re.search(r'name="krs" value="(\d{10})"', body).group(1) for _action, body in forms]
    assert sorted(chosen) == sorted(c.krs_number for c in registry.values() if c.status != "deleted")
    assert all('name="next" value="/spoldzielnie/?ordering=name"' in body for _action, body in forms)
    assert "Dodaj do wybranych" in forms[0][1]
    assert f'href="{reverse("cooperatives:shortlist")}"' in html


FILTERS = [
    ({"voivodeship": "10"}, lambda s: GMINAS[s["gmina"]][1] == "10"),
    ({"powiat": "1001"}, lambda s: GMINAS[s["gmina"]][0] == "1001"),
    ({"gmina": "1001011"}, lambda s: s["gmina"] == "1001011"),
    ({"voivodeship": "10", "powiat": "1061"}, lambda s: GMINAS[s["gmina"]][0] == "1061"),
    ({"category": "gastronomia"}, lambda s: "gastronomia" in top_categories(s)),
    ({"category": "catering"}, lambda s: any(o[1] == "catering" and o[3] for o in s["offers"])),
    ({"category": "zielen", "status": "active,deleted"}, lambda s: "zielen" in top_categories(s)),
    ({"target_group": "bezrobotni"}, lambda s: "bezrobotni" in s["target_groups"]),
    ({"founder_type": "legal"}, lambda s: s["founder_type"] == "legal"),
    ({"status": "liquidation"}, lambda s: s["status"] == "liquidation"),
    ({"status": "active", "social_enterprise": "true"}, lambda s: s["status"] == "active" and s["ps"]),
    ({"social_enterprise": "false"}, lambda s: not s["ps"]),
    ({"certification": "quality_mark"}, lambda s: s["quality_mark"]),
    ({"certification": "ozrss"}, lambda s: s["ozrss"]),
    ({"certification": "zakup_prospoleczny"}, lambda s: any(o[4] and o[3] for o in s["offers"])),
]


@pytest.mark.parametrize(("params", "predicate"), FILTERS, ids=[str(p) for p, _ in FILTERS])
def test_each_filter(client, registry, params, predicate):
    response, html = get(client, LIST_URL, params)
    assert response.status_code == 200
    expected = names_where(predicate if "status" in params else lambda spec: predicate(spec) and listed(spec))
    assert expected, "the fixture must make every filter meaningful"
    assert result_names(html) == expected
    assert f"Liczba wyników: {len(expected)}." in text_of(html)


def expected_facets(specs) -> dict[str, Counter]:
    counts = {name: Counter() for name in ("voivodeship", "status", "founder_type", "social_enterprise")}
    counts.update(category=Counter(), target_group=Counter(), certification=Counter())
    for spec in specs:
        counts["voivodeship"][VOIVODESHIP_LABELS[GMINAS[spec["gmina"]][1]]] += 1
        counts["status"][Cooperative.Status(spec["status"]).label] += 1
        counts["founder_type"][Cooperative.FounderType(spec["founder_type"]).label] += 1
        counts["social_enterprise"]["tak" if spec["ps"] else "nie"] += 1
        for top in top_categories(spec):
            counts["category"][OfferCategory.objects.get(slug=top).name] += 1
        for code in spec["target_groups"]:
            counts["target_group"][TargetGroup.objects.get(code=code).name] += 1
        labels = dict(Certification.COOPERATIVE_CHOICES)
        for value, has in (
            ("quality_mark", spec["quality_mark"]),
            ("ozrss", spec["ozrss"]),
            ("zakup_prospoleczny", any(o[4] and o[3] for o in spec["offers"])),
        ):
            if has:
                counts["certification"][str(labels[value])] += 1
    return counts


def test_facet_counts_without_filters(client, registry):
    _, html = get(client, LIST_URL)
    for name, expected in expected_facets(LISTED).items():
        if name != "status":  # the status facet counts the struck-off ones too (the default hides them)
            assert facet_counts(html, name) == dict(expected), name
    assert facet_counts(html, "status") == dict(expected_facets(SPEC)["status"])


def test_facet_counts_apply_every_other_filter_but_not_their_own(client, registry):
    _, html = get(client, LIST_URL, {"voivodeship": "10", "status": "active"})
    in_lodzkie = [s for s in SPEC if GMINAS[s["gmina"]][1] == "10"]
    active = [s for s in SPEC if s["status"] == "active"]
    both = [s for s in in_lodzkie if s["status"] == "active"]
    # The voivodeship facet ignores the chosen voivodeship (so others can be picked), the status facet the status.
    assert facet_counts(html, "voivodeship") == dict(expected_facets(active)["voivodeship"])
    assert facet_counts(html, "status") == dict(expected_facets(in_lodzkie)["status"])
    for name in ("founder_type", "category", "target_group", "certification", "social_enterprise"):
        assert facet_counts(html, name) == dict(expected_facets(both)[name]), name
    # One level down: the powiats of the chosen voivodeship.
    powiats = Counter(GMINAS[s["gmina"]][0] for s in both)
    assert facet_counts(html, "powiat") == {"pow. bełchatowski": powiats["1001"], "Łódź": powiats["1061"]}


# One filter per facet, each with the predicate it stands for (from FILTERS).
CHOSEN = {
    "voivodeship": ("10", FILTERS[0][1]),
    "category": ("gastronomia", FILTERS[4][1]),
    "target_group": ("bezrobotni", FILTERS[7][1]),
    "founder_type": ("natural", lambda s: s["founder_type"] == "natural"),
    "social_enterprise": ("false", FILTERS[11][1]),
    "certification": ("quality_mark", FILTERS[12][1]),
}


@pytest.mark.parametrize(
    "names",
    [("certification", "founder_type"), ("social_enterprise", "target_group", "category"), tuple(CHOSEN)],
    ids=["-".join(names) for names in [("certification", "founder_type"), ("ps", "tg", "cat"), ("all",)]],
)
def test_facet_counts_with_several_facets_chosen(client, registry, names):
    """Facets whose own filter is not chosen share one scan, chosen ones get their own: each still counts with every
    filter but its own."""
    _, html = get(client, LIST_URL, {name: CHOSEN[name][0] for name in names})
    for facet in ("voivodeship", "category", "target_group", "founder_type", "social_enterprise", "certification"):
        others = [CHOSEN[name][1] for name in names if name != facet]
        specs = [spec for spec in LISTED if all(predicate(spec) for predicate in others)]
        expected = {label: n for label, n in expected_facets(specs)[facet].items() if n}
        assert facet_counts(html, facet) == expected, facet


def test_gmina_facet_appears_once_a_powiat_is_chosen(client, registry):
    _, html = get(client, LIST_URL, {"voivodeship": "10", "powiat": "1001"})
    assert facet_counts(html, "gmina") == {"Bełchatów (gmina miejska)": 1, "Bełchatów (gmina wiejska)": 1}


def test_facet_links_keep_the_other_parameters(client, registry):
    _, html = get(client, LIST_URL, {"search": "spółdzielnia", "status": "active", "powiat": "1001", "page": "1"})
    links = facet_links(html, "voivodeship")
    query = parse_qs(urlsplit(links["łódzkie"]).query)
    # Choosing a voivodeship replaces the powiat below it and resets the page; everything else stays.
    assert query == {"search": ["spółdzielnia"], "status": ["active"], "voivodeship": ["10"]}
    # The chosen value links to the same page without it.
    status_links = facet_links(html, "status")
    assert parse_qs(urlsplit(status_links["aktywna"]).query) == {"search": ["spółdzielnia"], "powiat": ["1001"]}
    assert 'aria-current="true"' in html


def test_chosen_filters_are_listed_with_links_that_remove_them(client, registry):
    _, html = get(client, LIST_URL, {"voivodeship": "10", "category": "catering"})
    text = text_of(html)
    assert "Województwo: woj. łódzkie" in text
    assert "Kategoria oferty: Gastronomia i catering › Catering" in text
    assert "Wyczyść wszystkie filtry" in text
    # The search form carries the chosen filters as hidden fields.
    form = re.search(r'<form role="search".*?</form>', html, re.S).group(0)
    assert '<input type="hidden" name="voivodeship" value="10">' in form
    assert '<input type="hidden" name="category" value="catering">' in form


# --- Search, sorting, pages -----------------------------------------------------------------------------


def test_search_from_the_page_folds_diacritics(client, registry):
    _, html = get(client, LIST_URL, {"search": "slusarnia", "status": "deleted"})
    assert result_names(html) == ["Ślusarnia Socjalna Delta"]
    _, html = get(client, LIST_URL, {"search": "slusarnia"})  # struck off: hidden, and the page says so
    assert result_names(html) == []
    assert "Ukryto spółdzielnie wykreślone z KRS: 1" in text_of(html)
    _, html = get(client, LIST_URL, {"search": "belchatow epsilon"})
    assert result_names(html) == ["Spółdzielnia Socjalna Epsilon"]
    assert 'value="belchatow epsilon"' in html


def test_sorting_by_name_and_by_newest(client, registry):
    _, html = get(client, LIST_URL, {"ordering": "name"})
    assert result_names(html) == names_where(listed)
    _, html = get(client, LIST_URL, {"ordering": "newest"})
    assert result_names(html) == [spec["name"] for spec in reversed(LISTED)]
    assert '<option value="newest" selected>' in html


def test_pagination_keeps_the_query_string(client):
    for n in range(25):
        CooperativeFactory(name=f"Spółdzielnia Socjalna Numer {n:02d}")
    CooperativeFactory(name="Spółdzielnia Inna", status=Cooperative.Status.LIQUIDATION)
    response, html = get(client, LIST_URL, {"status": "active", "search": "numer"})
    assert len(result_names(html)) == 20
    assert "Strona 1 z 2." in text_of(html)
    next_link = re.search(r'<a href="([^"]+)" rel="next">', html).group(1)
    assert parse_qs(urlsplit(next_link.replace("&amp;", "&")).query) == {
        "status": ["active"],
        "search": ["numer"],
        "page": ["2"],
    }
    response, html = get(client, LIST_URL, {"status": "active", "search": "numer", "page": "2"})
    assert result_names(html) == [f"Spółdzielnia Socjalna Numer {n:02d}" for n in range(20, 25)]
    assert re.search(r'<a href="[^"]*page=2"[^>]*aria-current="page"', html)
    assert '<ol class="result-list" start="21">' in html


# --- Invalid input: a Polish message, never a 500 -------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"voivodeship": "99"}, "Nieznany kod TERYT: 99."),
        ({"powiat": "abc"}, "Nieznany kod TERYT: abc."),
        ({"category": "nie-ma-takiej"}, "Wybierz poprawną wartość"),
        ({"status": "zawieszona"}, "Wybierz poprawną wartość"),
        ({"ordering": "price"}, "Wybierz poprawną wartość"),
        ({"search": "a" * 5000}, "co najwyżej 200 znaków"),
    ],
)
def test_invalid_filters_are_explained_in_polish(client, registry, params, message):
    response, html = get(client, LIST_URL, params)
    assert response.status_code == 400
    assert "Nie można pokazać wyników" in html
    assert message in text_of(html)
    assert result_names(html) == []
    # The offending value is not carried on by the form.
    name = next(iter(params))
    assert f'type="hidden" name="{name}"' not in html


@pytest.mark.parametrize(
    ("page", "message"),
    [
        ("abc", "Numer strony musi być dodatnią liczbą całkowitą."),
        ("0", "Numer strony musi być dodatnią liczbą całkowitą."),
        ("9" * 5000, "Numer strony musi być dodatnią liczbą całkowitą."),
        ("99999", "Nie ma strony 99999: wyniki mieszczą się na 1 str."),
    ],
)
def test_invalid_page_numbers_are_explained(client, registry, page, message):
    response, html = get(client, LIST_URL, {"page": page, "status": "active"})
    assert response.status_code == 400
    assert message in text_of(html)
    assert 'href="?status=active">Przejdź do pierwszej strony wyników' in html


def test_an_empty_result_is_not_an_error(client, registry):
    response, html = get(client, LIST_URL, {"search": "nieistniejacaspoldzielnia"})
    assert response.status_code == 200
    assert "Liczba wyników: 0." in text_of(html)
    assert "Żadna spółdzielnia nie spełnia tych warunków." in html


# --- Query counts ---------------------------------------------------------------------------------------


def queries_for(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(captured)


def make_cooperatives(count: int):
    catering = OfferCategory.objects.get(slug="catering")
    for n in range(count):
        cooperative = CooperativeFactory(gmina_id="1061011" if n % 2 else "1001011", is_social_enterprise=bool(n % 3))
        cooperative.target_groups.set(TargetGroup.objects.filter(code="bezrobotni"))
        OfferFactory(cooperative=cooperative, category=catering)


# Pinned: the count, the page and its categories (3), then the facets: voivodeships (names joined in), one scan for
# founder type, status, social enterprise and certificates together, target groups, and the category counts with the
# top-level categories (5). Chosen codes are validated once, never again per facet.
CATALOGUE_QUERIES = 8
# + the chosen voivodeship looked up, + the powiat facet
CATALOGUE_QUERIES_WITH_VOIVODESHIP = 10


@pytest.mark.parametrize("size", [5, 30])
def test_catalogue_query_count_does_not_grow_with_results(client, django_assert_num_queries, size):
    make_cooperatives(size)
    registry_has_demo_data()  # warm the demo-data flag cache, as on a running site
    with django_assert_num_queries(CATALOGUE_QUERIES):
        response = client.get(LIST_URL)
    assert len(result_names(response.content.decode())) == min(size, 20)
    with django_assert_num_queries(CATALOGUE_QUERIES_WITH_VOIVODESHIP):
        client.get(LIST_URL, {"voivodeship": "10", "search": "spoldzielnia", "page": "1"})


# --- Profile --------------------------------------------------------------------------------------------


def json_ld(html: str) -> dict:
    return json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1))


def test_profile_shows_all_public_data(client):
    cooperative = full_profile()
    response, html = get(client, cooperative.get_absolute_url())
    assert response.status_code == 200
    text = text_of(html)
    for expected in (
        "Spółdzielnia Socjalna Pełny Profil",
        "Nazwa skrócona: SS Pełny Profil",
        f"Numer KRS {cooperative.krs_number}",
        f"NIP {cooperative.nip}",
        f"REGON {cooperative.regon}",
        "Data wpisu do KRS 2 marca 2015",
        "ul. Piotrkowska 100 90-004 Łódź",
        "woj. łódzkie",
        "Gotujemy obiady i sprzątamy biura.",
        "56.21.Z PKD 2007 przeważająca",
        "81.21.Z PKD 2025 pozostała",
        "osoby bezrobotne",
        "osoby starsze (ustawa z 5 sierpnia 2022 r. o ekonomii społecznej)",
        "organizacje pozarządowe",
        "Osoby fizyczne i prawne",
        "Numer decyzji wojewody WPS-II.9020.15.2023",
        "Wojewoda województwo łódzkie",
        "Data decyzji 17 maja 2023",
        "Cel reintegracja społeczna i zawodowa",
        "Członkostwo w OZRSS tak",
        "Ostatnia lustracja 30 czerwca 2024",
        "Liczba członków 12",
        "Liczba pracowników 9",
        "Liczby według stanu na 31 grudnia 2025",
        "Dane potwierdzone: 15 stycznia 2026",
        "Ostatnia aktualizacja:",
        "biuro@pelny-profil.example.org",
        "+48 42 123 45 67",
        "https://pelny-profil.example.org/",
        "Współrzędne: 51.765400, 19.457100 (dokładne)",
    ):
        assert expected in text, expected
    assert "Catering biurowy" in text and "Oferta wycofana" not in text
    assert 'data-map="pin"' in html and 'data-lat="51.765400"' in html
    assert "https://tile.openstreetmap.org/{z}/{x}/{y}.png" in html and "OpenStreetMap" in html
    assert html.count("<h1") == 1


def test_profile_json_ld_describes_the_organization(client):
    cooperative = full_profile()
    _, html = get(client, cooperative.get_absolute_url())
    data = json_ld(html)
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "Organization"
    assert data["name"] == cooperative.name
    assert data["url"] == f"http://testserver/spoldzielnie/{cooperative.krs_number}/"
    assert {"@type": "PropertyValue", "propertyID": "KRS", "value": cooperative.krs_number} in data["identifier"]
    assert data["taxID"] == cooperative.nip
    assert data["address"] == {
        "@type": "PostalAddress",
        "streetAddress": "ul. Piotrkowska 100",
        "postalCode": "90-004",
        "addressLocality": "Łódź",
        "addressRegion": "łódzkie",
        "addressCountry": "PL",
    }
    assert data["geo"] == {"@type": "GeoCoordinates", "latitude": 51.7654, "longitude": 19.4571}
    assert data["email"] == "biuro@pelny-profil.example.org"
    assert data["telephone"] == "+48 42 123 45 67"
    assert data["sameAs"] == ["https://pelny-profil.example.org/"]
    assert data["foundingDate"] == "2015-03-02"
    assert data["numberOfEmployees"] == {"@type": "QuantitativeValue", "value": 9}
    assert [offer["name"] for offer in data["makesOffer"]] == ["Catering biurowy"]


def test_json_ld_cannot_break_out_of_its_script_element(client):
    cooperative = full_profile(name='Zła </script><script>alert("x")</script> & spółka')
    _, html = get(client, cooperative.get_absolute_url())
    script = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    assert "<" not in script and ">" not in script
    assert json.loads(script)["name"] == cooperative.name


def test_contacts_without_consent_are_not_published(client):
    cooperative = full_profile(publish_email=False, publish_phone=False, publish_website=False)
    _, html = get(client, cooperative.get_absolute_url())
    for private in ("biuro@pelny-profil.example.org", "123 45 67", "pelny-profil.example.org/"):
        assert private not in html
    data = json_ld(html)
    assert "email" not in data and "telephone" not in data and "sameAs" not in data
    assert "nie wyraziła zgody na publikację danych kontaktowych" in html


def test_profile_with_an_approximate_location_and_no_verification(client):
    cooperative = full_profile(location_precision=Cooperative.LocationPrecision.GMINA_CENTRE, verified_at=None)
    _, html = get(client, cooperative.get_absolute_url())
    text = text_of(html)
    assert "(przybliżone, środek gminy)" in text
    assert 'data-approximate="true"' in html
    assert "Dane nie zostały jeszcze potwierdzone" in text


def test_profile_without_coordinates_has_no_map(client):
    cooperative = CooperativeFactory()
    response, html = get(client, cooperative.get_absolute_url())
    assert response.status_code == 200
    assert 'data-map="pin"' not in html and "leaflet.js" not in html
    assert "Brak współrzędnych siedziby." in html


def test_deleted_cooperative_keeps_its_page_without_offers(client, registry):
    delta = registry["Ślusarnia Socjalna Delta"]
    response, html = get(client, delta.get_absolute_url())
    assert response.status_code == 200
    assert "wykreślona z KRS" in html
    assert "Koszenie trawników" not in html
    assert "makesOffer" not in json_ld(html)


def test_unknown_krs_is_a_404_in_polish(client):
    response, html = get(client, reverse("cooperatives:detail", kwargs={"krs": "0000000001"}))
    assert response.status_code == 404
    assert "Nie znaleziono strony" in html
    response = client.get("/spoldzielnie/123/")
    assert response.status_code == 404


def test_profile_query_count_does_not_grow_with_offers(client, django_assert_num_queries):
    small = full_profile()
    large = full_profile(name="Duża", nip="", regon="", krs_number="0000099999")
    for _ in range(20):
        OfferFactory(cooperative=large)
    client.get(small.get_absolute_url())
    with CaptureQueriesContext(connection) as small_queries:
        client.get(small.get_absolute_url())
    with django_assert_num_queries(len(small_queries)):
        client.get(large.get_absolute_url())


@pytest.mark.parametrize("size", [5, 30])
def test_home_query_count_does_not_grow(client, django_assert_num_queries, size):
    make_cooperatives(size)
    client.get(reverse("cooperatives:home"))
    # The newest cooperatives and the newest offers; the headline counts (two queries) come from the cache.
    with django_assert_num_queries(2):
        client.get(reverse("cooperatives:home"))
    cache.clear()
    with django_assert_num_queries(5):  # the counts again, and the cached demo-data flag
        client.get(reverse("cooperatives:home"))


def test_home_counts_are_computed_by_one_request_at_a_time(client, registry, django_assert_num_queries):
    """While another request recomputes the expired headline counts, the page shows the previous ones at once
    (core.cache.compute_once) instead of every visitor counting the whole registry."""
    previous = {"total": 7, "active": 6, "social_enterprises": 5, "offers": 4}
    registry_has_demo_data()  # cached apart
    cache.set("core:once:cooperatives:home-counts", (time.time() - 1, previous), 300)
    cache.add("core:once:cooperatives:home-counts:lock", "another request", 60)
    with django_assert_num_queries(2):
        html = client.get(reverse("cooperatives:home")).content.decode()
    assert "7 spółdzielni w rejestrze" in text_of(html)


@pytest.mark.parametrize("name", ["home", "list", "offers", "map"])
def test_every_page_has_one_h1_and_labelled_search(client, registry, name):
    html = client.get(reverse(f"cooperatives:{name}")).content.decode()
    assert html.count("<h1") == 1
    search_fields = re.findall(r'<input[^>]*type="search"[^>]*>', html)
    assert search_fields
    for field in search_fields:
        field_id = re.search(r'id="([^"]+)"', field).group(1)
        assert f'<label for="{field_id}">' in html


def test_facet_counts_are_cached_briefly_but_results_are_live(client, django_assert_num_queries):
    make_cooperatives(3)
    registry_has_demo_data()
    client.get(LIST_URL, {"status": "active", "page": "1"})
    CooperativeFactory(name="Spółdzielnia Socjalna Świeża")
    # Same filters (another page or order does not matter): only the count, the page and its categories.
    with django_assert_num_queries(3):
        response = client.get(LIST_URL, {"status": "active", "ordering": "newest"})
    html = response.content.decode()
    assert result_names(html)[0] == "Spółdzielnia Socjalna Świeża"
    assert facet_counts(html, "status") == {"aktywna": 3}


def test_relevance_puts_name_matches_first_on_postgresql(client, postgresql_only):
    CooperativeFactory(name="Spółdzielnia Socjalna Ogrody", description="Zakładamy ogrody i sady.")
    CooperativeFactory(name="Ogrody Łódzkie Spółdzielnia Socjalna", description="Zieleń miejska.")
    CooperativeFactory(name="Spółdzielnia Socjalna Inna", description="Sprzątanie.")
    _, html = get(client, LIST_URL, {"search": "ogrody lodzkie", "ordering": "relevance"})
    assert result_names(html)[0] == "Ogrody Łódzkie Spółdzielnia Socjalna"
    _, html = get(client, LIST_URL, {"search": "ogrody"})
    assert set(result_names(html)) == {"Spółdzielnia Socjalna Ogrody", "Ogrody Łódzkie Spółdzielnia Socjalna"}


def test_server_error_page_is_plain_polish_and_standalone():
    from django.template.loader import render_to_string

    html = render_to_string("500.html")
    assert "Przepraszamy, wystąpił błąd" in html
    assert '<html lang="pl">' in html and html.count("<h1") == 1


def test_catalogue_links_to_the_map_and_the_open_data_with_the_same_filters(client, registry):
    content = client.get(reverse("cooperatives:list"), {"voivodeship": "10", "ordering": "newest", "page": "1"}).content
    html = content.decode()
    assert f'href="{reverse("cooperatives:map")}?voivodeship=10&amp;ordering=newest"' in html
    assert f'href="{reverse("cooperatives:open-data")}?voivodeship=10"' in html

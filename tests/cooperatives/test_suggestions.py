"""Suggestions while one types (the header's combobox) and the catalogues' help when nothing is found."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cooperatives.models import Cooperative, OfferCategory

from .factories import CooperativeFactory, OfferFactory

pytestmark = pytest.mark.django_db

SUGGEST = reverse("core:search-suggestions")


@pytest.fixture
def registry():
    catering = OfferCategory.objects.get(slug="catering")
    coops = [
        CooperativeFactory(name="Spółdzielnia Socjalna Łódzkie Smaki", town="Łódź"),
        CooperativeFactory(name="Spółdzielnia Socjalna Lody Naturalne", town="Kraków", gmina_id="1261011"),
        CooperativeFactory(name="Spółdzielnia Socjalna Zieleń", town="Łódź"),
        CooperativeFactory(name="Spółdzielnia Socjalna Lodowisko", status=Cooperative.Status.DELETED),
    ]
    OfferFactory(cooperative=coops[0], title="Obiady", category=catering)
    OfferFactory(
        cooperative=coops[2], title="Koszenie trawników", category=OfferCategory.objects.get(slug="sprzatanie")
    )
    return coops


def suggest(client, q):
    response = client.get(SUGGEST, {"q": q})
    assert response.status_code == 200, response.content
    return response.json()["suggestions"]


def test_places_categories_and_cooperatives_with_where_they_lead(client, registry):
    found = suggest(client, "łód")
    labels = [(s["kind"], s["label"]) for s in found]
    # places: the voivodeship and the city (larger units first), before the cooperatives whose name has a word "łódź…"
    assert ("miejsce", "woj. łódzkie") in labels
    assert ("miejsce", "Łódź") in labels  # the city with powiat rights, once (not again as its gmina)
    assert not any(label.startswith("Łódź (") for _kind, label in labels)
    assert ("spółdzielnia", "Spółdzielnia Socjalna Łódzkie Smaki (Łódź)") in labels
    assert labels.index(("miejsce", "woj. łódzkie")) < labels.index(
        ("spółdzielnia", "Spółdzielnia Socjalna Łódzkie Smaki (Łódź)")
    )
    urls = {s["label"]: s["url"] for s in found}
    assert urls["woj. łódzkie"] == reverse("cooperatives:list") + "?voivodeship=10"
    assert urls["Łódź"] == reverse("cooperatives:list") + "?powiat=1061"
    assert urls["Spółdzielnia Socjalna Łódzkie Smaki (Łódź)"] == registry[0].get_absolute_url()
    # the town field is not the name: "Zieleń" in Łódź is not suggested for "łód"
    assert not any("Zieleń" in label for _kind, label in labels)


def test_a_category_leads_to_the_filtered_offers(client, registry):
    found = suggest(client, "cater")
    category = [s for s in found if s["kind"] == "kategoria ofert"]
    assert category and category[0]["url"] == reverse("cooperatives:offers") + "?category=catering"
    assert "Catering" in category[0]["label"]


def test_cooperatives_by_name_prefix_exclude_struck_off_and_rank_by_name(client, registry):
    found = [s["label"] for s in suggest(client, "lod") if s["kind"] == "spółdzielnia"]
    assert found == ["Spółdzielnia Socjalna Lody Naturalne (Kraków)", "Spółdzielnia Socjalna Łódzkie Smaki (Łódź)"]
    assert [s["label"] for s in suggest(client, "lody nat") if s["kind"] == "spółdzielnia"] == [
        "Spółdzielnia Socjalna Lody Naturalne (Kraków)"
    ]


def test_short_or_empty_queries_suggest_nothing(client, registry):
    assert suggest(client, "") == []
    assert suggest(client, "l") == []
    assert suggest(client, "?!") == []
    assert suggest(client, "🍦🍦") == []
    assert suggest(client, "' OR 1=1; DROP TABLE x --") == []
    assert [s["label"] for s in suggest(client, "lod:* & !")][:1] == ["woj. łódzkie"]  # tsquery syntax is just text


@pytest.mark.parametrize(
    ("q", "message"),
    [("a" * 5000, "najwyżej 200 znaków"), ("lo\x00d", "bez znaków sterujących"), ("lo\nd", "w jednym wierszu")],
)
def test_bad_input_is_a_400_with_a_field_message(client, q, message):
    response = client.get(SUGGEST, {"q": q})
    assert response.status_code == 400
    assert message in response.json()["q"][0]


def test_suggestions_query_count(client, registry):
    suggest(client, "łód")  # fills the cached lists of categories and places
    with CaptureQueriesContext(connection) as queries:
        suggest(client, "łódz")
    assert len(queries) == 1  # the cooperatives by name; categories and places come from the cache


# --- Zero results in the catalogues ---------------------------------------------------------------------------


def test_cooperatives_catalogue_offers_a_correction_for_a_typo(client, registry):
    response = client.get(reverse("cooperatives:list"), {"search": "naturlanexx"})
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 0
    assert response.context["zero_results"]["did_you_mean"] == {"query": "naturalne", "href": "?search=naturalne"}
    assert "Czy chodziło Ci o:" in response.content.decode()
    assert client.get(reverse("cooperatives:list"), {"search": "naturalne"}).context["page"].paginator.count == 1


def test_offers_catalogue_offers_a_correction_for_a_typo(client, registry):
    response = client.get(reverse("cooperatives:offers"), {"search": "koszzenniee"})
    assert response.context["page"].paginator.count == 0
    assert response.context["zero_results"]["did_you_mean"]["query"] == "koszenie"


def test_filters_that_would_give_results_are_listed_with_their_counts(client, registry):
    response = client.get(
        reverse("cooperatives:list"), {"search": "smaki", "voivodeship": "12", "category": "catering"}
    )
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 0
    relaxations = response.context["zero_results"]["relaxations"]
    by_label = {item["label"]: (item["count"], item["href"]) for item in relaxations}
    assert by_label["Województwo"][0] == 1  # Łódzkie Smaki is in woj. łódzkie
    assert "voivodeship" not in by_label["Województwo"][1] and "search=smaki" in by_label["Województwo"][1]
    assert "Kategoria oferty" not in by_label  # dropping the category alone still gives nothing
    assert "Szukaj" not in by_label  # no catering cooperative in woj. małopolskie
    html = response.content.decode()
    assert "wyników: 1" in html


def test_a_catalogue_with_results_computes_no_help(client, registry):
    response = client.get(reverse("cooperatives:list"), {"search": "smaki"})
    assert response.context["page"].paginator.count == 1
    assert "zero_results" not in response.context

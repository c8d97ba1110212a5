import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cooperatives.filters import CooperativeFilterSet, OfferFilterSet
from cooperatives.models import Cooperative, Offer
from cooperatives.selectors import registry_has_demo_data

from .factories import CooperativeFactory, OfferFactory

pytestmark = pytest.mark.django_db


def names(data, model=Cooperative, filterset=CooperativeFilterSet):
    fs = filterset(data=data, queryset=model.objects.all())
    assert fs.is_valid(), fs.errors
    return [getattr(obj, "name", None) or obj.title for obj in fs.qs]


@pytest.fixture
def registry():
    CooperativeFactory(
        name="Spółdzielnia Socjalna Pod Dębem",
        town="Łódź",
        gmina_id="1061011",
        description="Catering dla szkół i przedszkoli",
    )
    CooperativeFactory(
        name="Spółdzielnia Socjalna Zielony Zakątek",
        town="Poznań",
        gmina_id="3064011",
        description="Pielęgnacja terenów zielonych",
    )
    CooperativeFactory(name="Ślusarnia Socjalna", town="Żary", gmina_id="0811011")


def test_folded_query_finds_polish_names_on_any_database(registry):
    assert names({"search": "spoldzielnia lodz"}) == ["Spółdzielnia Socjalna Pod Dębem"]
    assert names({"search": "ŚLUSARNIA"}) == ["Ślusarnia Socjalna"]


def test_query_with_a_typo_is_tolerated_on_postgresql(registry, postgresql_only):
    assert names({"search": "spoldzelnia lodz"}) == ["Spółdzielnia Socjalna Pod Dębem"]
    assert names({"search": "zielny zakatek"}) == ["Spółdzielnia Socjalna Zielony Zakątek"]


def test_description_words_match_on_postgresql(registry, postgresql_only):
    assert names({"search": "przedszkoli"}) == ["Spółdzielnia Socjalna Pod Dębem"]


def test_alphabetical_order_is_polish_on_postgresql(registry, postgresql_only):
    CooperativeFactory(name="Łąka Spółdzielnia", town="Łódź")
    CooperativeFactory(name="Lipa Spółdzielnia", town="Łódź")
    ordered = names({"ordering": "name"})
    assert ordered.index("Lipa Spółdzielnia") < ordered.index("Łąka Spółdzielnia")
    assert ordered.index("Spółdzielnia Socjalna Zielony Zakątek") < ordered.index("Ślusarnia Socjalna")


def test_unknown_territorial_code_is_a_clear_error():
    fs = CooperativeFilterSet(data={"voivodeship": "99"}, queryset=Cooperative.objects.all())
    assert not fs.is_valid()
    assert fs.errors["voivodeship"] == ["Nieznany kod TERYT: 99."]


def test_too_long_search_is_a_clear_error():
    fs = CooperativeFilterSet(data={"search": "a" * 5000}, queryset=Cooperative.objects.all())
    assert not fs.is_valid()
    assert "search" in fs.errors


def test_offers_serving_a_powiat(registry):
    lodz = Cooperative.objects.get(town="Łódź")
    poznan = Cooperative.objects.get(town="Poznań")
    OfferFactory(cooperative=lodz, title="Lokalna", service_area=Offer.ServiceArea.LOCAL)
    OfferFactory(cooperative=poznan, title="Krajowa", service_area=Offer.ServiceArea.NATIONAL)
    regional = OfferFactory(cooperative=poznan, title="Regionalna", service_area=Offer.ServiceArea.VOIVODESHIPS)
    regional.area_voivodeships.add("10")
    OfferFactory(cooperative=poznan, title="Poznańska", service_area=Offer.ServiceArea.LOCAL)
    served = names({"serves": "1061", "ordering": "name"}, model=Offer, filterset=OfferFilterSet)
    assert served == ["Krajowa", "Lokalna", "Regionalna"]


# --- Typo correction through the search vocabulary (PostgreSQL) -------------------------------------------


def offer_titles(data):
    return names(data, model=Offer, filterset=OfferFilterSet)


def vocabulary() -> dict[str, tuple[int, int]]:
    """word -> (cooperatives holding it, offers holding it), as the triggers keep it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT word, cooperatives, offers FROM cooperatives_searchword")
        return {word: (cooperatives, offers) for word, cooperatives, offers in cursor.fetchall()}


def recounted_vocabulary() -> dict[str, tuple[int, int]]:
    """The same, counted afresh from the search vectors."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT word, sum(cooperatives)::int, sum(offers)::int
            FROM (SELECT word, ndoc AS cooperatives, 0 AS offers
                  FROM ts_stat('SELECT search_vector FROM cooperatives_cooperative')
                  UNION ALL
                  SELECT word, 0, ndoc FROM ts_stat('SELECT search_vector FROM cooperatives_offer')) AS counts
            WHERE word ~ '^[a-z]{3,}$'
            GROUP BY word
            """
        )
        return {word: (cooperatives, offers) for word, cooperatives, offers in cursor.fetchall()}


def test_a_new_word_is_corrected_to_at_once_and_forgotten_when_it_goes(postgresql_only):
    assert names({"search": "kwiaciarnja"}) == []
    first = CooperativeFactory(name="Spółdzielnia Socjalna Kwiaciarnia", town="Łódź")
    second = CooperativeFactory(name="Kwiaciarnia Pod Różą", town="Łódź")
    assert vocabulary()["kwiaciarnia"] == (2, 0)
    assert set(names({"search": "kwiaciarnja"})) == {first.name, second.name}

    first.delete()
    assert vocabulary()["kwiaciarnia"] == (1, 0)
    assert names({"search": "kwiaciarnja"}) == [second.name]

    second.name = "Piekarnia Pod Różą"
    second.save()
    assert "kwiaciarnia" not in vocabulary()
    assert names({"search": "kwiaciarnja"}) == []
    assert names({"search": "piekarnja"}) == ["Piekarnia Pod Różą"]

    second.delete()
    assert "piekarnia" not in vocabulary()
    assert vocabulary() == recounted_vocabulary()


def test_offer_words_follow_edits_and_the_cooperatives_renaming(postgresql_only):
    cooperative = CooperativeFactory(name="Spółdzielnia Socjalna Kwiaciarnia", town="Łódź")
    offer = OfferFactory(cooperative=cooperative, title="Tapicerowanie mebli")
    assert offer_titles({"search": "tapicerowanje"}) == ["Tapicerowanie mebli"]
    # The offer's vector holds its cooperative's name too: the word counts once for each kind.
    assert vocabulary()["kwiaciarnia"] == (1, 1)

    offer.title = "Renowacja mebli"
    offer.save()
    assert offer_titles({"search": "tapicerowanje"}) == []
    assert offer_titles({"search": "renowacje mebli"}) == ["Renowacja mebli"]

    cooperative.name = "Spółdzielnia Socjalna Ogrodnik"
    cooperative.save()
    assert "kwiaciarnia" not in vocabulary()
    assert offer_titles({"search": "ogrodnk renowacja"}) == ["Renowacja mebli"]
    assert vocabulary() == recounted_vocabulary()


def test_vocabulary_stays_exact_through_bulk_writes(postgresql_only):
    cooperatives = Cooperative.objects.bulk_create(
        Cooperative(
            name=f"Spółdzielnia Socjalna {word}",
            krs_number=f"{800_000_000 + n:010d}",
            town="Łódź",
            gmina_id="1061011",
            powiat_id="1061",
            voivodeship_id="10",
            postal_code="90-001",
            founder_type=Cooperative.FounderType.NATURAL_PERSONS,
            description="Sprzątanie biur i klatek schodowych.",
        )
        for n, word in enumerate(["Miotełka", "Szczotka", "Miotełka Bis"])
    )
    for cooperative in cooperatives:
        OfferFactory(cooperative=cooperative, title="Sprzątanie biur")
    assert vocabulary() == recounted_vocabulary()
    assert vocabulary()["miotelka"] == (2, 2)

    Cooperative.objects.filter(name__contains="Szczotka").update(description="Mycie okien.")
    Offer.objects.filter(cooperative__name__contains="Bis").update(title="Mycie okien")
    assert vocabulary() == recounted_vocabulary()
    assert vocabulary()["okien"] == (1, 1)

    Offer.objects.filter(title="Mycie okien").delete()
    Cooperative.objects.filter(name__contains="Miotełka").delete()
    assert vocabulary() == recounted_vocabulary()
    assert "miotelka" not in vocabulary()

    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no deferred foreign-key checks pending
        cursor.execute("TRUNCATE cooperatives_offer CASCADE")
    assert vocabulary() == recounted_vocabulary()
    assert all(offers == 0 for _, offers in vocabulary().values())


def test_exact_words_rank_before_corrected_ones_on_postgresql(postgresql_only):
    # "zielone" is a correction of "zielony"; the exact word is only in a description (the least weighty field),
    # the corrected one in a name (the weightiest): the exact match still comes first.
    exact = CooperativeFactory(name="Spółdzielnia Socjalna Ogrody", description="Zielony zakątek dla dzieci.")
    corrected = CooperativeFactory(name="Spółdzielnia Socjalna Zielone Ogrody", description="Ogrody i sady.")
    assert names({"search": "zielony"}) == [exact.name, corrected.name]
    assert names({"search": "zielone"}) == [corrected.name, exact.name]
    # Two exact words beat one exact and one corrected, whatever the fields.
    assert names({"search": "zielone ogrody"}) == [corrected.name, exact.name]


def test_only_the_kinds_own_words_are_corrections(postgresql_only):
    CooperativeFactory(name="Spółdzielnia Socjalna Kwiaciarnia", description="Bukiety.")
    # An offer's title is also its cooperative's word now (what it does); its description stays the offer's own.
    OfferFactory(title="Usługa", description="Tapicerowanie mebli")
    with connection.cursor() as cursor:
        cursor.execute("SELECT cooperatives_search_query(%s, 'cooperatives')::text", [["tapicerowanje", "kwiaciarnja"]])
        for_cooperatives = cursor.fetchone()[0]
        cursor.execute("SELECT cooperatives_search_query(%s, 'offers')::text", [["tapicerowanje"]])
        for_offers = cursor.fetchone()[0]
    assert "'tapicerowanie'" not in for_cooperatives and "'kwiaciarnia'" in for_cooperatives
    assert "'tapicerowanie'" in for_offers


def seq_scans_of_large_tables(statements) -> list[str]:
    """Sequential scans of the big tables in the plans of `statements`, with sequential scans priced out: what
    remains is a condition that no index can serve."""
    found = []
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        for sql in statements:
            if sql.lstrip().upper().startswith("SELECT"):
                cursor.execute("EXPLAIN " + sql)
                plan = "\n".join(row[0] for row in cursor.fetchall())
                found += re.findall(r"Seq Scan on (cooperatives_cooperative|cooperatives_offer)\b(?!_)", plan)
        cursor.execute("SET LOCAL enable_seqscan = on")
    return found


@pytest.mark.parametrize(
    ("url_name", "params"),
    [
        ("cooperatives:list", {"search": "spoldzelnia kwiaciarnja"}),
        ("cooperatives:list", {"search": "spoldzelnia kwiaciarnja", "voivodeship": "10", "category": "catering"}),
        ("cooperatives:offers", {"search": "tapicerowanje"}),
        ("cooperatives:offers", {"search": "tapicerowanje", "voivodeship": "10", "powiat": "1061"}),
    ],
)
def test_every_statement_of_a_search_page_can_use_the_indexes(client, postgresql_only, url_name, params):
    """The results, the count and every facet count with the search applied: the full-text condition is one the
    GIN indexes serve (no trigram comparison row by row)."""
    cooperative = CooperativeFactory(name="Spółdzielnia Socjalna Kwiaciarnia")
    OfferFactory(cooperative=cooperative, title="Tapicerowanie mebli")
    registry_has_demo_data()  # cached on a running site; not part of the search
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse(url_name), params)
    assert response.status_code == 200
    assert cooperative.name in response.content.decode() or "Tapicerowanie mebli" in response.content.decode()
    statements = [query["sql"] for query in captured.captured_queries]
    assert any("cooperatives_search_query" in sql for sql in statements)
    assert not any("%>" in sql or "word_similarity" in sql for sql in statements)
    assert seq_scans_of_large_tables(statements) == []


def test_pages_of_a_relevance_ordered_search_on_postgresql(client, postgresql_only, django_assert_num_queries):
    """The page's rows are ranked on the cooperatives alone, the match count comes from the same statement."""
    from .catalogue_fixtures import result_names

    for n in range(23):
        CooperativeFactory(name=f"Spółdzielnia Socjalna Numer {n:02d}", description="")
    CooperativeFactory(name="Spółdzielnia Socjalna Numer Numer", description="Numer jeden.")
    CooperativeFactory(name="Spółdzielnia Socjalna Inna")
    expected = names({"search": "numr spoldzielnia"})
    assert len(expected) == 24 and expected[0] == "Spółdzielnia Socjalna Numer Numer"
    url = reverse("cooperatives:list")
    registry_has_demo_data()

    pages = []
    for number in (1, 2):
        response = client.get(url, {"search": "numr spoldzielnia", "page": number})
        html = response.content.decode()
        assert response.status_code == 200 and "Liczba wyników: 24." in html
        pages += result_names(html)
    assert pages == expected

    # Facets are cached now: the ranked ids with the count, the page's rows, their offers' categories.
    with django_assert_num_queries(3) as captured:
        client.get(url, {"search": "numr spoldzielnia", "page": 2})
    assert ") OVER (ORDER BY " in captured.captured_queries[0]["sql"]
    response = client.get(url, {"search": "numr spoldzielnia", "page": 3})
    assert response.status_code == 400
    assert "Nie ma strony 3: wyniki mieszczą się na 2 str." in response.content.decode()
    response = client.get(url, {"search": "zadnejtakiej"})
    assert response.status_code == 200 and "Liczba wyników: 0." in response.content.decode()


@pytest.mark.parametrize(
    "query",
    ["5260250995", "526-025-09-95", "526 025 09 95", "012345678", "01234567", "0000123456"],
    ids=["nip", "nip-dashed", "nip-spaced", "regon", "regon-prefix", "krs"],
)
def test_a_cooperative_is_found_by_its_nip_regon_or_krs_as_written_on_a_letterhead(query):
    CooperativeFactory(name="Spółdzielnia Socjalna Cyfra", krs_number="0000123456", nip="5260250995", regon="012345678")
    CooperativeFactory(name="Spółdzielnia Socjalna Inna", krs_number="0000654321", nip="7740001454", regon="610188201")
    assert names({"search": query}) == ["Spółdzielnia Socjalna Cyfra"]


def test_digits_that_are_no_identifier_stay_separate_words():
    from cooperatives.search import query_words

    assert query_words("2020 2021") == ["2020", "2021"]
    assert query_words("Kraków 30-001") == ["krakow", "30", "001"]
    assert query_words("526-025-09-95") == ["5260250995"]


def test_words_in_another_case_find_the_cooperative_on_any_database():
    """Polish inflection: "Krakowie" finds "Kraków", "spółdzielni" "Spółdzielnia", "gastronomiczne" the category
    "Gastronomia"; the stop word "w" does not have to match anything."""
    from cooperatives.models import OfferCategory

    krakow = CooperativeFactory(name="Spółdzielnia Socjalna Obiadek", town="Kraków", gmina_id="1261011")
    OfferFactory(cooperative=krakow, title="Obiady dla szkół", category=OfferCategory.objects.get(slug="catering"))
    CooperativeFactory(name="Spółdzielnia Socjalna Zieleń", town="Poznań", gmina_id="3064011")
    assert names({"search": "spółdzielni w Krakowie"}) == ["Spółdzielnia Socjalna Obiadek"]
    assert names({"search": "usługi gastronomiczne Krakowie"}) == ["Spółdzielnia Socjalna Obiadek"]
    CooperativeFactory(name="Spółdzielnia Socjalna Zielona Dolina", town="Gdańsk", gmina_id="2261011")
    assert names({"search": "o Zielonej Dolinie"}) == ["Spółdzielnia Socjalna Zielona Dolina"]


def test_a_form_found_as_typed_ranks_before_one_found_through_its_stem():
    first = CooperativeFactory(name="Spółdzielnia Socjalna Szkolenia")
    second = CooperativeFactory(name="Spółdzielnia Socjalna Szkolna Kuchnia")
    ranked = names({"search": "szkolenia", "ordering": "relevance"})
    assert ranked == [first.name, second.name]  # "Szkolna" is found through the stem "szkol", after the typed form


def test_stop_words_alone_are_still_searched():
    from cooperatives.search import query_words

    assert query_words("opieka nad seniorami") == ["opieka", "seniorami"]
    assert query_words("w") == ["w"]


def test_the_seat_gmina_powiat_and_voivodeship_are_searched_on_any_database():
    """ "opieka nad seniorami małopolska": the voivodeship's name (MAŁOPOLSKIE in TERC), in another form."""
    from cooperatives.models import OfferCategory

    seniors = OfferCategory.objects.get(slug="opieka-seniorzy")
    skawina = CooperativeFactory(name="Spółdzielnia Socjalna Jesień", town="Skawina", gmina_id="1206113")
    OfferFactory(cooperative=skawina, title="Opieka domowa", category=seniors)
    poznan = CooperativeFactory(name="Spółdzielnia Socjalna Wiosna", town="Poznań", gmina_id="3064011")
    OfferFactory(cooperative=poznan, title="Opieka domowa", category=seniors)
    assert names({"search": "opieka nad seniorami małopolska"}) == ["Spółdzielnia Socjalna Jesień"]
    assert names({"search": "opieka powiat krakowski"}) == ["Spółdzielnia Socjalna Jesień"]
    assert names({"search": "opieka w województwie wielkopolskim"}) == ["Spółdzielnia Socjalna Wiosna"]
    # A move to another gmina moves the cooperative in the search too.
    skawina.gmina_id = "3064011"
    skawina.save()
    assert names({"search": "opieka nad seniorami małopolska"}) == []


def test_synonyms_staff_add_to_a_category_find_its_cooperatives_on_any_database(client):
    """Synonyms of the sector are data: staff add "zupy" to the category in the admin, and the cooperatives offering
    it are found by that word at once (through the task, eager without a broker)."""
    from django.test import TestCase

    from cooperatives.models import OfferCategory
    from tests.factories import UserFactory

    catering = OfferCategory.objects.get(slug="catering")
    coop = CooperativeFactory(name="Spółdzielnia Socjalna Garnek")
    OfferFactory(cooperative=coop, title="Obiady", category=catering)
    assert names({"search": "katering"}) == [coop.name]  # seeded (migration 0020)
    assert names({"search": "zupy"}) == []
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    url = reverse("admin:cooperatives_offercategory_change", args=[catering.pk])
    data = {
        "name": catering.name,
        "slug": catering.slug,
        "parent": catering.parent_id,
        "sort_order": catering.sort_order,
        "keywords": f"{catering.keywords}, zupy",
    }
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(url, data)
    assert response.status_code == 302
    assert names({"search": "zupy"}) == [coop.name]


def test_what_a_procurement_officer_types_finds_what_she_means_on_any_database():
    """The examples of issue 17: a service and a place, in any case, with or without Polish letters."""
    from cooperatives.models import OfferCategory

    def cooperative(name, gmina, town, slug, title):
        coop = CooperativeFactory(name=name, town=town, gmina_id=gmina, description="")
        OfferFactory(cooperative=coop, title=title, category=OfferCategory.objects.get(slug=slug))
        return coop.name

    krakow_catering = cooperative("Spółdzielnia Socjalna Smaczna", "1261011", "Kraków", "catering", "Obiady")
    krakow_cleaning = cooperative("Spółdzielnia Socjalna Lśniąca", "1261011", "Kraków", "sprzatanie-obiektow", "Biura")
    skawina_seniors = cooperative("Spółdzielnia Socjalna Jesień", "1206113", "Skawina", "opieka-seniorzy", "Opieka")
    lodz_catering = cooperative("Spółdzielnia Socjalna Łódzkie Smaki", "1061011", "Łódź", "catering", "Obiady")
    cooperative("Spółdzielnia Socjalna Bajka", "1061011", "Łódź", "przedszkola", "Przedszkole")
    assert names({"search": "catering Kraków"}) == [krakow_catering]
    assert names({"search": "katering krakow"}) == [krakow_catering]
    assert names({"search": "sprzątanie biur w Krakowie"}) == [krakow_cleaning]
    assert names({"search": "sprzatanie"}) == [krakow_cleaning]
    assert names({"search": "opieka nad seniorami małopolska"}) == [skawina_seniors]
    assert names({"search": "opieka nad osobami starszymi w małopolskim"}) == [skawina_seniors]
    assert sorted(names({"search": "usługi gastronomiczne"})) == sorted([krakow_catering, lodz_catering])
    assert names({"search": "przedszkle"}) == ["Spółdzielnia Socjalna Bajka"]


def test_a_word_of_the_sector_ranks_below_the_category_itself_on_any_database():
    """ "catering" is in the sector's name ("Gastronomia i catering"): a bakery of that sector is still found, but a
    caterer ranks first."""
    from cooperatives.models import OfferCategory

    bakery = CooperativeFactory(name="Spółdzielnia Socjalna Bułka", description="")
    OfferFactory(cooperative=bakery, title="Chleb", category=OfferCategory.objects.get(slug="wypieki"))
    caterer = CooperativeFactory(name="Spółdzielnia Socjalna Talerz", description="")
    OfferFactory(cooperative=caterer, title="Obiady", category=OfferCategory.objects.get(slug="catering"))
    bakery.refresh_from_db()
    assert "catering" not in bakery.offers_text.split() and "catering" in bakery.sectors_text.split()
    assert names({"search": "catering", "ordering": "relevance"}) == [caterer.name, bakery.name]

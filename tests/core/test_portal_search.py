"""The portal-wide search (issue 17): one box on every page, results grouped by kind with counts and links to the
catalogues, "did you mean" when nothing is found, and hostile queries answered without an error."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cooperatives.models import OfferCategory
from core import portal_search
from tests.cooperatives.factories import CooperativeFactory, OfferFactory
from tests.publications.factories import PublicationFactory
from tests.trainings.factories import TrainingFactory

pytestmark = pytest.mark.django_db

SEARCH = reverse("core:search")


@pytest.fixture
def portal():
    catering = OfferCategory.objects.get(slug="catering")
    smaki = CooperativeFactory(name="Spółdzielnia Socjalna Smaki Mazowsza", town="Radom")
    CooperativeFactory(name="Spółdzielnia Socjalna Ogrody")
    for n in range(7):
        CooperativeFactory(name=f"Spółdzielnia Socjalna Kuchnia Domowa {n}")
    OfferFactory(cooperative=smaki, title="Obiady domowe dla szkół", category=catering)
    OfferFactory(cooperative=smaki, title="Catering na konferencje", category=catering)
    PublicationFactory(title="Kuchnia społeczna: poradnik")
    TrainingFactory(title="Kuchnia w ekonomii społecznej", description="Warsztaty dla spółdzielni.")
    TrainingFactory(title="Księgowość spółdzielni")
    return smaki


def groups(response) -> dict:
    return {group["key"]: group["results"] for group in response.context["groups"]}


def test_every_page_has_the_search_box_in_its_header(client):
    html = client.get(reverse("cooperatives:home")).content.decode()
    header = html.split('<header class="site-header">')[1].split("</header>")[0]
    form = re.search(r'<form class="site-search" role="search" method="get" action="([^"]+)"', header)
    assert form and form.group(1) == SEARCH
    assert '<label for="site-search-q">Szukaj w portalu</label>' in header
    assert 'name="q"' in header and 'data-suggest-url="/szukaj/podpowiedzi/"' in header
    assert "<script src" in header and "site-search.js" in header and "<script>" not in header


def test_results_are_grouped_by_kind_with_counts_top_hits_and_catalogue_links(client, portal):
    response = client.get(SEARCH, {"q": "kuchnia"})
    assert response.status_code == 200
    found = groups(response)
    assert list(found) == ["cooperatives", "offers", "publications", "trainings"]
    assert found["cooperatives"].count == 7
    assert len(found["cooperatives"].hits) == 5  # the top few
    assert all("Kuchnia Domowa" in hit.title for hit in found["cooperatives"].hits)
    assert found["offers"].count == 0
    assert found["publications"].count == 1
    assert [hit.title for hit in found["trainings"].hits] == ["Kuchnia w ekonomii społecznej"]
    assert response.context["total"] == 9
    for key, url_name in (
        ("cooperatives", "cooperatives:list"),
        ("offers", "cooperatives:offers"),
        ("publications", "publications:index"),
        ("trainings", "trainings:index"),
    ):
        url = urlsplit(found[key].catalogue_url)
        assert url.path == reverse(url_name) and parse_qs(url.query) == {"search": ["kuchnia"]}
    html = response.content.decode()
    assert 'Spółdzielnie <span class="count">(7)</span>' in html
    assert f'href="{reverse("cooperatives:list")}?search=kuchnia"' in html


def test_the_catalogue_links_find_what_the_group_counted(client, portal):
    found = groups(client.get(SEARCH, {"q": "obiady"}))
    assert found["offers"].count == 1 and found["cooperatives"].count == 1
    offers_page = client.get(found["offers"].catalogue_url)
    assert offers_page.context["page"].paginator.count == 1
    trainings_page = client.get(groups(client.get(SEARCH, {"q": "kuchnia"}))["trainings"].catalogue_url)
    assert [t.title for t in trainings_page.context["page_obj"]] == ["Kuchnia w ekonomii społecznej"]


def test_query_count_is_pinned(client, portal):
    client.get(SEARCH, {"q": "kuchnia"})  # warm caches (the registry banner, facets of nothing)
    with CaptureQueriesContext(connection) as queries:
        client.get(SEARCH, {"q": "kuchnia"})
    # per kind: a count and the top rows, none when it counted 0 (on PostgreSQL, cooperatives and offers rank and
    # count in one statement, then load the page's rows); no "did you mean" while some kind found something
    assert len(queries) == 7, "\n".join(q["sql"][:150] for q in queries.captured_queries)


def test_a_typo_with_no_result_offers_a_correction(client, portal):
    response = client.get(SEARCH, {"q": "ogrrdyy"})
    assert response.context["total"] == 0
    assert response.context["did_you_mean"] == "ogrody"
    assert '<a href="?q=ogrody">ogrody</a>' in response.content.decode()
    assert groups(client.get(SEARCH, {"q": "ogrody"}))["cooperatives"].count == 1


def test_nothing_to_correct_gives_no_suggestion(client, portal):
    response = client.get(SEARCH, {"q": "qqqqqqqqxz"})
    assert response.context["total"] == 0 and response.context["did_you_mean"] == ""
    assert "Czy chodziło Ci o" not in response.content.decode()


@pytest.mark.parametrize(
    "query",
    [
        "a" * 5000,
        "!!! ??? ...",
        "kuch\x00nia",
        "🍲🍲",
        "' OR 1=1; DROP TABLE cooperatives_cooperative; --",
        "kuchnia') UNION SELECT password FROM accounts_user --",
        "%_\\",
        "a & b | !c:*",
    ],
)
def test_hostile_queries_answer_200_without_error(client, portal, query):
    response = client.get(SEARCH, {"q": query})
    assert response.status_code == 200
    if query.startswith("a" * 10):
        assert "za długie" in response.content.decode()
    if query in ("!!! ??? ...", "🍲🍲"):
        assert response.context["groups"] == []
        assert "Wpisz w zapytaniu litery albo cyfry." in response.content.decode()
    if query == "kuch\x00nia":
        assert response.context["query"] == "kuch nia"


def test_the_registry_is_filled_by_the_apps_and_core_imports_none():
    assert [kind.key for kind in portal_search.kinds()] == ["cooperatives", "offers", "publications", "trainings"]
    source = (
        open(portal_search.__file__).read()
        + open(portal_search.__file__.replace("portal_search", "search_views")).read()
    )
    assert not re.search(r"^\s*(from|import) (cooperatives|publications|trainings|monitoring|accounts)", source, re.M)


def test_english_page(client, portal):
    response = client.get("/en" + SEARCH, {"q": "kuchnia"})
    assert response.status_code == 200
    assert "Cooperatives" in response.content.decode()

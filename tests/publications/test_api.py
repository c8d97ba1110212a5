import pytest
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from rest_framework.routers import DefaultRouter
from rest_framework.test import APIClient

from publications.api.views import register
from publications.models import Publication

from .factories import (
    EditionFactory,
    PdfEditionFactory,
    PersonFactory,
    PublicationFactory,
    SeriesFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def test_publication_fields(api):
    series = SeriesFactory(title="ABC spółdzielczości socjalnej", slug="abc")
    first, second = PersonFactory(first_name="Tomasz", last_name="Schimanek"), PersonFactory(last_name="Cibor")
    publication = PublicationFactory(
        title="Zlecanie zadań",
        slug="zlecanie",
        series=series,
        volume_number=3,
        authors=[first, second],
        topics=[TopicFactory(slug="uslugi")],
    )
    EditionFactory(publication=publication, isbn="9788371815102")
    pdf = PdfEditionFactory(publication=publication)
    response = api.get("/api/v1/publications/")
    assert response.status_code == 200
    [item] = response.json()["results"]
    assert set(item) == {
        "id", "slug", "url", "title", "subtitle", "authors", "series", "volume_number", "year", "publisher", "place",
        "language", "abstract", "topics", "funding_note", "licence", "cover", "editions", "is_demo", "updated_at",
    }  # fmt: skip
    assert item["url"] == "http://testserver/biblioteka/zlecanie/"
    assert [(a["last_name"], a["position"]) for a in item["authors"]] == [("Schimanek", 1), ("Cibor", 2)]
    assert item["series"] == {"id": series.pk, "slug": "abc", "title": "ABC spółdzielczości socjalnej"}
    assert item["topics"] == ["uslugi"]
    editions = {e["format"]: e for e in item["editions"]}
    assert editions["print"]["isbn"] == "9788371815102" and editions["print"]["download_url"] is None
    assert editions["pdf"]["download_url"] == f"http://testserver/biblioteka/zlecanie/pobierz/{pdf.pk}/"
    assert api.get("/api/v1/publications/zlecanie/").json()["title"] == "Zlecanie zadań"


def test_drafts_are_invisible_in_the_api(api):
    draft_author = PersonFactory(last_name="Nieujawniony")
    series = SeriesFactory(slug="tylko-szkice")
    PublicationFactory(slug="szkic", status=Publication.Status.DRAFT, authors=[draft_author], series=series)
    PublicationFactory(slug="jawna")
    assert [p["slug"] for p in api.get("/api/v1/publications/").json()["results"]] == ["jawna"]
    assert api.get("/api/v1/publications/szkic/").status_code == 404
    assert api.get("/api/v1/series/").json()["count"] == 0
    assert api.get("/api/v1/series/tylko-szkice/").status_code == 404
    assert api.get("/api/v1/authors/").json()["count"] == 0
    assert api.get(f"/api/v1/authors/{draft_author.pk}/").status_code == 404


def test_filters_and_their_errors(api):
    PublicationFactory(title="Stary", year=2014)
    PublicationFactory(title="Nowy", year=2020)
    assert [p["title"] for p in api.get("/api/v1/publications/", {"year": 2014}).json()["results"]] == ["Stary"]
    assert [p["title"] for p in api.get("/api/v1/publications/", {"search": "nowy"}).json()["results"]] == ["Nowy"]
    response = api.get("/api/v1/publications/", {"year": "x", "series": "nie-ma"})
    assert response.status_code == 400
    assert response.json() == {"year": ["Podaj rok jako liczbę, np. 2014."], "series": ["Nieznana seria: nie-ma."]}


def test_series_and_authors_with_counts(api):
    series = SeriesFactory(title="ABC", slug="abc")
    cibor = PersonFactory(first_name="Krzysztof", last_name="Cibor")
    PublicationFactory(series=series, authors=[cibor])
    PublicationFactory(series=series, authors=[cibor])
    PublicationFactory(series=series, authors=[cibor], status=Publication.Status.DRAFT)
    assert api.get("/api/v1/series/").json()["results"] == [
        {"id": series.pk, "slug": "abc", "title": "ABC", "description": "", "planned_volumes": None,
         "publication_count": 2}
    ]  # fmt: skip
    [author] = api.get("/api/v1/authors/", {"search": "cib"}).json()["results"]
    assert author == {"id": cibor.pk, "first_name": "Krzysztof", "last_name": "Cibor", "affiliation": "",
                      "publication_count": 2}  # fmt: skip
    assert api.get("/api/v1/authors/", {"search": "kowalski"}).json()["count"] == 0


@pytest.mark.parametrize("n", [2, 15])
def test_publication_list_query_count_is_constant(api, django_assert_num_queries, n):
    series = SeriesFactory()
    for _ in range(n):
        publication = PublicationFactory(series=series, authors=[PersonFactory()], topics=[TopicFactory()])
        PdfEditionFactory(publication=publication)
    with django_assert_num_queries(5):  # count, page, authors, topics, editions
        response = api.get("/api/v1/publications/")
    assert len(response.json()["results"]) == n


@pytest.mark.parametrize("n", [2, 15])
def test_series_and_author_lists_query_count_is_constant(api, django_assert_num_queries, n):
    for _ in range(n):
        PublicationFactory(series=SeriesFactory(), authors=[PersonFactory()])
    with django_assert_num_queries(2):
        api.get("/api/v1/series/")
    with django_assert_num_queries(2):
        api.get("/api/v1/authors/")


def test_schema_of_the_library_endpoints_generates_without_warnings():
    router = DefaultRouter()
    register(router)
    GENERATOR_STATS.reset()
    schema = SchemaGenerator(patterns=router.urls).get_schema(request=None, public=True)
    assert not GENERATOR_STATS, "drf-spectacular reported warnings or errors"
    assert {"/publications/", "/series/", "/authors/"} <= set(schema["paths"])
    parameters = {p["name"] for p in schema["paths"]["/publications/"]["get"]["parameters"]}
    assert {"search", "series", "topic", "year", "author", "language", "ordering"} <= parameters

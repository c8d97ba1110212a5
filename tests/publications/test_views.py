from html.parser import HTMLParser

import pytest
from django.urls import reverse

from publications.models import Edition, Publication

from .factories import (
    EditionFactory,
    EpubEditionFactory,
    PdfEditionFactory,
    PersonFactory,
    PublicationFactory,
    SeriesFactory,
    TopicFactory,
)
from .files import pdf_bytes

pytestmark = pytest.mark.django_db

LIST_URL = reverse("publications:index")


class MetaParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.meta: list[tuple[str, str]] = []
        self.h1_count = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta" and attrs.get("name", "").startswith("DC."):
            self.meta.append((attrs["name"], attrs["content"]))
        if tag == "h1":
            self.h1_count += 1


def make_items(n: int):
    series = SeriesFactory()
    topic = TopicFactory()
    for _ in range(n):
        publication = PublicationFactory(series=series, authors=[PersonFactory(), PersonFactory()], topics=[topic])
        EditionFactory(publication=publication)


def test_list_shows_published_items_with_authors_and_demo_badge(client):
    person = PersonFactory(first_name="Krzysztof", last_name="Cibor")
    PublicationFactory(title="Usługi użyteczności publicznej", authors=[person])
    PublicationFactory(title="Pozycja demonstracyjna", is_demo=True)
    PublicationFactory(title="Tajny szkic", status=Publication.Status.DRAFT)
    response = client.get(LIST_URL)
    content = response.content.decode()
    assert response.status_code == 200
    assert "Usługi użyteczności publicznej" in content and "Krzysztof Cibor" in content
    assert "publikacja demonstracyjna" in content
    assert "Tajny szkic" not in content
    assert response.context["page"].paginator.count == 2


def test_list_facets_link_with_counts(client):
    series = SeriesFactory(title="ABC spółdzielczości socjalnej", slug="abc")
    PublicationFactory(series=series, year=2014)
    PublicationFactory(series=series, year=2015)
    response = client.get(LIST_URL, {"year": "2014"})
    groups = {group["name"]: group for group in response.context["facet_groups"]}
    assert [(i["label"], i["count"]) for i in groups["series"]["items"]] == [("ABC spółdzielczości socjalnej", 1)]
    years = {i["value"]: i for i in groups["year"]["items"]}
    assert years["2014"]["is_selected"] and years["2015"]["count"] == 1
    assert years["2015"]["query"] == "year=2015"  # replaces the year, keeps nothing stale
    assert groups["year"]["clear_query"] == ""
    assert 'ABC spółdzielczości socjalnej <span class="count">(1)</span>' in response.content.decode()


def test_invalid_filters_are_shown_as_errors_not_a_500(client):
    response = client.get(LIST_URL, {"year": "abc", "series": "nie-ma"})
    content = response.content.decode()
    assert response.status_code == 200
    assert "Podaj rok jako liczbę, np. 2014." in content
    assert "Nieznana seria: nie-ma." in content
    assert response.context["page"] is None


def test_list_pagination_keeps_the_filters(client):
    series = SeriesFactory(slug="abc")
    for _ in range(25):
        PublicationFactory(series=series)
    response = client.get(LIST_URL, {"series": "abc", "page": "2"})
    assert len(response.context["page"].object_list) == 5
    assert 'href="?series=abc&amp;page=1"' in response.content.decode()


@pytest.mark.parametrize("n", [2, 20])
def test_list_query_count_does_not_grow_with_page_size(client, django_assert_num_queries, n):
    make_items(n)
    # anonymous: count, page, 3 prefetches, facets (5 counts + 3 labels), demo banner
    with django_assert_num_queries(14):
        response = client.get(LIST_URL)
    assert len(response.context["page"].object_list) == n


def test_detail_has_dublin_core_metadata_and_one_h1(client):
    series = SeriesFactory(title="ABC spółdzielczości socjalnej")
    cibor = PersonFactory(first_name="Krzysztof", last_name="Cibor")
    publication = PublicationFactory(
        title="Usługi & użyteczność",
        series=series,
        authors=[cibor],
        topics=[TopicFactory(name="usługi publiczne")],
        publisher='Wydawca "Cudzysłów"',
    )
    EditionFactory(publication=publication, isbn="9788371815102")
    PdfEditionFactory(publication=publication)
    response = client.get(publication.get_absolute_url())
    parser = MetaParser()
    parser.feed(response.content.decode())
    meta = parser.meta
    assert parser.h1_count == 1
    assert ("DC.title", "Usługi & użyteczność") in meta
    assert ("DC.creator", "Cibor, Krzysztof") in meta
    assert ("DC.date", "2014") in meta
    assert ("DC.language", "pl") in meta
    assert ("DC.identifier", "urn:isbn:9788371815102") in meta
    assert ("DC.format", "application/pdf") in meta
    assert ("DC.publisher", 'Wydawca "Cudzysłów"') in meta
    assert ("DC.subject", "usługi publiczne") in meta
    assert ("DC.relation", "ABC spółdzielczości socjalnej") in meta
    assert "978-83-7181-510-2" in response.content.decode()


@pytest.fixture
def draft():
    publication = PublicationFactory(status=Publication.Status.DRAFT, slug="szkic")
    PdfEditionFactory(publication=publication)
    return publication


def draft_urls(publication):
    edition = publication.editions.get()
    return [
        publication.get_absolute_url(),
        reverse("publications:citation", args=[publication.slug, "bib"]),
        edition.get_download_url(),
    ]


def test_drafts_are_invisible_to_the_public(client, draft, plain_user):
    for url in draft_urls(draft):
        assert client.get(url).status_code == 404
    client.force_login(plain_user)
    for url in draft_urls(draft):
        assert client.get(url).status_code == 404


def test_ministry_staff_may_preview_drafts(client, draft, staff_user):
    client.force_login(staff_user)
    for url in draft_urls(draft):
        assert client.get(url).status_code == 200
    assert "Szkic: ta publikacja nie jest widoczna publicznie." in client.get(draft.get_absolute_url()).content.decode()


def test_download_serves_the_file_safely_and_counts(client):
    publication = PublicationFactory(title='Społecznie odpowiedzialne zakupy; "cytat"')
    edition = PdfEditionFactory(publication=publication)
    response = client.get(edition.get_download_url())
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == pdf_bytes()
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == (
        'attachment; filename="spolecznie-odpowiedzialne-zakupy-cytat.pdf"; '
        "filename*=UTF-8''spolecznie-odpowiedzialne-zakupy-cytat.pdf"
    )
    edition.refresh_from_db()
    assert edition.download_count == 1


def test_epub_download_has_its_content_type(client):
    edition = EpubEditionFactory()
    response = client.get(edition.get_download_url())
    assert response["Content-Type"] == "application/epub+zip"
    assert response["Content-Disposition"].startswith("attachment; filename=")


def test_print_edition_or_another_publications_edition_cannot_be_downloaded(client):
    printed = EditionFactory()
    assert client.get(printed.get_download_url()).status_code == 404
    pdf = PdfEditionFactory()
    other = PublicationFactory()
    url = reverse("publications:download", kwargs={"slug": other.slug, "pk": pdf.pk})
    assert client.get(url).status_code == 404
    pdf.refresh_from_db()
    assert pdf.download_count == 0


def test_missing_file_is_a_404_not_a_500(client):
    edition = PdfEditionFactory()
    edition.file.storage.delete(edition.file.name)
    assert client.get(edition.get_download_url()).status_code == 404
    assert Edition.objects.get(pk=edition.pk).download_count == 0


@pytest.mark.parametrize("n", [1, 6])
def test_detail_query_count_does_not_grow_with_authors_and_editions(client, django_assert_num_queries, n):
    publication = PublicationFactory(authors=[PersonFactory() for _ in range(n)], topics=[TopicFactory()])
    EditionFactory(publication=publication)
    PdfEditionFactory(publication=publication)
    with django_assert_num_queries(5):  # publication + series, authors, topics, editions, demo banner
        response = client.get(publication.get_absolute_url())
    assert len(response.context["publication"].authorships.all()) == n


def test_english_version_of_the_library_works(client):
    publication = PublicationFactory(title="Usługi")
    assert client.get("/en/biblioteka/").status_code == 200
    assert client.get(f"/en/biblioteka/{publication.slug}/").status_code == 200

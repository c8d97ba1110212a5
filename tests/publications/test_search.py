import pytest

from publications.models import Language, Publication
from publications.selectors import publication_facets, publication_list

from .factories import PersonFactory, PublicationFactory, SeriesFactory, TopicFactory

pytestmark = pytest.mark.django_db


def titles(data):
    filterset = publication_list(data=data)
    assert filterset.is_valid(), filterset.errors
    return [p.title for p in filterset.qs]


@pytest.fixture
def library():
    abc = SeriesFactory(title="ABC spółdzielczości socjalnej", slug="abc")
    other = SeriesFactory(title="Raporty", slug="raporty")
    cibor = PersonFactory(first_name="Krzysztof", last_name="Cibor")
    schimanek = PersonFactory(first_name="Tomasz", last_name="Schimanek")
    services = TopicFactory(name="usługi publiczne", slug="uslugi")
    procurement = TopicFactory(name="zamówienia publiczne", slug="zamowienia")
    PublicationFactory(
        title="Usługi użyteczności publicznej a ekonomia społeczna",
        series=abc,
        volume_number=1,
        year=2014,
        authors=[cibor],
        topics=[services],
    )
    PublicationFactory(
        title="Społecznie odpowiedzialne zakupy",
        series=abc,
        volume_number=2,
        year=2014,
        authors=[cibor],
        topics=[procurement],
        abstract="Klauzule społeczne w przetargach.",
    )
    PublicationFactory(
        title="Społecznie odpowiedzialne zlecanie zadań publicznych",
        series=abc,
        volume_number=3,
        year=2014,
        authors=[schimanek, cibor],
        topics=[services, procurement],
    )
    PublicationFactory(title="Social economy report", series=other, year=2016, language=Language.ENGLISH)
    PublicationFactory(title="Społecznie odpowiedzialny szkic", status=Publication.Status.DRAFT, authors=[cibor])
    return {"cibor": cibor, "schimanek": schimanek}


def test_folded_words_match_title_and_authors_on_any_database(library):
    assert titles({"search": "USLUGI uzytecznosci"}) == ["Usługi użyteczności publicznej a ekonomia społeczna"]
    assert titles({"search": "schimanek"}) == ["Społecznie odpowiedzialne zlecanie zadań publicznych"]
    assert sorted(titles({"search": "spolecznie odpowiedzialne"})) == [
        "Społecznie odpowiedzialne zakupy",
        "Społecznie odpowiedzialne zlecanie zadań publicznych",
    ]


def test_drafts_are_never_found(library):
    assert "Społecznie odpowiedzialny szkic" not in titles({"search": "szkic"})
    assert "Społecznie odpowiedzialny szkic" not in titles({})


def test_abstract_words_match(library):
    assert titles({"search": "klauzule"}) == ["Społecznie odpowiedzialne zakupy"]


def test_typo_is_tolerated_and_results_ranked_on_postgresql(library, postgresql_only):
    assert titles({"search": "uzytecznosi"}) == ["Usługi użyteczności publicznej a ekonomia społeczna"]


def test_filters_combine(library):
    cibor = library["cibor"]
    assert len(titles({"series": "abc"})) == 3
    assert titles({"series": "abc", "topic": "zamowienia", "author": str(cibor.pk), "ordering": "title"}) == [
        "Społecznie odpowiedzialne zakupy",
        "Społecznie odpowiedzialne zlecanie zadań publicznych",
    ]
    assert titles({"year": "2016"}) == ["Social economy report"]
    assert titles({"language": "en"}) == ["Social economy report"]


def test_default_order_is_newest_first(library):
    assert titles({})[0] == "Social economy report"
    assert titles({"ordering": "oldest"})[-1] == "Social economy report"


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"series": "nie-ma"}, "series", "Nieznana seria: nie-ma."),
        ({"topic": "nie-ma"}, "topic", "Nieznany temat: nie-ma."),
        ({"year": "dwa tysiące"}, "year", "Podaj rok jako liczbę, np. 2014."),
        ({"year": "1200"}, "year", "Rok nie może być wcześniejszy niż 1900."),
        ({"author": "999999"}, "author", "Nieznany autor: 999999."),
        ({"language": "xx"}, "language", "Nieznany język: xx."),
    ],
)
def test_bad_filter_values_are_clear_errors(library, data, field, message):
    filterset = publication_list(data=data)
    assert not filterset.is_valid()
    assert message in filterset.errors[field][0]


def test_facet_counts_apply_every_other_filter(library):
    cibor, schimanek = library["cibor"], library["schimanek"]
    facets = publication_facets(data={"topic": "uslugi"})
    # the topic facet ignores the topic filter itself ...
    assert {f["value"]: f["count"] for f in facets["topic"]} == {"uslugi": 2, "zamowienia": 2}
    # ... every other facet counts within it; the draft by Cibor is not counted anywhere
    assert {f["value"]: f["count"] for f in facets["series"]} == {"abc": 2}
    assert {f["value"]: f["count"] for f in facets["author"]} == {str(cibor.pk): 2, str(schimanek.pk): 1}
    assert {f["value"]: f["count"] for f in facets["year"]} == {"2014": 2}
    assert {f["value"]: f["count"] for f in facets["language"]} == {"pl": 2}

    everything = publication_facets(data={})
    assert {f["value"]: f["count"] for f in everything["year"]} == {"2016": 1, "2014": 3}
    assert [f["label"] for f in everything["series"]] == ["ABC spółdzielczości socjalnej", "Raporty"]
    assert {f["value"]: f["count"] for f in everything["language"]} == {"pl": 3, "en": 1}


def test_an_author_of_drafts_only_is_not_a_filter_choice(library):
    hidden = PersonFactory(last_name="Nieujawniony")
    PublicationFactory(status=Publication.Status.DRAFT, authors=[hidden])
    filterset = publication_list(data={"author": str(hidden.pk)})
    assert not filterset.is_valid()
    assert filterset.errors["author"] == [f"Nieznany autor: {hidden.pk}."]

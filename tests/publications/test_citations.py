"""Citation exports, parsed back with small independent readers of the two formats."""

import re

import pytest
from django.urls import reverse

from publications.models import Authorship, Publication

from .factories import EditionFactory, PersonFactory, PublicationFactory, SeriesFactory, TopicFactory

pytestmark = pytest.mark.django_db

_BIB_ENTRY = re.compile(r"@(\w+)\{([^,]+),\n(.*?)\n\}", re.S)
_BIB_FIELD = re.compile(r"^\s+(\w+) = \{(.*)\},?$")


def parse_bibtex(text: str) -> list[dict]:
    entries = []
    for kind, key, body in _BIB_ENTRY.findall(text):
        fields = {"ENTRYTYPE": kind, "ID": key}
        for line in body.split("\n"):
            match = _BIB_FIELD.match(line)
            assert match, f"not a field line: {line!r}"
            fields[match.group(1)] = re.sub(r"\\([{}%&$#_])", r"\1", match.group(2))
        entries.append(fields)
    return entries


def parse_ris(text: str) -> list[dict[str, list[str]]]:
    records, current = [], None
    for line in text.split("\r\n"):
        if not line:
            continue
        match = re.fullmatch(r"([A-Z][A-Z0-9])  - (.*)", line)
        assert match, f"not a RIS line: {line!r}"
        tag, value = match.groups()
        if tag == "TY":
            current = {"TY": [value]}
        elif tag == "ER":
            records.append(current)
            current = None
        else:
            current.setdefault(tag, []).append(value)
    assert current is None, "unterminated record"
    return records


@pytest.fixture
def handbook():
    series = SeriesFactory(title="ABC spółdzielczości socjalnej", slug="abc")
    publication = PublicationFactory(
        title="Zakupy 100% społeczne & {odpowiedzialne}",
        subtitle="Poradnik",
        slug="zakupy",
        series=series,
        volume_number=2,
        year=2014,
        publisher="Centrum_Rozwoju",
        place="Warszawa",
        abstract="Pierwsza linia.\nDruga linia.",
        authors=[
            PersonFactory(first_name="Krzysztof", last_name="Cibor"),
            PersonFactory(first_name="Ewa", last_name="Łęcka"),
        ],
        topics=[TopicFactory(name="zamówienia publiczne")],
    )
    Authorship.objects.create(
        publication=publication,
        person=PersonFactory(first_name="Jan", last_name="Redaktor"),
        position=3,
        role=Authorship.Role.EDITOR,
    )
    EditionFactory(publication=publication, isbn="9788371815102")
    return publication


def test_bibtex_of_one_item_parses_back(client, handbook):
    response = client.get(reverse("publications:citation", args=["zakupy", "bib"]))
    assert response["Content-Type"] == "application/x-bibtex; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="zakupy.bib"'
    [entry] = parse_bibtex(response.content.decode())
    assert entry["ENTRYTYPE"] == "book"
    assert entry["ID"] == "cibor2014zakupy"
    assert entry["author"] == "Cibor, Krzysztof and Łęcka, Ewa"
    assert entry["editor"] == "Redaktor, Jan"
    assert entry["title"] == "Zakupy 100% społeczne & {odpowiedzialne}"
    assert entry["subtitle"] == "Poradnik"
    assert entry["series"] == "ABC spółdzielczości socjalnej"
    assert entry["number"] == "2"
    assert entry["year"] == "2014"
    assert entry["publisher"] == "Centrum_Rozwoju"
    assert entry["address"] == "Warszawa"
    assert entry["isbn"] == "978-83-7181-510-2"
    assert entry["url"] == "http://testserver/biblioteka/zakupy/"


def test_ris_of_one_item_parses_back(client, handbook):
    response = client.get(reverse("publications:citation", args=["zakupy", "ris"]))
    assert response["Content-Type"] == "application/x-research-info-systems; charset=utf-8"
    [record] = parse_ris(response.content.decode())
    assert record["TY"] == ["BOOK"]
    assert record["AU"] == ["Cibor, Krzysztof", "Łęcka, Ewa"]
    assert record["A2"] == ["Redaktor, Jan"]
    assert record["TI"] == ["Zakupy 100% społeczne & {odpowiedzialne}. Poradnik"]
    assert record["T2"] == ["ABC spółdzielczości socjalnej"]
    assert record["VL"] == ["2"]
    assert record["PY"] == ["2014"]
    assert record["AB"] == ["Pierwsza linia. Druga linia."]  # one line: RIS is line-based
    assert record["SN"] == ["978-83-7181-510-2"]
    assert record["KW"] == ["zamówienia publiczne"]
    assert record["UR"] == ["http://testserver/biblioteka/zakupy/"]


def test_export_of_search_results_follows_the_filters(client, handbook):
    PublicationFactory(title="Inna publikacja", year=2020)
    PublicationFactory(title="Szkic", year=2014, status=Publication.Status.DRAFT)
    url = reverse("publications:list-citations", args=["bib"])
    entries = parse_bibtex(client.get(url, {"year": "2014"}).content.decode())
    assert [e["title"] for e in entries] == ["Zakupy 100% społeczne & {odpowiedzialne}"]
    entries = parse_bibtex(client.get(url).content.decode())
    assert sorted(e["title"] for e in entries) == ["Inna publikacja", "Zakupy 100% społeczne & {odpowiedzialne}"]
    records = parse_ris(client.get(reverse("publications:list-citations", args=["ris"])).content.decode())
    assert len(records) == 2


def test_duplicate_bibtex_keys_are_made_unique(client):
    person = PersonFactory(last_name="Cibor")
    PublicationFactory(title="Usługi", year=2014, authors=[person])
    PublicationFactory(title="Usługi", year=2014, authors=[person], slug="uslugi-2")
    entries = parse_bibtex(client.get(reverse("publications:list-citations", args=["bib"])).content.decode())
    assert sorted(e["ID"] for e in entries) == ["cibor2014uslugi", "cibor2014uslugi-2"]


def test_bad_export_parameters_and_formats(client):
    response = client.get(reverse("publications:list-citations", args=["bib"]), {"year": "x"})
    assert response.status_code == 400
    assert "Podaj rok jako liczbę" in response.content.decode()
    assert client.get(reverse("publications:list-citations", args=["doc"])).status_code == 404


def test_export_query_count_does_not_grow(client, django_assert_num_queries):
    for _ in range(10):
        PublicationFactory(authors=[PersonFactory()])
    with django_assert_num_queries(4):  # publications + authors + topics + editions
        client.get(reverse("publications:list-citations", args=["ris"]))

"""OAI-PMH 2.0: responses parsed as XML and checked against the protocol's rules."""

import datetime as dt
from xml.etree import ElementTree as ET

import pytest
from django.utils import timezone

from publications.models import Publication

from .factories import EditionFactory, PersonFactory, PublicationFactory, SeriesFactory

pytestmark = pytest.mark.django_db

OAI = "{http://www.openarchives.org/OAI/2.0/}"
OAI_DC = "{http://www.openarchives.org/OAI/2.0/oai_dc/}"
DC = "{http://purl.org/dc/elements/1.1/}"
XSI = "{http://www.w3.org/2001/XMLSchema-instance}"
DATESTAMP = "%Y-%m-%dT%H:%M:%SZ"


def harvest(client, method="get", **params) -> ET.Element:
    response = getattr(client, method)("/oai/", params)
    assert response.status_code == 200  # errors too: the protocol reports them in the XML
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    root = ET.fromstring(response.content)
    assert root.tag == f"{OAI}OAI-PMH"
    assert root.get(f"{XSI}schemaLocation").split() == [
        "http://www.openarchives.org/OAI/2.0/",
        "http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd",
    ]
    children = list(root)
    assert [c.tag for c in children[:2]] == [f"{OAI}responseDate", f"{OAI}request"]
    dt.datetime.strptime(children[0].text, DATESTAMP)
    assert children[1].text == "http://testserver/oai/"
    assert len(children) == 3 or all(c.tag == f"{OAI}error" for c in children[2:])
    return root


def error_codes(root) -> list[str]:
    return [e.get("code") for e in root.findall(f"{OAI}error")]


@pytest.fixture
def collection():
    series = SeriesFactory(title="ABC spółdzielczości socjalnej", slug="abc")
    cibor = PersonFactory(first_name="Krzysztof", last_name="Cibor")
    first = PublicationFactory(
        title="Usługi <użyteczności> & ekonomia", series=series, volume_number=1, authors=[cibor]
    )
    EditionFactory(publication=first, isbn="9788371815102")
    PublicationFactory(title="Druga", series=series, volume_number=2)
    PublicationFactory(title="Poza serią")
    draft = PublicationFactory(title="Szkic", status=Publication.Status.DRAFT, series=series)
    return {"first": first, "draft": draft}


def identifier(publication) -> str:
    return f"oai:spoldzielnie-socjalne.example.org:publication/{publication.pk}"


def test_identify(client, collection):
    root = harvest(client, verb="Identify")
    request = root.find(f"{OAI}request")
    assert request.attrib == {"verb": "Identify"}
    identify = root.find(f"{OAI}Identify")
    expected = [
        "repositoryName",
        "baseURL",
        "protocolVersion",
        "adminEmail",
        "earliestDatestamp",
        "deletedRecord",
        "granularity",
    ]
    assert [c.tag.removeprefix(OAI) for c in identify] == expected
    assert identify.find(f"{OAI}protocolVersion").text == "2.0"
    assert identify.find(f"{OAI}baseURL").text == "http://testserver/oai/"
    assert identify.find(f"{OAI}granularity").text == "YYYY-MM-DDThh:mm:ssZ"
    dt.datetime.strptime(identify.find(f"{OAI}earliestDatestamp").text, DATESTAMP)


def test_list_metadata_formats(client, collection):
    root = harvest(client, verb="ListMetadataFormats")
    [fmt] = root.find(f"{OAI}ListMetadataFormats")
    assert fmt.find(f"{OAI}metadataPrefix").text == "oai_dc"
    assert fmt.find(f"{OAI}metadataNamespace").text == "http://www.openarchives.org/OAI/2.0/oai_dc/"
    assert error_codes(harvest(client, verb="ListMetadataFormats", identifier="oai:x:1")) == ["idDoesNotExist"]
    ok = harvest(client, verb="ListMetadataFormats", identifier=identifier(collection["first"]))
    assert ok.find(f"{OAI}ListMetadataFormats") is not None


def test_list_sets_are_series_with_published_items(client, collection):
    SeriesFactory(slug="pusta")
    root = harvest(client, verb="ListSets")
    sets = [(s.find(f"{OAI}setSpec").text, s.find(f"{OAI}setName").text) for s in root.find(f"{OAI}ListSets")]
    assert sets == [("abc", "ABC spółdzielczości socjalnej")]


def test_list_sets_without_any_series_is_no_set_hierarchy(client):
    PublicationFactory()
    assert error_codes(harvest(client, verb="ListSets")) == ["noSetHierarchy"]


def test_get_record_in_oai_dc(client, collection):
    first = collection["first"]
    root = harvest(client, verb="GetRecord", identifier=identifier(first), metadataPrefix="oai_dc")
    assert root.find(f"{OAI}request").attrib == {
        "verb": "GetRecord",
        "identifier": identifier(first),
        "metadataPrefix": "oai_dc",
    }
    record = root.find(f"{OAI}GetRecord/{OAI}record")
    header = record.find(f"{OAI}header")
    assert header.find(f"{OAI}identifier").text == identifier(first)
    assert header.find(f"{OAI}datestamp").text == first.updated_at.astimezone(dt.UTC).strftime(DATESTAMP)
    assert header.find(f"{OAI}setSpec").text == "abc"
    dc = record.find(f"{OAI}metadata/{OAI_DC}dc")
    assert dc is not None
    assert dc.find(f"{DC}title").text == "Usługi <użyteczności> & ekonomia"  # escaped in the XML, intact here
    assert [c.text for c in dc.findall(f"{DC}creator")] == ["Cibor, Krzysztof"]
    assert dc.find(f"{DC}date").text == "2014"
    assert dc.find(f"{DC}language").text == "pl"
    identifiers = [c.text for c in dc.findall(f"{DC}identifier")]
    assert f"http://testserver/biblioteka/{first.slug}/" in identifiers
    assert "urn:isbn:9788371815102" in identifiers
    assert all(child.tag.startswith(DC) for child in dc)


def test_drafts_and_unknown_identifiers_do_not_exist(client, collection):
    for ident in (identifier(collection["draft"]), "oai:spoldzielnie-socjalne.example.org:publication/999", "x"):
        root = harvest(client, verb="GetRecord", identifier=ident, metadataPrefix="oai_dc")
        assert error_codes(root) == ["idDoesNotExist"]
    root = harvest(client, verb="ListIdentifiers", metadataPrefix="oai_dc")
    listed = [h.find(f"{OAI}identifier").text for h in root.iter(f"{OAI}header")]
    assert identifier(collection["draft"]) not in listed
    assert len(listed) == 3


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({}, "badVerb"),
        ({"verb": "Harvest"}, "badVerb"),
        ({"verb": "Identify", "extra": "1"}, "badArgument"),
        ({"verb": "ListRecords"}, "badArgument"),
        ({"verb": "GetRecord", "metadataPrefix": "oai_dc"}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": "marc21"}, "cannotDisseminateFormat"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2014-13-01"}, "badArgument"),
        (
            {"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2014-01-01", "until": "2014-01-01T00:00:00Z"},
            "badArgument",
        ),
        (
            {"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2015-01-01", "until": "2014-01-01"},
            "badArgument",
        ),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "nie-ma"}, "badArgument"),
        ({"verb": "ListRecords", "resumptionToken": "garbage"}, "badResumptionToken"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "resumptionToken": "x"}, "badArgument"),
        ({"verb": "ListSets", "resumptionToken": "x"}, "badResumptionToken"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "until": "2000-01-01"}, "noRecordsMatch"),
    ],
)
def test_protocol_errors(client, collection, params, code):
    root = harvest(client, **params)
    assert error_codes(root) == [code]
    request = root.find(f"{OAI}request")
    if code in ("badVerb", "badArgument"):
        assert request.attrib == {}  # the request element must not echo invalid arguments


def test_repeated_argument_is_bad_argument(client, collection):
    response = client.get("/oai/?verb=ListRecords&metadataPrefix=oai_dc&metadataPrefix=oai_dc")
    assert error_codes(ET.fromstring(response.content)) == ["badArgument"]


def test_from_until_and_set_select_records(client, collection):
    Publication.objects.filter(title="Poza serią").update(updated_at=timezone.make_aware(dt.datetime(2020, 5, 5, 12)))
    root = harvest(client, verb="ListIdentifiers", metadataPrefix="oai_dc", until="2020-05-05")
    assert len(root.findall(f"{OAI}ListIdentifiers/{OAI}header")) == 1
    root = harvest(client, verb="ListIdentifiers", metadataPrefix="oai_dc", **{"from": "2020-05-06"})
    assert len(root.findall(f"{OAI}ListIdentifiers/{OAI}header")) == 2
    root = harvest(client, verb="ListIdentifiers", metadataPrefix="oai_dc", set="abc")
    assert len(root.findall(f"{OAI}ListIdentifiers/{OAI}header")) == 2


@pytest.mark.parametrize("verb", ["ListIdentifiers", "ListRecords"])
def test_resumption_lists_every_record_exactly_once(client, settings, verb):
    settings.PUBLICATIONS_OAI_PAGE_SIZE = 3
    published = {identifier(PublicationFactory()) for _ in range(8)}
    PublicationFactory(status=Publication.Status.DRAFT)
    seen, cursors = [], []
    root = harvest(client, verb=verb, metadataPrefix="oai_dc")
    while True:
        container = root.find(f"{OAI}{verb}")
        seen += [h.find(f"{OAI}identifier").text for h in container.iter(f"{OAI}header")]
        token = container.find(f"{OAI}resumptionToken")
        assert token is not None
        assert token.get("completeListSize") == "8"
        cursors.append(int(token.get("cursor")))
        if not token.text:
            break
        root = harvest(client, method="post", verb=verb, resumptionToken=token.text)
        assert root.find(f"{OAI}request").attrib == {"verb": verb, "resumptionToken": token.text}
    assert sorted(seen) == sorted(published) and len(seen) == len(published)
    assert cursors == [0, 3, 6]


def test_a_token_for_another_verb_or_tampered_is_refused(client, settings):
    settings.PUBLICATIONS_OAI_PAGE_SIZE = 1
    PublicationFactory()
    PublicationFactory()
    root = harvest(client, verb="ListIdentifiers", metadataPrefix="oai_dc")
    token = root.find(f"{OAI}ListIdentifiers/{OAI}resumptionToken").text
    assert error_codes(harvest(client, verb="ListRecords", resumptionToken=token)) == ["badResumptionToken"]
    assert error_codes(harvest(client, verb="ListIdentifiers", resumptionToken=token[:-2] + "xx")) == [
        "badResumptionToken"
    ]


def test_list_query_count_does_not_grow(client, settings, django_assert_num_queries):
    settings.PUBLICATIONS_OAI_PAGE_SIZE = 50
    series = SeriesFactory()
    for _ in range(10):
        PublicationFactory(series=series, authors=[PersonFactory()])
    # set check, count, page, 3 prefetches
    with django_assert_num_queries(6):
        harvest(client, verb="ListRecords", metadataPrefix="oai_dc", set=series.slug)


# Every control character (C0, DEL, C1), the line and paragraph separators and XML's two non-characters. XML 1.0
# cannot hold most of them at all, not even as a character reference; none belongs in an OAI argument.
CONTROL_CHARACTERS = [chr(c) for c in (*range(0x20), *range(0x7F, 0xA0), 0x2028, 0x2029, 0xFFFE, 0xFFFF)]


def hostile_requests(collection, char):
    """(parameters, the expected error code): the character in each argument's value and in an argument's name."""
    ident = identifier(collection["first"])
    return [
        ({"verb": f"Identify{char}"}, "badVerb"),
        ({"verb": "Identify", f"ex{char}tra": "1"}, "badArgument"),
        ({"verb": "GetRecord", "identifier": f"{ident}{char}", "metadataPrefix": "oai_dc"}, "badArgument"),
        ({"verb": "GetRecord", "identifier": f"x{char}", "metadataPrefix": "oai_dc"}, "badArgument"),
        ({"verb": "GetRecord", "identifier": ident, "metadataPrefix": f"oai_dc{char}"}, "badArgument"),
        ({"verb": "ListMetadataFormats", "identifier": f"{ident}{char}"}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": f"{char}marc21"}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": f"abc{char}"}, "badArgument"),
        ({"verb": "ListIdentifiers", "metadataPrefix": "oai_dc", "from": f"2020-01-01{char}"}, "badArgument"),
        ({"verb": "ListIdentifiers", "metadataPrefix": "oai_dc", "until": f"{char}2030-01-01"}, "badArgument"),
        ({"verb": "ListRecords", "resumptionToken": f"token{char}"}, "badArgument"),
    ]


def test_control_characters_in_arguments_are_bad_arguments_in_well_formed_xml(client, collection):
    """A control character in any argument (GET or POST) is badArgument (badVerb in the verb), the answer parses
    as XML, and the bad value is echoed nowhere (neither in the request element nor in the message)."""
    for char in CONTROL_CHARACTERS:
        for params, code in hostile_requests(collection, char):
            for method in ("get", "post"):
                response = getattr(client, method)("/oai/", params)
                assert response.status_code == 200
                try:
                    root = ET.fromstring(response.content)
                except ET.ParseError as error:
                    pytest.fail(f"not well-formed XML for {method} {params!r}: {error}")
                assert error_codes(root) == [code], (method, params)
                assert root.find(f"{OAI}request").attrib == {}, (method, params)
                texts = [t for e in root.iter() for t in (e.text or "", *e.attrib.keys(), *e.attrib.values())]
                assert not [t for t in texts if char in t], (method, params)


def test_stored_text_with_characters_xml_cannot_hold_still_gives_well_formed_records(client, collection):
    """Text stored before validation existed (or by an import) loses what XML cannot carry; the rest is kept."""
    Publication.objects.filter(pk=collection["first"].pk).update(
        title="Usługi\x01 społeczne\x0b", abstract="A\x08\ufffeB"
    )
    root = harvest(client, verb="GetRecord", identifier=identifier(collection["first"]), metadataPrefix="oai_dc")
    assert root.find(f".//{DC}title").text.startswith("Usługi społeczne")
    assert root.find(f".//{DC}description").text == "AB"

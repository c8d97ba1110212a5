"""Inputs that used to be 500s or to disagree with the OpenAPI schema: deeply nested JSON, control characters in
path identifiers, non-ASCII digits, repeated and empty parameters, and the API's own 500 (JSON, not HTML)."""

import json

import jsonschema
import pytest
from django.test import Client
from django.urls import path

from monitoring.models import Response
from portal import urls as portal_urls
from publications.oai import oai_identifier
from tests.cooperatives.factories import CooperativeFactory, OfferFactory
from tests.cooperatives.selfservice_helpers import representative, staff_user
from tests.factories import api_token_header
from tests.monitoring.conftest import make_wave
from tests.publications.factories import PdfEditionFactory
from tests.trainings.factories import TrainingFactory, TrainingSessionFactory

pytestmark = pytest.mark.django_db


def nested(depth: int) -> str:
    """`depth` nested JSON arrays, written out (the encoder itself would hit the recursion limit)."""
    return "[" * depth + "]" * depth


@pytest.fixture
def schema(client):
    return client.get("/api/v1/schema/?format=json").json()


def query_parameter(schema, path, name) -> dict:
    [parameter] = [p for p in schema["paths"][path]["get"]["parameters"] if p["name"] == name]
    return parameter["schema"]


def accepts(parameter_schema, value) -> bool:
    """Whether the schema allows `value` sent as the parameter (a list parameter's value arrives as a list)."""
    if parameter_schema.get("type") == "array":
        value = [value]
    try:
        jsonschema.validate(value, parameter_schema, format_checker=jsonschema.FormatChecker())
    except jsonschema.ValidationError:
        return False
    return True


# --- Deeply nested JSON --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("depth", [33, 5000, 100_000])
def test_deeply_nested_json_to_any_write_endpoint_is_a_400(depth):
    cooperative = CooperativeFactory()
    offer = OfferFactory(cooperative=cooperative)
    wave = make_wave()
    organiser_training = TrainingFactory()
    TrainingSessionFactory(training=organiser_training)
    authorization = api_token_header(staff_user())
    body = f'{{"answers": {{"x": {nested(depth)}}}, "wave": {wave.pk}, "cooperative": "{cooperative.krs_number}"}}'
    client = Client(raise_request_exception=False)
    for method, url in [
        ("post", "/api/v1/responses/"),
        ("patch", f"/api/v1/manage/offers/{offer.pk}/"),
        ("patch", f"/api/v1/manage/cooperatives/{cooperative.krs_number}/"),
        ("post", f"/api/v1/trainings/{organiser_training.pk}/attendance/"),
    ]:
        response = getattr(client, method)(url, body, content_type="application/json", HTTP_AUTHORIZATION=authorization)
        assert response.status_code == 400, (url, response.content[:200])
        assert response.json() == {"detail": "Dane JSON są zagnieżdżone zbyt głęboko (najwyżej 32 poziomów)."}
    assert not Response.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        '{"title": "\\ud800"}',  # a lone high surrogate
        '{"service_area": "x\\udfce"}',  # a lone low one in a choice (its error message named it: a 500)
        '{"\\udbfe": 1}',  # in a key
        '{"answers": {"a": [["\\udbfe\\udbfe"]]}}',  # deep inside
    ],
)
def test_a_lone_surrogate_anywhere_in_a_json_body_is_a_400(body):
    cooperative = CooperativeFactory()
    offer = OfferFactory(cooperative=cooperative)
    authorization = api_token_header(representative(cooperative))
    client = Client(raise_request_exception=False)
    for method, url in [
        ("post", "/api/v1/manage/offers/"),
        ("patch", f"/api/v1/manage/offers/{offer.pk}/"),
        ("post", "/api/v1/responses/"),
    ]:
        response = getattr(client, method)(url, body, content_type="application/json", HTTP_AUTHORIZATION=authorization)
        assert response.status_code == 400, (url, response.content[:200])
        assert response.json() == {"detail": "Dane JSON zawierają niesparowany surogat UTF-16, który nie jest znakiem."}


def test_a_surrogate_pair_is_one_character_and_is_read():
    cooperative = CooperativeFactory()
    offer = OfferFactory(cooperative=cooperative)
    response = Client().patch(
        f"/api/v1/manage/offers/{offer.pk}/",
        '{"title": "Catering \\ud83c\\udf72", "version": ' + str(offer.version) + "}",
        content_type="application/json",
        HTTP_AUTHORIZATION=api_token_header(representative(cooperative)),
    )
    assert response.status_code == 200, response.content
    offer.refresh_from_db()
    assert offer.title == "Catering \U0001f372"


@pytest.mark.parametrize("field", ["cooperative", "category", "area_powiats", "area_voivodeships"])
def test_a_control_character_in_a_reference_is_a_field_error_not_a_database_error(field):
    """A slug or key naming another row is single-line text: NUL reached PostgreSQL (a 500) before."""
    cooperative = CooperativeFactory()
    offer = OfferFactory(cooperative=cooperative)
    authorization = api_token_header(representative(cooperative))
    body = {"cooperative": cooperative.krs_number, "title": "Catering", "category": "catering", "version": 1}
    client = Client(raise_request_exception=False)
    for bad in ("10\x00", "1\n0"):
        data = {**body, field: [bad] if field.startswith("area_") else bad}
        for method, url in [("post", "/api/v1/manage/offers/"), ("patch", f"/api/v1/manage/offers/{offer.pk}/")]:
            response = getattr(client, method)(
                url, json.dumps(data), content_type="application/json", HTTP_AUTHORIZATION=authorization
            )
            assert response.status_code == 400, (method, bad, response.content[:200])
            assert "bez znaków sterujących" in json.dumps(response.json()[field], ensure_ascii=False)
    offer.refresh_from_db()
    assert offer.title != "Catering" and cooperative.offers.count() == 1


def test_json_within_the_depth_limit_is_read():
    cooperative = CooperativeFactory()
    wave = make_wave()
    body = {"answers": {"members_at_risk": 5}, "wave": wave.pk, "cooperative": cooperative.krs_number}
    response = Client().post(
        "/api/v1/responses/",
        json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=api_token_header(representative(cooperative)),
    )
    assert response.status_code == 201


def test_the_api_reads_json_bodies_only():
    offer = OfferFactory()
    response = Client().patch(
        f"/api/v1/manage/offers/{offer.pk}/",
        "is_active=false&version=1",
        content_type="application/x-www-form-urlencoded",
        HTTP_AUTHORIZATION=api_token_header(representative(offer.cooperative)),
    )
    assert response.status_code == 415
    offer.refresh_from_db()
    assert offer.is_active is True


# --- Control characters in path identifiers ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/publications/%00/",
        "/api/v1/series/%00/",
        "/api/v1/publications/a%00b/",
        "/api/v1/authors/%00/",
        "/api/v1/categories/%00/",
        "/api/v1/waves/%00/",
        "/api/v1/trainings/%00/",
        "/api/v1/trainings/%00/enrolments/",
        "/api/v1/publications/%01/",
    ],
)
def test_a_control_character_in_a_path_identifier_is_a_json_404(url):
    PdfEditionFactory()
    response = Client(raise_request_exception=False).get(url)
    assert response.status_code == 404
    assert response.json() == {"detail": "Nie ma takiego adresu w API. Lista zasobów: /api/v1/."}


def test_every_detail_route_refuses_a_nul_identifier():
    """Walks the router: no detail route, of any app, takes a NUL into its lookup."""
    from portal.api_urls import router

    client = Client(raise_request_exception=False)
    checked = 0
    for prefix, viewset, _basename in router.registry:
        if not hasattr(viewset, "retrieve"):
            continue
        response = client.get(f"/api/v1/{prefix}/%00/")
        assert response.status_code == 404, prefix
        checked += 1
    assert checked >= 10


# --- Numbers ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("wave", ["²", "١", "1.5", "-1", "0", "99999999999999999999", " 1"])
def test_responses_refuse_a_wave_that_is_not_a_plain_number(wave):
    response = Client().get("/api/v1/responses/", {"wave": wave}, HTTP_AUTHORIZATION=api_token_header(staff_user()))
    assert response.status_code == 400
    assert list(response.json()) == ["wave"]


def test_responses_filter_by_wave():
    cooperative = CooperativeFactory()
    first, second = make_wave(), make_wave(name="Druga")
    Response.objects.create(wave=first, cooperative=cooperative)
    authorization = api_token_header(staff_user())
    body = Client().get("/api/v1/responses/", {"wave": str(first.pk)}, HTTP_AUTHORIZATION=authorization).json()
    assert [row["wave"] for row in body["results"]] == [first.pk]
    body = Client().get("/api/v1/responses/", {"wave": str(second.pk)}, HTTP_AUTHORIZATION=authorization).json()
    assert body["count"] == 0


@pytest.mark.parametrize(
    ("arguments", "code"),
    [
        ({"verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": "<prefix>²"}, "idDoesNotExist"),
        ({"verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": "<prefix>١"}, "idDoesNotExist"),
        (
            {"verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": "<prefix>99999999999999999999"},
            "idDoesNotExist",
        ),
        ({"verb": "ListMetadataFormats", "identifier": "<prefix>²"}, "idDoesNotExist"),
        ({"verb": "ListIdentifiers", "metadataPrefix": "oai_dc", "until": "9999-12-31"}, "badArgument"),
        ({"verb": "ListIdentifiers", "metadataPrefix": "oai_dc", "from": "٢٠٢٤-٠١-٠١"}, "badArgument"),
    ],
)
def test_oai_arguments_that_are_not_plain_numbers_or_dates_are_protocol_errors(arguments, code):
    publication = PdfEditionFactory().publication
    prefix = oai_identifier(publication).rsplit("/", 1)[0] + "/"
    query = {key: value.replace("<prefix>", prefix) for key, value in arguments.items()}
    response = Client(raise_request_exception=False).get("/oai/", query)
    assert response.status_code == 200
    assert f'code="{code}"' in response.content.decode()


# --- Repeated and empty parameters, and what the schema says about them --------------------------------------


def test_a_repeated_page_size_is_a_400_as_the_schema_says(schema):
    response = Client().get("/api/v1/waves/?page_size=garbage&page_size=5")
    assert response.status_code == 400
    assert response.json() == {"page_size": ["Podaj ten parametr tylko raz."]}
    parameter = [p for p in schema["paths"]["/api/v1/waves/"]["get"]["parameters"] if p["name"] == "page_size"][0]
    assert parameter.get("explode", True) is True and "array" not in json.dumps(parameter["schema"])
    assert not accepts(query_parameter(schema, "/api/v1/waves/", "page_size"), "garbage")


def test_a_repeated_single_valued_filter_is_a_400():
    # (voivodeship and the other facets take several values since issue 13; social_enterprise stays single.)
    response = Client().get("/api/v1/cooperatives/?social_enterprise=xx&social_enterprise=true")
    assert response.status_code == 400
    assert response.json() == {"social_enterprise": ["Podaj ten parametr tylko raz."]}


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/api/v1/cooperatives/", "voivodeship"),
        ("/api/v1/offers/", "gmina"),
        ("/api/v1/trainings/", "date_to"),
        ("/api/v1/trainings/", "date_from"),
        ("/api/v1/waves/", "page"),
        ("/api/v1/cooperatives/", "status"),
    ],
)
def test_an_empty_parameter_is_accepted_and_the_schema_says_so(schema, path, name):
    response = Client().get(path, {name: ""})
    assert response.status_code == 200
    assert accepts(query_parameter(schema, path, name), "")


def test_the_schema_still_refuses_what_the_api_refuses(schema):
    assert not accepts(query_parameter(schema, "/api/v1/cooperatives/", "voivodeship"), "1")
    assert Client().get("/api/v1/cooperatives/", {"voivodeship": "1"}).status_code == 400
    assert not accepts(query_parameter(schema, "/api/v1/trainings/", "date_to"), "2024-13-01")
    assert Client().get("/api/v1/trainings/", {"date_to": "2024-13-01"}).status_code == 400


# --- The API's 500 -------------------------------------------------------------------------------------------------


def _boom(request):
    raise RuntimeError("boom")


def _drf_boom():
    from rest_framework.decorators import api_view

    @api_view(["GET"])
    def view(request):
        raise RuntimeError("boom")

    return view


urlpatterns = [
    path("api/v1/test-boom/", _boom),
    path("api/v1/test-drf-boom/", _drf_boom()),
    path("test-page-boom/", _boom),
    *portal_urls.urlpatterns,
]
handler404 = portal_urls.handler404
handler500 = portal_urls.handler500


@pytest.mark.urls("tests.api.test_hardening")
@pytest.mark.parametrize("url", ["/api/v1/test-boom/", "/api/v1/test-drf-boom/"])
def test_an_api_500_is_json_without_details(url):
    response = Client(raise_request_exception=False).get(url)
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Błąd serwera. Spróbuj ponownie za kilka minut."}


@pytest.mark.urls("tests.api.test_hardening")
def test_a_page_500_stays_html():
    response = Client(raise_request_exception=False).get("/test-page-boom/")
    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/api/v1/cooperatives/", "search"),
        ("/api/v1/categories/", "parent"),
        ("/api/v1/publications/", "topic"),
        ("/api/v1/trainings/", "voivodeship"),
    ],
)
def test_free_text_parameters_refuse_control_characters_and_the_schema_says_so(client, schema, path, name):
    parameter = query_parameter(schema, path, name)
    for text in ("", "Łódź", "catering 2025"):
        assert accepts(parameter, text)
    for text in ("a\x01", "\x7f", "a\x85b", "a\u2028b", "a\tb"):
        assert not accepts(parameter, text)
        assert client.get(path, {name: text}).status_code == 400


def test_the_statistics_wave_is_a_positive_key_in_the_schema_as_in_the_api(schema):
    parameter = query_parameter(schema, "/api/v1/statistics/", "wave")
    assert accepts(parameter, 1) and not accepts(parameter, 0) and not accepts(parameter, 2**31)

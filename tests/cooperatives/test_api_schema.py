"""The OpenAPI schema is generated without warnings and documents parameters, enums and error responses; its
Swagger UI works offline."""

import re

import pytest
import yaml
from django.core.management import call_command

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def schema(tmp_path_factory):
    target = tmp_path_factory.mktemp("schema") / "openapi.yaml"
    # --fail-on-warn turns any warning of drf-spectacular into an error.
    call_command("spectacular", "--fail-on-warn", "--validate", "--file", str(target))
    return yaml.safe_load(target.read_text(encoding="utf-8"))


def parameters(schema, path):
    return {parameter["name"]: parameter for parameter in schema["paths"][path]["get"]["parameters"]}


PUBLIC_REGISTRY_PATHS = {
    "/api/v1/cooperatives/",
    "/api/v1/cooperatives/{krs_number}/",
    "/api/v1/offers/",
    "/api/v1/offers/{id}/",
    "/api/v1/categories/",
    "/api/v1/categories/{slug}/",
    "/api/v1/territorial-units/",
    "/api/v1/territorial-units/{code}/",
}


def test_every_endpoint_is_documented(schema):
    assert PUBLIC_REGISTRY_PATHS <= set(schema["paths"])
    # The public registry is read-only; representatives write through /api/v1/manage/.
    assert all(set(schema["paths"][path]) == {"get"} for path in PUBLIC_REGISTRY_PATHS)


EMPTY = {"type": "string", "enum": [""]}


def non_empty(parameter_schema: dict) -> dict:
    """An optional query parameter may also be empty (read as absent, core.schema): the schema of its values."""
    first, empty = parameter_schema["anyOf"]
    assert empty == EMPTY
    return first


def test_list_parameters_are_the_catalogues_with_pagination(schema):
    cooperative = parameters(schema, "/api/v1/cooperatives/")
    assert {
        "search",
        "voivodeship",
        "powiat",
        "gmina",
        "category",
        "target_group",
        "founder_type",
        "status",
        "social_enterprise",
        "certification",
        "reserved",
        "cpv",
        "ordering",
        "near",
        "km",
        "page",
        "page_size",
    } == set(cooperative)
    assert non_empty(cooperative["reserved"]["schema"])["enum"] == ["art94"]
    page_size = {"type": "integer", "minimum": 1, "maximum": 100, "default": 20}
    assert non_empty(cooperative["page_size"]["schema"]) == page_size
    # Several values (issue 13): an array, repeated or a comma list.
    voivodeship = cooperative["voivodeship"]["schema"]
    assert (voivodeship["type"], non_empty(voivodeship["items"])["pattern"]) == ("array", r"^\d{2}(,\d{2})*$")
    offer = parameters(schema, "/api/v1/offers/")
    assert {"serves", "service_area", "category", "search", "ordering", "page", "page_size", "cpv", "reserved"} <= set(
        offer
    )
    assert set(parameters(schema, "/api/v1/territorial-units/")) == {"level", "parent", "search", "page", "page_size"}
    krs = parameters(schema, "/api/v1/cooperatives/{krs_number}/")["krs_number"]
    assert (krs["in"], krs["schema"]["pattern"]) == ("path", r"^\d{10}$")


def test_enums_are_documented(schema):
    cooperative = parameters(schema, "/api/v1/cooperatives/")
    statuses = non_empty(cooperative["status"]["schema"]["items"])["enum"]
    assert set(statuses) == {"active", "inactive", "liquidation", "deleted"}
    assert set(non_empty(cooperative["ordering"]["schema"])["enum"]) == {"relevance", "name", "newest", "distance"}
    assert set(non_empty(cooperative["founder_type"]["schema"]["items"])["enum"]) == {"natural", "legal", "mixed"}
    assert set(non_empty(parameters(schema, "/api/v1/territorial-units/")["level"]["schema"])["enum"]) == {
        "voivodeship",
        "powiat",
        "gmina",
    }
    components = schema["components"]["schemas"]
    assert set(components["Cooperative"]["properties"]) >= {"krs_number", "address", "contact", "categories"}
    service_area = components["Offer"]["properties"]["service_area"]["allOf"][0]["$ref"]
    assert set(components[service_area.rsplit("/", 1)[1]]["enum"]) == {
        "local",
        "powiats",
        "voivodeships",
        "national",
    }


def test_errors_are_documented(schema):
    for path, operations in schema["paths"].items():
        if "get" not in operations:
            continue
        responses = operations["get"]["responses"]
        assert {"200", "404", "429"} <= set(responses), path
        if not path.endswith("}/"):
            assert "400" in responses, path
    paginated = schema["components"]["schemas"]["PaginatedCooperativeList"]
    assert set(paginated["properties"]) == {"count", "next", "previous", "results"}


def test_schema_endpoint_serves_openapi_3(client):
    response = client.get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    assert response.json()["openapi"].startswith("3.")


def test_swagger_ui_is_served_offline(client):
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    # No CDN or any other remote resource: every URL in the page is local.
    assert re.findall(r"https?://", html) == []
    # The start-up script is a separate same-origin response (the CSP allows no inline script); it loads the schema.
    script = client.get("/api/v1/docs/", {"script": ""}).content.decode()
    assert "/api/v1/schema/" in script
    assert re.findall(r"https?://", script) == []

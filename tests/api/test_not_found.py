"""URLs under /api/ that match no route answer with the API's JSON error; pages keep the HTML 404 page."""

import pytest

pytestmark = pytest.mark.django_db


def test_unrouted_api_url_is_a_json_404(client):
    response = client.get("/api/v1/authors/1.5/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Nie znaleziono."}


def test_unknown_page_is_the_html_404(client):
    response = client.get("/nie-ma-takiej-strony/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    assert "<h1" in response.content.decode()

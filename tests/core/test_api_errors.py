"""JSON errors from the API whatever goes wrong: unknown addresses, NUL bytes, session writes without CSRF."""

import pytest


def test_unknown_api_address_is_a_json_404(client):
    response = client.get("/api/v1/no-such-resource/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert "Nie ma takiego adresu" in response.json()["detail"]


@pytest.mark.django_db
def test_nul_byte_in_an_api_parameter_is_a_json_400(client):
    response = client.get("/api/v1/statistics/", {"voivodeship": "1\x000", "indicator": "employment"})
    assert response.status_code == 400
    assert response.json() == {"voivodeship": ["Wartość zawiera niedozwolony znak NUL."]}


@pytest.mark.django_db
def test_unknown_api_address_answers_json_even_to_a_session_write_without_csrf(territory):
    from django.test import Client

    from tests.factories import UserFactory

    client = Client(enforce_csrf_checks=True)
    client.force_login(UserFactory())
    response = client.delete("/api/v1/manage/offers/4.85e-55/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"

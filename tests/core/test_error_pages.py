"""Every 403, 404, 405, 500 and CSRF failure is a page of the portal in the visitor's language (Polish at /,
English under /en/); API paths keep JSON errors."""

import json

import pytest
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import path, reverse
from django.utils import translation

from core import errors
from portal.urls import urlpatterns as portal_patterns
from tests.cooperatives.factories import CooperativeFactory
from tests.cooperatives.selfservice_helpers import verified_user

pytestmark = pytest.mark.django_db


def _boom(request):
    raise RuntimeError("deliberate failure")


def _get_only(request):
    from django.views.decorators.http import require_GET

    return require_GET(lambda r: HttpResponse("ok"))(request)


# A URL configuration with a failing view, wired like the portal's (handlers included).
urlpatterns = [path("blad-testowy/", _boom), path("api/v1/blad-testowy/", _boom), *portal_patterns]
handler403 = "core.errors.permission_denied"
handler404 = "core.errors.page_not_found"
handler500 = "core.errors.server_error"


def is_portal_page(response, language: str) -> bool:
    html = response.content.decode()
    return f'<html lang="{language}">' in html and 'class="skip-link"' in html and 'id="main"' in html


@pytest.fixture
def signed_in(client):
    client.force_login(verified_user())
    return client


@pytest.mark.parametrize(
    ("prefix", "language", "heading"),
    [("", "pl", "Brak dostępu do tej strony"), ("/en", "en", "You do not have access to this page")],
)
def test_forbidden_is_a_styled_page_in_the_visitors_language(signed_in, prefix, language, heading):
    response = signed_in.get(prefix + "/panel/moderacja/")
    assert response.status_code == 403
    assert [t.name for t in response.templates][:2] == ["403.html", "base.html"]
    assert is_portal_page(response, language)
    assert heading in response.content.decode()
    assert "403 Forbidden" not in response.content.decode()


def test_forbidden_history_of_another_cooperative_is_styled(signed_in):
    response = signed_in.get(reverse("selfservice:history", args=[CooperativeFactory().krs_number]))
    assert response.status_code == 403
    assert is_portal_page(response, "pl")
    assert reverse("selfservice:dashboard") in response.content.decode()


@pytest.mark.parametrize(
    ("prefix", "language", "heading"),
    [("", "pl", "Nie znaleziono strony"), ("/en", "en", "Page not found")],
)
def test_not_found_is_a_styled_page_in_the_visitors_language(client, prefix, language, heading):
    response = client.get(prefix + "/nie-ma-takiej-strony/")
    assert response.status_code == 404
    assert is_portal_page(response, language)
    assert heading in response.content.decode()


@pytest.mark.parametrize(
    ("prefix", "language", "heading"),
    [
        ("", "pl", "Tej operacji nie można wykonać pod tym adresem"),
        ("/en", "en", "This action cannot be performed at this address"),
    ],
)
def test_wrong_method_is_a_styled_page_that_keeps_the_allow_header(signed_in, prefix, language, heading):
    response = signed_in.get(prefix + "/panel/zdjecia/1/usun/")  # POST only
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert is_portal_page(response, language)
    assert heading in response.content.decode()


def test_wrong_method_on_the_api_stays_json(client):
    response = client.delete("/api/v1/cooperatives/")
    assert response.status_code == 405
    assert response["Content-Type"] == "application/json"
    assert "detail" in response.json()


@pytest.mark.parametrize(
    ("prefix", "language", "heading"),
    [("", "pl", "Nie udało się wysłać formularza"), ("/en", "en", "The form could not be sent")],
)
def test_csrf_failure_is_a_styled_page_in_the_visitors_language(prefix, language, heading):
    client = Client(enforce_csrf_checks=True)
    response = client.post(prefix + "/panel/zapytanie/", {"subject": "x"})
    assert response.status_code == 403
    assert [t.name for t in response.templates][:2] == ["403_csrf.html", "base.html"]
    assert is_portal_page(response, language)
    assert heading in response.content.decode()


def test_csrf_failure_on_the_api_stays_json():
    response = errors.csrf_failure(RequestFactory().post("/api/v1/cooperatives/"), reason="no token")
    assert response.status_code == 403
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content)["detail"]


@pytest.mark.urls(__name__)
def test_server_error_is_the_portals_page(client):
    client.raise_request_exception = False
    response = client.get("/blad-testowy/")
    assert response.status_code == 500
    html = response.content.decode()
    assert '<html lang="pl">' in html and "Przepraszamy, wystąpił błąd" in html and 'id="main"' in html


@pytest.mark.urls(__name__)
def test_server_error_on_the_api_is_json(client):
    client.raise_request_exception = False
    response = client.get("/api/v1/blad-testowy/")
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert response.json()["detail"]


def test_server_error_page_renders_in_english_without_the_database(django_db_blocker):
    request = RequestFactory().get("/en/katalog/")
    with translation.override("en"), django_db_blocker.block():
        response = errors.server_error(request)
    html = response.content.decode()
    assert response.status_code == 500
    assert '<html lang="en">' in html
    assert "Sorry, something went wrong" in html
    assert 'href="/en/"' in html

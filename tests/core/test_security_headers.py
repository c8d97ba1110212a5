"""Security headers on every kind of response: an HTML page, an API response and a file download."""

import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from tests.cooperatives.factories import CooperativeFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def csp_directives(response) -> dict[str, list[str]]:
    header = response.headers["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def assert_security_headers(response):
    directives = csp_directives(response)
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["img-src"] == ["'self'", "data:", "https://tile.openstreetmap.org"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["form-action"] == ["'self'"]
    assert directives["base-uri"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    header = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in header
    assert "unsafe-eval" not in header
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    policy = response.headers["Permissions-Policy"]
    for feature in ("geolocation=()", "camera=()", "microphone=()", "payment=()", "usb=()"):
        assert feature in policy


def test_html_page_has_security_headers(client):
    response = client.get(reverse("cooperatives:home"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert_security_headers(response)


def test_api_response_has_security_headers(client):
    CooperativeFactory()
    response = client.get("/api/v1/cooperatives/")
    assert response.status_code == 200
    assert response.json()["count"] == 1
    assert_security_headers(response)


def test_file_download_has_security_headers(client):
    CooperativeFactory(name="Spółdzielnia Socjalna Pobierana")
    response = client.get(reverse("cooperatives:open-data-cooperatives", kwargs={"fmt": "csv"}))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert "Spółdzielnia Socjalna Pobierana".encode() in body
    assert_security_headers(response)


def test_error_page_has_security_headers(client):
    response = client.get("/nie-ma-takiej-strony/")
    assert response.status_code == 404
    assert_security_headers(response)


def test_api_docs_page_runs_without_inline_code_under_the_same_policy(client):
    page = client.get(reverse("api-docs"))
    assert page.status_code == 200
    assert_security_headers(page)
    html = page.content.decode()
    assert "<style" not in html
    assert "<script>" not in html
    # The start-up script comes as a separate same-origin JavaScript response.
    script = client.get(reverse("api-docs"), {"script": ""})
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()


def load_production_settings(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "x" * 64)
    monkeypatch.setenv("MONITORING_PERTURBATION_KEY", "y" * 32)
    monkeypatch.setenv("DATABASE_URL", "sqlite:///unused.sqlite3")
    monkeypatch.delenv("SECURE_SSL_REDIRECT", raising=False)
    monkeypatch.delenv("SECURE_HSTS_SECONDS", raising=False)
    return importlib.reload(importlib.import_module("portal.settings.prod"))


def test_production_settings_make_cookies_secure_and_enable_hsts(monkeypatch):
    prod = load_production_settings(monkeypatch)

    assert prod.SESSION_COOKIE_SECURE is True
    assert prod.CSRF_COOKIE_SECURE is True
    assert prod.SESSION_COOKIE_HTTPONLY is True
    assert prod.CSRF_COOKIE_HTTPONLY is True
    assert prod.SESSION_COOKIE_SAMESITE == "Lax"
    assert prod.SECURE_HSTS_SECONDS >= 31536000
    assert prod.SECURE_HSTS_INCLUDE_SUBDOMAINS is True
    assert prod.SECURE_SSL_REDIRECT is True
    assert prod.CONTENT_SECURITY_POLICY["DIRECTIVES"]["script-src"] == ["'self'"]


def test_session_cookie_is_httponly_and_samesite(client):
    user = UserFactory()
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    response = client.post(reverse("account_login"), {"login": user.email, "password": "haslo-testowe-123"})
    assert response.status_code == 302
    cookie = response.cookies["sessionid"]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"


def test_production_settings_pass_the_deploy_check():
    """The same command .ci/run uses; a production setting weakened later fails here first."""
    root = Path(__file__).resolve().parents[2]
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.prod",
        "SECRET_KEY": "k" * 30 + "Q7-deploy-check-only-" + "z" * 30,
        "MONITORING_PERTURBATION_KEY": "deploy-check-only",
        "DATABASE_URL": "sqlite:///unused.sqlite3",
        "ALLOWED_HOSTS": "portal.example.org",
    }
    # DJANGO_ALLOW_ASYNC_UNSAFE is set by the browser tests' harness (tests/e2e), never by a deployment.
    for name in ("SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"):
        environment.pop(name, None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=root,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout

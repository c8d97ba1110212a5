"""The admin: at the configurable ADMIN_URL only, logged into through allauth, and only with a second factor."""

import importlib
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.conf import settings
from django.contrib import admin
from django.urls import clear_url_caches, reverse

from tests.factories import UserFactory

PASSWORD = "haslo-testowe-123"


def staff_user(*, totp_secret: str | None):
    user = UserFactory(is_staff=True, is_superuser=True, totp=False)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    if totp_secret:
        TOTP.activate(user, totp_secret)
    return user


def current_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))


def test_admin_is_mounted_at_admin_url():
    assert reverse("admin:index") == "/" + settings.ADMIN_URL


@pytest.mark.django_db
@pytest.mark.usefixtures("_restore_urlconf")
def test_admin_url_is_configurable(client, settings):
    settings.ADMIN_URL = "zaplecze-7f3c/"
    reload_urlconf()
    assert reverse("admin:index") == "/zaplecze-7f3c/"
    assert client.get("/zaplecze-7f3c/")["Location"].startswith("/zaplecze-7f3c/login/")
    assert client.get("/" + "admin/").status_code == 404


def reload_urlconf():
    import portal.urls

    # portal.urls wraps the admin's log-in view in allauth's; unwrap it so a reload does not wrap it twice.
    admin.site.login = getattr(admin.site.login, "__wrapped__", admin.site.login)
    clear_url_caches()
    importlib.reload(portal.urls)
    clear_url_caches()


@pytest.fixture
def _restore_urlconf():
    """Torn down after pytest-django's `settings` fixture has put ADMIN_URL back: rebuild the URLs with it."""
    yield
    reload_urlconf()


@pytest.mark.django_db
def test_staff_log_into_the_admin_with_password_and_totp(client):
    secret = generate_totp_secret()
    user = staff_user(totp_secret=secret)
    # The admin's own log-in sends to allauth's.
    response = client.get(reverse("admin:login"))
    assert response["Location"].startswith(reverse("account_login"))
    # The password alone does not sign in: allauth asks for the TOTP code.
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("admin:index"))["Location"].startswith(reverse("admin:login"))
    # A wrong code is refused, the right one completes the log-in.
    client.post(reverse("mfa_authenticate"), {"code": "000000" if current_code(secret) != "000000" else "111111"})
    assert "_auth_user_id" not in client.session
    client.post(reverse("mfa_authenticate"), {"code": current_code(secret)})
    assert client.session["_auth_user_id"] == str(user.pk)
    assert client.get(reverse("admin:index")).status_code == 200


@pytest.mark.django_db
def test_staff_without_totp_cannot_use_the_admin(client):
    user = staff_user(totp_secret=None)
    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert client.session["_auth_user_id"] == str(user.pk)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


def test_no_hard_coded_admin_path_in_templates_or_tests():
    """Links to the admin are reversed ("admin:...") or built from settings.ADMIN_URL, never written out."""
    needles = [quote + "/" + "admin" for quote in "\"'"]
    root = Path(settings.BASE_DIR)
    offenders = []
    for folder, pattern in (("templates", "*.html"), ("tests", "*.py"), (".", "*.py")):
        paths = root.joinpath(folder).rglob(pattern) if folder != "." else root.glob("*/*.py")
        for path in paths:
            if ".venv" in path.parts:
                continue
            text = path.read_text(encoding="utf-8")
            if any(needle in text for needle in needles):
                offenders.append(str(path.relative_to(root)))
    assert offenders == []

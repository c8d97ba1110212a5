"""Authentication events and refused requests are logged to "portal.security": who, when, where; no passwords."""

import logging

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts.roles import MINISTRY_STAFF
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "haslo-testowe-123"
NEW_PASSWORD = "Spoldzielnia-Socjalna-2026!"
AGENT = "Przegladarka-Testowa/1.0"


@pytest.fixture
def user():
    user = UserFactory(email="jan@example.org")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


@pytest.fixture
def security_log(caplog):
    caplog.set_level(logging.INFO, logger="portal.security")

    def records(event: str):
        return [r.security for r in caplog.records if r.name == "portal.security" and r.security["event"] == event]

    records.text = lambda: caplog.text
    return records


def login(client, email, password):
    credentials = {"login": email, "password": password}
    return client.post(reverse("account_login"), credentials, HTTP_USER_AGENT=AGENT, REMOTE_ADDR="203.0.113.7")


def test_login_is_logged_with_who_and_where(client, user, security_log):
    login(client, user.email, PASSWORD)
    [record] = security_log("login")
    assert record["user_id"] == str(user.pk)
    assert record["email"] == "jan@example.org"
    assert record["ip"] == "203.0.113.7"
    assert record["path"] == reverse("account_login")
    assert record["user_agent"] == AGENT
    assert PASSWORD not in security_log.text()


def test_failed_login_is_logged_without_the_password(client, user, security_log, caplog):
    login(client, user.email, "zle-haslo-wpisane")
    [record] = security_log("login_failed")
    assert record["email"] == "jan@example.org"
    assert record["user_id"] == "-"
    assert record["ip"] == "203.0.113.7"
    failed = [r for r in caplog.records if r.name == "portal.security"]
    assert failed[0].levelno == logging.WARNING
    assert "zle-haslo-wpisane" not in security_log.text()
    assert not security_log("login")


def test_lockout_is_logged(client, user, security_log):
    for _ in range(5):
        login(client, user.email, "zle-haslo")
    response = login(client, user.email, PASSWORD)  # the right password, but the address is locked out
    assert "_auth_user_id" not in client.session
    assert response.status_code == 200
    [record] = security_log("lockout")
    assert record["email"] == "jan@example.org"
    assert record["ip"] == "203.0.113.7"
    assert len(security_log("login_failed")) == 5


def test_logout_is_logged(client, user, security_log):
    client.force_login(user)
    client.post(reverse("account_logout"), HTTP_USER_AGENT=AGENT)
    [record] = security_log("logout")
    assert record["user_id"] == str(user.pk)
    assert record["path"] == reverse("account_logout")


def test_password_change_is_logged(client, user, security_log):
    login(client, user.email, PASSWORD)
    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    [record] = security_log("password_changed")
    assert record["user_id"] == str(user.pk)
    assert NEW_PASSWORD not in security_log.text()
    assert PASSWORD not in security_log.text()


def test_password_reset_is_logged(client, user, security_log, mailoutbox, django_capture_on_commit_callbacks):
    import re

    with django_capture_on_commit_callbacks(execute=True):  # the e-mail task runs (eagerly)
        client.post(reverse("account_reset_password"), {"email": user.email})
    link = re.search(r"https?://testserver(/\S+)", mailoutbox[0].body).group(1)
    page = client.get(link, follow=True)
    client.post(page.redirect_chain[-1][0], {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    [record] = security_log("password_reset")
    assert record["user_id"] == str(user.pk)
    assert NEW_PASSWORD not in security_log.text()


def test_permission_denied_page_is_logged(client, user, security_log):
    client.force_login(user)
    response = client.get(reverse("selfservice:moderation"), HTTP_USER_AGENT=AGENT)
    assert response.status_code == 403
    [record] = security_log("access_refused_forbidden")
    assert record["user_id"] == str(user.pk)
    assert record["path"] == reverse("selfservice:moderation")
    assert record["method"] == "GET"
    assert record["status"] == 403


def test_api_401_for_anonymous_is_logged(client, security_log):
    response = client.get("/api/v1/manage/offers/")
    assert response.status_code in (401, 403)
    [record] = security_log(
        "access_refused_unauthenticated" if response.status_code == 401 else "access_refused_forbidden"
    )
    assert record["user_id"] == "-"
    assert record["path"] == "/api/v1/manage/offers/"


def test_api_403_for_a_token_user_without_the_right_is_logged(client, security_log):
    from tests.factories import api_token_header
    from tests.trainings.factories import TrainingFactory

    outsider = UserFactory()
    path = f"/api/v1/trainings/{TrainingFactory().pk}/enrolments/"
    response = client.get(path, HTTP_AUTHORIZATION=api_token_header(outsider))
    assert response.status_code == 403
    [record] = security_log("access_refused_forbidden")
    assert record["path"] == path
    # DRF authenticates token clients inside the view; the record still names them.
    assert record["user_id"] == str(outsider.pk)


def test_staff_refused_by_the_two_factor_check_on_the_api_is_logged(client, security_log):
    staff = UserFactory()
    staff.groups.add(Group.objects.get(name=MINISTRY_STAFF))
    client.force_login(staff)
    assert client.get("/api/v1/manage/offers/").status_code == 403
    [record] = security_log("access_refused_forbidden")
    assert record["user_id"] == str(staff.pk)


def test_successful_pages_are_not_logged(client, caplog):
    caplog.set_level(logging.INFO, logger="portal.security")
    assert client.get(reverse("cooperatives:home")).status_code == 200
    assert [r for r in caplog.records if r.name == "portal.security"] == []


def test_wrong_totp_code_is_logged(client, user, security_log):
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    from .test_security_admin import current_code

    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    response = login(client, user.email, PASSWORD)
    assert response["Location"] == reverse("mfa_authenticate")
    wrong = "000000" if current_code(secret) != "000000" else "111111"
    client.post(reverse("mfa_authenticate"), {"code": wrong}, REMOTE_ADDR="203.0.113.7")
    assert "_auth_user_id" not in client.session
    [record] = security_log("mfa_failed")
    assert record["email"] == f"{user.pk}:{user.email}"
    assert record["ip"] == "203.0.113.7"
    assert record["path"] == reverse("mfa_authenticate")
    assert not security_log("login")

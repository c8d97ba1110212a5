"""Accounts through allauth: sign-up with e-mail verification, lock-out, CSRF, and 2FA required for staff."""

import re

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.auth.models import Group
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import User
from accounts.roles import MINISTRY_STAFF, REGIONAL_COORDINATOR, requires_two_factor
from tests.factories import UserFactory

PASSWORD = "haslo-testowe-123"
STRONG = "Spoldzielnia-Socjalna-2026!"


def _verified_user(**kwargs):
    from allauth.account.models import EmailAddress

    user = UserFactory(**kwargs)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def _logged_in(client) -> bool:
    return "_auth_user_id" in client.session


@pytest.mark.django_db
def test_signup_requires_email_verification_then_logs_in(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # the e-mail task runs (eagerly)
        response = client.post(
            reverse("account_signup"),
            {"email": "nowa@example.org", "password1": STRONG, "password2": STRONG},
        )
    assert response.status_code == 302
    user = User.objects.get(email="nowa@example.org")
    assert not _logged_in(client)
    assert [m.to for m in mail.outbox] == [["nowa@example.org"]]

    # Log-in is refused until the address is confirmed.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_login"), {"login": "nowa@example.org", "password": STRONG})
    assert not _logged_in(client)

    link = re.search(r"https?://testserver(/\S+)", mail.outbox[-1].body).group(1)
    assert client.get(link).status_code == 200
    response = client.post(link)
    assert response.status_code == 302
    assert user.emailaddress_set.get().verified
    assert _logged_in(client)


@pytest.mark.django_db
def test_signup_rejects_weak_password(client):
    response = client.post(
        reverse("account_signup"), {"email": "slabe@example.org", "password1": "12345678", "password2": "12345678"}
    )
    assert response.status_code == 200
    assert not User.objects.filter(email="slabe@example.org").exists()
    assert response.context["form"].errors["password1"]


@pytest.mark.django_db
def test_lockout_after_repeated_failed_logins(client):
    user = _verified_user()
    for _attempt in range(5):
        response = client.post(reverse("account_login"), {"login": user.email, "password": "zle-haslo"})
        assert response.status_code == 200
        assert not _logged_in(client)
    # The right password no longer helps while the address is locked out.
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert not _logged_in(client)
    assert "Zbyt wiele nieudanych prób logowania" in response.content.decode()


@pytest.mark.django_db
def test_login_works_with_correct_password(client):
    user = _verified_user()
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert _logged_in(client)


@pytest.mark.django_db
def test_login_form_enforces_csrf():
    user = _verified_user()
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 403
    assert not _logged_in(client)


@pytest.mark.django_db
def test_account_pages_use_portal_layout_in_polish(client):
    response = client.get(reverse("account_login"))
    html = response.content.decode()
    assert html.count("<h1") == 1
    assert 'class="skip-link"' in html  # the portal's base.html
    assert "Zaloguj" in html


@pytest.mark.django_db
@pytest.mark.parametrize("group", [MINISTRY_STAFF, REGIONAL_COORDINATOR])
def test_staff_without_totp_are_sent_to_set_it_up(client, group):
    user = _verified_user()
    user.groups.add(Group.objects.get(name=group))
    assert requires_two_factor(user)
    # A real log-in (not force_login), so allauth knows the user has just authenticated.
    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    response = client.get(reverse("selfservice:dashboard"))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")
    # The set-up pages are reachable (allauth asks for the password again before adding a factor).
    response = client.get(reverse("mfa_activate_totp"), follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("account_reauthenticate"))
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assert client.get(reverse("mfa_activate_totp")).status_code == 200

    TOTP.activate(user, generate_totp_secret())
    assert client.get(reverse("selfservice:dashboard")).status_code == 200


@pytest.mark.django_db
def test_plain_users_are_not_forced_to_use_totp(client):
    user = _verified_user()
    assert not requires_two_factor(user)
    client.force_login(user)
    assert client.get(reverse("selfservice:dashboard")).status_code == 200
    assert client.get(reverse("mfa_index")).status_code == 200


@pytest.mark.django_db
def test_account_nav_in_layout(client):
    html = client.get(reverse("account_login")).content.decode()
    assert reverse("account_signup") in html
    client.force_login(_verified_user())
    html = client.get(reverse("selfservice:dashboard")).content.decode()
    assert reverse("account_logout") in html


@pytest.mark.django_db
def test_staff_session_without_totp_cannot_use_the_write_api(client):
    user = _verified_user()
    user.groups.add(Group.objects.get(name=MINISTRY_STAFF))
    client.force_login(user)
    response = client.get("/api/v1/manage/offers/")
    assert response.status_code == 403
    assert "TOTP" in response.json()["detail"]
    TOTP.activate(user, generate_totp_secret())
    assert client.get("/api/v1/manage/offers/").status_code == 200


@pytest.mark.django_db
def test_password_reset_mails_the_account_owner_only(client, django_capture_on_commit_callbacks):
    user = _verified_user()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_reset_password"), {"email": user.email})
    assert [m.to for m in mail.outbox] == [[user.email]]
    link = re.search(r"https?://testserver(/\S+)", mail.outbox[0].body).group(1)
    response = client.get(link, follow=True)
    assert response.status_code == 200
    client.post(response.redirect_chain[-1][0], {"password1": STRONG, "password2": STRONG})
    user.refresh_from_db()
    assert user.check_password(STRONG)


@pytest.mark.django_db
def test_admin_login_goes_through_allauth(client):
    response = client.get(reverse("admin:login"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))

"""Failed log-ins: strict per account, tolerant per client address (many users may share one behind a NAT).

Settings: ACCOUNT_RATE_LIMITS in portal/settings/base.py; accounts/README.md."""

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "haslo-testowe-123"
OFFICE = "192.0.2.10"  # one address for a whole office


def verified_user():
    user = UserFactory()
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def log_in(client, email, password, ip=OFFICE):
    client.cookies.clear()
    return client.post(reverse("account_login"), {"login": email, "password": password}, REMOTE_ADDR=ip)


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_colleagues_mistyping_their_passwords_do_not_lock_out_the_office(client):
    """Thirty people behind one address each mistype once or twice in the same few minutes (the old per-address
    limit, 10 a minute, locked everyone out after the tenth)."""
    for n in range(30):
        for _ in range(1 + n % 2):
            log_in(client, f"pracownik{n}@example.org", "literowka")
    user = verified_user()
    log_in(client, user.email, PASSWORD)
    assert signed_in(client)


def test_one_user_hammering_a_locked_account_does_not_lock_out_the_office(client):
    locked = verified_user()
    for _ in range(40):
        log_in(client, locked.email, "zle-haslo")
    log_in(client, locked.email, PASSWORD)
    assert not signed_in(client)  # the account itself stays locked: strict per account
    colleague = verified_user()
    log_in(client, colleague.email, PASSWORD)
    assert signed_in(client)


def test_the_account_limit_applies_from_every_address(client):
    user = verified_user()
    for n in range(5):
        log_in(client, user.email, "zle-haslo", ip=f"198.51.100.{n}")
    response = log_in(client, user.email, PASSWORD, ip="198.51.100.99")
    assert not signed_in(client)
    assert "Zbyt wiele nieudanych prób logowania" in response.content.decode()


def test_an_address_spraying_passwords_over_many_accounts_is_still_stopped(client):
    for n in range(100):
        log_in(client, f"ofiara{n}@example.org", "Haslo2026!")
    user = verified_user()
    response = log_in(client, user.email, PASSWORD)
    assert not signed_in(client)
    assert "Zbyt wiele nieudanych prób logowania" in response.content.decode()
    # Another address is not affected.
    log_in(client, user.email, PASSWORD, ip="198.51.100.7")
    assert signed_in(client)

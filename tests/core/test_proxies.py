"""Proxy headers are believed only from TRUSTED_PROXIES: client address (API throttle, allauth's limits, public
forms, security log) and scheme (SECURE_PROXY_SSL_HEADER). core/proxies.py."""

import logging

import pytest
from allauth.account.adapter import get_adapter
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory, override_settings
from django.urls import reverse

from core.middleware import TrustedProxyMiddleware
from core.proxies import client_ip
from tests.factories import UserFactory

PROXY = "10.0.0.5"
CLIENT = "198.51.100.20"
ATTACKER = "203.0.113.66"
THREE_PER_MINUTE = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "3/min"}}


def request_from(peer: str, **headers):
    request = RequestFactory().get("/", REMOTE_ADDR=peer, **headers)
    TrustedProxyMiddleware(lambda r: None)(request)
    return request


# --- The helper -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("trusted", "peer", "forwarded_for", "expected"),
    [
        ([], ATTACKER, "192.0.2.1", ATTACKER),  # nobody is trusted by default
        (["10.0.0.0/24"], ATTACKER, "192.0.2.1", ATTACKER),  # a client claiming to be forwarded
        (["10.0.0.0/24"], PROXY, CLIENT, CLIENT),
        (["10.0.0.0/24"], PROXY, f"192.0.2.1, {CLIENT}", CLIENT),  # the client's own prefix is ignored
        (["10.0.0.0/24", "10.1.0.7"], PROXY, f"192.0.2.1, {CLIENT}, 10.1.0.7", CLIENT),  # two proxies
        (["10.0.0.0/24"], PROXY, "", PROXY),  # the proxy's own request
        (["10.0.0.0/24"], PROXY, f"nonsense, {CLIENT}", CLIENT),
        (["10.0.0.0/24"], PROXY, "nonsense", PROXY),  # nothing usable: the proxy
        (["10.0.0.0/24"], PROXY, "10.0.0.9", "10.0.0.9"),  # only proxies: the farthest
        (["2001:db8::/64"], "2001:db8::5", "2001:db8:1::9", "2001:db8:1::9"),
    ],
)
def test_client_ip(trusted, peer, forwarded_for, expected):
    with override_settings(TRUSTED_PROXIES=trusted):
        assert client_ip(request_from(peer, HTTP_X_FORWARDED_FOR=forwarded_for)) == expected


def test_proxy_headers_from_an_untrusted_peer_are_dropped_before_anything_reads_them():
    assert settings.MIDDLEWARE[0] == "core.middleware.TrustedProxyMiddleware"
    headers = {"HTTP_X_FORWARDED_FOR": "192.0.2.1", "HTTP_X_FORWARDED_PROTO": "https", "HTTP_FORWARDED": "for=x"}
    with override_settings(TRUSTED_PROXIES=["10.0.0.0/24"]):
        untrusted = request_from(ATTACKER, **headers)
        trusted = request_from(PROXY, **headers)
    assert not {key for key in untrusted.META if "FORWARDED" in key}
    assert trusted.META["HTTP_X_FORWARDED_PROTO"] == "https"


def test_a_malformed_setting_stops_start_up():
    with override_settings(TRUSTED_PROXIES=["10.0.0.0/24", "proxy.example"]), pytest.raises(ImproperlyConfigured):
        TrustedProxyMiddleware(lambda r: None)


# --- The scheme -------------------------------------------------------------------------------------------------


@pytest.mark.django_db
@override_settings(
    SECURE_SSL_REDIRECT=True, SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"), TRUSTED_PROXIES=[PROXY]
)
def test_x_forwarded_proto_is_believed_only_from_a_trusted_proxy(client):
    path = reverse("core:accessibility-statement")
    # A client that claims HTTPS over plain HTTP is still sent to HTTPS (and gets no Secure-only treatment).
    response = client.get(path, REMOTE_ADDR=ATTACKER, HTTP_X_FORWARDED_PROTO="https")
    assert response.status_code == 301
    assert response["Location"].startswith("https://")
    # The proxy terminating TLS says so, and is believed.
    assert client.get(path, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_PROTO="https").status_code == 200


# --- The API throttle -------------------------------------------------------------------------------------------


@pytest.mark.django_db
@override_settings(REST_FRAMEWORK=THREE_PER_MINUTE)
def test_rotating_x_forwarded_for_does_not_escape_the_api_rate_limit(client, territory):
    statuses = [
        client.get("/api/v1/categories/", REMOTE_ADDR=ATTACKER, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}").status_code
        for n in range(6)
    ]
    assert statuses == [200, 200, 200, 429, 429, 429]


@pytest.mark.django_db
@override_settings(REST_FRAMEWORK=THREE_PER_MINUTE, TRUSTED_PROXIES=["10.0.0.0/24"])
def test_behind_a_trusted_proxy_each_client_has_its_own_api_budget(client, territory):
    def get(forwarded_for):
        return client.get("/api/v1/categories/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded_for).status_code

    assert [get(f"192.0.2.{n}, {CLIENT}") for n in range(4)] == [200, 200, 200, 429]  # rotating its own prefix
    assert get("198.51.100.21") == 200  # another client behind the same proxy


# --- allauth's rate limits and the security log -----------------------------------------------------------------


@override_settings(TRUSTED_PROXIES=["10.0.0.0/24"])
def test_allauth_counts_per_ip_limits_by_the_same_client_address():
    adapter = get_adapter()
    assert adapter.get_client_ip(request_from(ATTACKER, HTTP_X_FORWARDED_FOR="192.0.2.1")) == ATTACKER
    assert adapter.get_client_ip(request_from(PROXY, HTTP_X_FORWARDED_FOR=f"192.0.2.1, {CLIENT}")) == CLIENT


@pytest.mark.django_db
def test_rotating_x_forwarded_for_does_not_escape_the_per_ip_log_in_limit(client):
    users = [UserFactory() for _ in range(4)]
    for user in users:
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    limits = {**settings.ACCOUNT_RATE_LIMITS, "login_failed": "5/15m/key,2/m/ip"}
    with override_settings(ACCOUNT_RATE_LIMITS=limits):
        for n, user in enumerate(users[:2]):
            client.post(
                reverse("account_login"),
                {"login": user.email, "password": "zle-haslo"},
                REMOTE_ADDR=ATTACKER,
                HTTP_X_FORWARDED_FOR=f"192.0.2.{n}",
            )
        response = client.post(
            reverse("account_login"),
            {"login": users[3].email, "password": "haslo-testowe-123"},
            REMOTE_ADDR=ATTACKER,
            HTTP_X_FORWARDED_FOR="192.0.2.99",
        )
    assert "_auth_user_id" not in client.session
    assert "Zbyt wiele nieudanych prób logowania" in response.content.decode()


@pytest.mark.django_db
@override_settings(TRUSTED_PROXIES=["10.0.0.0/24"])
def test_behind_a_trusted_proxy_the_per_ip_log_in_limit_counts_each_client_apart(client):
    """Before, allauth counted REMOTE_ADDR: behind the proxy every visitor shared one budget."""
    users = [UserFactory() for _ in range(3)]
    for user in users:
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    limits = {**settings.ACCOUNT_RATE_LIMITS, "login_failed": "5/15m/key,2/m/ip"}
    with override_settings(ACCOUNT_RATE_LIMITS=limits):
        for user in users[:2]:
            credentials = {"login": user.email, "password": "zle-haslo"}
            client.post(reverse("account_login"), credentials, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=ATTACKER)
        credentials = {"login": users[2].email, "password": "haslo-testowe-123"}
        client.post(reverse("account_login"), credentials, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=CLIENT)
    assert client.session["_auth_user_id"] == str(users[2].pk)


@pytest.mark.django_db
@override_settings(TRUSTED_PROXIES=["10.0.0.0/24"])
def test_the_security_log_records_the_client_address(client, caplog):
    caplog.set_level(logging.INFO, logger="portal.security")
    credentials = {"login": "nikt@example.org", "password": "zle-haslo"}
    client.post(reverse("account_login"), credentials, REMOTE_ADDR=ATTACKER, HTTP_X_FORWARDED_FOR="192.0.2.1")
    client.post(reverse("account_login"), credentials, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"192.0.2.1, {CLIENT}")
    ips = [r.security["ip"] for r in caplog.records if r.name == "portal.security"]
    assert ips == [ATTACKER, CLIENT]


@pytest.mark.django_db
@override_settings(TRUSTED_PROXIES=["10.0.0.0/24"], PORTAL_PUBLIC_FORM_RATE=(1, 3600))
def test_public_forms_count_per_client_behind_the_proxy(client):
    from cooperatives.models import ErrorReport
    from tests.cooperatives.factories import CooperativeFactory

    url = reverse("selfservice:report-error", args=[CooperativeFactory().krs_number])

    def report(forwarded_for):
        data = {"message": "Telefon jest nieaktualny."}
        return client.post(url, data, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded_for).status_code

    assert report(CLIENT) == 302
    assert report(f"192.0.2.7, {CLIENT}") == 429  # the same client, whatever it prepends
    assert report("198.51.100.21") == 302  # another client behind the same proxy
    assert ErrorReport.objects.count() == 2

"""/metrics (core/metrics.py): Prometheus metrics for the monitoring system only, a 404 for everybody else."""

import pytest
from django.test import override_settings

pytestmark = pytest.mark.django_db

TOKEN = "metrics-token-from-the-environment-0123456789"


def scrape(client, **extra):
    return client.get("/metrics", **extra)


def test_nobody_gets_the_metrics_by_default(client):
    response = scrape(client)
    assert response.status_code == 404
    assert b"django_http_requests" not in response.content


@override_settings(METRICS_ALLOWED_IPS=["10.0.0.0/8"])
def test_an_address_outside_the_allowed_networks_gets_a_404(client):
    assert scrape(client, REMOTE_ADDR="192.0.2.7").status_code == 404


@override_settings(METRICS_ALLOWED_IPS=["10.0.0.0/8"], TRUSTED_PROXIES=[])
def test_a_forged_forwarded_address_does_not_open_the_metrics(client):
    assert scrape(client, REMOTE_ADDR="192.0.2.7", HTTP_X_FORWARDED_FOR="10.1.2.3").status_code == 404


@override_settings(METRICS_ALLOWED_IPS=["10.0.0.0/8", "127.0.0.1"])
def test_an_allowed_address_gets_the_request_metrics(client):
    client.get("/healthz")
    response = scrape(client, REMOTE_ADDR="10.20.30.40")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert "django_http_requests_total_by_method_total" in text
    assert 'django_http_responses_total_by_status_total{status="200"}' in text
    assert "no-cache" in response["Cache-Control"]


@override_settings(METRICS_TOKEN=TOKEN)
@pytest.mark.parametrize(
    ("header", "status"),
    [(f"Bearer {TOKEN}", 200), (f"bearer {TOKEN}", 200), ("Bearer wrong", 404), (TOKEN, 404), ("Bearer ", 404)],
)
def test_the_bearer_token_opens_the_metrics_from_anywhere(client, header, status):
    response = scrape(client, REMOTE_ADDR="192.0.2.7", HTTP_AUTHORIZATION=header)
    assert response.status_code == status
    assert (b"django_http_requests" in response.content) is (status == 200)


@override_settings(METRICS_TOKEN=TOKEN)
def test_the_metrics_middleware_and_the_scrape_make_no_query(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert client.get("/healthz").status_code == 200
        assert scrape(client, HTTP_AUTHORIZATION=f"Bearer {TOKEN}").status_code == 200

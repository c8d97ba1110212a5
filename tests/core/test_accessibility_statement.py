"""The accessibility statement (Deklaracja dostępności) in the form the act of 4 April 2019 requires."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

URL = "/deklaracja-dostepnosci/"


def test_statement_is_at_its_polish_address():
    assert reverse("core:accessibility-statement") == URL


def test_statement_has_every_required_part(client, settings):
    settings.ACCESSIBILITY_STATEMENT_PREPARED = "2026-03-15"
    settings.ACCESSIBILITY_STATEMENT_REVIEWED = "2026-09-30"
    settings.ACCESSIBILITY_SITE_PUBLISHED = "2026-01-10"
    settings.ACCESSIBILITY_SITE_UPDATED = "2026-11-02"
    settings.ACCESSIBILITY_CONTACT_EMAIL = "dostepnosc@portal.example.org"
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<h1") == 1
    assert "Deklaracja dostępności" in html
    # Commitment, the site's name and address.
    assert "zobowiązuje się zapewnić dostępność" in html
    assert "ustawą z dnia 4 kwietnia 2019 r. o dostępności cyfrowej" in html
    assert 'id="a11y-url" href="http://testserver/"' in html
    assert "Portal spółdzielni socjalnych" in html
    # Dates: publication and update of the site, preparation and review of the statement (machine-readable too).
    assert '<time id="a11y-data-publikacja" datetime="2026-01-10">' in html
    assert '<time id="a11y-data-aktualizacja" datetime="2026-11-02">' in html
    assert '<time id="a11y-data-sporzadzenie" datetime="2026-03-15">15 marca 2026</time>' in html
    assert '<time id="a11y-data-przeglad" datetime="2026-09-30">30 września 2026</time>' in html
    # Compliance status and the non-accessible content.
    assert "częściowo zgodna" in html
    assert "Treści niedostępne" in html
    assert "OpenStreetMap" in html
    assert "Wykresy" in html
    assert "dane demonstracyjne" in html
    # How it was prepared.
    assert "samooceny" in html
    # Contact, the request and complaint procedure, the Ombudsman.
    assert 'href="mailto:dostepnosc@portal.example.org"' in html
    assert "7 dni" in html
    assert "2 miesiące" in html
    assert "skargę" in html
    assert "Rzecznika Praw Obywatelskich" in html
    # Architectural accessibility: a clearly marked placeholder for the operator.
    assert "Dostępność architektoniczna" in html
    assert "Do uzupełnienia przez operatora portalu." in html


def test_headings_do_not_skip_levels(client):
    import re

    html = client.get(URL).content.decode()
    levels = [int(level) for level in re.findall(r"<h([1-6])", html)]
    assert levels[0] == 1
    assert all(later - earlier <= 1 for earlier, later in zip(levels, levels[1:], strict=False))


@pytest.mark.parametrize(
    "url",
    ["/", "/spoldzielnie/", "/statystyki/", "/biblioteka/", "/szkolenia/", "/konto/login/", "/en/", URL, "/nie-ma/"],
)
def test_every_page_footer_links_to_the_statement(client, url):
    html = client.get(url).content.decode()
    footer = html[html.index('<footer class="site-footer">') :]
    prefix = "/en" if url.startswith("/en/") else ""
    assert f'href="{prefix}/deklaracja-dostepnosci/"' in footer


def test_footer_link_follows_the_language(client):
    html = client.get("/en/").content.decode()
    assert 'href="/en/deklaracja-dostepnosci/"' in html
    assert client.get("/en/deklaracja-dostepnosci/").status_code == 200

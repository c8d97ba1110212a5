"""Pages a public body's portal must have (issue 13): easy-to-read text, sign-language information, contact, the
privacy notice covering every form with the retention periods the portal really applies, and text-size and contrast
settings that persist without JavaScript."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

pytestmark = pytest.mark.django_db

PAGES = ["core:easy-to-read", "core:sign-language", "core:contact", "core:privacy", "core:display-settings"]


def _url(name, language="pl"):
    with translation.override(language):
        return reverse(name)


@pytest.mark.parametrize("language", ["pl", "en"])
def test_every_page_is_linked_from_the_footer(client, language):
    home = client.get(_url("cooperatives:home", language)).content.decode()
    footer = home[home.index('<footer class="site-footer">') :]
    for name in PAGES:
        url = _url(name, language)
        assert f'href="{url}"' in footer, name
        assert client.get(url).status_code == 200, url


def test_easy_to_read_text_uses_short_sentences(client):
    page = client.get(_url("core:easy-to-read")).content.decode()
    text = re.sub(r"<[^>]+>", " ", page[page.index("<main") : page.index("</main>")])
    sentences = [s.split() for s in re.split(r"[.?!:]\s", text) if s.strip()]
    assert len(sentences) > 15
    assert max(len(words) for words in sentences) <= 15


def test_sign_language_page_says_honestly_that_the_video_is_being_prepared(client, settings):
    settings.PORTAL_PJM_VIDEO_URL = ""
    page = client.get(_url("core:sign-language")).content.decode()
    assert "Film w polskim języku migowym przygotowujemy." in page
    assert "<video" not in page and "<iframe" not in page
    settings.PORTAL_PJM_VIDEO_URL = "https://example.org/pjm.mp4"
    page = client.get(_url("core:sign-language")).content.decode()
    assert 'href="https://example.org/pjm.mp4"' in page and "przygotowujemy" not in page


def test_contact_page_comes_from_settings(client, settings):
    settings.PORTAL_DATA_CONTROLLER = "Ministerstwo Testowe"
    settings.PORTAL_CONTACT_ADDRESS = "ul. Próbna 1, 00-001 Warszawa"
    settings.PORTAL_CONTACT_EMAIL = "kontakt@test.example"
    settings.PORTAL_CONTACT_PHONE = "+48 22 111 22 33"
    settings.ACCESSIBILITY_COORDINATOR_NAME = "Anna Dostępna"
    settings.ACCESSIBILITY_COORDINATOR_EMAIL = "koordynator@test.example"
    page = client.get(_url("core:contact")).content.decode()
    for value in (
        "Ministerstwo Testowe",
        "ul. Próbna 1, 00-001 Warszawa",
        "mailto:kontakt@test.example",
        "+48 22 111 22 33",
        "Anna Dostępna",
        "mailto:koordynator@test.example",
    ):
        assert value in page, value
    settings.PORTAL_CONTACT_ADDRESS = ""
    assert "Do uzupełnienia przez operatora portalu." in client.get(_url("core:contact")).content.decode()


def test_privacy_page_covers_every_form_with_the_real_retention_periods(client, settings):
    settings.PORTAL_INQUIRY_RETENTION_DAYS = 123
    settings.TRAININGS_ANONYMISE_AFTER_YEARS = 7
    settings.TRAININGS_CONFIRMATION_HOURS = 36
    settings.PORTAL_API_TOKEN_MAX_DAYS = 200
    page = client.get(_url("core:privacy")).content.decode()
    for row in ("account", "profile", "inquiry", "report", "training", "survey"):
        assert f'id="privacy-{row}"' in page, row
    assert "123 dni od wysłania" in page
    assert "Po 7 latach od ostatniego szkolenia" in page
    assert "w ciągu 36 godzin" in page
    assert "najpóźniej po 200 dniach" in page
    assert "nie ma newslettera ani komentarzy" in page


def test_the_anonymisation_command_uses_the_retention_setting(settings):
    from trainings.management.commands.anonymise_participants import Command

    settings.TRAININGS_ANONYMISE_AFTER_YEARS = 7
    parser = Command().create_parser("manage.py", "anonymise_participants")
    assert parser.parse_args([]).years == 7


# --- Text size and contrast ---------------------------------------------------------------------------------


def _html_tag(response) -> str:
    return re.search(r"<html[^>]*>", response.content.decode()).group(0)


def test_settings_persist_across_pages_and_are_applied_on_the_server(client):
    catalogue = _url("cooperatives:list")
    assert _html_tag(client.get(catalogue)) == '<html lang="pl">'
    response = client.post(_url("core:display-settings"), {"text": "larger", "next": catalogue + "?page=1"})
    assert response.status_code == 302 and response["Location"] == catalogue + "?page=1"
    cookie = response.cookies["portal_display"]
    assert cookie.value == "larger-normal" and cookie["httponly"] and cookie["samesite"] == "Lax"
    assert cookie["max-age"] >= 365 * 24 * 3600

    client.post(_url("core:display-settings"), {"contrast": "high", "next": catalogue})
    for url in (catalogue, _url("core:privacy"), _url("cooperatives:home", "en")):
        response = client.get(url)
        assert _html_tag(response) in (
            '<html lang="pl" class="text-larger contrast-high">',
            '<html lang="en" class="text-larger contrast-high">',
        ), url
        assert "Cookie" in response.get("Vary", ""), url  # a shared cache never mixes visitors' choices
    page = client.get(catalogue).content.decode()
    assert re.search(r'name="text" value="larger" aria-pressed="true"', page)

    response = client.post(_url("core:display-settings"), {"reset": "1", "next": catalogue})
    assert response.cookies["portal_display"].value == ""
    client.cookies.pop("portal_display", None)
    assert _html_tag(client.get(catalogue)) == '<html lang="pl">'


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)", ""])
def test_settings_never_redirect_elsewhere(client, target):
    response = client.post(_url("core:display-settings"), {"text": "large", "next": target})
    assert response.status_code == 302
    assert response["Location"] == _url("core:display-settings")


@pytest.mark.parametrize("value", ["huge-high", "large-<script>", "x", "large-high-extra", "\u00b2"])
def test_a_forged_cookie_is_ignored_or_read_for_what_it_validly_says(client, value):
    client.cookies["portal_display"] = value
    tag = _html_tag(client.get(_url("core:privacy")))
    assert "<script>" not in tag and re.fullmatch(r'<html lang="pl"( class="[a-z -]+")?>', tag), tag


def test_unknown_values_are_ignored(client):
    response = client.post(_url("core:display-settings"), {"text": "gigantic", "contrast": "inverted"})
    assert response.status_code == 302
    assert "portal_display" not in response.cookies or response.cookies["portal_display"].value == ""

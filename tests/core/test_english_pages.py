"""The English interface has no Polish left on the pages of the public journeys (issue 13): the data vocabularies
(offer categories, target groups, founder kinds, survey questions, statistics headers, statuses) are translated,
and dates follow one English style.

The pages are fetched under /en/ with the demo data. What people typed (names of cooperatives, places and people,
offer and training texts, publication titles) stays in Polish and is cut out of the page before it is scanned;
so is the language switcher ("polski"). What remains must have no Polish letter and no common Polish word.
"""

import io
import json
import re
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from cooperatives.models import Cooperative, Offer, TerritorialUnit
from monitoring.models import Wave
from publications.models import Person, Publication, Series
from tests.cooperatives.selfservice_helpers import representative
from trainings.models import Training

pytestmark = pytest.mark.django_db

POLISH_LETTERS = re.compile(r"[ąćęłńóśźżĄĆĘŁŃÓŚŹŻ]")
# Common Polish words with no English homograph ("do", "gmina" and "powiat" are left out: the English text uses the
# Polish names of the administrative units, as English-language documents about Poland do).
POLISH_WORDS = set(
    """
    i w z na nie się jest oraz lub dla od po przez oferta oferty spółdzielnia spółdzielnie spółdzielni szukaj strona
    wszystkie brak tak osoby usługi kategoria województwo szkolenie szkolenia ankieta pytanie liczba razem wybierz
    zaloguj hasło konto dane opis mapa wyniki filtry czynna aktywna
    """.split()
)
# Proper names that stay Polish in English: a certificate's name, and the grammatical form printed on a Polish
# certificate, which the registration form quotes.
PROPER_NAMES = ("Zakup Prospołeczny", "ukończył(a)", "ukończyła", "ukończył")
WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
# Any date style but "3 December 2026": Django's English defaults ("Dec. 3, 2026", "12/03/2026"), dotted, dashed.
OTHER_DATE_STYLES = re.compile(
    r"\b(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\.? \d{1,2}, \d{4}\b|\b\d{1,2}[./-]\d{1,2}[./-]\d{4}\b"
)


class VisibleText(HTMLParser):
    """The text a reader sees or hears: element text, alt/title/aria-label/placeholder values; no script or style,
    nor the language switcher."""

    SKIPPED = {"script", "style", "template"}

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._skip_depth = 0
        self._stack: list[tuple[str, bool]] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        skip = tag in self.SKIPPED or "language-switch" in (attributes.get("class") or "")
        if tag not in {"br", "img", "input", "meta", "link", "hr", "source", "area", "wbr", "col"}:
            self._stack.append((tag, skip))
            if skip:
                self._skip_depth += 1
        if self._skip_depth:
            return
        for name in ("alt", "title", "aria-label", "placeholder"):
            if attributes.get(name):
                self.parts.append(attributes[name])

    def handle_endtag(self, tag):
        while self._stack:
            open_tag, skip = self._stack.pop()
            if skip:
                self._skip_depth -= 1
            if open_tag == tag:
                break

    def handle_data(self, data):
        if not self._skip_depth:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    return " ".join(parser.parts)


OPERATOR_SETTINGS = (
    "SITE_NAME",
    "PORTAL_DATA_CONTROLLER",
    "ACCESSIBILITY_ENTITY_NAME",
    "ACCESSIBILITY_CONTACT_NAME",
    "ACCESSIBILITY_COORDINATOR_NAME",
    "PORTAL_CONTACT_ADDRESS",
    "PORTAL_CONTACT_HOURS",
)


def typed_content() -> list[str]:
    """Everything people typed (or the registry holds as proper names), longest first."""
    values: set[str] = set()
    for cooperative in Cooperative.objects.all():
        values.update(
            {cooperative.name, cooperative.short_name, cooperative.description, cooperative.town, cooperative.street}
        )
        values.update(cooperative.founders_list if hasattr(cooperative, "founders_list") else [])
    for offer in Offer.objects.all():
        values.update({offer.title, offer.description, offer.price_note})
    for training in Training.objects.all():
        values.update({training.title, training.description, training.venue, *training.trainers.splitlines()})
        values.update(training.programme.name.split(" – ") if training.programme_id else [])
        values.update(session.title for session in training.sessions.all())
    for publication in Publication.objects.all():
        values.update({publication.title, getattr(publication, "subtitle", ""), publication.publisher})
        values.update({getattr(publication, "abstract", ""), getattr(publication, "full_title", "")})
    values.update(str(person) for person in Person.objects.all())
    values.update(person.inverted_name for person in Person.objects.all())
    values.update(series.title for series in Series.objects.all())
    values.update(Wave.objects.values_list("name", flat=True))
    for unit in TerritorialUnit.objects.all():
        values.update({unit.name, unit.name.lower()})
    # What the operator configures (names, office hours) is the operator's text, like the registry's names.
    for name in OPERATOR_SETTINGS:
        values.add(str(getattr(settings, name)))
    return sorted((value for value in values if value and len(value) > 1), key=len, reverse=True)


def polish_left(text: str, typed: list[str]) -> list[str]:
    for value in [*typed, *PROPER_NAMES]:
        if value in text:
            text = text.replace(value, " ")
    found = []
    for word in WORD.findall(text):
        if POLISH_LETTERS.search(word) or word in POLISH_WORDS:
            found.append(word)
    return found


@pytest.fixture
def demo_data(territory):
    call_command("seed_demo", "--scale", "40", "--no-progress", stdout=io.StringIO())
    call_command("seed_monitoring", stdout=io.StringIO())
    call_command("seed_publications", stdout=io.StringIO())
    call_command("seed_trainings", stdout=io.StringIO())


def public_pages() -> dict[str, str]:
    with translation.override("en"):
        cooperative = Cooperative.objects.filter(status=Cooperative.Status.ACTIVE, offers__isnull=False).first()
        offer = Offer.objects.filter(cooperative=cooperative).first()
        wave = Wave.objects.filter(status=Wave.Status.PUBLISHED).order_by("-reference_year").first()
        publication = Publication.objects.order_by("pk").first()
        training = Training.objects.filter(status=Training.Status.OPEN).first() or Training.objects.first()
        return {
            "home": reverse("cooperatives:home"),
            "catalogue": reverse("cooperatives:list"),
            "profile": cooperative.get_absolute_url(),
            "offers": reverse("cooperatives:offers"),
            "offer": offer.get_absolute_url(),
            "map": reverse("cooperatives:map"),
            "statistics": reverse("monitoring:index"),
            "wave statistics": reverse("monitoring:wave", args=[wave.pk]),
            "publications": reverse("publications:index"),
            "publication": publication.get_absolute_url(),
            "trainings": reverse("trainings:index"),
            "training": training.get_absolute_url(),
            "log in": reverse("account_login"),
            "sign up": reverse("account_signup"),
            "password reset": reverse("account_reset_password"),
            "accessibility statement": reverse("core:accessibility-statement"),
            "easy to read": reverse("core:easy-to-read"),
            "sign language": reverse("core:sign-language"),
            "contact": reverse("core:contact"),
            "privacy": reverse("core:privacy"),
            "display settings": reverse("core:display-settings"),
            "shortlist": reverse("cooperatives:shortlist"),
        }


def test_no_polish_on_the_english_pages_of_the_public_journeys(client, demo_data):
    typed = typed_content()
    pages = public_pages()
    cooperative = Cooperative.objects.filter(status=Cooperative.Status.ACTIVE).first()
    wave = Wave.objects.filter(status=Wave.Status.OPEN).first()
    leftovers = {}
    # The Polish pages first: nothing cached for them (catalogue facets) may come back in English.
    for url in pages.values():
        assert client.get(url[len("/en") :]).status_code == 200
    for name, url in pages.items():
        assert url.startswith("/en/"), url
        response = client.get(url)
        assert response.status_code == 200, (name, url, response.status_code)
        text = visible_text(response.content.decode())
        found = polish_left(text, typed) + OTHER_DATE_STYLES.findall(text)
        if found:
            leftovers[name] = sorted(set(found))[:30]
    if wave is not None:
        client.force_login(representative(cooperative))
        with translation.override("en"):
            url = reverse("monitoring:fill", args=[wave.pk, cooperative.krs_number])
        response = client.get(url)
        assert response.status_code == 200
        found = polish_left(visible_text(response.content.decode()), typed)
        if found:
            leftovers["survey"] = sorted(set(found))[:30]
    assert not leftovers, json.dumps(leftovers, ensure_ascii=False)

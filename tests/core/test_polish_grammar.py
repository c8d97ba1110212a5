"""Polish in messages and e-mails: numbers take the right plural form (1 godzinę, 2-4 godziny, 5-21 godzin,
22-24 godziny), greetings are neutral, and django-allauth's typos ("Wprowadż") are corrected (issue 13)."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext, ngettext

from accounts import tokens
from accounts.models import ApiToken
from cooperatives import services
from core import site
from core.text import days_text, hours_text
from tests.cooperatives.factories import CooperativeFactory
from tests.cooperatives.selfservice_helpers import verified_user

NUMBERS = (1, 2, 5, 22, 72)
LOCALE = Path(settings.BASE_DIR) / "locale"


@pytest.fixture(autouse=True)
def polish():
    with translation.override("pl"):
        yield


def test_hours_and_days_take_the_polish_plural_forms():
    assert [hours_text(n) for n in NUMBERS] == ["1 godzinę", "2 godziny", "5 godzin", "22 godziny", "72 godziny"]
    assert [days_text(n) for n in NUMBERS] == ["1 dzień", "2 dni", "5 dni", "22 dni", "72 dni"]
    with translation.override("en"):
        assert [hours_text(n) for n in (1, 72)] == ["1 hour", "72 hours"]
        assert [days_text(n) for n in (1, 5)] == ["1 day", "5 days"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("hours", "expected"),
    [(1, "1 godzinę"), (2, "2 godziny"), (5, "5 godzin"), (22, "22 godziny"), (72, "72 godziny")],
)
def test_the_representation_link_says_how_long_it_is_valid(
    settings, django_capture_on_commit_callbacks, hours, expected
):
    settings.PORTAL_REPRESENTATION_LINK_HOURS = hours
    coop = CooperativeFactory(email="biuro@spoldzielnia.example")
    with django_capture_on_commit_callbacks(execute=True):
        services.representation_request_create(
            user=verified_user(), cooperative=coop, role_in_cooperative="prezes", build_url=site.absolute_url
        )
    [message] = [m for m in mail.outbox if m.to == ["biuro@spoldzielnia.example"]]
    assert f"ważny przez {expected}," in message.body
    assert not re.search(r"\b(2|22|72) godzin\b|\b(1|5) godziny\b", message.body)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("limit", "expected"),
    [
        (1, "Masz już 1 ważny token; odwołaj go"),
        (2, "Masz już 2 ważne tokeny;"),
        (5, "Masz już 5 ważnych tokenów;"),
        (22, "Masz już 22 ważne tokeny;"),
        (72, "Masz już 72 ważne tokeny;"),
    ],
)
def test_the_token_limit_message(settings, limit, expected):
    settings.PORTAL_API_TOKEN_MAX_ACTIVE = limit
    user = verified_user()
    for index in range(limit):
        tokens.api_token_create(user=user, name=f"t{index}", scopes=[ApiToken.Scope.REGISTRY], days=30)
    with pytest.raises(ValidationError) as refused:
        tokens.api_token_create(user=user, name="one too many", scopes=[ApiToken.Scope.REGISTRY], days=30)
    assert expected in refused.value.messages[0]


def _plural_msgids(po: Path) -> dict[str, int]:
    """msgid -> number of msgstr forms, for the plural entries of a catalogue."""
    text = po.read_text(encoding="utf-8")
    found = {}
    for entry in text.split("\n\n"):
        if "msgid_plural" not in entry:
            continue
        msgid = "".join(re.findall(r'"(.*)"', entry.split("msgid_plural")[0].split("msgid ", 1)[1]))
        forms = re.split(r"^msgstr\[\d\] ", entry, flags=re.M)[1:]
        found[msgid] = sum(1 for form in forms if "".join(re.findall(r'"(.*)"', form)))
    return found


def test_every_plural_message_has_the_polish_forms():
    """gettext's fallback for a plural without a Polish entry knows two forms (1 / other): "5 zaświadczenia"."""
    source = _plural_msgids(LOCALE / "en" / "LC_MESSAGES" / "django.po")
    polish = _plural_msgids(LOCALE / "pl" / "LC_MESSAGES" / "django.po")
    missing = sorted(msgid for msgid in source if polish.get(msgid, 0) < 3)
    assert not missing


def test_allauth_polish_typos_are_corrected():
    assert gettext("Enter Password Reset Code") == "Wpisz kod resetowania hasła"
    assert gettext("Enter your password:") == "Wpisz hasło:"
    assert "Adresy" not in gettext("Email address %(deleted_email)s has been removed from your account.")
    assert ngettext("You have added %(count)s security key.", "You have added %(count)s security keys.", 5) == (
        "Dodano %(count)s kluczy bezpieczeństwa."
    )


def test_no_email_greets_by_name_or_from_a_host():
    """Neutral greetings: "Dzień dobry," (a first name in the nominative, "Dzień dobry Katarzyna", is wrong)."""
    templates = Path(settings.BASE_DIR) / "templates"
    offenders = []
    for path in [*templates.rglob("*.txt"), *Path(settings.BASE_DIR).glob("*/**/*.py")]:
        if ".venv" in path.parts or "tests" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        if re.search(r"Dzień dobry,? ?(%\(|\{\{)|Witamy z|Wprowadż|\bdo adres\b", text):
            offenders.append(str(path))
    assert not offenders

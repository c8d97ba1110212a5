"""Response rates (overall and per voivodeship), non-responders and the reminder command."""

import pytest
from django.core import mail
from django.core.management import call_command

from cooperatives.models import Cooperative, TerritorialUnit
from monitoring.selectors import non_responders, response_rates
from tests.cooperatives.factories import CooperativeFactory, MembershipFactory
from tests.factories import UserFactory

from .test_services import save

pytestmark = pytest.mark.django_db


@pytest.fixture
def population(wave, staff):
    lodz = [CooperativeFactory(gmina_id="1061011") for _index in range(4)]
    warsaw = [CooperativeFactory(gmina_id="1465011") for _index in range(2)]
    CooperativeFactory(gmina_id="1465011", status=Cooperative.Status.DELETED)  # not asked
    for cooperative in lodz[:3]:
        save(wave, cooperative, staff, submit=True, as_staff=True)
    save(wave, warsaw[0], staff)  # a draft is not an answer
    return lodz, warsaw


def test_response_rates_overall_and_per_voivodeship(wave, population):
    rates = response_rates(wave)
    assert (rates["overall"]["total"], rates["overall"]["answered"], rates["overall"]["rate"]) == (6, 3, 50.0)
    per = {row["voivodeship_id"]: (row["total"], row["answered"], row["rate"]) for row in rates["per_voivodeship"]}
    assert per == {"10": (4, 3, 75.0), "14": (2, 0, 0.0)}


def test_non_responders(wave, population):
    lodz, warsaw = population
    assert set(non_responders(wave)) == {lodz[3], *warsaw}


def test_reminders_go_to_representatives_or_the_cooperative(wave, population, django_capture_on_commit_callbacks):
    lodz, warsaw = population
    MembershipFactory(cooperative=warsaw[0], user=UserFactory(email="rep@example.org"))
    warsaw[1].email = "biuro@example.org"
    warsaw[1].save()
    with django_capture_on_commit_callbacks(execute=True):  # the queued e-mails are sent (eagerly)
        call_command("send_survey_reminders")
        call_command("send_survey_reminders")  # run again the same day (or a re-delivered task): nothing twice
    recipients = sorted(message.to[0] for message in mail.outbox)
    assert recipients == ["biuro@example.org", "rep@example.org"]  # lodz[3] has no address at all
    assert wave.name in mail.outbox[0].subject
    assert "Moje ankiety" in mail.outbox[0].body


def test_response_rates_per_voivodeship_in_polish_order(wave, staff):
    """Ł after L and Ś after S, as everywhere a list of names is sorted (not after Z, as byte order puts them)."""
    for voivodeship in ("32", "24", "10", "08", "22", "26"):
        gmina = TerritorialUnit.objects.gminas().filter(code__startswith=voivodeship).order_by("code").first()
        CooperativeFactory(gmina_id=gmina.code)
    rows = response_rates(wave)["per_voivodeship"]
    names = [row["voivodeship__name"].lower() for row in rows]
    assert names == ["lubuskie", "łódzkie", "pomorskie", "śląskie", "świętokrzyskie", "zachodniopomorskie"]


def test_non_responders_in_polish_order_of_voivodeship_and_name(wave, postgresql_only):
    """The database's Polish collation (ICU) orders the paginated list; SQLite keeps its plain order."""
    gmina = {
        code: TerritorialUnit.objects.gminas().filter(code__startswith=code).order_by("code").first().code
        for code in ("10", "32", "08")
    }
    CooperativeFactory(gmina_id=gmina["32"], name="Spółdzielnia Socjalna Alfa")
    CooperativeFactory(gmina_id=gmina["10"], name="Spółdzielnia Socjalna Żuraw")
    CooperativeFactory(gmina_id=gmina["10"], name="Spółdzielnia Socjalna Łąka")
    CooperativeFactory(gmina_id=gmina["10"], name="Spółdzielnia Socjalna Zorza")
    CooperativeFactory(gmina_id=gmina["08"], name="Spółdzielnia Socjalna Beta")
    names = [cooperative.name.removeprefix("Spółdzielnia Socjalna ") for cooperative in non_responders(wave)]
    assert names == ["Beta", "Łąka", "Zorza", "Żuraw", "Alfa"]

"""Response rates (overall and per voivodeship), non-responders and the reminder command."""

import pytest
from django.core import mail
from django.core.management import call_command

from cooperatives.models import Cooperative
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


def test_reminders_go_to_representatives_or_the_cooperative(wave, population):
    lodz, warsaw = population
    MembershipFactory(cooperative=warsaw[0], user=UserFactory(email="rep@example.org"))
    warsaw[1].email = "biuro@example.org"
    warsaw[1].save()
    call_command("send_survey_reminders")
    recipients = sorted(message.to[0] for message in mail.outbox)
    assert recipients == ["biuro@example.org", "rep@example.org"]  # lodz[3] has no address at all
    assert wave.name in mail.outbox[0].subject
    assert "Moje ankiety" in mail.outbox[0].body

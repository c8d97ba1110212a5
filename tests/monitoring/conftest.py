"""Fixtures of the monitoring tests: a wave with the default questionnaire, cooperatives, representatives, staff."""

import pytest
from django.contrib.auth.models import Group

from accounts.roles import MINISTRY_STAFF
from monitoring.models import Wave
from monitoring.services import default_questionnaire_data, questionnaire_load
from tests.cooperatives.factories import CooperativeFactory, MembershipFactory
from tests.factories import UserFactory, with_totp

from .factories import WaveFactory

# A complete, valid set of answers to the default questionnaire (as form/CSV text).
VALID_ANSWERS = {
    "activity_status": "active",
    "members_at_risk": "5",
    "members_other_persons": "2",
    "members_legal_persons": "0",
    "employment_total": "6",
    "employment_at_risk": "1",  # at most employment_total (a rule): tests vary the total from 1 up
    "employment_new_hires": "1",
    "employment_fte": "5,5",
    "revenue_market": "120000",
    "revenue_public_contracts": "80000",
    "revenue_grants": "30000,50",
    "revenue_other": "0",
    "territorial_reach": "local",
    "has_partners": "nie",
    "has_reintegration_plan": "tak",
}


def make_wave(**kwargs) -> Wave:
    status = kwargs.pop("status", Wave.Status.OPEN)
    wave = WaveFactory(**kwargs)
    questionnaire_load(wave=wave, data=default_questionnaire_data())
    if status != wave.status:
        wave.status = status
        wave.save(update_fields=["status"])
    return wave


@pytest.fixture
def wave(db):
    return make_wave()


@pytest.fixture
def coop_a(db):
    return CooperativeFactory(name="Spółdzielnia A")


@pytest.fixture
def coop_b(db):
    return CooperativeFactory(name="Spółdzielnia B")


@pytest.fixture
def rep_a(coop_a):
    user = UserFactory()
    MembershipFactory(user=user, cooperative=coop_a)
    return user


@pytest.fixture
def rep_b(coop_b):
    user = UserFactory()
    MembershipFactory(user=user, cooperative=coop_b)
    return user


@pytest.fixture
def staff(db):
    user = UserFactory()
    user.groups.add(Group.objects.get_or_create(name=MINISTRY_STAFF)[0])
    return with_totp(user)


@pytest.fixture
def outsider(db):
    return UserFactory()

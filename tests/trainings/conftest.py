import pytest
from django.contrib.auth.models import Group

from accounts.roles import MINISTRY_STAFF
from tests.factories import UserFactory, with_totp


@pytest.fixture
def staff_user(db):
    user = UserFactory()
    user.groups.add(Group.objects.get_or_create(name=MINISTRY_STAFF)[0])
    with_totp(user)
    return user


@pytest.fixture
def plain_user(db):
    return UserFactory()


@pytest.fixture
def organiser(db):
    return UserFactory()


@pytest.fixture
def other_organiser(db):
    return UserFactory()


@pytest.fixture
def base_url():
    return "http://testserver/"

import pytest
from django.contrib.auth.models import Group

from accounts.roles import MINISTRY_STAFF
from tests.factories import UserFactory, with_totp


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Uploads of every test go to a temporary directory, never into the repository."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def staff_user(db):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get_or_create(name=MINISTRY_STAFF)[0])
    with_totp(user)
    return user


@pytest.fixture
def plain_user(db):
    """Logged in, admin access flag set, but not ministry staff: must not see drafts or the library admin."""
    return UserFactory(is_staff=True)

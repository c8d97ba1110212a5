"""Representatives never see the e-mail address (or name) of the ministry staff or coordinators who changed their
cooperative: staff by role only, their colleagues by name; moderators keep seeing who did what (accounts.identity)."""

import pytest
from django.core import mail
from django.urls import reverse

from cooperatives.models import Invitation, Membership

from .factories import CooperativeFactory, OfferFactory
from .selfservice_helpers import LODZKIE, coordinator, profile_post_data, representative, staff_user

pytestmark = pytest.mark.django_db


def _edit(client, user, coop, **changes):
    coop.refresh_from_db()
    client.force_login(user)
    response = client.post(
        reverse("selfservice:cooperative-edit", args=[coop.krs_number]), profile_post_data(coop, **changes)
    )
    assert response.status_code == 302, response.context and response.context["form"].errors


def _history(client, user, coop):
    client.force_login(user)
    response = client.get(reverse("selfservice:history", args=[coop.krs_number]))
    assert response.status_code == 200
    return response


@pytest.fixture
def changed_by_everyone(client):
    """A cooperative edited by its owner, an editor, a coordinator and ministry staff (profile and an offer)."""
    coop = CooperativeFactory()
    owner = representative(coop)
    editor = representative(coop, Membership.Role.EDITOR)
    editor.first_name, editor.last_name = "Ewa", "Redaktorka"
    editor.save(update_fields=["first_name", "last_name"])
    moderator = coordinator(LODZKIE)
    staff = staff_user()
    _edit(client, owner, coop, description="Opis właściciela")
    _edit(client, editor, coop, description="Opis redaktorki")
    _edit(client, staff, coop, description="Opis ministerstwa")
    offer = OfferFactory(cooperative=coop)
    offer._history_user = moderator
    offer.title = "Poprawiony tytuł"
    offer.save()
    return {"coop": coop, "owner": owner, "editor": editor, "moderator": moderator, "staff": staff}


def test_representatives_see_staff_by_role_and_colleagues_by_name(client, changed_by_everyone):
    people = changed_by_everyone
    for viewer in (people["owner"], people["editor"]):
        content = _history(client, viewer, people["coop"]).content.decode()
        assert people["staff"].email not in content
        assert people["moderator"].email not in content
        assert "Pracownik ministerstwa" in content
        assert "Koordynator regionalny" in content
        assert "Ewa Redaktorka" in content  # a colleague with a name is shown by it, not by the address
        assert people["editor"].email not in content
    # The owner has no name: to themselves and to a colleague they are their own address.
    assert people["owner"].email in _history(client, people["owner"], people["coop"]).content.decode()


def test_moderators_still_see_who_did_what(client, changed_by_everyone):
    people = changed_by_everyone
    for viewer in (people["staff"], people["moderator"]):
        content = _history(client, viewer, people["coop"]).content.decode()
        for author in ("owner", "editor", "moderator", "staff"):
            assert people[author].email in content


def test_a_former_representative_is_not_named(client, changed_by_everyone):
    people = changed_by_everyone
    Membership.objects.filter(user=people["editor"]).delete()
    response = _history(client, people["owner"], people["coop"])
    authors = [entry["author"] for entry in response.context["entries"]]
    assert "Ewa Redaktorka" not in authors
    assert "Użytkownik portalu" in authors


def test_staff_who_also_represent_the_cooperative_are_shown_by_role(client, changed_by_everyone):
    people = changed_by_everyone
    Membership.objects.create(user=people["staff"], cooperative=people["coop"], role=Membership.Role.EDITOR)
    content = _history(client, people["owner"], people["coop"]).content.decode()
    assert people["staff"].email not in content


@pytest.mark.parametrize("offers", [1, 5])
def test_representatives_history_query_count_does_not_grow(client, django_assert_num_queries, offers):
    coop = CooperativeFactory()
    owner = representative(coop)
    staff = staff_user()
    for _ in range(offers):
        offer = OfferFactory(cooperative=coop)
        offer._history_user = staff
        offer.title += " (zmiana)"
        offer.save()
    client.force_login(owner)
    # Per section (profile, offers): the records and 2 many-to-many prefetches; then one query for the roles of all
    # the page's authors and one for the cooperative's representatives; whatever the count.
    with django_assert_num_queries(14):
        response = client.get(reverse("selfservice:history", args=[coop.krs_number]))
    assert len(response.context["offer_entries"]) == offers
    assert staff.email not in response.content.decode()


def test_owners_do_not_see_the_address_of_staff_who_invited(client):
    coop = CooperativeFactory()
    owner = representative(coop)
    staff = staff_user()
    Invitation.objects.create(cooperative=coop, email="nowa@example.org", invited_by=staff)
    Invitation.objects.create(cooperative=coop, email="druga@example.org", invited_by=owner)
    client.force_login(owner)
    content = client.get(reverse("selfservice:members", args=[coop.krs_number])).content.decode()
    assert "nowa@example.org" in content
    assert staff.email not in content
    assert "Pracownik ministerstwa" in content


def test_an_invitation_from_staff_does_not_carry_their_address(client, django_capture_on_commit_callbacks):
    coop = CooperativeFactory()
    staff = staff_user()
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("selfservice:members", args=[coop.krs_number]), {"email": "nowa@example.org"})
    [message] = mail.outbox
    assert staff.email not in message.body
    assert message.body.startswith("Pracownik ministerstwa zaprasza")


def test_an_invitation_from_an_owner_names_them(client, django_capture_on_commit_callbacks):
    coop = CooperativeFactory()
    owner = representative(coop)
    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("selfservice:members", args=[coop.krs_number]), {"email": "nowa@example.org"})
    [message] = mail.outbox
    assert message.body.startswith(f"{owner.email} zaprasza")


def test_deactivated_staff_keep_their_role_label(client, changed_by_everyone):
    people = changed_by_everyone
    people["staff"].is_active = False
    people["staff"].save(update_fields=["is_active"])
    content = _history(client, people["editor"], people["coop"]).content.decode()
    assert people["staff"].email not in content
    assert "Pracownik ministerstwa" in content

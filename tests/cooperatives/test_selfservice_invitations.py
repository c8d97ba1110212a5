"""Owners invite editors by e-mail, also people without an account: a signed, single-use link valid 7 days."""

import re
from datetime import timedelta
from unittest import mock

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.signing import TimestampSigner
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from cooperatives import services
from cooperatives.models import Invitation, Membership

from .factories import CooperativeFactory
from .selfservice_helpers import representative, verified_user

pytestmark = pytest.mark.django_db

STRONG = "Spoldzielnia-Socjalna-2026!"


def _invite(client, coop, email, capture):
    with capture(execute=True):
        return client.post(reverse("selfservice:members", args=[coop.krs_number]), {"email": email})


def _link(message) -> str:
    return re.search(r"https?://testserver(/\S+)", message.body).group(1)


def test_an_existing_account_is_added_at_once(client, django_capture_on_commit_callbacks):
    coop = CooperativeFactory()
    client.force_login(representative(coop))
    editor = verified_user(email="redaktor@example.org")
    response = _invite(client, coop, "Redaktor@Example.org", django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert Membership.objects.get(user=editor, cooperative=coop).role == Membership.Role.EDITOR
    assert not Invitation.objects.exists()
    assert [m.to for m in mail.outbox] == [["redaktor@example.org"]]


def test_invitation_journey_sign_up_verify_accept(client, django_capture_on_commit_callbacks):
    coop = CooperativeFactory()
    owner = representative(coop)
    client.force_login(owner)
    response = _invite(client, coop, "Nowa.Osoba@example.org", django_capture_on_commit_callbacks)
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert (invitation.cooperative, invitation.email, invitation.invited_by) == (coop, "nowa.osoba@example.org", owner)
    assert invitation.accepted_at is None
    assert [m.to for m in mail.outbox] == [["nowa.osoba@example.org"]]
    link = _link(mail.outbox[0])
    assert link == reverse("selfservice:invitation-accept", args=[services.invitation_token(invitation)])

    # Owners see the pending invitation.
    page = client.get(reverse("selfservice:members", args=[coop.krs_number]))
    assert list(page.context["invitations"]) == [invitation]
    assert "nowa.osoba@example.org" in page.content.decode()

    # The invited person opens the link: signs up, verifies the address, comes back and accepts.
    invitee = Client()
    response = invitee.get(link)
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):  # the confirmation e-mail's task runs (eagerly)
        invitee.post(
            reverse("account_signup"), {"email": "nowa.osoba@example.org", "password1": STRONG, "password2": STRONG}
        )
    invitee.post(_link(mail.outbox[-1]))
    user = User.objects.get(email="nowa.osoba@example.org")
    response = invitee.get(link)
    assert response.status_code == 200
    assert coop.name in response.content.decode()
    response = invitee.post(link)
    assert response.status_code == 302
    assert Membership.objects.get(user=user, cooperative=coop).role == Membership.Role.EDITOR
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None and invitation.accepted_by == user

    # Single use: the link does not work again, and the invitation leaves the pending list.
    response = invitee.post(link)
    assert response.status_code == 410
    assert "już wykorzystane" in response.content.decode()
    assert list(client.get(reverse("selfservice:members", args=[coop.krs_number])).context["invitations"]) == []


def test_wrong_or_unverified_user_is_refused_with_a_message(client):
    coop = CooperativeFactory()
    invitation = Invitation.objects.create(cooperative=coop, email="zaproszona@example.org")
    link = reverse("selfservice:invitation-accept", args=[services.invitation_token(invitation)])
    client.force_login(verified_user(email="ktos-inny@example.org"))
    response = client.post(link)
    assert response.status_code == 403
    assert "zaproszona@example.org" in response.content.decode()
    # The right address, but not verified yet.
    unverified = verified_user(email="inny@example.org")
    EmailAddress.objects.create(user=unverified, email="zaproszona@example.org", verified=False)
    client.force_login(unverified)
    assert client.post(link).status_code == 403
    assert not Membership.objects.filter(cooperative=coop).exclude(role=Membership.Role.OWNER).exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_expired_forged_and_cancelled_links_are_refused(client):
    coop = CooperativeFactory()
    owner = representative(coop)
    invitee = verified_user(email="zaproszona@example.org")
    invitation = Invitation.objects.create(cooperative=coop, email="zaproszona@example.org", invited_by=owner)
    token = services.invitation_token(invitation)
    client.force_login(invitee)

    later = timezone.now() + Invitation.VALID_FOR + timedelta(minutes=1)
    with mock.patch("django.core.signing.time.time", return_value=later.timestamp()):
        response = client.post(reverse("selfservice:invitation-accept", args=[token]))
    assert response.status_code == 410
    assert "wygasło" in response.content.decode()

    forged = TimestampSigner(salt="inna-sol").sign_object({"invitation": invitation.pk})
    response = client.post(reverse("selfservice:invitation-accept", args=[forged]))
    assert response.status_code == 410
    assert "nieprawidłowy" in response.content.decode()
    assert not Membership.objects.filter(user=invitee).exists()

    owner_client = Client()
    owner_client.force_login(owner)
    response = owner_client.post(reverse("selfservice:invitation-cancel", args=[invitation.pk]))
    assert response.status_code == 302
    assert not Invitation.objects.exists()
    response = client.post(reverse("selfservice:invitation-accept", args=[token]))
    assert response.status_code == 410
    assert "anulowane" in response.content.decode()
    assert not Membership.objects.filter(user=invitee).exists()


def test_a_second_pending_invitation_to_the_same_address_is_refused(client, django_capture_on_commit_callbacks):
    coop = CooperativeFactory()
    client.force_login(representative(coop))
    _invite(client, coop, "nowa@example.org", django_capture_on_commit_callbacks)
    response = _invite(client, coop, "NOWA@example.org", django_capture_on_commit_callbacks)
    assert response.status_code == 200
    assert response.context["form"].errors["email"] == ["Zaproszenie na ten adres już czeka na przyjęcie."]
    assert Invitation.objects.count() == 1
    assert len(mail.outbox) == 1


def test_an_accepted_invitation_cannot_be_cancelled():
    coop = CooperativeFactory()
    invitation = Invitation.objects.create(cooperative=coop, email="a@example.org", accepted_at=timezone.now())
    with pytest.raises(services.ValidationError):
        services.invitation_cancel(invitation=invitation)
    assert Invitation.objects.filter(pk=invitation.pk).exists()


@pytest.mark.parametrize("count", [1, 6])
def test_members_page_query_count_does_not_grow(client, django_assert_num_queries, count):
    coop = CooperativeFactory()
    owner = representative(coop)
    for index in range(count):
        representative(coop, Membership.Role.EDITOR)
        Invitation.objects.create(cooperative=coop, email=f"osoba{index}@example.org", invited_by=owner)
    client.force_login(owner)
    # Includes one query for the inviters' roles and one for the cooperative's representatives (accounts.identity).
    with django_assert_num_queries(10):
        response = client.get(reverse("selfservice:members", args=[coop.krs_number]))
    assert len(response.context["invitations"]) == count
    assert len(response.context["memberships"]) == count + 1

"""The whole journey: sign-up -> e-mail verification -> request -> approval (both ways) -> edit -> change request
-> moderation -> history -> revert."""

import re
from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.test import Client, TestCase
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from cooperatives.models import ChangeRequest, Cooperative, Membership, RepresentationRequest, ReviewStatus
from cooperatives.services import representation_link_token

from .factories import CooperativeFactory
from .selfservice_helpers import LODZKIE, coordinator, profile_post_data, representative, staff_user, verified_user

pytestmark = pytest.mark.django_db

STRONG = "Spoldzielnia-Socjalna-2026!"


def _sign_up_and_verify(client, email):
    with TestCase.captureOnCommitCallbacks(execute=True):  # the confirmation e-mail's task runs (eagerly)
        client.post(reverse("account_signup"), {"email": email, "password1": STRONG, "password2": STRONG})
    link = re.search(r"https?://testserver(/\S+)", mail.outbox[-1].body).group(1)
    client.post(link)
    assert "_auth_user_id" in client.session
    return User.objects.get(email=email)


def test_journey_with_moderator_approval_edit_change_request_history_and_revert(
    client, django_capture_on_commit_callbacks
):
    cooperative = CooperativeFactory(email="", description="Stary opis")
    user = _sign_up_and_verify(client, "prezes@example.org")

    # Request to represent (no registered e-mail: a moderator decides).
    response = client.get(reverse("selfservice:representation-request"), {"q": cooperative.name})
    assert cooperative.krs_number in response.content.decode()
    response = client.post(
        reverse("selfservice:representation-request"),
        {"krs": cooperative.krs_number, "role_in_cooperative": "prezes zarządu"},
    )
    assert response.status_code == 302
    request_obj = RepresentationRequest.objects.get(user=user)
    assert request_obj.status == ReviewStatus.PENDING
    assert request_obj.link_sent_to == ""

    # The regional coordinator of the cooperative's voivodeship approves.
    moderator = coordinator(LODZKIE)
    mod_client = client_class_login(moderator)
    desk = mod_client.get(reverse("selfservice:moderation"))
    assert request_obj in desk.context["representation_requests"]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = mod_client.post(
            reverse("selfservice:representation-review", args=[request_obj.pk]), {"decision": "approve", "reason": ""}
        )
    assert response.status_code == 302
    request_obj.refresh_from_db()
    assert request_obj.status == ReviewStatus.APPROVED
    assert request_obj.reviewer == moderator
    assert request_obj.verified_by == RepresentationRequest.VerifiedBy.MODERATOR
    membership = Membership.objects.get(user=user, cooperative=cooperative)
    assert membership.role == Membership.Role.OWNER  # the first representative owns the profile
    assert [m.to for m in mail.outbox] == [["prezes@example.org"]]

    # Edit the profile: publishes at once.
    response = client.post(
        reverse("selfservice:cooperative-edit", args=[cooperative.krs_number]),
        profile_post_data(cooperative, description="Nowy opis", pkd=[("56.21.Z", "2007"), ("81.30.Z", "2007")]),
    )
    assert response.status_code == 302
    cooperative.refresh_from_db()
    assert cooperative.description == "Nowy opis"
    assert cooperative.version == 2
    assert list(cooperative.activities.values_list("code", "is_main")) == [("56.21.Z", True), ("81.30.Z", False)]

    # "Moje dane są aktualne".
    client.post(reverse("selfservice:confirm-data", args=[cooperative.krs_number]))
    cooperative.refresh_from_db()
    assert cooperative.verified_at is not None

    # Identity fields only through a change request.
    response = client.post(
        reverse("selfservice:change-request", args=[cooperative.krs_number]),
        {
            "name": "Spółdzielnia Socjalna Nowa Nazwa",
            "krs_number": cooperative.krs_number,
            "nip": cooperative.nip,
            "regon": cooperative.regon,
            "founder_type": cooperative.founder_type,
            "status": cooperative.status,
            "ps_decision_number": "",
            "ps_decision_date": "",
            "justification": "Zmiana statutu wpisana do KRS.",
        },
    )
    assert response.status_code == 302
    change = ChangeRequest.objects.get()
    assert change.proposed == {"name": "Spółdzielnia Socjalna Nowa Nazwa"}
    cooperative.refresh_from_db()
    assert cooperative.name != "Spółdzielnia Socjalna Nowa Nazwa"  # nothing applied yet

    # The moderator sees a before/after diff and approves; the requester is e-mailed.
    review = mod_client.get(reverse("selfservice:change-review", args=[change.pk]))
    html = review.content.decode()
    assert "Spółdzielnia Socjalna Nowa Nazwa" in html and cooperative.name in html
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        mod_client.post(reverse("selfservice:change-review", args=[change.pk]), {"decision": "approve", "reason": ""})
    cooperative.refresh_from_db()
    assert cooperative.name == "Spółdzielnia Socjalna Nowa Nazwa"
    assert cooperative.version == 3
    assert [m.to for m in mail.outbox] == [["prezes@example.org"]]

    # History: who changed what, before -> after.
    admin = staff_user()
    staff_client = client_class_login(admin)
    history = staff_client.get(reverse("selfservice:history", args=[cooperative.krs_number]))
    entries = history.context["entries"]
    assert entries[0]["record"].history_user == moderator
    assert [(c.field, c.before, c.after) for c in entries[0]["changes"]] == [
        ("name", change.previous["name"], "Spółdzielnia Socjalna Nowa Nazwa")
    ]
    assert entries[1]["record"].history_user == user
    assert [c.field for c in entries[1]["changes"]] == ["verified_at"]
    assert entries[2]["record"].history_user == user
    assert ("description", "Stary opis", "Nowy opis") in [(c.field, c.before, c.after) for c in entries[2]["changes"]]

    # Revert the name change in one action; the revert itself is recorded.
    before_change = entries[1]["record"]
    staff_client.post(reverse("selfservice:history-revert", args=["spoldzielnia", before_change.history_id]))
    cooperative.refresh_from_db()
    assert cooperative.name == change.previous["name"]
    assert cooperative.description == "Nowy opis"
    assert cooperative.version == 4
    latest = cooperative.history.order_by("-history_date", "-history_id").first()
    assert latest.history_user == admin
    assert "Przywrócenie" in latest.history_change_reason


def client_class_login(user):
    client = Client()
    client.force_login(user)
    return client


def test_approval_by_single_use_link_sent_to_the_cooperative(client, django_capture_on_commit_callbacks):
    cooperative = CooperativeFactory(email="biuro@spoldzielnia.example")
    user = verified_user(email="czlonek@example.org")
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("selfservice:representation-request"),
            {"krs": cooperative.krs_number, "role_in_cooperative": "członek zarządu"},
        )
    assert [m.to for m in mail.outbox] == [["biuro@spoldzielnia.example"]]
    link = re.search(r"https?://testserver(/\S+)", mail.outbox[0].body).group(1)

    outsider = Client()  # the link works without logging in
    page = outsider.get(link)
    assert page.status_code == 200
    assert not Membership.objects.exists()  # a GET (e.g. a mail scanner) confirms nothing

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert outsider.post(link).status_code == 200
    request_obj = RepresentationRequest.objects.get()
    assert request_obj.status == ReviewStatus.APPROVED
    assert request_obj.verified_by == RepresentationRequest.VerifiedBy.EMAIL_LINK
    assert Membership.objects.filter(user=user, cooperative=cooperative, role=Membership.Role.OWNER).exists()
    assert [m.to for m in mail.outbox] == [["czlonek@example.org"]]

    # Single use.
    again = outsider.post(link)
    assert again.status_code == 410
    assert Membership.objects.count() == 1


def test_expired_and_forged_links_are_refused(client):
    cooperative = CooperativeFactory(email="biuro@spoldzielnia.example")
    user = verified_user()
    request_obj = RepresentationRequest.objects.create(user=user, cooperative=cooperative, role_in_cooperative="prezes")
    token = representation_link_token(request_obj)
    url = reverse("selfservice:representation-confirm", args=[token])

    later = timezone.now() + timedelta(hours=73)
    with mock.patch("django.core.signing.time.time", return_value=later.timestamp()):
        response = client.post(url)
    assert response.status_code == 410
    assert "wygasł" in response.content.decode()

    forged = reverse("selfservice:representation-confirm", args=[token[:-2] + "xx"])
    assert client.post(forged).status_code == 410
    request_obj.refresh_from_db()
    assert request_obj.status == ReviewStatus.PENDING
    assert not Membership.objects.exists()


def test_rejection_needs_a_reason_that_the_applicant_sees(client, django_capture_on_commit_callbacks):
    cooperative = CooperativeFactory()
    applicant = verified_user(email="wnioskodawca@example.org")
    request_obj = RepresentationRequest.objects.create(
        user=applicant, cooperative=cooperative, role_in_cooperative="prezes"
    )
    client.force_login(staff_user())
    url = reverse("selfservice:representation-review", args=[request_obj.pk])
    response = client.post(url, {"decision": "reject", "reason": ""})
    assert response.status_code == 200
    assert "reason" in response.context["form"].errors
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"decision": "reject", "reason": "Brak umocowania w KRS."})
    request_obj.refresh_from_db()
    assert request_obj.status == ReviewStatus.REJECTED
    assert "Brak umocowania w KRS." in mail.outbox[-1].body
    assert mail.outbox[-1].to == ["wnioskodawca@example.org"]
    assert not Membership.objects.exists()

    client.force_login(applicant)
    dashboard = client.get(reverse("selfservice:dashboard"))
    assert "Brak umocowania w KRS." in dashboard.content.decode()


def test_second_representative_becomes_editor_and_last_owner_cannot_leave(client):
    cooperative = CooperativeFactory()
    owner = representative(cooperative)
    newcomer = verified_user()
    request_obj = RepresentationRequest.objects.create(user=newcomer, cooperative=cooperative, role_in_cooperative="x")
    client.force_login(staff_user())
    client.post(reverse("selfservice:representation-review", args=[request_obj.pk]), {"decision": "approve"})
    assert Membership.objects.get(user=newcomer).role == Membership.Role.EDITOR

    client.force_login(owner)
    own = Membership.objects.get(user=owner)
    response = client.post(reverse("selfservice:member-remove", args=[own.pk]), follow=True)
    assert "ostatniego właściciela" in response.content.decode()
    assert Membership.objects.filter(pk=own.pk).exists()

    # The owner invites by e-mail and removes an editor.
    invited = verified_user(email="redaktor@example.org")
    client.post(reverse("selfservice:members", args=[cooperative.krs_number]), {"email": "redaktor@example.org"})
    membership = Membership.objects.get(user=invited)
    assert membership.role == Membership.Role.EDITOR
    client.post(reverse("selfservice:member-remove", args=[membership.pk]))
    assert not Membership.objects.filter(user=invited).exists()


def test_cooperative_model_is_unchanged_by_a_pending_change_request():
    assert "name" in ChangeRequest.IDENTITY_FIELDS
    assert Cooperative._meta.get_field("version").editable is False


def test_change_request_violating_a_constraint_is_refused_with_a_message(client):
    cooperative = CooperativeFactory(is_social_enterprise=False)
    owner = representative(cooperative)
    change = ChangeRequest.objects.create(
        cooperative=cooperative,
        requested_by=owner,
        proposed={"ps_decision_number": "WPS-1/2024"},
        previous={"ps_decision_number": ""},
        base_version=1,
    )
    client.force_login(staff_user())
    response = client.post(reverse("selfservice:change-review", args=[change.pk]), {"decision": "approve"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    change.refresh_from_db()
    cooperative.refresh_from_db()
    assert change.status == ReviewStatus.PENDING
    assert cooperative.ps_decision_number == ""


def test_lookup_by_full_or_partial_krs(client):
    target = CooperativeFactory(krs_number="0000123456")
    CooperativeFactory(krs_number="0009123456")
    client.force_login(verified_user())
    url = reverse("selfservice:representation-request")
    assert list(client.get(url, {"q": "0000123456"}).context["results"]) == [target]
    assert len(client.get(url, {"q": "123456"}).context["results"]) == 2


def test_moderators_of_the_voivodeship_are_told_about_new_requests(client, django_capture_on_commit_callbacks):
    cooperative = CooperativeFactory(email="")  # łódzkie
    staff = staff_user()
    this_coordinator = coordinator(LODZKIE)
    coordinator("14")  # another voivodeship: not told
    client.force_login(verified_user())
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("selfservice:representation-request"),
            {"krs": cooperative.krs_number, "role_in_cooperative": "prezes"},
        )
    assert sorted(m.to[0] for m in mail.outbox) == sorted([staff.email, this_coordinator.email])
    assert all(len(m.to) == 1 for m in mail.outbox)
    request_obj = RepresentationRequest.objects.get()
    assert reverse("selfservice:representation-review", args=[request_obj.pk]) in mail.outbox[0].body

"""Permission matrix: every self-service write URL and API endpoint, for every kind of user.

Roles: anonymous, plain user, representative of another cooperative, editor, owner, coordinator of another
voivodeship, coordinator of this one, ministry staff. "ok" means the action was allowed (and, for writes, done);
anything else must be refused without changing data.
"""

import json

import pytest
from django.test import Client
from django.urls import reverse

from cooperatives import services
from cooperatives.models import (
    ChangeRequest,
    Cooperative,
    CooperativePhoto,
    ErrorReport,
    Inquiry,
    InquiryRecipient,
    Invitation,
    Membership,
    Offer,
    RepresentationRequest,
    ReviewStatus,
)

from .factories import CooperativeFactory, OfferFactory
from .selfservice_helpers import (
    LODZKIE,
    MAZOWIECKIE,
    coordinator,
    profile_post_data,
    representative,
    staff_user,
    verified_user,
)

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "plain", "other_rep", "editor", "owner", "coord_other", "coord_this", "staff"]
EDITORS = {"editor", "owner", "staff"}
OWNERS = {"owner", "staff"}
MODERATORS = {"coord_this", "staff"}
DESK = {"coord_other", "coord_this", "staff"}
SIGNED_IN = set(ROLES) - {"anonymous"}


@pytest.fixture
def world():
    coop = CooperativeFactory(email="biuro@coop.example", publish_email=True)  # łódzkie
    other = CooperativeFactory(gmina_id="1465011")  # Warszawa, mazowieckie
    users = {
        "anonymous": None,
        "plain": verified_user(),
        "other_rep": representative(other),
        "editor": representative(coop, Membership.Role.EDITOR),
        "owner": representative(coop),
        "coord_other": coordinator(MAZOWIECKIE),
        "coord_this": coordinator(LODZKIE),
        "staff": staff_user(),
    }
    extra_editor = representative(coop, Membership.Role.EDITOR)
    offer = OfferFactory(cooperative=coop)
    photo = CooperativePhoto.objects.create(cooperative=coop, image="photos/none.jpg", alt_text="zdjęcie")
    applicant = verified_user()
    rep_request = RepresentationRequest.objects.create(user=applicant, cooperative=coop, role_in_cooperative="prezes")
    change = ChangeRequest.objects.create(
        cooperative=coop,
        requested_by=users["owner"],
        proposed={"name": "Nowa"},
        previous={"name": coop.name},
        base_version=1,
    )
    report = ErrorReport.objects.create(cooperative=coop, message="Zły telefon")
    inquiry = Inquiry.objects.create(
        subject="Catering", details="x", place="Łódź", timeframe="maj", contact_name="Jan", contact_email="j@e.pl"
    )
    InquiryRecipient.objects.create(inquiry=inquiry, cooperative=coop)
    # A history record to revert to.
    coop.description = "zmieniony"
    coop.save()
    first_record = coop.history.order_by("history_date").first()
    # One invitation for someone without an account, one for the plain user's (verified) address.
    invitation = Invitation.objects.create(cooperative=coop, email="bez-konta@example.com", invited_by=users["owner"])
    plain_invitation = Invitation.objects.create(
        cooperative=coop, email=users["plain"].email.lower(), invited_by=users["owner"]
    )
    return {
        "coop": coop,
        "users": users,
        "extra_membership": Membership.objects.get(user=extra_editor),
        "offer": offer,
        "photo": photo,
        "rep_request": rep_request,
        "change": change,
        "report": report,
        "inquiry": inquiry,
        "first_record": first_record,
        "invitation": invitation,
        "plain_invitation": plain_invitation,
    }


def _page(name, *args):
    return lambda w: reverse(f"selfservice:{name}", args=[a(w) for a in args])


krs = lambda w: w["coop"].krs_number  # noqa: E731
offer_pk = lambda w: w["offer"].pk  # noqa: E731
invitation_token = lambda w: services.invitation_token(w["plain_invitation"])  # noqa: E731

# (case id, method, url, data, allowed roles, check that the write happened)
PAGES = [
    ("edit-get", "get", _page("cooperative-edit", krs), None, EDITORS, None),
    (
        "edit-post",
        "post",
        _page("cooperative-edit", krs),
        lambda w: profile_post_data(w["coop"], description="po edycji"),
        EDITORS,
        lambda w: Cooperative.objects.get(pk=w["coop"].pk).description == "po edycji",
    ),
    (
        "confirm-data",
        "post",
        _page("confirm-data", krs),
        lambda w: {},
        EDITORS,
        lambda w: Cooperative.objects.get(pk=w["coop"].pk).verified_at is not None,
    ),
    ("change-request", "get", _page("change-request", krs), None, EDITORS, None),
    ("offer-create", "get", _page("offer-create", krs), None, EDITORS, None),
    ("offer-edit", "get", _page("offer-edit", offer_pk), None, EDITORS, None),
    (
        "offer-delete",
        "post",
        _page("offer-delete", offer_pk),
        lambda w: {},
        EDITORS,
        lambda w: not Offer.objects.filter(pk=w["offer"].pk).exists(),
    ),
    ("photos", "get", _page("photos", krs), None, EDITORS, None),
    (
        "photo-delete",
        "post",
        _page("photo-delete", lambda w: w["photo"].pk),
        lambda w: {},
        EDITORS,
        lambda w: not CooperativePhoto.objects.filter(pk=w["photo"].pk).exists(),
    ),
    ("members", "get", _page("members", krs), None, OWNERS, None),
    (
        "member-remove",
        "post",
        _page("member-remove", lambda w: w["extra_membership"].pk),
        lambda w: {},
        OWNERS,
        lambda w: not Membership.objects.filter(pk=w["extra_membership"].pk).exists(),
    ),
    (
        "invitation-cancel",
        "post",
        _page("invitation-cancel", lambda w: w["invitation"].pk),
        lambda w: {},
        OWNERS,
        lambda w: not Invitation.objects.filter(pk=w["invitation"].pk).exists(),
    ),
    # Only the invited person may accept; anyone else (staff included) is refused.
    ("invitation-accept-get", "get", _page("invitation-accept", invitation_token), None, {"plain"}, None),
    (
        "invitation-accept",
        "post",
        _page("invitation-accept", invitation_token),
        lambda w: {},
        {"plain"},
        lambda w: Membership.objects.filter(user=w["users"]["plain"], cooperative=w["coop"]).exists(),
    ),
    # Representatives see their own cooperative's history (issue 13); reverting stays with staff.
    ("history", "get", _page("history", krs), None, MODERATORS | EDITORS, None),
    (
        "history-revert",
        "post",
        lambda w: reverse("selfservice:history-revert", args=["spoldzielnia", w["first_record"].history_id]),
        lambda w: {},
        {"staff"},
        lambda w: Cooperative.objects.get(pk=w["coop"].pk).description == "",
    ),
    ("moderation", "get", _page("moderation"), None, DESK, None),
    ("stale", "get", _page("stale"), None, DESK, None),
    (
        "representation-review",
        "get",
        _page("representation-review", lambda w: w["rep_request"].pk),
        None,
        MODERATORS,
        None,
    ),
    (
        "representation-decide",
        "post",
        _page("representation-review", lambda w: w["rep_request"].pk),
        lambda w: {"decision": "approve"},
        MODERATORS,
        lambda w: RepresentationRequest.objects.get(pk=w["rep_request"].pk).status == ReviewStatus.APPROVED,
    ),
    ("change-review", "get", _page("change-review", lambda w: w["change"].pk), None, MODERATORS, None),
    (
        "change-decide",
        "post",
        _page("change-review", lambda w: w["change"].pk),
        lambda w: {"decision": "reject", "reason": "nie"},
        MODERATORS,
        lambda w: ChangeRequest.objects.get(pk=w["change"].pk).status == ReviewStatus.REJECTED,
    ),
    (
        "error-resolve",
        "post",
        _page("error-resolve", lambda w: w["report"].pk),
        lambda w: {},
        MODERATORS,
        lambda w: ErrorReport.objects.get(pk=w["report"].pk).status == ErrorReport.Status.RESOLVED,
    ),
    ("inquiry-detail", "get", _page("inquiry-detail", lambda w: w["inquiry"].pk), None, EDITORS, None),
    ("representation-request", "get", _page("representation-request"), None, SIGNED_IN, None),
    ("api-token", "get", _page("api-token"), None, SIGNED_IN, None),
    ("dashboard", "get", _page("dashboard"), None, SIGNED_IN, None),
]


def _client(user):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("case", "method", "url", "data", "allowed", "done"), PAGES, ids=[p[0] for p in PAGES])
def test_page_permissions(world, role, case, method, url, data, allowed, done):
    client = _client(world["users"][role])
    target = url(world)
    response = client.get(target) if method == "get" else client.post(target, data(world))
    if role in allowed:
        assert response.status_code in (200, 302), response.status_code
        if response.status_code == 302:
            assert "/konto/" not in response["Location"]
        if done is not None:
            assert done(world), f"{case}: allowed but not done"
    else:
        if role == "anonymous":
            assert response.status_code == 302
            assert response["Location"].startswith(reverse("account_login"))
        else:
            assert response.status_code == 403
        if done is not None:
            assert not done(world), f"{case}: refused but done anyway"


def test_coordinator_of_other_voivodeship_sees_an_empty_desk(world):
    client = _client(world["users"]["coord_other"])
    response = client.get(reverse("selfservice:moderation"))
    assert list(response.context["representation_requests"]) == []
    assert list(response.context["change_requests"]) == []
    assert list(response.context["error_reports"]) == []
    # Asking for another voivodeship through the filter does not widen the scope.
    response = client.get(reverse("selfservice:moderation"), {"wojewodztwo": LODZKIE})
    assert list(response.context["representation_requests"]) == []


@pytest.mark.parametrize("value", ["1\x00", "1²", "9" * 5000, "\x01"])
def test_a_malformed_voivodeship_on_the_desk_is_ignored(world, value):
    """Never passed to the database (PostgreSQL refuses NUL: that was a 500): the desk shows every voivodeship."""
    response = _client(world["users"]["coord_this"]).get(reverse("selfservice:moderation"), {"wojewodztwo": value})
    assert response.status_code == 200
    assert response.context["chosen"] is None
    assert [r.cooperative for r in response.context["representation_requests"]] == [world["coop"]]


@pytest.mark.parametrize("value", ["1\x00", "00000000²1", "9" * 5000])
def test_a_malformed_krs_in_a_representation_request_is_not_found(world, value):
    client = _client(world["users"]["plain"])
    assert client.get(reverse("selfservice:representation-request"), {"krs": value}).status_code == 404
    response = client.post(
        reverse("selfservice:representation-request"), {"krs": value, "role_in_cooperative": "prezes"}
    )
    assert response.status_code == 404


# --- API -----------------------------------------------------------------------------------------------------


def _api(world, role):
    client = Client()
    user = world["users"][role]
    if user is not None:
        client.force_login(user)
    return client


API_EDITORS = {"editor", "owner", "staff"}


@pytest.mark.parametrize("role", ROLES)
def test_api_patch_cooperative(world, role):
    coop = world["coop"]
    coop.refresh_from_db()
    response = _api(world, role).patch(
        f"/api/v1/manage/cooperatives/{coop.krs_number}/",
        data=json.dumps({"description": "z API"}),
        content_type="application/json",
        HTTP_IF_MATCH=f'"{coop.version}"',
    )
    coop.refresh_from_db()
    if role in API_EDITORS:
        assert response.status_code == 200
        assert coop.description == "z API"
        assert response["ETag"] == f'"{coop.version}"'
    else:
        assert response.status_code in ({401, 403} if role == "anonymous" else {403, 404})
        assert coop.description != "z API"


@pytest.mark.parametrize("role", ROLES)
def test_api_create_offer(world, role):
    response = _api(world, role).post(
        "/api/v1/manage/offers/",
        data=json.dumps({"cooperative": world["coop"].krs_number, "title": "Nowa z API", "category": "catering"}),
        content_type="application/json",
    )
    created = Offer.objects.filter(title="Nowa z API").exists()
    if role in API_EDITORS:
        assert response.status_code == 201, response.content
        assert created
    else:
        assert response.status_code in (401, 403)
        assert not created


@pytest.mark.parametrize("role", ROLES)
def test_api_update_and_delete_offer(world, role):
    offer = world["offer"]
    client = _api(world, role)
    response = client.patch(
        f"/api/v1/manage/offers/{offer.pk}/",
        data=json.dumps({"title": "Zmieniona", "version": offer.version}),
        content_type="application/json",
    )
    offer.refresh_from_db()
    if role in API_EDITORS:
        assert response.status_code == 200
        assert offer.title == "Zmieniona"
    else:
        assert response.status_code in ({401, 403} if role == "anonymous" else {404})
        assert offer.title != "Zmieniona"
    response = client.delete(f"/api/v1/manage/offers/{offer.pk}/")
    exists = Offer.objects.filter(pk=offer.pk).exists()
    if role in API_EDITORS:
        assert response.status_code == 204
        assert not exists
    else:
        assert response.status_code in ({401, 403} if role == "anonymous" else {404})
        assert exists


@pytest.mark.parametrize("role", ROLES)
def test_api_change_request(world, role):
    response = _api(world, role).post(
        f"/api/v1/manage/cooperatives/{world['coop'].krs_number}/change-request/",
        data=json.dumps({"name": "Nazwa z API", "justification": "KRS"}),
        content_type="application/json",
    )
    created = ChangeRequest.objects.filter(proposed__name="Nazwa z API").exists()
    if role in API_EDITORS:
        assert response.status_code == 201
        assert created
        assert Cooperative.objects.get(pk=world["coop"].pk).name != "Nazwa z API"
    else:
        assert response.status_code in ({401, 403} if role == "anonymous" else {404})
        assert not created

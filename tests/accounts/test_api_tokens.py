"""API tokens: scoped, expiring, revoked on a password or role change, refused for staff without TOTP, listed and
revoked by their owner in the panel, stored only as a digest."""

import hashlib
import json
import re
from datetime import timedelta

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts import tokens
from accounts.models import ApiToken, User
from accounts.roles import MINISTRY_STAFF, REGIONAL_COORDINATOR
from monitoring.models import Response
from tests.cooperatives.factories import CooperativeFactory, OfferFactory
from tests.cooperatives.selfservice_helpers import PASSWORD, representative, staff_user, verified_user
from tests.factories import api_token_header
from tests.monitoring.conftest import make_wave

pytestmark = pytest.mark.django_db

SCOPE = ApiToken.Scope
STRONG = "Spoldzielnia-Socjalna-2026!"


def api(method, path, authorization, body=None, **headers):
    client = Client()
    kwargs = {"HTTP_AUTHORIZATION": authorization, **headers}
    if body is not None:
        kwargs.update(data=json.dumps(body), content_type="application/json")
    return getattr(client, method)(path, **kwargs)


@pytest.fixture
def survey_world():
    cooperative = CooperativeFactory()
    wave = make_wave()
    return {"cooperative": cooperative, "wave": wave, "offer": OfferFactory(cooperative=cooperative)}


def survey_post(world, authorization):
    answers = {"activity_status": "active", "members_at_risk": 5}
    body = {"wave": world["wave"].pk, "cooperative": world["cooperative"].krs_number, "answers": answers}
    return api("post", "/api/v1/responses/", authorization, body)


def offer_patch(world, authorization):
    offer = world["offer"]
    body = {"is_active": False, "version": offer.version}
    return api("patch", f"/api/v1/manage/offers/{offer.pk}/", authorization, body)


# --- Staff, TOTP and roles -----------------------------------------------------------------------------------


def test_a_token_issued_before_its_user_became_staff_no_longer_works():
    """The review's finding: a representative's token kept working after the account joined the ministry staff,
    and then read every survey response without TOTP."""
    user = verified_user()
    authorization = api_token_header(user)
    assert api("get", "/api/v1/responses/", authorization).status_code == 200

    user.groups.add(Group.objects.get(name=MINISTRY_STAFF))

    response = api("get", "/api/v1/responses/", authorization)
    assert response.status_code == 401
    assert response.json() == {"detail": "Token został odwołany (zmiana roli)."}
    assert ApiToken.objects.get(user=user).revoked_reason == ApiToken.RevokedReason.ROLE


def test_staff_tokens_need_totp_even_when_the_role_came_without_signals():
    """A role given by a bulk update (no signal, so no revocation) still meets the live TOTP check."""
    user = verified_user()
    authorization = api_token_header(user)
    User.objects.filter(pk=user.pk).update(is_staff=True)

    response = api("get", "/api/v1/responses/", authorization)
    assert response.status_code == 403
    assert "TOTP" in response.json()["detail"]
    assert response["Content-Type"] == "application/json"


def test_staff_whose_authenticator_is_removed_cannot_use_their_tokens():
    staff = staff_user()
    authorization = api_token_header(staff)
    assert api("get", "/api/v1/responses/", authorization).status_code == 200
    Authenticator.objects.filter(user=staff).delete()
    assert api("get", "/api/v1/responses/", authorization).status_code == 403


def test_staff_without_totp_cannot_create_tokens():
    user = verified_user()
    user.groups.add(Group.objects.get(name=REGIONAL_COORDINATOR))
    with pytest.raises(ValidationError):
        tokens.api_token_create(user=user, name="x", scopes=[], days=30)
    client = Client()
    client.force_login(user)
    # The panel itself is behind the staff TOTP check (accounts.middleware).
    response = client.post(reverse("selfservice:api-token"), {"name": "x", "days": 30})
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")
    assert not ApiToken.objects.filter(user=user).exists()


@pytest.mark.parametrize(
    ("change", "other_revoked"),
    [
        pytest.param(lambda u: u.groups.add(Group.objects.get(name=REGIONAL_COORDINATOR)), False, id="group-added"),
        pytest.param(lambda u: Group.objects.get(name=REGIONAL_COORDINATOR).user_set.add(u), False, id="from-group"),
        pytest.param(lambda u: u.groups.remove(Group.objects.get(name=MINISTRY_STAFF)), False, id="group-removed"),
        pytest.param(lambda u: u.groups.clear(), False, id="groups-cleared"),
        # Both users are ministry staff: emptying the group changes both roles.
        pytest.param(lambda u: Group.objects.get(name=MINISTRY_STAFF).user_set.clear(), True, id="group-emptied"),
    ],
)
def test_any_change_of_groups_revokes_the_tokens_of_the_users_concerned(change, other_revoked):
    staff, other = staff_user(), staff_user()
    authorization, other_authorization = api_token_header(staff), api_token_header(other)

    change(staff)

    response = api("get", "/api/v1/responses/", authorization)
    assert response.status_code == 401
    assert response.json() == {"detail": "Token został odwołany (zmiana roli)."}
    assert api("get", "/api/v1/responses/", other_authorization).status_code == (401 if other_revoked else 200)


@pytest.mark.parametrize("field", ["is_staff", "is_superuser"])
def test_a_change_of_the_admin_flags_revokes_the_tokens(field):
    staff = staff_user()
    authorization = api_token_header(staff)
    setattr(staff, field, not getattr(staff, field))
    staff.save()
    assert api("get", "/api/v1/responses/", authorization).status_code == 401
    assert ApiToken.objects.get(user=staff).revoked_reason == ApiToken.RevokedReason.ROLE


def test_saving_a_user_without_a_role_or_password_change_keeps_the_tokens(django_assert_num_queries):
    user = verified_user()
    authorization = api_token_header(user)
    user.first_name = "Ala"
    user.save()
    with django_assert_num_queries(1):  # a log-in's last_login update does not even read the stored row
        user.save(update_fields=["last_login"])
    assert api("get", "/api/v1/responses/", authorization).status_code == 200


# --- Password ------------------------------------------------------------------------------------------------


def test_changing_the_password_in_the_account_pages_revokes_the_tokens():
    user = verified_user()
    authorization = api_token_header(user)
    client = Client()
    client.force_login(user)
    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": STRONG, "password2": STRONG},
    )
    assert response.status_code == 302
    response = api("get", "/api/v1/responses/", authorization)
    assert response.status_code == 401
    assert response.json() == {"detail": "Token został odwołany (zmiana hasła)."}


def test_any_password_change_revokes_the_tokens():
    """The admin, `changepassword` and a reset link all end in set_password() and save()."""
    user = verified_user()
    authorization = api_token_header(user)
    user.set_password(STRONG)
    user.save()
    assert api("get", "/api/v1/responses/", authorization).status_code == 401
    # A token created afterwards works.
    assert api("get", "/api/v1/responses/", api_token_header(user)).status_code == 200


# --- Expiry and unknown tokens ----------------------------------------------------------------------------------


def test_an_expired_token_is_a_401_saying_so():
    user = verified_user()
    authorization = api_token_header(user, days=1)
    ApiToken.objects.filter(user=user).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = api("get", "/api/v1/responses/", authorization)
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert response.json()["detail"].startswith("Token wygasł ")
    assert response["WWW-Authenticate"] == "Token"


def test_an_unknown_token_is_a_401():
    response = api("get", "/api/v1/responses/", "Token pss_nie-ma-takiego")
    assert response.status_code == 401
    assert response.json() == {"detail": "Nieprawidłowy token."}


@pytest.mark.parametrize("days", [0, 366, -5])
def test_validity_is_chosen_within_limits(days):
    with pytest.raises(ValidationError):
        tokens.api_token_create(user=verified_user(), name="x", scopes=[], days=days)


def test_a_token_lives_as_long_as_chosen():
    token, _secret = tokens.api_token_create(user=verified_user(), name="x", scopes=[], days=365)
    assert token.expires_at - token.created_at == timedelta(days=365)


# --- Scopes ------------------------------------------------------------------------------------------------------


def test_a_read_only_token_reads_but_does_not_write(survey_world):
    user = representative(survey_world["cooperative"])
    authorization = api_token_header(user, scopes=[])
    assert api("get", "/api/v1/manage/offers/", authorization).json()["count"] == 1

    response = offer_patch(survey_world, authorization)
    assert response.status_code == 403
    assert response.json() == {
        "detail": "Token nie ma zakresu „zapis: profile i oferty spółdzielni” potrzebnego do tej operacji."
    }
    response = survey_post(survey_world, authorization)
    assert response.status_code == 403
    survey_world["offer"].refresh_from_db()
    assert survey_world["offer"].is_active is True
    assert not Response.objects.exists()


def test_a_registry_token_writes_the_registry_but_not_survey_answers(survey_world):
    user = representative(survey_world["cooperative"])
    authorization = api_token_header(user, scopes=[SCOPE.REGISTRY])
    assert offer_patch(survey_world, authorization).status_code == 200
    response = survey_post(survey_world, authorization)
    assert response.status_code == 403
    assert "zapis: odpowiedzi na ankiety monitoringu" in response.json()["detail"]
    assert not Response.objects.exists()


def test_a_survey_token_writes_answers_but_not_the_registry(survey_world):
    user = representative(survey_world["cooperative"])
    authorization = api_token_header(user, scopes=[SCOPE.SURVEY])
    response = survey_post(survey_world, authorization)
    assert response.status_code == 201, response.json()
    assert response.json()["answers"]["members_at_risk"] == 5
    assert offer_patch(survey_world, authorization).status_code == 403
    survey_world["offer"].refresh_from_db()
    assert survey_world["offer"].is_active is True


def test_the_scope_refusal_is_logged_with_the_owner(survey_world, caplog):
    user = representative(survey_world["cooperative"])
    with caplog.at_level("WARNING", logger="portal.security"):
        offer_patch(survey_world, api_token_header(user, scopes=[]))
    [record] = [r for r in caplog.records if getattr(r, "security", {}).get("event") == "api_token_scope_refused"]
    assert record.security["user_id"] == str(user.pk)
    assert record.security["needed"] == SCOPE.REGISTRY


def test_no_write_operation_of_the_api_accepts_a_read_only_token(client):
    """Every write operation in the OpenAPI schema, for a ministry-staff account (allowed everything) whose token
    may only read: refused before the view runs. A view that forgets to declare its scope accepts no token writes."""
    schema = client.get("/api/v1/schema/?format=json").json()
    authorization = api_token_header(staff_user(), scopes=[])
    operations = [
        (path, method)
        for path, methods in schema["paths"].items()
        for method in methods
        if method in ("post", "put", "patch", "delete")
    ]
    assert len(operations) >= 8
    for path, method in operations:
        url = re.sub(r"\{krs_number\}", "0000123456", re.sub(r"\{(id|pk)\}", "1", path))
        response = api(method, url, authorization, body={})
        assert response.status_code == 403, (method, url)
        assert response.json()["detail"].startswith("Token nie ma zakresu"), (method, url)


# --- The panel ---------------------------------------------------------------------------------------------------


def test_the_secret_is_shown_once_and_only_its_digest_is_stored():
    user = verified_user()
    client = Client()
    client.force_login(user)
    response = client.post(
        reverse("selfservice:api-token"), {"name": "Księgowość", "scopes": [SCOPE.SURVEY], "days": "30"}
    )
    assert response.status_code == 200
    secret = re.search(r"<code>(pss_[^<]+)</code>", response.content.decode()).group(1)
    token = ApiToken.objects.get(user=user)
    assert token.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in json.dumps(list(ApiToken.objects.values()), default=str)
    assert token.scopes == [SCOPE.READ, SCOPE.SURVEY]
    assert token.expires_at - token.created_at == timedelta(days=30)
    assert "no-store" in response["Cache-Control"]

    page = client.get(reverse("selfservice:api-token")).content.decode()
    assert secret not in page
    assert "Księgowość" in page and token.prefix in page
    assert api("get", "/api/v1/responses/", f"Token {secret}").status_code == 200


def test_the_form_refuses_a_validity_over_the_maximum():
    client = Client()
    client.force_login(verified_user())
    response = client.post(reverse("selfservice:api-token"), {"name": "x", "days": "400"})
    assert response.status_code == 200
    assert response.context["form"].errors["days"]
    assert not ApiToken.objects.exists()


def test_the_list_shows_only_the_owners_tokens_in_a_fixed_number_of_queries(django_assert_num_queries):
    user, stranger = verified_user(), verified_user()
    api_token_header(stranger)
    client = Client()
    client.force_login(user)
    for _ in range(2):
        api_token_header(user)
    client.get(reverse("selfservice:api-token"))  # warms the process-wide caches (content types)
    with django_assert_num_queries(4) as few:  # session, user, their groups (the TOTP rule), their tokens
        client.get(reverse("selfservice:api-token"))
    for _ in range(5):
        api_token_header(user)
    with django_assert_num_queries(len(few)):
        response = client.get(reverse("selfservice:api-token"))
    assert len(response.context["tokens"]) == 7


def test_the_owner_revokes_a_token_and_nobody_else_can():
    user, stranger = verified_user(), verified_user()
    authorization = api_token_header(user)
    token = ApiToken.objects.get(user=user)
    url = reverse("selfservice:api-token-revoke", args=[token.pk])

    outsider = Client()
    outsider.force_login(stranger)
    assert outsider.post(url).status_code == 404
    assert api("get", "/api/v1/responses/", authorization).status_code == 200

    client = Client()
    client.force_login(user)
    assert client.get(url).status_code == 405
    response = client.post(url)
    assert response.status_code == 302
    assert api("get", "/api/v1/responses/", authorization).json() == {
        "detail": "Token został odwołany (odwołany przez właściciela)."
    }
    assert "odwołany" in client.get(reverse("selfservice:api-token")).content.decode()


def test_the_number_of_live_tokens_is_limited(settings):
    settings.PORTAL_API_TOKEN_MAX_ACTIVE = 2
    user = verified_user()
    api_token_header(user)
    api_token_header(user)
    with pytest.raises(ValidationError):
        api_token_header(user)
    tokens.api_token_revoke(token=ApiToken.objects.filter(user=user).first())
    api_token_header(user)

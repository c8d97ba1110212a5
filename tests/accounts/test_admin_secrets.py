"""No admin page shows a secret that lets its reader pass as someone: TOTP secrets, recovery codes, e-mail
confirmation keys, session data, API token digests, participants' cancel and download links."""

import pytest
from allauth.account.models import EmailConfirmation
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib import admin
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.test import RequestFactory
from django.urls import reverse

from accounts.admin import EmailConfirmationAdmin
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

# Fields of registered or registrable models that hold a bearer secret (or its digest).
SECRET_FIELDS = {
    ("mfa", "authenticator"): {"data"},
    ("account", "emailconfirmation"): {"key"},
    ("sessions", "session"): {"session_key", "session_data"},
    ("accounts", "apitoken"): {"key_hash"},
    ("trainings", "enrolment"): {"cancel_token"},
    ("trainings", "certificate"): {"download_token"},
}


@pytest.fixture
def superuser_client(client):
    superuser = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(superuser)
    client.superuser = superuser
    return client


@pytest.fixture
def secrets_of_a_user():
    user = UserFactory()
    secret = generate_totp_secret()
    totp = TOTP.activate(user, secret).instance
    recovery = RecoveryCodes.activate(user)
    codes = recovery.get_unused_codes()
    return {
        "user": user,
        "totp": totp,
        "recovery": recovery.instance,
        "texts": [secret, recovery.instance.data["seed"], *codes],
    }


def _admin_pages(obj):
    opts = obj._meta
    prefix = f"admin:{opts.app_label}_{opts.model_name}"
    return [
        reverse(f"{prefix}_changelist"),
        reverse(f"{prefix}_changelist") + "?q=" + obj.user.email,
        reverse(f"{prefix}_change", args=[obj.pk]),
        reverse(f"{prefix}_history", args=[obj.pk]),
        reverse(f"{prefix}_delete", args=[obj.pk]),
    ]


def test_no_authenticator_page_shows_a_secret_or_a_recovery_code(superuser_client, secrets_of_a_user):
    for obj in (secrets_of_a_user["totp"], secrets_of_a_user["recovery"]):
        # A change logged by the old admin must not bring the values back on the history page either.
        LogEntry.objects.log_actions(
            user_id=superuser_client.superuser.pk,
            queryset=[obj],
            action_flag=CHANGE,
            change_message=[{"changed": {"fields": ["data"]}}],
        )
        for url in _admin_pages(obj):
            response = superuser_client.get(url)
            assert response.status_code == 200, url
            content = response.content.decode()
            if not url.endswith(("/history/", "/delete/")):
                assert secrets_of_a_user["user"].email in content, url  # the page shows the method's owner
            for text in secrets_of_a_user["texts"]:
                assert text not in content, (url, text)
            assert '"seed"' not in content and "&quot;seed&quot;" not in content
            assert '"secret"' not in content and "&quot;secret&quot;" not in content


def test_an_authenticator_can_be_deleted_but_not_added_or_edited(superuser_client, secrets_of_a_user):
    totp = secrets_of_a_user["totp"]
    change_url = reverse("admin:mfa_authenticator_change", args=[totp.pk])
    response = superuser_client.post(change_url, {"data": '{"secret": "ATTACKER"}', "type": "totp"})
    assert response.status_code == 403
    totp.refresh_from_db()
    assert totp.data["secret"] != "ATTACKER"
    assert superuser_client.get(reverse("admin:mfa_authenticator_add")).status_code == 403

    response = superuser_client.post(reverse("admin:mfa_authenticator_delete", args=[totp.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not Authenticator.objects.filter(pk=totp.pk).exists()
    assert Authenticator.objects.filter(pk=secrets_of_a_user["recovery"].pk).exists()


def test_no_registered_admin_exposes_a_secret_field():
    request = RequestFactory().get("/")
    request.user = UserFactory(is_staff=True, is_superuser=True)
    for model, model_admin in admin.site._registry.items():
        secret = SECRET_FIELDS.get((model._meta.app_label, model._meta.model_name), set())
        if not secret:
            continue
        obj = model._default_manager.first()
        shown = {
            *model_admin.get_fields(request, obj),
            *model_admin.get_list_display(request),
            *model_admin.get_search_fields(request),
        }
        assert not shown & secret, (model, shown & secret)
    # Sessions and API tokens have no admin at all.
    assert not any(m._meta.model_name in {"session", "apitoken"} for m in admin.site._registry)


def test_email_confirmation_keys_are_not_shown_when_confirmations_are_stored():
    # allauth registers its own admin (showing the key) only without HMAC confirmations; ours replaces it then.
    request = RequestFactory().get("/")
    request.user = UserFactory(is_staff=True, is_superuser=True)
    model_admin = EmailConfirmationAdmin(EmailConfirmation, admin.site)
    shown = {*model_admin.get_fields(request), *model_admin.get_list_display(request)}
    assert "key" not in shown
    assert not model_admin.has_change_permission(request)
    assert ContentType.objects.get_for_model(EmailConfirmation)

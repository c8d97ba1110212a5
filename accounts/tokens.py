"""API tokens: issuing, revoking, and the automatic revocation when a password or a role changes.

A token is refused (accounts/authentication.py) when it is revoked, expired, used for a write outside its scopes,
or owned by someone whose role requires TOTP (accounts.roles.requires_two_factor) without an authenticator. On
top of that live check, every token of a user is revoked when their password changes (any path: allauth's pages,
the admin, `changepassword`, a reset link) or their role changes (groups, `is_staff`, `is_superuser`), so a token
never carries over the powers of an account's earlier state.
"""

import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.signals import m2m_changed, pre_save
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .middleware import has_totp
from .models import ApiToken
from .roles import requires_two_factor

SECRET_PREFIX = "pss_"  # "portal spółdzielni socjalnych": recognisable in logs and by secret scanners
WRITE_SCOPES = (ApiToken.Scope.REGISTRY, ApiToken.Scope.SURVEY, ApiToken.Scope.TRAININGS)


def may_hold_tokens(user) -> bool:
    """Anyone may hold tokens, except staff (everyone who must use TOTP) who have not set it up."""
    return not (requires_two_factor(user) and not has_totp(user))


@transaction.atomic
def api_token_create(*, user, name: str, scopes: list[str], days: int) -> tuple[ApiToken, str]:
    """Issue a token; returns it and its secret, which is never stored and so can be shown only now."""
    if not may_hold_tokens(user):
        raise ValidationError(_("Pracownicy i koordynatorzy muszą najpierw włączyć uwierzytelnianie dwuskładnikowe."))
    if not 1 <= days <= settings.PORTAL_API_TOKEN_MAX_DAYS:
        raise ValidationError(
            _("Token może być ważny od 1 do %(max)d dni.") % {"max": settings.PORTAL_API_TOKEN_MAX_DAYS}
        )
    unknown = set(scopes) - set(WRITE_SCOPES)
    if unknown:
        raise ValidationError(_("Nieznany zakres tokenu: %(scopes)s.") % {"scopes": ", ".join(sorted(unknown))})
    # Lock the owner's row so two simultaneous requests cannot both pass the limit.
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()
    if user.api_tokens.usable().count() >= settings.PORTAL_API_TOKEN_MAX_ACTIVE:
        raise ValidationError(
            ngettext(
                "Masz już %(n)d ważny token; odwołaj go, zanim utworzysz nowy.",
                "Masz już %(n)d ważne tokeny; odwołaj któryś, zanim utworzysz nowy.",
                settings.PORTAL_API_TOKEN_MAX_ACTIVE,
            )
            % {"n": settings.PORTAL_API_TOKEN_MAX_ACTIVE}
        )
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    now = timezone.now()
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=secret[: len(SECRET_PREFIX) + 4],
        key_hash=ApiToken.digest(secret),
        scopes=[ApiToken.Scope.READ, *(scope for scope in WRITE_SCOPES if scope in scopes)],
        created_at=now,
        expires_at=now + timedelta(days=days),
    )
    return token, secret


def api_token_revoke(*, token: ApiToken, reason: str = ApiToken.RevokedReason.OWNER) -> None:
    """Revoke one token (idempotent: an already revoked token keeps its first reason)."""
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_reason=reason
    )


def api_tokens_revoke_all(*, user_ids, reason: str) -> int:
    """Revoke every live token of these users; returns how many."""
    return ApiToken.objects.filter(user_id__in=list(user_ids), revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_reason=reason
    )


def find_token(secret: str) -> ApiToken | None:
    """The token with this secret (usable or not, so the caller can say why it is refused), with its owner."""
    return ApiToken.objects.select_related("user").filter(key_hash=ApiToken.digest(secret)).first()


def note_use(token: ApiToken) -> None:
    """Record when a token was last used, at most once per `PORTAL_API_TOKEN_USE_RESOLUTION` seconds (no write on
    most requests)."""
    now = timezone.now()
    resolution = timedelta(seconds=settings.PORTAL_API_TOKEN_USE_RESOLUTION)
    if token.last_used_at is None or now - token.last_used_at >= resolution:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


# --- Automatic revocation ------------------------------------------------------------------------------------

ROLE_FIELDS = ("is_staff", "is_superuser")
WATCHED_FIELDS = ("password", *ROLE_FIELDS)


@receiver(pre_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="accounts_tokens_user_changed")
def revoke_on_password_or_role_change(sender, instance, raw=False, update_fields=None, **kwargs):
    """A saved user whose password, is_staff or is_superuser differs from the stored row loses every token."""
    if raw or instance.pk is None or instance._state.adding:
        return
    if update_fields is not None and not set(update_fields) & set(WATCHED_FIELDS):
        return  # e.g. last_login on every log-in: no extra query
    stored = sender.objects.filter(pk=instance.pk).values(*WATCHED_FIELDS).first()
    if stored is None:
        return
    if stored["password"] != instance.password:
        api_tokens_revoke_all(user_ids=[instance.pk], reason=ApiToken.RevokedReason.PASSWORD)
    elif any(stored[field] != getattr(instance, field) for field in ROLE_FIELDS):
        api_tokens_revoke_all(user_ids=[instance.pk], reason=ApiToken.RevokedReason.ROLE)


def _group_members_changed(sender, instance, action, reverse, pk_set, **kwargs):
    """Joining or leaving a group (a role) revokes the tokens of the users concerned, from either side of the
    relation (`user.groups.add(group)` or `group.user_set.add(user)`)."""
    if action == "pre_clear" and reverse:
        # The group loses all its members: remember who they were, the post_clear signal has no pk_set.
        instance._portal_cleared_user_ids = list(instance.user_set.values_list("pk", flat=True))
        return
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if not reverse:
        user_ids = [instance.pk]
    elif action == "post_clear":
        user_ids = getattr(instance, "_portal_cleared_user_ids", [])
    else:
        user_ids = pk_set or []
    if action == "post_clear" or pk_set:
        api_tokens_revoke_all(user_ids=user_ids, reason=ApiToken.RevokedReason.ROLE)


def connect_signals() -> None:
    m2m_changed.connect(
        _group_members_changed,
        sender=get_user_model().groups.through,
        dispatch_uid="accounts_tokens_groups_changed",
    )

import hashlib

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A person with an account. Logs in by e-mail; the username is kept for the admin only."""

    email = models.EmailField(_("adres e-mail"), unique=True)

    class Meta(AbstractUser.Meta):
        verbose_name = _("użytkownik")
        verbose_name_plural = _("użytkownicy")
        swappable = "AUTH_USER_MODEL"

    def __str__(self):
        return self.get_full_name() or self.email or self.username


class ApiTokenQuerySet(models.QuerySet):
    def usable(self):
        """Neither revoked nor expired."""
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


class ApiToken(models.Model):
    """A secret that lets a program use the API as its owner, within the scopes chosen at creation, until it
    expires or is revoked (by the owner, or automatically on a password or role change; accounts/tokens.py).

    Only a SHA-256 digest of the secret is stored (the secret is 256 random bits, so a plain digest cannot be
    reversed or guessed); `prefix` lets the owner recognise a token in the panel.
    """

    class Scope(models.TextChoices):
        READ = "read", _("odczyt")
        REGISTRY = "registry:write", _("zapis: profile i oferty spółdzielni")
        SURVEY = "survey:write", _("zapis: odpowiedzi na ankiety monitoringu")
        TRAININGS = "trainings:write", _("zapis: obecność na szkoleniach")

    class RevokedReason(models.TextChoices):
        OWNER = "owner", _("odwołany przez właściciela")
        PASSWORD = "password", _("zmiana hasła")
        ROLE = "role", _("zmiana roli")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("właściciel"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("nazwa"), max_length=100)
    prefix = models.CharField(_("początek tokenu"), max_length=12)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    scopes = models.JSONField(_("zakres"), default=list)
    created_at = models.DateTimeField(_("utworzony"), default=timezone.now)
    expires_at = models.DateTimeField(_("ważny do"))
    last_used_at = models.DateTimeField(_("ostatnio użyty"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("odwołany"), null=True, blank=True)
    revoked_reason = models.CharField(
        _("powód odwołania"), max_length=20, choices=RevokedReason.choices, blank=True, default=""
    )

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("token API")
        verbose_name_plural = _("tokeny API")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "revoked_at"], name="accounts_apitoken_user_active")]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def digest(secret: str) -> str:
        return hashlib.sha256(secret.encode()).hexdigest()

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and not self.is_expired

    def has_scope(self, scope: str) -> bool:
        return scope == self.Scope.READ or scope in self.scopes

    def scope_labels(self) -> list[str]:
        return [str(label) for value, label in self.Scope.choices if self.has_scope(value)]

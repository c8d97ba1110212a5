import factory
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

from accounts import tokens
from accounts.middleware import has_totp
from accounts.models import User


def with_totp(user):
    """Staff must use TOTP (accounts.middleware); tests give it to the staff users they create."""
    if not has_totp(user):
        TOTP.activate(user, generate_totp_secret())
    return user


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.Sequence(lambda n: f"user{n}@example.org")
    password = factory.django.Password("haslo-testowe-123")

    @factory.post_generation
    def totp(self, create, extracted, **kwargs):
        """UserFactory(totp=True), or any is_staff user: an activated TOTP authenticator."""
        if create and (extracted or (extracted is None and self.is_staff)):
            with_totp(self)


def api_token_header(user, scopes=tokens.WRITE_SCOPES, days: int = 90) -> str:
    """An `Authorization` header value with a new API token of `user` (by default allowed to write everywhere)."""
    _token, secret = tokens.api_token_create(user=user, name="test", scopes=list(scopes), days=days)
    return f"Token {secret}"

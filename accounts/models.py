from django.contrib.auth.models import AbstractUser
from django.db import models
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

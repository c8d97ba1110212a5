from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    """Abstract base: when a row was created and last changed."""

    created_at = models.DateTimeField(_("utworzono"), auto_now_add=True)
    updated_at = models.DateTimeField(_("zaktualizowano"), auto_now=True)

    class Meta:
        abstract = True


class OutgoingEmail(TimeStampedModel):
    """One e-mail the portal sends, stored before it is handed to a worker (core.mail.queue_mail): the task that
    sends it locks this row and sends only while it is `queued`, so a retried or re-delivered task never sends
    twice. Rows are deleted `MAIL_RETENTION_DAYS` after they were created (they may hold personal data)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("w kolejce")
        SENT = "sent", _("wysłano")
        FAILED = "failed", _("nie udało się wysłać")

    key = models.CharField(_("klucz"), max_length=255, unique=True)
    group = models.CharField(_("grupa"), max_length=100, blank=True, db_index=True)
    from_email = models.CharField(_("nadawca"), max_length=254)
    to = models.JSONField(_("adresaci"), default=list)
    reply_to = models.JSONField(_("odpowiedź do"), default=list, blank=True)
    headers = models.JSONField(_("nagłówki"), default=dict, blank=True)
    subject = models.TextField(_("temat"))
    body = models.TextField(_("treść"))
    html_body = models.TextField(_("treść HTML"), blank=True)
    status = models.CharField(_("stan"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("próby"), default=0)
    last_error = models.CharField(_("ostatni błąd"), max_length=200, blank=True)
    sent_at = models.DateTimeField(_("wysłano"), null=True, blank=True)

    class Meta:
        verbose_name = _("wysyłany e-mail")
        verbose_name_plural = _("wysyłane e-maile")

    def __str__(self) -> str:
        return f"{self.key} ({self.status})"

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel
from core.storage import PrivateStorage


class ExportJob(TimeStampedModel):
    """A file asked for by one user (or one anonymous session), built by a worker into private storage."""

    class Status(models.TextChoices):
        PENDING = "pending", _("w kolejce")
        RUNNING = "running", _("w przygotowaniu")
        DONE = "done", _("gotowy")
        FAILED = "failed", _("nieudany")
        EXPIRED = "expired", _("wygasł")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("rodzaj"), max_length=60)
    params = models.JSONField(_("parametry"), default=dict, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("zamawiający"), null=True, blank=True, on_delete=models.CASCADE
    )
    # An anonymous requester (open data) is its session.
    session_key = models.CharField(max_length=64, blank=True)
    title = models.CharField(_("tytuł"), max_length=300)
    status = models.CharField(_("stan"), max_length=10, choices=Status.choices, default=Status.PENDING)
    progress = models.PositiveSmallIntegerField(_("postęp (%)"), default=0)
    file = models.FileField(_("plik"), upload_to="exports/", storage=PrivateStorage(), blank=True, max_length=300)
    filename = models.CharField(_("nazwa pliku"), max_length=200, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.BigIntegerField(_("rozmiar (bajty)"), null=True, blank=True)
    error = models.TextField(_("błąd"), blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(_("wygasa"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("eksport w tle")
        verbose_name_plural = _("eksporty w tle")
        indexes = [models.Index(fields=["status", "expires_at"], name="exportjob_status_expiry")]

    def __str__(self):
        return self.title

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED, self.Status.EXPIRED)

    @property
    def is_available(self) -> bool:
        return (
            self.status == self.Status.DONE
            and bool(self.file)
            and self.expires_at is not None
            and self.expires_at > timezone.now()
        )

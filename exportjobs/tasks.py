"""Background exports: building a job's file into private storage, and purging expired files (beat schedule)."""

import logging
import tempfile
import time
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.core.files import File
from django.db import InterfaceError, OperationalError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core import mail

from . import registry
from .models import ExportJob

logger = logging.getLogger(__name__)

FAILED_MESSAGE = gettext_noop(
    "Nie udało się przygotować pliku z powodu błędu po stronie portalu. Spróbuj ponownie później."
)


def _progress_recorder(job_id):
    last = [0.0]

    def progress(done: int, total: int) -> None:
        now = time.monotonic()
        if now - last[0] < 1.0 and done < total:
            return
        last[0] = now
        percent = min(99, int(done * 100 / total)) if total else 0
        ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.RUNNING).update(progress=percent)

    return progress


def _fail(job_id, message: str) -> None:
    ExportJob.objects.filter(pk=job_id).update(
        status=ExportJob.Status.FAILED, error=message, finished_at=timezone.now(), updated_at=timezone.now()
    )


def _notify(job: ExportJob) -> None:
    user = job.requested_by
    if user is None or not user.email:
        return
    link = settings.BASE_URL + reverse("exportjobs:detail", args=[job.pk])
    expires = timezone.localtime(job.expires_at).strftime("%Y-%m-%d %H:%M")
    body = _("Plik „%(title)s” jest gotowy do pobrania do %(expires)s:\n%(link)s\n") % {
        "title": job.title,
        "expires": expires,
        "link": link,
    }
    # Through the mail queue (sent after commit, retried), once per job even when this task is retried.
    mail.queue_mail(
        f"[{settings.SITE_NAME}] " + _("Plik gotowy: %(title)s") % {"title": job.title},
        body,
        [user.email],
        key=f"export-ready:{job.pk}",
        group="exports",
    )


@shared_task(bind=True, max_retries=3, acks_late=True)
def build_export(self, job_id: str) -> str:
    """Build the job's file. Idempotent: a finished job is left alone, and a retried run writes the same storage
    name (the earlier attempt's object is replaced), so a retry never makes a second file or row."""
    job = ExportJob.objects.filter(pk=job_id).first()
    if job is None or job.is_finished:
        return job.status if job else "missing"
    kind = registry.get(job.kind)
    if kind is None:
        _fail(job.pk, _("Nieznany rodzaj eksportu."))
        return ExportJob.Status.FAILED
    ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.RUNNING, started_at=timezone.now(), error="")
    try:
        with tempfile.TemporaryFile() as handle:
            filename, content_type = kind.build(job.params, handle, _progress_recorder(job.pk))
            size = handle.tell()
            handle.seek(0)
            name = f"exports/{job.pk}/{filename}"
            storage = job.file.storage
            storage.delete(name)  # an earlier attempt's object: replaced, never a second one
            stored = storage.save(name, File(handle, name=filename))
    except registry.ExportInputError as error:
        _fail(job.pk, str(error))
        return ExportJob.Status.FAILED
    except (OperationalError, InterfaceError) as error:
        logger.warning("Export %s: database unavailable, retrying", job.pk)
        if self.request.retries < self.max_retries and not self.request.is_eager:
            raise self.retry(exc=error, countdown=30) from error
        _fail(job.pk, _("Baza danych była chwilowo niedostępna. Spróbuj ponownie za kilka minut."))
        return ExportJob.Status.FAILED
    except Exception:
        logger.exception("Export %s (%s) failed", job.pk, job.kind)
        _fail(job.pk, _(FAILED_MESSAGE))
        return ExportJob.Status.FAILED
    now = timezone.now()
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportJob.Status.DONE,
        progress=100,
        file=stored,
        filename=filename,
        content_type=content_type,
        size=size,
        finished_at=now,
        expires_at=now + timedelta(hours=settings.PORTAL_EXPORT_FILE_HOURS),
        updated_at=now,
    )
    job.refresh_from_db()
    _notify(job)
    return ExportJob.Status.DONE


@shared_task
def purge_expired_exports() -> int:
    """For the beat schedule (hourly is plenty): delete the files of expired jobs and mark them expired; forget
    jobs that expired or failed more than PORTAL_EXPORT_JOB_DAYS ago. Returns the number of files deleted."""
    now = timezone.now()
    deleted = 0
    for job in ExportJob.objects.filter(status=ExportJob.Status.DONE, expires_at__lte=now).iterator():
        if job.file:
            job.file.storage.delete(job.file.name)
            deleted += 1
        ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.EXPIRED, file="", updated_at=now)
    cutoff = now - timedelta(days=settings.PORTAL_EXPORT_JOB_DAYS)
    ExportJob.objects.filter(
        status__in=[ExportJob.Status.EXPIRED, ExportJob.Status.FAILED], updated_at__lt=cutoff
    ).delete()
    return deleted

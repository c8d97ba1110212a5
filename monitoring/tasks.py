"""Background jobs of the monitoring app."""

import logging

from celery import shared_task

logger = logging.getLogger(__name__)

# --- Answer import and survey reminders (helper c1) -------------------------------------------------------------


def _report_progress(task, import_id: int):
    def report(done: int, total: int) -> None:
        # The task's state in the result backend (readable by any app server while the import's transaction is
        # still open); eagerly there is no backend and no one waiting to read it.
        if not task.request.is_eager and task.request.id:
            task.update_state(state="PROGRESS", meta={"import": import_id, "done": done, "total": total})

    return report


@shared_task(bind=True, acks_late=True)
def import_answers(self, import_id: int) -> str:
    """Imports the stored upload `import_id` (monitoring.imports: all or nothing) and records the outcome on its
    row. An unreadable file or an unexpected error ends as `failed` with a message for the user, never silently.
    A re-delivered task (e.g. the worker was killed) imports again: the import is all or nothing and idempotent."""
    from django.utils import timezone
    from django.utils.translation import gettext as _

    from . import imports
    from .models import AnswerImport

    job = AnswerImport.objects.select_related("wave", "user").filter(pk=import_id).first()
    if job is None or job.is_finished:
        return job.status if job else "missing"
    job.status = AnswerImport.Status.RUNNING
    job.save(update_fields=["status"])
    try:
        result = imports.import_answers(
            wave=job.wave,
            data=bytes(job.data),
            filename=job.filename,
            user=job.user,
            progress=_report_progress(self, job.pk),
        )
    except imports.ImportFileError as error:
        job.status, job.message = AnswerImport.Status.FAILED, str(error)
    except Exception:
        logger.exception("answer import %s failed", job.pk)
        job.status = AnswerImport.Status.FAILED
        job.message = _(
            "Importu nie udało się dokończyć z powodu błędu technicznego. Nic nie zapisano. Spróbuj ponownie; "
            "jeśli błąd się powtórzy, zgłoś go administratorowi (numer importu: %(id)s)."
        ) % {"id": job.pk}
    else:
        job.rows, job.changed, job.unchanged = result.rows, result.changed, result.unchanged
        job.errors = [
            {"row": e.row, "column": e.column, "message": str(e.message), "cooperative": e.cooperative}
            for e in result.errors
        ]
        if result.committed:
            job.status = AnswerImport.Status.DONE
        else:
            job.status = AnswerImport.Status.REJECTED
            if not result.errors:
                job.message = _("Plik nie zawiera wierszy z danymi.")
    job.data = b""
    job.finished_at = timezone.now()
    job.save()
    return job.status


@shared_task
def send_survey_reminders() -> int:
    """The schedule's run of `manage.py send_survey_reminders` (every wave accepting answers)."""
    from .reminders import survey_reminders_send

    return len(survey_reminders_send())

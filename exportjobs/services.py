"""Writes of background exports: asking for one (the same request while one is pending or ready reuses it)."""

from django.db import transaction

from . import registry
from .models import ExportJob


@transaction.atomic
def export_job_request(*, kind: str, params: dict, user, session_key: str = "") -> ExportJob:
    """A job for `kind` with `params`, queued for a worker once the transaction commits. A double click, or asking
    again while the file is being made or still downloadable, gives the existing job rather than a second file."""
    export_kind = registry.get(kind)
    if export_kind is None:
        raise ValueError(f"unknown export kind: {kind}")
    owner = {"requested_by": user} if getattr(user, "is_authenticated", False) else {"session_key": session_key}
    existing = (
        ExportJob.objects.filter(kind=kind, params=params, **owner)
        .filter(status__in=[ExportJob.Status.PENDING, ExportJob.Status.RUNNING, ExportJob.Status.DONE])
        .order_by("-created_at")
        .first()
    )
    if existing is not None and (existing.status != ExportJob.Status.DONE or existing.is_available):
        return existing
    job = ExportJob.objects.create(kind=kind, params=params, title=export_kind.title(params)[:300], **owner)
    from .tasks import build_export

    transaction.on_commit(lambda: build_export.delay(str(job.pk)))
    return job

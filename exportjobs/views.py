"""Background exports: offering one instead of a file that is too big to send at once, the job page (it refreshes
itself until the file is ready: a meta refresh without JavaScript, a light poll with it), and the download."""

from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from core.storage import private_file_response

from . import registry, services
from .models import ExportJob
from .permissions import can_view_job

SALT = "exportjobs.offer"
OFFER_MAX_AGE = 24 * 3600
REFRESH_SECONDS = 5


def offer_background(request, *, kind: str, params: dict, rows: int, status: int = 200):
    """The page shown instead of a file too large to send at once: what it holds, and a button that asks for it
    to be prepared in the background (a POST, so following a link never starts work)."""
    export_kind = registry.get(kind)
    token = signing.dumps({"kind": kind, "params": params}, salt=SALT, compress=True)
    context = {"title": export_kind.title(params), "rows": rows, "token": token}
    return render(request, "exportjobs/offer.html", context, status=status)


def _session_key(request, *, create: bool = False) -> str:
    if create and not request.session.session_key:
        request.session.save()
    return request.session.session_key or ""


@require_POST
def start(request):
    """Queue the export of a signed offer (its parameters cannot be altered), then show its page."""
    try:
        offer = signing.loads(request.POST.get("token", ""), salt=SALT, max_age=OFFER_MAX_AGE)
        kind, params = offer["kind"], offer["params"]
    except (signing.BadSignature, KeyError, TypeError):
        return render(request, "exportjobs/offer_invalid.html", status=400)
    export_kind = registry.get(kind)
    if export_kind is None or not export_kind.can_request(request.user, params):
        raise PermissionDenied
    job = services.export_job_request(
        kind=kind, params=params, user=request.user, session_key=_session_key(request, create=True)
    )
    return redirect("exportjobs:detail", pk=job.pk)


def _visible_job(request, pk) -> ExportJob:
    job = ExportJob.objects.filter(pk=pk).first()
    if job is None or not can_view_job(request.user, _session_key(request), job):
        raise Http404
    return job


@require_safe
def detail(request, pk):
    """The job's state; the file's link once it is ready (the requester, or staff where the export allows)."""
    job = _visible_job(request, pk)
    context = {
        "job": job,
        "refresh": None if job.is_finished else REFRESH_SECONDS,
        "status_url": reverse("exportjobs:status", args=[job.pk]),
    }
    return render(request, "exportjobs/job_detail.html", context)


@require_safe
def status(request, pk):
    """The job's state as JSON, for the page's light polling."""
    job = _visible_job(request, pk)
    return JsonResponse(
        {
            "status": job.status,
            "status_display": job.get_status_display(),
            "progress": job.progress,
            "finished": job.is_finished,
            "error": job.error,
        }
    )


@require_safe
def download(request, pk):
    """The file: a signed short-lived URL on object storage, else the file itself; 410 once it has expired."""
    job = _visible_job(request, pk)
    if not job.is_available:
        return render(request, "exportjobs/job_detail.html", {"job": job, "gone": True}, status=410)
    return private_file_response(job.file.storage, job.file.name, filename=job.filename, content_type=job.content_type)

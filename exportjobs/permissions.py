"""Who may see a background export and download its file: its requester (the user, or the anonymous session that
asked), and ministry staff where the export's own rule lets them ask for it; the rule is checked again each time,
so a user who lost the right (an organiser removed from a training) loses the file too."""

from accounts.roles import is_ministry_staff

from . import registry
from .models import ExportJob


def can_view_job(user, session_key: str | None, job: ExportJob) -> bool:
    kind = registry.get(job.kind)
    if kind is None:
        return False
    authenticated = getattr(user, "is_authenticated", False)
    if authenticated and job.requested_by_id == user.pk:
        is_requester = True
    else:
        is_requester = job.requested_by_id is None and bool(session_key) and job.session_key == session_key
    if is_requester or (authenticated and is_ministry_staff(user)):
        return kind.can_request(user, job.params)
    return False

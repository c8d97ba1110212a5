"""One predicate per rule of the monitoring app; pages and the API call the same ones."""

from accounts.roles import is_ministry_staff
from cooperatives.permissions import is_representative

from .models import Wave


def can_manage_monitoring(user) -> bool:
    """Waves, staff entry, verification, imports, tracking and exports are for ministry staff."""
    return is_ministry_staff(user)


def can_see_confidential_statistics(user) -> bool:
    """Only ministry staff see cells below the disclosure threshold (marked confidential)."""
    return is_ministry_staff(user)


def can_view_wave_statistics(user, wave: Wave) -> bool:
    """Everyone sees published waves; staff also see waves still being collected."""
    return wave.is_published or is_ministry_staff(user)


def can_fill_response(user, wave: Wave, cooperative) -> bool:
    """A representative while the wave accepts answers; staff on the cooperative's behalf until publication."""
    if is_ministry_staff(user):
        return wave.status in (Wave.Status.OPEN, Wave.Status.CLOSED)
    return wave.is_accepting_answers and is_representative(user, cooperative)


def can_view_response(user, wave: Wave, cooperative) -> bool:
    """A representative may read the cooperative's answers to any wave past its drafts (read-only once the wave no
    longer accepts answers); staff may read every response."""
    if is_ministry_staff(user):
        return True
    return wave.status != Wave.Status.DRAFT and is_representative(user, cooperative)

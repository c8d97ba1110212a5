"""One predicate per rule. Pages, the admin and the API call these; nothing else decides who may do what."""

from accounts.roles import is_ministry_staff, is_regional_coordinator

from .models import Membership


def is_representative(user, cooperative) -> bool:
    """A verified owner or editor of this cooperative."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return Membership.objects.filter(user=user, cooperative=cooperative).exists()


def is_owner(user, cooperative) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return Membership.objects.filter(user=user, cooperative=cooperative, role=Membership.Role.OWNER).exists()


def can_edit_cooperative(user, cooperative) -> bool:
    """Representatives edit their own cooperative's profile and offers; ministry staff may edit any."""
    return is_ministry_staff(user) or is_representative(user, cooperative)


__all__ = [
    "can_edit_cooperative",
    "is_ministry_staff",
    "is_owner",
    "is_regional_coordinator",
    "is_representative",
]

"""One predicate per rule. Pages, the admin and the API call these; nothing else decides who may do what."""

from rest_framework import permissions as drf_permissions

from accounts.roles import is_ministry_staff, is_regional_coordinator

from .models import CoordinatorAssignment, DeliveryStatus, Membership


def _is_active_user(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def _membership_roles(user) -> dict[int, str]:
    """{cooperative id: role} of the user, cached on the user object for the request."""
    if not _is_active_user(user):
        return {}
    cached = getattr(user, "_portal_memberships", None)
    if cached is None:
        cached = dict(Membership.objects.filter(user=user).values_list("cooperative_id", "role"))
        user._portal_memberships = cached
    return cached


def coordinated_voivodeships(user) -> frozenset[str]:
    """TERYT codes of the voivodeships a regional coordinator moderates (empty for everyone else)."""
    if not is_regional_coordinator(user):
        return frozenset()
    cached = getattr(user, "_portal_voivodeships", None)
    if cached is None:
        cached = frozenset(CoordinatorAssignment.objects.filter(user=user).values_list("voivodeship_id", flat=True))
        user._portal_voivodeships = cached
    return cached


def is_representative(user, cooperative) -> bool:
    """A verified owner or editor of this cooperative."""
    return cooperative.pk in _membership_roles(user)


def is_owner(user, cooperative) -> bool:
    return _membership_roles(user).get(cooperative.pk) == Membership.Role.OWNER


def can_edit_cooperative(user, cooperative) -> bool:
    """Representatives edit their own cooperative's profile and offers; ministry staff may edit any."""
    return is_ministry_staff(user) or is_representative(user, cooperative)


def can_moderate_cooperative(user, cooperative) -> bool:
    """Ministry staff moderate every cooperative; a regional coordinator those of their voivodeships."""
    return is_ministry_staff(user) or cooperative.voivodeship_id in coordinated_voivodeships(user)


def can_use_moderation_desk(user) -> bool:
    return is_ministry_staff(user) or bool(coordinated_voivodeships(user))


def can_request_representation(user, cooperative) -> bool:
    """Any signed-in user who does not already represent the cooperative."""
    return _is_active_user(user) and not is_representative(user, cooperative)


def can_manage_members(user, cooperative) -> bool:
    """Owners invite and remove editors; staff may revoke any membership."""
    return is_ministry_staff(user) or is_owner(user, cooperative)


def can_view_history(user, cooperative) -> bool:
    """The cooperative's representatives (owners and editors) see who changed their profile and offers, and so do
    its moderators."""
    return can_moderate_cooperative(user, cooperative) or is_representative(user, cooperative)


def can_revert_history(user, cooperative) -> bool:
    return is_ministry_staff(user)


def can_view_inquiry(user, inquiry) -> bool:
    """The sender's personal data: staff and representatives of the addressed cooperatives only (not of one that
    opted out of inquiries: it was never relayed the data)."""
    if is_ministry_staff(user):
        return True
    roles = _membership_roles(user)
    return any(
        recipient.cooperative_id in roles and recipient.status != DeliveryStatus.OPTED_OUT
        for recipient in inquiry.recipients.all()
    )


def can_view_stale_list(user) -> bool:
    return can_use_moderation_desk(user)


class CanEditCooperative(drf_permissions.BasePermission):
    """DRF wrapper of can_edit_cooperative; the object is a cooperative or has one."""

    def has_permission(self, request, view):
        return _is_active_user(request.user)

    def has_object_permission(self, request, view, obj):
        cooperative = getattr(obj, "cooperative", obj)
        return can_edit_cooperative(request.user, cooperative)


__all__ = [
    "CanEditCooperative",
    "can_edit_cooperative",
    "can_manage_members",
    "can_moderate_cooperative",
    "can_request_representation",
    "can_revert_history",
    "can_use_moderation_desk",
    "can_view_history",
    "can_view_inquiry",
    "can_view_stale_list",
    "coordinated_voivodeships",
    "is_ministry_staff",
    "is_owner",
    "is_regional_coordinator",
    "is_representative",
]

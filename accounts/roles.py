"""Roles are Django groups, created by a data migration. One predicate per role; pages, admin and API use them.

- ministry staff: everything (moderation, monitoring waves, library, trainings, exports);
- regional coordinator: moderates cooperatives of the voivodeships assigned to them;
- cooperative representative: not a group but a membership on a cooperative (cooperatives.Membership).
"""

MINISTRY_STAFF = "Pracownicy ministerstwa"
REGIONAL_COORDINATOR = "Koordynatorzy regionalni"
ALL_GROUPS = (MINISTRY_STAFF, REGIONAL_COORDINATOR)


def _group_names(user) -> frozenset[str]:
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_portal_group_names", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        user._portal_group_names = cached
    return cached


def is_ministry_staff(user) -> bool:
    """Ministry staff may do everything; superusers count as ministry staff."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.is_superuser or MINISTRY_STAFF in _group_names(user)


def is_regional_coordinator(user) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return REGIONAL_COORDINATOR in _group_names(user)


def requires_two_factor(user) -> bool:
    """Anyone who moderates or administers must use TOTP (the admin's is_staff included)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.is_staff or is_ministry_staff(user) or is_regional_coordinator(user)

"""How a user is shown to whom: the one home for naming the author of a change, an invitation or a decision.

People who moderate (ministry staff, regional coordinators, the admin's `is_staff`) see who did what: the e-mail
address identifies an account. Everyone else sees
- themselves by their name (or their own address);
- their colleagues (`colleagues`: user ids the caller vouches for, e.g. the representatives of the same
  cooperative, who run one profile together and already see each other on its members page) by name, or address;
- staff and coordinators only by their role: their addresses and names are personal data of the ministry's
  employees, not part of the public record;
- anyone else by a neutral label.

Roles of many users are read in one query (`prime_roles`), so a list of N changes costs one query, not N.
"""

from collections.abc import Iterable

from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _

from .roles import MINISTRY_STAFF, REGIONAL_COORDINATOR, _group_names, is_ministry_staff, is_regional_coordinator

# Capitalised: a label stands alone in a table cell or opens a sentence ("Pracownik ministerstwa zaprasza Cię…").
SYSTEM = _("System")
MINISTRY = _("Pracownik ministerstwa")
COORDINATOR = _("Koordynator regionalny")
OTHER_USER = _("Użytkownik portalu")


def sees_identities(viewer) -> bool:
    """Moderators and the admin's staff see the account behind every change."""
    if not getattr(viewer, "is_authenticated", False) or not viewer.is_active:
        return False
    return viewer.is_staff or is_ministry_staff(viewer) or is_regional_coordinator(viewer)


def prime_roles(users: Iterable) -> None:
    """Read the groups of all `users` in one query into the cache `accounts.roles` uses (every instance: a list of
    records with select_related holds one instance of the same user per record)."""
    pending: dict[int, list] = {}
    for user in users:
        if user is not None and not hasattr(user, "_portal_group_names"):
            pending.setdefault(user.pk, []).append(user)
    if not pending:
        return
    names: dict[int, set[str]] = {pk: set() for pk in pending}
    rows = Group.user_set.through.objects.filter(user_id__in=pending).values_list("user_id", "group__name")
    for user_id, name in rows:
        names[user_id].add(name)
    for pk, instances in pending.items():
        for user in instances:
            user._portal_group_names = frozenset(names[pk])


def _name(user) -> str:
    return user.get_full_name() or user.email


def user_label(user, *, viewer, colleagues: frozenset[int] | set[int] = frozenset()) -> str:
    """The text that stands for `user` (the author of something) on a page or in a message `viewer` receives."""
    if user is None:
        return str(SYSTEM)
    if sees_identities(viewer):
        return user.email
    if getattr(viewer, "pk", None) is not None and viewer.pk == user.pk:
        return _name(user)
    # Staff keep their role even when they also represent a cooperative, and after their account is deactivated:
    # their address stays the ministry's.
    groups = _group_names(user)
    if user.is_staff or user.is_superuser or MINISTRY_STAFF in groups:
        return str(MINISTRY)
    if REGIONAL_COORDINATOR in groups:
        return str(COORDINATOR)
    if user.pk in colleagues:
        return _name(user)
    return str(OTHER_USER)

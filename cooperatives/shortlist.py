"""A buyer's shortlist of cooperatives, kept in the session (no account needed): KRS numbers in the order added.

Ticks in the catalogue add to it and survive paging and new searches; the shortlist page shows it, edits it, sends
one inquiry to it and exports its published contacts.
"""

from core.params import is_digits

SESSION_KEY = "cooperatives:shortlist"
MAX_SIZE = 100


def is_krs(krs) -> bool:
    """A KRS number as the registry stores it: ten ASCII digits (never `str.isdigit`, which accepts "²")."""
    return is_digits(krs, 10)


def krs_numbers(session) -> list[str]:
    return [krs for krs in session.get(SESSION_KEY, []) if is_krs(krs)]


def add(session, krs: str) -> bool:
    """Adds `krs` at the end; False when the list is full (a number already on it counts as added)."""
    current = krs_numbers(session)
    if krs in current:
        return True
    if len(current) >= MAX_SIZE:
        return False
    session[SESSION_KEY] = [*current, krs]
    return True


def remove(session, krs: str) -> None:
    session[SESSION_KEY] = [number for number in krs_numbers(session) if number != krs]


def clear(session) -> None:
    session.pop(SESSION_KEY, None)

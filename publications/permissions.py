"""One predicate per rule. Pages, the admin, the API and OAI-PMH call these; nothing else decides who sees what."""

from accounts.roles import is_ministry_staff


def can_manage_library(user) -> bool:
    """Ministry staff edit the library (in the admin) and may preview drafts."""
    return is_ministry_staff(user)


def can_view_publication(user, publication) -> bool:
    """A published item is public; a draft is visible only to those who manage the library."""
    return publication.is_published or can_manage_library(user)

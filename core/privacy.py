"""Responses with personal or confidential data are never kept by a browser or a shared cache.

One rule, applied by `PrivateDataMiddleware` to every response (pages, API, file downloads, redirects, errors):
`Cache-Control: no-store, private` when

- the request is a signed-in user's (a session, or an API token: DRF sets the token's user on the request). What
  such a user sees depends on who they are (their name in the layout, the panel, survey responses, microdata,
  participants, enrolments), so no copy may outlive the response, on a shared computer or in a proxy; or
- the route's URL name is in `settings.PRIVATE_DATA_URL_NAMES`: pages opened anonymously from a signed link sent
  by e-mail (an e-mail confirmation, a password reset, a training cancellation, a representation confirmation),
  which show the link holder's data.

Public pages seen by anonymous visitors keep their own caching. `tests/core/test_private_cache_control.py` walks
docs/permissions.md: every route not public to anonymous visitors sends the header.
"""

from django.conf import settings
from django.db import DatabaseError
from django.utils.cache import patch_cache_control

PRIVATE_CACHE_CONTROL = "no-store, private"


def is_private(request) -> bool:
    user = getattr(request, "user", None)
    try:
        if user is not None and user.is_authenticated:
            return True
    except DatabaseError:  # the session or the user could not be read: assume the worst
        return True
    match = getattr(request, "resolver_match", None)
    return match is not None and match.view_name in settings.PRIVATE_DATA_URL_NAMES


class PrivateDataMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if is_private(request):
            if response.has_header("Cache-Control"):
                # Keep stricter directives a view set (the admin's never_cache); a public one cannot stay.
                patch_cache_control(response, no_store=True, private=True)
            else:
                response["Cache-Control"] = PRIVATE_CACHE_CONTROL
        return response

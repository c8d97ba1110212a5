"""The API's request parser: JSON only, nested at most `PORTAL_API_MAX_JSON_DEPTH` levels.

A deeply nested body (`[[[[…]]]]`) made Python's decoder, or the code walking the data after it, raise
RecursionError: a 500. Such a body is now a 400 `{"detail": ...}`, like any other malformed body. The depth is
measured on the parsed data without recursion.

JSON may also write a lone UTF-16 surrogate (`"\\ud800"`), which is no character at all: Python keeps it in the
string, and the first thing that encodes it (the database driver, an error message naming the value) fails with
UnicodeEncodeError, a 500. A body holding one, in a key or a value, is a 400 `{"detail": ...}`.
"""

import re

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

_SURROGATE = re.compile("[\ud800-\udfff]")


def json_depth_exceeds(data, limit: int) -> bool:
    """Whether lists and objects in `data` nest deeper than `limit` levels."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def json_has_surrogates(data) -> bool:
    """Whether a string of `data` (a key or a value, at any depth) holds a lone surrogate."""
    stack = [data]
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            if _SURROGATE.search(value):
                return True
        elif isinstance(value, dict):
            stack.extend(value.keys())
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return False


class DepthLimitedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            data = None
        else:
            if not json_depth_exceeds(data, settings.PORTAL_API_MAX_JSON_DEPTH):
                if json_has_surrogates(data):
                    raise ParseError(_("Dane JSON zawierają niesparowany surogat UTF-16, który nie jest znakiem."))
                return data
        raise ParseError(
            _("Dane JSON są zagnieżdżone zbyt głęboko (najwyżej %(limit)d poziomów).")
            % {"limit": settings.PORTAL_API_MAX_JSON_DEPTH}
        )

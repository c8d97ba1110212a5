"""The API's request parser: JSON only, nested at most `PORTAL_API_MAX_JSON_DEPTH` levels.

A deeply nested body (`[[[[…]]]]`) made Python's decoder, or the code walking the data after it, raise
RecursionError: a 500. Such a body is now a 400 `{"detail": ...}`, like any other malformed body. The depth is
measured on the parsed data without recursion.
"""

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


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


class DepthLimitedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            data = None
        else:
            if not json_depth_exceeds(data, settings.PORTAL_API_MAX_JSON_DEPTH):
                return data
        raise ParseError(
            _("Dane JSON są zagnieżdżone zbyt głęboko (najwyżej %(limit)d poziomów).")
            % {"limit": settings.PORTAL_API_MAX_JSON_DEPTH}
        )

"""API pagination: `page` and `page_size` (capped), answered as `{count, next, previous, results}`.

A malformed `page` or `page_size` is a 400 with a message for that parameter, a page past the end a 404; neither
is silently replaced by a default, so a client never mistakes a wrong page for the right one.
"""

from django.conf import settings
from django.core.paginator import InvalidPage, Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination

from .counting import exact_count
from .params import parse_int, repeated_params_errors


def _parse_positive_int(raw: str) -> int | None:
    """The integer in `raw`, or None when it is not a whole number of at least 1 (ASCII digits, core.params). A page
    number is not a database key: a huge one is a page past the end (404), not a malformed one."""
    return parse_int(raw, min_value=1, max_value=None)


class CachedCountPaginator(Paginator):
    """A paginator whose exact count is answered from the cache while the registry has not changed (core.counting)."""

    @cached_property
    def count(self) -> int:
        if isinstance(self.object_list, QuerySet):
            return exact_count(self.object_list)
        return super().count  # a list, or anything else a Paginator accepts


class PortalPageNumberPagination(PageNumberPagination):
    django_paginator_class = CachedCountPaginator
    page_size_query_param = "page_size"
    page_query_description = "Numer strony wyników (od 1)."
    page_size_query_description = "Liczba wyników na stronie."

    @property
    def max_page_size(self) -> int:
        return settings.PORTAL_API_MAX_PAGE_SIZE

    def query_param_errors(self, request) -> dict[str, list[str]]:
        """Messages for the pagination parameters that cannot be used, by parameter name (a repeated one too: the
        last of several values is not silently taken)."""
        params = request.query_params
        errors = repeated_params_errors(params, (self.page_query_param, self.page_size_query_param))
        raw_page = params.get(self.page_query_param, "")
        if raw_page and raw_page not in self.last_page_strings and _parse_positive_int(raw_page) is None:
            errors.setdefault(self.page_query_param, [_("Numer strony musi być liczbą całkowitą większą od zera.")])
        raw_size = params.get(self.page_size_query_param, "")
        if raw_size:
            size = _parse_positive_int(raw_size)
            if size is None or size > self.max_page_size:
                message = _("Rozmiar strony musi być liczbą całkowitą od 1 do %(max)d.") % {"max": self.max_page_size}
                errors.setdefault(self.page_size_query_param, [message])
        return errors

    def get_page_size(self, request) -> int:
        raw = request.query_params.get(self.page_size_query_param, "")
        return _parse_positive_int(raw) if raw else self.page_size

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        errors = self.query_param_errors(request)
        if errors:
            raise ValidationError(errors)
        paginator = self.django_paginator_class(queryset, self.get_page_size(request))
        raw_page = request.query_params.get(self.page_query_param, "") or "1"
        number = paginator.num_pages if raw_page in self.last_page_strings else int(raw_page)
        try:
            self.page = paginator.page(number)
        except InvalidPage:
            raise NotFound(
                _("Strona %(page)s nie istnieje; ostatnia strona ma numer %(last)d.")
                % {"page": raw_page, "last": paginator.num_pages}
            ) from None
        return list(self.page)

    def get_paginated_response_schema(self, schema):
        response_schema = super().get_paginated_response_schema(schema)
        response_schema["required"] = ["count", "next", "previous", "results"]
        return response_schema

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"]["maximum"] = self.max_page_size
                parameter["schema"]["default"] = self.page_size
        return parameters

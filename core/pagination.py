from django.conf import settings
from rest_framework.pagination import PageNumberPagination


class PortalPageNumberPagination(PageNumberPagination):
    """`page` and `page_size` (capped) with `{count, next, previous, results}` responses.

    Out-of-range pages and malformed page sizes are answered with 400/404 by the API's exception handling,
    never silently replaced.
    """

    page_size_query_param = "page_size"

    @property
    def max_page_size(self):
        return settings.PORTAL_API_MAX_PAGE_SIZE

    def get_page_size(self, request):
        from rest_framework.exceptions import ValidationError

        raw = request.query_params.get(self.page_size_query_param)
        if raw is None or raw == "":
            return self.page_size
        try:
            size = int(raw)
        except ValueError:
            raise ValidationError({"page_size": ["Podaj liczbę całkowitą."]}) from None
        if size < 1 or size > self.max_page_size:
            raise ValidationError({"page_size": [f"Dozwolony rozmiar strony to od 1 do {self.max_page_size}."]})
        return size

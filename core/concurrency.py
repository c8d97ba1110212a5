"""The portal's one stale-edit mechanism: optimistic concurrency by a `version` number on the edited row.

A client (a page's hidden field, an API client's `If-Match` or `version`) states the version its edit is based on;
the service locks the row and refuses the edit when the row has moved on (`lock_version`, `StaleVersionError`).
Pages keep the user's input and show what changed (a form error); the API answers 409 (body `version`) or 412
(`If-Match`) with the current version, and 428 when an edit names no version at all (`expected_version`).
Every response of an edited object carries `ETag: "<version>"` (`with_etag`).
"""

from collections.abc import Callable, Sequence

from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, status
from rest_framework.response import Response

from .params import BIGINT_MAX, parse_int


class StaleVersionError(ValidationError):
    """An edit based on an outdated version. `changes` lists what others changed since (objects with `field`,
    `before_text` and `after_text`, where the model keeps a history). A ValidationError, so a form that shows a
    service's errors shows this one too."""

    def __init__(self, *, current_version: int, changes: Sequence = (), message: str | None = None):
        super().__init__(
            message or _("Ktoś w międzyczasie zapisał zmiany. Otwórz formularz ponownie, aby zobaczyć aktualne dane.")
        )
        self.current_version = current_version
        self.changes = list(changes)


def lock_version(
    queryset: QuerySet | type[Model],
    pk,
    expected_version: int,
    *,
    changes: Callable[[Model, int], Sequence] | None = None,
    message: str | None = None,
):
    """The row, locked for the rest of the transaction, if it is still at `expected_version`; else
    StaleVersionError with `changes(obj, expected_version)`."""
    if not isinstance(queryset, QuerySet):
        queryset = queryset._default_manager.all()
    obj = queryset.select_for_update().get(pk=pk)
    check_version(obj, expected_version, changes=changes, message=message)
    return obj


def check_version(obj, expected_version: int | None, *, changes=None, message: str | None = None) -> None:
    """StaleVersionError unless `obj` (already locked by the caller) is at `expected_version`."""
    if expected_version is not None and obj.version != expected_version:
        raise StaleVersionError(
            current_version=obj.version,
            changes=changes(obj, expected_version) if changes else (),
            message=message,
        )


# --- API --------------------------------------------------------------------------------------------------------


class PreconditionRequired(exceptions.APIException):
    status_code = 428
    default_detail = gettext_lazy("Podaj wersję, na której opiera się zmiana: nagłówek If-Match albo pole version.")
    default_code = "precondition_required"


def expected_version(request) -> tuple[int, int]:
    """(version, status code to answer when it is stale) from `If-Match` (412) or the body's `version` (409);
    neither: 428."""
    if_match = request.headers.get("If-Match")
    if if_match:
        try:
            return _version_number(if_match.strip().removeprefix("W/").strip('"')), status.HTTP_412_PRECONDITION_FAILED
        except ValueError:
            message = _("Nagłówek If-Match musi zawierać ETag zasobu.")
            raise exceptions.ValidationError({"If-Match": [message]}) from None
    data = request.data
    if hasattr(data, "get") and data.get("version") is not None:
        try:
            return _version_number(data["version"]), status.HTTP_409_CONFLICT
        except (TypeError, ValueError):
            raise exceptions.ValidationError({"version": [_("Wersja musi być liczbą całkowitą.")]}) from None
    raise PreconditionRequired


def _version_number(raw) -> int:
    """A version from JSON (an integer, not a bool) or a header (ASCII digits, core.params)."""
    if isinstance(raw, int) and not isinstance(raw, bool) and 0 <= raw <= BIGINT_MAX:
        return raw
    value = parse_int(raw) if isinstance(raw, str) else None
    if value is None:
        raise ValueError(raw)
    return value


def stale_response(error: StaleVersionError, status_code: int) -> Response:
    """409/412 with the current version and what changed since the client's version."""
    payload = {
        "detail": _("Obiekt zmieniono w międzyczasie; pobierz aktualną wersję i spróbuj ponownie."),
        "current_version": error.current_version,
        "changes": [{"field": c.field, "before": c.before_text, "after": c.after_text} for c in error.changes],
    }
    return with_etag(Response(payload, status=status_code), error.current_version)


def with_etag(response: Response, version: int) -> Response:
    response["ETag"] = f'"{version}"'
    return response


_STALE_SCHEMA = {
    "type": "object",
    "properties": {
        "detail": {"type": "string"},
        "current_version": {"type": "integer"},
        "changes": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"field": {"type": "string"}, "before": {"type": "string"}, "after": {"type": "string"}},
            },
        },
    },
    "required": ["detail", "current_version", "changes"],
}
_DETAIL_SCHEMA = {"type": "object", "properties": {"detail": {"type": "string"}}, "required": ["detail"]}

# The OpenAPI responses of an edit (for extend_schema(responses={200: ..., **STALE_EDIT_RESPONSES})). An operation
# that declares 428 gets `version` as a required property of its request body (core.schema).
STALE_EDIT_RESPONSES = {
    409: OpenApiResponse(_STALE_SCHEMA, description="Wersja z pola version jest nieaktualna."),
    412: OpenApiResponse(_STALE_SCHEMA, description="Wersja z nagłówka If-Match jest nieaktualna."),
    428: OpenApiResponse(_DETAIL_SCHEMA, description="Brak wersji: podaj nagłówek If-Match albo pole version."),
}
# A create that may turn into an edit (the object exists): the version is optional in its body.
STALE_EDIT_RESPONSES_OF_CREATE = {code: STALE_EDIT_RESPONSES[code] for code in (409, 412)}

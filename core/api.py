"""API-wide plumbing: every error is JSON with a message per bad field or parameter, and query parameters are
validated all at once."""

from django import forms
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django_filters import utils as filter_utils
from django_filters.filters import ModelChoiceFilter, ModelMultipleChoiceFilter
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.contrib.django_filters import DjangoFilterExtension
from drf_spectacular.plumbing import build_parameter_type
from rest_framework import exceptions
from rest_framework.routers import DefaultRouter
from rest_framework.views import exception_handler as drf_exception_handler

from core.concurrency import StaleVersionError, stale_response
from core.params import BIGINT_MAX, IntegerFilter, repeated_params_errors, split_nul_params


def exception_handler(exc, context):
    if isinstance(exc, StaleVersionError):
        # A view that did not catch it itself (to answer 412 for If-Match) still answers the stale-edit 409.
        return stale_response(exc, 409)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages})
    elif isinstance(exc, exceptions.ValidationError) and isinstance(exc.detail, list):
        # A bare list of messages has no parameter to point at; keep the response an object like every other.
        exc = exceptions.ValidationError({"detail": exc.detail})
    return drf_exception_handler(exc, context)


class ParameterValidatingFilterBackend(DjangoFilterBackend):
    """django-filter's backend that reports every unusable query parameter in one 400 (the API's default).

    Filter errors, pagination errors (from the view's paginator), single-valued filters given more than once, and
    NUL characters, which PostgreSQL refuses in text and which therefore must never reach a query, are collected
    into one `{parameter: [messages]}`. An empty parameter (`?voivodeship=`, as HTML forms send it) is the same as
    an absent one.
    """

    def filter_queryset(self, request, queryset, view):
        data, errors = split_nul_params(request.query_params)
        paginator = getattr(view, "paginator", None)
        if hasattr(paginator, "query_param_errors"):
            errors.update(paginator.query_param_errors(request))
        filterset_class = self.get_filterset_class(view, queryset)
        filterset = None
        if filterset_class is not None:
            filterset = filterset_class(data=data, queryset=queryset, request=request)
            single = [name for name, field in filterset.filters.items() if not _is_multi_valued(field)]
            errors = {**repeated_params_errors(data, single), **errors}
            if not filterset.is_valid():
                errors = {**filter_utils.translate_validation(filterset.errors).detail, **errors}
        if errors:
            raise exceptions.ValidationError(errors)
        return filterset.qs if filterset is not None else queryset


def _is_multi_valued(filter_field) -> bool:
    return issubclass(filter_field.field_class, (forms.MultipleChoiceField, forms.ModelMultipleChoiceField))


class ParameterValidatingFilterExtension(DjangoFilterExtension):
    """Types a queryset choice chosen by another field (a TERYT code, a slug) from that field of the chosen model,
    which drf-spectacular would otherwise look for on the listed model and fail to find, and an IntegerFilter as
    the integer it accepts."""

    target_class = "core.api.ParameterValidatingFilterBackend"
    priority = 1

    def resolve_filter_field(self, auto_schema, model, filterset_class, field_name, filter_field):
        if isinstance(filter_field, IntegerFilter):
            schema = {"type": "integer", "minimum": 1, "maximum": BIGINT_MAX}
            description = str(filter_field.label) if filter_field.label else None
            return [build_parameter_type(name=field_name, schema=schema, location="query", description=description)]
        queryset = filter_field.extra.get("queryset")
        to_field_name = filter_field.extra.get("to_field_name")
        chosen_by_key = isinstance(filter_field, (ModelChoiceFilter, ModelMultipleChoiceFilter))
        if chosen_by_key and to_field_name and isinstance(queryset, QuerySet):
            schema = auto_schema._map_model_field(queryset.model._meta.get_field(to_field_name), direction=None)
            for key in ("readOnly", "description", "title"):
                schema.pop(key, None)
            description = str(filter_field.label) if filter_field.label else None
            if isinstance(filter_field, ModelMultipleChoiceFilter):
                return [
                    build_parameter_type(
                        name=field_name,
                        schema={"type": "array", "items": schema},
                        location="query",
                        description=description,
                        explode=True,
                        style="form",
                    )
                ]
            return [build_parameter_type(name=field_name, schema=schema, location="query", description=description)]
        return super().resolve_filter_field(auto_schema, model, filterset_class, field_name, filter_field)


class PortalRouter(DefaultRouter):
    """The API's router. An identifier in a path never holds a control character: a NUL (which PostgreSQL refuses
    in text, so a lookup with it was a 500) or any other is no route at all, hence the API's JSON 404. Viewsets
    that declare their own `lookup_value_regex` (a KRS number, an id) are stricter still."""

    default_lookup_value_regex = r"[^/.\x00-\x1f\x7f]+"

    def get_lookup_regex(self, viewset, lookup_prefix=""):
        if getattr(viewset, "lookup_value_regex", None) is None:
            kwarg = getattr(viewset, "lookup_url_kwarg", None) or getattr(viewset, "lookup_field", "pk")
            return f"(?P<{lookup_prefix}{kwarg}>{self.default_lookup_value_regex})"
        return super().get_lookup_regex(viewset, lookup_prefix)


@csrf_exempt
def api_not_found(request, *args, **kwargs):
    """An unknown address under the API: JSON, like every other API error."""
    return JsonResponse({"detail": "Nie ma takiego adresu w API. Lista zasobów: /api/v1/."}, status=404)

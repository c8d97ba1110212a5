"""Open data: the public registry as CSV, XLSX, JSON and GeoJSON under CC BY 4.0, filtered like the catalogue.

Files are generated when downloaded (always current) and streamed, so their size does not depend on memory.
Filters that cannot be used are answered with a 400 page saying which and why, never ignored.
"""

import logging

from django.db.models import F
from django.db.models.functions import Coalesce
from django.forms import ModelChoiceField, ModelMultipleChoiceField, MultipleChoiceField, Select
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from core import site, streaming
from core.params import split_nul_params
from exportjobs import registry as exportjobs
from exportjobs.views import offer_background

from . import exports, selectors
from .filters import CooperativeFilterSet, OfferFilterSet, split_values
from .geo import DEFAULT_KM

logger = logging.getLogger(__name__)

COOPERATIVE_FORMATS = ("csv", "xlsx", "json", "geojson")
OFFER_FORMATS = ("csv", "xlsx", "json")
# Filters offered on the page itself; the territorial units below a voivodeship come from the catalogue's links.
PAGE_FILTERS = (
    "search",
    "voivodeship",
    "category",
    "target_group",
    "founder_type",
    "status",
    "social_enterprise",
    "certification",
)


def _bound_filterset(filterset_class, query, list_selector):
    """The bound FilterSet of the catalogue and the error messages by parameter (NUL characters included)."""
    names = set(filterset_class.base_filters)
    data, errors = split_nul_params(query)
    data = data.copy()
    for name in list(data):
        if name not in names:
            del data[name]
    filterset = list_selector(data=data)
    if not filterset.is_valid():
        errors = {**filterset.errors, **errors}
    return filterset, errors


def _valid_filters(filterset, errors) -> list[tuple[str, str]]:
    """The filters in use that can be applied, for links that keep them (every value of a several-valued one)."""
    return sorted(
        (name, value)
        for name, values in filterset.data.lists()
        if name not in errors
        for value in (split_values(values) if len(values) > 1 or "," in values[-1] else values[-1:])
        if value
    )


def _with_query(url: str, filters: list[tuple[str, str]]) -> str:
    return f"{url}?{urlencode(filters)}" if filters else url


def _active_filters(filterset) -> list[dict]:
    """What the data is narrowed to, in words: the label of each filter and the chosen value's name."""
    active = []
    for name, value in filterset.form.cleaned_data.items():
        if value in (None, "", []) or name in ("ordering", "km"):
            continue
        field = filterset.form.fields[name]
        if isinstance(value, list):
            choices = dict(getattr(field, "choices", ()) or ()) if not hasattr(value[0], "pk") else {}
            shown = ", ".join(str(choices.get(item, item)) for item in value)
        elif name == "near":
            shown = _("%(place)s, do %(km)s km") % {
                "place": value,
                "km": filterset.form.cleaned_data.get("km") or DEFAULT_KM,
            }
        elif isinstance(value, bool):
            shown = _("tak") if value else _("nie")
        elif isinstance(value, str) and name != "search":
            shown = dict(field.choices).get(value, value)
        else:
            shown = value
        active.append({"label": field.label, "value": shown})
    return active


def _error_list(filterset, errors) -> list[dict]:
    labels = {name: field.label for name, field in filterset.form.fields.items()}
    return [
        {"name": name, "label": labels.get(name, name), "message": message}
        for name, messages in errors.items()
        for message in messages
    ]


def _presentable(form):
    """The catalogue's filter form as this page shows it: "all" instead of dashes, categories under their sector."""
    # Each category's label names its sector: fetched together (not a query per option) and listed under it.
    form.fields["category"].queryset = (
        form.fields["category"]
        .queryset.select_related("parent")
        .order_by(
            Coalesce("parent__sort_order", "sort_order"),
            Coalesce("parent__name", "name"),
            F("parent").asc(nulls_first=True),
            "sort_order",
            "name",
        )
    )
    for name in PAGE_FILTERS:
        field = form.fields[name]
        if isinstance(field, MultipleChoiceField | ModelMultipleChoiceField):
            # One value per list on this page (the catalogue's links choose several; the files keep them all).
            # (A comprehension, not list(): that would ask the model choices for their length, a COUNT query.)
            options = [(value, label) for value, label in field.choices]  # noqa: C416
            field.widget = Select(choices=[("", _("wszystkie")), *options])
        elif isinstance(field, ModelChoiceField):
            field.empty_label = _("wszystkie")
        elif getattr(field.widget, "choices", None):
            others = [choice for choice in field.widget.choices if choice[0] != ""]
            field.widget.choices = [("", _("wszystkie")), *others]
    return form


def _page(request, *, status=200, download_errors=None):
    cooperatives, cooperative_errors = _bound_filterset(CooperativeFilterSet, request.GET, selectors.cooperative_list)
    offers, offer_errors = _bound_filterset(OfferFilterSet, request.GET, selectors.offer_list)
    cooperative_filters = _valid_filters(cooperatives, cooperative_errors)
    offer_filters = _valid_filters(offers, offer_errors)
    labels = {name: field.label for name, field in cooperatives.form.fields.items()}
    dropped = {name for name, _value in cooperative_filters} - {name for name, _value in offer_filters} - {"ordering"}
    form = _presentable(cooperatives.form)
    context = {
        "filter_form": form,
        "page_filters": PAGE_FILTERS,
        "hidden_filters": [(name, value) for name, value in cooperative_filters if name not in PAGE_FILTERS],
        "errors": download_errors if download_errors is not None else _error_list(cooperatives, cooperative_errors),
        "active_filters": [] if cooperative_errors else _active_filters(cooperatives),
        "cooperative_count": None if cooperative_errors else cooperatives.qs.count(),
        "offer_count": None if offer_errors else offers.qs.count(),
        "cooperative_downloads": [
            (fmt, _with_query(reverse("cooperatives:open-data-cooperatives", args=[fmt]), cooperative_filters))
            for fmt in COOPERATIVE_FORMATS
        ],
        "offer_downloads": [
            (fmt, _with_query(reverse("cooperatives:open-data-offers", args=[fmt]), offer_filters))
            for fmt in OFFER_FORMATS
        ],
        "offer_filters_dropped": sorted(str(labels[name]) for name in dropped),
        "dictionaries": [
            (_("Spółdzielnie socjalne"), exports.COOPERATIVE_COLUMNS),
            (_("Oferty spółdzielni"), exports.OFFER_COLUMNS),
        ],
        "list_separator": exports.LIST_SEPARATOR,
        "api_docs_url": reverse("api-docs"),
    }
    return render(request, "cooperatives/open_data.html", context, status=status)


@require_safe
def open_data(request):
    """The open-data page: downloads (keeping the catalogue's filters), data dictionary, licence."""
    return _page(request)


def _download(export: exports.Export, fmt: str, *, base_name: str, sheet_title: str):
    """The export streamed in `fmt`, named with the day it was made (the data is read while it is sent)."""
    filename = f"{base_name}-{timezone.localdate().isoformat()}.{fmt}"
    if fmt == "csv" and export.csv_query is not None:
        sql, params = export.csv_query()
        return streaming.copy_csv_response(export.header, sql, params, filename=filename)
    if fmt == "csv":
        return streaming.csv_response(export.header, export.rows, filename=filename)
    if fmt == "json":
        return streaming.json_response(export.header, export.rows, filename=filename)
    if fmt == "geojson":
        return streaming.geojson_response(
            export.header, export.rows, filename=filename, longitude="longitude", latitude="latitude"
        )
    return streaming.xlsx_response(export.header, export.rows, filename=filename, sheet_title=sheet_title)


def _site_url(request) -> str:
    return site.base_url()


def _background(request, filterset, fmt: str, kind: str):
    """The offer of a background export when the file has more rows than is sent at once (its FilterSet's
    parameters as the catalogue gave them), else None."""
    try:
        rows = filterset.qs.count()
    except streaming.DATABASE_UNAVAILABLE:
        logger.exception("Download %s not started: the database is unavailable", request.path)
        return streaming.database_unavailable_response()
    if not exportjobs.needs_background(fmt, rows):
        return None
    query = [(name, value) for name, values in sorted(filterset.data.lists()) for value in values]
    return offer_background(request, kind=kind, params={"query": query, "fmt": fmt}, rows=rows)


@require_safe
def open_data_cooperatives(request, fmt):
    """The cooperatives matching the catalogue's filters, in the chosen format (a background export when big)."""
    filterset, errors = _bound_filterset(CooperativeFilterSet, request.GET, selectors.cooperative_list)
    if errors:
        return _page(request, status=400, download_errors=_error_list(filterset, errors))
    if offer := _background(request, filterset, fmt, "cooperatives.open-data"):
        return offer
    return _download(
        exports.cooperative_export(filterset.qs, site_url=_site_url(request)),
        fmt,
        base_name="spoldzielnie-socjalne",
        sheet_title=_("Spółdzielnie socjalne"),
    )


@require_safe
def open_data_offers(request, fmt):
    """The public offers matching the catalogue's filters, in the chosen format (a background export when big)."""
    filterset, errors = _bound_filterset(OfferFilterSet, request.GET, selectors.offer_list)
    if errors:
        return _page(request, status=400, download_errors=_error_list(filterset, errors))
    if offer := _background(request, filterset, fmt, "cooperatives.open-data-offers"):
        return offer
    return _download(
        exports.offer_export(filterset.qs, site_url=_site_url(request)),
        fmt,
        base_name="oferty-spoldzielni-socjalnych",
        sheet_title=_("Oferty"),
    )

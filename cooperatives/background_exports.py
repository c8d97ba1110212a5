"""The registry's open data as background exports (exportjobs): files too large to send at once (settings.
PORTAL_EXPORT_BACKGROUND_ROWS) are written by a worker with the same writers, so the file is the one the
download would have sent."""

from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from core import site, streaming
from exportjobs import registry

from . import exports, selectors
from .filters import CooperativeFilterSet, OfferFilterSet

CONTENT_TYPES = {
    "csv": streaming.CSV_CONTENT_TYPE,
    "json": streaming.JSON_CONTENT_TYPE,
    "geojson": streaming.GEOJSON_CONTENT_TYPE,
    "xlsx": streaming.XLSX_CONTENT_TYPE,
}


def write_export(export: exports.Export, fmt: str, *, file, sheet_title: str, total: int, progress) -> None:
    """The bytes opendata_views._download sends for `export` in `fmt`, written to `file`."""
    rows = registry.counted(export.rows, total=total, progress=progress)
    if fmt == "csv" and export.csv_query is not None:
        sql, params = export.csv_query()
        registry.write_pieces(streaming.copy_csv_lines(export.header, sql, params), file)
        progress(total, total)
    elif fmt == "csv":
        registry.write_pieces(streaming.csv_lines(export.header, rows), file)
    elif fmt == "json":
        registry.write_pieces(streaming.json_records(export.header, rows), file)
    elif fmt == "geojson":
        pieces = streaming.geojson_features(export.header, rows, longitude="longitude", latitude="latitude")
        registry.write_pieces(pieces, file)
    else:
        streaming.write_xlsx(export.header, rows, file=file, sheet_title=sheet_title)


def _filtered(filterset_class, list_selector, params):
    query = QueryDict(mutable=True)
    for name, value in params.get("query", []):
        query.appendlist(name, value)
    filterset = list_selector(data=query)
    if not filterset.is_valid() or params.get("fmt") not in CONTENT_TYPES:
        raise registry.ExportInputError(_("Filtry tego eksportu nie są już poprawne. Wróć do strony otwartych danych."))
    return filterset.qs


def _builder(*, filterset_class, list_selector, make_export, base_name, sheet_title):
    def build(params, file, progress):
        queryset = _filtered(filterset_class, list_selector, params)
        fmt = params["fmt"]
        write_export(
            make_export(queryset, site_url=site.base_url()),
            fmt,
            file=file,
            sheet_title=str(sheet_title()),
            total=queryset.count(),
            progress=progress,
        )
        return f"{base_name}-{timezone.localdate().isoformat()}.{fmt}", CONTENT_TYPES[fmt]

    return build


def _anyone(user, params) -> bool:
    return True  # open data


registry.register(
    registry.ExportKind(
        name="cooperatives.open-data",
        title=lambda params: _("Spółdzielnie socjalne – otwarte dane (%(fmt)s)") % {"fmt": params.get("fmt", "")},
        build=_builder(
            filterset_class=CooperativeFilterSet,
            list_selector=selectors.cooperative_list,
            make_export=exports.cooperative_export,
            base_name="spoldzielnie-socjalne",
            sheet_title=lambda: _("Spółdzielnie socjalne"),
        ),
        can_request=_anyone,
    )
)
registry.register(
    registry.ExportKind(
        name="cooperatives.open-data-offers",
        title=lambda params: _("Oferty spółdzielni – otwarte dane (%(fmt)s)") % {"fmt": params.get("fmt", "")},
        build=_builder(
            filterset_class=OfferFilterSet,
            list_selector=selectors.offer_list,
            make_export=exports.offer_export,
            base_name="oferty-spoldzielni-socjalnych",
            sheet_title=lambda: _("Oferty"),
        ),
        can_request=_anyone,
    )
)

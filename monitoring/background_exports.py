"""Microdata as a background export (exportjobs): more responses than settings.PORTAL_EXPORT_BACKGROUND_ROWS
are written by a worker, with the same rows and writers as the direct download."""

from django.utils.translation import gettext as _

from core import streaming
from exportjobs import registry

from . import exports
from .models import Response, Wave
from .permissions import can_manage_monitoring

CONTENT_TYPES = {"csv": streaming.CSV_CONTENT_TYPE, "xlsx": streaming.XLSX_CONTENT_TYPE}


def microdata_filename(wave: Wave | None, fmt: str) -> str:
    if wave is None:
        return f"monitoring-wszystkie-fale-mikrodane.{fmt}"
    return f"monitoring-{wave.reference_year}-{wave.pk}-mikrodane.{fmt}"


def _title(params) -> str:
    if params.get("wave") is None:
        return _("Mikrodane wszystkich fal (%(fmt)s)") % {"fmt": params.get("fmt", "")}
    wave = Wave.objects.filter(pk=params["wave"]).first()
    name = wave.name if wave else str(params["wave"])
    return _("Mikrodane fali %(wave)s (%(fmt)s)") % {"wave": name, "fmt": params.get("fmt", "")}


def _build(params, file, progress):
    fmt = params.get("fmt")
    if fmt not in CONTENT_TYPES:
        raise registry.ExportInputError(_("Dostępne formaty to csv i xlsx."))
    wave = None
    if params.get("wave") is not None:
        wave = Wave.objects.filter(pk=params["wave"]).first()
        if wave is None:
            raise registry.ExportInputError(_("Tej fali badania już nie ma; nie można przygotować jej mikrodanych."))
    responses = Response.objects.filter(wave=wave) if wave else Response.objects.all()
    total = responses.count()
    if fmt == "csv":
        rows = exports.microdata_rows(wave) if wave else exports.all_waves_microdata_rows()
        header = next(rows)
        rows = registry.counted(rows, total=total, progress=progress)
        registry.write_pieces(streaming.csv_lines(header, rows), file)
    else:
        sheets = exports.microdata_sheets(wave) if wave else exports.all_waves_microdata_sheets()
        streaming.write_xlsx_sheets(sheets, file=file)
        progress(total, total)
    return microdata_filename(wave, fmt), CONTENT_TYPES[fmt]


registry.register(
    registry.ExportKind(
        name="monitoring.microdata",
        title=_title,
        build=_build,
        can_request=lambda user, params: can_manage_monitoring(user),
    )
)

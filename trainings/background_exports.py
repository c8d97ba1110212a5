"""Background exports of trainings (exportjobs): a training's certificates as one ZIP, built by a worker when there
are more than settings.PORTAL_EXPORT_BACKGROUND_CERTIFICATES of them (each PDF takes a moment to draw); report
tables with more rows than settings.PORTAL_EXPORT_BACKGROUND_ROWS allows."""

import shutil

from django.http import QueryDict
from django.utils.translation import gettext as _

from core import streaming
from exportjobs import registry

from . import exports, selectors, services
from .certificates import certificates_zip
from .forms import ReportForm
from .models import Training
from .permissions import can_issue_certificates, can_view_reports


def certificates_zip_filename(training: Training) -> str:
    return f"zaswiadczenia-szkolenia-{training.pk}.zip"


def _training(params) -> Training | None:
    return Training.objects.select_related("gmina", "programme").filter(pk=params.get("training")).first()


def _title(params) -> str:
    training = _training(params)
    return _("Zaświadczenia szkolenia „%(title)s” (ZIP)") % {"title": training.title if training else "—"}


def _can_request(user, params) -> bool:
    training = _training(params)
    return training is not None and can_issue_certificates(user, training)


def _build(params, file, progress):
    training = _training(params)
    if training is None:
        raise registry.ExportInputError(_("Tego szkolenia już nie ma; nie można przygotować zaświadczeń."))
    certificates = list(selectors.training_certificates(training=training))
    if not certificates:
        raise registry.ExportInputError(_("To szkolenie nie ma wystawionych zaświadczeń."))
    counted = registry.counted(certificates, total=len(certificates), progress=progress, every=10)
    with certificates_zip(certificates=counted) as archive:
        shutil.copyfileobj(archive, file)
    services.certificates_mark_downloaded(certificate_ids=[certificate.pk for certificate in certificates])
    return certificates_zip_filename(training), "application/zip"


registry.register(
    registry.ExportKind(name="trainings.certificates", title=_title, build=_build, can_request=_can_request)
)


REPORT_CONTENT_TYPES = {"csv": streaming.CSV_CONTENT_TYPE, "xlsx": streaming.XLSX_CONTENT_TYPE}


def _build_report(params, file, progress):
    query = QueryDict(mutable=True)
    for name, value in params.get("query", []):
        query.appendlist(name, value)
    form = ReportForm(query if query else None)
    fmt, report = params.get("fmt"), params.get("report")
    if fmt not in REPORT_CONTENT_TYPES or report not in ("grupy", "powiaty") or (form.is_bound and not form.is_valid()):
        raise registry.ExportInputError(_("Parametry tego raportu nie są już poprawne. Wróć do strony raportów."))
    data = form.cleaned_data if form.is_bound else {}
    values = {"programme": data.get("programme"), "date_from": data.get("date_from"), "date_to": data.get("date_to")}
    table = exports.report_file(
        report, form, {"dimension": data.get("dimension") or selectors.Dimension.VOIVODESHIP, **values}
    )
    rows = registry.counted(table.rows, total=len(table.rows), progress=progress)
    if fmt == "xlsx":
        streaming.write_xlsx(table.header, rows, file=file, sheet_title=str(table.title))
    else:
        registry.write_pieces(streaming.csv_lines(table.header, rows), file)
    return f"{table.filename}.{fmt}", REPORT_CONTENT_TYPES[fmt]


registry.register(
    registry.ExportKind(
        name="trainings.report",
        title=lambda params: _("Raport szkoleń (%(fmt)s)") % {"fmt": params.get("fmt", "")},
        build=_build_report,
        can_request=lambda user, params: can_view_reports(user),
    )
)

"""Exports: pure functions from data to a header and rows, and the CSV / XLSX responses that stream them.

(The project's core has no shared CSV/XLSX streaming helper yet; these two functions are the candidates to move there.)
"""

import csv
import tempfile
from collections.abc import Iterable, Sequence

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from .selectors import enrolment_is_eligible

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class _Echo:
    def write(self, value):
        return value


def csv_response(*, header: Sequence[str], rows: Iterable[Sequence], filename: str) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff"  # so that spreadsheet programs read the file as UTF-8
        yield writer.writerow(header)
        for row in rows:
            yield writer.writerow(row)

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def xlsx_response(*, header: Sequence[str], rows: Iterable[Sequence], filename: str, title: str) -> FileResponse:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    handle = tempfile.TemporaryFile(suffix=".xlsx")
    workbook.save(handle)
    handle.seek(0)
    return FileResponse(handle, as_attachment=True, filename=f"{filename}.xlsx", content_type=XLSX_CONTENT_TYPE)


def export_response(fmt: str, *, header, rows, filename: str, title: str):
    if fmt == "xlsx":
        return xlsx_response(header=header, rows=rows, filename=filename, title=title)
    return csv_response(header=header, rows=rows, filename=filename)


def participants_table(enrolments, *, sessions) -> tuple[list[str], Iterable[list]]:
    """One row per enrolment (annotations of selectors.training_participants), then its attendance per session."""
    sessions = list(sessions)
    header = [
        _("Nazwisko"),
        _("Imię"),
        _("E-mail"),
        _("Stanowisko"),
        _("Instytucja"),
        _("Typ instytucji"),
        _("Gmina instytucji"),
        _("Status zgłoszenia"),
        _("Data zgłoszenia"),
        _("Obecności"),
        _("Liczba sesji"),
        _("Prawo do zaświadczenia"),
        _("Numer zaświadczenia"),
        *(
            _("Sesja %(n)s (%(start)s)") % {"n": n, "start": timezone.localtime(s.starts_at).strftime("%Y-%m-%d %H:%M")}
            for n, s in enumerate(sessions, start=1)
        ),
    ]

    def rows():
        for enrolment in enrolments:
            participant = enrolment.participant
            certificate = getattr(enrolment, "certificate", None) if hasattr(enrolment, "certificate") else None
            statuses = {a.session_id: a.get_status_display() for a in enrolment.attendances.all()}
            yield [
                participant.last_name,
                participant.first_name,
                participant.email,
                participant.position,
                participant.institution.name,
                participant.institution.get_type_display(),
                str(participant.institution.gmina),
                enrolment.get_status_display(),
                enrolment.created_at.strftime("%Y-%m-%d %H:%M"),
                enrolment.attended_count,
                enrolment.session_count,
                _("tak") if enrolment_is_eligible(enrolment) else _("nie"),
                certificate.number if certificate else "",
                *(statuses.get(session.pk, "") for session in sessions),
            ]

    return header, rows()


def report_table(rows: list[dict], *, dimension_label: str) -> tuple[list[str], list[list]]:
    header = [dimension_label, _("Szkolenia zrealizowane"), _("Osoby przeszkolone")]
    return header, [[row["label"], row["trainings"], row["people"]] for row in rows]


def powiat_table(rows: list[dict]) -> tuple[list[str], list[list]]:
    header = [_("Kod TERYT"), _("Powiat"), _("Szkolenia zrealizowane"), _("Spółdzielnie socjalne")]
    return header, [[row["key"], row["label"], row["trainings"], row["cooperatives"]] for row in rows]

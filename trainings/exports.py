"""Exports: pure functions from data to a header and rows; core.streaming writes the CSV / XLSX files."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from core import streaming

from . import selectors
from .selectors import enrolment_is_eligible


def export_response(fmt: str, *, header, rows, filename: str, title: str):
    """The table as `filename`.csv or .xlsx (one sheet titled `title`, header in bold)."""
    if fmt == "xlsx":
        return streaming.xlsx_response(header, rows, filename=f"{filename}.xlsx", sheet_title=title)
    return streaming.csv_response(header, rows, filename=f"{filename}.csv")


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


@dataclass(frozen=True)
class ReportFile:
    header: list
    rows: list
    filename: str  # without the extension
    title: str


def report_file(report: str, form, params: dict) -> ReportFile:
    """The table of a report ("grupy": by the chosen dimension, "powiaty": trainings and cooperatives by powiat) for
    the valid ReportForm `form` and its `params` (views._report_context)."""
    if report == "powiaty":
        header, rows = powiat_table(
            selectors.trainings_and_cooperatives_by_powiat(
                programme=params["programme"], date_from=params["date_from"], date_to=params["date_to"]
            )
        )
        return ReportFile(header, list(rows), "szkolenia-powiaty", _("Powiaty"))
    label = form.dimension_label() if form.is_bound else _("województwa")
    header, rows = report_table(selectors.training_report(**params), dimension_label=label)
    return ReportFile(header, rows, f"szkolenia-{params['dimension']}", _("Szkolenia"))

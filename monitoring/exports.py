"""Exports for ministry staff: a statistics table (CSV, or XLSX with a metadata sheet) and microdata.

Microdata are read in chunks of responses (keyset pagination) and written as they come, so memory stays bounded
whatever the size of the wave; an XLSX sheet holds at most 1,048,576 rows, so longer exports continue on further
sheets.
"""

import csv
import tempfile
from collections.abc import Iterable, Iterator

from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Answer, Question, Response, Wave
from .statistics import Table

XLSX_MAX_ROWS = 1_048_576
MICRODATA_CHUNK = 500
MICRODATA_FIXED_COLUMNS = [
    "krs",
    "nazwa",
    "wojewodztwo",
    "typ_zalozycieli",
    "status_ankiety",
    "zrodlo",
    "weryfikacja",
    "przeslano",
]


def _export_value(cell, min_cell_size: int):
    if cell.hidden:
        return f"<{min_cell_size}" if cell.reason == "primary" else "—"
    return cell.value


def table_rows(table: Table) -> Iterator[list]:
    """Header and rows of a statistics table (hidden cells as in the page, values otherwise)."""
    header = [str(_("Grupa"))] + [label for _code, label in table.columns]
    if table.has_row_totals:
        header.append(str(_("Razem")))
    yield header
    for row in table.all_rows:
        cells = [*row.cells, row.total] if row.total else row.cells
        yield [str(row.label)] + [_export_value(cell, table.min_cell_size) for cell in cells]


def table_metadata(table: Table) -> list[list]:
    """Wave, filters, question definitions, generation time and the suppression rule."""
    confidential = [
        f"{row.label} / {label}"
        for row in table.all_rows
        for (label, cell) in zip(
            [label for _c, label in table.columns] + ([str(_("Razem"))] if row.total else []),
            [*row.cells, row.total] if row.total else row.cells,
            strict=True,
        )
        if cell.confidential
    ]
    rows = [
        [str(_("Fala")), table.wave.name],
        [str(_("Rok, którego dotyczą dane")), table.wave.reference_year],
        [str(_("Wskaźnik")), str(table.indicator.label)],
        [str(_("Podział")), table.breakdown],
        [str(_("Filtry")), "; ".join(f"{key}={value}" for key, value in sorted(table.filters.items())) or "—"],
        [str(_("Wygenerowano")), timezone.localtime().strftime("%Y-%m-%d %H:%M:%S %Z")],
        [
            str(_("Reguła ochrony danych")),
            _(
                "Komórki dotyczące mniej niż %(n)s spółdzielni są ukrywane; gdy w wierszu lub kolumnie z sumą ukryto "
                "jedną komórkę, ukrywa się też następną najmniejszą."
            )
            % {"n": table.min_cell_size},
        ],
        [str(_("Komórki poufne (niepublikowalne)")), "; ".join(confidential) or "—"],
        [],
        [str(_("Kod pytania")), str(_("Treść")), str(_("Typ")), str(_("Jednostka"))],
    ]
    rows += [[q.code, q.text, q.get_type_display(), q.unit] for q in table.questions]
    return rows


class _Echo:
    def write(self, value):
        return value


def csv_stream(rows: Iterable[list]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff"  # so spreadsheet programs read the UTF-8 file correctly
    for row in rows:
        yield writer.writerow(row)


def table_csv(table: Table) -> Iterator[str]:
    """The table, a blank line, then the metadata rows (CSV has a single sheet)."""
    return csv_stream([*table_rows(table), [], *table_metadata(table)])


def xlsx_file(sheets: Iterable[tuple[str, Iterable[list]]]):
    """Write sheets with openpyxl's write-only mode into a temporary file; returns the file, rewound."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    for title, rows in sheets:
        sheet = workbook.create_sheet(title=title[:31])
        for row in rows:
            sheet.append(row)
    target = tempfile.TemporaryFile()
    workbook.save(target)
    target.seek(0)
    return target


def table_xlsx(table: Table):
    return xlsx_file([(str(_("Tabela")), table_rows(table)), (str(_("Metadane")), table_metadata(table))])


def _microdata_value(question: Question, numeric, boolean, text, choices):
    if question.type in Question.NUMERIC_TYPES:
        if numeric is None:
            return None
        return int(numeric) if question.type == Question.Type.INTEGER else numeric
    if question.type == Question.Type.YES_NO:
        return None if boolean is None else ("tak" if boolean else "nie")
    if question.type == Question.Type.MULTIPLE_CHOICE:
        return ";".join(sorted(choices)) or None
    return text or None


def microdata_rows(wave: Wave, *, chunk_size: int = MICRODATA_CHUNK) -> Iterator[list]:
    """Header, then one row per response of the wave, read chunk by chunk (bounded memory)."""
    questions = list(Question.objects.filter(wave=wave).order_by("section__order", "order", "pk"))
    yield MICRODATA_FIXED_COLUMNS + [question.code for question in questions]
    by_id = {question.pk: question for question in questions}
    last_pk = 0
    through = Answer.selected_choices.through
    while True:
        chunk = list(
            Response.objects.filter(wave=wave, pk__gt=last_pk)
            .select_related("cooperative", "cooperative__voivodeship")
            .order_by("pk")[:chunk_size]
        )
        if not chunk:
            return
        last_pk = chunk[-1].pk
        ids = [response.pk for response in chunk]
        values: dict[tuple[int, int], list] = {}
        for response_id, question_id, numeric, boolean, text in Answer.objects.filter(response_id__in=ids).values_list(
            "response_id", "question_id", "numeric_value", "bool_value", "text_value"
        ):
            values[(response_id, question_id)] = [numeric, boolean, text, []]
        for response_id, question_id, code in through.objects.filter(answer__response_id__in=ids).values_list(
            "answer__response_id", "answer__question_id", "choice__code"
        ):
            values[(response_id, question_id)][3].append(code)
        for response in chunk:
            cooperative = response.cooperative
            row = [
                cooperative.krs_number,
                cooperative.name,
                cooperative.voivodeship.name,
                cooperative.founder_type,
                response.status,
                response.source,
                response.verification or "pending",
                timezone.localtime(response.submitted_at).strftime("%Y-%m-%d %H:%M") if response.submitted_at else "",
            ]
            for question_id, question in by_id.items():
                stored = values.get((response.pk, question_id))
                row.append(_microdata_value(question, *stored) if stored else None)
            yield row


def split_into_sheets(rows: Iterator[list], *, max_rows: int = XLSX_MAX_ROWS) -> Iterator[tuple[str, Iterator[list]]]:
    """Spread rows over sheets of at most max_rows rows, each sheet starting with the header."""
    header = next(rows)
    sheet_number = 0
    exhausted = False

    def sheet_rows():
        nonlocal exhausted
        yield header
        for _index in range(max_rows - 1):
            try:
                yield next(rows)
            except StopIteration:
                exhausted = True
                return

    while not exhausted:
        sheet_number += 1
        yield (str(_("Mikrodane %(n)s")) % {"n": sheet_number}, sheet_rows())
        # the caller consumes the sheet before asking for the next one
        try:
            peek = next(rows)
        except StopIteration:
            return
        rows = _prepend(peek, rows)


def _prepend(first, rest):
    yield first
    yield from rest


def microdata_metadata(wave: Wave) -> list[list]:
    rows = [
        [str(_("Fala")), wave.name],
        [str(_("Rok, którego dotyczą dane")), wave.reference_year],
        [str(_("Wygenerowano")), timezone.localtime().strftime("%Y-%m-%d %H:%M:%S %Z")],
        [str(_("Poufność")), str(_("Mikrodane są poufne: zawierają odpowiedzi pojedynczych spółdzielni."))],
        [],
        [str(_("Kod pytania")), str(_("Treść")), str(_("Typ")), str(_("Jednostka"))],
    ]
    questions = Question.objects.filter(wave=wave).order_by("section__order", "order", "pk")
    return rows + [[q.code, q.text, q.get_type_display(), q.unit] for q in questions]


def microdata_xlsx(wave: Wave, *, max_rows: int = XLSX_MAX_ROWS):
    def sheets():
        yield from split_into_sheets(microdata_rows(wave), max_rows=max_rows)
        yield (str(_("Metadane")), microdata_metadata(wave))

    return xlsx_file(sheets())

"""Exports for ministry staff: a statistics table (CSV, or XLSX with a metadata sheet) and microdata.

Rows and sheets only: core.streaming writes every file (text stays text, CSV cells neutralised against formulas).
Microdata (of one wave or of all waves) are read in chunks of responses (keyset pagination) and written as they
come, so memory stays bounded whatever the number of answers; an XLSX sheet holds at most 1,048,576 rows, so longer
exports continue on further sheets.
"""

from collections.abc import Iterator

from django.utils import timezone
from django.utils.translation import gettext as _

from core.streaming import Sheet

from .models import Answer, Question, Response, Wave
from .statistics import HIDDEN_MARK, Table, method_description

XLSX_MAX_ROWS = 1_048_576
MICRODATA_CHUNK = 1000
MICRODATA_WAVE_COLUMNS = ["fala", "rok"]
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
    return HIDDEN_MARK if cell.hidden else cell.shown_value


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
            str(_("Dane")),
            str(_("POUFNE: dokładne wartości, nie do publikacji"))
            if table.is_confidential_view
            else str(_("chronione: do publikacji")),
        ],
        [str(_("Reguła ochrony danych")), method_description(confidential=table.is_confidential_view)],
    ]
    if table.is_confidential_view:
        rows.append([str(_("Komórki poufne (niepublikowalne)")), "; ".join(confidential) or "—"])
    else:
        rows.append([str(_("Oznaczenie „.”")), str(_("suma niepokazywana, bo dotyczy zbyt małej liczby spółdzielni"))])
    rows += [
        [],
        [str(_("Kod pytania")), str(_("Treść")), str(_("Typ")), str(_("Jednostka"))],
    ]
    rows += [[q.code, q.text, q.get_type_display(), q.unit] for q in table.questions]
    return rows


def table_csv_rows(table: Table) -> Iterator[list]:
    """The table, a blank line, then the metadata rows (CSV has a single sheet); the first row is the header."""
    yield from table_rows(table)
    yield []
    yield from table_metadata(table)


def table_sheets(table: Table) -> list[Sheet]:
    return [Sheet(str(_("Tabela")), table_rows(table)), Sheet(str(_("Metadane")), table_metadata(table))]


_RESPONSE_FIELDS = (
    "pk",
    "cooperative__krs_number",
    "cooperative__name",
    "cooperative__voivodeship__name",
    "cooperative__founder_type",
    "status",
    "source",
    "verification",
    "submitted_at",
)


def _microdata_value(question_type: str, numeric, boolean, text, choices):
    if question_type in Question.NUMERIC_TYPES:
        if numeric is None:
            return None
        return int(numeric) if question_type == Question.Type.INTEGER else numeric
    if question_type == Question.Type.YES_NO:
        return None if boolean is None else ("tak" if boolean else "nie")
    if question_type == Question.Type.MULTIPLE_CHOICE:
        return ";".join(sorted(choices)) or None
    return text or None


def _microdata_records(responses, columns: dict[int, tuple[int, str]], width: int, *, leading: list, chunk_size: int):
    """One row per response of `responses`, read chunk by chunk (keyset pagination on the primary key; a chunk
    takes three queries: responses, answers, chosen choices of its multiple-choice answers if any; plain tuples
    rather than model instances).

    `columns` places each question's answer: {question id: (index in the row, question type)}; `leading` are
    the first values of every row, `width` the length of a row.
    """
    through = Answer.selected_choices.through
    fixed_width = len(leading) + len(MICRODATA_FIXED_COLUMNS)
    last_pk = 0
    while True:
        chunk = list(responses.filter(pk__gt=last_pk).order_by("pk").values_list(*_RESPONSE_FIELDS)[:chunk_size])
        if not chunk:
            return
        last_pk = chunk[-1][0]
        ids = [row[0] for row in chunk]
        rows = {}
        for pk, krs, name, voivodeship, founder_type, status, source, verification, submitted_at in chunk:
            row = [*leading, krs, name, voivodeship, founder_type, status, source, verification or "pending"]
            row.append(timezone.localtime(submitted_at).strftime("%Y-%m-%d %H:%M") if submitted_at else "")
            row.extend([None] * (width - fixed_width))
            rows[pk] = row
        chosen: dict[int, tuple[list, int]] = {}  # multiple-choice answer -> its row and column
        for pk, response_id, question_id, numeric, boolean, text in Answer.objects.filter(
            response_id__in=ids
        ).values_list("pk", "response_id", "question_id", "numeric_value", "bool_value", "text_value"):
            index, question_type = columns[question_id]
            if question_type == Question.Type.MULTIPLE_CHOICE:
                chosen[pk] = (rows[response_id], index)
            else:
                rows[response_id][index] = _microdata_value(question_type, numeric, boolean, text, ())
        if chosen:
            # By the answers' own keys, so the database reads the chosen choices through the index.
            codes: dict[int, list] = {}
            for answer_id, code in through.objects.filter(answer_id__in=list(chosen)).values_list(
                "answer_id", "choice__code"
            ):
                codes.setdefault(answer_id, []).append(code)
            for answer_id, (row, index) in chosen.items():
                row[index] = ";".join(sorted(codes.get(answer_id, ()))) or None
        yield from rows.values()
        if len(chunk) < chunk_size:  # the last chunk: no query to find nothing more
            return


def microdata_rows(wave: Wave, *, chunk_size: int = MICRODATA_CHUNK) -> Iterator[list]:
    """Header, then one row per response of the wave, read chunk by chunk (bounded memory)."""
    questions = list(
        Question.objects.filter(wave=wave).order_by("section__order", "order", "pk").values_list("pk", "code", "type")
    )
    yield MICRODATA_FIXED_COLUMNS + [code for _pk, code, _type in questions]
    offset = len(MICRODATA_FIXED_COLUMNS)
    columns = {pk: (offset + index, question_type) for index, (pk, _code, question_type) in enumerate(questions)}
    width = offset + len(questions)
    yield from _microdata_records(Response.objects.filter(wave=wave), columns, width, leading=[], chunk_size=chunk_size)


def _waves_in_order():
    return Wave.objects.order_by("reference_year", "opens_on", "pk")


def all_waves_microdata_rows(*, chunk_size: int = MICRODATA_CHUNK) -> Iterator[list]:
    """Header, then one row per response of every wave (oldest wave first), with the wave's name and year.

    A column per question code, in the order the codes first appear (questions keep their code across waves, so
    a code's answers of every year share a column). Memory stays bounded: chunks of responses, wave by wave.
    """
    waves = list(_waves_in_order().values_list("pk", "name", "reference_year"))
    questions = Question.objects.filter(wave_id__in=[pk for pk, _name, _year in waves]).order_by(
        "wave__reference_year", "wave__opens_on", "wave_id", "section__order", "order", "pk"
    )
    offset = len(MICRODATA_WAVE_COLUMNS) + len(MICRODATA_FIXED_COLUMNS)
    code_index: dict[str, int] = {}
    columns = {}
    for pk, code, question_type in questions.values_list("pk", "code", "type"):
        index = code_index.setdefault(code, offset + len(code_index))
        columns[pk] = (index, question_type)
    yield MICRODATA_WAVE_COLUMNS + MICRODATA_FIXED_COLUMNS + list(code_index)
    width = offset + len(code_index)
    for pk, name, year in waves:
        yield from _microdata_records(
            Response.objects.filter(wave_id=pk), columns, width, leading=[name, year], chunk_size=chunk_size
        )


def split_into_sheets(rows: Iterator[list], *, max_rows: int = XLSX_MAX_ROWS) -> Iterator[Sheet]:
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
        yield Sheet(str(_("Mikrodane %(n)s")) % {"n": sheet_number}, sheet_rows())
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


def microdata_sheets(wave: Wave, *, max_rows: int = XLSX_MAX_ROWS) -> Iterator[Sheet]:
    """The microdata over as many sheets as needed, then the metadata sheet."""
    yield from split_into_sheets(microdata_rows(wave), max_rows=max_rows)
    yield Sheet(str(_("Metadane")), microdata_metadata(wave))


def all_waves_microdata_metadata() -> list[list]:
    """The waves, then each question code with its text, type and unit in the first wave that asked it."""
    rows = [
        [str(_("Wygenerowano")), timezone.localtime().strftime("%Y-%m-%d %H:%M:%S %Z")],
        [str(_("Poufność")), str(_("Mikrodane są poufne: zawierają odpowiedzi pojedynczych spółdzielni."))],
        [],
        [str(_("Fala")), str(_("Rok, którego dotyczą dane"))],
    ]
    rows += [[wave.name, wave.reference_year] for wave in _waves_in_order()]
    rows += [[], [str(_("Kod pytania")), str(_("Treść")), str(_("Typ")), str(_("Jednostka"))]]
    seen = set()
    questions = Question.objects.order_by(
        "wave__reference_year", "wave__opens_on", "wave_id", "section__order", "order", "pk"
    )
    for question in questions:
        if question.code not in seen:
            seen.add(question.code)
            rows.append([question.code, question.text, question.get_type_display(), question.unit])
    return rows


def all_waves_microdata_sheets(*, max_rows: int = XLSX_MAX_ROWS) -> Iterator[Sheet]:
    yield from split_into_sheets(all_waves_microdata_rows(), max_rows=max_rows)
    yield Sheet(str(_("Metadane")), all_waves_microdata_metadata())

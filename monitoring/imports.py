"""Import of a wave's answers from CSV or XLSX: one row per cooperative (column `krs`), one column per question code.

A plain function, so a task queue can run it; progress goes to an optional callback. Every invalid cell is
reported (row, column, reason); a file with any invalid cell commits nothing; importing the same file again changes
nothing, because responses are keyed by (wave, cooperative) and unchanged answers are not rewritten.
"""

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from cooperatives.models import Cooperative
from core.database import analyze

from . import rules as consistency
from . import selectors, services
from .forms import clean_answers
from .models import Answer, Question, Response, Wave
from .versions import bumps_deferred

KRS_COLUMN = "krs"
MULTIPLE_CHOICE_SEPARATOR = ";"


@dataclass(frozen=True)
class CellError:
    """One mistake of the file: a cell (row, column), or a row whose answers break a consistency rule (column: the
    rule's formula, cooperative: its name and KRS)."""

    row: int
    column: str
    message: str
    cooperative: str = ""


@dataclass
class ImportResult:
    errors: list[CellError] = field(default_factory=list)
    rows: int = 0
    changed: int = 0
    unchanged: int = 0

    @property
    def committed(self) -> bool:
        return not self.errors and self.rows > 0


class ImportFileError(ValueError):
    """The file cannot be read at all (wrong format, no header)."""


def _csv_rows(data: bytes) -> Iterator[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError(_("Plik CSV musi być zapisany w kodowaniu UTF-8.")) from None
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    yield from csv.reader(io.StringIO(text), delimiter=delimiter)


def _xlsx_rows(data: bytes) -> Iterator[list]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many types for a damaged or non-XLSX file
        raise ImportFileError(_("Nie udało się odczytać pliku XLSX.")) from None
    try:
        for row in workbook.worksheets[0].iter_rows(values_only=True):
            yield ["" if value is None else value for value in row]
    finally:
        workbook.close()


def read_rows(*, data: bytes, filename: str) -> Iterator[list]:
    if filename.lower().endswith(".xlsx"):
        return _xlsx_rows(data)
    if filename.lower().endswith(".csv"):
        return _csv_rows(data)
    raise ImportFileError(_("Obsługiwane są pliki .csv i .xlsx."))


def _cell_text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def import_answers(
    *,
    wave: Wave,
    data: bytes,
    filename: str,
    user,
    progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """Validate the whole file, then (only if every cell is valid) save every row as a submitted response."""
    result = ImportResult()
    if wave.status not in (Wave.Status.OPEN, Wave.Status.CLOSED):
        result.errors.append(CellError(0, "", _("Odpowiedzi można importować tylko do fali otwartej lub zamkniętej.")))
        return result
    questions = selectors.questionnaire(wave)
    rules = consistency.wave_rules(wave.pk)
    by_code = {question.code: question for question in questions}
    rows = read_rows(data=data, filename=filename)
    try:
        header = [_cell_text(name).lower() for name in next(rows)]
    except StopIteration:
        raise ImportFileError(_("Plik jest pusty.")) from None
    if KRS_COLUMN not in header:
        raise ImportFileError(_("Brakuje kolumny „krs” w pierwszym wierszu."))
    for name in header:
        if name and name != KRS_COLUMN and name not in by_code:
            result.errors.append(CellError(1, name, _("Nieznany kod pytania w tej fali.")))
    if header.count(KRS_COLUMN) > 1 or len(set(filter(None, header))) != len(list(filter(None, header))):
        result.errors.append(CellError(1, "", _("Kolumny w nagłówku powtarzają się.")))

    parsed = []
    for line_number, raw_row in enumerate(rows, start=2):
        if not any(_cell_text(value) for value in raw_row):
            continue
        cells = dict(zip(header, raw_row, strict=False))
        raw = {}
        for code, value in cells.items():
            question = by_code.get(code)
            if question is None:
                continue
            text = _cell_text(value)
            if question.type == Question.Type.MULTIPLE_CHOICE:
                raw[code] = [part.strip() for part in text.split(MULTIPLE_CHOICE_SEPARATOR) if part.strip()]
            else:
                raw[code] = text
        parsed.append((line_number, _cell_text(cells.get(KRS_COLUMN, "")), raw))
    result.rows = len(parsed)

    krs_numbers = {krs for _line, krs, _raw in parsed}
    cooperatives = {c.krs_number: c for c in Cooperative.objects.filter(krs_number__in=krs_numbers)}
    seen: dict[str, int] = {}
    valid_rows = []
    for line_number, krs, raw in parsed:
        if not krs:
            result.errors.append(CellError(line_number, KRS_COLUMN, _("Brak numeru KRS.")))
        elif krs not in cooperatives:
            result.errors.append(
                CellError(
                    line_number, KRS_COLUMN, _("Nie ma w rejestrze spółdzielni o numerze KRS %(krs)s.") % {"krs": krs}
                )
            )
        elif krs in seen:
            result.errors.append(
                CellError(line_number, KRS_COLUMN, _("Ten numer KRS jest już w wierszu %(row)s.") % {"row": seen[krs]})
            )
        else:
            seen[krs] = line_number
        # field by field first; the rules once per row and rule (not on each question they name), with its name
        values, errors = clean_answers(questions, raw, complete=True, rules=())
        for code, messages in errors.items():
            for message in messages:
                result.errors.append(CellError(line_number, code, message))
        for violation in consistency.check(rules, questions, values):
            cooperative = cooperatives.get(krs)
            who = f"{cooperative.name} (KRS {krs})" if cooperative else krs
            result.errors.append(CellError(line_number, str(violation.rule), violation.message, cooperative=who))
        valid_rows.append((krs, values))
    if result.errors or not parsed:
        return result

    # One bump of the wave's statistics version at the end of the transaction, not one per row.
    with transaction.atomic(), bumps_deferred():
        for index, (krs, values) in enumerate(valid_rows, start=1):
            _response, changed = services.response_save(
                wave=wave,
                cooperative=cooperatives[krs],
                questions=questions,
                values=values,
                user=user,
                submit=True,
                as_staff=True,
                source=Response.Source.IMPORT,
            )
            if changed:
                result.changed += 1
            else:
                result.unchanged += 1
            if progress is not None:
                progress(index, len(valid_rows))
    if result.changed:
        analyze(Response, Answer)  # an import may add most of a wave's answers at once (core/database.py)
    return result

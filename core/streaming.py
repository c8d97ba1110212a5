"""The one writer of every CSV and XLSX file the portal produces (and of its JSON and GeoJSON downloads).

Tabular data (a header and an iterator of row tuples) is sent as CSV, JSON, GeoJSON and XLSX. Memory stays
bounded whatever the number of rows: CSV, JSON and GeoJSON are produced row by row while the response is sent;
XLSX (a zip archive, which cannot be written as a stream) is built by openpyxl's write-only mode in a temporary
file and then sent from it. The rows come from an iterator over the database, never a list.

On PostgreSQL a CSV file can instead be written by the database itself (`copy_csv_lines`): COPY ... TO STDOUT
formats the rows, and Python only relays them, which is an order of magnitude faster than a csv.writer per row.
The output is byte for byte the one of `csv_lines` when the SELECT gives each column through `sql_csv_value`.

Text is data (see "Cells" below): in XLSX a text is always a text cell, never a formula, and characters XML cannot
hold are removed; in CSV a text that a spreadsheet program would read as a formula gets a leading apostrophe.

A download's query runs before its first byte is sent: when the database cannot answer, the client gets a 503 page
instead of a 200 with a truncated file. A failure after the first byte is raised on, so the server cuts the
connection (no final chunk) rather than ending the file cleanly; see core/README.md.
"""

import contextlib
import csv
import datetime
import io
import itertools
import json
import logging
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import InterfaceError, OperationalError, connections, transaction
from django.db.backends.utils import CursorDebugWrapper
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.template.loader import render_to_string
from django.utils.functional import Promise
from django.utils.http import content_disposition_header
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES
from openpyxl.styles import Font

from core.text import xml_safe

logger = logging.getLogger(__name__)

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
JSON_CONTENT_TYPE = "application/json"
GEOJSON_CONTENT_TYPE = "application/geo+json"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Rows per piece of the response: large enough to keep per-piece overhead low, small enough to stay light.
ROWS_PER_PIECE = 500
# Bytes per piece of a CSV file written by PostgreSQL.
COPY_PIECE_BYTES = 64 * 1024
# Excel detects UTF-8 in a CSV file only by this mark; other tools ignore it.
UTF8_BOM = "\ufeff"
XLSX_MAX_CELL_LENGTH = 32_767
# Characters XML 1.0 (and so XLSX) cannot hold (core.text.XML_ILLEGAL) are removed from XLSX cells (openpyxl refuses
# them, which was a 500); CSV keeps them, as it keeps any text.
# First characters that make a spreadsheet program read a CSV cell as a formula (OWASP, "CSV Injection").
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# The database errors that mean "not now" rather than a bug: no connection, a lost one, a statement timeout.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)


def _pieces(rows: Iterable) -> Iterator[list]:
    size = ROWS_PER_PIECE
    piece = []
    for row in rows:
        piece.append(row)
        if len(piece) == size:
            yield piece
            piece = []
    if piece:
        yield piece


def _attachment(response, filename: str):
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return response


# --- Cells: text is data -----------------------------------------------------------------------------------


def csv_text(value: str) -> str:
    """A text as a CSV cell that no spreadsheet program reads as a formula.

    OWASP's advice against CSV injection: a text starting with = + - @, a tab or a carriage return gets a leading
    apostrophe (spreadsheet programs then show it as text; a program reading the data drops one leading apostrophe
    before these characters to get the text back). Numbers written as numbers (int, Decimal, float) are not text
    and stay as they are, a negative number included: it can only be digits, a sign and a point, never a formula.
    """
    return "'" + value if value.startswith(FORMULA_TRIGGERS) else value


def _csv_value(value):
    kind = value.__class__
    if kind is str:
        return "'" + value if value.startswith(FORMULA_TRIGGERS) else value
    if kind is bool:
        return "true" if value else "false"
    if isinstance(value, str | Promise):  # str subclasses (SafeString), lazy translations
        return csv_text(str(value))
    return value  # numbers, dates (ISO 8601 by str()), None (empty)


_TRIGGER_CHARACTERS = frozenset(FORMULA_TRIGGERS)
# Values csv.writer writes as they are: numbers (never escaped, see csv_text), dates, None.
_CSV_PLAIN_TYPES = frozenset({int, float, Decimal, datetime.date, datetime.datetime, type(None)})


def _csv_row(row, _str=str, _bool=bool, _triggers=_TRIGGER_CHARACTERS, _plain=_CSV_PLAIN_TYPES) -> list:
    """`_csv_value` of each value, inlined for the common types: a function call per value halved the speed."""
    return [
        ("'" + value if value and value[0] in _triggers else value)
        if value.__class__ is _str
        else ("true" if value else "false")
        if value.__class__ is _bool
        else value
        if value.__class__ in _plain
        else _csv_value(value)
        for value in row
    ]


# The value kinds of `sql_csv_value`.
SQL_NUMBER = "number"
SQL_BOOLEAN = "boolean"
SQL_DATE = "date"
SQL_TEXT = "text"
_SQL_FORMULA_TRIGGERS = ", ".join(str(ord(character)) for character in FORMULA_TRIGGERS)


def sql_csv_value(sql: str, kind: str) -> str:
    """PostgreSQL SQL giving the value of `sql` as `csv_lines` writes it, for the SELECT of `copy_csv_lines`.

    `sql` is a column reference (it is repeated). Numbers as PostgreSQL prints them (Python's str() of int and
    Decimal), booleans true/false, dates ISO 8601; a text with `csv_text`'s apostrophe (the first character's
    code point compared, whatever the column's collation), and an empty text as NULL, because COPY quotes an
    empty string and csv.writer does not.
    """
    if kind == SQL_NUMBER:
        return sql
    if kind == SQL_BOOLEAN:
        return f"CASE {sql} WHEN true THEN 'true' WHEN false THEN 'false' END"
    if kind == SQL_DATE:
        return f"to_char({sql}, 'YYYY-MM-DD')"
    if kind != SQL_TEXT:
        raise ValueError(f"unknown kind of CSV value: {kind}")
    text = f"({sql})::text"
    # ascii() is the first character's code point (0 for an empty text): an integer comparison, cheaper than
    # comparing left(text, 1), and no collation can make another character equal to a trigger.
    return f"CASE WHEN ascii({text}) IN ({_SQL_FORMULA_TRIGGERS}) THEN '''' || {text} ELSE NULLIF({text}, '') END"


def _xlsx_text(value):
    """A text without the characters XML cannot hold, with line feeds for line ends (an XML parser reads CR LF
    and CR as LF anyway), cut to Excel's cell limit; other values as they are."""
    if value.__class__ is not str:
        if not isinstance(value, str | Promise):
            return value  # numbers, booleans, dates, None
        value = str(value)
    if "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    return xml_safe(value)[:XLSX_MAX_CELL_LENGTH]


def _xlsx_cell(sheet, value, *, font=None):
    cell = WriteOnlyCell(sheet, value)
    if isinstance(value, str):
        cell.data_type = "s"
    if font is not None:
        cell.font = font
    return cell


def _xlsx_value(sheet, value):
    """A text is always a text cell: openpyxl would make "=..." a formula and "#N/A" an error value."""
    value = _xlsx_text(value)
    if value.__class__ is str and (value.startswith("=") or value in ERROR_CODES):
        return _xlsx_cell(sheet, value)
    return value


# --- Starting a download, and failing loudly -----------------------------------------------------------------


def database_unavailable_response() -> HttpResponse:
    """503: the file cannot be made now (no database, or it did not answer in time). Standalone page, like 500.html:
    nothing else may work."""
    response = HttpResponse(render_to_string("core/export_unavailable.html"), status=503)
    response["Retry-After"] = "60"
    return response


def _stream(pieces: Iterator[bytes], *, content_type: str, filename: str) -> HttpResponse:
    """A streamed attachment whose first piece is made now, inside the view, so that the query behind the file
    runs before the status line is sent: a database that cannot answer gives a 503, never a 200 with a header row.
    """
    try:
        first = next(pieces, b"")
    except DATABASE_UNAVAILABLE:
        logger.exception("Download %s not started: the database is unavailable", filename)
        return database_unavailable_response()
    response = StreamingHttpResponse(_failing_loudly(first, pieces, filename), content_type=content_type)
    return _attachment(response, filename)


def _failing_loudly(first: bytes, rest: Iterator[bytes], filename: str) -> Iterator[bytes]:
    """The pieces; an error after the first byte is logged and raised, never swallowed: the WSGI server then cuts
    the connection without the final chunk, so the client sees a failed download rather than a short file."""
    if first:
        yield first
    try:
        yield from rest
    except Exception:
        logger.exception("Download %s failed after its first byte; the connection is cut", filename)
        raise


# --- CSV ---------------------------------------------------------------------------------------------------


def _csv_header(header: Sequence[str], delimiter: str = ",") -> str:
    buffer = io.StringIO()
    buffer.write(UTF8_BOM)
    csv.writer(buffer, delimiter=delimiter).writerow([_csv_value(name) for name in header])
    return buffer.getvalue()


def csv_lines(header: Sequence[str], rows: Iterable[Sequence], *, delimiter: str = ",") -> Iterator[bytes]:
    """RFC 4180 CSV in UTF-8 with a byte-order mark; booleans as true/false, missing values empty, dates ISO 8601,
    texts through `csv_text`.

    `delimiter=";"` for files meant for a spreadsheet in a Polish locale (Excel splits on the list separator)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    buffer.write(_csv_header(header, delimiter))
    for piece in _pieces(rows):
        writer.writerows([_csv_row(row) for row in piece])
        yield buffer.getvalue().encode("utf-8")
        buffer.seek(0)
        buffer.truncate()
    if buffer.tell():  # only the header: no rows at all
        yield buffer.getvalue().encode("utf-8")


def csv_response(
    header: Sequence[str], rows: Iterable[Sequence], *, filename: str, delimiter: str = ","
) -> HttpResponse:
    return _stream(csv_lines(header, rows, delimiter=delimiter), content_type=CSV_CONTENT_TYPE, filename=filename)


def copy_csv_lines(
    header: Sequence[str], sql: str, params: Sequence = (), *, using: str = "default"
) -> Iterator[bytes]:
    """The CSV of `csv_lines`, with the rows of the SELECT `sql` formatted by PostgreSQL (COPY ... TO STDOUT).

    Every column of the SELECT must be given through `sql_csv_value` (the text `csv_lines` writes, formula
    triggers neutralised the same way). COPY ends rows with a line feed, csv.writer with CR LF: the server sends
    each row as one message, so the line end is replaced row by row, never inside a quoted value. Nothing is read
    until the first piece is asked for.
    """
    statement = f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)"
    connection = connections[using]
    # One transaction, for SET LOCAL: JIT compilation of the many expressions of such a SELECT costs seconds
    # (the planner expects a long query and compiles it) and saves nothing on a plain scan; parallel workers
    # would each build the same hash tables of the joins, on a server whose cores serve other requests too;
    # the sort of whole rows should stay in memory. COPY stays one running statement for as long as the client takes
    # to download the file, so the web process's statement timeout (core/database.py) would cut a slow download
    # off midway: it does not apply here.
    with transaction.atomic(using=using), connection.cursor() as cursor:
        cursor.execute(
            "SET LOCAL jit = off; SET LOCAL max_parallel_workers_per_gather = 0; SET LOCAL work_mem = '64MB'; "
            "SET LOCAL statement_timeout = 0"
        )
        # Counted and logged like any other query (the debug cursor is what the query-count tests read); psycopg's
        # errors become Django's, as for any other query (OperationalError when the server goes away).
        logged = contextlib.nullcontext()
        if isinstance(cursor, CursorDebugWrapper):
            logged = cursor.debug_sql(statement, params)
        with logged, connection.wrap_database_errors, cursor.cursor.copy(statement, params or None) as copy:
            yield _csv_header(header).encode("utf-8")
            parts, size = [], 0
            for row in copy:
                parts.append(row[:-1])
                parts.append(b"\r\n")
                size += len(row) + 1
                if size >= COPY_PIECE_BYTES:
                    yield b"".join(parts)
                    parts, size = [], 0
            if parts:
                yield b"".join(parts)


def copy_csv_response(
    header: Sequence[str], sql: str, params: Sequence, *, filename: str, using: str = "default"
) -> HttpResponse:
    """The COPY cannot start inside the view: psycopg holds the connection's lock for the whole COPY, so any query
    before the response is read (a middleware's) would wait for it forever. The database is asked a trivial
    question instead, so that one that cannot answer is a 503; the COPY starts with the first byte."""
    try:
        with connections[using].cursor() as cursor:
            cursor.execute("SELECT 1")
    except DATABASE_UNAVAILABLE:
        logger.exception("Download %s not started: the database is unavailable", filename)
        return database_unavailable_response()
    content = _failing_loudly(b"", copy_csv_lines(header, sql, params, using=using), filename)
    return _attachment(StreamingHttpResponse(content, content_type=CSV_CONTENT_TYPE), filename)


# --- JSON and GeoJSON -------------------------------------------------------------------------------------


def _json_default(value):
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, Promise):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, default=_json_default, separators=(",", ":"))


def _json_sequence(opening: str, items: Iterator[str], closing: str) -> Iterator[bytes]:
    """`opening`, the items separated by commas (one per line), `closing`; built piece by piece."""
    first = True
    for piece in _pieces(items):
        text = ",\n".join(piece)
        yield ((opening + "\n" if first else ",\n") + text).encode("utf-8")
        first = False
    yield ((opening if first else "") + "\n" + closing + "\n").encode("utf-8")


def json_records(header: Sequence[str], rows: Iterable[Sequence]) -> Iterator[bytes]:
    """A JSON array with one object per row, keyed by the header. JSON is data for programs, not a spreadsheet:
    texts are written exactly as they are."""
    return _json_sequence("[", (_dumps(dict(zip(header, row, strict=True))) for row in rows), "]")


def json_response(header: Sequence[str], rows: Iterable[Sequence], *, filename: str) -> HttpResponse:
    return _stream(json_records(header, rows), content_type=JSON_CONTENT_TYPE, filename=filename)


def geojson_features(
    header: Sequence[str], rows: Iterable[Sequence], *, longitude: str, latitude: str
) -> Iterator[bytes]:
    """A GeoJSON FeatureCollection (RFC 7946, WGS 84): a Point [longitude, latitude] per row, the other columns
    as properties. A row without coordinates keeps its place with a null geometry, so no record is lost."""
    lon_index, lat_index = header.index(longitude), header.index(latitude)
    property_names = [(index, name) for index, name in enumerate(header) if index not in (lon_index, lat_index)]

    def features():
        for row in rows:
            lon, lat = row[lon_index], row[lat_index]
            geometry = None if lon is None or lat is None else {"type": "Point", "coordinates": [lon, lat]}
            properties = {name: row[index] for index, name in property_names}
            yield _dumps({"type": "Feature", "geometry": geometry, "properties": properties})

    return _json_sequence('{"type":"FeatureCollection","features":[', features(), "]}")


def geojson_response(
    header: Sequence[str], rows: Iterable[Sequence], *, filename: str, longitude: str, latitude: str
) -> HttpResponse:
    content = geojson_features(header, rows, longitude=longitude, latitude=latitude)
    return _stream(content, content_type=GEOJSON_CONTENT_TYPE, filename=filename)


# --- XLSX --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sheet:
    """One sheet of an XLSX file: its title (cut to Excel's 31 characters) and rows, read once, in order (a sheet
    is written whole before the next one's rows are asked for)."""

    title: str
    rows: Iterable[Sequence]
    bold_first_row: bool = False  # the first row is a header


def write_xlsx_sheets(sheets: Iterable[Sheet], *, file) -> None:
    """Write the sheets to the binary file object `file` (openpyxl's write-only mode: rows are not kept)."""
    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    try:
        for spec in sheets:
            sheet = workbook.create_sheet(title=spec.title[:31])
            rows = iter(spec.rows)
            if spec.bold_first_row:
                sheet.append([_xlsx_cell(sheet, _xlsx_text(value), font=bold) for value in next(rows, ())])
            for row in rows:
                sheet.append([_xlsx_value(sheet, value) for value in row])
    except BaseException:
        # Rows failed (the database went away): finish the sheets' own temporary files now, not when collected.
        for sheet in workbook.worksheets:
            with contextlib.suppress(Exception):
                sheet.close()
        raise
    workbook.save(file)


def write_xlsx(header: Sequence[str], rows: Iterable[Sequence], *, file, sheet_title: str) -> None:
    """Write one sheet (bold header row, then the rows) to the binary file object `file`."""
    write_xlsx_sheets([Sheet(sheet_title, itertools.chain([header], rows), bold_first_row=True)], file=file)


def xlsx_file(sheets: Iterable[Sheet]):
    """The sheets written to a temporary file (not memory), rewound; it disappears when closed."""
    file = tempfile.TemporaryFile()  # noqa: SIM115 - returned open, closed by the caller (FileResponse)
    try:
        write_xlsx_sheets(sheets, file=file)
        file.seek(0)
    except BaseException:
        file.close()
        raise
    return file


def xlsx_sheets_response(sheets: Iterable[Sheet], *, filename: str) -> HttpResponse:
    """An XLSX file cannot be streamed (a zip archive): it is written whole, so a database failure is a 503."""
    try:
        file = xlsx_file(sheets)
    except DATABASE_UNAVAILABLE:
        logger.exception("Download %s not made: the database is unavailable", filename)
        return database_unavailable_response()
    return FileResponse(file, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE)


def xlsx_response(header: Sequence[str], rows: Iterable[Sequence], *, filename: str, sheet_title: str) -> HttpResponse:
    sheet = Sheet(sheet_title, itertools.chain([header], rows), bold_first_row=True)
    return xlsx_sheets_response([sheet], filename=filename)

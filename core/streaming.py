"""Streaming downloads of tabular data (a header and an iterator of row tuples) as CSV, JSON, GeoJSON and XLSX.

Memory stays bounded whatever the number of rows: CSV, JSON and GeoJSON are produced row by row while the
response is sent; XLSX (a zip archive, which cannot be written as a stream) is built by openpyxl's write-only
mode in a temporary file and then sent from it. The rows come from an iterator over the database, never a list.

On PostgreSQL a CSV file can instead be written by the database itself (`copy_csv_lines`): COPY ... TO STDOUT
formats the rows, and Python only relays them, which is an order of magnitude faster than a csv.writer per row.
The output is byte for byte the one of `csv_lines` when the SELECT gives the values as `csv_lines` writes them.
"""

import csv
import datetime
import io
import json
import re
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import nullcontext
from decimal import Decimal

from django.db import connections, transaction
from django.db.backends.utils import CursorDebugWrapper
from django.http import FileResponse, StreamingHttpResponse
from django.utils.http import content_disposition_header
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

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
# Control characters XML 1.0 (and so XLSX) cannot hold.
_XLSX_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _pieces(rows: Iterable, size: int = ROWS_PER_PIECE) -> Iterator[list]:
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


# --- CSV ---------------------------------------------------------------------------------------------------


def csv_lines(header: Sequence[str], rows: Iterable[Sequence], *, delimiter: str = ",") -> Iterator[bytes]:
    """RFC 4180 CSV in UTF-8 with a byte-order mark; booleans as true/false, missing values empty, dates ISO 8601.

    `delimiter=";"` for files meant for a spreadsheet in a Polish locale (Excel splits on the list separator)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    buffer.write(UTF8_BOM)
    writer.writerow(header)
    for piece in _pieces(rows):
        writer.writerows(
            [("true" if value else "false") if value.__class__ is bool else value for value in row] for row in piece
        )
        yield buffer.getvalue().encode("utf-8")
        buffer.seek(0)
        buffer.truncate()
    if buffer.tell():  # only the header: no rows at all
        yield buffer.getvalue().encode("utf-8")


def csv_response(
    header: Sequence[str], rows: Iterable[Sequence], *, filename: str, delimiter: str = ","
) -> StreamingHttpResponse:
    content = csv_lines(header, rows, delimiter=delimiter)
    return _attachment(StreamingHttpResponse(content, content_type=CSV_CONTENT_TYPE), filename)


def copy_csv_lines(
    header: Sequence[str], sql: str, params: Sequence = (), *, using: str = "default"
) -> Iterator[bytes]:
    """The CSV of `csv_lines`, with the rows of the SELECT `sql` formatted by PostgreSQL (COPY ... TO STDOUT).

    Every column of the SELECT must already be the text `csv_lines` writes (true/false, ISO dates, NULL for an
    empty string: COPY quotes an empty string, csv.writer does not). COPY ends rows with a line feed, csv.writer
    with CR LF: the server sends each row as one message, so the line end is replaced row by row, never inside
    a quoted value. Nothing is read until the first piece is asked for.
    """
    buffer = io.StringIO()
    buffer.write(UTF8_BOM)
    csv.writer(buffer).writerow(header)
    yield buffer.getvalue().encode("utf-8")
    statement = f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)"
    # One transaction, for SET LOCAL: JIT compilation of the many expressions of such a SELECT costs seconds
    # (the planner expects a long query and compiles it) and saves nothing on a plain scan; parallel workers
    # would each build the same hash tables of the joins, on a server whose cores serve other requests too;
    # the sort of whole rows should stay in memory.
    with transaction.atomic(using=using), connections[using].cursor() as cursor:
        cursor.execute(
            "SET LOCAL jit = off; SET LOCAL max_parallel_workers_per_gather = 0; SET LOCAL work_mem = '64MB'"
        )
        # Counted and logged like any other query (the debug cursor is what the query-count tests read).
        logged = cursor.debug_sql(statement, params) if isinstance(cursor, CursorDebugWrapper) else nullcontext()
        with logged, cursor.cursor.copy(statement, params or None) as copy:
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


def copy_csv_response(header: Sequence[str], sql: str, params: Sequence, *, filename: str) -> StreamingHttpResponse:
    content = copy_csv_lines(header, sql, params)
    return _attachment(StreamingHttpResponse(content, content_type=CSV_CONTENT_TYPE), filename)


# --- JSON and GeoJSON -------------------------------------------------------------------------------------


def _json_default(value):
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
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
    """A JSON array with one object per row, keyed by the header."""
    return _json_sequence("[", (_dumps(dict(zip(header, row, strict=True))) for row in rows), "]")


def json_response(header: Sequence[str], rows: Iterable[Sequence], *, filename: str) -> StreamingHttpResponse:
    return _attachment(StreamingHttpResponse(json_records(header, rows), content_type=JSON_CONTENT_TYPE), filename)


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
) -> StreamingHttpResponse:
    content = geojson_features(header, rows, longitude=longitude, latitude=latitude)
    return _attachment(StreamingHttpResponse(content, content_type=GEOJSON_CONTENT_TYPE), filename)


# --- XLSX --------------------------------------------------------------------------------------------------


def _xlsx_value(sheet, value):
    if value.__class__ is not str:
        return value
    value = _XLSX_ILLEGAL.sub("", value)[:XLSX_MAX_CELL_LENGTH]
    if value.startswith("="):
        # openpyxl would store it as a formula; data must stay data (no formula injection).
        cell = WriteOnlyCell(sheet, value)
        cell.data_type = "s"
        return cell
    return value


def write_xlsx(header: Sequence[str], rows: Iterable[Sequence], *, file, sheet_title: str) -> None:
    """Write one sheet (bold header row, then the rows) to the binary file object `file`."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title[:31])
    bold = Font(bold=True)
    header_cells = []
    for name in header:
        cell = WriteOnlyCell(sheet, name)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows:
        sheet.append([_xlsx_value(sheet, value) for value in row])
    workbook.save(file)


def xlsx_response(header: Sequence[str], rows: Iterable[Sequence], *, filename: str, sheet_title: str) -> FileResponse:
    # A temporary file, not memory: it disappears when the response closes it.
    file = tempfile.TemporaryFile()  # noqa: SIM115 - closed by FileResponse
    try:
        write_xlsx(header, rows, file=file, sheet_title=sheet_title)
        file.seek(0)
    except BaseException:
        file.close()
        raise
    return FileResponse(file, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE)

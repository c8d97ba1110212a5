"""Streaming writers: what each format makes of the value types, and that rows are consumed lazily."""

import csv
import datetime
import io
import json
from decimal import Decimal

import openpyxl
import pytest

from core import streaming

HEADER = ["name", "active", "count", "day", "lat", "lon"]
ROWS = [
    ("Spółdzielnia „Łąka”, Kraków", True, 3, datetime.date(2024, 1, 31), Decimal("50.061400"), Decimal("19.936600")),
    ('Cytat "w środku"\nnowy wiersz', False, None, None, None, None),
]


def joined(pieces) -> bytes:
    return b"".join(pieces)


def test_csv_has_a_bom_a_header_and_rfc4180_quoting():
    content = joined(streaming.csv_lines(HEADER, iter(ROWS))).decode("utf-8")
    assert content.startswith("\ufeffname,active,")
    rows = list(csv.reader(io.StringIO(content[1:])))
    assert rows[0] == HEADER
    assert rows[1] == ["Spółdzielnia „Łąka”, Kraków", "true", "3", "2024-01-31", "50.061400", "19.936600"]
    assert rows[2] == ['Cytat "w środku"\nnowy wiersz', "false", "", "", "", ""]


# Texts a spreadsheet program would run as formulas, and texts it would not (a trigger inside the text, a
# full-width sign, an apostrophe already there, an empty text).
TEXTS = ["=1+1", "+1", "-1", "@A1", "\t=1", "\r=1", "a=1", "\uff1d1", "'=1", "", "Ala\x07ma\n=kot"]
WRITTEN = ["'=1+1", "'+1", "'-1", "'@A1", "'\t=1", "'\r=1", "a=1", "\uff1d1", "'=1", "", "Ala\x07ma\n=kot"]


def test_csv_puts_an_apostrophe_before_formula_triggers_of_texts_but_not_of_numbers():
    header = ["=tekst", "liczba", "dziesiętna", "zmiennoprzecinkowa"]
    rows = [(text, -5, Decimal("-2.50"), -1.5) for text in TEXTS]
    content = joined(streaming.csv_lines(header, iter(rows))).decode("utf-8")
    parsed = list(csv.reader(io.StringIO(content[1:], newline="")))
    assert parsed[0] == ["'=tekst", "liczba", "dziesiętna", "zmiennoprzecinkowa"]
    assert [row[0] for row in parsed[1:]] == WRITTEN
    assert {tuple(row[1:]) for row in parsed[1:]} == {("-5", "-2.50", "-1.5")}  # numbers are not text


@pytest.mark.django_db
def test_sql_csv_value_writes_what_csv_lines_writes(postgresql_only):
    header = ["text", "number", "flag", "day"]
    rows = [
        (text, Decimal(f"-{index}.50"), index % 2 == 0, datetime.date(2024, 1, index + 1))
        for index, text in enumerate(TEXTS)
    ]
    rows.append((None, None, None, None))
    kinds = [streaming.SQL_TEXT, streaming.SQL_NUMBER, streaming.SQL_BOOLEAN, streaming.SQL_DATE]
    columns = ", ".join(streaming.sql_csv_value(f'"v"."c{index}"', kind) for index, kind in enumerate(kinds))
    values = ", ".join(["(%s::text, %s::numeric, %s::boolean, %s::date, %s::int)"] * len(rows))
    sql = f'SELECT {columns} FROM (VALUES {values}) AS "v" ("c0", "c1", "c2", "c3", "c4") ORDER BY "v"."c4"'
    params = [value for index, row in enumerate(rows) for value in (*row, index)]
    copied = joined(streaming.copy_csv_lines(header, sql, params))
    assert copied == joined(streaming.csv_lines(header, iter(rows)))
    assert "'=1+1" in copied.decode("utf-8")


def test_csv_without_rows_is_just_the_header():
    assert joined(streaming.csv_lines(HEADER, iter([]))).decode("utf-8") == "\ufeff" + ",".join(HEADER) + "\r\n"


def test_csv_is_produced_in_pieces_as_rows_arrive():
    consumed = []

    def rows():
        for number in range(streaming.ROWS_PER_PIECE * 2 + 1):
            consumed.append(number)
            yield (f"row {number}", True, number, None, None, None)

    pieces = streaming.csv_lines(HEADER, rows())
    next(pieces)
    assert len(consumed) == streaming.ROWS_PER_PIECE  # the rest is not read yet
    assert len(list(pieces)) == 2


def test_json_is_an_array_of_objects_with_native_types():
    records = json.loads(joined(streaming.json_records(HEADER, iter(ROWS))))
    assert records == [
        {
            "name": "Spółdzielnia „Łąka”, Kraków",
            "active": True,
            "count": 3,
            "day": "2024-01-31",
            "lat": 50.0614,
            "lon": 19.9366,
        },
        {"name": 'Cytat "w środku"\nnowy wiersz', "active": False, **dict.fromkeys(["count", "day", "lat", "lon"])},
    ]
    assert json.loads(joined(streaming.json_records(HEADER, iter([])))) == []


def test_json_array_stays_valid_across_pieces():
    rows = [(str(n), True, n, None, None, None) for n in range(streaming.ROWS_PER_PIECE * 2 + 3)]
    records = json.loads(joined(streaming.json_records(HEADER, iter(rows))))
    assert [record["count"] for record in records] == list(range(len(rows)))


def test_json_refuses_values_it_cannot_represent():
    with pytest.raises(TypeError):
        joined(streaming.json_records(["x"], iter([(object(),)])))


def test_geojson_points_are_longitude_then_latitude():
    collection = json.loads(joined(streaming.geojson_features(HEADER, iter(ROWS), longitude="lon", latitude="lat")))
    assert collection["type"] == "FeatureCollection"
    first, second = collection["features"]
    assert first == {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [19.9366, 50.0614]},
        "properties": {"name": "Spółdzielnia „Łąka”, Kraków", "active": True, "count": 3, "day": "2024-01-31"},
    }
    assert second["geometry"] is None


def test_xlsx_keeps_types_and_never_writes_formulas():
    rows = [
        *ROWS,
        ("=1+1", True, 1, None, None, None),
        ("a\x00b\x1fc\ufffe" + "x" * 40_000, False, 2, None, None, None),
        ("#N/A", False, -3, None, None, None),
        ("linia\r\ndruga\rtrzecia", False, 4, None, None, None),
    ]
    file = io.BytesIO()
    streaming.write_xlsx(HEADER, iter(rows), file=file, sheet_title="Arkusz z bardzo długim tytułem ponad limit")
    file.seek(0)
    workbook = openpyxl.load_workbook(file)
    sheet = workbook.active
    assert sheet.title == "Arkusz z bardzo długim tytułem p"[:31]
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0] == HEADER
    assert sheet["A1"].font.bold
    assert values[1][:4] == ["Spółdzielnia „Łąka”, Kraków", True, 3, datetime.datetime(2024, 1, 31)]
    assert values[1][4] == pytest.approx(50.0614)
    assert values[3][0] == "=1+1"
    assert sheet["A4"].data_type == "s"
    assert values[4][0].startswith("abcx")
    assert len(values[4][0]) == streaming.XLSX_MAX_CELL_LENGTH
    assert (values[5][0], sheet["A6"].data_type, values[5][2]) == ("#N/A", "s", -3)  # text, not an error value
    assert values[6][0] == "linia\ndruga\ntrzecia"


@pytest.mark.django_db  # closing a response signals the end of a request, which touches the connection
def test_responses_are_attachments_with_the_right_types():
    csv_response = streaming.csv_response(HEADER, iter(ROWS), filename="dane-2026-01-01.csv")
    assert csv_response.streaming
    assert csv_response["Content-Type"] == "text/csv; charset=utf-8"
    assert csv_response["Content-Disposition"] == 'attachment; filename="dane-2026-01-01.csv"'
    geo = streaming.geojson_response(HEADER, iter(ROWS), filename="d.geojson", longitude="lon", latitude="lat")
    assert geo["Content-Type"] == "application/geo+json"
    xlsx = streaming.xlsx_response(HEADER, iter(ROWS), filename="dane.xlsx", sheet_title="Dane")
    assert xlsx.streaming
    assert xlsx["Content-Type"] == streaming.XLSX_CONTENT_TYPE
    assert xlsx["Content-Disposition"] == 'attachment; filename="dane.xlsx"'
    assert openpyxl.load_workbook(io.BytesIO(b"".join(xlsx.streaming_content))).active.max_row == 3
    xlsx.close()

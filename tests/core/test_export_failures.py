"""A download whose database cannot answer is a 503 before its first byte; one that fails later is raised on, so
the server cuts the connection (no final chunk) instead of ending a short file as if it were whole."""

import pytest
from django.db import DataError, OperationalError, connection

from cooperatives import exports
from cooperatives.models import Cooperative
from core import streaming
from tests.cooperatives.factories import CooperativeFactory, OfferFactory

pytestmark = pytest.mark.django_db

DOWNLOADS = [
    "/open-data/cooperatives.csv",
    "/open-data/cooperatives.xlsx",
    "/open-data/cooperatives.json",
    "/open-data/cooperatives.geojson",
    "/open-data/offers.csv",
    "/open-data/offers.xlsx",
    "/open-data/offers.json",
]


@pytest.fixture
def registry():
    for _index in range(3):
        OfferFactory(cooperative=CooperativeFactory())


def database_down(execute, sql, params, many, context):
    raise OperationalError('connection to server at "127.0.0.1", port 5432 failed: Connection refused')


@pytest.mark.parametrize("url", DOWNLOADS)
def test_a_download_while_the_database_is_down_is_a_503_before_any_byte(client, registry, url, caplog):
    with connection.execute_wrapper(database_down):
        response = client.get(url)
    assert response.status_code == 503
    assert not response.has_header("Content-Disposition")  # a page saying why, not a file
    assert response["Retry-After"] == "60"
    assert "Nie udało się przygotować pliku, bo baza danych portalu nie odpowiada." in response.content.decode()
    assert "the database is unavailable" in caplog.text


@pytest.mark.parametrize(
    "url", ["/open-data/cooperatives.json", "/open-data/cooperatives.geojson", "/open-data/offers.json"]
)
def test_a_download_that_fails_after_its_first_byte_raises_instead_of_ending(
    client, registry, url, monkeypatch, caplog
):
    monkeypatch.setattr(streaming, "ROWS_PER_PIECE", 1)
    monkeypatch.setattr(exports, "BATCH_SIZE", 1)
    down = False

    def goes_down(execute, sql, params, many, context):
        if down:
            raise OperationalError("server closed the connection unexpectedly")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(goes_down):
        response = client.get(url)
        assert response.status_code == 200
        down = True  # after the first rows were read (before the response started): the next batch fails
        pieces = iter(response.streaming_content)
        assert next(pieces).lstrip().startswith((b"[", b'{"type":"FeatureCollection"'))  # the first record
        with pytest.raises(OperationalError):
            for _piece in pieces:
                pass
    assert "failed after its first byte; the connection is cut" in caplog.text


def test_a_csv_written_by_the_database_that_fails_midway_raises_instead_of_ending(postgresql_only, caplog):
    # Division by zero at the third row: the header has gone out, the rows fail.
    response = streaming.copy_csv_response(
        ["n"], "SELECT (1 / (n - 3))::text FROM generate_series(1, 5) AS n", (), filename="x.csv"
    )
    assert response.status_code == 200
    pieces = iter(response.streaming_content)
    assert next(pieces) == "\ufeffn\r\n".encode()
    with pytest.raises(DataError):
        next(pieces)
    assert "failed after its first byte; the connection is cut" in caplog.text
    assert Cooperative.objects.count() == 0  # the connection is usable again


def test_the_503_page_stands_alone():
    response = streaming.database_unavailable_response()
    html = response.content.decode()
    assert response.status_code == 503
    assert html.startswith("<!doctype html>") and '<html lang="pl">' in html
    assert "Plik chwilowo niedostępny" in html

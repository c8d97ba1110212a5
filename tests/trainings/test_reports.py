"""Reports against counts computed independently, in Python, from the rows the test creates."""

import csv
import datetime
import io
from collections import Counter

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from tests.cooperatives.factories import CooperativeFactory
from trainings import selectors
from trainings.models import Attendance, Enrolment, InstitutionType, Training

from .factories import (
    EnrolmentFactory,
    InstitutionFactory,
    ParticipantFactory,
    TrainingProgrammeFactory,
    completed_training_with_attendance,
)

pytestmark = pytest.mark.django_db

# (gmina, start date, attendance of each participant out of 4 sessions, institution types)
PLAN = [
    ("1061011", datetime.date(2013, 3, 4), [4, 4, 2], ["ops", "pup", "ops"]),  # Łódź
    ("1061011", datetime.date(2013, 3, 20), [4, 3], ["gmina_office", "ops"]),
    ("1465011", datetime.date(2014, 6, 2), [4, 0, 4, 4], ["pcpr", "ops", "ngo", "pup"]),  # Warszawa
    ("1261011", datetime.date(2014, 6, 9), [1], ["ops"]),  # Kraków
]


@pytest.fixture
def data():
    programme = TrainingProgrammeFactory(target_trainings=8, target_participants=20)
    for gmina, day, attended, types in PLAN:
        training, _sessions, enrolments = completed_training_with_attendance(
            sessions=4, attended=attended, gmina_id=gmina, starts_on=day, programme=programme
        )
        for enrolment, institution_type in zip(enrolments, types, strict=True):
            enrolment.participant.institution = InstitutionFactory(type=institution_type, gmina_id=gmina)
            enrolment.participant.save()
    # Noise that must not count: a planned training, a cancelled enrolment with full attendance.
    Training.objects.create(
        title="Planowane",
        topic="basics",
        starts_on=datetime.date(2014, 7, 1),
        ends_on=datetime.date(2014, 7, 1),
        gmina_id="1061011",
        capacity=5,
        programme=programme,
    )
    cancelled_training, _s, (cancelled,) = completed_training_with_attendance(
        sessions=1, attended=[1], gmina_id="1061011", starts_on=datetime.date(2013, 3, 4), programme=programme
    )
    Enrolment.objects.filter(pk=cancelled.pk).update(status="cancelled", cancelled_at="2013-03-01T00:00:00Z")
    return programme


def expected():
    """Counts straight from the rows, without the selectors' SQL."""
    trainings = [t for t in Training.objects.all() if t.status == Training.Status.COMPLETED]
    held = Counter()
    trained = Counter()
    for training in trainings:
        held[("voivodeship", training.gmina_id[:2])] += 1
        held[("powiat", training.gmina_id[:4])] += 1
        held[("month", training.starts_on.strftime("%Y-%m"))] += 1
        sessions = training.sessions.count()
        for enrolment in training.enrolments.all():
            if enrolment.status not in ("registered", "confirmed"):
                continue
            attended = enrolment.attendances.filter(status__in=["present", "late"]).count()
            if sessions and attended * 100 >= training.required_attendance_percent * sessions:
                trained[("voivodeship", training.gmina_id[:2])] += 1
                trained[("powiat", training.gmina_id[:4])] += 1
                trained[("month", training.starts_on.strftime("%Y-%m"))] += 1
                trained[("institution_type", enrolment.participant.institution.type)] += 1
                held[("institution_type_trainings", enrolment.participant.institution.type, training.pk)] = 1
    return held, trained


@pytest.mark.parametrize("dimension", ["voivodeship", "powiat", "month"])
def test_territorial_and_monthly_reports(data, dimension):
    held, trained = expected()
    rows = selectors.training_report(dimension=dimension)
    key = (lambda row: row["label"]) if dimension == "month" else (lambda row: row["key"])
    assert {key(row): row["trainings"] for row in rows} == {k[1]: v for k, v in held.items() if k[0] == dimension}
    assert {key(row): row["people"] for row in rows if row["people"]} == {
        k[1]: v for k, v in trained.items() if k[0] == dimension
    }


def test_institution_type_report(data):
    held, trained = expected()
    rows = {row["key"]: row for row in selectors.training_report(dimension="institution_type")}
    assert {k: row["people"] for k, row in rows.items()} == {
        k[1]: v for k, v in trained.items() if k[0] == "institution_type"
    }
    trainings_per_type = Counter(k[1] for k in held if k[0] == "institution_type_trainings")
    assert {k: row["trainings"] for k, row in rows.items()} == dict(trainings_per_type)
    assert rows["ops"]["label"] == InstitutionType.SOCIAL_ASSISTANCE.label


def test_programme_progress(data):
    held, trained = expected()
    progress = selectors.programme_progress(programme=data)
    total_held = sum(v for k, v in held.items() if k[0] == "voivodeship")
    total_trained = sum(v for k, v in trained.items() if k[0] == "voivodeship")
    assert (progress["trainings_held"], progress["people_trained"]) == (total_held, total_trained)
    assert progress["trainings_percent"] == round(total_held * 100 / 8)
    assert progress["people_percent"] == round(total_trained * 100 / 20)


def test_date_range_filter(data):
    rows = selectors.training_report(dimension="voivodeship", date_from=datetime.date(2014, 1, 1))
    assert {row["key"]: row["trainings"] for row in rows} == {"14": 1, "12": 1}


def test_trainings_next_to_cooperatives_by_powiat(data):
    CooperativeFactory.create_batch(3, gmina_id="1061011")
    CooperativeFactory(gmina_id="1465011", status="deleted")
    CooperativeFactory(gmina_id="0201011")  # a powiat without trainings
    rows = {row["key"]: row for row in selectors.trainings_and_cooperatives_by_powiat()}
    assert (rows["1061"]["trainings"], rows["1061"]["cooperatives"]) == (3, 3)
    assert (rows["1465"]["trainings"], rows["1465"]["cooperatives"]) == (1, 0)
    assert (rows["0201"]["trainings"], rows["0201"]["cooperatives"]) == (0, 1)


def test_reports_page_and_exports(client, staff_user, data):
    client.force_login(staff_user)
    response = client.get(reverse("trainings:reports"), {"dimension": "powiat"})
    assert response.status_code == 200
    assert response.context["rows"] == selectors.training_report(dimension="powiat")
    response = client.get(reverse("trainings:reports-export", args=["grupy", "csv"]), {"dimension": "voivodeship"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0] == ["województwa", "Szkolenia zrealizowane", "Osoby przeszkolone"]
    assert ["woj. łódzkie", "3", "3"] in rows  # 2 + 1 eligible; the cancelled enrolment does not count
    response = client.get(reverse("trainings:reports-export", args=["powiaty", "xlsx"]))
    values = list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.values)
    assert values[0][0] == "Kod TERYT" and ("1061", "Łódź", 3, 0) in values


def test_report_form_errors_are_polish(client, staff_user):
    client.force_login(staff_user)
    response = client.get(
        reverse("trainings:reports"), {"date_from": "2015-01-01", "date_to": "2014-01-01", "programme": "999"}
    )
    form = response.context["form"]
    assert form.errors["date_to"] == ["Data końcowa nie może być wcześniejsza niż początkowa."]
    assert form.errors["programme"] == ["Nie ma takiego programu."]
    response = client.get(reverse("trainings:reports-export", args=["grupy", "csv"]), {"dimension": "bogus"})
    assert response.status_code == 400


def test_anonymisation_keeps_every_report_count(data):
    before = {
        dimension: selectors.training_report(dimension=dimension)
        for dimension in ("voivodeship", "powiat", "month", "institution_type")
    }
    progress_before = selectors.programme_progress(programme=data)
    powiats_before = selectors.trainings_and_cooperatives_by_powiat()
    call_command("anonymise_participants", stdout=io.StringIO())  # all the trainings are from 2013-2014

    assert not Enrolment.objects.filter(participant__anonymised_at__isnull=True).exists()
    from trainings.models import Participant

    assert set(Participant.objects.values_list("first_name", "last_name", "email", "position")) == {("", "", "", "")}
    for dimension, rows in before.items():
        assert selectors.training_report(dimension=dimension) == rows
    assert selectors.programme_progress(programme=data) == progress_before
    assert selectors.trainings_and_cooperatives_by_powiat() == powiats_before
    assert Attendance.objects.count() > 0


def test_anonymise_command_period_is_configurable(data):
    recent = ParticipantFactory()
    EnrolmentFactory(participant=recent)  # a training in 2030
    out = io.StringIO()
    call_command("anonymise_participants", "--years", "50", stdout=out)
    assert "Anonymised participants: 0." in out.getvalue()
    call_command("anonymise_participants", stdout=out)
    recent.refresh_from_db()
    assert recent.anonymised_at is None and recent.email


def test_online_trainings_are_reported_without_a_place():
    training, _s, _e = completed_training_with_attendance(
        sessions=1, attended=[1], gmina_id=None, format=Training.Format.ONLINE
    )
    rows = selectors.training_report(dimension="voivodeship")
    assert rows == [{"key": None, "label": "bez miejsca (szkolenia online)", "trainings": 1, "people": 1}]

import datetime
import io

import pytest
from django.core.management import call_command

from trainings.models import Attendance, Enrolment, Training

from .factories import EnrolmentFactory, TrainingFactory, TrainingSessionFactory, completed_training_with_attendance

pytestmark = pytest.mark.django_db

LIST = "/api/v1/trainings/"


class TestPublicTrainings:
    def test_list_and_detail_carry_no_personal_data(self, client):
        training = TrainingFactory(target_institution_types=["ops", "pup"], trainers="Jan Trener")
        TrainingSessionFactory(training=training)
        enrolment = EnrolmentFactory(training=training)
        response = client.get(LIST)
        assert response.status_code == 200
        item = response.json()["results"][0]
        assert item["title"] == training.title
        assert item["voivodeship"] == "10" and item["gmina"] == "1061011"
        assert item["target_institution_types"] == ["ops", "pup"]
        assert len(item["sessions"]) == 1
        assert enrolment.participant.email not in response.content.decode()
        detail = client.get(f"{LIST}{training.pk}/").json()
        assert detail["id"] == training.pk and detail["page_url"].endswith(training.get_absolute_url())

    def test_filters_and_polish_errors(self, client):
        warsaw = TrainingFactory(gmina_id="1465011", format=Training.Format.HYBRID)
        TrainingFactory(starts_on=datetime.date(2031, 1, 1))
        assert [t["id"] for t in client.get(LIST, {"voivodeship": "14"}).json()["results"]] == [warsaw.pk]
        assert [t["id"] for t in client.get(LIST, {"mode": "hybrid"}).json()["results"]] == [warsaw.pk]
        response = client.get(LIST, {"voivodeship": "77", "date_from": "wczoraj"})
        assert response.status_code == 400
        body = response.json()
        assert body["voivodeship"] == ["Nieznany kod TERYT: 77."]
        assert body["date_from"] == ["Wpisz poprawną datę."]

    def test_query_count_does_not_grow_with_page_size(self, client, django_assert_num_queries):
        for training in TrainingFactory.create_batch(2):
            TrainingSessionFactory(training=training)
        with django_assert_num_queries(3):  # count, page, sessions
            client.get(LIST)
        for training in TrainingFactory.create_batch(18):
            TrainingSessionFactory.create_batch(2, training=training)
        with django_assert_num_queries(3):
            response = client.get(LIST)
        assert len(response.json()["results"]) == 20


class TestEnrolmentsAndAttendance:
    def test_enrolments_for_the_organiser(self, client, organiser, django_assert_num_queries):
        training, sessions, enrolments = completed_training_with_attendance(
            sessions=5, attended=[5, 2], organisers=[organiser]
        )
        client.force_login(organiser)
        url = f"{LIST}{training.pk}/enrolments/"
        response = client.get(url)
        rows = {row["id"]: row for row in response.json()["results"]}
        first = rows[enrolments[0].pk]
        assert first["email"] == enrolments[0].participant.email
        assert (first["attended_sessions"], first["sessions"], first["is_eligible_for_certificate"]) == (5, 5, True)
        assert rows[enrolments[1].pk]["is_eligible_for_certificate"] is False
        # session, user, groups, training, organiser check, count, page
        with django_assert_num_queries(7):
            client.get(url)
        EnrolmentFactory.create_batch(10, training=training)
        with django_assert_num_queries(7):
            assert client.get(url).json()["count"] == 12

    def test_attendance_read_and_bulk_write(self, client, organiser):
        training = TrainingFactory(organisers=[organiser])
        session = TrainingSessionFactory(training=training)
        first, second = EnrolmentFactory.create_batch(2, training=training)
        client.force_login(organiser)
        url = f"{LIST}{training.pk}/attendance/"
        body = {
            "session": session.pk,
            "marks": [{"enrolment": first.pk, "status": "present"}, {"enrolment": second.pk, "status": "late"}],
        }
        response = client.post(url, body, content_type="application/json")
        assert response.status_code == 200 and response.json() == {"written": 2}
        assert dict(Attendance.objects.values_list("enrolment_id", "status")) == {
            first.pk: "present",
            second.pk: "late",
        }
        listed = client.get(url).json()["results"]
        assert {(row["enrolment"], row["status"]) for row in listed} == {(first.pk, "present"), (second.pk, "late")}

    def test_attendance_errors_per_field(self, client, organiser):
        training = TrainingFactory(organisers=[organiser])
        session = TrainingSessionFactory(training=training)
        foreign_session = TrainingSessionFactory()
        waitlisted = EnrolmentFactory(training=training, status=Enrolment.Status.WAITLISTED)
        client.force_login(organiser)
        url = f"{LIST}{training.pk}/attendance/"

        def post(body):
            return client.post(url, body, content_type="application/json")

        response = post({"session": session.pk, "marks": [{"enrolment": waitlisted.pk, "status": "nap"}]})
        assert response.status_code == 400 and "marks" in response.json()
        response = post({"session": foreign_session.pk, "marks": [{"enrolment": waitlisted.pk, "status": "late"}]})
        assert response.json() == {"session": ["Ta sesja nie należy do tego szkolenia."]}
        response = post({"session": session.pk, "marks": [{"enrolment": waitlisted.pk, "status": "late"}]})
        assert response.status_code == 400 and "nie należą do uczestników" in response.json()["marks"][0]
        response = post({"marks": []})
        assert set(response.json()) == {"session", "marks"}
        assert not Attendance.objects.exists()


def test_schema_generates_without_warnings():
    out = io.StringIO()
    call_command("spectacular", "--validate", "--fail-on-warn", stdout=out)
    schema = out.getvalue()
    assert "/api/v1/trainings/{id}/enrolments/" in schema and "/api/v1/trainings/{id}/attendance/" in schema


def test_attendance_post_with_expected_refuses_a_row_changed_meanwhile(client, organiser):
    training = TrainingFactory(organisers=[organiser])
    session = TrainingSessionFactory(training=training)
    enrolment = EnrolmentFactory(training=training)
    Attendance.objects.create(enrolment=enrolment, session=session, status="present")
    client.force_login(organiser)
    body = {"session": session.pk, "marks": [{"enrolment": enrolment.pk, "status": "absent", "expected": ""}]}
    response = client.post(f"{LIST}{training.pk}/attendance/", body, content_type="application/json")
    assert response.status_code == 400
    assert "W międzyczasie ktoś inny zmienił obecność" in response.json()["marks"][0]
    body["marks"][0]["expected"] = "present"
    response = client.post(f"{LIST}{training.pk}/attendance/", body, content_type="application/json")
    assert response.json() == {"written": 1}

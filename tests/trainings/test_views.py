import datetime
import re

import pytest
from django.core import mail
from django.urls import reverse

from trainings import services
from trainings.models import Enrolment, Participant, Training

from .factories import EnrolmentFactory, TrainingFactory, TrainingSessionFactory

pytestmark = pytest.mark.django_db

INDEX = reverse("trainings:index")


def valid_form(n: int = 1, **overrides) -> dict:
    data = {
        "first_name": "Anna",
        "last_name": "Nowak",
        "email": f"anna{n}@example.org",
        "position": "pracownik socjalny",
        "institution_name": "Miejski Ośrodek Pomocy Rodzinie",
        "institution_type": "ops",
        "institution_gmina": "1061011",
        "consent": "on",
    }
    data.update(overrides)
    return data


class TestCalendar:
    def test_lists_and_filters(self, client):
        mazowieckie = TrainingFactory(title="Warszawa", gmina_id="1465011", topic="procurement")
        lodzkie = TrainingFactory(title="Łódź", format=Training.Format.HYBRID)
        online = TrainingFactory(
            title="Online", gmina_id=None, format=Training.Format.ONLINE, starts_on=datetime.date(2031, 1, 5)
        )
        response = client.get(INDEX)
        assert response.status_code == 200
        assert {t.pk for t in response.context["page_obj"]} == {mazowieckie.pk, lodzkie.pk, online.pk}

        def listed(**params):
            return {t.pk for t in client.get(INDEX, params).context["page_obj"]}

        assert listed(voivodeship="14") == {mazowieckie.pk}
        assert listed(mode="hybrid") == {lodzkie.pk}
        assert listed(topic="procurement") == {mazowieckie.pk}
        assert listed(date_from="2031-01-01") == {online.pk}
        assert listed(date_to="2030-12-31") == {mazowieckie.pk, lodzkie.pk}

    def test_upcoming_and_past(self, client):
        past = TrainingFactory(starts_on=datetime.date(2013, 4, 4), status=Training.Status.COMPLETED)
        soon = TrainingFactory(starts_on=datetime.date(2030, 1, 1))
        later = TrainingFactory(starts_on=datetime.date(2031, 1, 1))
        upcoming = [t.pk for t in client.get(INDEX, {"when": "upcoming"}).context["page_obj"]]
        assert upcoming == [soon.pk, later.pk]
        assert [t.pk for t in client.get(INDEX, {"when": "past"}).context["page_obj"]] == [past.pk]

    def test_invalid_filters_give_polish_errors(self, client):
        response = client.get(INDEX, {"voivodeship": "99", "date_from": "jutro", "mode": "x"})
        assert response.status_code == 200
        content = response.content.decode()
        assert "Nieznany kod TERYT: 99." in content
        assert "Wpisz poprawną datę." in content
        assert "Wybierz poprawną wartość." in content
        assert not response.context["page_obj"].object_list

    def test_query_count_does_not_grow_with_page_size(self, client, django_assert_num_queries):
        TrainingFactory.create_batch(3)
        client.get(INDEX)  # warms the cached demo-data flag
        with django_assert_num_queries(3) as small:  # count, page, voivodeship options
            client.get(INDEX)
        TrainingFactory.create_batch(17)
        with django_assert_num_queries(len(small.captured_queries)):
            response = client.get(INDEX)
        assert len(response.context["page_obj"]) == 20

    def test_pagination(self, client):
        TrainingFactory.create_batch(21)
        response = client.get(INDEX, {"page": 2})
        assert len(response.context["page_obj"]) == 1
        assert client.get(INDEX, {"page": "abc"}).status_code == 200


class TestRegistration:
    def test_detail_states_how_personal_data_is_used(self, client):
        training = TrainingFactory()
        content = client.get(training.get_absolute_url()).content.decode()
        assert "Jak wykorzystamy Twoje dane osobowe" in content
        assert "RODO" in content and "anonimizujemy" in content
        assert 'name="consent"' in content

    def test_register_confirm_by_email_cancel_link_and_promotion(self, client, django_capture_on_commit_callbacks):
        training = TrainingFactory(capacity=1)
        TrainingSessionFactory(training=training)
        url = training.get_absolute_url()
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url, valid_form(1))
        assert response.status_code == 302
        first = Enrolment.objects.get()
        assert first.status == Enrolment.Status.PENDING  # no seat until the address is confirmed
        assert "dopiero po potwierdzeniu" in client.get(url).content.decode()

        confirm = re.search(r"http://testserver(/szkolenia/potwierdzenie/\S+/)", mail.outbox[0].body).group(1)
        page = client.get(confirm)
        assert page.status_code == 200 and "Potwierdzam zgłoszenie" in page.content.decode()
        first.refresh_from_db()
        assert first.status == Enrolment.Status.PENDING  # GET (a mail scanner) never confirms
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(confirm)
        assert "miejsce jest Twoje" in response.content.decode()
        with django_capture_on_commit_callbacks(execute=True):
            client.post(url, valid_form(2))
            second = Enrolment.objects.get(participant__email="anna2@example.org")
            client.post(reverse("trainings:confirm-email", args=[services.enrolment_confirm_signature(second)]))
        first.refresh_from_db()
        second.refresh_from_db()
        assert (first.status, second.status) == (Enrolment.Status.REGISTERED, Enrolment.Status.WAITLISTED)
        assert Participant.objects.get(email="anna1@example.org").institution.gmina_id == "1061011"

        link = re.search(r"http://testserver(/szkolenia/rezygnacja/\S+/)", mail.outbox[1].body).group(1)
        page = client.get(link)
        assert page.status_code == 200 and "Rezygnuję z udziału" in page.content.decode()
        first.refresh_from_db()
        assert first.status == Enrolment.Status.REGISTERED  # GET never cancels
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(link)
        assert "Zgłoszenie zostało anulowane" in response.content.decode()
        first.refresh_from_db()
        second.refresh_from_db()
        assert first.status == Enrolment.Status.CANCELLED
        assert second.status == Enrolment.Status.REGISTERED
        assert [m.to for m in mail.outbox] == [["anna2@example.org"]]

    def test_forged_cancel_link(self, client):
        enrolment = EnrolmentFactory()
        response = client.get(reverse("trainings:cancel", kwargs={"signature": f"{enrolment.cancel_token}:bad"}))
        assert response.status_code == 404
        assert "Nieprawidłowy link" in response.content.decode()

    def test_invalid_input_gives_polish_errors_next_to_fields(self, client):
        training = TrainingFactory()
        response = client.post(
            training.get_absolute_url(),
            {"first_name": "", "email": "nie-email", "institution_type": "kosmos", "institution_gmina": "1465"},
        )
        assert response.status_code == 200
        form = response.context["form"]
        assert form.errors["first_name"] == ["To pole jest wymagane."]
        assert form.errors["email"] == ["Podaj poprawny adres e-mail."]
        assert "Wybierz poprawną wartość" in form.errors["institution_type"][0]
        assert "Wybierz poprawną wartość" in form.errors["institution_gmina"][0]  # a powiat code is not a gmina
        assert form.errors["consent"] == ["Zgłoszenie wymaga zapoznania się z informacją o danych osobowych."]
        content = response.content.decode()
        assert "Popraw błędy w formularzu" in content and 'id="id_email-errors"' in content
        assert not Enrolment.objects.exists()

    def test_duplicate_registration_error_on_the_email_field(self, client):
        training = TrainingFactory()
        client.post(training.get_absolute_url(), valid_form(1))
        response = client.post(training.get_absolute_url(), valid_form(1))
        assert response.status_code == 200
        assert "wysłaliśmy już link" in response.context["form"].errors["email"][0]  # still awaiting confirmation
        services.enrolment_confirm_email(enrolment_id=Enrolment.objects.get().pk)
        response = client.post(training.get_absolute_url(), valid_form(1))
        assert "już zapisana" in response.context["form"].errors["email"][0]

    def test_closed_training_has_no_form_and_refuses_posts(self, client):
        training = TrainingFactory(status=Training.Status.CLOSED)
        response = client.get(training.get_absolute_url())
        assert response.context["form"] is None
        response = client.post(training.get_absolute_url(), valid_form(1), follow=True)
        assert "nie jest otwarta" in response.content.decode()
        assert not Enrolment.objects.exists()

    def test_unknown_training(self, client):
        assert client.get(reverse("trainings:detail", kwargs={"pk": 999999})).status_code == 404


class TestLibraryMaterials:
    def test_detail_lists_published_materials_only(self, client):
        from tests.publications.factories import PublicationFactory

        training = TrainingFactory()
        handbook = PublicationFactory(title="Społecznie odpowiedzialne zamówienia", status="published")
        draft = PublicationFactory(title="Szkic niepublikowany", status="draft")
        training.materials.add(handbook, draft)
        content = client.get(training.get_absolute_url()).content.decode()
        assert "Materiały z biblioteki" in content
        assert f'href="{handbook.get_absolute_url()}"' in content
        assert "Szkic niepublikowany" not in content

    def test_no_materials_section_without_published_materials(self, client):
        training = TrainingFactory()
        assert "Materiały z biblioteki" not in client.get(training.get_absolute_url()).content.decode()

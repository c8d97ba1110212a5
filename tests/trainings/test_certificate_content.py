"""Issue 13: what a certificate says (issuer, hours, programme, the participant's grammatical form, a short
verification number) and how that number is checked; Polish plural forms in the trainings texts."""

import pytest
from django.urls import reverse
from django.utils import translation
from reportlab.pdfgen import canvas

from trainings import certificates, services
from trainings.models import (
    SHORT_CODE_ALPHABET,
    Certificate,
    GrammaticalForm,
    normalise_short_code,
)

from .factories import CertificateFactory, TrainingProgrammeFactory, completed_training_with_attendance

pytestmark = pytest.mark.django_db

LOOKUP = reverse("trainings:certificate-lookup")


@pytest.fixture
def drawn_text(monkeypatch):
    """Every string drawn on a certificate page, in order."""
    lines = []
    for name in ("drawString", "drawCentredString"):
        original = getattr(canvas.Canvas, name)

        def record(self, x, y, text, *args, _original=original, **kwargs):
            lines.append(text)
            return _original(self, x, y, text, *args, **kwargs)

        monkeypatch.setattr(canvas.Canvas, name, record)
    return lines


def certificate_for(*, grammatical_form="", **training_kwargs):
    training, _s, (enrolment,) = completed_training_with_attendance(sessions=2, attended=[2], **training_kwargs)
    enrolment.participant.grammatical_form = grammatical_form
    enrolment.participant.save(update_fields=["grammatical_form"])
    (certificate,) = services.certificates_issue(training_id=training.pk)
    return Certificate.objects.select_related("enrolment__participant", "enrolment__training__programme").get(
        pk=certificate.pk
    )


class TestPdf:
    def test_names_issuer_hours_programme_and_curriculum(self, drawn_text, settings):
        settings.BASE_URL = "https://portal.example.gov.pl"
        programme = TrainingProgrammeFactory(name="Program szkoleń 2027")
        certificate = certificate_for(
            issuer="Regionalny Ośrodek Polityki Społecznej w Łodzi",
            hours=16,
            programme=programme,
            curriculum="Ustawa o spółdzielniach socjalnych\nZamówienia zastrzeżone (art. 94 Pzp)",
        )
        pdf = certificates.certificate_pdf(certificate=certificate)
        assert pdf.startswith(b"%PDF")
        text = "\n".join(drawn_text)
        assert "Wystawca: Regionalny Ośrodek Polityki Społecznej w Łodzi" in text
        assert "wymiar: 16 godzin" in text
        assert "w ramach programu: Program szkoleń 2027" in text
        assert "• Zamówienia zastrzeżone (art. 94 Pzp)" in text and "Program szkolenia" in text
        assert f"Numer weryfikacyjny: {certificate.short_code_display}" in text
        assert "Sprawdź ważność: https://portal.example.gov.pl/szkolenia/zaswiadczenia/weryfikacja/" in text

    def test_hours_from_sessions_and_the_portal_as_default_issuer(self, drawn_text, settings):
        settings.SITE_NAME = "Portal spółdzielni socjalnych (test)"
        certificate = certificate_for()  # two sessions of 45 minutes
        certificates.certificate_pdf(certificate=certificate)
        text = "\n".join(drawn_text)
        assert "wymiar: 2 godziny" in text
        assert "Wystawca: Portal spółdzielni socjalnych (test)" in text

    @pytest.mark.parametrize(
        ("form", "statement"),
        [
            (GrammaticalForm.FEMININE, "ukończyła szkolenie"),
            (GrammaticalForm.MASCULINE, "ukończył szkolenie"),
            ("", "ukończył(a) szkolenie"),
        ],
    )
    def test_statement_uses_the_grammatical_form(self, drawn_text, form, statement):
        certificates.certificate_pdf(certificate=certificate_for(grammatical_form=form))
        assert statement in drawn_text


class TestShortCode:
    def test_codes_are_short_unambiguous_and_unique(self):
        training, _s, _e = completed_training_with_attendance(sessions=1, attended=[1] * 30)
        codes = [c.short_code for c in services.certificates_issue(training_id=training.pk)]
        assert len(set(codes)) == 30
        assert all(len(code) == 10 and set(code) <= set(SHORT_CODE_ALPHABET) for code in codes)
        assert not set("ILOU") & set("".join(codes))

    @pytest.mark.parametrize("typed", ["ab0cd-ef1gh", "AB0CD EF1GH", "abocdefigh", " AB0CD-EF1GH ", "ab0cdeflgh"])
    def test_normalisation(self, typed):
        assert normalise_short_code(typed) == "AB0CDEF1GH"

    @pytest.mark.parametrize("typed", ["AB0CD", "AB0CDEF1GHX", "AB0CD-EF1G!", "ÄB0CDEF1GH"])
    def test_malformed(self, typed):
        assert normalise_short_code(typed) == ""

    def test_lookup_page(self, client):
        certificate = CertificateFactory(short_code="7K3QDXN9PA")
        training = certificate.enrolment.training
        assert client.get(LOOKUP).status_code == 200
        response = client.get(LOOKUP, {"numer": "7k3qd-xn9pa"})
        content = response.content.decode()
        assert response.status_code == 200 and "Zaświadczenie jest ważne." in content
        assert certificate.enrolment.participant.full_name in content and training.title in content
        assert certificate.enrolment.participant.email not in content
        response = client.get(LOOKUP, {"numer": "7K3QD-XN9PB"})
        assert response.status_code == 404
        assert "Nie znaleziono zaświadczenia o tym numerze." in response.content.decode()
        response = client.get(LOOKUP, {"numer": "123"})
        assert response.status_code == 400 and "Numer weryfikacyjny ma 10 znaków" in response.content.decode()

    def test_lookup_is_rate_limited(self, client, settings):
        settings.TRAININGS_VERIFY_RATE = (3, 3600)
        CertificateFactory(short_code="7K3QDXN9PA")
        client.get(LOOKUP, {"numer": "zły"})  # malformed: no database look-up, not counted
        for _n in range(3):
            assert client.get(LOOKUP, {"numer": "7K3QDXN9PB"}).status_code == 404
        response = client.get(LOOKUP, {"numer": "7K3QDXN9PA"})
        assert response.status_code == 429 and "Zbyt wiele sprawdzeń" in response.content.decode()

    def test_lookup_query_count(self, client, django_assert_num_queries):
        CertificateFactory(short_code="7K3QDXN9PA")
        with django_assert_num_queries(2):  # the certificate with its participant and training; the layout's demo check
            client.get(LOOKUP, {"numer": "7K3QDXN9PA"})


@pytest.mark.parametrize(
    ("hours", "text"),
    [(1, "1 godzina"), (2, "2 godziny"), (5, "5 godzin"), (12, "12 godzin"), (22, "22 godziny"), (72, "72 godziny")],
)
def test_hours_use_polish_plural_forms(hours, text):
    with translation.override("pl"):
        assert certificates.hours_text(hours) == text


@pytest.mark.parametrize(("hours", "text"), [(1, "1 godzinę"), (3, "3 godziny"), (48, "48 godzin"), (24, "24 godziny")])
def test_validity_uses_the_accusative(hours, text):
    with translation.override("pl"):
        assert services.validity_text(hours) == text


def test_english_plurals():
    with translation.override("en"):
        assert certificates.hours_text(1) == "1 hour" and certificates.hours_text(72) == "72 hours"

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from cooperatives.models import Cooperative, CooperativeActivity
from cooperatives.validators import validate_nip, validate_regon

from .factories import CooperativeFactory, OfferFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("krs_number", "12345", "Numer KRS składa się z dokładnie 10 cyfr"),
        ("krs_number", "00001234AB", "Numer KRS składa się z dokładnie 10 cyfr"),
        ("nip", "1234567890", "Niepoprawny NIP"),
        ("regon", "123456789", "Niepoprawny REGON"),
        ("postal_code", "90001", "Kod pocztowy musi mieć postać NN-NNN"),
    ],
)
def test_bad_identifiers_are_refused_in_polish_and_nothing_is_saved(field, value, message):
    cooperative = CooperativeFactory.build(**{field: value})
    with pytest.raises(ValidationError) as error:
        cooperative.full_clean()
    assert any(message in text for text in error.value.message_dict[field])
    assert not Cooperative.objects.exists()


def test_stdnum_checksums_accept_valid_numbers():
    validate_nip("5261040828")
    validate_regon("012100784")
    validate_regon("12345678512347")


def test_territory_is_derived_from_the_gmina():
    cooperative = CooperativeFactory(gmina_id="1465011", town="Warszawa")
    cooperative.refresh_from_db()
    assert (cooperative.powiat_id, cooperative.voivodeship_id) == ("1465", "14")
    cooperative.gmina_id = "3064011"  # Poznań
    cooperative.save(update_fields=["gmina"])
    cooperative.refresh_from_db()
    assert (cooperative.powiat_id, cooperative.voivodeship_id) == ("3064", "30")


def test_krs_is_unique_in_the_database():
    CooperativeFactory(krs_number="0000111111")
    with pytest.raises(IntegrityError), transaction.atomic():
        CooperativeFactory(krs_number="0000111111")


def test_coordinates_outside_poland_are_refused_by_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        CooperativeFactory(latitude=40.0, longitude=20.0)


def test_only_one_main_activity():
    cooperative = CooperativeFactory()
    CooperativeActivity.objects.create(cooperative=cooperative, code="88.10.Z", version="2007", is_main=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        CooperativeActivity.objects.create(cooperative=cooperative, code="56.29.Z", version="2007", is_main=True)


def test_contact_is_public_only_with_consent():
    cooperative = CooperativeFactory.build(
        email="biuro@example.org", phone="123", publish_email=False, publish_phone=True
    )
    assert cooperative.public_email == ""
    assert cooperative.public_phone == "123"


def test_offer_search_text_includes_category_and_cooperative_town():
    offer = OfferFactory(title="Obiady dla szkół", cooperative__town="Łódź")
    assert offer.search_text == "obiady dla szkol catering spoldzielnia socjalna testowa {} lodz".format(
        offer.cooperative.name.rsplit(" ", 1)[1]
    )


def test_constraint_violations_have_polish_messages():
    import datetime

    cooperative = CooperativeFactory.build(
        krs_registration_date=datetime.date(2020, 5, 1), status_date=datetime.date(2019, 1, 1)
    )
    with pytest.raises(ValidationError) as error:
        cooperative.full_clean()
    assert "Data statusu nie może być wcześniejsza niż data wpisu do KRS." in error.value.messages
    existing = CooperativeFactory()
    duplicate = CooperativeFactory.build(nip=existing.nip)
    with pytest.raises(ValidationError) as error:
        duplicate.full_clean()
    assert "Spółdzielnia z tym numerem NIP jest już w rejestrze." in error.value.messages

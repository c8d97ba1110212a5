"""The race for the last seat, with real concurrent transactions (PostgreSQL only: SQLite has one writer at a time
and no row locks, so there is no race to test there).

A seat is taken when a registration is confirmed from its e-mail, so that is where the race is run."""

import threading

import pytest
from django.db import connection

from trainings import services
from trainings.models import Enrolment, InstitutionType

from .factories import EnrolmentFactory, TrainingFactory


def _data(n: int) -> services.RegistrationData:
    return services.RegistrationData(
        first_name=f"Osoba{n}",
        last_name="Testowa",
        email=f"wyscig{n}@example.org",
        position="",
        institution_name=f"Urząd {n}",
        institution_type=InstitutionType.GMINA_OFFICE,
        institution_gmina_id="1061011",
    )


def _pending(training, n: int) -> Enrolment:
    return services.enrolment_register(training_id=training.pk, data=_data(n))


@pytest.mark.django_db(transaction=True)
def test_two_people_taking_the_last_seat_at_once(postgresql_only, territory):
    training = TrainingFactory(capacity=3)
    EnrolmentFactory.create_batch(2, training=training)  # one seat left
    pending = [_pending(training, n) for n in range(2)]
    barrier = threading.Barrier(2)
    results, errors = [], []

    def take_seat(n: int):
        try:
            barrier.wait(timeout=30)
            enrolment = services.enrolment_confirm_email(enrolment_id=pending[n].pk)
            results.append(enrolment.status)
        except Exception as error:  # reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=take_seat, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sorted(results) == [Enrolment.Status.REGISTERED, Enrolment.Status.WAITLISTED]
    assert Enrolment.objects.filter(training=training).holding_seat().count() == 3
    assert Enrolment.objects.filter(training=training, status=Enrolment.Status.WAITLISTED).count() == 1


@pytest.mark.django_db(transaction=True)
def test_many_people_never_exceed_capacity(postgresql_only, territory):
    training = TrainingFactory(capacity=2)
    workers = 6
    pending = [_pending(training, n) for n in range(workers)]
    barrier = threading.Barrier(workers)
    errors = []

    def take_seat(n: int):
        try:
            barrier.wait(timeout=30)
            services.enrolment_confirm_email(enrolment_id=pending[n].pk)
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=take_seat, args=(n,)) for n in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert Enrolment.objects.filter(training=training).holding_seat().count() == 2
    assert Enrolment.objects.filter(training=training, status=Enrolment.Status.WAITLISTED).count() == workers - 2

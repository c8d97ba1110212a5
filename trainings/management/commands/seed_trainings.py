"""Deterministic demo data of the training records: the 2012-2015 programme (200 trainings for 3,000 people), part of
its trainings with participants, attendance and certificates, and a few upcoming trainings open for registration.

Everything created is marked as demo. Running it again changes nothing (the demo programme is looked up first).
"""

import datetime
import random
import zoneinfo

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from faker import Faker

from cooperatives.models import TerritorialUnit
from core.database import analyze
from core.text import fold
from trainings.models import (
    Attendance,
    Certificate,
    Enrolment,
    Institution,
    InstitutionType,
    Participant,
    Topic,
    Training,
    TrainingProgramme,
    TrainingSession,
)
from trainings.services import certificate_number

PROGRAMME_NAME = "W sieci dobrych połączeń – szkolenia dla kadr samorządowych (demo)"
UPCOMING_NAME = "Spółdzielnie socjalne w usługach społecznych 2027 (demo)"
ORGANISER_EMAIL = "organizator.szkolen@example.org"
SEED = 2012
PAST_TRAININGS = 48
UPCOMING_TRAININGS = 6
TZ = zoneinfo.ZoneInfo("Europe/Warsaw")

TITLES = {
    Topic.BASICS: "Spółdzielnia socjalna – partner samorządu",
    Topic.FOUNDING: "Jak gmina może założyć spółdzielnię socjalną",
    Topic.PUBLIC_PROCUREMENT: "Klauzule społeczne w zamówieniach publicznych",
    Topic.COMMISSIONING: "Zlecanie zadań publicznych podmiotom ekonomii społecznej",
    Topic.PUBLIC_SERVICES: "Usługi użyteczności publicznej a ekonomia społeczna",
    Topic.REINTEGRATION: "Reintegracja społeczna i zawodowa w spółdzielni socjalnej",
    Topic.COOPERATION: "Standard współpracy OPS, PUP i spółdzielni socjalnych",
}
# What each training covers, in whole curated sentences (a description is three of them: the topic's programme,
# how it is taught, who it is for); Faker gives only the names of trainers and streets.
TOPIC_SENTENCES = {
    Topic.BASICS: (
        "Omawiamy, czym jest spółdzielnia socjalna, kto może ją założyć i jakie ma obowiązki.",
        "Pokazujemy, jak spółdzielnie socjalne współpracują z gminami przy usługach dla mieszkańców.",
    ),
    Topic.FOUNDING: (
        "Krok po kroku omawiamy założenie spółdzielni socjalnej przez gminę lub organizację pozarządową.",
        "Uczestnicy przygotowują wzór statutu i uchwały rady gminy o przystąpieniu do spółdzielni.",
    ),
    Topic.PUBLIC_PROCUREMENT: (
        "Omawiamy zamówienia zastrzeżone i klauzule społeczne w ustawie Prawo zamówień publicznych.",
        "Na przykładach pokazujemy, jak opisać przedmiot zamówienia i kryteria oceny ofert.",
    ),
    Topic.COMMISSIONING: (
        "Omawiamy tryby zlecania zadań publicznych i zasady rozliczania dotacji.",
        "Uczestnicy analizują przykładowe ogłoszenia konkursowe i umowy.",
    ),
    Topic.PUBLIC_SERVICES: (
        "Pokazujemy, jak spółdzielnie socjalne mogą świadczyć usługi opiekuńcze, porządkowe i komunalne.",
        "Omawiamy przykłady gmin, które powierzyły spółdzielniom prowadzenie usług dla mieszkańców.",
    ),
    Topic.REINTEGRATION: (
        "Omawiamy indywidualne plany reintegracji i współpracę z pracownikiem socjalnym.",
        "Pokazujemy, jak praca w spółdzielni pomaga wrócić na rynek pracy osobom długotrwale bezrobotnym.",
    ),
    Topic.COOPERATION: (
        "Omawiamy standard współpracy ośrodków pomocy społecznej, urzędów pracy i spółdzielni socjalnych.",
        "Uczestnicy planują wspólne działania na rzecz osób zagrożonych wykluczeniem społecznym.",
    ),
}
METHOD_SENTENCES = (
    "Zajęcia mają formę warsztatów z ćwiczeniami w małych grupach.",
    "Część wykładową uzupełniają studia przypadków i dyskusja.",
    "Trenerzy odpowiadają na pytania uczestników i omawiają ich przykłady.",
)
AUDIENCE_SENTENCES = (
    "Szkolenie jest przeznaczone dla pracowników urzędów gmin, ośrodków pomocy społecznej i urzędów pracy.",
    "Zapraszamy pracowników samorządów, którzy współpracują z podmiotami ekonomii społecznej.",
    "Uczestnicy otrzymują materiały szkoleniowe i zaświadczenie o ukończeniu szkolenia.",
)

INSTITUTION_NAMES = {
    InstitutionType.GMINA_OFFICE: "Urząd Gminy {gmina}",
    InstitutionType.SOCIAL_ASSISTANCE: "Ośrodek Pomocy Społecznej – {gmina}",
    InstitutionType.PCPR: "Powiatowe Centrum Pomocy Rodzinie – {powiat}",
    InstitutionType.PUP: "Powiatowy Urząd Pracy – {powiat}",
    InstitutionType.STAROSTWO: "Starostwo Powiatowe – {powiat}",
    InstitutionType.NGO: "Stowarzyszenie Aktywni {gmina}",
}
ATTENDANCE_STATUSES = [
    Attendance.Status.PRESENT,
    Attendance.Status.LATE,
    Attendance.Status.ABSENT,
    Attendance.Status.EXCUSED,
]
ATTENDANCE_WEIGHTS = [80, 6, 8, 6]
POSITIONS = ["pracownik socjalny", "specjalista ds. rozwoju", "inspektor", "doradca zawodowy", "kierownik", "referent"]


class Command(BaseCommand):
    help = "Generate deterministic demo training records (marked as demo). Idempotent."

    def handle(self, *args, **options):
        if TrainingProgramme.objects.filter(name=PROGRAMME_NAME).exists():
            self.stdout.write("Demo trainings already present: nothing to do.")
            return
        if not TerritorialUnit.objects.gminas().exists():
            raise CommandError("No territorial units: run `manage.py load_teryt` first.")
        with transaction.atomic():
            counts = self._generate()
        analyze("trainings")  # the planner's statistics of the tables just filled (core/database.py)
        self.stdout.write(
            "Demo trainings created: {trainings} trainings, {participants} participants, "
            "{certificates} certificates.".format(**counts)
        )

    def _generate(self) -> dict[str, int]:
        rng = random.Random(SEED)
        fake = Faker("pl_PL")
        fake.seed_instance(SEED)
        organiser, _ = get_user_model().objects.get_or_create(
            email=ORGANISER_EMAIL,
            defaults={"username": "demo-organizator", "first_name": "Anna", "last_name": "Organizatorka"},
        )
        if organiser.has_usable_password():
            organiser.set_unusable_password()
            organiser.save(update_fields=["password"])

        programme = TrainingProgramme.objects.create(
            name=PROGRAMME_NAME,
            description="Szkolenia dla pracowników gmin, ośrodków pomocy społecznej i urzędów pracy.",
            target_trainings=200,
            target_participants=3000,
            starts_on=datetime.date(2012, 9, 1),
            ends_on=datetime.date(2015, 6, 30),
            is_demo=True,
        )
        upcoming = TrainingProgramme.objects.create(
            name=UPCOMING_NAME,
            target_trainings=20,
            target_participants=300,
            starts_on=datetime.date(2027, 1, 1),
            ends_on=datetime.date(2027, 12, 31),
            is_demo=True,
        )
        # Urban gminas (powiat seats, mostly) host trainings; participants come from gminas of the same powiat.
        hosts = list(TerritorialUnit.objects.gminas().filter(gmina_kind="1").order_by("code"))
        gminas_by_powiat: dict[str, list[TerritorialUnit]] = {}
        for gmina in TerritorialUnit.objects.gminas().select_related("parent").order_by("code"):
            gminas_by_powiat.setdefault(gmina.code[:4], []).append(gmina)

        institutions: dict[tuple, Institution] = {}
        counter = {"participants": 0, "certificates": 0, "trainings": 0}
        email_numbers = iter(range(1, 1_000_000))
        topics = list(TITLES)
        total = PAST_TRAININGS + UPCOMING_TRAININGS
        for index in range(total):
            is_past = index < PAST_TRAININGS
            host = rng.choice(hosts)
            topic = topics[index % len(topics)]
            if is_past:
                day = datetime.date(2012, 10, 1) + datetime.timedelta(days=rng.randrange(0, 960))
            else:
                day = datetime.date(2027, 2, 1) + datetime.timedelta(
                    days=30 * (index - PAST_TRAININGS) + rng.randrange(0, 20)
                )
            days = rng.choice([1, 2])
            training_format = rng.choice([Training.Format.IN_PERSON] * 4 + [Training.Format.HYBRID])
            training = Training.objects.create(
                programme=programme if is_past else upcoming,
                title=f"{TITLES[topic]} – {host.name}",
                description=" ".join(
                    (rng.choice(TOPIC_SENTENCES[topic]), rng.choice(METHOD_SENTENCES), rng.choice(AUDIENCE_SENTENCES))
                ),
                topic=topic,
                format=training_format,
                status=Training.Status.COMPLETED if is_past else Training.Status.OPEN,
                starts_on=day,
                ends_on=day + datetime.timedelta(days=days - 1),
                venue=f"Sala konferencyjna, ul. {fake.street_name()} {rng.randint(1, 60)}",
                gmina=host,
                trainers=f"{fake.name()}\n{fake.name()}",
                capacity=rng.choice([16, 20, 24]),
                target_institution_types=[
                    InstitutionType.GMINA_OFFICE,
                    InstitutionType.SOCIAL_ASSISTANCE,
                    InstitutionType.PUP,
                ],
                required_attendance_percent=80,
                is_demo=True,
            )
            training.organisers.add(organiser)
            sessions = [
                TrainingSession.objects.create(
                    training=training,
                    title=f"Dzień {n + 1}",
                    starts_at=datetime.datetime.combine(day + datetime.timedelta(days=n), datetime.time(9), TZ),
                    ends_at=datetime.datetime.combine(day + datetime.timedelta(days=n), datetime.time(15), TZ),
                )
                for n in range(days)
            ]
            counter["trainings"] += 1
            local_gminas = gminas_by_powiat.get(host.code[:4]) or [host]
            enrolled = rng.randint(training.capacity - 6, training.capacity) if is_past else rng.randint(3, 10)
            participants = []
            for _n in range(enrolled):
                gmina = rng.choice(local_gminas)
                institution_type = rng.choice(list(INSTITUTION_NAMES))
                name = INSTITUTION_NAMES[institution_type].format(gmina=gmina.name, powiat=gmina.parent.name)
                institution = institutions.get((name, institution_type, gmina.code))
                if institution is None:
                    institution, _created = Institution.objects.get_or_create(
                        name=name, type=institution_type, gmina=gmina, defaults={"is_demo": True}
                    )
                    institutions[(name, institution_type, gmina.code)] = institution
                first, last = fake.first_name(), fake.last_name()
                participants.append(
                    Participant(
                        first_name=first,
                        last_name=last,
                        email=f"{fold(first)}.{fold(last)}.{next(email_numbers)}@example.org".replace(" ", "-"),
                        institution=institution,
                        position=rng.choice(POSITIONS),
                        is_demo=True,
                    )
                )
            Participant.objects.bulk_create(participants)
            counter["participants"] += len(participants)
            registered_at = datetime.datetime.combine(day - datetime.timedelta(days=14), datetime.time(10), TZ)
            enrolments = Enrolment.objects.bulk_create(
                Enrolment(
                    training=training,
                    participant=participant,
                    status=Enrolment.Status.CONFIRMED if is_past else Enrolment.Status.REGISTERED,
                    consent_at=registered_at,
                    confirmed_at=registered_at + datetime.timedelta(days=2) if is_past else None,
                )
                for participant in participants
            )
            if not is_past:
                continue
            attendances, certificates = [], []
            for enrolment in enrolments:
                attended = 0
                for session in sessions:
                    status = rng.choices(ATTENDANCE_STATUSES, weights=ATTENDANCE_WEIGHTS)[0]
                    attended += status in Attendance.ATTENDED_STATUSES
                    attendances.append(Attendance(enrolment=enrolment, session=session, status=status))
                if attended * 100 >= training.required_attendance_percent * len(sessions):
                    number = certificate_number(training=training, enrolment=enrolment)
                    certificates.append(Certificate(enrolment=enrolment, number=number))
            Attendance.objects.bulk_create(attendances)
            Certificate.objects.bulk_create(certificates)
            counter["certificates"] += len(certificates)
        self._link_library_materials(programme)
        return counter

    @staticmethod
    def _link_library_materials(programme) -> None:
        """The handbook series was written for these trainings: link its published volumes, when the library
        has them (seed_publications runs first in `bootstrap`)."""
        from publications.models import Publication

        handbooks = list(Publication.objects.published().filter(series__title__startswith="ABC"))
        if handbooks:
            for training in programme.trainings.all():
                training.materials.add(*handbooks)

import datetime

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from monitoring.models import Wave
from monitoring.services import default_questionnaire_data, questionnaire_load


class Command(BaseCommand):
    help = (
        "Load the default questionnaire (the sector's standard indicators) into a draft wave: the one given by "
        "--wave, or a new draft wave for --year."
    )

    def add_arguments(self, parser):
        parser.add_argument("--wave", type=int, help="primary key of an existing draft wave without questions")
        parser.add_argument("--year", type=int, help="reference year of a new draft wave")

    def handle(self, *args, wave=None, year=None, **options):
        if bool(wave) == bool(year):
            raise CommandError("Give exactly one of --wave or --year.")
        if wave:
            try:
                target = Wave.objects.get(pk=wave)
            except Wave.DoesNotExist:
                raise CommandError(f"No wave {wave}.") from None
        else:
            target, _created = Wave.objects.get_or_create(
                name=f"Monitoring spółdzielni socjalnych {year}",
                defaults={
                    "reference_year": year,
                    "opens_on": datetime.date(year + 1, 3, 1),
                    "closes_on": datetime.date(year + 1, 6, 30),
                },
            )
        if target.questions.exists():
            self.stdout.write(f"Wave {target.pk} already has a questionnaire: nothing to do.")
            return
        try:
            count = questionnaire_load(wave=target, data=default_questionnaire_data())
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        self.stdout.write(f"Loaded {count} questions into wave {target.pk} ({target.name}).")

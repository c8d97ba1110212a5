import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from trainings.services import participants_anonymise


class Command(BaseCommand):
    help = (
        "Anonymise participants whose trainings all ended more than N years ago (default "
        "TRAININGS_ANONYMISE_AFTER_YEARS): names, e-mail and "
        "position are blanked; enrolments, attendance and certificates stay, so reports keep their counts."
    )

    def add_arguments(self, parser):
        default = settings.TRAININGS_ANONYMISE_AFTER_YEARS
        parser.add_argument(
            "--years", type=int, default=default, help=f"Age of the last training, in years (default {default})."
        )

    def handle(self, *args, years: int, **options):
        if years < 1:
            raise CommandError("--years must be at least 1.")
        count = participants_anonymise(older_than=datetime.timedelta(days=round(365.25 * years)))
        self.stdout.write(f"Anonymised participants: {count}.")

import datetime

from django.core.management.base import BaseCommand, CommandError

from trainings.services import participants_anonymise


class Command(BaseCommand):
    help = (
        "Anonymise participants whose trainings all ended more than N years ago (default 5): names, e-mail and "
        "position are blanked; enrolments, attendance and certificates stay, so reports keep their counts."
    )

    def add_arguments(self, parser):
        parser.add_argument("--years", type=int, default=5, help="Age of the last training, in years (default 5).")

    def handle(self, *args, years: int, **options):
        if years < 1:
            raise CommandError("--years must be at least 1.")
        count = participants_anonymise(older_than=datetime.timedelta(days=round(365.25 * years)))
        self.stdout.write(f"Anonymised participants: {count}.")

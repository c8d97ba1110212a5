from django.core.management.base import BaseCommand

from trainings.services import enrolments_expire_pending


class Command(BaseCommand):
    help = (
        "Delete training registrations never confirmed by e-mail within TRAININGS_CONFIRMATION_HOURS, and the "
        "participant records they alone created. Run it hourly (cron or a task scheduler)."
    )

    def handle(self, *args, **options):
        count = enrolments_expire_pending()
        self.stdout.write(f"Expired pending registrations: {count}.")

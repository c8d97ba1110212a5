from django.core.management.base import BaseCommand, CommandError

from monitoring.reminders import UnknownWave, survey_reminders_send


class Command(BaseCommand):
    help = (
        "E-mail a reminder to every cooperative that has not submitted its answers to an open wave: to its "
        "representatives, or to the cooperative's own address when it has none. The schedule (celery beat) runs "
        "the same code weekly; at most one reminder per cooperative and wave a day."
    )

    def add_arguments(self, parser):
        parser.add_argument("--wave", type=int, help="only this wave (default: every wave accepting answers)")
        parser.add_argument("--dry-run", action="store_true", help="list the recipients without sending")

    def handle(self, *args, wave=None, dry_run=False, **options):
        try:
            reminders = survey_reminders_send(wave_id=wave, dry_run=dry_run)
        except UnknownWave:
            raise CommandError(f"Wave {wave} is not accepting answers.") from None
        if dry_run:
            for reminder in reminders:
                self.stdout.write(f"{reminder.wave_id}\t{reminder.krs}\t{', '.join(reminder.recipients)}")
            return
        self.stdout.write(f"Reminders queued: {len(reminders)}.")

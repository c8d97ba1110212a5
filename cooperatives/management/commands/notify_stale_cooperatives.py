"""Lists cooperatives whose data was not confirmed for 12 months and e-mails their representatives.

Run daily or monthly from cron or a task queue: `manage.py notify_stale_cooperatives [--dry-run]`.
"""

from django.conf import settings
from django.core.management.base import BaseCommand

from cooperatives.selfservice_selectors import stale_cooperatives
from cooperatives.services import stale_cooperatives_notify


class Command(BaseCommand):
    help = "Lists cooperatives not confirmed for 12 months and e-mails their representatives a reminder."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Only list them, send nothing.")
        parser.add_argument(
            "--base-url",
            default=None,
            help="Address of the portal used in the links of the e-mails (default: the BASE_URL setting).",
        )

    def handle(self, *args, dry_run=False, base_url="", **options):
        cooperatives = list(stale_cooperatives())
        for coop in cooperatives:
            confirmed = coop.verified_at.date().isoformat() if coop.verified_at else "never"
            self.stdout.write(f"{coop.krs_number}\t{coop.name}\t{confirmed}")
        if dry_run:
            self.stdout.write(f"{len(cooperatives)} stale cooperative(s); nothing sent (--dry-run).")
            return
        sent = stale_cooperatives_notify(
            cooperatives=cooperatives, build_url=lambda path: (base_url or settings.BASE_URL).rstrip("/") + path
        )
        self.stdout.write(self.style.SUCCESS(f"{len(cooperatives)} stale cooperative(s); reminders queued for {sent}."))

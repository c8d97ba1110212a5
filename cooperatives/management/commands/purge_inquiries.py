"""Deletes buyers' inquiries older than PORTAL_INQUIRY_RETENTION_DAYS (they hold the sender's personal data).

Run daily from cron or a task queue: `manage.py purge_inquiries [--days N]`.
"""

from django.conf import settings
from django.core.management.base import BaseCommand

from cooperatives.services import inquiry_purge


class Command(BaseCommand):
    help = "Deletes buyers' inquiries older than the retention period."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=settings.PORTAL_INQUIRY_RETENTION_DAYS)

    def handle(self, *args, days: int, **options):
        deleted = inquiry_purge(older_than_days=days)
        self.stdout.write(self.style.SUCCESS(f"Deleted {deleted} inquiry(ies) older than {days} days."))

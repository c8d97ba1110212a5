"""`manage.py backup_portal [DIRECTORY] [--no-files]`: the database and the stored files into a new directory
(core/backups.py; `make backup`)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from core.backups import BackupError, backup


class Command(BaseCommand):
    help = "Backs up the database (pg_dump, custom format) and MEDIA_ROOT / PRIVATE_MEDIA_ROOT into a new directory."

    def add_arguments(self, parser):
        parser.add_argument("directory", nargs="?", help="a new or empty directory (default: backups/<time>)")
        parser.add_argument("--no-files", action="store_true", help="the database only (files in object storage)")

    def handle(self, *args, directory=None, no_files=False, **options):
        path = Path(directory or f"backups/{timezone.now():%Y%m%d-%H%M%S}")
        try:
            manifest = backup(path, files=not no_files)
        except BackupError as error:
            raise CommandError(str(error)) from None
        rows = sum(table["rows"] for table in manifest["tables"].values())
        self.stdout.write(
            self.style.SUCCESS(
                f"Backup in {path}: {len(manifest['tables'])} tables, {rows} rows, files: {not no_files}."
            )
        )

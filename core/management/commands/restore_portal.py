"""`manage.py restore_portal DIRECTORY [--database-url URL] [--no-files] --yes`: a backup back into the database
(or another one), checked table by table against its manifest; then the files and a cleared cache
(core/backups.py; `make restore`). Stop the app servers and workers first."""

from django.core.management.base import BaseCommand, CommandError

from core.backups import BackupError, Target, restore


class Command(BaseCommand):
    help = "Restores a backup made by backup_portal: REPLACES the database, the stored files and clears the cache."

    def add_arguments(self, parser):
        parser.add_argument("directory")
        parser.add_argument("--database-url", help="restore into this database instead of DATABASE_URL (files: no)")
        parser.add_argument(
            "--no-files", action="store_true", help="leave MEDIA_ROOT and PRIVATE_MEDIA_ROOT as they are"
        )
        parser.add_argument("--yes", action="store_true", help="confirm: everything in the target database is replaced")

    def handle(self, *args, directory, database_url=None, no_files=False, yes=False, **options):
        if not yes:
            raise CommandError("A restore replaces the database's contents: add --yes to confirm.")
        try:
            target = Target.from_url(database_url) if database_url else None
            # Another database is a copy to inspect: the live files and cache stay as they are.
            manifest = restore(directory, target=target, files=not no_files and not database_url,
                               clear_cache=not database_url)  # fmt: skip
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(self.style.SUCCESS(
            f"Restored {len(manifest['tables'])} tables from {directory} (made {manifest['created_at']}); every table "
            "matches the manifest."
        ))  # fmt: skip

from django.core.management.base import BaseCommand

from cooperatives.teryt import TERC_FILE, load_territorial_units


class Command(BaseCommand):
    help = "Load (or refresh) territorial units from the shipped GUS TERC register. Safe to run repeatedly."

    def add_arguments(self, parser):
        parser.add_argument("--file", default=str(TERC_FILE), help="TERC CSV file (default: the shipped copy)")

    def handle(self, *args, **options):
        from pathlib import Path

        result = load_territorial_units(Path(options["file"]))
        self.stdout.write(
            self.style.SUCCESS(
                f"TERYT: {result.created} created, {result.updated} updated, {result.unchanged} unchanged."
            )
        )

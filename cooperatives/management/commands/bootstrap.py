from django.core.management import call_command
from django.core.management.base import BaseCommand

from cooperatives.models import Cooperative, TerritorialUnit


class Command(BaseCommand):
    help = "First-run set-up used by `make run`: load territorial units and demo data when the database is empty."

    def handle(self, *args, **options):
        if not TerritorialUnit.objects.exists():
            call_command("load_teryt", stdout=self.stdout)
        if not Cooperative.objects.exists():
            self.stdout.write("The registry is empty: generating demo data (seed_demo)...")
            call_command("seed_demo", stdout=self.stdout)
        else:
            self.stdout.write("The registry already has data: nothing to load.")

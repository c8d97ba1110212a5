from django.core.management import call_command
from django.core.management.base import BaseCommand

from cooperatives.models import Cooperative, TerritorialUnit
from core.database import analyze

# Demo data of every app, in dependency order (survey answers need the registry; trainings link the library).
DEMO_COMMANDS = ("seed_demo", "seed_monitoring", "seed_publications", "seed_trainings")


class Command(BaseCommand):
    help = "First-run set-up used by `make run`: territorial units, and demo data when the database is empty."

    def handle(self, *args, **options):
        loaded = False
        if not TerritorialUnit.objects.exists():
            call_command("load_teryt", stdout=self.stdout)
            loaded = True
        if Cooperative.objects.exists():
            self.stdout.write("The registry already has data: no demo data loaded.")
        else:
            self.stdout.write("The database is empty: generating demo data...")
            for command in DEMO_COMMANDS:
                call_command(command, stdout=self.stdout)
            loaded = True
        if loaded:
            # Planner statistics for everything just loaded (core/database.py).
            analyze()

"""Demo monitoring data: `monitoring.demo.generate_demo_monitoring` with the demo defaults (waves 2021-2024)."""

from django.core.management.base import BaseCommand

from core.database import analyze
from monitoring.demo import FIRST_YEAR, LAST_YEAR, generate_demo_monitoring, registry_snapshots_take, wave_name
from monitoring.models import Wave


class Command(BaseCommand):
    help = f"Generate demo waves (reference years {FIRST_YEAR}-{LAST_YEAR}) with answers of the existing cooperatives."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2006, help="random seed (default 2006, the year of the act)")

    def handle(self, *args, seed=2006, **options):
        if Wave.objects.filter(name=wave_name(FIRST_YEAR)).exists():
            # Demo waves seeded before they got registry snapshots get them now (the page's registry counts).
            names = [wave_name(year) for year in range(FIRST_YEAR, LAST_YEAR + 1)]
            taken = registry_snapshots_take(Wave.objects.filter(name__in=names))
            if taken:
                self.stdout.write(f"Demo waves already exist: registry snapshots taken for {taken} of them.")
            else:
                self.stdout.write("Demo waves already exist: nothing to do.")
            return
        created = generate_demo_monitoring(seed=seed, report=self.stdout.write)
        if not created:
            self.stdout.write("No cooperatives in the registry: run seed_demo first. Nothing generated.")
            return
        analyze("monitoring")  # the planner's statistics of the tables just filled (core/database.py)
        self.stdout.write("Done.")

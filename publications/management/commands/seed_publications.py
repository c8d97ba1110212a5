from django.core.management.base import BaseCommand

from core.database import analyze
from publications.demo import seed_publications


class Command(BaseCommand):
    help = "Tworzy lub aktualizuje dane demonstracyjne biblioteki (trzy prawdziwe tomy z 2014 r. i pozycje demo)."

    def handle(self, *args, **options):
        count = seed_publications()
        analyze("publications")  # the planner's statistics of the tables just filled (core/database.py)
        self.stdout.write(self.style.SUCCESS(f"Biblioteka: {count} publikacji (dane demonstracyjne)."))

from django.core.management.base import BaseCommand

from publications.demo import seed_publications


class Command(BaseCommand):
    help = "Tworzy lub aktualizuje dane demonstracyjne biblioteki (trzy prawdziwe tomy z 2014 r. i pozycje demo)."

    def handle(self, *args, **options):
        count = seed_publications()
        self.stdout.write(self.style.SUCCESS(f"Biblioteka: {count} publikacji (dane demonstracyjne)."))

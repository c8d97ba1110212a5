import sys
import time

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from cooperatives.demo import (
    DEFAULT_BATCH_SIZE,
    DEFAULT_SCALE,
    DEFAULT_SEED,
    RegistryNotEmpty,
    generate_demo_registry,
)
from core.database import analyze


def positive_int(value: str) -> int:
    number = int(value)
    if number < 1:
        raise ValueError(value)
    return number


class Command(BaseCommand):
    help = (
        "Generate a deterministic, realistic demo registry (cooperatives with offers, all marked as demo data). "
        "Refuses when the registry holds cooperatives unless --replace, which deletes only demo rows."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=positive_int, default=DEFAULT_SCALE, help="number of cooperatives")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed (same seed, same registry)")
        parser.add_argument("--batch-size", type=positive_int, default=DEFAULT_BATCH_SIZE, help="rows per insert batch")
        parser.add_argument("--replace", action="store_true", help="delete existing demo data first (never real data)")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args, scale, seed, batch_size, replace, no_progress, **options):
        started = time.perf_counter()
        with tqdm(total=scale, unit="coop", disable=no_progress, file=sys.stderr) as bar:
            try:
                result = generate_demo_registry(
                    scale=scale, seed=seed, batch_size=batch_size, replace=replace, progress=bar.update
                )
            except RegistryNotEmpty as error:
                raise CommandError(str(error)) from None
        analyze("cooperatives")  # the planner's statistics of the tables just filled (core/database.py)
        elapsed = max(time.perf_counter() - started, 1e-9)
        if result.deleted_cooperatives:
            self.stdout.write(f"Deleted {result.deleted_cooperatives} demo cooperatives.")
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo registry: {result.cooperatives} cooperatives, {result.offers} offers "
                f"({result.rows} rows) in {elapsed:.1f} s, {result.rows / elapsed:.0f} rows/s (seed {seed})."
            )
        )

"""The benchmark's deterministic data set, built fast with PostgreSQL COPY and a progress bar.

Default: 100,000 cooperatives with about 300,000 offers (the demo generator with 3 offers per cooperative on
average), then 10 monitoring waves (reference years 2015-2024, the last one still open) with about 1,000,000
answers in total. Same arguments, same data: the generators are seeded.
"""

import sys
import time

from django.core.management import call_command
from django.db import connection
from tqdm import tqdm

# Offers per cooperative: mean 3.04, so 100,000 cooperatives have about 300,000 offers.
OFFER_WEIGHTS = {1: 12, 2: 22, 3: 30, 4: 22, 5: 14}
WAVES = 10
LAST_YEAR = 2024
# Answers per response of the default questionnaire as the demo generator fills it (measured: 22.6 on average).
ANSWERS_PER_RESPONSE = 22.6


def build(*, scale: int, answers: int, seed: int = 2006) -> list[str]:
    """Build the data set into an empty registry; returns lines describing what was built and how fast."""
    from cooperatives.demo import generate_demo_registry
    from cooperatives.models import Cooperative, TerritorialUnit
    from monitoring.demo import generate_demo_monitoring

    lines = []
    call_command("migrate", verbosity=0, interactive=False)
    if not TerritorialUnit.objects.exists():
        call_command("load_teryt", verbosity=0)

    started = time.perf_counter()
    with tqdm(total=scale, unit="coop", desc="registry", file=sys.stderr) as bar:
        result = generate_demo_registry(scale=scale, seed=seed, offer_weights=OFFER_WEIGHTS, progress=bar.update)
    elapsed = time.perf_counter() - started
    lines.append(
        f"registry: {result.cooperatives:,} cooperatives, {result.offers:,} offers, {result.rows:,} rows "
        f"in {elapsed:.0f} s ({result.rows / elapsed:,.0f} rows/s)"
    )

    # The open (last) wave is answered at half the rate of the published ones.
    respondents = Cooperative.objects.exclude(status=Cooperative.Status.DELETED).count()
    rate = min(1.0, answers / (ANSWERS_PER_RESPONSE * respondents * (WAVES - 0.5)))
    started = time.perf_counter()
    with tqdm(total=answers, unit="answer", desc="monitoring", file=sys.stderr) as bar:
        responses = generate_demo_monitoring(
            seed=seed,
            first_year=LAST_YEAR - WAVES + 1,
            last_year=LAST_YEAR,
            response_rate=rate,
            progress=bar.update,
        )
    elapsed = time.perf_counter() - started
    from monitoring.models import Answer

    answer_count = Answer.objects.count()
    lines.append(
        f"monitoring: {WAVES} waves, {responses:,} responses, {answer_count:,} answers in {elapsed:.0f} s "
        f"({answer_count / elapsed:,.0f} answers/s; response rate {rate:.3f})"
    )
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    lines.append(f"VACUUM ANALYZE in {time.perf_counter() - started:.0f} s")
    return lines

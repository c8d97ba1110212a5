"""Demo monitoring data: waves for several reference years with answers of the registry's cooperatives.

`generate_demo_monitoring()` is a plain function (a task queue or the benchmark can call it); `manage.py
seed_monitoring` is its command-line wrapper with the demo defaults. Deterministic: a fixed random seed per
cooperative and year. Rows are written in bulk (PostgreSQL COPY, bulk_create elsewhere), bypassing the
per-response service, because generated answers are valid by construction; the benchmark's 1,000,000 answers
would otherwise take an hour.
"""

import datetime
import random
from collections.abc import Callable
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from cooperatives.models import Cooperative
from core.bulk import bulk_insert

from . import services
from .models import Answer, RegistrySnapshot, Response, Wave

FIRST_YEAR = 2021
LAST_YEAR = 2024  # the last wave is left open, the others are published
RESPONSE_RATE = 0.7


def wave_name(year: int) -> str:
    return f"Monitoring spółdzielni socjalnych {year}"


def generate_demo_monitoring(
    *,
    seed: int = 2006,
    first_year: int = FIRST_YEAR,
    last_year: int = LAST_YEAR,
    response_rate: float = RESPONSE_RATE,
    report: Callable[[str], None] = lambda message: None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Create the waves first_year..last_year (the last one open) with answers, all or nothing.

    Returns the number of responses created; 0 when there are no cooperatives or the first wave already exists.
    `progress` is called with the number of answers of each finished batch.
    """
    cooperatives = list(Cooperative.objects.exclude(status=Cooperative.Status.DELETED).order_by("pk"))
    if not cooperatives or Wave.objects.filter(name=wave_name(first_year)).exists():
        return 0
    total = 0
    with transaction.atomic():
        waves = _create_waves(first_year, last_year)
        for index, wave in enumerate(waves):
            count = _answer(
                wave, cooperatives, seed=seed, year_index=index, response_rate=response_rate, progress=progress
            )
            report(f"{wave.name}: {count} responses.")
            total += count
    return total


def _create_waves(first_year: int, last_year: int) -> list[Wave]:
    first = Wave.objects.create(
        name=wave_name(first_year),
        reference_year=first_year,
        opens_on=datetime.date(first_year + 1, 3, 1),
        closes_on=datetime.date(first_year + 1, 6, 30),
    )
    services.questionnaire_load(wave=first, data=services.default_questionnaire_data())
    waves = [first]
    today = timezone.localdate()
    for year in range(first_year + 1, last_year + 1):
        is_last = year == last_year
        waves.append(
            services.wave_copy(
                source=first,
                name=wave_name(year),
                reference_year=year,
                opens_on=today - datetime.timedelta(days=14) if is_last else datetime.date(year + 1, 3, 1),
                closes_on=today + datetime.timedelta(days=60) if is_last else datetime.date(year + 1, 6, 30),
            )
        )
    for wave in waves:
        wave.status = Wave.Status.OPEN if wave.reference_year == last_year else Wave.Status.PUBLISHED
        wave.save(update_fields=["status"])
    registry_snapshots_take(waves)
    return waves


def registry_snapshots_take(waves) -> int:
    """The registry snapshot a closed or published wave gets when staff close it (services.wave_set_status), for
    the demo waves, which are created past their closing: today's registry, as if they had just closed. Waves that
    have one keep it. Returns the number of snapshots taken."""
    taken = 0
    for wave in waves:
        if wave.status in (Wave.Status.CLOSED, Wave.Status.PUBLISHED) and not _has_snapshot(wave):
            services.registry_snapshot_take(wave)
            taken += 1
    return taken


def _has_snapshot(wave: Wave) -> bool:
    return RegistrySnapshot.objects.filter(wave=wave).exists()


BATCH = 2000  # responses per write


def _answer(wave: Wave, cooperatives, *, seed: int, year_index: int, response_rate: float, progress) -> int:
    questions = {question.code: question for question in wave.questions.prefetch_related("choices")}
    choices = {code: {c.code: c for c in question.choices.all()} for code, question in questions.items()}
    now = timezone.now()
    # the open wave is still being collected: fewer answers, some of them drafts
    rate = response_rate if wave.status != Wave.Status.OPEN else response_rate / 2
    created = 0
    through = Answer.selected_choices.through
    for start in range(0, len(cooperatives), BATCH):
        responses, plans = [], []
        for cooperative in cooperatives[start : start + BATCH]:
            rng = random.Random(f"{seed}-{cooperative.pk}-{wave.reference_year}")
            if rng.random() > rate:
                continue
            submitted = wave.status != Wave.Status.OPEN or rng.random() < 0.8
            responses.append(
                Response(
                    wave=wave,
                    cooperative=cooperative,
                    status=Response.Status.SUBMITTED if submitted else Response.Status.DRAFT,
                    submitted_at=now if submitted else None,
                    source=Response.Source.ONLINE,
                )
            )
            plans.append(answer_values(cooperative, rng, year_index))
        bulk_insert(Response, responses)
        answers, links = [], []
        for response, plan in zip(responses, plans, strict=True):
            for code, value in plan.items():
                answer = Answer(response=response, question=questions[code])
                if isinstance(value, bool):
                    answer.bool_value = value
                elif isinstance(value, list):
                    links.append((answer, [choices[code][item] for item in value]))
                elif isinstance(value, int | Decimal):
                    answer.numeric_value = Decimal(value)
                else:
                    answer.text_value = value
                answers.append(answer)
        bulk_insert(Answer, answers)
        bulk_insert(
            through,
            [through(answer_id=answer.pk, choice_id=choice.pk) for answer, chosen in links for choice in chosen],
        )
        created += len(responses)
        if progress:
            progress(len(answers))
    return created


def answer_values(cooperative: Cooperative, rng: random.Random, year_index: int) -> dict:
    """The answers of one cooperative in one wave: consistent with its registry record, growing by year."""
    status = {
        Cooperative.Status.ACTIVE: "active",
        Cooperative.Status.INACTIVE: "inactive",
        Cooperative.Status.LIQUIDATION: "liquidation",
    }[cooperative.status]
    growth = Decimal(1) + Decimal("0.04") * year_index
    active = status == "active"
    employed = (cooperative.employees_count or rng.randint(2, 9)) if active else 0
    at_risk = min(employed, rng.randint(0, employed + 1))
    revenue = Decimal(rng.randint(80_000, 450_000)) * growth if active else Decimal(0)
    shares = [rng.random() for _index in range(4)]
    total_share = sum(shares)
    parts = [(revenue * Decimal(share / total_share)).quantize(Decimal("0.01")) for share in shares]
    has_partners = rng.random() < 0.7
    has_plan = rng.random() < 0.5
    values = {
        "activity_status": status,
        "members_at_risk": rng.randint(3, 14),
        "members_other_persons": rng.randint(0, 3),
        "members_legal_persons": rng.randint(0, 1),
        "employment_total": employed,
        "employment_at_risk": at_risk,
        "employment_new_hires": rng.randint(0, 2) if active else 0,
        "employment_fte": (Decimal(employed) * Decimal(rng.choice(["0.6", "0.75", "0.9", "1"]))).quantize(
            Decimal("0.01")
        ),
        "revenue_market": parts[0],
        "revenue_public_contracts": parts[1],
        "revenue_grants": parts[2],
        "revenue_other": parts[3],
        "equity": Decimal(rng.randint(-20_000, 150_000)),
        "main_client": rng.choice(["individuals", "companies", "local_government", "ngo"]),
        "territorial_reach": rng.choice(["local", "local", "local", "regional", "national"]),
        "has_partners": has_partners,
        "has_reintegration_plan": has_plan,
        "moved_to_open_market": rng.randint(0, 2),
        "contract_types": sorted(rng.sample(["employment_contract", "cooperative_employment", "civil_law"], 2)),
        "support_instruments": sorted(rng.sample(["startup_grant", "insurance_refund", "pfron", "owes_advice"], 2)),
    }
    if status == "inactive":
        values["inactivity_reason"] = rng.choice(["brak zleceń", "zakończenie projektu", "brak członków"])
    if has_partners:
        values["cooperation_partners"] = sorted(rng.sample(["gmina", "powiat", "owes", "ngo", "business"], 2))
        values["cooperation_frequency"] = rng.choice(["regularly", "occasionally", "rarely"])
    if has_plan:
        values["reintegration_participants"] = rng.randint(1, 10)
    if rng.random() < 0.5:
        values["public_revenue_share"] = (
            ((parts[1] + parts[2]) * 100 / revenue).quantize(Decimal("0.01")) if revenue else Decimal(0)
        )
    return values

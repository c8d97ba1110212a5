"""Demo monitoring data: waves for several reference years with answers of the registry's cooperatives.

Deterministic (a fixed random seed per cooperative and year). Rows are created in bulk, bypassing the per-response
service, because generated answers are valid by construction and a registry of 1,500 cooperatives would otherwise
take minutes.
"""

import datetime
import random
from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from cooperatives.models import Cooperative
from monitoring import services
from monitoring.models import Answer, Response, Wave

FIRST_YEAR = 2021
LAST_YEAR = 2024  # the last wave is left open, the others are published
RESPONSE_RATE = 0.7
BATCH = 1000


def _wave_name(year: int) -> str:
    return f"Monitoring spółdzielni socjalnych {year}"


class Command(BaseCommand):
    help = "Generate demo waves (reference years 2021-2024) with answers of the existing cooperatives."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2006, help="random seed (default 2006, the year of the act)")

    def handle(self, *args, seed=2006, **options):
        cooperatives = list(Cooperative.objects.exclude(status=Cooperative.Status.DELETED).order_by("pk"))
        if not cooperatives:
            self.stdout.write("No cooperatives in the registry: run seed_demo first. Nothing generated.")
            return
        if Wave.objects.filter(name=_wave_name(FIRST_YEAR)).exists():
            self.stdout.write("Demo waves already exist: nothing to do.")
            return
        with transaction.atomic():
            waves = self._create_waves()
            for index, wave in enumerate(waves):
                count = self._answer(wave, cooperatives, seed=seed, year_index=index)
                self.stdout.write(f"{wave.name}: {count} responses.")
        self.stdout.write("Done.")

    def _create_waves(self) -> list[Wave]:
        first = Wave.objects.create(
            name=_wave_name(FIRST_YEAR),
            reference_year=FIRST_YEAR,
            opens_on=datetime.date(FIRST_YEAR + 1, 3, 1),
            closes_on=datetime.date(FIRST_YEAR + 1, 6, 30),
        )
        services.questionnaire_load(wave=first, data=services.default_questionnaire_data())
        waves = [first]
        today = timezone.localdate()
        for year in range(FIRST_YEAR + 1, LAST_YEAR + 1):
            is_last = year == LAST_YEAR
            waves.append(
                services.wave_copy(
                    source=first,
                    name=_wave_name(year),
                    reference_year=year,
                    opens_on=today - datetime.timedelta(days=14) if is_last else datetime.date(year + 1, 3, 1),
                    closes_on=today + datetime.timedelta(days=60) if is_last else datetime.date(year + 1, 6, 30),
                )
            )
        for wave in waves:
            wave.status = Wave.Status.OPEN if wave.reference_year == LAST_YEAR else Wave.Status.PUBLISHED
            wave.save(update_fields=["status"])
        return waves

    def _answer(self, wave: Wave, cooperatives, *, seed: int, year_index: int) -> int:
        questions = {question.code: question for question in wave.questions.prefetch_related("choices")}
        choices = {code: {c.code: c for c in question.choices.all()} for code, question in questions.items()}
        now = timezone.now()
        responses, plans = [], {}
        for cooperative in cooperatives:
            rng = random.Random(f"{seed}-{cooperative.pk}-{wave.reference_year}")
            # the open wave is still being collected: fewer answers, some of them drafts
            rate = RESPONSE_RATE if wave.status != Wave.Status.OPEN else RESPONSE_RATE / 2
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
            plans[cooperative.pk] = self._values(cooperative, rng, year_index)
        Response.objects.bulk_create(responses, batch_size=BATCH)
        responses = list(Response.objects.filter(wave=wave).order_by("pk"))
        answers, links = [], []
        for response in responses:
            for code, value in plans[response.cooperative_id].items():
                answer = Answer(response=response, question=questions[code])
                if isinstance(value, bool):
                    answer.bool_value = value
                elif isinstance(value, list):
                    links.append((len(answers), [choices[code][item] for item in value]))
                elif isinstance(value, int | Decimal):
                    answer.numeric_value = Decimal(value)
                else:
                    answer.text_value = value
                answers.append(answer)
        Answer.objects.bulk_create(answers, batch_size=BATCH)
        through = Answer.selected_choices.through
        through.objects.bulk_create(
            [through(answer_id=answers[index].pk, choice_id=choice.pk) for index, chosen in links for choice in chosen],
            batch_size=BATCH,
        )
        return len(responses)

    @staticmethod
    def _values(cooperative: Cooperative, rng: random.Random, year_index: int) -> dict:
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

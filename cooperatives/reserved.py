"""Reserved contracts (zamówienia zastrzeżone, art. 94 of the public procurement law of 11 September 2019): a
contracting authority may reserve a contract for contractors whose main aim is the social and vocational
integration of persons at risk of exclusion and in which at least 30% of the employees are such persons.

A social cooperative has that aim by law; what a buyer needs is the share. The portal shows only what the
cooperative itself declared on its profile (employees, of whom at risk of exclusion, as of a date): a survey
answer is confidential and never published one cooperative at a time (docs/decisions/0006). The contracting
authority verifies the share in the procedure; the portal says so.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

THRESHOLD_PERCENT = 30
FILTER_VALUE = "art94"
FILTER_CHOICES = [(FILTER_VALUE, _("co najmniej 30% pracowników z grup zagrożonych wykluczeniem"))]


def max_age() -> timedelta:
    """A declaration older than this no longer counts: the share must hold when the contract is awarded."""
    return timedelta(days=settings.PORTAL_RESERVED_SHARE_MAX_AGE_DAYS)


@dataclass(frozen=True)
class ReservedShare:
    employees: int
    at_risk: int
    as_of: date

    @property
    def percent(self) -> Decimal:
        """The share in per cent, one decimal place, rounded half up (29.96 shows as 30.0 but does not count)."""
        return (Decimal(100 * self.at_risk) / Decimal(self.employees)).quantize(Decimal("0.1"), ROUND_HALF_UP)

    @property
    def meets_threshold(self) -> bool:
        # Integers, not the rounded percentage: 2 of 7 (28.6%) is below, 3 of 10 is exactly at the threshold.
        return 100 * self.at_risk >= THRESHOLD_PERCENT * self.employees

    @property
    def is_current(self) -> bool:
        return self.as_of >= timezone.localdate() - max_age()

    @property
    def qualifies(self) -> bool:
        return self.meets_threshold and self.is_current


def declared_share(cooperative) -> ReservedShare | None:
    """The cooperative's declaration, when it is complete (employees > 0, at-risk count and its date)."""
    if not cooperative.employees_count or cooperative.employees_at_risk_count is None or not cooperative.counts_as_of:
        return None
    return ReservedShare(
        employees=cooperative.employees_count,
        at_risk=cooperative.employees_at_risk_count,
        as_of=cooperative.counts_as_of,
    )


def qualifying_condition(prefix: str = "") -> Q:
    """Cooperatives (through `prefix`, e.g. "cooperative__") whose current declaration reaches the threshold and
    that are active: the same rule as ReservedShare.qualifies, in the database."""
    return Q(
        **{
            f"{prefix}status": "active",
            f"{prefix}employees_count__gt": 0,
            f"{prefix}counts_as_of__gte": timezone.localdate() - max_age(),
            # 100 * at_risk >= 30 * employees, in integers.
            f"{prefix}employees_at_risk_count__gte": F(f"{prefix}employees_count") * THRESHOLD_PERCENT / 100.0,
        }
    )


def declaration_errors(*, employees, at_risk, as_of) -> dict[str, str]:
    """Polish messages per field for a declaration that does not hold together (forms, API, admin)."""
    errors = {}
    if at_risk is None:
        return errors
    if employees is None:
        errors["employees_count"] = _(
            "Podaj liczbę pracowników: udział osób zagrożonych wykluczeniem liczy się od niej."
        )
    elif at_risk > employees:
        errors["employees_at_risk_count"] = _(
            "Liczba pracowników z grup zagrożonych wykluczeniem nie może przekraczać liczby pracowników."
        )
    if as_of is None:
        errors["counts_as_of"] = _("Podaj datę, według której stanu podajesz liczby.")
    elif as_of > timezone.localdate():
        errors["counts_as_of"] = _("Data stanu nie może być z przyszłości.")
    return errors

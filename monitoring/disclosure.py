"""Statistical disclosure control of the published statistics: the cell-key method (docs/decisions/0005).

Every response has a secret random `record_key`. A cell's key is the sum of its contributors' keys (mod 2**31),
computed in the same aggregate query as the cell, so the same cooperatives always give the same key, whichever
table, filter, trend or panel reached them. The perturbation of a cell is drawn from an HMAC of that key under a
secret setting (MONITORING_PERTURBATION_KEY), never from anything an outsider can know:

- counts are rounded to a multiple of 3, up with probability remainder / 3 (unbiased random rounding), so any sum
  or difference of published counts is a multiple of 3 and never equals a true 1 or 2;
- sums (magnitudes) of fewer than MONITORING_MIN_CELL_SIZE cooperatives are not published; the others get noise of
  between half and all of D x their largest single contribution (D: MONITORING_PERTURBATION_SCALE), never zero,
  so a difference of two tables gives one cooperative's value only within a wide band.

A magnitude cell's key also holds a secret salt per question code, so one cooperative's answers to two questions
(its employment, its revenue) draw different noise; a count's key does not, so a population's count is the same
number wherever it is published (a table cell, a contributor count, the number of responses, the panel's size).
"""

import hashlib
import hmac
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings

KEY_MODULUS = 2**31
COUNT_BASE = 3
CENTS = Decimal("0.01")
DEFAULT_SCALE = "0.2"
# The least noise of a sum, in its own unit (zł, or persons and full-time jobs), so a sum of zeros is not published
# as an exact zero.
FLOOR = {"amount": Decimal(100), "other": Decimal(1)}


def _secret() -> bytes:
    return settings.MONITORING_PERTURBATION_KEY.encode()


def scale() -> Decimal:
    return Decimal(str(getattr(settings, "MONITORING_PERTURBATION_SCALE", DEFAULT_SCALE)))


def _draw(*parts) -> bytes:
    message = "|".join(str(part) for part in parts).encode()
    return hmac.new(_secret(), message, hashlib.sha256).digest()


def _uniform(digest: bytes, start: int) -> float:
    """A number in [0, 1) from 8 bytes of a digest."""
    return int.from_bytes(digest[start : start + 8], "big") / 2**64


def question_salt(code: str) -> int:
    """A secret constant per question code, added to the key of each answer to it."""
    return int.from_bytes(_draw("question", code)[:8], "big") % KEY_MODULUS


def answers_key(record_keys_sum: int, answers: int, code: str) -> int:
    """Key of a set of answers to one question: their responses' keys plus the question's salt per answer."""
    return (int(record_keys_sum or 0) + answers * question_salt(code)) % KEY_MODULUS


def round_count(count: int, key: int) -> int:
    """Unbiased random rounding to a multiple of COUNT_BASE, the same for the same population (key and count)."""
    if count <= 0:
        return 0
    remainder = count % COUNT_BASE
    if remainder == 0:
        return count
    up = _uniform(_draw("count", int(key or 0) % KEY_MODULUS, count), 0) < remainder / COUNT_BASE
    return count - remainder + (COUNT_BASE if up else 0)


def perturb_sum(value, contributors: int, key: int, top, *, floor: Decimal) -> Decimal:
    """A sum with noise of s x max(D x top, floor), |s| in [0.5, 1] and its sign from the cell key; two decimals.

    A non-negative sum stays non-negative (the noise then goes up)."""
    value = Decimal(value or 0)
    digest = _draw("sum", int(key or 0) % KEY_MODULUS, contributors)
    size = Decimal(0.5 + 0.5 * _uniform(digest, 8)).quantize(Decimal("0.000001"))
    sign = 1 if digest[0] & 1 else -1
    noise = size * max(scale() * abs(Decimal(top or 0)), floor)
    published = value + sign * noise
    if published < 0 <= value:
        published = value + noise
    return published.quantize(CENTS, rounding=ROUND_HALF_UP)

"""The statistics version of a wave: a counter raised in the same transaction as every change to what the wave's
statistics count, read together with the wave, and part of every cache key of its aggregates."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import connection
from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from .models import StatisticsVersion, Wave

# Waves whose bump waits for the end of a bulk write (an import): see bumps_deferred.
_deferred: ContextVar[set[int] | None] = ContextVar("monitoring_deferred_bumps", default=None)


def bump_statistics_version(wave_id: int) -> None:
    """Raise the wave's counter (creating it at 1). Call it inside the transaction of the change."""
    pending = _deferred.get()
    if pending is not None:
        pending.add(wave_id)
        return
    table = connection.ops.quote_name(StatisticsVersion._meta.db_table)
    with connection.cursor() as cursor:
        # One statement on PostgreSQL and SQLite alike; the row lock it takes lasts until the commit.
        cursor.execute(
            f"INSERT INTO {table} (wave_id, number) VALUES (%s, 1) "
            f"ON CONFLICT (wave_id) DO UPDATE SET number = {table}.number + 1",
            [wave_id],
        )


@contextmanager
def bumps_deferred() -> Iterator[None]:
    """Collect the bumps of a bulk write and make them once at its end (still inside its transaction), so a long
    import does not hold the wave's counter row locked, blocking the online answers, from its first row on."""
    pending: set[int] = set()
    token = _deferred.set(pending)
    try:
        yield
    finally:
        _deferred.reset(token)
    for wave_id in sorted(pending):
        bump_statistics_version(wave_id)


def versions_of(waves: list[Wave]) -> dict[int, int]:
    """The counters of the waves (0 for a wave never changed), from an annotation when the wave carries one."""
    known = {wave.pk: wave.statistics_version_number for wave in waves if hasattr(wave, "statistics_version_number")}
    missing = [wave.pk for wave in waves if wave.pk not in known]
    if missing:
        numbers = dict(StatisticsVersion.objects.filter(wave_id__in=missing).values_list("wave_id", "number"))
        known.update({pk: numbers.get(pk, 0) for pk in missing})
    return known


def with_statistics_version(waves):
    """Annotate a Wave queryset with `statistics_version_number`, so reading the version costs no query."""
    number = StatisticsVersion.objects.filter(wave=OuterRef("pk")).values("number")[:1]
    return waves.annotate(statistics_version_number=Coalesce(Subquery(number), Value(0)))

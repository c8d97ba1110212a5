"""`make bench`: speed and memory of the portal at the scale of the whole social economy, against the database floor.

Run on PostgreSQL only (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/portal_bench):

1. builds the deterministic data set into an empty bench database (bench/dataset.py: the demo generators with
   PostgreSQL COPY; 100,000 cooperatives, ~300,000 offers, 10 waves with ~1,000,000 answers by default);
2. measures each endpoint in-process (full middleware stack, production settings) many times, warm, and
   interleaves every run with the "floor": the same SQL statements the endpoint ran (captured), executed
   directly through psycopg and serialised with json.dumps;
3. measures exports: rows per second and peak memory growth (tracemalloc and resident set size);
4. evaluates search relevance: recall@20 and nDCG@10 per class of the judged query set (bench/relevance.py),
   generated from the data set's registry and run through the catalogue's selector;
5. optionally (--load) serves the production settings with gunicorn on 127.0.0.1 and runs a bounded load with
   wrk (50 connections, 60 s by default) on a mix of the pages.

`--relevance` runs only step 4, on any database: the bench database, or with `--sqlite PATH` a SQLite file (an empty
database is migrated and given a demo registry of `--scale` cooperatives, e.g. `--scale 1500`, the demo size).

Timing never goes into the test suite: this command prints a Markdown report (and writes it with --output).
"""

import argparse
import json
import os
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/portal_bench"
DEMO_SCALE = 1500  # cooperatives.demo.DEFAULT_SCALE (not imported: Django is not set up yet)


def configure_django() -> None:
    os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
    os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 50)
    os.environ.setdefault("MONITORING_PERTURBATION_KEY", "bench-only-perturbation-key")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
    # As in production, the shared cache is Redis (BENCH_REDIS_URL; the local server's database 15 by default).
    os.environ["REDIS_URL"] = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15")
    # Every request of the bench comes from one client: the per-address API limit (120/min) would answer the
    # repetitions with 429, which is fast and measures nothing.
    os.environ["API_ANON_RATE"] = "1000000/min"
    os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings.prod"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


@dataclass
class Measurement:
    name: str
    path: str
    endpoint_ms: list[float] = field(default_factory=list)
    floor_ms: list[float] = field(default_factory=list)
    queries: int = 0
    status: int = 0
    size_bytes: int = 0
    note: str = ""

    @staticmethod
    def percentile(values: list[float], q: float) -> float:
        if not values:
            return float("nan")
        ordered = sorted(values)
        index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
        return ordered[index]

    def row(self) -> str:
        p50, p95 = self.percentile(self.endpoint_ms, 50), self.percentile(self.endpoint_ms, 95)
        f50 = self.percentile(self.floor_ms, 50)
        if self.queries:
            ratio = f"{p50 / f50:.1f}x" if f50 else "n/a"
            floor = f"{f50:.1f}"
        else:  # served without SQL (from the cache): there is no floor to compare with
            ratio = floor = "n/a"
        return (
            f"| {self.name} | {self.status} | {p50:.1f} | {p95:.1f} | {floor} | {ratio} | {self.queries} "
            f"| {self.size_bytes / 1024:.1f} | {self.note} |"
        )


def consume(response) -> int:
    if getattr(response, "streaming", False):
        return sum(len(chunk) for chunk in response.streaming_content)
    return len(response.content)


class Floor:
    """The same SQL through a plain psycopg connection, rows serialised with json.dumps."""

    def __init__(self, dsn: str):
        import psycopg

        self.connection = psycopg.connect(dsn, autocommit=True)

    def run(self, statements: list[str]) -> None:
        with self.connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql.encode())
                if cursor.description is not None:
                    json.dumps(cursor.fetchall(), default=str)


def measure(
    client, floor: Floor, name: str, path: str, repetitions: int, note: str = "", *, cold: bool = False
) -> Measurement:
    """`cold`: the cache is emptied before every run (outside the timing), so what the page caches is recomputed."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def prepare():
        if cold:
            cache.clear()

    result = Measurement(name=name, path=path, note=note)
    for _ in range(3):  # warm connection, templates (and caches, unless cold)
        consume(client.get(path))
    prepare()
    with CaptureQueriesContext(connection) as context:
        response = client.get(path)
        result.size_bytes = consume(response)
    result.status = response.status_code
    statements = [q["sql"] for q in context.captured_queries]
    result.queries = len(statements)
    other_statuses = 0
    for _ in range(repetitions):
        prepare()
        start = time.perf_counter()
        response = client.get(path)
        consume(response)
        result.endpoint_ms.append((time.perf_counter() - start) * 1000)
        other_statuses += response.status_code != result.status
        start = time.perf_counter()
        floor.run(statements)
        result.floor_ms.append((time.perf_counter() - start) * 1000)
    if other_statuses:
        result.note = f"{other_statuses} runs answered another status than {result.status}! {result.note}".strip()
    return result


def explain_uses_indexes(path: str, client, tables: tuple[str, ...]) -> str:
    """EXPLAIN every statement of one request; report sequential scans of the large tables."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as context:
        consume(client.get(path))
    seq_scans = []
    with connection.cursor() as cursor:
        for query in context.captured_queries:
            sql = query["sql"]
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            cursor.execute("EXPLAIN " + sql)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            # the table itself, not cooperatives_offercategory or cooperatives_cooperative_target_groups
            seq_scans += [t for t in tables if re.search(rf"Seq Scan on {t}\b", plan)]
    return "no sequential scan of " + ", ".join(tables) if not seq_scans else "SEQ SCAN: " + ", ".join(seq_scans)


def rss_high_water_kb() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def reset_rss_high_water() -> None:
    try:
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")
    except OSError:
        pass


def measure_export(client, name: str, path: str, rows_hint: int) -> str:
    """Two runs: one timed (with the resident-set high-water mark), one under tracemalloc for the Python peak
    (tracemalloc slows allocation, so it never times)."""
    import tracemalloc

    reset_rss_high_water()
    rss_before = rss_high_water_kb()
    start = time.perf_counter()
    response = client.get(path)
    size = consume(response)
    elapsed = time.perf_counter() - start
    rss_growth_mb = (rss_high_water_kb() - rss_before) / 1024
    tracemalloc.start()
    consume(client.get(path))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rate = rows_hint / elapsed if elapsed else 0
    return (
        f"| {name} | {response.status_code} | {elapsed:.2f} s | {rows_hint:,} | {rate:,.0f} rows/s "
        f"| {size / 1024 / 1024:.1f} MB | {peak / 1024 / 1024:.1f} MB | {rss_growth_mb:.1f} MB |"
    )


def ensure_dataset(scale: int, answers: int) -> list[str]:
    """Build the data set into an empty bench database; refuse to measure a database of another size."""
    from bench import dataset
    from cooperatives.models import Cooperative

    current = Cooperative.objects.count() if _migrated() else 0
    if current == 0:
        print(f"Building the data set: {scale:,} cooperatives, {answers:,} answers...", file=sys.stderr)
        return dataset.build(scale=scale, answers=answers)
    if current != scale:
        raise SystemExit(
            f"The bench database holds {current:,} cooperatives, not {scale:,}: drop it (make bench-reset) "
            "or measure it as it is with --skip-seed."
        )
    return []


def _migrated() -> bool:
    from django.db import connection

    return "cooperatives_cooperative" in connection.introspection.table_names()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--scale", type=int, help="cooperatives in the data set (100,000; with --relevance 1,500, the demo size)"
    )
    parser.add_argument("--answers", type=int, default=1_000_000, help="monitoring answers in the data set")
    parser.add_argument("--repetitions", type=int, default=50)
    parser.add_argument("--skip-seed", action="store_true")
    parser.add_argument("--load", action="store_true", help="also run the gunicorn + wrk load test")
    parser.add_argument("--load-seconds", type=int, default=60)
    parser.add_argument("--only", help="measure only the endpoints and exports whose name contains this")
    parser.add_argument("--load-only", action="store_true", help="only the load run (implies --load)")
    parser.add_argument("--output", type=Path, help="write the Markdown report here")
    parser.add_argument("--relevance", action="store_true", help="only the search relevance of the judged query set")
    parser.add_argument("--sqlite", type=Path, help="with --relevance: a SQLite file instead of the bench database")
    args = parser.parse_args(argv)
    if args.sqlite:
        if not args.relevance:
            parser.error("--sqlite needs --relevance: the speed benchmark runs on PostgreSQL only")
        os.environ["BENCH_DATABASE_URL"] = f"sqlite:///{args.sqlite.resolve()}"

    configure_django()
    if args.relevance:
        return _report(relevance_only(args.scale or DEMO_SCALE), args.output)
    args.scale = args.scale or 100_000
    from django.conf import settings
    from django.test import Client

    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        print("make bench needs PostgreSQL (BENCH_DATABASE_URL).", file=sys.stderr)
        return 2
    built = [] if args.skip_seed else ensure_dataset(args.scale, args.answers)

    # The cache may hold entries of another database (keys carry per-wave versions, not the database): start empty.
    from django.core.cache import cache
    from django.core.management import call_command

    from bench import scenarios

    cache.clear()
    # Production settings use the manifest static storage: templates need the collected manifest.
    call_command("collectstatic", interactive=False, verbosity=0)

    dsn = os.environ["DATABASE_URL"]
    floor = Floor(dsn)
    client = Client()
    lines = [
        "# Benchmark report",
        "",
        f"Data set: {scenarios.dataset_summary()}.",
        *(f"Built now: {line}." for line in built),
    ]
    if args.load_only:
        from bench import load

        lines += ["", load.run(scenarios.load_paths(client), seconds=args.load_seconds)]
        return _report(lines, args.output)
    lines += [
        f"Repetitions per endpoint: {args.repetitions} (after 3 warm-up runs).",
        "",
        "| endpoint | status | p50 ms | p95 ms | floor p50 ms | endpoint/floor | queries | KB | note |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name, path, note, *flags in scenarios.endpoints(client):
        if args.only and args.only not in name:
            continue
        measurement = measure(client, floor, name, path, args.repetitions, note, cold="cold" in flags)
        lines.append(measurement.row())
        print(lines[-1], file=sys.stderr)
    lines += ["", "Search plans: " + explain_uses_indexes(scenarios.typo_search_path(), client, scenarios.LARGE_TABLES)]
    if not args.only or args.only in "search relevance":
        from bench import relevance

        lines += ["", relevance.run("PostgreSQL")]
        print(lines[-1], file=sys.stderr)
    lines += [
        "",
        "| export | status | time | rows | rate | size | Python peak (tracemalloc) | RSS growth |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name, path, rows in scenarios.exports(client):
        if args.only and args.only not in name:
            continue
        lines.append(measure_export(client, name, path, rows))
        print(lines[-1], file=sys.stderr)
    if args.load:
        from bench import load

        lines += ["", load.run(scenarios.load_paths(client), seconds=args.load_seconds)]
    return _report(lines, args.output)


def relevance_only(scale: int) -> list[str]:
    """The relevance section alone, on the configured database; an empty one is migrated and seeded first."""
    from django.core.management import call_command
    from django.db import connection

    from bench import relevance
    from cooperatives.demo import generate_demo_registry
    from cooperatives.models import Cooperative

    call_command("migrate", interactive=False, verbosity=0)
    if not Cooperative.objects.exists():
        print(f"Seeding a demo registry of {scale:,} cooperatives...", file=sys.stderr)
        generate_demo_registry(scale=scale)
    database = "PostgreSQL" if connection.vendor == "postgresql" else "SQLite"
    return ["# Search relevance", "", relevance.run(database)]


def _report(lines: list[str], output: Path | None) -> int:
    report = "\n".join(lines) + "\n"
    print(report)
    if output:
        output.write_text(report, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

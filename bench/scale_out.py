"""`make scale-out`: requests per second of ONE app server behind nginx against TWO, on the same data and load.

Both runs go through nginx (bench/cluster.py: the production settings, deploy/gunicorn.conf.py, a round-robin
upstream), each app server with the same number of workers (--workers, default 1: one app server stands for one
machine's cores), wrk with the load run's mix of pages (bench/scenarios.load_paths). The database is
BENCH_DATABASE_URL, else DATABASE_URL (a demo registry from `manage.py bootstrap` is enough; it is only read); the
cache is BENCH_REDIS_URL (default redis://127.0.0.1:6379/15), emptied of the portal's keys before each run.

On one machine the two servers share its cores, PostgreSQL and Redis: the ratio says how far the portal scales
out when nothing else is the bottleneck, only if the machine has cores to spare (see docs/performance.md).
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from bench import load
from bench.cluster import ROOT, cluster


def _wrk(url: str, script: str, *, connections: int, seconds: int) -> tuple[float, str]:
    output = subprocess.run(
        ["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "--timeout", "5s", "-s", script, url],
        capture_output=True,
        text=True,
        timeout=seconds + 60,
    ).stdout
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    return (float(rps.group(1)) if rps else 0.0), output


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, default=1, help="gunicorn workers per app server")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--warm-up", type=int, default=5)
    args = parser.parse_args(argv)

    if not load._ensure_wrk():
        print("wrk is not installed (apt-get install wrk).")
        return 2
    database_url = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("DATABASE_URL")
    if not database_url or not database_url.startswith("postgres"):
        print("Set BENCH_DATABASE_URL or DATABASE_URL to a PostgreSQL database with data (manage.py bootstrap).")
        return 2
    os.environ["BENCH_DATABASE_URL"] = database_url
    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15")
    os.environ["BENCH_REDIS_URL"] = redis_url
    from bench import run as bench_run

    bench_run.configure_django()  # production settings on that database, as the servers will run
    from django.test import Client

    from bench import scenarios
    from core.backups import clear_cached_data

    paths = scenarios.load_paths(Client())
    with tempfile.TemporaryDirectory(prefix="scale-out-") as tmp:
        env = {
            "SECRET_KEY": "scale-out-only-" + "x" * 50,
            "MONITORING_PERTURBATION_KEY": "bench-only-perturbation-key",
            "ALLOWED_HOSTS": "127.0.0.1",
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "API_ANON_RATE": "1000000/min",  # every request comes from one address
            "SECURE_SSL_REDIRECT": "false",
            "STATIC_ROOT": str(Path(tmp) / "static"),
        }
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=ROOT,
            env={**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings.prod", **env},
            check=True,
        )
        script = Path(tmp) / "paths.lua"
        script.write_text(load.LUA % ", ".join(f'"{p}"' for p in paths))
        results = {}
        for servers in (1, 2):
            clear_cached_data()
            with cluster(Path(tmp) / f"run{servers}", env, servers=servers, workers=args.workers) as running:
                _wrk(running.url, str(script), connections=args.connections, seconds=args.warm_up)
                results[servers] = _wrk(running.url, str(script), connections=args.connections, seconds=args.seconds)
    one, two = results[1][0], results[2][0]
    print(
        f"Scale-out: {os.cpu_count()} cores, {args.workers} worker(s) per app server, wrk {args.connections} "
        f"connections for {args.seconds} s through nginx over {len(paths)} URLs.\n\n"
        "| app servers | requests/s |\n| --- | --- |\n"
        f"| 1 | {one:.1f} |\n| 2 | {two:.1f} |\n\n"
        f"Ratio 2/1: {two / one if one else float('nan'):.2f}x. Load average: {os.getloadavg()[0]:.2f}."
    )
    for servers, (_, output) in results.items():
        print(f"\n{servers} app server(s):\n```\n{output.strip()}\n```")
    return 0


if __name__ == "__main__":
    sys.exit(main())

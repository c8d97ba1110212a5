"""Load run: production settings served by gunicorn on 127.0.0.1, wrk as the bounded load generator.

Only loopback traffic; the run stops by itself after `seconds`. wrk comes from Debian's packages (installed here
when missing and running as root).
"""

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PORT = int(os.environ.get("BENCH_PORT", "8199"))
CONNECTIONS = 50


def _ensure_wrk() -> str | None:
    path = shutil.which("wrk")
    if path:
        return path
    if os.geteuid() == 0:
        subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=False, capture_output=True)
    return shutil.which("wrk")


def _wait_until_up(url: str, timeout: float = 30) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - loopback only
                return True
        except Exception:  # noqa: BLE001
            time.sleep(0.5)
    return False


LUA = """
paths = {%s}
counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter %% #paths) + 1])
end
"""


def run(paths: list[str], *, seconds: int = 60) -> str:
    wrk = _ensure_wrk()
    if not wrk:
        return "Load run skipped: wrk is not installed (apt-get install wrk)."
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.prod",
        # As in production: the shared cache is Redis (BENCH_REDIS_URL; the local server's database 15 by default).
        "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15"),
        # All 50 clients come from one address: the per-address API limit (120/min) would answer most of them
        # with 429, which measures the throttle, not the portal. Real clients each have their own budget.
        "API_ANON_RATE": "1000000/min",
    }
    python = sys.executable
    subprocess.run([python, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    # Sync workers, 2 x cores + 1 (gunicorn's rule of thumb): the kernel hands each new connection to an idle worker,
    # so a queue never forms behind one busy process; threads would share one process's GIL per worker.
    workers = str(int(os.environ.get("BENCH_WORKERS", 2 * (os.cpu_count() or 2) + 1)))
    worker_class = os.environ.get("BENCH_WORKER_CLASS", "sync")
    threads = os.environ.get("BENCH_THREADS", "1")
    access_log = tempfile.NamedTemporaryFile(suffix=".log", delete=False).name
    server = subprocess.Popen(
        [
            python,
            "-m",
            "gunicorn",
            "portal.wsgi:application",
            "--bind",
            f"127.0.0.1:{PORT}",
            "--workers",
            workers,
            "--worker-class",
            worker_class,
            "--threads",
            threads,
            "--log-level",
            "warning",
            "--access-logfile",
            access_log,
            "--access-logformat",
            "%(r)s|%(s)s|%(D)s",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        base = f"http://127.0.0.1:{PORT}"
        if not _wait_until_up(base + paths[0]):
            return "Load run failed: gunicorn did not answer."
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
            script.write(LUA % ", ".join(f'"{p}"' for p in paths))
        # Warm-up, not reported: every worker loads its templates, URL patterns and connections, the caches fill.
        subprocess.run(
            [wrk, "-t", "2", "-c", "10", "-d", "10s", "-s", script.name, base], capture_output=True, timeout=90
        )
        warm_up_bytes = os.path.getsize(access_log)
        output = subprocess.run(
            [wrk, "-t", "2", "-c", str(CONNECTIONS), "-d", f"{seconds}s", "--timeout", "2s", "--latency"]
            + ["-s", script.name, base],
            capture_output=True,
            text=True,
            timeout=seconds + 60,
        ).stdout
        os.unlink(script.name)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    with open(access_log, encoding="utf-8", errors="replace") as log:
        log.seek(warm_up_bytes)
        per_path = _per_path(log)
    os.unlink(access_log)
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    p99 = re.search(r"99%\s+([\d.]+\w+)", output)
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    socket_errors = re.search(r"Socket errors: (.*)", output)
    errors = int(non_2xx.group(1)) if non_2xx else 0
    return "\n".join(
        [
            f"Load run: gunicorn ({workers} {worker_class} workers x {threads} threads, production settings, Redis "
            f"cache, API rate limit lifted) on 127.0.0.1, wrk {CONNECTIONS} connections for {seconds} s (a response "
            f"slower than 2 s counts as a timeout error) over {len(paths)} URLs:",
            "",
            *(f"- `{path}`" for path in paths),
            "",
            "| requests/s | p99 | error responses | socket errors |",
            "| --- | --- | --- | --- |",
            f"| {rps.group(1) if rps else '?'} | {p99.group(1) if p99 else '?'} | {errors} "
            f"| {socket_errors.group(1) if socket_errors else 'none'} |",
            "",
            "Server time per URL (gunicorn's access log, the measured run only; queueing before a worker takes the "
            "request is not in it):",
            "",
            "| URL | requests | non-2xx | p50 ms | p99 ms | max ms |",
            "| --- | --- | --- | --- | --- | --- |",
            *per_path,
            "",
            "```",
            output.strip(),
            "```",
        ]
    )


def _per_path(lines) -> list[str]:
    times: dict[str, list[float]] = {}
    failures: dict[str, int] = {}
    for line in lines:
        parts = line.strip().rsplit("|", 2)  # "GET /path?query HTTP/1.1", status, microseconds
        if len(parts) != 3 or not re.fullmatch(r"[0-9]+", parts[2]):
            continue
        request_line, status, micros = parts
        fields = request_line.split(" ")
        path = fields[1] if len(fields) > 1 else request_line
        times.setdefault(path, []).append(int(micros) / 1000)
        failures[path] = failures.get(path, 0) + (not status.startswith("2"))
    rows = []
    for path, values in times.items():
        values.sort()

        def at(q, values=values):
            return values[min(len(values) - 1, round(q / 100 * (len(values) - 1)))]

        rows.append(f"| `{path}` | {len(values)} | {failures[path]} | {at(50):.0f} | {at(99):.0f} | {values[-1]:.0f} |")
    return rows

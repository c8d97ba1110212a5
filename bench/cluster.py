"""N app servers (gunicorn with deploy/gunicorn.conf.py, production settings) behind nginx on loopback ports, as in
docs/deployment.md but in a temporary directory: used by tests/deploy/test_two_servers.py and bench/scale_out.py.

nginx runs as a non-daemon child with its own configuration, pid file, logs and temporary paths, a round-robin
upstream of the app servers, and adds `X-Upstream` (the app server that answered) to every response.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

NGINX_CONF = """
worker_processes 1;
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
    client_body_temp_path {tmp}/client_body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    access_log {tmp}/nginx-access.log;
    client_max_body_size 25m;
    map $http_x_request_id $portal_request_id {{
        default $http_x_request_id;
        "" $request_id;
    }}
    upstream portal_app {{
{servers}
        keepalive 16;
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://portal_app;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-Proto https;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Request-ID $portal_request_id;
            add_header X-Upstream $upstream_addr always;
            add_header X-Request-ID $portal_request_id always;
            proxy_read_timeout 35s;
            proxy_next_upstream error timeout;
        }}
    }}
}}
"""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def missing_programs() -> list[str]:
    """What the cluster needs and this machine lacks (nginx from Debian's package; gunicorn from requirements)."""
    missing = [] if shutil.which("nginx") or Path("/usr/sbin/nginx").exists() else ["nginx"]
    try:
        import gunicorn  # noqa: F401
    except ImportError:
        missing.append("gunicorn")
    return missing


@dataclass
class Cluster:
    url: str
    server_urls: list[str]
    directory: Path
    processes: list[subprocess.Popen] = field(default_factory=list)

    def log(self, name: str) -> str:
        path = self.directory / name
        return path.read_text(errors="replace") if path.exists() else ""


def _wait_for(url: str, process: subprocess.Popen, timeout: float, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url}: the process exited ({process.returncode}):\n{log.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - loopback only
                return
        except Exception:  # noqa: BLE001 - not up yet
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout} s:\n{log.read_text(errors='replace')[-3000:]}")


@contextmanager
def cluster(directory: Path, env: dict[str, str], *, servers: int = 2, workers: int = 2, timeout: float = 60):
    """Start `servers` gunicorn app servers of `workers` workers and nginx in front; stop them all on exit.

    `env` is the app servers' environment on top of this process's (the production settings need SECRET_KEY,
    DATABASE_URL, MONITORING_PERTURBATION_KEY, ALLOWED_HOSTS, REDIS_URL, ...). Logs are in `directory`.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    ports = [free_port() for _ in range(servers)]
    processes: list[subprocess.Popen] = []
    server_env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.prod",
        "TRUSTED_PROXIES": "127.0.0.1",
        **env,
        "GUNICORN_WORKERS": str(workers),
        "GUNICORN_LOG_LEVEL": "warning",
    }
    try:
        for index, port in enumerate(ports):
            log = directory / f"app{index}.log"
            processes.append(
                subprocess.Popen(
                    [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "deploy" / "gunicorn.conf.py"), "portal.wsgi"],
                    cwd=ROOT,
                    env={**server_env, "GUNICORN_BIND": f"127.0.0.1:{port}"},
                    stdout=log.open("wb"),
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )
        for index, port in enumerate(ports):
            _wait_for(f"http://127.0.0.1:{port}/livez", processes[index], timeout, directory / f"app{index}.log")
        for temp in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (directory / temp).mkdir(exist_ok=True)
        nginx_port = free_port()
        conf = directory / "nginx.conf"
        conf.write_text(
            NGINX_CONF.format(
                tmp=directory,
                port=nginx_port,
                servers="\n".join(f"        server 127.0.0.1:{port} max_fails=0;" for port in ports),
            )
        )
        nginx_log = directory / "nginx-stdout.log"
        processes.append(
            subprocess.Popen(
                [nginx, "-c", str(conf), "-p", str(directory), "-e", str(directory / "nginx-error.log")],
                stdout=nginx_log.open("wb"),
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )
        url = f"http://127.0.0.1:{nginx_port}"
        _wait_for(url + "/livez", processes[-1], timeout, directory / "nginx-error.log")
        yield Cluster(url, [f"http://127.0.0.1:{port}" for port in ports], directory, processes)
    finally:
        for process in processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)

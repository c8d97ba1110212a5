"""Browser fixtures: Playwright drives Debian's Chromium (no browser download) against pytest-django's live server.

Without a Chromium binary the e2e tests skip, except in CI (CI=true), where a missing browser is a failure.
Failed tests leave a full-page screenshot in ARTIFACTS_DIR, printed in the pytest header and summary.
"""

import importlib
import os
import re
import shutil
from pathlib import Path

import pytest

# The sync Playwright API runs an event loop in the test thread; Django's ORM refuses to run in a thread with a
# running loop unless told it is safe. It is here: the loop only drives the browser, never Django code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS_DIR = ROOT / "test-artifacts" / "e2e"
AXE_JS = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Map tiles come from the internet; nothing may leave the machine during the tests.
BLOCKED_HOSTS = re.compile(r"^https?://([a-z0-9-]+\.)*(tile\.openstreetmap\.org)/")


def chromium_path() -> str | None:
    return os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


def pytest_report_header(config):
    return f"e2e screenshots of failures: {ARTIFACTS_DIR}"


def pytest_terminal_summary(terminalreporter):
    if ARTIFACTS_DIR.is_dir() and any(ARTIFACTS_DIR.iterdir()):
        terminalreporter.write_line(f"e2e screenshots of failures are in {ARTIFACTS_DIR}")


def pytest_collection_modifyitems(items):
    e2e_dir = Path(__file__).resolve().parent
    for item in items:
        if e2e_dir in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.e2e)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Uploads (publication files, documents) go to a temporary directory, never into the repository."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private_media"


# Data migrations whose rows (offer categories, target groups, role groups) the flush after each transactional test
# removes; their functions are idempotent, so they are simply run again.
SEED_MIGRATIONS = ("cooperatives.migrations.0002_seed_dictionaries", "accounts.migrations.0002_create_role_groups")


@pytest.fixture
def seed_dictionaries(transactional_db):
    from django.apps import apps
    from django.db.migrations import RunPython

    for module in SEED_MIGRATIONS:
        for operation in importlib.import_module(module).Migration.operations:
            if isinstance(operation, RunPython):
                operation.code(apps, None)


@pytest.fixture(scope="session")
def browser():
    executable = chromium_path()
    if executable is None:
        message = "Chromium not found (install Debian's `chromium` package or set CHROMIUM=/path/to/chromium)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{message}: required in CI")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def artifacts_dir():
    """The folder of this run's screenshots; those of an earlier run are removed so they cannot mislead."""
    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS_DIR.glob("*.png"):
        old.unlink()
    return ARTIFACTS_DIR


def _block_external(route):
    route.abort()


@pytest.fixture
def new_page(browser, live_server, artifacts_dir, request):
    """A factory of pages, one fresh browser context (cookies) each; screenshots of every page if the test fails."""
    contexts = []

    def make(*, session_cookie: str | None = None):
        # bypass_csp lets the tests inject axe-core; the site's own pages still run under their strict policy
        # (tests/core/test_security_headers.py and the template scan check it).
        context = browser.new_context(base_url=live_server.url, locale="pl-PL", accept_downloads=True, bypass_csp=True)
        context.set_default_timeout(15_000)
        context.route(BLOCKED_HOSTS, _block_external)
        if session_cookie:
            context.add_cookies([{"name": "sessionid", "value": session_cookie, "url": live_server.url}])
        contexts.append(context)
        return context.new_page()

    yield make
    failed = getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed
    for index, context in enumerate(contexts):
        if failed:
            for number, page in enumerate(context.pages):
                name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid)
                page.screenshot(path=str(artifacts_dir / f"{name}-{index}-{number}.png"), full_page=True)
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


def session_cookie_for(client, user) -> str:
    """Signs the user in without the log-in form (and its TOTP step) and returns the session key for the browser."""
    client.force_login(user)
    return client.cookies["sessionid"].value

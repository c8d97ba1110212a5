"""Two app servers (gunicorn, portal.settings.prod) behind nginx, round-robin, sharing PostgreSQL, Redis and the
file roots: nothing a visitor does may depend on which server answers (docs/deployment.md, "Several app servers").

The servers run the committed test database (transactional tests), a private redis-server (tests/cache_servers.py)
and temporary MEDIA_ROOT / PRIVATE_MEDIA_ROOT / STATIC_ROOT. nginx tells which server answered (`X-Upstream`).
Skipped where nginx or gunicorn is missing, except in CI (CI=true), where that fails.
"""

import io
import json
import os
import re
import subprocess
import sys
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from PIL import Image

from bench.cluster import ROOT, cluster, missing_programs
from cooperatives.models import CooperativePhoto, Membership, Offer
from tests.cooperatives.factories import CooperativeFactory, OfferFactory
from tests.e2e.conftest import seed_dictionaries  # noqa: F401  (fixture)
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("territory", "seed_dictionaries"),
]

PASSWORD = "haslo-dwoch-serwerow-123"
API_RATE = 20  # anonymous API requests per minute per client address, on every server together


@pytest.fixture(scope="module")
def stack(django_db_setup, django_db_blocker, redis_server, tmp_path_factory):
    from django.db import connection

    missing = missing_programs()
    if missing:
        reason = f"{', '.join(missing)} not installed (apt-get install nginx; pip install -r requirements.txt)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI needs the two-server test: {reason}")
        pytest.skip(reason)
    if connection.vendor != "postgresql":
        pytest.skip("two app servers share one database server: needs PostgreSQL (set DATABASE_URL)")
    base = tmp_path_factory.mktemp("two-servers")
    db = connection.settings_dict
    env = {
        "SECRET_KEY": "two-servers-test-" + "x" * 40,
        "MONITORING_PERTURBATION_KEY": "two-servers-test",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}",
        "REDIS_URL": redis_server.rsplit("/", 1)[0] + "/4",
        "DB_POOL_MIN_SIZE": "1",
        "DB_POOL_MAX_SIZE": "4",
        "STATIC_ROOT": str(base / "static"),
        "MEDIA_ROOT": str(base / "media"),
        "PRIVATE_MEDIA_ROOT": str(base / "private"),
        "API_ANON_RATE": f"{API_RATE}/min",
        "SECURE_SSL_REDIRECT": "false",
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
    }
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings.prod", **env},
        check=True,
    )
    with cluster(base / "run", env, servers=2, workers=2) as running:
        running.media_root = Path(env["MEDIA_ROOT"])
        running.redis_url = env["REDIS_URL"]
        yield running


@pytest.fixture(autouse=True)
def _empty_shared_cache(stack):
    import redis

    redis.Redis.from_url(stack.redis_url).flushdb()  # the private server's database 4, used by nothing else


# --- A browser's worth of HTTP: cookies kept by hand (the production cookies are Secure; nginx speaks plain HTTP
# to the test and tells the servers the request came over HTTPS, as a TLS-terminating proxy does) ----------------


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Visitor:
    def __init__(self, base_url: str):
        self.base_url = base_url
        self.cookies: dict[str, str] = {}
        self.opener = urllib.request.build_opener(NoRedirect)

    def request(self, method: str, path: str, *, data: bytes | None = None, headers: dict | None = None):
        all_headers = {"Referer": self.base_url.replace("http://", "https://") + "/", **(headers or {})}
        if self.cookies:
            all_headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        request = urllib.request.Request(self.base_url + path, data=data, headers=all_headers, method=method)
        try:
            response = self.opener.open(request, timeout=30)
        except urllib.error.HTTPError as error:
            response = error
        body = response.read()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            value = rest.split(";", 1)[0]
            if value in ("", '""'):
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        response.body = body
        response.text = body.decode("utf-8", errors="replace")
        response.upstream = response.headers.get("X-Upstream")
        return response

    def get(self, path: str, **kwargs):
        return self.request("GET", path, **kwargs)

    def post_form(self, path: str, fields: dict, files: dict | None = None):
        """A form POST with the CSRF token of the page at `path` (read first, through whichever server)."""
        page = self.get(path)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        fields = {"csrfmiddlewaretoken": token, **fields}
        if files:
            boundary = uuid.uuid4().hex
            parts = []
            for name, value in fields.items():
                disposition = f'Content-Disposition: form-data; name="{name}"'
                parts.append(f"--{boundary}\r\n{disposition}\r\n\r\n{value}\r\n".encode())
            for name, (filename, content, content_type) in files.items():
                parts.append(
                    f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                    f"Content-Type: {content_type}\r\n\r\n".encode()
                    + content
                    + b"\r\n"
                )
            body = b"".join(parts) + f"--{boundary}--\r\n".encode()
            content_type = f"multipart/form-data; boundary={boundary}"
        else:
            body = urllib.parse.urlencode(fields).encode()
            content_type = "application/x-www-form-urlencoded"
        return self.request("POST", path, data=body, headers={"Content-Type": content_type})

    def log_in(self, email: str, password: str):
        return self.post_form("/konto/login/", {"login": email, "password": password})


def person():
    """A user with a verified address and a password hashed as production checks it (PBKDF2; the test settings'
    MD5 hasher is unknown to the servers)."""
    user = UserFactory()
    user.password = PBKDF2PasswordHasher().encode(PASSWORD, "twoservers", iterations=1000)
    user.save(update_fields=["password"])
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def both_servers(stack, responses) -> bool:
    return {response.upstream for response in responses} == {url.removeprefix("http://") for url in stack.server_urls}


# --- The tests ------------------------------------------------------------------------------------------------


def test_a_visitor_signed_in_through_one_server_carries_on_through_the_other(stack):
    user = person()
    visitor = Visitor(stack.url)
    signed_in = visitor.log_in(user.email, PASSWORD)
    assert signed_in.status == 302, signed_in.text[:500]
    pages = [visitor.get("/panel/") for _ in range(4)]
    assert both_servers(stack, pages)
    assert [page.status for page in pages] == [200] * 4
    assert all("/konto/logout/" in page.text for page in pages)  # the signed-in menu, on both servers
    # and out again, through one server: the session is gone on both
    visitor.post_form("/konto/logout/", {})
    after = [visitor.get("/panel/") for _ in range(2)]
    assert both_servers(stack, after)
    assert all(page.status == 302 and "/konto/login/" in page.headers["Location"] for page in after)


def test_failed_log_ins_through_both_servers_lock_the_account_out(stack):
    user = person()
    visitor = Visitor(stack.url)
    failures = []
    for attempt in range(5):
        if attempt % 2:
            visitor.get("/livez")  # round robin: the next form's POST goes to the other server
        failures.append(visitor.log_in(user.email, "zle-haslo-zle-haslo"))
    assert both_servers(stack, failures)
    assert all(failure.status == 200 for failure in failures)
    locked = [visitor.log_in(user.email, PASSWORD)]  # the right password, on each server
    visitor.get("/livez")
    locked.append(visitor.log_in(user.email, PASSWORD))
    assert both_servers(stack, locked)
    for attempt in locked:
        assert attempt.status != 302
        assert "Zbyt wiele nieudanych prób logowania" in attempt.text


def test_the_api_rate_limit_counts_requests_to_both_servers_together(stack):
    visitor = Visitor(stack.url)
    responses = [visitor.get("/api/v1/cooperatives/") for _ in range(API_RATE + 4)]
    allowed = [response for response in responses if response.status == 200]
    refused = [response for response in responses if response.status == 429]
    assert len(allowed) == API_RATE  # one limit for the pair, not one per server (which would allow 2 x 20)
    assert len(refused) == 4
    assert both_servers(stack, allowed) and both_servers(stack, refused)


def test_an_edit_through_one_server_is_seen_at_once_through_the_other(stack):
    cooperative = CooperativeFactory()
    offers = OfferFactory.create_batch(3, cooperative=cooperative)
    user = person()
    Membership.objects.create(user=user, cooperative=cooperative, role=Membership.Role.OWNER)
    reader = Visitor(stack.url)
    before = [reader.get("/api/v1/offers/") for _ in range(2)]  # each server caches the exact count (in Redis)
    assert both_servers(stack, before)
    assert [json.loads(page.body)["count"] for page in before] == [3, 3]

    editor = Visitor(stack.url)
    assert editor.log_in(user.email, PASSWORD).status == 302
    deleted = editor.request(
        "DELETE", f"/api/v1/manage/offers/{offers[0].pk}/", headers={"X-CSRFToken": editor.cookies["csrftoken"]}
    )
    assert deleted.status == 204, deleted.text[:500]
    assert not Offer.objects.filter(pk=offers[0].pk).exists()

    after = [reader.get("/api/v1/offers/") for _ in range(2)]
    assert both_servers(stack, after)
    assert [json.loads(page.body)["count"] for page in after] == [2, 2]
    gone = [reader.get(f"/api/v1/offers/{offers[0].pk}/") for _ in range(2)]
    assert both_servers(stack, gone) and [page.status for page in gone] == [404, 404]


def test_a_photo_uploaded_through_one_server_downloads_through_the_other(stack):
    cooperative = CooperativeFactory()
    user = person()
    Membership.objects.create(user=user, cooperative=cooperative, role=Membership.Role.OWNER)
    visitor = Visitor(stack.url)
    assert visitor.log_in(user.email, PASSWORD).status == 302
    image = io.BytesIO()
    Image.new("RGB", (64, 48), (20, 120, 200)).save(image, format="JPEG")
    uploaded = visitor.post_form(
        f"/panel/spoldzielnia/{cooperative.krs_number}/zdjecia/",
        {"alt_text": "Nasz warsztat"},
        files={"image": ("warsztat.jpg", image.getvalue(), "image/jpeg")},
    )
    assert uploaded.status == 302, uploaded.text[:1000]
    photo = CooperativePhoto.objects.get(cooperative=cooperative)
    stored = (stack.media_root / photo.image.name).read_bytes()
    downloads = [Visitor(stack.url).get(f"/media/{photo.image.name}") for _ in range(2)]
    assert both_servers(stack, downloads)
    for download in downloads:
        assert download.status == 200
        assert download.headers["Content-Type"] == "image/jpeg"
        assert download.body == stored
    assert Image.open(io.BytesIO(downloads[0].body)).size == (64, 48)
    assert settings.MEDIA_ROOT != stack.media_root  # the servers' own root, not the test process's

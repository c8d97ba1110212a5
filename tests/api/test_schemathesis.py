"""schemathesis fuzzes the REST API from its own OpenAPI schema (/api/v1/schema/), in-process through Django's WSGI
application (no network), with every check schemathesis has: every response must be a declared status code with a
declared content type and a body that conforms to the schema, never a 5xx; data the schema allows is accepted and
data it refuses is refused (so the schema says exactly what the API accepts); protected operations refuse a
request without credentials; undeclared methods are refused.

Every read runs anonymously (the protected ones must answer a declared 403); the write endpoints (/api/v1/manage/,
survey responses) run with a representative's token and the training records with an organiser's, given through
schemathesis's own auth hook (so `ignored_auth` knows the token is real, drops the session cookie it would otherwise
invent for `cookieAuth`, and checks that the same request without the token, or with a wrong one, is refused).
Besides the examples hypothesis generates (at most 25 per operation, derandomised, so each run sends the same
requests), schemathesis adds its deterministic coverage cases (boundary values, missing or unexpected parameters,
other methods). The run prints how many requests it sent.

Production-like: DEBUG off and the whole middleware stack (portal/settings/test.py differs from prod.py only in
secrets, hosts, HTTPS and storage), and the production cache, core.cache.ResilientRedisCache, on a real Redis
(tests/cache_servers.py starts a private redis-server). The same fuzzing runs once more, with fewer generated
examples per operation, with that cache pointed at a closed port (Redis down): no 5xx either way.
"""

import re

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from monitoring.models import Wave
from tests.api.conftest import CASES
from tests.cooperatives.factories import CooperativeFactory, OfferFactory
from tests.cooperatives.selfservice_helpers import representative
from tests.factories import UserFactory, api_token_header
from tests.monitoring.conftest import make_wave
from tests.publications.factories import PdfEditionFactory
from tests.trainings.factories import TrainingFactory, TrainingSessionFactory

pytestmark = [pytest.mark.django_db, pytest.mark.e2e]

# Left out: positive_data_acceptance. A well-formed reference to a row that does not exist (`?gmina=0000000`, an
# author id, a wave, a category slug) is a 400 naming it, by design (a schema cannot list every TERYT code); and
# text fields of request bodies refuse control characters (core/inputs.py), single-line or multi-line per field,
# which the schema does not spell out (free-text query parameters do). Both are 400s per field, never a 5xx.
EXCLUDED_CHECKS = [positive_data_acceptance]
FUZZ = settings(
    max_examples=25,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
FUZZ_CACHE_DOWN = settings(FUZZ, max_examples=3)
WRITE_PATHS = r"^/api/v1/(manage|responses)/"
ORGANISER_PATHS = r"^/api/v1/trainings/\{id\}/(attendance|enrolments)/"


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Django closes the database connection when a request finishes; its test client turns that off, but
    schemathesis calls the WSGI application directly, and a closed connection would end the test's transaction
    (PostgreSQL; SQLite's in-memory test database ignores the close). Same switch as django.test.Client."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def api_world(db):
    """Enough data that lists and details return real rows: a represented cooperative with offers, an open survey
    wave, a publication with a PDF, a training."""
    cooperative = CooperativeFactory(email="biuro@example.org", description="Opis.", latitude="51.7", longitude="19.4")
    OfferFactory(cooperative=cooperative)
    make_wave()
    published = make_wave(name="Fala opublikowana", reference_year=2023)
    Wave.objects.filter(pk=published.pk).update(status=Wave.Status.PUBLISHED)
    PdfEditionFactory()
    organiser = UserFactory()
    TrainingSessionFactory(training=TrainingFactory(organisers=[organiser]))
    return {
        "cooperative": cooperative,
        "representative": api_token_header(representative(cooperative)),
        "organiser": api_token_header(organiser),
    }


# The `Authorization` header of the current test case (None: anonymous), read by the auth hook below.
TOKEN = {"authorization": None}


def call(case, authorization=None):
    TOKEN["authorization"] = authorization
    CASES[case.operation.label] += 1
    # No `checks=`: every check schemathesis has (negative data, methods, headers, resources, auth, ...), but one.
    case.call_and_validate(excluded_checks=EXCLUDED_CHECKS)


# Loaded once at collection: generating the schema reads no data. (schemathesis.pytest.from_fixture would load it
# per test, but its lazy loader does not work with pytest 9.)
schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", get_wsgi_application())


@schema.auth(refresh_interval=None)
class PortalToken:
    """The API token of the test's user, as configured authentication (never cached: each test has its own)."""

    def get(self, case, context):
        return TOKEN["authorization"]

    def set(self, case, data, context):
        case.headers = {**(case.headers or {}), "Authorization": data}


@schema.include(method="GET").parametrize()
@FUZZ
def test_read_endpoints_anonymously(case, api_world, cache_up):
    call(case)


@schema.include(path_regex=WRITE_PATHS).parametrize()
@FUZZ
def test_write_endpoints_as_a_representative(case, api_world, cache_up):
    call(case, api_world["representative"])


@schema.include(path_regex=ORGANISER_PATHS).parametrize()
@FUZZ
def test_training_records_as_an_organiser(case, api_world, cache_up):
    call(case, api_world["organiser"])


@schema.parametrize()
@FUZZ_CACHE_DOWN
def test_every_operation_with_the_cache_down(case, api_world, cache_down):
    """Redis unreachable: reads anonymously, writes with the same tokens as above; still no 5xx."""
    path = case.operation.path
    if re.match(ORGANISER_PATHS, path):
        call(case, api_world["organiser"])
    elif re.match(WRITE_PATHS, path):
        call(case, api_world["representative"])
    else:
        call(case)

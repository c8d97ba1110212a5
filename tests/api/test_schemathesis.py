"""schemathesis fuzzes the REST API from its own OpenAPI schema (/api/v1/schema/), in-process through Django's WSGI
application (no network), with every check schemathesis has: every response must be a declared status code with a
declared content type and a body that conforms to the schema, never a 5xx; data the schema allows is accepted and
data it refuses is refused (so the schema says exactly what the API accepts); protected operations refuse a
request without credentials; undeclared methods are refused.

Every read runs anonymously (the protected ones must answer a declared 403); the write endpoints (/api/v1/manage/,
survey responses) run with a representative's token and the training records with an organiser's. Besides the
examples hypothesis generates (at most 25 per operation, derandomised, so each run sends the same requests),
schemathesis adds its deterministic coverage cases (boundary values, missing or unexpected parameters, other
methods). The run prints how many requests it sent.
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import ignored_auth, positive_data_acceptance

from monitoring.models import Wave
from tests.api.conftest import CASES
from tests.cooperatives.factories import CooperativeFactory, OfferFactory
from tests.cooperatives.selfservice_helpers import representative
from tests.factories import UserFactory, api_token_header
from tests.monitoring.conftest import make_wave
from tests.publications.factories import PdfEditionFactory
from tests.trainings.factories import TrainingFactory, TrainingSessionFactory

pytestmark = [pytest.mark.django_db, pytest.mark.e2e]

# Left out, each for a reason that is not a disagreement the schema could remove:
# - positive_data_acceptance: a well-formed reference to a row that does not exist (`?gmina=0000000`, an author
#   id, `wave=0`, an offer for cooperative "") is a 400 naming it, by design; a schema cannot list every TERYT code.
# - ignored_auth: it sees the cookie it generates for `cookieAuth` as "generated auth" while the request also
#   carries this test's valid token, and expects a 401 for a correctly authenticated request.
EXCLUDED_CHECKS = [positive_data_acceptance, ignored_auth]
FUZZ = settings(
    max_examples=25,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
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


def call(case, authorization=None):
    headers = None if authorization is None else {"Authorization": authorization}
    CASES[case.operation.label] += 1
    # No `checks=`: every check schemathesis has (negative data, methods, headers, resources, ...), but two (below).
    case.call_and_validate(headers=headers, excluded_checks=EXCLUDED_CHECKS)


# Loaded once at collection: generating the schema reads no data. (schemathesis.pytest.from_fixture would load it
# per test, but its lazy loader does not work with pytest 9.)
schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", get_wsgi_application())


@schema.include(method="GET").parametrize()
@FUZZ
def test_read_endpoints_anonymously(case, api_world):
    call(case)


@schema.include(path_regex=WRITE_PATHS).parametrize()
@FUZZ
def test_write_endpoints_as_a_representative(case, api_world):
    call(case, api_world["representative"])


@schema.include(path_regex=ORGANISER_PATHS).parametrize()
@FUZZ
def test_training_records_as_an_organiser(case, api_world):
    call(case, api_world["organiser"])

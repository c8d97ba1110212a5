"""core.counting.exact_count: the registry's counts answered from the cache exactly while nothing has changed."""

import pytest
from django.core.cache import cache
from django.db import connection, transaction

from accounts.models import User
from cooperatives.models import Cooperative, Offer
from core import counting
from tests.cooperatives.factories import CooperativeFactory, OfferFactory

pytestmark = pytest.mark.django_db


def _poison_cache(queryset, fake: int) -> None:
    """Store a wrong count under the current version: returning it proves the cache answered."""
    counting.exact_count(queryset)
    sql, params = queryset.order_by().query.get_compiler(connection=connection).as_sql()
    key = "core:count:" + counting.hashlib.sha256(repr((sql, params)).encode()).hexdigest()
    version, _count = cache.get(key)
    cache.set(key, (version, fake))


def test_every_registry_table_raises_the_version(postgresql_only):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_class c WHERE c.relkind = 'r' AND c.relname LIKE 'cooperatives\\_%%' "
            "AND c.relnamespace = current_schema()::regnamespace AND NOT EXISTS (SELECT 1 FROM pg_trigger t "
            "WHERE t.tgrelid = c.oid AND t.tgname = 'registry_version_raise')"
        )
        assert cursor.fetchall() == []


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda: OfferFactory(), id="create"),
        pytest.param(lambda: Offer.objects.update(is_active=False), id="queryset-update"),
        pytest.param(lambda: Cooperative.objects.update(status=Cooperative.Status.DELETED), id="other-table"),
        pytest.param(lambda: connection.cursor().execute("DELETE FROM cooperatives_offer"), id="raw-sql"),
    ],
)
def test_a_cached_count_is_used_until_the_registry_changes(postgresql_only, change):
    OfferFactory.create_batch(3)
    public = Offer.objects.public()
    assert counting.exact_count(public) == 3
    _poison_cache(public, 999)
    assert counting.exact_count(public) == 999  # nothing changed: one statement, no counting
    change()
    assert counting.exact_count(public) == public.count() != 999


def test_a_rolled_back_change_keeps_the_cached_count(postgresql_only):
    OfferFactory.create_batch(2)
    public = Offer.objects.public()
    _poison_cache(public, 777)
    with pytest.raises(RuntimeError), transaction.atomic():
        OfferFactory()
        raise RuntimeError
    assert counting.exact_count(public) == 777


def test_one_statement_whether_cached_or_not(postgresql_only, django_assert_num_queries):
    OfferFactory.create_batch(2)
    public = Offer.objects.public().filter(cooperative__town="Łódź")
    with django_assert_num_queries(1) as captured:
        assert counting.exact_count(public) == 2
    assert "registry_version" in captured.captured_queries[0]["sql"]
    with django_assert_num_queries(1):
        assert counting.exact_count(public) == 2


def test_queries_reading_other_tables_are_counted_directly(postgresql_only, django_assert_num_queries):
    CooperativeFactory()
    queryset = Cooperative.objects.exclude(pk__in=User.objects.filter(username="nobody").values("pk"))
    with django_assert_num_queries(1) as captured:
        assert counting.exact_count(queryset) == 1
    assert "registry_version" not in captured.captured_queries[0]["sql"]


def test_the_count_is_the_plain_count_on_any_database():
    OfferFactory.create_batch(2)
    public = Offer.objects.public()
    assert counting.exact_count(public) == public.count() == 2
    assert counting.exact_count(public.filter(title="nothing")) == 0


def test_the_api_count_follows_a_new_offer(postgresql_only, client):
    OfferFactory.create_batch(2)
    assert client.get("/api/v1/offers/").json()["count"] == 2
    assert client.get("/api/v1/offers/").json()["count"] == 2
    OfferFactory()
    assert client.get("/api/v1/offers/").json()["count"] == 3

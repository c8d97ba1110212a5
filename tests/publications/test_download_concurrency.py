"""The download counter under concurrent downloads: real threads, each on its own PostgreSQL connection."""

import threading

import pytest
from django.db import connection
from django.test import Client

from publications.models import Edition

from .factories import PdfEditionFactory

THREADS = 8
DOWNLOADS_PER_THREAD = 5


@pytest.mark.django_db(transaction=True)
def test_concurrent_downloads_are_all_counted(postgresql_only):
    edition = PdfEditionFactory()
    url = edition.get_download_url()
    barrier = threading.Barrier(THREADS)
    failures: list[BaseException] = []

    def download_many():
        try:
            client = Client()
            barrier.wait()  # start together, so the increments really overlap
            for _ in range(DOWNLOADS_PER_THREAD):
                response = client.get(url)
                assert response.status_code == 200
                b"".join(response.streaming_content)
                response.close()
        except BaseException as error:  # surfaced in the main thread below
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=download_many) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert not failures, failures
    assert Edition.objects.get(pk=edition.pk).download_count == THREADS * DOWNLOADS_PER_THREAD

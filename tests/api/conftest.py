"""Uploads go to a temporary directory; the requests schemathesis sends are counted and printed after the run."""

from collections import Counter

import pytest

CASES: Counter = Counter()


def pytest_terminal_summary(terminalreporter):
    if CASES:
        terminalreporter.write_line(
            f"schemathesis: {sum(CASES.values())} requests over {len(CASES)} operations "
            f"({len({label.split(' ', 1)[1] for label in CASES})} paths)"
        )


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Uploads (publication files, documents) go to a temporary directory, never into the repository."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private_media"

"""Counts the requests schemathesis sends, per operation, and prints the totals after the run."""

from collections import Counter

CASES: Counter = Counter()


def pytest_terminal_summary(terminalreporter):
    if CASES:
        terminalreporter.write_line(
            f"schemathesis: {sum(CASES.values())} requests over {len(CASES)} operations "
            f"({len({label.split(' ', 1)[1] for label in CASES})} paths)"
        )

"""Fixtures of the route-walking tests (tests/core/routes.py)."""

from .routes import registry  # noqa: F401  (a fixture: one of everything a URL parameter can point at)

"""REST API v1 of the registry (read-only for the public)."""


def register(router) -> None:
    """Register this app's viewsets on the project's API router."""

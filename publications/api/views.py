"""REST API v1 endpoints of this app."""


def register(router) -> None:
    """Register this app's viewsets on the project's API router."""

"""The portal's project package: settings, URLs, WSGI/ASGI and the Celery application."""

from .celery import app as celery_app

__all__ = ("celery_app",)

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Wspólne")

    def ready(self):
        from . import (
            inputs,
            media,  # noqa: F401  (the private-media system check)
            security_log,  # noqa: F401  (connects the audit-log signal receivers)
        )
        from .request_id import connect_signals

        connect_signals()  # the request id's life, and its way into Celery tasks (core/request_id.py)
        inputs.install()  # text and typed-input rules for every form, serializer and model field (core/README.md)

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

        inputs.install()  # text and typed-input rules for every form, serializer and model field (core/README.md)

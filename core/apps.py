from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Wspólne")

    def ready(self):
        from . import media, security_log  # noqa: F401  (audit-log signal receivers; the private-media check)

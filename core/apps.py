from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Wspólne"

    def ready(self):
        from . import security_log  # noqa: F401  (connects the audit-log signal receivers)

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CooperativesConfig(AppConfig):
    name = "cooperatives"
    verbose_name = _("Rejestr spółdzielni socjalnych")

    def ready(self):
        # Registers the SQLite search function on every new connection (cooperatives.search).
        from cooperatives import (
            portal_search,
            search,  # noqa: F401
        )

        portal_search.register()  # its kinds in the portal-wide search (core/portal_search.py)

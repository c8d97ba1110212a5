from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublicationsConfig(AppConfig):
    name = "publications"
    verbose_name = _("Biblioteka publikacji")

    def ready(self):
        from publications import portal_search

        portal_search.register()  # its kind in the portal-wide search (core/portal_search.py)

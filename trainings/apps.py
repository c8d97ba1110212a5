from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingsConfig(AppConfig):
    name = "trainings"
    verbose_name = _("Szkolenia")

    def ready(self):
        from trainings import portal_search

        portal_search.register()  # its kind in the portal-wide search (core/portal_search.py)

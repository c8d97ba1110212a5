from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class ExportJobsConfig(AppConfig):
    name = "exportjobs"
    verbose_name = _("Eksporty w tle")

    def ready(self):
        # Each app registers its builders in its background_exports.py (exportjobs stays domain-free).
        autodiscover_modules("background_exports")

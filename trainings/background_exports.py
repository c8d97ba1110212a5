"""A training's certificates as one ZIP, built by a worker when there are more than
settings.PORTAL_EXPORT_BACKGROUND_CERTIFICATES of them (each PDF takes a moment to draw)."""

import shutil

from django.utils.translation import gettext as _

from exportjobs import registry

from . import selectors, services
from .certificates import certificates_zip
from .models import Training
from .permissions import can_issue_certificates


def certificates_zip_filename(training: Training) -> str:
    return f"zaswiadczenia-szkolenia-{training.pk}.zip"


def _training(params) -> Training | None:
    return Training.objects.select_related("gmina", "programme").filter(pk=params.get("training")).first()


def _title(params) -> str:
    training = _training(params)
    return _("Zaświadczenia szkolenia „%(title)s” (ZIP)") % {"title": training.title if training else "—"}


def _can_request(user, params) -> bool:
    training = _training(params)
    return training is not None and can_issue_certificates(user, training)


def _build(params, file, progress):
    training = _training(params)
    if training is None:
        raise registry.ExportInputError(_("Tego szkolenia już nie ma; nie można przygotować zaświadczeń."))
    certificates = list(selectors.training_certificates(training=training))
    if not certificates:
        raise registry.ExportInputError(_("To szkolenie nie ma wystawionych zaświadczeń."))
    counted = registry.counted(certificates, total=len(certificates), progress=progress, every=10)
    with certificates_zip(certificates=counted) as archive:
        shutil.copyfileobj(archive, file)
    services.certificates_mark_downloaded(certificate_ids=[certificate.pk for certificate in certificates])
    return certificates_zip_filename(training), "application/zip"


registry.register(
    registry.ExportKind(name="trainings.certificates", title=_title, build=_build, can_request=_can_request)
)

"""Every change to a response (its answers are saved with it, see services.response_save) raises the statistics
version of its wave in the same transaction, whichever path made it: the services, the import, the admin, a
cascade from a deleted cooperative."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import Response
from .versions import bump_statistics_version


@receiver(post_save, sender=Response, dispatch_uid="monitoring-response-saved")
@receiver(post_delete, sender=Response, dispatch_uid="monitoring-response-deleted")
def response_changed(sender, instance: Response, **kwargs) -> None:
    bump_statistics_version(instance.wave_id)

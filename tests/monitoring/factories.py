import datetime

import factory
from django.utils import timezone

from monitoring.models import Wave


class WaveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Wave

    name = factory.Sequence(lambda n: f"Fala testowa {n}")
    reference_year = 2024
    opens_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=10))
    closes_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=30))
    status = Wave.Status.DRAFT

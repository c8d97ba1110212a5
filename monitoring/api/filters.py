import django_filters
from django.utils.translation import gettext_lazy as _

from core.params import IntegerFilter
from monitoring.models import Response


class ResponseFilterSet(django_filters.FilterSet):
    wave = IntegerFilter(label=_("Numer fali"), field_name="wave_id")

    class Meta:
        model = Response
        fields = []

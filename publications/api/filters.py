import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cooperatives.filters import SearchFilter

from ..models import Person, Series


class SeriesFilterSet(django_filters.FilterSet):
    search = SearchFilter(label=_("Szukaj w tytule"), field_name="title", lookup_expr="icontains")

    class Meta:
        model = Series
        fields = []


class AuthorFilterSet(django_filters.FilterSet):
    search = SearchFilter(label=_("Szukaj w imieniu i nazwisku"), method="filter_search")

    class Meta:
        model = Person
        fields = []

    def filter_search(self, queryset, name, value):
        for word in value.split()[:4]:
            queryset = queryset.filter(Q(last_name__icontains=word) | Q(first_name__icontains=word))
        return queryset

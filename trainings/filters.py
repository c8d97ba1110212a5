"""Filters of the training calendar, shared by the HTML calendar and the API (same query parameters).

Parameters: search (words of the title, description or venue, each required), voivodeship (TERYT code), date_from,
date_to (ISO dates), mode (the training's format: in_person, online, hybrid), topic, when (upcoming / past).
An unknown value is a validation error with a Polish message, never silently ignored.
"""

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cooperatives.filters import SearchFilter, TerritoryChoiceFilter
from cooperatives.models import TerritorialUnit

from .models import Topic, Training


class When:
    UPCOMING = "upcoming"
    PAST = "past"
    CHOICES = [(UPCOMING, _("nadchodzące i trwające")), (PAST, _("zakończone"))]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class TrainingFilterSet(django_filters.FilterSet):
    search = SearchFilter(label=_("Szukaj"), method="filter_search")
    voivodeship = TerritoryChoiceFilter(
        label=_("Województwo"), level=TerritorialUnit.Level.VOIVODESHIP, field_name="voivodeship"
    )
    date_from = django_filters.DateFilter(
        label=_("Od dnia"), field_name="ends_on", lookup_expr="gte", widget=DateInput()
    )
    date_to = django_filters.DateFilter(
        label=_("Do dnia"), field_name="starts_on", lookup_expr="lte", widget=DateInput()
    )
    # Not "format": DRF reserves ?format= for choosing the response renderer.
    mode = django_filters.ChoiceFilter(label=_("Forma"), choices=Training.Format.choices, field_name="format")
    topic = django_filters.ChoiceFilter(label=_("Temat"), choices=Topic.choices)
    when = django_filters.ChoiceFilter(label=_("Termin"), choices=When.CHOICES, method="filter_when")

    class Meta:
        model = Training
        fields = []

    def filter_search(self, queryset, name, value):
        # A few hundred trainings: each word as a case-insensitive substring (the portal-wide search links here).
        for word in value.split()[:8]:
            queryset = queryset.filter(
                Q(title__icontains=word) | Q(description__icontains=word) | Q(venue__icontains=word)
            )
        return queryset

    def filter_when(self, queryset, name, value):
        today = timezone.localdate()
        if value == When.UPCOMING:
            return queryset.filter(ends_on__gte=today)
        return queryset.filter(ends_on__lt=today)

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        # Upcoming trainings read like a calendar (soonest first); otherwise the most recent come first.
        if self.form.cleaned_data.get("when") == When.UPCOMING:
            return queryset.order_by("starts_on", "pk")
        return queryset.order_by("-starts_on", "-pk")

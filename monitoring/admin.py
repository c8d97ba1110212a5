"""Admin of waves and questionnaires. A questionnaire is read-only once its wave has opened; a new wave starts
from a copy (action "copy as a new wave")."""

import datetime

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services
from .models import Choice, Question, Response, Rule, Section, Wave


class FrozenQuestionnaireMixin:
    """No adding, changing or deleting parts of a questionnaire whose wave is no longer a draft."""

    def _wave_of(self, obj):
        return obj if isinstance(obj, Wave) else getattr(obj, "wave", None)

    def _frozen(self, obj) -> bool:
        wave = self._wave_of(obj)
        return wave is not None and wave.is_questionnaire_frozen

    def has_change_permission(self, request, obj=None):
        return not self._frozen(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self._frozen(obj) and super().has_delete_permission(request, obj)


class SectionInline(FrozenQuestionnaireMixin, admin.TabularInline):
    model = Section
    extra = 0
    fields = ["order", "title", "description"]

    def has_add_permission(self, request, obj=None):
        return not self._frozen(obj) and super().has_add_permission(request, obj)


class ChoiceInline(admin.TabularInline):
    model = Choice
    extra = 0
    fields = ["order", "code", "label"]

    def _frozen(self, obj):
        return obj is not None and obj.wave.is_questionnaire_frozen

    def has_add_permission(self, request, obj=None):
        return not self._frozen(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not self._frozen(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self._frozen(obj) and super().has_delete_permission(request, obj)


class RuleInline(admin.TabularInline):
    """Consistency rules between answers (monitoring/rules.py). Editable in every status: a rule changes no answer;
    responses that break a rule added later are listed on the wave's staff page ("Ankiety sprzeczne z regułami")."""

    model = Rule
    extra = 0
    fields = ["order", "kind", "parts", "whole", "share_question", "tolerance"]


@admin.register(Wave)
class WaveAdmin(admin.ModelAdmin):
    list_display = ["name", "reference_year", "status", "opens_on", "closes_on"]
    list_filter = ["status"]
    inlines = [SectionInline, RuleInline]
    actions = ["copy_as_new_wave", "open_waves", "close_waves", "publish_waves"]

    def get_readonly_fields(self, request, obj=None):
        # status changes go through the actions, which check the rules of wave_set_status
        return ["status"] if obj is not None else []

    def _set_status(self, request, queryset, status):
        for wave in queryset:
            try:
                services.wave_set_status(wave=wave, status=status)
            except ValidationError as error:
                self.message_user(request, f"{wave}: {'; '.join(error.messages)}", messages.ERROR)

    @admin.action(description=_("Otwórz wybrane fale (zamraża kwestionariusze)"))
    def open_waves(self, request, queryset):
        self._set_status(request, queryset, Wave.Status.OPEN)

    @admin.action(description=_("Zamknij wybrane fale"))
    def close_waves(self, request, queryset):
        self._set_status(request, queryset, Wave.Status.CLOSED)

    @admin.action(description=_("Opublikuj statystyki wybranych fal"))
    def publish_waves(self, request, queryset):
        self._set_status(request, queryset, Wave.Status.PUBLISHED)

    @admin.action(description=_("Skopiuj kwestionariusz do nowej fali (rok później)"))
    def copy_as_new_wave(self, request, queryset):
        copied = 0
        for wave in queryset:
            year = wave.reference_year + 1
            try:
                services.wave_copy(
                    source=wave,
                    name=f"{wave.name} – kopia {year}",
                    reference_year=year,
                    opens_on=_next_year(wave.opens_on),
                    closes_on=_next_year(wave.closes_on),
                )
            except ValidationError as error:
                self.message_user(request, "; ".join(error.messages), messages.ERROR)
            else:
                copied += 1
        if copied:
            self.message_user(
                request,
                ngettext("Utworzono %(n)d nową falę.", "Utworzono %(n)d nowe fale.", copied) % {"n": copied},
                messages.SUCCESS,
            )


def _next_year(day: datetime.date) -> datetime.date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


@admin.register(Question)
class QuestionAdmin(FrozenQuestionnaireMixin, admin.ModelAdmin):
    list_display = ["code", "text", "type", "is_required", "wave", "section"]
    list_filter = ["wave", "type"]
    search_fields = ["code", "text"]
    inlines = [ChoiceInline]
    raw_id_fields = ["condition_question"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "section":
            kwargs["queryset"] = Section.objects.filter(wave__status=Wave.Status.DRAFT).select_related("wave")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        services.ensure_questionnaire_editable(obj.section.wave)
        obj.wave = obj.section.wave
        super().save_model(request, obj, form, change)


@admin.register(Response)
class ResponseAdmin(admin.ModelAdmin):
    """Read-only: answers are saved by services.response_save (page, API, import: validation, cross-question rules,
    versions) and verified by services.response_verify on the verification page; an admin form would bypass both."""

    list_display = ["cooperative", "wave", "status", "source", "verification", "submitted_at"]
    list_filter = ["wave", "status", "verification", "source"]
    search_fields = ["cooperative__name", "cooperative__krs_number"]
    list_select_related = ["cooperative", "wave"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import (
    Attendance,
    Certificate,
    Enrolment,
    Institution,
    InstitutionType,
    Participant,
    Training,
    TrainingProgramme,
    TrainingSession,
)


@admin.register(TrainingProgramme)
class TrainingProgrammeAdmin(admin.ModelAdmin):
    list_display = ("name", "starts_on", "ends_on", "target_trainings", "target_participants", "is_demo")
    search_fields = ("name",)


class TrainingSessionInline(admin.TabularInline):
    model = TrainingSession
    extra = 1


class TrainingAdminForm(forms.ModelForm):
    target_institution_types = forms.MultipleChoiceField(
        label=_("instytucje docelowe"),
        choices=InstitutionType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Training
        fields = [
            "programme",
            "title",
            "description",
            "topic",
            "format",
            "status",
            "starts_on",
            "ends_on",
            "venue",
            "gmina",
            "organisers",
            "trainers",
            "materials",
            "capacity",
            "target_institution_types",
            "required_attendance_percent",
            "issuer",
            "hours",
            "curriculum",
        ]


@admin.register(Training)
class TrainingAdmin(admin.ModelAdmin):
    form = TrainingAdminForm
    list_display = ("title", "starts_on", "format", "status", "gmina", "capacity", "programme", "is_demo")
    list_filter = ("status", "format", "topic", "programme", "voivodeship")
    search_fields = ("title", "venue")
    date_hierarchy = "starts_on"
    autocomplete_fields = ("organisers", "materials")
    raw_id_fields = ("gmina",)
    inlines = [TrainingSessionInline]
    list_select_related = ("gmina", "programme")


@admin.register(Institution)
class InstitutionAdmin(admin.ModelAdmin):
    list_display = ("name", "type", "gmina", "is_demo")
    list_filter = ("type",)
    search_fields = ("name",)
    raw_id_fields = ("gmina",)
    list_select_related = ("gmina",)


@admin.register(Participant)
class ParticipantAdmin(admin.ModelAdmin):
    list_display = ("last_name", "first_name", "email", "institution", "anonymised_at", "is_demo")
    search_fields = ("last_name", "first_name", "email")
    raw_id_fields = ("institution",)
    list_select_related = ("institution",)


class AttendanceInline(admin.TabularInline):
    model = Attendance
    extra = 0
    raw_id_fields = ("session", "marked_by")


@admin.register(Enrolment)
class EnrolmentAdmin(admin.ModelAdmin):
    list_display = ("participant", "training", "status", "created_at")
    list_filter = ("status",)
    search_fields = ("participant__last_name", "participant__email", "training__title")
    raw_id_fields = ("training", "participant")
    list_select_related = ("participant", "training")
    inlines = [AttendanceInline]


@admin.register(Certificate)
class CertificateAdmin(admin.ModelAdmin):
    list_display = ("number", "enrolment", "issued_at", "revoked_at")
    search_fields = ("number",)
    raw_id_fields = ("enrolment",)
    readonly_fields = ("verification_code",)
    list_select_related = ("enrolment__participant", "enrolment__training")

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from . import services
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


class EnrolmentAdminForm(forms.ModelForm):
    """The status offers only the moves the services make: confirm a registered person, cancel an enrolment.

    A seat is never handed out here: a waitlisted person is promoted by the service when a seat frees up, so the
    training's capacity holds whatever is chosen in the admin.
    """

    class Meta:
        model = Enrolment
        fields = ["status"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = self.instance.status
        allowed = {current}
        if current == Enrolment.Status.REGISTERED:
            allowed.add(Enrolment.Status.CONFIRMED)
        if current != Enrolment.Status.CANCELLED and services.enrolment_can_be_cancelled(
            training=self.instance.training
        ):
            allowed.add(Enrolment.Status.CANCELLED)
        self.fields["status"].choices = [(v, label) for v, label in Enrolment.Status.choices if v in allowed]


@admin.register(Enrolment)
class EnrolmentAdmin(admin.ModelAdmin):
    """Enrolments come from the registration form (trainings.services.enrolment_register, which keeps the
    capacity); here a status is changed only through the services."""

    form = EnrolmentAdminForm
    list_display = ("participant", "training", "status", "created_at")
    list_filter = ("status",)
    search_fields = ("participant__last_name", "participant__email", "training__title")
    list_select_related = ("participant", "training")
    readonly_fields = (
        "training",
        "participant",
        "consent_at",
        "confirmed_at",
        "waitlisted_at",
        "promoted_at",
        "cancelled_at",
    )
    fields = ("training", "participant", "status", *readonly_fields[2:])
    inlines = [AttendanceInline]

    def has_add_permission(self, request):
        return False

    def save_model(self, request, obj, form, change):
        if "status" not in form.changed_data:
            return
        status = form.cleaned_data["status"]
        try:
            if status == Enrolment.Status.CONFIRMED:
                services.enrolment_confirm(enrolment_id=obj.pk)
            elif status == Enrolment.Status.CANCELLED:
                services.enrolment_cancel(enrolment_id=obj.pk)
        except ValidationError as error:
            self.message_user(request, "; ".join(error.messages), messages.ERROR)
        obj.refresh_from_db()


@admin.register(Certificate)
class CertificateAdmin(admin.ModelAdmin):
    """An issued certificate keeps its number, code and date (they are printed and verified); it can only be
    revoked."""

    list_display = ("number", "enrolment", "issued_at", "revoked_at")
    search_fields = ("number",)
    fields = ("number", "enrolment", "verification_code", "issued_at", "revoked_at")
    readonly_fields = ("number", "enrolment", "verification_code", "issued_at")
    list_select_related = ("enrolment__participant", "enrolment__training")

    def has_add_permission(self, request):
        return False  # certificates are issued by trainings.services.certificates_issue

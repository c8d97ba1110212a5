"""Staff screens of the registry. Territorial units come from the GUS register and are read-only here.

Saving goes through the models' save(), which keeps the derived fields (powiat, voivodeship, search text) current;
cooperatives and offers carry a version, so an edit based on a stale page is refused instead of overwriting.
"""

from django import forms
from django.contrib import admin
from django.db import models, transaction
from django.db.models import F, Q
from django.db.models.functions import Collate
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from accounts.roles import is_ministry_staff
from core.params import parse_int

from .filters import POLISH_COLLATION
from .models import (
    ChangeRequest,
    Cooperative,
    CooperativeActivity,
    CooperativePhoto,
    CoordinatorAssignment,
    ErrorReport,
    FounderKind,
    Inquiry,
    InquiryRecipient,
    Invitation,
    Membership,
    Offer,
    OfferCategory,
    RepresentationRequest,
    TargetGroup,
    TerritorialUnit,
)
from .search import is_postgresql

SEARCH_COLUMNS = ("search_text", "search_vector")


class PolishOrderingMixin:
    """Lists sorted by name in Polish alphabetical order where the database can (ICU on PostgreSQL)."""

    polish_ordering_field = "name"

    def get_ordering(self, request):
        if is_postgresql():
            return [Collate(self.polish_ordering_field, POLISH_COLLATION).asc(), "pk"]
        return [self.polish_ordering_field, "pk"]


# --- Optimistic concurrency ------------------------------------------------------------------------------


class VersionedModelForm(forms.ModelForm):
    """Carries the version the editor started from; saving a row that changed since then is refused."""

    edited_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["edited_version"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            # The admin saves inside a transaction: the row stays locked until this edit is committed.
            current = (
                type(self.instance)
                .objects.select_for_update()
                .filter(pk=self.instance.pk)
                .values_list("version", flat=True)
                .first()
            )
            if current is not None and cleaned.get("edited_version") != current:
                raise forms.ValidationError(
                    _(
                        "Ktoś inny zapisał zmiany w tym rekordzie, gdy go edytowałeś(-aś). "
                        "Otwórz stronę ponownie, aby zobaczyć aktualne dane, i wprowadź zmiany jeszcze raz."
                    ),
                    code="stale_version",
                )
        return cleaned


class VersionedAdminMixin:
    form = VersionedModelForm

    def save_model(self, request, obj, form, change):
        if change:
            # The form's clean() locked the row and checked its version, so a plain increment is safe (and the
            # history record gets a real number, not an expression).
            obj.version += 1
        super().save_model(request, obj, form, change)


# --- Territorial units -----------------------------------------------------------------------------------


@admin.register(TerritorialUnit)
class TerritorialUnitAdmin(admin.ModelAdmin):
    """The GUS TERC register, loaded by `manage.py load_teryt`: searchable, never edited by hand."""

    list_display = ("code", "name", "level", "gmina_kind", "kind_name", "parent", "valid_on")
    list_filter = ("level", "gmina_kind")
    list_select_related = ("parent",)
    search_fields = ("^code", "name")
    ordering = ("code",)
    list_per_page = 100

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --- Dictionaries ----------------------------------------------------------------------------------------


@admin.register(TargetGroup)
class TargetGroupAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "legal_basis", "sort_order")
    list_filter = ("legal_basis",)
    list_editable = ("sort_order",)
    search_fields = ("name", "code")
    prepopulated_fields = {"code": ("name",)}


@admin.register(FounderKind)
class FounderKindAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "legal_basis", "is_legal_person", "sort_order")
    list_filter = ("legal_basis", "is_legal_person")
    list_editable = ("sort_order",)
    search_fields = ("name", "code")
    prepopulated_fields = {"code": ("name",)}


class TopLevelCategoryFilter(admin.SimpleListFilter):
    title = _("kategoria nadrzędna")
    parameter_name = "parent"

    def lookups(self, request, model_admin):
        return [("none", _("(kategorie główne)"))] + [
            (str(category.pk), category.name) for category in OfferCategory.objects.filter(parent__isnull=True)
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "none":
            return queryset.filter(parent__isnull=True)
        if parse_int(value, min_value=1) is not None:
            return queryset.filter(parent_id=value)
        return queryset


@admin.register(OfferCategory)
class OfferCategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "parent", "sort_order")
    list_filter = (TopLevelCategoryFilter,)
    list_select_related = ("parent",)
    search_fields = ("name", "slug", "parent__name")
    prepopulated_fields = {"slug": ("name",)}
    ordering = (F("parent__sort_order").asc(nulls_first=True), "parent__name", "sort_order", "name")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and {"name", "keywords"} & set(form.changed_data):
            from .tasks import refresh_category_search

            # Every cooperative offering it is searched by the new words (a worker; eagerly without a broker).
            transaction.on_commit(lambda: refresh_category_search.delay(obj.pk))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "parent":
            # The taxonomy has two levels, so only a top-level category can be a parent.
            kwargs["queryset"] = OfferCategory.objects.filter(parent__isnull=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


# --- Cooperatives ----------------------------------------------------------------------------------------


class VoivodeshipFilter(admin.SimpleListFilter):
    title = _("województwo")
    parameter_name = "voivodeship"
    field_path = "voivodeship_id"

    def lookups(self, request, model_admin):
        return [(unit.code, unit.name.lower()) for unit in TerritorialUnit.objects.voivodeships()]

    def queryset(self, request, queryset):
        value = self.value()
        return queryset.filter(**{self.field_path: value}) if value else queryset


class OfferCategoryFilter(admin.SimpleListFilter):
    """Both levels of the taxonomy; a sector includes its sub-categories."""

    title = _("kategoria")
    parameter_name = "category"

    def lookups(self, request, model_admin):
        return [
            (str(category.pk), str(category))
            for category in OfferCategory.objects.select_related("parent").order_by(
                F("parent__sort_order").asc(nulls_first=True), "parent_id", "sort_order"
            )
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if parse_int(value, min_value=1) is not None:
            return queryset.filter(Q(category_id=value) | Q(category__parent_id=value))
        return queryset


class OfferVoivodeshipFilter(VoivodeshipFilter):
    title = _("województwo spółdzielni")
    field_path = "cooperative__voivodeship_id"


class CooperativeActivityInline(admin.TabularInline):
    model = CooperativeActivity
    extra = 0
    fields = ("code", "version", "is_main")


class OfferInline(admin.TabularInline):
    """Offers at a glance; each is edited on its own page, where its service area can be chosen."""

    model = Offer
    extra = 0
    fields = ("title", "category", "service_area", "is_active", "updated_at")
    readonly_fields = fields
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("category", "category__parent").defer(*SEARCH_COLUMNS)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fields = ("user", "role", "created_at")
    readonly_fields = ("created_at",)
    autocomplete_fields = ("user",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")


class CooperativePhotoInline(admin.TabularInline):
    model = CooperativePhoto
    extra = 0
    fields = ("image", "alt_text")
    readonly_fields = ("image",)


@admin.register(Cooperative)
class CooperativeAdmin(PolishOrderingMixin, VersionedAdminMixin, admin.ModelAdmin):
    list_display = (
        "name",
        "krs_number",
        "nip",
        "town",
        "voivodeship_name",
        "status",
        "is_social_enterprise",
        "has_quality_mark",
        "is_demo",
        "updated_at",
    )
    list_filter = (
        "status",
        VoivodeshipFilter,
        "founder_type",
        "is_social_enterprise",
        "has_quality_mark",
        "is_ozrss_member",
        "location_precision",
        "is_demo",
    )
    list_select_related = ("voivodeship",)
    search_fields = ("name", "short_name", "^krs_number", "^nip", "^regon", "town")
    date_hierarchy = "krs_registration_date"
    autocomplete_fields = ("gmina", "ps_voivode")
    filter_horizontal = ("founder_kinds", "target_groups")
    readonly_fields = ("powiat", "voivodeship", "is_demo", "version", "created_at", "updated_at")
    inlines = (CooperativeActivityInline, OfferInline, MembershipInline, CooperativePhotoInline)
    list_per_page = 50
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fieldsets = (
        (None, {"fields": ("name", "short_name", "krs_number", "nip", "regon", "krs_registration_date")}),
        (_("Status"), {"fields": ("status", "status_date")}),
        (_("Założyciele i członkowie"), {"fields": ("founder_type", "founder_kinds", "target_groups")}),
        (
            _("Liczby"),
            {"fields": ("members_count", "employees_count", "employees_at_risk_count", "counts_as_of")},
        ),
        (
            _("Przedsiębiorstwo społeczne"),
            {"fields": ("is_social_enterprise", "ps_decision_number", "ps_voivode", "ps_decision_date", "ps_aim")},
        ),
        (
            _("Siedziba"),
            {
                "fields": (
                    "street",
                    "postal_code",
                    "town",
                    "gmina",
                    "powiat",
                    "voivodeship",
                    "latitude",
                    "longitude",
                    "location_precision",
                )
            },
        ),
        (
            _("Kontakt"),
            {"fields": ("email", "publish_email", "phone", "publish_phone", "website", "publish_website")},
        ),
        (_("Opis"), {"fields": ("description",)}),
        (_("Znaki i lustracja"), {"fields": ("has_quality_mark", "is_ozrss_member", "last_audit_date")}),
        (
            _("Rekord"),
            {"fields": ("verified_at", "is_demo", "version", "created_at", "updated_at", "edited_version")},
        ),
    )

    @admin.display(description=_("województwo"), ordering="voivodeship__name")
    def voivodeship_name(self, obj):
        return obj.voivodeship.name.lower()

    def get_queryset(self, request):
        return super().get_queryset(request).defer(*SEARCH_COLUMNS)


@admin.register(CooperativeActivity)
class CooperativeActivityAdmin(admin.ModelAdmin):
    list_display = ("code", "version", "is_main", "cooperative")
    list_filter = ("version", "is_main")
    list_select_related = ("cooperative",)
    search_fields = ("^code", "cooperative__name", "^cooperative__krs_number")
    autocomplete_fields = ("cooperative",)

    def get_queryset(self, request):
        return super().get_queryset(request).defer(*(f"cooperative__{c}" for c in SEARCH_COLUMNS))


# --- Offers ----------------------------------------------------------------------------------------------


@admin.register(Offer)
class OfferAdmin(PolishOrderingMixin, VersionedAdminMixin, admin.ModelAdmin):
    polish_ordering_field = "title"
    list_display = ("title", "cooperative", "category", "service_area", "is_active", "zakup_prospoleczny_year")
    list_filter = (
        "is_active",
        "service_area",
        OfferCategoryFilter,
        OfferVoivodeshipFilter,
        ("zakup_prospoleczny_year", admin.EmptyFieldListFilter),
        "cooperative__is_demo",
    )
    list_select_related = ("cooperative", "category", "category__parent")
    search_fields = ("title", "cooperative__name", "^cooperative__krs_number", "^cpv_code")
    date_hierarchy = "created_at"
    autocomplete_fields = ("cooperative", "area_powiats", "area_voivodeships")
    readonly_fields = ("version", "created_at", "updated_at")
    list_per_page = 50
    fields = (
        "cooperative",
        "title",
        "category",
        "description",
        "service_area",
        "area_powiats",
        "area_voivodeships",
        "price_note",
        "cpv_code",
        "zakup_prospoleczny_year",
        "is_active",
        "version",
        "created_at",
        "updated_at",
        "edited_version",
    )

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .defer(*SEARCH_COLUMNS, *(f"cooperative__{c}" for c in SEARCH_COLUMNS), "cooperative__description")
        )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "category":
            kwargs["queryset"] = OfferCategory.objects.select_related("parent")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


# --- Representatives -------------------------------------------------------------------------------------


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "cooperative", "role", "created_at")
    list_filter = ("role",)
    list_select_related = ("user", "cooperative")
    search_fields = ("user__email", "user__last_name", "cooperative__name", "^cooperative__krs_number")
    autocomplete_fields = ("user", "cooperative")
    date_hierarchy = "created_at"

    def get_queryset(self, request):
        return super().get_queryset(request).defer(*(f"cooperative__{c}" for c in SEARCH_COLUMNS))


# --- Self-service records ----------------------------------------------------------------------------------
# Assignments are managed here; requests, reports and inquiries are decided on the moderation desk (/panel/) and
# shown here read-only, to ministry staff only (inquiries hold buyers' personal data).


class MinistryStaffOnlyMixin:
    def has_module_permission(self, request):
        return is_ministry_staff(request.user)

    def has_view_permission(self, request, obj=None):
        return is_ministry_staff(request.user)


class ReadOnlyMixin(MinistryStaffOnlyMixin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return is_ministry_staff(request.user)


@admin.register(CoordinatorAssignment)
class CoordinatorAssignmentAdmin(MinistryStaffOnlyMixin, admin.ModelAdmin):
    """Which voivodeships a regional coordinator moderates (the user must also be in the coordinators' group)."""

    list_display = ("user", "voivodeship")
    list_filter = ("voivodeship",)
    search_fields = ("user__email", "user__last_name")
    autocomplete_fields = ("user", "voivodeship")
    list_select_related = ("user", "voivodeship")

    def has_add_permission(self, request):
        return is_ministry_staff(request.user)

    def has_change_permission(self, request, obj=None):
        return is_ministry_staff(request.user)

    def has_delete_permission(self, request, obj=None):
        return is_ministry_staff(request.user)


@admin.register(RepresentationRequest)
class RepresentationRequestAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("cooperative", "user", "status", "verified_by", "created_at", "decided_at")
    list_filter = ("status", "verified_by", "cooperative__voivodeship")
    search_fields = ("cooperative__name", "cooperative__krs_number", "user__email")
    list_select_related = ("cooperative", "user")
    date_hierarchy = "created_at"
    # The document lives in the private storage, which has no URL: it is linked through the view that checks who
    # may read it (selfservice:representation-document), never as a file URL.
    fields = (
        "user",
        "cooperative",
        "role_in_cooperative",
        "message",
        "document_link",
        "status",
        "reason",
        "reviewer",
        "decided_at",
        "verified_by",
        "link_sent_to",
        "link_sent_at",
        "created_at",
        "updated_at",
    )
    readonly_fields = ("document_link", "created_at", "updated_at")

    @admin.display(description=_("dokument potwierdzający (PDF)"))
    def document_link(self, obj):
        if not obj.document:
            return "—"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("selfservice:representation-document", args=[obj.pk]),
            _("Pobierz dokument"),
        )


@admin.register(ChangeRequest)
class ChangeRequestAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("cooperative", "requested_by", "status", "created_at", "decided_at")
    list_filter = ("status", "cooperative__voivodeship")
    search_fields = ("cooperative__name", "cooperative__krs_number", "requested_by__email")
    list_select_related = ("cooperative", "requested_by")
    date_hierarchy = "created_at"


@admin.register(ErrorReport)
class ErrorReportAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("cooperative", "status", "created_at", "resolved_at")
    list_filter = ("status", "cooperative__voivodeship")
    search_fields = ("cooperative__name", "cooperative__krs_number", "message")
    list_select_related = ("cooperative",)
    date_hierarchy = "created_at"


class InquiryRecipientInline(admin.TabularInline):
    model = InquiryRecipient
    extra = 0
    can_delete = False
    readonly_fields = ("cooperative", "emailed_to")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Inquiry)
class InquiryAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("subject", "organisation", "created_at")
    search_fields = ("subject", "organisation")
    date_hierarchy = "created_at"
    inlines = (InquiryRecipientInline,)


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Editor invitations sent by owners; cancelled by the owner on the members page (deleting voids the link)."""

    list_display = ("email", "cooperative", "invited_by", "created_at", "accepted_at")
    list_filter = (("accepted_at", admin.EmptyFieldListFilter),)
    search_fields = ("email", "cooperative__name", "cooperative__krs_number")
    list_select_related = ("cooperative", "invited_by")

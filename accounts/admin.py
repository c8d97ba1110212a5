from allauth.account import admin as _allauth_account_admin  # noqa: F401  registered first, replaced below
from allauth.account.models import EmailConfirmation
from allauth.mfa import admin as _allauth_mfa_admin  # noqa: F401  registered first, replaced below
from allauth.mfa.models import Authenticator
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from cooperatives.models import Membership

from .models import User


class MembershipInline(admin.TabularInline):
    """The cooperatives this person represents on the portal."""

    model = Membership
    extra = 0
    fields = ("cooperative", "role", "created_at")
    readonly_fields = ("created_at",)
    autocomplete_fields = ("cooperative",)
    verbose_name = _("reprezentowana spółdzielnia")
    verbose_name_plural = _("reprezentowane spółdzielnie")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("cooperative")
            .defer("cooperative__search_text", "cooperative__search_vector", "cooperative__description")
        )


@admin.register(User)
class PortalUserAdmin(UserAdmin):
    list_display = ("email", "username", "first_name", "last_name", "is_staff", "is_active", "last_login")
    list_filter = ("is_staff", "is_superuser", "is_active", "groups")
    search_fields = ("email", "username", "first_name", "last_name")
    ordering = ("email",)
    date_hierarchy = "date_joined"
    inlines = (MembershipInline,)

    def get_inlines(self, request, obj):
        # The add form only creates the account (as Django's own two-step user creation does).
        return self.inlines if obj is not None else ()

    # People log in by e-mail, so an account cannot be created without one.
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "username", "usable_password", "password1", "password2"),
            },
        ),
    )


# --- Secrets never shown in the admin ---------------------------------------------------------------------------
# allauth's own admins show and let staff edit an authenticator's `data` (the TOTP secret, the seed of the recovery
# codes) and, without HMAC confirmations, the e-mail confirmation keys: anyone who reads them can pass as the user.
# Staff need only to see that a method exists and to delete it, so a lost phone can be set up again.


class AuthenticatorAdmin(admin.ModelAdmin):
    """Two-step verification methods: type, owner and dates only; deleting one resets it (no add, no edit)."""

    list_display = ("user", "type", "created_at", "last_used_at")
    list_filter = ("type",)
    list_select_related = ("user",)
    search_fields = ("user__email",)
    fields = ("user", "type", "created_at", "last_used_at")
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class EmailConfirmationAdmin(admin.ModelAdmin):
    """Pending e-mail confirmations (only kept when confirmations are not HMAC-signed), without their keys."""

    list_display = ("email_address", "created", "sent")
    fields = ("email_address", "created", "sent")
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


admin.site.unregister(Authenticator)
admin.site.register(Authenticator, AuthenticatorAdmin)
if admin.site.is_registered(EmailConfirmation):
    admin.site.unregister(EmailConfirmation)
    admin.site.register(EmailConfirmation, EmailConfirmationAdmin)

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

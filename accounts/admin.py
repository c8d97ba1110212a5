from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import User


@admin.register(User)
class PortalUserAdmin(UserAdmin):
    list_display = ("email", "username", "first_name", "last_name", "is_staff", "is_active", "last_login")
    search_fields = ("email", "username", "first_name", "last_name")
    ordering = ("email",)

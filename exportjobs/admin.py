from django.contrib import admin

from .models import ExportJob


@admin.register(ExportJob)
class ExportJobAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "requested_by", "status", "progress", "created_at", "expires_at")
    list_filter = ("status", "kind")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # written by the worker only; the admin shows it

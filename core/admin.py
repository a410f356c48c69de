from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records people change only through the service's pages, which audit them.

    The Django admin may show them to staff, but never adds, edits or deletes.
    """

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

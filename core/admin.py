from django.contrib import admin

# Records of an inspection, tens of thousands at the national programme's
# size: staff find them by the force's name.
INSPECTION_SEARCH = ["inspection__force__short_name", "inspection__force__name"]


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

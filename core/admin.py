from django.contrib import admin

from .forms import TextAsReadBoundField

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


class TextAsReadAdmin(admin.ModelAdmin):
    """Reads what staff type as the service's own forms read it
    (TextAsReadBoundField): a name of zero-width spaces was saved as a blank
    name, and a force named again with one after it looked like a new name
    (found by the bad input review)."""

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.bound_field_class = TextAsReadBoundField  # a class made for this request
        return form

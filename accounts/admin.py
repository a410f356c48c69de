from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from core.admin import TextAsReadAdmin

from . import services
from .forms import check_local_part, visible_email_validators
from .models import User


@admin.register(User)
class UserAdmin(TextAsReadAdmin, BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "role", "force", "is_active"]
    list_filter = ["role", "is_active", "force__region"]
    search_fields = ["email", "full_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Person", {"fields": ["full_name", "role", "force"]}),
        ("Access", {"fields": ["is_active", "is_staff", "is_superuser"]}),
    ]
    add_fieldsets = [
        (None, {"fields": ["email", "full_name", "role", "force", "password1", "password2"]})
    ]

    def get_form(self, request, obj=None, **kwargs):
        form = self._role_checked(super().get_form(request, obj, **kwargs), obj)
        # Each class made here has fields of its own, made for this request.
        if "email" in form.base_fields:
            email = form.base_fields["email"]
            email.validators = [*visible_email_validators(email.validators), check_local_part]
        return form

    def _role_checked(self, form, obj):
        if obj is None:
            return form
        before = obj.role

        class RoleChecked(form):
            """A lead of open inspections keeps the role (services.check_role_change),
            and the last admin stays one (services.check_admins_remain)."""

            def clean(self):
                data = super().clean()
                if data.get("role"):
                    try:
                        services.check_role_change(obj, before=before, after=data["role"])
                    except ValidationError as error:
                        self.add_error("role", error.message_dict["role"])
                after = {field: data.get(field, False) for field in services.ADMIN_RIGHTS}
                after["role"] = data.get("role", obj.role)
                try:
                    services.check_django_admin_rights(
                        role=after["role"],
                        is_staff=after["is_staff"],
                        is_superuser=after["is_superuser"],
                    )
                except ValidationError as error:
                    self.add_error("is_staff", error.message_dict["is_staff"])
                try:
                    # In the admin's transaction: the rows stay locked until the
                    # save, taken in one order (services.lock_admins_with), after
                    # any inspections a deactivation hands case file reviews back on.
                    if obj.is_active and not after["is_active"]:
                        services.lock_inspections_with_cases_of(obj)
                    services.lock_admins_with(obj)
                    services.check_admins_remain(obj, **after)
                except ValidationError as error:
                    self.add_error(None, error)
                return data

        return RoleChecked

    def save_model(self, request, obj, form, change):
        # Through the service, so each change is in the account's history.
        deactivating = change and "is_active" in form.changed_data and not obj.is_active
        # Read under the locks the form took: what the save hands back.
        handing_back = services.cases_to_hand_back(obj) if deactivating else []
        services.user_save_in_django_admin(user=obj, by=request.user)
        # No check page here, as the Users pages have: said after instead.
        if deactivating and (left := services.left_behind(obj, handing_back)):
            messages.warning(request, left)

    def has_delete_permission(self, request, obj=None):
        # No delete button for the last admin, or the last with Django admin rights.
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or services.may_delete_in_django_admin(obj))

    def delete_model(self, request, obj):
        # Through the service, so the deletion is in the audit trail. Another
        # admin's deletion at the same moment can still make it the last
        # admin's: refused, under lock, as a 403 with the reason.
        try:
            services.user_delete_in_django_admin(user=obj, by=request.user)
        except ValidationError as error:
            raise PermissionDenied(" ".join(error.messages)) from error

    def delete_queryset(self, request, queryset):
        try:
            with transaction.atomic():
                for person in queryset:
                    services.user_delete_in_django_admin(user=person, by=request.user)
        except ValidationError as error:
            raise PermissionDenied(" ".join(error.messages)) from error

    def user_change_password(self, request, id, form_url=""):
        """Setting someone's password is in their account's history, saved
        with it or not at all."""
        with transaction.atomic():
            before = User.objects.filter(pk=unquote(id)).values_list("password", flat=True).first()
            response = super().user_change_password(request, id, form_url)
            if request.method == "POST" and response.status_code == 302:
                # Only a real change: the view also redirects having saved nothing.
                services.user_password_set_in_django_admin(
                    user_id=unquote(id), before=before, by=request.user
                )
        return response

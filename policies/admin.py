"""The office manages departments and memberships here. Saves go through policies.services so
grants follow memberships and every change is audited; memberships are ended, never deleted."""

from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.contrib.auth.models import Group, User
from django.utils.translation import gettext_lazy as _

from core.admin import PolicyAdmin
from core.inputs import InputPolicyForm, InputPolicyModelForm
from policies import services
from policies.models import Department, Membership


@admin.register(Department)
class DepartmentAdmin(PolicyAdmin):
    list_display = ("code", "name", "kind", "hosts_office", "active")
    list_filter = ("kind", "active")
    search_fields = ("code", "name")

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        services.save_department(obj, actor=request.user, changed_fields=form.changed_data)


@admin.register(Membership)
class MembershipAdmin(PolicyAdmin):
    list_display = ("person", "department", "role", "started_at", "ended_at")
    list_filter = ("role", "department", ("ended_at", admin.EmptyFieldListFilter))
    search_fields = ("user__username", "department__name")
    autocomplete_fields = ("department",)
    actions = ["end_selected"]

    @admin.display(description=_("person"), ordering="user__username")
    def person(self, membership):
        """People by name (with the login name beside it), not by login name alone."""
        user = membership.user
        name = user.get_full_name()
        return f"{name}（{user.get_username()}）" if name else user.get_username()

    def get_fields(self, request, obj=None):
        return ("user", "department", "role") if obj is None else ("user", "department", "role", "started_at", "ended_at")

    def get_readonly_fields(self, request, obj=None):
        # A membership is never edited in place: end it and add a new one.
        return () if obj is None else ("user", "department", "role", "started_at", "ended_at")

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if not change:
            created = services.add_membership(obj.user, obj.department, obj.role, actor=request.user)
            obj.pk = created.pk

    @admin.action(description=_("End the selected memberships (revokes their permissions)"))
    def end_selected(self, request, queryset):
        ended = 0
        for membership in queryset.active().select_related("user", "department"):
            services.end_membership(membership, actor=request.user)
            ended += 1
        self.message_user(request, _("%(count)d memberships ended.") % {"count": ended}, messages.SUCCESS)


# Django's own user and group pages, under the same input policy as every other form.
class PolicyUserChangeForm(InputPolicyForm, UserChangeForm):
    pass


class PolicyUserCreationForm(InputPolicyForm, AdminUserCreationForm):
    pass


class PolicyUserAdmin(UserAdmin):
    form = PolicyUserChangeForm
    add_form = PolicyUserCreationForm


class PolicyGroupAdmin(GroupAdmin):
    form = InputPolicyModelForm


for _model, _admin in ((User, PolicyUserAdmin), (Group, PolicyGroupAdmin)):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
    admin.site.register(_model, _admin)

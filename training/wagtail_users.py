"""Wagtail's user administration, taught that people have a display name and no username."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from wagtail.users.forms import UserCreationForm, UserEditForm
from wagtail.users.utils import user_can_delete_user
from wagtail.users.views.bulk_actions.assign_role import AssignRoleBulkAction
from wagtail.users.views.bulk_actions.set_active_state import SetActiveStateBulkAction
from wagtail.users.views.bulk_actions.user_bulk_action import UserBulkAction
from wagtail.users.views.users import CreateView, DeleteView, EditView
from wagtail.users.views.users import UserViewSet as WagtailUserViewSet

from . import audit
from .deletion import account_delete_now


class _DisplayNameMixin(forms.Form):
    display_name = forms.CharField(
        label=_("Display name"),
        max_length=80,
        help_text=_("What other people on the platform see. A pseudonym is fine."),
    )

    # People are known by their display name; a legal name is theirs to give (on their profile,
    # for certificates). The admin asks for neither first nor last name.
    first_name = None
    last_name = None


class AccountCreationForm(_DisplayNameMixin, UserCreationForm):
    class Meta(UserCreationForm.Meta):
        fields = (UserCreationForm.Meta.fields - {"first_name", "last_name"}) | {"display_name"}


ACTIVE_HELP = _(
    "An inactive account cannot sign in but keeps all its data. To delete the person's data, "
    "delete the account instead: it is anonymised."
)


class AccountEditForm(_DisplayNameMixin, UserEditForm):
    class Meta(UserEditForm.Meta):
        fields = (UserEditForm.Meta.fields - {"first_name", "last_name"}) | {"display_name"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Django's own help text ("Unselect this instead of deleting accounts") says the
        # opposite of what deleting an account does here (training/deletion.py).
        if "is_active" in self.fields:
            self.fields["is_active"].help_text = ACTIVE_HELP


# --- Deleting a person: the same path as "delete my account", with a recorded reason ----------
REASON_HELP = _(
    "Required. Kept in the audit log after the deletion: do not write the person's name or "
    "email address."
)


class AccountDeleteReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is this account deleted?"), max_length=1000, help_text=REASON_HELP,
        widget=forms.Textarea(attrs={"rows": 3}),
    )  # fmt: skip


class AccountDeleteView(DeleteView):
    """Wagtail's "delete user", replaced: the account is anonymised through the privacy registry
    (training/deletion.py), like a person's own deletion, and the reason is recorded. An
    administrator cannot delete their own account here (/accounts/delete/ is theirs)."""

    form_class = AccountDeleteReasonForm
    success_message = _("The account is being deleted; its personal data is erased now.")

    def dispatch(self, request, *args, **kwargs):
        target = self.get_object()
        if target.pk == request.user.pk or target.anonymised_at is not None:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_usage_url(self):
        # Nothing that refers to the person is deleted with them: the row stays, anonymous.
        return None

    def get_success_message(self):
        return self.success_message

    def form_valid(self, form):
        try:
            account_delete_now(
                person=self.object,
                by=self.request.user,
                reason=form.cleaned_data["reason"],
                request=self.request,
            )
        except ValidationError as error:
            form.add_error("reason", error)
            return self.form_invalid(form)
        messages.success(self.request, self.get_success_message())
        hook_response = self.run_after_hook()
        if hook_response is not None:
            return hook_response
        return HttpResponseRedirect(self.get_success_url())


class AccountDeleteBulkAction(UserBulkAction):
    """Wagtail's bulk "delete users" (training/wagtail_hooks.py puts it in its place): the same
    path as one deletion, one reason for all."""

    display_name = _("Delete")
    action_type = "delete"
    aria_label = _("Delete selected users")
    action_priority = 10
    classes = {"serious"}
    form_class = AccountDeleteReasonForm
    template_name = "training/admin/account_bulk_delete.html"

    def check_perm(self, obj):
        return user_can_delete_user(self.request.user, obj) and obj.anonymised_at is None

    def get_success_message(self, num_parent_objects, num_child_objects):
        return ngettext(
            "%(count)d account is being deleted.", "%(count)d accounts are being deleted.",
            num_parent_objects,
        ) % {"count": num_parent_objects}  # fmt: skip

    def get_execution_context(self):
        return {
            **super().get_execution_context(),
            "reason": self.cleaned_form.cleaned_data["reason"],
            "by": self.request.user,
            "request": self.request,
        }

    @classmethod
    def execute_action(cls, objects, model=None, reason="", by=None, request=None, **kwargs):
        done = 0
        for person in objects:
            if person.pk == by.pk:
                continue
            account_delete_now(person=person, by=by, reason=reason, request=request)
            done += 1
        return done, 0

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ValidationError as error:
            form.add_error("reason", error)
            return self.form_invalid(form)


# --- The audit log: what an administrator changes about a person here --------------------------
# Explicit calls in the views and bulk actions below (not an m2m_changed receiver), so that each
# entry names who made the change and from where. A change made outside them (a shell) is not
# recorded; roles set through training.services.user_set_roles are, by that service.
def _audit_account_change(request, person, *, initial: dict, changed: set, groups_after,
                          created: bool = False) -> None:  # fmt: skip
    before = set() if created else {group.name for group in initial.get("groups") or ()}
    after = before if groups_after is None else {group.name for group in groups_after}
    detail = {"added": sorted(after - before), "removed": sorted(before - after)}
    if "is_superuser" in changed or (created and person.is_superuser):
        detail["administrator"] = person.is_superuser
    if created:
        detail["created"] = True
    if detail["added"] or detail["removed"] or "administrator" in detail:
        audit.record(action="account.groups_changed", subject=person, request=request,
                     detail=detail)  # fmt: skip
    if created:
        return
    if "is_active" in changed:
        audit.record(action="account.active_changed", subject=person, request=request,
                     detail={"active": person.is_active})  # fmt: skip
    if "email" in changed:  # no addresses in the log: that it changed, by whom, from where
        audit.record(action="account.email_changed", subject=person, request=request,
                     detail={"via": "admin"})  # fmt: skip
    if "password1" in changed and person.pk != request.user.pk:
        audit.record(action="account.password_set", subject=person, request=request)


class AccountCreateView(CreateView):
    def save_instance(self):
        instance = super().save_instance()
        _audit_account_change(
            self.request, instance, initial={}, changed=set(),
            groups_after=self.form.cleaned_data.get("groups"), created=True,
        )  # fmt: skip
        return instance


class AccountEditView(EditView):
    def dispatch(self, request, *args, **kwargs):
        # A former member's account is kept only as an anonymous reference: giving it an email,
        # a password or groups again would tie a live identity to the deleted person's history.
        if self.get_object().anonymised_at is not None:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def save_instance(self):
        # The form's initial values are the account as it was (its groups included), read
        # when the form was made; changed_data says what the administrator changed.
        changed = set(self.form.changed_data)
        groups_after = self.form.cleaned_data.get("groups") if "groups" in changed else None
        instance = super().save_instance()
        _audit_account_change(self.request, instance, initial=self.form.initial, changed=changed,
                              groups_after=groups_after)  # fmt: skip
        return instance


class AuditedAssignRoleBulkAction(AssignRoleBulkAction):
    """Wagtail's bulk "assign role" (a group), each person it adds in the audit log."""

    def check_perm(self, obj):
        # Never on a former member's anonymous account (see AccountEditView.dispatch).
        return obj.anonymised_at is None and super().check_perm(obj)

    def get_execution_context(self):
        return {**super().get_execution_context(), "request": self.request}

    @classmethod
    def execute_action(cls, objects, role=None, request=None, **kwargs):
        if role is None:
            return None
        had = set(role.user_set.filter(pk__in=[o.pk for o in objects]).values_list("pk", flat=True))
        result = super().execute_action(objects, role=role, **kwargs)
        for person in objects:
            if person.pk not in had:
                audit.record(
                    action="account.groups_changed", subject=person, request=request,
                    detail={"added": [role.name], "removed": [], "bulk": True},
                )  # fmt: skip
        return result


class AuditedSetActiveStateBulkAction(SetActiveStateBulkAction):
    """Wagtail's bulk "set active state", each account it changes in the audit log."""

    def check_perm(self, obj):
        # Never on a former member's anonymous account (see AccountEditView.dispatch).
        return obj.anonymised_at is None and super().check_perm(obj)

    def get_execution_context(self):
        return {**super().get_execution_context(), "request": self.request}

    @classmethod
    def execute_action(cls, objects, mark_as_active=False, request=None, **kwargs):
        by = kwargs.get("user")
        changing = [o for o in objects if o.is_active != mark_as_active and o.pk != getattr(
            by, "pk", None)]  # fmt: skip
        result = super().execute_action(objects, mark_as_active=mark_as_active, **kwargs)
        for person in changing:
            audit.record(action="account.active_changed", subject=person, request=request,
                         detail={"active": mark_as_active, "bulk": True})  # fmt: skip
        return result


class UserViewSet(WagtailUserViewSet):
    add_view_class = AccountCreateView
    edit_view_class = AccountEditView
    delete_view_class = AccountDeleteView
    delete_template_name = "training/admin/account_delete.html"

    def get_form_class(self, for_update=False):
        return AccountEditForm if for_update else AccountCreationForm

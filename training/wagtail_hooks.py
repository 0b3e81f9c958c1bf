"""The platform's Wagtail admin hooks."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from .audit_views import audit_log_report, is_administrator
from .retention_views import retention_report
from .wagtail_users import (
    AccountDeleteBulkAction,
    AuditedAssignRoleBulkAction,
    AuditedSetActiveStateBulkAction,
)

# Registered after wagtail.users' own DeleteBulkAction (order 0): for one model and action
# type the last one registered is used, so users are never deleted as rows.
hooks.register("register_bulk_action", AccountDeleteBulkAction, order=100)
# The same way, Wagtail's bulk "assign role" and "set active state" leave audit log entries.
hooks.register("register_bulk_action", AuditedAssignRoleBulkAction, order=100)
hooks.register("register_bulk_action", AuditedSetActiveStateBulkAction, order=100)


# --- The Audit log report (administrators only) --------------------------------------------------
class AdministratorsMenuItem(MenuItem):
    def is_shown(self, request):
        return is_administrator(request.user)


@hooks.register("register_admin_urls")
def register_audit_log_url():
    return [path("reports/audit-log/", audit_log_report, name="training_audit_log")]


@hooks.register("register_reports_menu_item")
def register_audit_log_menu_item():
    return AdministratorsMenuItem(_("Audit log"), reverse("training_audit_log"),
                                  icon_name="list-ul", order=200)  # fmt: skip


# --- The Retention report (administrators only; training/retention.py) --------------------------
@hooks.register("register_admin_urls")
def register_retention_report_url():
    return [path("reports/retention/", retention_report, name="training_retention_report")]


@hooks.register("register_reports_menu_item")
def register_retention_report_menu_item():
    return AdministratorsMenuItem(_("Retention"), reverse("training_retention_report"),
                                  icon_name="history", order=210)  # fmt: skip

"""Back office for the audit log (审计日志): a read-only list for county administrators.

The policy is registered at import, before Wagtail would create its default model-permission
policy (which would let anyone holding a Django model permission in)."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import register_permission_policy

from .models import AuditEntry
from .permissions import AuditPolicy
from .selectors import audit_entries_list

register_permission_policy(AuditEntry, AuditPolicy(AuditEntry))


class AuditIndexView(generic.IndexView):
    def get_base_queryset(self):
        return audit_entries_list()


class AuditEntryViewSet(ModelViewSet):
    model = AuditEntry
    name = "audit_entries"
    icon = "list-ul"
    menu_label = _("Audit log (审计日志)")
    menu_order = 270
    add_to_admin_menu = True
    index_view_class = AuditIndexView
    copy_view_enabled = False
    inspect_view_enabled = True
    list_display = ["at", "username", "event", "outcome", "object_type", "object_id", "ip_address"]
    list_filter = ["event", "outcome"]
    search_fields = ["username", "object_id", "path"]
    ordering = ["-at"]
    list_per_page = 50
    inspect_view_fields = [
        "at",
        "user",
        "username",
        "event",
        "outcome",
        "object_type",
        "object_id",
        "path",
        "ip_address",
        "detail",
    ]
    # Never shown: the policy allows "view" only. Wagtail wants a form for the views it builds.
    form_fields = ["event"]


@hooks.register("register_admin_viewset")
def register_audit_viewset():
    return AuditEntryViewSet()

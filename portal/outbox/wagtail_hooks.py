"""Back office for the outbox (短信发件箱): a read-only list, masked numbers, no deleting.

The policy is registered at import, before Wagtail would create its default model-permission
policy (which would let anyone holding a Django model permission in)."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import register_permission_policy

from .models import OutboxMessage
from .permissions import OutboxPolicy
from .selectors import outbox_messages_list

register_permission_policy(OutboxMessage, OutboxPolicy(OutboxMessage))


class OutboxIndexView(generic.IndexView):
    def get_base_queryset(self):
        return outbox_messages_list()


class OutboxInspectView(generic.InspectView):
    def get_to_mobile_display_value(self):
        """The number masked here too: the page is for tracing a message, not for reading numbers."""
        return self.object.to_mobile_masked


class OutboxMessageViewSet(ModelViewSet):
    model = OutboxMessage
    name = "outbox_messages"
    icon = "mail"
    menu_label = _("Text messages (短信)")
    menu_order = 260
    add_to_admin_menu = True
    index_view_class = OutboxIndexView
    inspect_view_class = OutboxInspectView
    copy_view_enabled = False
    inspect_view_enabled = True
    list_display = [
        "created_at",
        Column("recipient_masked", label=_("recipient (接收人)")),
        "topic",
        "reference",
        "status",
        "attempts",
        "sent_at",
    ]
    list_filter = ["status", "topic"]
    search_fields = ["reference", "to_mobile", "topic"]
    ordering = ["-created_at"]
    list_per_page = 50
    inspect_view_fields = [
        "created_at",
        "to_mobile",
        "to_user",
        "topic",
        "reference",
        "body",
        "status",
        "channel",
        "attempts",
        "next_attempt_at",
        "claimed_at",
        "sent_at",
        "provider_id",
        "template_key",
        "provider_code",
        "last_error",
    ]
    # Never shown: the policy allows "view" only. Wagtail wants a form for the views it builds.
    form_fields = ["topic"]


@hooks.register("register_admin_viewset")
def register_outbox_viewset():
    return OutboxMessageViewSet()

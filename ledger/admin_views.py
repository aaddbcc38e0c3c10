"""The back office's read-only view of the ledger: a list and one page per item.

Both come from `ledger.selectors.ledger_items_visible_to`, like every other page: an
administrator sees the items of the offices they administer, and an item outside that is a 404
here too. Nothing can be added, changed or deleted (every change goes through the staff pages and
`ledger.services`); names are masked and mobiles never shown.
"""

import django_filters
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column, TitleColumn

from approvals.admin_views import ApplicationPolicy
from portal.people.backoffice import ReadOnlyScopedViewSet, ScopedIndexView, StaffPageInspectView
from portal.people.identity import mask_name

from .models import LedgerItem
from .policies import VIEW, ledger_policy
from .selectors import ledger_items_visible_to, responsible_label
from .states import State


class LedgerItemPolicy(ApplicationPolicy):
    """View only, opened by the same people as the applications' list (whoever files for a
    station or views an office's work; the answer is remembered once per request for both);
    the rows are `ledger_policy`'s VIEW."""

    def scoped_queryset(self, user):
        return ledger_policy.instances_user_has_permission_for(user, VIEW)


class LedgerItemFilterSet(WagtailFilterSet):
    state = django_filters.ChoiceFilter(label=_("State"), choices=State.choices)

    class Meta:
        model = LedgerItem
        fields = []


def _day(value):
    return timezone.localdate(value) if value else "—"


class LedgerItemIndexView(ScopedIndexView):
    """Every column comes from the row or its joined village: one query for the rows."""

    def get_base_queryset(self):
        return (
            super()
            .get_base_queryset()
            .select_related("village")
            .only("pk", "number", "villager_name", "state", "promised_on", "registered_at", "village__name")
        )

    @cached_property
    def columns(self):
        title_column = self._get_title_column_class(TitleColumn)
        return [
            title_column(
                "number", label=_("Request number (编号)"), sort_key="number", get_url=self.get_inspect_url
            ),
            Column("villager", label=_("Villager"), accessor=lambda item: mask_name(item.villager_name)),
            Column("village", label=_("Village"), accessor="village.name", sort_key="village__name"),
            Column("state", label=_("State"), accessor="get_state_display", sort_key="state"),
            Column(
                "promised_on",
                label=_("Promised date"),
                accessor=lambda item: item.promised_on or "—",
                sort_key="promised_on",
            ),
            Column(
                "registered_at",
                label=_("Registered"),
                accessor=lambda item: _day(item.registered_at),
                sort_key="registered_at",
            ),
        ]


class LedgerItemInspectView(StaffPageInspectView):
    staff_url_name = "ledger:detail"

    def get_object(self, queryset=None):
        visible = ledger_items_visible_to(self.request.user).select_related(
            "village__parent", "office", "assignee", "assignee_office"
        )
        return get_object_or_404(visible, pk=self.pk)

    def get_fields(self):
        return []

    def get_fields_context(self):
        item = self.object
        rows = [
            (_("Request number (编号)"), item.number),
            (_("Kind"), item.get_kind_display()),
            (_("Villager"), mask_name(item.villager_name)),
            (_("Village"), f"{item.village.parent.name} {item.village.name}"),
            (_("Responsible office"), item.office.name),
            (_("State"), item.get_state_display()),
            (_("Promise"), item.promise or "—"),
            (_("Promised date"), item.promised_on or "—"),
            (_("By whom (public list)"), responsible_label(item) if item.promised_on else "—"),
            (_("Registered"), _day(item.registered_at)),
            (_("Marked done"), _day(item.done_at)),
            (_("Closed (销号)"), _day(item.closed_at)),
            (_("Times reopened"), item.reopened_count),
        ]
        return [{"label": label, "value": value, "component": None} for label, value in rows]


class LedgerItemViewSet(ReadOnlyScopedViewSet):
    model = LedgerItem
    permission_policy_class = LedgerItemPolicy
    index_view_class = LedgerItemIndexView
    inspect_view_class = LedgerItemInspectView
    filterset_class = LedgerItemFilterSet
    search_fields = ["number"]
    ordering = ["-registered_at", "-pk"]
    menu_label = _("Requests ledger")
    icon = "list-ul"
    menu_order = 230
    name = "ledger_admin"

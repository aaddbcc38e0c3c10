"""The back office's read-only view of applications: a list and one page per application.

Both come from `approvals.selectors.applications_visible_to`, like every other page: an
administrator sees the submitted work of the offices they administer, and an application outside
that is a 404 here too. Nothing can be added, changed or deleted (every change goes through the
staff pages and `approvals.services`); names are masked and ID numbers never shown.
"""

import django_filters
from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column, TitleColumn

from certificates.selectors import certificates_of
from portal.offices.models import Office
from portal.people.backoffice import (
    JurisdictionPolicy,
    ReadOnlyScopedViewSet,
    ScopedIndexView,
    StaffPageInspectView,
)
from portal.people.identity import mask_name
from services_catalog.models import DelegationMode

from . import policies
from .models import Application
from .policies import application_policy
from .selectors import applications_visible_to
from .states import State


class ApplicationPolicy(JurisdictionPolicy):
    """View only, answered by `approvals.policies.application_policy`: whoever files for a
    station or views an office's work may open the list (it may be empty today); everyone
    else, editors included, does not see it at all."""

    allowed_actions = frozenset({policies.VIEW})

    def scoped_queryset(self, user):
        return application_policy.instances_user_has_permission_for(user, policies.VIEW)

    def user_has_permission(self, user, action):
        """May the user open the list? One query per request, remembered on `request.user`."""
        if action not in self.allowed_actions:
            return False
        return application_policy.user_has_permission(user, action)

    def user_has_any_permission_for_instance(self, user, actions, instance):
        """One row looked up, not every visible pk: a county holds many applications."""
        return any(
            application_policy.user_has_permission_for_instance(user, action, instance)
            for action in set(actions) & self.allowed_actions
        )


def _office_name(office: Office | None) -> str:
    return office.name if office is not None else "—"


def _submitted_on(application: Application):
    return timezone.localdate(application.submitted_at) if application.submitted_at else "—"


def offices_in_applications(request):
    """The filter's choices: the offices the user's visible applications were routed to or sit at."""
    if request is None:
        return Office.objects.none()
    visible = applications_visible_to(request.user)
    return Office.objects.filter(
        Q(pk__in=visible.values("handling_office")) | Q(pk__in=visible.values("current_office"))
    ).order_by("region__code", "kind", "name")


class ApplicationFilterSet(WagtailFilterSet):
    state = django_filters.ChoiceFilter(label=_("State"), choices=State.choices)
    office = django_filters.ModelChoiceFilter(
        label=_("Office (handling it, or where it is now)"),
        queryset=offices_in_applications,
        method="filter_office",
    )

    class Meta:
        model = Application
        fields = []

    def filter_office(self, queryset, name, value):
        return queryset.filter(Q(handling_office=value) | Q(current_office=value))


class ApplicationIndexView(ScopedIndexView):
    """Every column comes from the row itself or a joined office or village: one query for the rows."""

    def get_base_queryset(self):
        return (
            super()
            .get_base_queryset()
            .select_related("village", "handling_office")
            .only(
                "pk",
                "number",
                "item_title",
                "applicant_name",
                "state",
                "submitted_at",
                "due_on",
                "created_at",
                "village__name",
                "handling_office__name",
            )
        )

    @cached_property
    def columns(self):
        title_column = self._get_title_column_class(TitleColumn)
        return [
            title_column(
                "number",
                label=_("Application number"),
                accessor="reference",
                sort_key="number",
                get_url=self.get_inspect_url,
            ),
            Column("item_title", label=_("Item"), sort_key="item_title"),
            Column("villager", label=_("Villager"), accessor=lambda a: mask_name(a.applicant_name) or "—"),
            Column("village", label=_("Village"), accessor="village.name", sort_key="village__name"),
            Column("state", label=_("State"), accessor="get_state_display", sort_key="state"),
            Column(
                "handling_office",
                label=_("Handling office"),
                accessor=lambda a: _office_name(a.handling_office),
                sort_key="handling_office__name",
            ),
            Column("submitted_at", label=_("Submitted"), accessor=_submitted_on, sort_key="submitted_at"),
            Column("due_on", label=_("Due date"), accessor=lambda a: a.due_on or "—", sort_key="due_on"),
        ]


class ApplicationInspectView(StaffPageInspectView):
    staff_url_name = "approvals:detail"

    """One application's facts, and a link to its staff page (where its history and files are)."""

    def get_object(self, queryset=None):
        visible = applications_visible_to(self.request.user).select_related(
            "village__parent", "station", "handling_office", "current_office", "assignee"
        )
        return get_object_or_404(visible, pk=self.pk)

    def get_fields(self):
        return []

    def get_fields_context(self):
        application = self.object
        rows = [
            (_("Application number"), application.reference),
            (_("Item"), application.item_title),
            (_("Villager"), mask_name(application.applicant_name) or "—"),
            (_("Village"), f"{application.village.parent.name} {application.village.name}"),
            (_("Filing station"), application.station.name),
            (_("State"), application.get_state_display()),
            (_("Handling office"), _office_name(application.handling_office)),
            (_("Mode"), DelegationMode(application.mode).label if application.mode else "—"),
            (_("Where the work is now"), _office_name(application.current_office)),
            (_("Clerk"), application.assignee.get_full_name() if application.assignee else "—"),
            (_("Submitted"), _submitted_on(application)),
            (_("Accept or return by"), application.accept_by or "—"),
            (_("Due date"), application.due_on or "—"),
            (_("Decided"), timezone.localdate(application.decided_at) if application.decided_at else "—"),
        ]
        rows += [
            (
                _("Certificate (证照)"),
                f"{certificate.licence_number} · {certificate.get_status_display()} · "
                + _("checked online %(count)s times") % {"count": certificate.check_count},
            )
            for certificate in certificates_of(application)
        ]
        return [{"label": label, "value": value, "component": None} for label, value in rows]


class ApplicationViewSet(ReadOnlyScopedViewSet):
    model = Application
    permission_policy_class = ApplicationPolicy
    index_view_class = ApplicationIndexView
    inspect_view_class = ApplicationInspectView
    filterset_class = ApplicationFilterSet
    search_fields = ["number"]
    ordering = ["-submitted_at", "-pk"]
    menu_label = _("Applications")
    icon = "form"
    menu_order = 220
    name = "application_admin"
    # Applications change many times a day and point at no content: they stay out of Wagtail's
    # reference index (ReadOnlyScopedViewSet).

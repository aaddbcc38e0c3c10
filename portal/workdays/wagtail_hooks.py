"""Back office for the work calendar (工作日历): years, their days, entering a year from the
State Council's notice, confirming a year, and the home page's warning about missing years.

Visible and usable by county administrators only (`policies.calendar_year_policy`). The policies are
registered first, at import, so Wagtail never creates its default model-permission policy for
these models (it would let anyone holding a Django model permission in).
"""

from django.forms import modelform_factory
from django.template.loader import get_template
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from wagtail import hooks
from wagtail.admin.ui.components import Component
from wagtail.admin.ui.tables import BooleanColumn, Column
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import register_permission_policy

from .admin_views import (
    CalendarYearConfirmView,
    CalendarYearEditView,
    CalendarYearEnterView,
    CalendarYearIndexView,
    missing_year_links,
)
from .models import CalendarDay, CalendarYear
from .notice_entry import ENTER_LOG_ACTION
from .policies import VIEW, calendar_day_policy, calendar_year_policy
from .selectors import calendar_years_needing_confirmation
from .services import CONFIRM_LOG_ACTION

register_permission_policy(CalendarYear, calendar_year_policy)
register_permission_policy(CalendarDay, calendar_day_policy)


class CalendarDayViewSet(ModelViewSet):
    model = CalendarDay
    name = "calendar_days"
    icon = "date"
    menu_label = _("Calendar days")
    copy_view_enabled = False
    form_fields = ["year", "date", "is_workday", "name"]
    list_display = [
        "date",
        Column("weekday_name", label=_("Weekday (星期)")),
        "name",
        BooleanColumn("is_workday", label=_("Working day (上班)"), sort_key="is_workday"),
        "source",
    ]
    list_filter = ["year", "is_workday"]
    ordering = ["date"]
    list_per_page = 50


class CalendarYearViewSet(ModelViewSet):
    model = CalendarYear
    name = "calendar_years"
    icon = "date"
    menu_label = _("Calendar years")
    index_view_class = CalendarYearIndexView
    edit_view_class = CalendarYearEditView
    copy_view_enabled = False
    list_display = [
        "year",
        "notice",
        "status",
        Column("day_count", label=pgettext_lazy("work calendar", "Days"), sort_key="day_count"),
        "confirmed_by",
        "confirmed_at",
    ]
    list_filter = ["status"]
    ordering = ["-year"]

    def get_form_class(self, for_update=False):
        # The year's number is fixed once its days hang on it; status changes only by confirming.
        fields = ["notice", "source_note"] if for_update else ["year", "notice", "source_note"]
        return modelform_factory(self.model, formfield_callback=self.formfield_for_dbfield, fields=fields)

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(
            confirm_url_name=self.get_url_name("confirm"),
            days_index_url_name=f"{CalendarDayViewSet.name}:index",
            enter_url_name=self.get_url_name("enter"),
            **kwargs,
        )

    def get_edit_view_kwargs(self, **kwargs):
        return super().get_edit_view_kwargs(confirm_url_name=self.get_url_name("confirm"), **kwargs)

    @property
    def confirm_view(self):
        return self.construct_view(CalendarYearConfirmView)

    @property
    def enter_view(self):
        return self.construct_view(CalendarYearEnterView, confirm_url_name=self.get_url_name("confirm"))

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("confirm/<int:pk>/", self.confirm_view, name="confirm"),
            path("enter/", self.enter_view, name="enter"),
        ]


class WorkCalendarViewSetGroup(ViewSetGroup):
    menu_label = _("Work calendar")
    menu_icon = "date"
    menu_order = 250
    items = (CalendarYearViewSet, CalendarDayViewSet)


@hooks.register("register_admin_viewset")
def register_work_calendar_viewsets():
    return WorkCalendarViewSetGroup()


@hooks.register("register_log_actions")
def register_work_calendar_log_actions(actions):
    actions.register_action(CONFIRM_LOG_ACTION, _("Confirm work calendar"), _("Confirmed the work calendar"))
    actions.register_action(
        ENTER_LOG_ACTION,
        _("Enter work calendar from the notice"),
        _("Entered the work calendar from the State Council's notice"),
    )


class MissingCalendarPanel(Component):
    """The home page's warning that a year lacks a confirmed calendar (the same question as the
    system check `workdays.W001`), with a link to enter the year or to confirm its draft.

    Added for county administrators only, by the hook below. One query (the selector); nothing
    is drawn when every year is in order.
    """

    name = "work_calendar_missing"
    template_name = "workdays/admin/home_panel.html"
    order = 10  # above Wagtail's own panels: it concerns every office's deadlines

    def get_context_data(self, parent_context=None):
        return {
            "missing_years": missing_year_links(calendar_years_needing_confirmation(on=timezone.localdate()))
        }

    def render_html(self, parent_context=None):
        context = self.get_context_data(parent_context)
        if not context["missing_years"]:
            return ""
        return get_template(self.template_name).render(context)


@hooks.register("construct_homepage_panels")
def add_missing_calendar_panel(request, panels):
    # The policy's answer is cached on the user for the request (the menu asked already).
    if calendar_year_policy.user_has_permission(request.user, VIEW):
        panels.append(MissingCalendarPanel())

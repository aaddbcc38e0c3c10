"""Back office for the work calendar (工作日历): years, their days, and confirming a year.

Visible and usable by county administrators only (`CountyAdministratorPolicy`). The policies are
registered first, at import, so Wagtail never creates its default model-permission policy for
these models (it would let anyone holding a Django model permission in).
"""

from django.forms import modelform_factory
from django.urls import path
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.ui.tables import BooleanColumn, Column
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import register_permission_policy

from .admin_views import CalendarYearConfirmView, CalendarYearEditView, CalendarYearIndexView
from .models import CalendarDay, CalendarYear
from .permissions import CountyAdministratorPolicy
from .services import CONFIRM_LOG_ACTION

register_permission_policy(CalendarYear, CountyAdministratorPolicy(CalendarYear))
register_permission_policy(CalendarDay, CountyAdministratorPolicy(CalendarDay))


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
        Column("day_count", label=_("Days"), sort_key="day_count"),
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
            **kwargs,
        )

    def get_edit_view_kwargs(self, **kwargs):
        return super().get_edit_view_kwargs(confirm_url_name=self.get_url_name("confirm"), **kwargs)

    @property
    def confirm_view(self):
        return self.construct_view(CalendarYearConfirmView)

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("confirm/<int:pk>/", self.confirm_view, name="confirm"),
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

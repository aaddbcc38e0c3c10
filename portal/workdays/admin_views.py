"""Back-office views of the work calendar (工作日历) beyond Wagtail's generic ones.

Views stay thin: they ask `CountyAdministratorPolicy`, call one service, and turn a domain error
into a message.
"""

from django.contrib import messages
from django.http import HttpResponseForbidden
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import View
from wagtail.admin.ui.menus import MenuItem
from wagtail.admin.views import generic
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.widgets.button import Button
from wagtail.permissions import policy_registry

from portal.errors import DomainError

from .models import CalendarYear
from .selectors import calendar_days_of_year, calendar_years_with_day_counts
from .services import calendar_year_confirm

CONFIRM_ACTION = "confirm"


class CalendarYearIndexView(generic.IndexView):
    """Years with their day counts, and a "confirm" entry on each draft's row."""

    confirm_url_name = None
    days_index_url_name = None

    def get_base_queryset(self):
        return calendar_years_with_day_counts()

    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        if self.days_index_url_name:
            buttons.append(
                MenuItem(
                    _("Days"),
                    url=reverse(self.days_index_url_name) + f"?year={instance.pk}",
                    icon_name="date",
                    priority=5,
                )
            )
        if not instance.is_confirmed and self.confirm_url_name:
            buttons.append(
                MenuItem(
                    _("Confirm this year"),
                    url=reverse(self.confirm_url_name, args=[instance.pk]),
                    icon_name="tick",
                    priority=6,
                )
            )
        return buttons


class CalendarYearEditView(generic.EditView):
    """The year's notice and note; its status changes only through the confirm view."""

    confirm_url_name = None

    @property
    def header_more_buttons(self):
        buttons = list(super().header_more_buttons)
        if not self.object.is_confirmed and self.confirm_url_name:
            buttons.append(
                Button(
                    _("Confirm this year"),
                    url=reverse(self.confirm_url_name, args=[self.object.pk]),
                    icon_name="tick",
                    priority=5,
                )
            )
        return buttons


class CalendarYearConfirmView(WagtailAdminTemplateMixin, View):
    """Show a draft year's days next to a "confirm" button; POST confirms it.

    Answers 403 to anyone who is not a county administrator, before looking the year up, so the
    page neither works for nor tells anything to other back-office users.
    """

    model = CalendarYear
    template_name = "workdays/admin/calendar_year_confirm.html"
    index_url_name = None
    edit_url_name = None
    header_icon = "date"

    def dispatch(self, request, *args, **kwargs):
        policy = policy_registry.get_by_type(CalendarYear)
        if not policy.user_has_permission(request.user, CONFIRM_ACTION):
            return HttpResponseForbidden(gettext("Only a county administrator may confirm a work calendar."))
        self.object = get_object_or_404(CalendarYear, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return gettext("Confirm the %(year)s work calendar") % {"year": self.object.year}

    def get_breadcrumbs_items(self):
        items = list(super().get_breadcrumbs_items())
        if self.index_url_name:
            items.append(
                {
                    "url": reverse(self.index_url_name),
                    "label": capfirst(CalendarYear._meta.verbose_name_plural),
                }
            )
        if self.edit_url_name:
            items.append(
                {"url": reverse(self.edit_url_name, args=[self.object.pk]), "label": str(self.object.year)}
            )
        items.append({"url": "", "label": gettext("Confirm")})
        return items

    def get_context_data(self, **kwargs):
        days = list(calendar_days_of_year(year=self.object))
        context = super().get_context_data(**kwargs)
        context.update(
            calendar_year=self.object,
            days=days,
            rest_day_count=sum(1 for day in days if not day.is_workday),
            workday_count=sum(1 for day in days if day.is_workday),
            index_url=reverse(self.index_url_name) if self.index_url_name else "",
        )
        return context

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data())

    def post(self, request, *args, **kwargs):
        try:
            calendar_year = calendar_year_confirm(actor=request.user, year=self.object)
        except DomainError as error:
            messages.error(request, str(error))
            return redirect(request.path)
        messages.success(
            request,
            gettext("The %(year)s work calendar is confirmed; its days now count in deadlines.")
            % {"year": calendar_year.year},
        )
        return redirect(reverse(self.index_url_name) if self.index_url_name else request.path)

"""Back-office views of the work calendar (工作日历) beyond Wagtail's generic ones.

Views stay thin: they ask `calendar_year_policy`, call one service, and turn a domain error
into a message.
"""

import hashlib
import json

from django.contrib import messages
from django.http import HttpResponseForbidden
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.text import capfirst
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django.views.generic import View
from wagtail.admin.ui.menus import MenuItem
from wagtail.admin.views import generic
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.widgets.button import Button, HeaderButton

from portal.errors import DomainError

from .days import CalendarException
from .forms import HolidayForm, HolidayFormSet, NoticeForm
from .holiday_package import package_has_schedule, statutory_holidays
from .models import FIRST_YEAR, LAST_YEAR, CalendarYear
from .notice import NoticeHoliday, holidays_check, holidays_differences, normalize_notice_number, notice_parse
from .notice_entry import (
    CalendarYearAlreadyConfirmed,
    HolidaysRefused,
    calendar_year_enter_from_notice,
    entered_days_summary,
)
from .policies import CONFIRM, ENTER, calendar_year_policy
from .preview import WEEKDAY_HEADERS, year_preview
from .selectors import (
    CalendarYearNeedingConfirmation,
    calendar_days_of_year,
    calendar_year_numbered,
    calendar_years_needing_confirmation,
    calendar_years_with_day_counts,
)
from .services import calendar_year_confirm

ENTER_URL_NAME = "calendar_years:enter"
CONFIRM_URL_NAME = "calendar_years:confirm"


def missing_year_links(missing: list[CalendarYearNeedingConfirmation]) -> list[dict]:
    """What the back office offers for each year that lacks a confirmed calendar: confirming the
    draft that exists, or entering the year from the notice (and whether the holidays package
    could draft it instead)."""
    today = timezone.localdate()
    return [
        {
            "year": item.year,
            "started": item.year <= today.year,
            "days_left": (today.replace(year=item.year, month=1, day=1) - today).days,
            "draft": item.draft,
            "confirm_url": reverse(CONFIRM_URL_NAME, args=[item.draft.pk]) if item.draft else "",
            "enter_url": reverse(ENTER_URL_NAME) + f"?year={item.year}",
            "package_has_schedule": package_has_schedule(item.year),
        }
        for item in missing
    ]


def _years_breadcrumbs(items, index_url_name: str | None) -> list[dict]:
    """The back office's breadcrumbs followed by the calendar years' list."""
    items = list(items)
    if index_url_name:
        items.append(
            {"url": reverse(index_url_name), "label": capfirst(CalendarYear._meta.verbose_name_plural)}
        )
    return items


class CalendarYearIndexView(generic.IndexView):
    """Years with their day counts, a "confirm" entry on each draft's row, "enter from the
    notice" in the header, and above the list the years that lack a confirmed calendar."""

    template_name = "workdays/admin/calendar_year_index.html"
    confirm_url_name = None
    days_index_url_name = None
    enter_url_name = None

    def get_base_queryset(self):
        return calendar_years_with_day_counts()

    @cached_property
    def header_buttons(self):
        buttons = list(super().header_buttons)
        if self.enter_url_name:
            buttons.append(
                HeaderButton(
                    _("Enter from the notice"), url=reverse(self.enter_url_name), icon_name="doc-full"
                )
            )
        return buttons

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if not self.results_only:
            context["missing_years"] = missing_year_links(
                calendar_years_needing_confirmation(on=timezone.localdate())
            )
        return context

    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        if self.days_index_url_name:
            buttons.append(
                MenuItem(
                    pgettext_lazy("work calendar", "Days"),
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
        if not calendar_year_policy.user_has_permission(request.user, CONFIRM):
            return HttpResponseForbidden(gettext("Only a county administrator may confirm a work calendar."))
        self.object = get_object_or_404(CalendarYear, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return gettext("Confirm the %(year)s work calendar") % {"year": self.object.year}

    def get_breadcrumbs_items(self):
        items = _years_breadcrumbs(super().get_breadcrumbs_items(), self.index_url_name)
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
            preview=year_preview(
                year=self.object.year,
                exceptions=[
                    CalendarException(date=d.date, is_workday=d.is_workday, name=d.name) for d in days
                ],
                statutory=statutory_holidays(self.object.year),
            ),
            weekday_headers=WEEKDAY_HEADERS,
            enter_url=reverse(ENTER_URL_NAME) + f"?year={self.object.year}"
            if not self.object.is_confirmed
            else "",
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
            gettext(
                "The %(year)s work calendar is confirmed; its days now count in deadlines. Every open "
                "deadline has been counted again, and villagers whose date moved were sent a text message."
            )
            % {"year": calendar_year.year},
        )
        return redirect(reverse(self.index_url_name) if self.index_url_name else request.path)


def statutory_spans(year: int) -> list[tuple]:
    """The statutory holidays of `year` as (first, last, name) runs: "2/5–2/8 春节"."""
    spans: list[list] = []
    for day, name in statutory_holidays(year).items():
        if spans and spans[-1][2] == name and (day - spans[-1][1]).days == 1:
            spans[-1][1] = day
        else:
            spans.append([day, day, name])
    return [tuple(span) for span in spans]


def _holidays_digest(year: int, notice: str, holidays: list[NoticeHoliday]) -> str:
    """A fingerprint of what the preview showed, so that saving saves exactly that."""
    rows = [
        [h.name, h.first.isoformat(), h.last.isoformat(), [d.isoformat() for d in h.workdays]]
        for h in holidays
    ]
    payload = json.dumps([year, normalize_notice_number(notice), rows], ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()[:32]


def _year_from_query(value: str | None) -> int | None:
    try:
        year = int(value or "")
    except ValueError:
        return None
    return year if FIRST_YEAR <= year <= LAST_YEAR else None


class CalendarYearEnterView(WagtailAdminTemplateMixin, View):
    """Enter a year from the State Council's notice: paste, read, correct, preview, save a draft.

    One page, one form, three buttons: "read the notice" fills the holiday rows from the pasted
    text; "preview" checks the rows and draws the year; "save" stores the previewed rows as a
    draft (`calendar_year_enter_from_notice`) and goes to the confirm page. Everything typed
    stays on the page through every step and every refusal. Answers 403 to anyone who is not a
    county administrator, before reading anything.
    """

    template_name = "workdays/admin/calendar_year_enter.html"
    page_title = _("Enter a year from the notice")
    header_icon = "date"
    index_url_name = None
    confirm_url_name = None
    # Blank rows offered for typing holidays by hand (a notice has six or seven).
    BLANK_ROWS_FIRST_TIME = 7

    def dispatch(self, request, *args, **kwargs):
        if not calendar_year_policy.user_has_permission(request.user, ENTER):
            return HttpResponseForbidden(gettext("Only a county administrator may enter a work calendar."))
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        items = _years_breadcrumbs(super().get_breadcrumbs_items(), self.index_url_name)
        items.append({"url": "", "label": self.page_title})
        return items

    # Building the page

    def _rows(self, holidays: list[NoticeHoliday], *, year: int | None, blank: int = 1) -> HolidayFormSet:
        initial = [HolidayForm.initial_for(holiday) for holiday in holidays]
        formset = HolidayFormSet(
            initial=initial + [{}] * blank, prefix="holidays", form_kwargs={"year": year}
        )
        return formset

    def _confirmed_notice(self, year: int | None):
        """The confirmed calendar of `year`, if any: it is not overwritten, and the page says so."""
        if year is None:
            return None
        calendar_year = calendar_year_numbered(year)
        return calendar_year if calendar_year is not None and calendar_year.is_confirmed else None

    def _render(self, *, notice_form, formset, year, problems=(), check=None, holidays=None, confirmed=None):
        context = self.get_context_data(
            weekday_headers=WEEKDAY_HEADERS,
            notice_form=notice_form,
            formset=formset,
            year=year,
            problems=list(problems),
            check=check,
            confirmed_year=confirmed,
            confirmed_url=reverse(self.confirm_url_name, args=[confirmed.pk])
            if confirmed is not None and self.confirm_url_name
            else "",
        )
        if holidays and year is not None and check is not None:
            differences = holidays_differences(holidays).values()
            context.update(
                holidays=holidays,
                preview=year_preview(year=year, exceptions=differences, statutory=statutory_holidays(year)),
                statutory=statutory_spans(year),
                can_save=check.ok and confirmed is None,
            )
        return self.render_to_response(context)

    def _with_values(self, notice_form: NoticeForm, **values) -> NoticeForm:
        """The notice form re-bound with some values filled in (read from the text, or the
        digest of the preview), and everything else as typed."""
        data = notice_form.data.copy()
        for name, value in values.items():
            data[name] = "" if value is None else str(value)
        form = NoticeForm(data)
        form.is_valid()
        return form

    # Steps

    def get(self, request, *args, **kwargs):
        year = _year_from_query(request.GET.get("year"))
        return self._render(
            notice_form=NoticeForm(initial={"year": year}),
            formset=self._rows([], year=year, blank=self.BLANK_ROWS_FIRST_TIME),
            year=year,
            confirmed=self._confirmed_notice(year),
        )

    def post(self, request, *args, **kwargs):
        action = request.POST.get("action", "preview")
        notice_form = NoticeForm(request.POST)
        year = notice_form.cleaned_data.get("year") if notice_form.is_valid() else None
        bound_rows = HolidayFormSet(request.POST, prefix="holidays", form_kwargs={"year": year})
        if not notice_form.is_valid():
            return self._render(notice_form=notice_form, formset=bound_rows, year=year)
        if action == "read":
            return self._read(notice_form, bound_rows, year)
        return self._check(notice_form, bound_rows, year, save=action == "save")

    def _read(self, notice_form, bound_rows, year):
        text = notice_form.cleaned_data["text"]
        if not text.strip():
            return self._render(
                notice_form=notice_form,
                formset=bound_rows,
                year=year,
                problems=[gettext("Paste the notice's text first, then press “Read the notice”.")],
            )
        parsed = notice_parse(text, year=year)
        if not parsed.holidays:
            # Nothing read: keep the rows as they were, with what went wrong.
            return self._render(
                notice_form=notice_form, formset=bound_rows, year=year, problems=parsed.problems
            )
        year = parsed.year
        notice = notice_form.cleaned_data["notice"] or parsed.number
        check = holidays_check(year=year, holidays=parsed.holidays)
        notice_form = self._with_values(
            notice_form,
            year=year,
            notice=notice,
            previewed=_holidays_digest(year, notice, parsed.holidays),
        )
        return self._render(
            notice_form=notice_form,
            formset=self._rows(parsed.holidays, year=year),
            year=year,
            problems=parsed.problems,
            check=check,
            holidays=parsed.holidays,
            confirmed=self._confirmed_notice(year),
        )

    def _check(self, notice_form, bound_rows, year, *, save: bool):
        if not bound_rows.is_valid():
            return self._render(notice_form=notice_form, formset=bound_rows, year=year)
        if year is None:
            notice_form.add_error("year", gettext("Enter the year the notice is for."))
            return self._render(notice_form=notice_form, formset=bound_rows, year=year)
        holidays = sorted(
            (holiday for form in bound_rows.forms if (holiday := form.holiday()) is not None),
            key=lambda holiday: (holiday.first, holiday.last),
        )
        notice = notice_form.cleaned_data["notice"]
        check = holidays_check(year=year, holidays=holidays)
        digest = _holidays_digest(year, notice, holidays)
        confirmed = self._confirmed_notice(year)
        problems = []
        if save and check.ok and confirmed is None:
            if notice_form.cleaned_data["previewed"] != digest:
                problems.append(
                    gettext(
                        "The notice or its holidays changed since the preview. Check the new preview below, then save."
                    )
                )
            else:
                try:
                    calendar_year = calendar_year_enter_from_notice(
                        actor=self.request.user, year=year, notice=notice, holidays=holidays
                    )
                except CalendarYearAlreadyConfirmed as error:
                    confirmed = error.calendar_year
                except HolidaysRefused as error:
                    problems.extend(error.problems)
                except DomainError as error:
                    problems.append(str(error))
                else:
                    return self._saved(calendar_year, holidays)
        rows = self._rows(holidays, year=year) if holidays else bound_rows
        return self._render(
            notice_form=self._with_values(notice_form, previewed=digest),
            formset=rows,
            year=year,
            problems=problems,
            check=check,
            holidays=holidays,
            confirmed=confirmed,
        )

    def _saved(self, calendar_year: CalendarYear, holidays: list[NoticeHoliday]):
        rest_days, workdays = entered_days_summary(holidays)
        messages.success(
            self.request,
            gettext(
                "The %(year)s calendar is saved as a draft (%(notice)s): %(rest)s weekday rest days, "
                "%(work)s weekend days worked. Check it once more and confirm it."
            )
            % {
                "year": calendar_year.year,
                "notice": calendar_year.notice,
                "rest": rest_days,
                "work": workdays,
            },
        )
        if self.confirm_url_name:
            return redirect(reverse(self.confirm_url_name, args=[calendar_year.pk]))
        return redirect(self.request.path)

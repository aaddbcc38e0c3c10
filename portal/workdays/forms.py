"""Forms of the page that enters a year from the State Council's notice.

The notice form holds what the administrator pasted (kept as typed through every step); the
holiday rows hold the notice as structured fields, filled by reading the text and editable
without JavaScript. A row left blank is ignored, so a row is removed by clearing it.
"""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import FIRST_YEAR, LAST_YEAR
from .notice import MAX_NAME_LENGTH, NoticeHoliday, parse_day_list

MAX_HOLIDAY_ROWS = 20
NOTICE_TEXT_MAX_LENGTH = 20_000


class NoticeForm(forms.Form):
    year = forms.IntegerField(
        label=_("Year (年度)"),
        min_value=FIRST_YEAR,
        max_value=LAST_YEAR,
        required=False,
        help_text=_("The calendar year the notice is for. Left empty, it is read from the text."),
    )
    notice = forms.CharField(
        label=_("Notice number (放假通知文号)"),
        max_length=100,
        required=False,
        help_text=_(
            "As printed on the notice, e.g. 国办发明电〔2025〕7号. Read from the text when it is there."
        ),
    )
    text = forms.CharField(
        label=_("The notice's text (通知原文)"),
        required=False,
        max_length=NOTICE_TEXT_MAX_LENGTH,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 12, "lang": "zh-Hans"}),
        help_text=_(
            "Paste the notice as published, at least its numbered paragraphs "
            "(一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。1月4日（周日）上班。…), "
            "then press “Read the notice”."
        ),
    )
    # The digest of the holidays last shown in the preview: saving needs the preview to have
    # shown exactly what is saved.
    previewed = forms.CharField(required=False, widget=forms.HiddenInput)


class DayField(forms.CharField):
    """A date typed as text: 2027-02-05, 2027/2/5, 2027年2月5日 or 2月5日 (the page's year).

    Text, not the browser's date picker: the notice and the make-up day column write dates
    this way, a date picker shows them in the browser's order (05/02/2027 or 02/05/2027), and a
    wrong date stays on the page as typed, next to its message."""

    widget = forms.TextInput(attrs={"autocomplete": "off", "size": 12})

    def __init__(self, **kwargs):
        super().__init__(max_length=30, **kwargs)


class HolidayForm(forms.Form):
    """One holiday: its name, its days off from first to last, and its make-up workdays."""

    name = forms.CharField(label=_("Holiday (节日)"), max_length=MAX_NAME_LENGTH, required=False)
    first = DayField(label=_("First day off (放假第一天)"), required=False)
    last = DayField(label=_("Last day off (最后一天)"), required=False)
    workdays = forms.CharField(
        label=_("Make-up workdays (调休上班日)"),
        max_length=500,
        required=False,
        help_text=_("Saturdays or Sundays worked, e.g. 2026-02-14, 2026-02-28; empty if none."),
    )

    def __init__(self, *args, year: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.year = year
        self.is_blank = False

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        if not any(data.get(name) for name in ("name", "first", "last", "workdays")):
            self.is_blank = True
            return data
        if not data.get("name"):
            self.add_error("name", gettext("Name the holiday."))
        # Dates typed without a year ("2月14日") take the page's.
        year = self.year or timezone.localdate().year
        for name, missing in (
            ("first", gettext("Enter the first day off.")),
            ("last", gettext("Enter the last day off.")),
        ):
            if not data.get(name):
                self.add_error(name, missing)
                continue
            days, bad = parse_day_list(data[name], year=year)
            if bad or len(days) != 1:
                self.add_error(
                    name,
                    gettext("Not a date: %(text)s. Write it like 2026-01-04 or 1月4日.")
                    % {"text": data[name]},
                )
            else:
                data[f"{name}_date"] = days[0]
        days, bad = parse_day_list(data.get("workdays", ""), year=year)
        if bad:
            self.add_error(
                "workdays",
                gettext("Not a date: %(pieces)s. Write dates like 2026-01-04 or 1月4日, separated by commas.")
                % {"pieces": "、".join(bad)},
            )
        data["workday_dates"] = days
        return data

    def holiday(self) -> NoticeHoliday | None:
        """The row as a holiday, or None for a blank row. Call after `is_valid()`."""
        if self.is_blank or not getattr(self, "cleaned_data", None):
            return None
        data = self.cleaned_data
        return NoticeHoliday(
            name=" ".join(data["name"].split()),
            first=data["first_date"],
            last=data["last_date"],
            workdays=tuple(data["workday_dates"]),
        )

    @staticmethod
    def initial_for(holiday: NoticeHoliday) -> dict:
        return {
            "name": holiday.name,
            "first": holiday.first.isoformat(),
            "last": holiday.last.isoformat(),
            "workdays": ", ".join(day.isoformat() for day in holiday.workdays),
        }


HolidayFormSet = forms.formset_factory(
    HolidayForm, extra=0, max_num=MAX_HOLIDAY_ROWS, validate_max=True, absolute_max=MAX_HOLIDAY_ROWS + 10
)

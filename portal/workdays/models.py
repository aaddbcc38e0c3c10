"""The working-day calendar (工作日历): which dates differ from the default Monday–Friday week.

Deadlines in administration count working days (行政许可法 第八十二条). The default week works
Monday to Friday and rests on Saturday and Sunday; each year the State Council's holiday notice
(e.g. 国办发明电〔2025〕7号 for 2026) moves some days: public holidays on weekdays are rest days,
and some weekend days are worked instead (调休上班). Only those differences are stored, one
`CalendarDay` per date, grouped under a `CalendarYear` that an administrator confirms against the
notice. Until a year is confirmed its days are ignored and the default week applies (see
`portal.workdays.calendar` and `selectors.unconfirmed_years_between`).
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import formats
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

# The holidays package and the State Council notices both start around here; a year outside
# this range is a typing mistake, not a calendar.
FIRST_YEAR = 2000
LAST_YEAR = 2100


def is_default_workday(day: datetime.date) -> bool:
    """Monday to Friday work in the default week; Saturday and Sunday rest."""
    return day.weekday() < 5


class CalendarYear(models.Model):
    """One year's calendar, loaded as a draft and confirmed by a county administrator.

    The confirmation is what makes the year's days count: an unchecked import from the holidays
    package must never move a legal deadline.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft (待核对)")
        CONFIRMED = "confirmed", _("Confirmed (已确认)")

    year = models.PositiveSmallIntegerField(
        _("year (年度)"),
        unique=True,
        validators=[MinValueValidator(FIRST_YEAR), MaxValueValidator(LAST_YEAR)],
    )
    notice = models.CharField(
        _("holiday notice (放假通知文号)"),
        max_length=100,
        blank=True,
        help_text=_("Document number of the State Council's holiday notice, e.g. 国办发明电〔2025〕7号."),
    )
    status = models.CharField(_("status (状态)"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by (核对人)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("confirmed at (核对时间)"), null=True, blank=True)
    source_note = models.TextField(
        _("source note (来源说明)"),
        blank=True,
        help_text=_("Where the days came from and anything the checker noticed."),
    )

    class Meta:
        verbose_name = _("calendar year (日历年度)")
        verbose_name_plural = _("calendar years (日历年度)")
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.year} · {self.get_status_display()}"

    @property
    def is_confirmed(self) -> bool:
        return self.status == self.Status.CONFIRMED


class CalendarDay(models.Model):
    """A date that differs from the default week: a weekday rest day or a weekend workday.

    Storing only the differences keeps a year to about twenty-five rows that read exactly like
    the notice, and makes "is this date a working day?" one dictionary lookup.
    """

    class Source(models.TextChoices):
        HOLIDAYS_PACKAGE = "holidays_package", _("holidays package")
        MANUAL = "manual", _("entered by hand")

    date = models.DateField(_("date (日期)"), unique=True)
    year = models.ForeignKey(
        CalendarYear,
        verbose_name=_("calendar year (日历年度)"),
        on_delete=models.CASCADE,
        related_name="days",
    )
    is_workday = models.BooleanField(
        _("working day (上班)"),
        help_text=_(
            "Ticked: a Saturday or Sunday that is worked (调休上班). "
            "Not ticked: a Monday–Friday that is a rest day (放假)."
        ),
    )
    name = models.CharField(
        _("name (名称)"), max_length=100, help_text=_("As in the notice, e.g. 春节 or 国庆节调休上班.")
    )
    source = models.CharField(
        _("source (来源)"), max_length=20, choices=Source.choices, default=Source.MANUAL
    )

    class Meta:
        verbose_name = _("calendar day (日历调整日)")
        verbose_name_plural = _("calendar days (日历调整日)")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {self.name}"

    @property
    def weekday_name(self) -> str:
        """The day of the week in the user's language, so a checker sees a Saturday at a glance."""
        return str(WEEKDAYS[self.date.weekday()]) if self.date else ""

    def clean(self) -> None:
        super().clean()
        if self.date is None:
            return
        errors = {}
        if self.year_id is not None and self.date.year != self.year.year:
            errors["date"] = gettext("%(date)s does not belong to the calendar year %(year)s.") % {
                "date": formats.date_format(self.date),
                "year": self.year.year,
            }
        if self.is_workday is not None and self.is_workday == is_default_workday(self.date):
            weekday = WEEKDAYS[self.date.weekday()]
            if self.is_workday:
                message = gettext(
                    "%(date)s is a %(weekday)s, already a working day in the default week. "
                    "Store only days that differ: a Saturday or Sunday that is worked."
                )
            else:
                message = gettext(
                    "%(date)s is a %(weekday)s, already a rest day in the default week. "
                    "Store only days that differ: a Monday to Friday that is a rest day."
                )
            errors["is_workday"] = message % {"date": formats.date_format(self.date), "weekday": weekday}
        if errors:
            raise ValidationError(errors)

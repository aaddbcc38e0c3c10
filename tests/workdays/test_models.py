"""CalendarDay.clean(): only dates that differ from the default week, inside their own year."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from portal.workdays.models import CalendarDay

from .factories import CalendarYearFactory

D = datetime.date

pytestmark = pytest.mark.django_db


def day(date: datetime.date, *, is_workday: bool, year: int | None = None) -> CalendarDay:
    return CalendarDay(
        date=date, year=CalendarYearFactory(year=year or date.year), is_workday=is_workday, name="测试"
    )


def test_a_weekday_rest_day_is_accepted():
    day(D(2026, 10, 1), is_workday=False).full_clean()  # Thursday


def test_a_worked_weekend_day_is_accepted():
    day(D(2026, 10, 10), is_workday=True).full_clean()  # Saturday


def test_a_weekday_marked_as_working_day_is_refused():
    with pytest.raises(ValidationError) as caught:
        day(D(2026, 10, 8), is_workday=True).full_clean()  # Thursday
    assert "already a working day" in str(caught.value.message_dict["is_workday"])


def test_a_weekend_day_marked_as_rest_day_is_refused():
    with pytest.raises(ValidationError) as caught:
        day(D(2026, 10, 3), is_workday=False).full_clean()  # Saturday
    assert "already a rest day" in str(caught.value.message_dict["is_workday"])


def test_a_date_outside_the_rows_year_is_refused():
    with pytest.raises(ValidationError) as caught:
        day(D(2026, 1, 1), is_workday=False, year=2025).full_clean()
    assert "does not belong to the calendar year 2025" in str(caught.value.message_dict["date"])


def test_the_weekday_name_is_shown_for_a_checker():
    assert day(D(2026, 2, 14), is_workday=True).weekday_name in {"Saturday", "星期六"}

"""Working-day arithmetic: conventions, confirmed vs draft years, cost in queries.

In-memory calendars (no database) pin the conventions; database tests pin what counts and how
many queries it takes.
"""

import datetime

import pytest

from portal.workdays.calendar import (
    CalendarException,
    CalendarRangeError,
    RestDay,
    WorkCalendar,
    YearCalendar,
    add_working_days,
    is_working_day,
    skipped_rest_days,
    working_days_between,
)
from portal.workdays.models import CalendarYear

from .factories import CalendarDayFactory, CalendarYearFactory

D = datetime.date

# June 2026 as a small fixture, with 端午 on Friday 6/19 and an invented worked Saturday 6/27:
#
#   Mo Tu We Th Fr Sa Su
#   15 16 17 18 [19] 20 21      [19] rest (端午节)
#   22 23 24 25 26 (27) 28      (27) worked
JUNE = WorkCalendar(
    first=D(2026, 6, 1),
    last=D(2026, 6, 30),
    exceptions=[
        CalendarException(date=D(2026, 6, 19), is_workday=False, name="端午节"),
        CalendarException(date=D(2026, 6, 27), is_workday=True, name="调休上班"),
    ],
)


class TestConventions:
    def test_start_never_counts(self):
        assert JUNE.add_working_days(D(2026, 6, 15), 1) == D(2026, 6, 16)

    def test_zero_days_returns_the_start_even_on_a_rest_day(self):
        assert JUNE.add_working_days(D(2026, 6, 20), 0) == D(2026, 6, 20)

    def test_negative_days_are_refused(self):
        with pytest.raises(ValueError, match="0 or more"):
            JUNE.add_working_days(D(2026, 6, 15), -1)

    def test_a_datetime_is_refused_because_its_day_depends_on_the_time_zone(self):
        with pytest.raises(TypeError):
            JUNE.is_working_day(datetime.datetime(2026, 6, 15, 23, 0, tzinfo=datetime.UTC))

    def test_a_rest_day_and_the_weekend_are_skipped(self):
        # 6/18 Thu → 6/19 rest, 6/20–21 weekend → Monday 6/22.
        assert JUNE.add_working_days(D(2026, 6, 18), 1) == D(2026, 6, 22)

    def test_a_worked_saturday_counts(self):
        assert JUNE.add_working_days(D(2026, 6, 26), 1) == D(2026, 6, 27)

    def test_between_is_half_open_and_the_inverse_of_add(self):
        start = D(2026, 6, 15)
        for n in range(12):
            assert JUNE.working_days_between(start, JUNE.add_working_days(start, n)) == n

    def test_between_is_zero_when_end_is_not_after_start(self):
        assert JUNE.working_days_between(D(2026, 6, 15), D(2026, 6, 15)) == 0
        assert JUNE.working_days_between(D(2026, 6, 16), D(2026, 6, 15)) == 0

    def test_between_counts_the_fixture_weeks(self):
        # (6/14, 6/28]: 10 weekdays − 6/19 + 6/27 = 10
        assert JUNE.working_days_between(D(2026, 6, 14), D(2026, 6, 28)) == 10

    def test_skipped_rest_days_lists_weekday_rest_days_with_names(self):
        assert JUNE.skipped_rest_days(D(2026, 6, 14), D(2026, 6, 28)) == [
            RestDay(date=D(2026, 6, 19), name="端午节")
        ]
        assert JUNE.skipped_rest_days(D(2026, 6, 19), D(2026, 6, 28)) == []  # start excluded

    def test_a_calendar_without_a_loader_refuses_dates_outside_its_range(self):
        with pytest.raises(CalendarRangeError):
            JUNE.add_working_days(D(2026, 6, 29), 5)
        with pytest.raises(CalendarRangeError):
            JUNE.is_working_day(D(2026, 7, 1))

    def test_a_calendar_with_a_loader_extends_itself_once_per_missing_stretch(self):
        calls = []

        def loader(years):
            calls.append(list(years))
            return [YearCalendar(year=year, confirmed=True, exceptions=()) for year in years]

        calendar = WorkCalendar(first=D(2026, 1, 1), last=D(2026, 12, 31), loader=loader)
        assert calendar.add_working_days(D(2026, 12, 1), 30) == D(2027, 1, 12)
        assert calls == [[2027]]
        assert calendar.is_working_day(D(2027, 6, 10)) is True
        assert calls == [[2027]]
        assert calendar.unconfirmed_years(D(2026, 12, 1), D(2027, 1, 12)) == []

    def test_a_year_marked_unconfirmed_makes_its_deadlines_provisional(self):
        calendar = WorkCalendar(
            first=D(2026, 12, 1),
            last=D(2027, 1, 31),
            exceptions=[CalendarException(date=D(2027, 1, 1), is_workday=False, name="元旦")],
            unconfirmed_years=[2027],
        )
        assert calendar.unconfirmed_years(D(2026, 12, 1), D(2026, 12, 31)) == []
        assert calendar.unconfirmed_years(D(2026, 12, 31), D(2027, 1, 4)) == [2027]
        assert calendar.unconfirmed_years(D(2027, 1, 4), D(2027, 1, 4)) == []  # nothing counted
        assert calendar.skipped_rest_days(D(2026, 12, 31), D(2027, 1, 4)) == [
            RestDay(date=D(2027, 1, 1), name="元旦", provisional=True)
        ]


@pytest.mark.django_db
class TestConfirmedYearsOnly:
    def test_days_of_a_draft_year_are_ignored(self):
        # 6/22 is no statutory holiday: only a confirmed calendar could make it a rest day.
        CalendarDayFactory(date=D(2026, 6, 22), year=CalendarYearFactory(year=2026), name="临时放假")
        assert is_working_day(D(2026, 6, 22)) is True
        assert add_working_days(D(2026, 6, 19), 1) == D(2026, 6, 22)
        assert [rest.name for rest in skipped_rest_days(D(2026, 6, 18), D(2026, 6, 23))] == ["端午节"]

    def test_a_year_without_a_confirmed_calendar_rests_on_its_statutory_holidays(self):
        # 元旦 and the four days of 春节 (除夕 to 初三) are certain; 2027 has no notice yet.
        assert is_working_day(D(2027, 1, 1)) is False
        assert add_working_days(D(2026, 12, 31), 1) == D(2027, 1, 4)
        # 2027-02-05 除夕 (Fri), 2/6–2/8 初一 to 初三 (Sat–Mon): Tuesday 2/9 is the next working day.
        assert add_working_days(D(2027, 2, 4), 1) == D(2027, 2, 9)
        skipped = skipped_rest_days(D(2027, 2, 1), D(2027, 2, 10))
        assert [(rest.date, rest.name, rest.provisional) for rest in skipped] == [
            (D(2027, 2, 5), "春节", True),
            (D(2027, 2, 8), "春节", True),
        ]
        # Days a notice might add (补假, 调休) are not guessed: 2027-02-09 still counts.
        assert is_working_day(D(2027, 2, 9)) is True

    def test_confirming_a_year_ends_the_provisional_count(self):
        calendar = WorkCalendar.for_range(first=D(2026, 12, 1), last=D(2027, 1, 31))
        assert calendar.unconfirmed_years(D(2026, 12, 20), D(2027, 1, 20)) == [2026, 2027]
        CalendarYearFactory(year=2026, confirmed=True)
        CalendarDayFactory(date=D(2026, 10, 1), year=CalendarYear.objects.get(year=2026), name="国庆节")
        calendar = WorkCalendar.for_range(first=D(2026, 12, 1), last=D(2027, 1, 31))
        assert calendar.unconfirmed_years(D(2026, 12, 20), D(2027, 1, 20)) == [2027]
        assert calendar.unconfirmed_years(D(2026, 12, 1), D(2026, 12, 31)) == []

    def test_days_of_a_confirmed_year_count(self):
        CalendarDayFactory(date=D(2026, 6, 19), year=CalendarYearFactory(year=2026, confirmed=True))
        assert is_working_day(D(2026, 6, 19)) is False
        assert add_working_days(D(2026, 6, 18), 1) == D(2026, 6, 22)
        assert working_days_between(D(2026, 6, 18), D(2026, 6, 22)) == 1

    def test_a_newly_added_holiday_moves_a_computed_due_date(self):
        year = CalendarYearFactory(year=2026, confirmed=True)
        CalendarDayFactory(date=D(2026, 6, 19), year=year)
        start = D(2026, 6, 15)
        # 6/16, 6/17, 6/18, (6/19 rest, weekend), 6/22, 6/23
        assert add_working_days(start, 5) == D(2026, 6, 23)

        # An extraordinary day off announced later, on Monday 6/22.
        CalendarDayFactory(date=D(2026, 6, 22), year=year, name="临时放假")

        assert add_working_days(start, 5) == D(2026, 6, 24)
        assert [rest.name for rest in skipped_rest_days(start, D(2026, 6, 24))] == ["端午节", "临时放假"]

    def test_confirming_a_loaded_draft_changes_the_answer(self, load_year, superuser):
        calendar_year, _output = load_year(2026)
        # Draft: statutory holidays only. 2/16 除夕 to 2/19 初三 rest, so Fri 2/20 and Mon 2/23.
        assert add_working_days(D(2026, 2, 13), 2) == D(2026, 2, 23)

        calendar_year.status = CalendarYear.Status.CONFIRMED
        calendar_year.save()

        assert add_working_days(D(2026, 2, 13), 2) == D(2026, 2, 24)


@pytest.mark.django_db
class TestQueryCounts:
    @pytest.fixture(autouse=True)
    def _calendar(self, load_year, superuser):
        load_year(2026, confirm_by=superuser)

    @pytest.mark.parametrize("n", [1, 5, 20, 60, 250])
    def test_add_working_days_takes_at_most_one_query(self, n, django_assert_max_num_queries):
        with django_assert_max_num_queries(1):
            add_working_days(D(2026, 1, 1), n)

    def test_add_zero_working_days_takes_no_query(self, django_assert_num_queries):
        with django_assert_num_queries(0):
            assert add_working_days(D(2026, 10, 1), 0) == D(2026, 10, 1)

    def test_the_other_functions_take_one_query(self, django_assert_num_queries):
        with django_assert_num_queries(1):
            is_working_day(D(2026, 10, 1))
        with django_assert_num_queries(1):
            working_days_between(D(2026, 1, 1), D(2026, 12, 31))
        with django_assert_num_queries(1):
            skipped_rest_days(D(2026, 1, 1), D(2026, 12, 31))

    def test_a_work_calendar_answers_a_hundred_deadlines_with_one_query(self, django_assert_num_queries):
        starts = [D(2026, 1, 5) + datetime.timedelta(days=3 * i) for i in range(100)]
        with django_assert_num_queries(1):
            calendar = WorkCalendar.for_range(
                first=min(starts), last=max(starts) + datetime.timedelta(days=60)
            )
            due = [calendar.add_working_days(start, 20) for start in starts]
        assert due == [add_working_days(start, 20) for start in starts]

"""The 2025 and 2026 calendars as the State Council published them, loaded and confirmed.

The expectations below are typed from the notices themselves, not derived from the holidays
package, so a wrong package release (or a wrong loader) fails here:

- 国办发明电〔2024〕12号 (2025): 元旦 1/1; 春节 1/28–2/4, worked 1/26 Sun and 2/8 Sat; 清明 4/4–4/6;
  劳动节 5/1–5/5, worked 4/27 Sun; 端午 5/31–6/2; 国庆·中秋 10/1–10/8, worked 9/28 Sun and 10/11 Sat.
- 国办发明电〔2025〕7号 (2026): 元旦 1/1–1/3, worked 1/4 Sun; 春节 2/15–2/23, worked 2/14 Sat and
  2/28 Sat; 清明 4/4–4/6; 劳动节 5/1–5/5, worked 5/9 Sat; 端午 6/19–6/21; 中秋 9/25–9/27;
  国庆 10/1–10/7, worked 9/20 Sun and 10/10 Sat.
"""

import datetime

import pytest

from portal.workdays.calendar import (
    WorkCalendar,
    add_working_days,
    is_working_day,
    skipped_rest_days,
    working_days_between,
)

D = datetime.date


def days(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    return [first + datetime.timedelta(days=offset) for offset in range((last - first).days + 1)]


REST_2025 = [
    *days(D(2025, 1, 1), D(2025, 1, 1)),
    *days(D(2025, 1, 28), D(2025, 2, 4)),
    *days(D(2025, 4, 4), D(2025, 4, 6)),
    *days(D(2025, 5, 1), D(2025, 5, 5)),
    *days(D(2025, 5, 31), D(2025, 6, 2)),
    *days(D(2025, 10, 1), D(2025, 10, 8)),
]
WORKED_2025 = [D(2025, 1, 26), D(2025, 2, 8), D(2025, 4, 27), D(2025, 9, 28), D(2025, 10, 11)]

REST_2026 = [
    *days(D(2026, 1, 1), D(2026, 1, 3)),
    *days(D(2026, 2, 15), D(2026, 2, 23)),
    *days(D(2026, 4, 4), D(2026, 4, 6)),
    *days(D(2026, 5, 1), D(2026, 5, 5)),
    *days(D(2026, 6, 19), D(2026, 6, 21)),
    *days(D(2026, 9, 25), D(2026, 9, 27)),
    *days(D(2026, 10, 1), D(2026, 10, 7)),
]
WORKED_2026 = [D(2026, 1, 4), D(2026, 2, 14), D(2026, 2, 28), D(2026, 5, 9), D(2026, 9, 20), D(2026, 10, 10)]


def expected_is_working_day(day: datetime.date) -> bool:
    """The notices' rule, written out independently of the code under test."""
    if day in WORKED_2025 or day in WORKED_2026:
        return True
    if day in REST_2025 or day in REST_2026:
        return False
    return day.weekday() < 5


@pytest.fixture
def official_calendars(load_year, superuser):
    load_year(2025, notice="国办发明电〔2024〕12号", confirm_by=superuser)
    load_year(2026, notice="国办发明电〔2025〕7号", confirm_by=superuser)


def test_the_literal_schedules_are_typed_correctly():
    """Guards the expectations themselves: make-up days are weekend days, and the notices'
    totals (8-day 春节 2025, 9-day 春节 2026, 8-day and 7-day 国庆) hold."""
    assert all(day.weekday() >= 5 for day in WORKED_2025 + WORKED_2026)
    assert len(days(D(2025, 1, 28), D(2025, 2, 4))) == 8
    assert len(days(D(2026, 2, 15), D(2026, 2, 23))) == 9
    assert len(days(D(2025, 10, 1), D(2025, 10, 8))) == 8
    assert len(days(D(2026, 10, 1), D(2026, 10, 7))) == 7


@pytest.mark.usefixtures("official_calendars")
class TestOfficialSchedules:
    @pytest.mark.parametrize("day", REST_2025 + REST_2026, ids=str)
    def test_every_listed_rest_day_is_not_a_working_day(self, day):
        assert is_working_day(day) is False

    @pytest.mark.parametrize("day", WORKED_2025 + WORKED_2026, ids=str)
    def test_every_make_up_weekend_day_is_a_working_day(self, day):
        assert is_working_day(day) is True

    def test_every_day_of_both_years_matches_the_notices(self, django_assert_num_queries):
        with django_assert_num_queries(1):
            calendar = WorkCalendar.for_range(first=D(2025, 1, 1), last=D(2026, 12, 31))
        mismatches = [
            day
            for day in days(D(2025, 1, 1), D(2026, 12, 31))
            if calendar.is_working_day(day) != expected_is_working_day(day)
        ]
        assert mismatches == []

    def test_the_day_after_national_day_2025_is_the_first_working_day(self):
        assert add_working_days(D(2025, 9, 30), 1) == D(2025, 10, 9)

    def test_a_make_up_saturday_counts_as_the_next_working_day(self):
        assert add_working_days(D(2026, 2, 13), 1) == D(2026, 2, 14)

    def test_the_spring_festival_2026_is_skipped(self):
        assert add_working_days(D(2026, 2, 13), 2) == D(2026, 2, 24)

    def test_new_year_2026_make_up_sunday_is_reached_from_2025(self):
        # 12/31 Wed; 1/1–1/3 rest; 1/4 Sunday is worked.
        assert add_working_days(D(2025, 12, 31), 1) == D(2026, 1, 4)

    def test_five_working_days_across_national_day_2025(self):
        # 9/28 (Sun, worked), 9/29, 9/30, then 10/9, 10/10.
        assert add_working_days(D(2025, 9, 26), 5) == D(2025, 10, 10)

    @pytest.mark.parametrize(
        ("start", "end", "expected"),
        [
            # 2025: 9/28 (Sun, worked), 9/29, 9/30 | 10/1–10/8 rest | 10/9, 10/10, 10/11 (Sat, worked)
            (D(2025, 9, 26), D(2025, 10, 12), 6),
            (D(2025, 9, 30), D(2025, 10, 8), 0),
            (D(2025, 9, 30), D(2025, 10, 11), 3),
            # 2026: 9/20 (Sun, worked), 9/21–9/24, 9/25 rest, 9/28–9/30 | 10/1–10/7 rest |
            # 10/8, 10/9, 10/10 (Sat, worked)
            (D(2026, 9, 19), D(2026, 10, 11), 11),
            (D(2026, 9, 30), D(2026, 10, 7), 0),
            (D(2026, 9, 30), D(2026, 10, 10), 3),
        ],
    )
    def test_working_days_between_over_the_national_day_weeks(self, start, end, expected):
        assert working_days_between(start, end) == expected
        assert expected == sum(
            1 for day in days(start + datetime.timedelta(days=1), end) if expected_is_working_day(day)
        )

    def test_2025_has_248_working_days(self):
        # 261 weekdays − 18 weekday rest days + 5 worked weekend days = 248, i.e. 365 − 104
        # weekend days − 13 statutory holiday days (国务院令第795号 raised them from 11 to 13 in
        # 2025). The often-quoted 250 is the old 月计薪天数 base, 365 − 104 − 11.
        assert working_days_between(D(2024, 12, 31), D(2025, 12, 31)) == 248
        assert sum(1 for day in days(D(2025, 1, 1), D(2025, 12, 31)) if expected_is_working_day(day)) == 248

    def test_2026_working_days_match_the_literal_schedule(self):
        expected = sum(1 for day in days(D(2026, 1, 1), D(2026, 12, 31)) if expected_is_working_day(day))
        assert expected == 248  # 261 weekdays − 19 weekday rest days + 6 worked weekend days
        assert working_days_between(D(2025, 12, 31), D(2026, 12, 31)) == expected

    def test_skipped_rest_days_name_the_holidays_on_weekdays_only(self):
        skipped = skipped_rest_days(D(2026, 9, 30), D(2026, 10, 10))
        assert [rest.date for rest in skipped] == [
            D(2026, 10, 1),
            D(2026, 10, 2),
            D(2026, 10, 5),
            D(2026, 10, 6),
            D(2026, 10, 7),
        ]
        assert {rest.name for rest in skipped} == {"国庆节"}

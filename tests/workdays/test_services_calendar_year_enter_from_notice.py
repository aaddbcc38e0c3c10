"""calendar_year_enter_from_notice: a draft from the notice, county administrators only."""

import datetime

import pytest
from wagtail.models import ModelLogEntry

from portal.errors import DomainError, NotPermitted
from portal.workdays.calendar import WorkCalendar
from portal.workdays.models import CalendarDay, CalendarYear
from portal.workdays.notice import NoticeHoliday, notice_parse
from portal.workdays.notice_entry import (
    ENTER_LOG_ACTION,
    CalendarYearAlreadyConfirmed,
    HolidaysRefused,
    calendar_year_enter_from_notice,
)
from portal.workdays.services import calendar_year_confirm

from .factories import CalendarDayFactory, CalendarYearFactory
from .notices import INVENTED_2027, INVENTED_2027_NUMBER, NOTICE_2025, NOTICE_2026
from .test_official_schedules import days, expected_is_working_day

D = datetime.date

pytestmark = pytest.mark.django_db


def enter(actor, year: int, text: str, notice: str = "国办发明电〔2025〕7号") -> CalendarYear:
    return calendar_year_enter_from_notice(
        actor=actor, year=year, notice=notice, holidays=notice_parse(text, year=year).holidays
    )


def stored(year: int) -> dict[datetime.date, tuple[bool, str, str]]:
    return {d.date: (d.is_workday, d.name, d.source) for d in CalendarDay.objects.filter(year__year=year)}


class TestCalendarYearEnterFromNotice:
    def test_it_stores_a_draft_of_the_days_that_differ(self, superuser):
        calendar_year = enter(superuser, 2026, NOTICE_2026, notice="国办发明电[2025]7号")

        assert calendar_year.status == CalendarYear.Status.DRAFT
        assert calendar_year.notice == "国办发明电〔2025〕7号"
        days_2026 = stored(2026)
        assert len(days_2026) == 25  # 19 weekday rest days + 6 worked weekend days
        assert days_2026[D(2026, 2, 14)] == (True, "春节调休上班", CalendarDay.Source.MANUAL)
        assert days_2026[D(2026, 10, 1)] == (False, "国庆节", CalendarDay.Source.MANUAL)
        assert D(2026, 10, 3) not in days_2026  # a Saturday off is no difference

    def test_it_records_who_entered_it_from_which_notice(self, superuser):
        calendar_year = enter(superuser, 2026, NOTICE_2026)

        assert "国办发明电〔2025〕7号" in calendar_year.source_note
        assert str(superuser) in calendar_year.source_note
        entry = ModelLogEntry.objects.get(action=ENTER_LOG_ACTION)
        assert entry.message == "Entered the work calendar from the State Council's notice"  # registered
        assert entry.user == superuser
        assert entry.object_id == str(calendar_year.pk)
        assert entry.data["notice"] == "国办发明电〔2025〕7号"
        assert entry.data["days"] == 25
        assert entry.data["holidays"][1] == {
            "name": "春节",
            "first": "2026-02-15",
            "last": "2026-02-23",
            "workdays": ["2026-02-14", "2026-02-28"],
        }

    @pytest.mark.parametrize(("year", "text"), [(2025, NOTICE_2025), (2026, NOTICE_2026)], ids=str)
    def test_the_confirmed_draft_is_exactly_the_official_calendar(self, superuser, year, text):
        calendar_year_confirm(actor=superuser, year=enter(superuser, year, text))

        calendar = WorkCalendar.for_range(first=D(year, 1, 1), last=D(year, 12, 31))
        mismatches = [
            day
            for day in days(D(year, 1, 1), D(year, 12, 31))
            if calendar.is_working_day(day) != expected_is_working_day(day)
        ]
        assert mismatches == []

    def test_a_year_the_package_does_not_know_can_be_entered(self, superuser):
        """2027 has no schedule in the holidays package; the text is invented for the test."""
        calendar_year = enter(superuser, 2027, INVENTED_2027, notice=INVENTED_2027_NUMBER)
        assert calendar_year.year == 2027
        assert stored(2027)[D(2027, 1, 30)] == (True, "春节调休上班", CalendarDay.Source.MANUAL)

    def test_entering_a_draft_again_replaces_its_days(self, superuser, load_year):
        load_year(2026)  # a draft from the holidays package
        CalendarDayFactory(date=D(2026, 3, 2), name="手工加的", source=CalendarDay.Source.MANUAL)
        holidays = notice_parse(NOTICE_2026, year=2026).holidays

        calendar_year_enter_from_notice(
            actor=superuser, year=2026, notice="国办发明电〔2025〕7号", holidays=holidays
        )

        days_2026 = stored(2026)
        assert D(2026, 3, 2) not in days_2026
        assert {source for _w, _n, source in days_2026.values()} == {CalendarDay.Source.MANUAL}
        assert len(days_2026) == 25
        assert CalendarYear.objects.count() == 1

    def test_a_confirmed_year_is_refused_and_left_alone(self, superuser):
        confirmed = CalendarYearFactory(year=2026, confirmed=True)
        CalendarDayFactory(date=D(2026, 6, 19), year=confirmed)

        with pytest.raises(CalendarYearAlreadyConfirmed) as refused:
            enter(superuser, 2026, NOTICE_2026)

        assert refused.value.calendar_year == confirmed
        assert "already confirmed" in str(refused.value)
        assert list(stored(2026)) == [D(2026, 6, 19)]
        assert not ModelLogEntry.objects.filter(action=ENTER_LOG_ACTION).exists()

    def test_holidays_that_break_a_rule_are_refused_with_every_problem(self, superuser):
        holidays = notice_parse(NOTICE_2026, year=2026).holidays
        holidays[0] = NoticeHoliday("元旦", D(2026, 1, 1), D(2026, 1, 3), (D(2026, 1, 5),))
        holidays[1] = NoticeHoliday("春节", D(2026, 2, 17), D(2026, 2, 23), holidays[1].workdays)

        with pytest.raises(HolidaysRefused) as refused:
            calendar_year_enter_from_notice(
                actor=superuser, year=2026, notice="国办发明电〔2025〕7号", holidays=holidays
            )

        assert len(refused.value.problems) == 2
        assert not CalendarYear.objects.exists()

    def test_the_notice_number_is_required(self, superuser):
        with pytest.raises(DomainError, match="document number"):
            enter(superuser, 2026, NOTICE_2026, notice="  ")
        assert not CalendarYear.objects.exists()

    def test_the_county_administrator_may_enter_a_year(self, world):
        calendar_year = enter(world.county_admin, 2026, NOTICE_2026)
        assert calendar_year.days.count() == 25

    @pytest.mark.parametrize("person", ["township_admin_a", "editor", "clerk_a", "outsider"])
    def test_nobody_else_may(self, world, person):
        with pytest.raises(NotPermitted):
            enter(getattr(world, person), 2026, NOTICE_2026)
        assert not CalendarYear.objects.exists()

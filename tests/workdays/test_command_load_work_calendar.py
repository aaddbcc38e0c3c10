"""load_work_calendar: a draft from the holidays package, safe to run again."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command, load_command_class
from django.core.management.base import CommandError

from portal.workdays.models import CalendarDay, CalendarYear

from .factories import CalendarDayFactory

D = datetime.date

pytestmark = pytest.mark.django_db


def stored_days(year: int) -> dict[datetime.date, tuple[bool, str, str]]:
    return {
        day.date: (day.is_workday, day.name, day.source)
        for day in CalendarDay.objects.filter(year__year=year)
    }


def test_it_loads_a_draft_with_only_the_days_that_differ(load_year):
    calendar_year, output = load_year(2026, notice="国办发明电〔2025〕7号")

    assert calendar_year.status == CalendarYear.Status.DRAFT
    assert calendar_year.notice == "国办发明电〔2025〕7号"
    days = stored_days(2026)
    assert len(days) == 25  # 19 weekday rest days + 6 worked weekend days
    assert days[D(2026, 2, 14)][0] is True
    assert days[D(2026, 10, 1)][:2] == (False, "国庆节")
    assert D(2026, 10, 3) not in days  # 国庆节 on a Saturday: a rest day anyway
    assert D(2026, 4, 5) not in days  # 清明节 on a Sunday
    assert {source for _workday, _name, source in days.values()} == {CalendarDay.Source.HOLIDAYS_PACKAGE}
    assert "created 25, updated 0, deleted 0" in output
    assert "draft" in output


def test_running_it_again_changes_nothing(load_year):
    load_year(2026, notice="国办发明电〔2025〕7号")
    before = stored_days(2026)

    _calendar_year, output = load_year(2026)

    assert "created 0, updated 0, deleted 0" in output
    assert stored_days(2026) == before
    assert CalendarDay.objects.count() == 25
    assert CalendarYear.objects.filter(year=2026).get().notice == "国办发明电〔2025〕7号"


def test_on_a_draft_it_restores_the_packages_days(load_year):
    calendar_year, _output = load_year(2026)
    before = stored_days(2026)
    CalendarDay.objects.filter(date=D(2026, 10, 1)).update(name="改过的名称")
    CalendarDay.objects.filter(date=D(2026, 1, 2)).delete()
    CalendarDayFactory(date=D(2026, 7, 1), year=calendar_year, name="手工添加")

    _calendar_year, output = load_year(2026)

    assert "created 1, updated 1, deleted 1" in output
    assert stored_days(2026) == before


def test_on_a_confirmed_year_it_changes_nothing_and_reports_differences(load_year, superuser):
    calendar_year, _output = load_year(2026, confirm_by=superuser)
    # After confirming, the administrator adds an extraordinary day off and drops a worked day.
    CalendarDayFactory(date=D(2026, 7, 1), year=calendar_year, name="临时放假")
    CalendarDay.objects.filter(date=D(2026, 10, 10)).delete()
    before = stored_days(2026)

    calendar_year, output = load_year(2026, notice="another notice")

    assert stored_days(2026) == before
    assert calendar_year.status == CalendarYear.Status.CONFIRMED
    assert calendar_year.notice == ""
    assert "nothing was changed" in output
    assert "differs from the confirmed calendar on 2 days" in output
    assert "2026-07-01: confirmed rest day (临时放假), package default week" in output
    assert "2026-10-10: confirmed default week, package working day (国庆节调休上班)" in output


def test_on_an_unchanged_confirmed_year_it_says_the_package_agrees(load_year, superuser):
    load_year(2026, confirm_by=superuser)
    _calendar_year, output = load_year(2026)
    assert "agrees with the confirmed calendar" in output


def test_it_refuses_a_year_the_package_has_no_notice_for():
    with pytest.raises(CommandError, match="no State Council schedule for 2099"):
        call_command("load_work_calendar", "2099", stdout=StringIO())
    assert not CalendarYear.objects.exists()


def test_it_exits_non_zero_from_the_shell_when_the_package_has_no_notice(capsys):
    command = load_command_class("portal.workdays", "load_work_calendar")
    with pytest.raises(SystemExit) as exit_info:
        command.run_from_argv(["manage.py", "load_work_calendar", "2099"])
    assert exit_info.value.code != 0
    assert "no State Council schedule for 2099" in capsys.readouterr().err


def test_it_refuses_an_impossible_year():
    with pytest.raises(CommandError, match="between 2000 and 2100"):
        call_command("load_work_calendar", "26", stdout=StringIO())

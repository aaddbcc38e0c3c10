"""workdays.W001: a year that should have a confirmed work calendar has none.

"Today" is set with time-machine (Asia/Shanghai); the check asks the same selector as the
back office's home panel, `calendar_years_needing_confirmation`.
"""

import datetime
from io import StringIO
from unittest import mock

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import OperationalError, connections

from portal.workdays import checks
from portal.workdays.checks import work_calendar_confirmed_check
from portal.workdays.models import CalendarYear
from portal.workdays.selectors import calendar_years_needing_confirmation

from .factories import CalendarYearFactory

D = datetime.date
SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))

pytestmark = pytest.mark.django_db


@pytest.fixture
def today(time_machine):
    """Set today's date in Asia/Shanghai."""

    def move(day: datetime.date):
        time_machine.move_to(
            datetime.datetime(day.year, day.month, day.day, 10, 0, tzinfo=SHANGHAI), tick=False
        )

    return move


@pytest.fixture
def confirmed_2025_and_2026():
    CalendarYearFactory(year=2025, confirmed=True)
    CalendarYearFactory(year=2026, confirmed=True)


class TestTheSelector:
    def test_the_next_year_counts_from_60_days_before_it_begins(
        self, confirmed_2025_and_2026, django_assert_num_queries
    ):
        with django_assert_num_queries(1):
            assert calendar_years_needing_confirmation(on=D(2026, 11, 1)) == []
        with django_assert_num_queries(1):
            assert [m.year for m in calendar_years_needing_confirmation(on=D(2026, 11, 2))] == [2027]

    def test_the_current_year_always_counts_and_a_draft_is_named(self):
        draft = CalendarYearFactory(year=2027)
        missing = calendar_years_needing_confirmation(on=D(2027, 3, 1))
        assert [(m.year, m.draft) for m in missing] == [(2027, draft)]


@pytest.mark.usefixtures("confirmed_2025_and_2026")
class TestTheCheck:
    def test_on_6_december_it_names_the_coming_year(self, today):
        today(D(2026, 12, 6))
        warnings = work_calendar_confirmed_check(None)
        assert [w.id for w in warnings] == ["workdays.W001"]
        assert warnings[0].msg == (
            "2027 begins in 26 days and has no confirmed work calendar yet: working-day deadlines that reach "
            "into it are provisional until a county administrator confirms it against the State Council's "
            "holiday notice."
        )
        # The holidays package has no 2027 schedule: the hint says to enter it from the notice.
        assert "/admin/calendar_years/enter/?year=2027" in warnings[0].hint
        assert "has no schedule for 2027 yet, so load_work_calendar cannot draft it" in warnings[0].hint

    def test_it_is_quiet_until_60_days_before(self, today):
        today(D(2026, 11, 1))
        assert work_calendar_confirmed_check(None) == []

    def test_a_year_that_has_begun_without_a_calendar_is_named(self, today):
        today(D(2027, 1, 4))
        warnings = work_calendar_confirmed_check(None)
        assert warnings[0].msg.startswith("2027 has no confirmed work calendar")

    def test_a_waiting_draft_is_pointed_to(self, today):
        draft = CalendarYearFactory(year=2027)
        today(D(2026, 12, 6))
        [warning] = work_calendar_confirmed_check(None)
        assert f"/admin/calendar_years/confirm/{draft.pk}/" in warning.hint

    def test_load_work_calendar_is_suggested_when_the_package_has_the_notice(self, today):
        today(D(2026, 3, 1))
        CalendarYear.objects.filter(year=2026).delete()
        warnings = work_calendar_confirmed_check(None)
        assert "`manage.py load_work_calendar 2026`" in warnings[0].hint

    def test_it_runs_in_plain_manage_py_check(self, today):
        today(D(2026, 12, 6))
        out, err = StringIO(), StringIO()
        call_command("check", stdout=out, stderr=err)
        assert "(workdays.W001) 2027 begins in 26 days" in out.getvalue() + err.getvalue()

    def test_its_tag_runs_it_alone(self, today):
        today(D(2026, 12, 6))
        out, err = StringIO(), StringIO()
        call_command("check", "--tag", "workdays", stdout=out, stderr=err)
        assert "System check identified 1 issue" in out.getvalue() + err.getvalue()


class TestWithoutADatabase:
    def test_an_unreachable_database_is_skipped_silently(self):
        with mock.patch.object(checks, "_calendar_table_ready", side_effect=OperationalError("no route")):
            assert work_calendar_confirmed_check(None) == []

    def test_a_database_not_migrated_yet_is_skipped_silently(self):
        with mock.patch(
            "django.db.backends.base.introspection.BaseDatabaseIntrospection.table_names", return_value=[]
        ):
            assert work_calendar_confirmed_check(None) == []

    def test_a_failed_read_is_skipped_and_leaves_the_transaction_usable(self):
        with mock.patch.object(
            checks, "calendar_years_needing_confirmation", side_effect=OperationalError("x")
        ):
            assert work_calendar_confirmed_check(None) == []
        CalendarYearFactory(year=2030)  # the test's transaction still works

    def test_an_sqlite_file_that_does_not_exist_is_not_created(self, tmp_path):
        connection = connections["default"]
        if connection.vendor != "sqlite":
            pytest.skip("an SQLite question")
        missing = tmp_path / "nothing-here.sqlite3"
        with mock.patch.dict(connection.settings_dict, {"NAME": str(missing)}):
            assert checks._calendar_table_ready("default") is False
        assert not missing.exists()

    def test_other_apps_checks_do_not_run_it(self):
        assert work_calendar_confirmed_check([apps.get_app_config("people")]) == []

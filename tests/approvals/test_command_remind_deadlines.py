"""manage.py remind_deadlines: the hourly sweep's command says when a year it counts through has
no confirmed calendar (cron mails what it prints)."""

import datetime
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command

from portal.workdays.models import CalendarYear

pytestmark = pytest.mark.django_db


def run_on(moment: datetime.datetime) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    with time_machine.travel(moment, tick=False):
        call_command("remind_deadlines", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_it_warns_from_sixty_days_before_a_year_without_a_confirmed_calendar():
    CalendarYear.objects.create(year=2026, status=CalendarYear.Status.CONFIRMED)
    out, err = run_on(datetime.datetime(2026, 12, 6, 2, 0, tzinfo=datetime.UTC))
    assert "workdays.W001" in err and "2027" in err
    assert "deemed accepted: 0" in out


def test_it_is_quiet_when_the_calendars_are_confirmed():
    CalendarYear.objects.create(year=2026, status=CalendarYear.Status.CONFIRMED)
    _out, err = run_on(datetime.datetime(2026, 6, 1, 2, 0, tzinfo=datetime.UTC))
    assert err == ""

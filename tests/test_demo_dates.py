"""The demo loads on any date (issue 15): its stories are told on past working days relative to
today, so each weekday, holiday and year turn gives them other dates. This sweep tells the
date-dependent stories (calendars, applications with their certificates, ratings, ledger) at
dates that cover every weekday, the Spring Festival and 国庆 weeks, the turn of the year, make-up
Saturdays, a leap day and years the installed holidays package has no State Council schedule
for, and checks at each that the demo keeps its promises (tests/demo_checks.py).

The date-independent base (county, offices, logins, catalogue, pages) is loaded once for the
module inside a transaction that is rolled back at the end; each date runs in its own savepoint
(the `django_db` test transaction) with time-machine setting "today". Times are local
(Asia/Shanghai), some just after midnight or just before it, when the UTC date is another day.
"""

import datetime
import zoneinfo

import pytest
import time_machine
from django.db import connection, transaction
from django.utils import timezone
from wagtail.signal_handlers import disable_reference_index_auto_update

from portal.demo.loader import load_demo_base, load_demo_stories, story_years
from portal.workdays.holiday_package import package_has_schedule
from portal.workdays.models import CalendarYear
from tests.demo_checks import check_applications, check_ledger, check_ratings

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")

# The ledger's stories are the same in every village, so three villages tell each kind once and
# keep the sweep quick: the demo assistant's own (with the stories only it has), a neighbour in
# the same township (the supervisor assigns; one villager confirms through the assistant), and a
# village of another township (the assistants claim; a volunteer helps).
LEDGER_VILLAGES = ("120115121208", "120115121207", "120115111201")

# (local date and time, why it is here)
MOMENTS = (
    ("2026-02-14 10:00", "Saturday worked before the Spring Festival (调休上班)"),
    ("2026-02-18 10:00", "in the Spring Festival holiday"),
    ("2026-02-24 09:00", "first working day after the Spring Festival"),
    ("2026-05-04 10:00", "劳动节 holiday, a Monday"),
    ("2026-10-01 10:00", "国庆, first day"),
    ("2026-10-07 10:00", "国庆, last day of rest"),
    ("2026-10-08 10:00", "first working day after 国庆"),
    ("2026-10-10 10:00", "Saturday worked after 国庆"),
    ("2026-12-06 10:00", "a Sunday (the reported crash)"),
    ("2026-12-07 00:20", "a Monday just after midnight: UTC is still Sunday"),
    ("2026-12-08 10:00", "a Tuesday"),
    ("2026-12-09 10:00", "a Wednesday"),
    ("2026-12-10 10:00", "a Thursday"),
    ("2026-12-11 23:50", "a Friday just before midnight"),
    ("2026-12-12 10:00", "a Saturday"),
    ("2026-12-31 16:00", "last day of a year"),
    ("2027-01-01 00:20", "元旦 just after midnight: UTC is still the old year"),
    ("2027-01-03 10:00", "first Sunday of a year"),
    ("2027-01-04 10:00", "first Monday of a year"),
    ("2027-01-29 10:00", "a Friday"),
    ("2027-02-06 10:00", "Spring Festival, a Saturday"),
    ("2027-02-08 10:00", "Spring Festival, a Monday"),
    ("2027-02-11 10:00", "after the Spring Festival"),
    ("2027-06-16 10:00", "a Wednesday in a year without a confirmed calendar"),
    ("2027-10-01 10:00", "国庆, a Friday"),
    ("2027-12-31 23:50", "last minutes of a year"),
    ("2028-01-01 10:00", "元旦, a Saturday"),
    ("2028-01-26 10:00", "Spring Festival, a Wednesday"),
    ("2028-02-29 10:00", "a leap day"),
    ("2028-07-15 10:00", "a Saturday two years on"),
)


def _local(text: str) -> datetime.datetime:
    return datetime.datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=SHANGHAI)


@pytest.fixture(scope="module")
def demo_base(django_db_setup, django_db_blocker):
    """The date-independent demo, once for the module, rolled back after its last test."""
    if connection.vendor != "sqlite":
        # `make demo` runs on SQLite, and which dates the stories land on does not depend on the
        # database: the PostgreSQL half of the suite loads the demo once (tests/test_demo.py).
        pytest.skip("the date sweep runs on SQLite, the demo's database")
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            load_demo_base(progress=lambda line: None)
            yield
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def check_calendars(today: datetime.date) -> None:
    """Confirmed: each year the stories touch that the holidays package has the State Council's
    schedule for. Other years stay without a calendar: the demo never invents one."""
    touched = set(story_years(today))
    confirmed = set(
        CalendarYear.objects.filter(status=CalendarYear.Status.CONFIRMED).values_list("year", flat=True)
    )
    assert confirmed == {year for year in touched if package_has_schedule(year)}
    assert not CalendarYear.objects.exclude(status=CalendarYear.Status.CONFIRMED).exists()


# `make test` tells the stories on these eight (a holiday, the first working day after one, a
# Saturday, a local midnight whose UTC date is the day before, the year turn, the Spring Festival
# and a plain day of years without a confirmed calendar, a leap day); `make test-slow` on all
# thirty. Each load costs about ten seconds.
QUICK_MOMENTS = {
    "2026-02-18 10:00",
    "2026-10-08 10:00",
    "2026-12-07 00:20",
    "2026-12-12 10:00",
    "2027-01-01 00:20",
    "2027-02-08 10:00",
    "2027-06-16 10:00",
    "2028-02-29 10:00",
}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("moment", "why"),
    [
        pytest.param(
            moment,
            why,
            id=moment.replace(" ", "T"),
            marks=() if moment in QUICK_MOMENTS else pytest.mark.slow,
        )
        for moment, why in MOMENTS
    ],
)
def test_the_demo_stories_hold_on(demo_base, moment, why):
    with time_machine.travel(_local(moment), tick=True):
        today = timezone.localdate()
        assert today == _local(moment).date()
        # Wagtail's reference index (which pages an object links to) has nothing to do with
        # dates; the test settings would update it for every event, at a tenth of the time.
        with disable_reference_index_auto_update():
            load_demo_stories(progress=lambda line: None, ledger_villages=LEDGER_VILLAGES)
        check_applications()
        check_ratings()
        check_ledger(LEDGER_VILLAGES)
        check_calendars(today)

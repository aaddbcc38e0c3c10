"""calendar_year_confirm: county administrators confirm a year, once, with an audit entry."""

import datetime

import pytest
from wagtail.models import ModelLogEntry

from portal.errors import DomainError, NotPermitted
from portal.workdays.models import CalendarYear
from portal.workdays.services import CONFIRM_LOG_ACTION, calendar_year_confirm

from .factories import CalendarDayFactory, CalendarYearFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft_year():
    year = CalendarYearFactory(year=2026, notice="国办发明电〔2025〕7号")
    CalendarDayFactory(date=datetime.date(2026, 6, 19), year=year)
    return year


class TestCalendarYearConfirm:
    def test_a_superuser_confirms_a_draft(self, draft_year, superuser):
        confirmed = calendar_year_confirm(actor=superuser, year=draft_year)

        confirmed.refresh_from_db()
        assert confirmed.status == CalendarYear.Status.CONFIRMED
        assert confirmed.confirmed_by == superuser
        assert confirmed.confirmed_at is not None
        entry = ModelLogEntry.objects.get(action=CONFIRM_LOG_ACTION)
        assert (entry.user_id, entry.object_id) == (superuser.pk, str(draft_year.pk))

    def test_an_ordinary_user_is_refused(self, draft_year, plain_user):
        with pytest.raises(NotPermitted, match="Only a county administrator"):
            calendar_year_confirm(actor=plain_user, year=draft_year)
        draft_year.refresh_from_db()
        assert draft_year.status == CalendarYear.Status.DRAFT
        assert draft_year.confirmed_by is None

    def test_an_inactive_superuser_is_refused(self, draft_year):
        former = UserFactory(is_superuser=True, is_active=False)
        with pytest.raises(NotPermitted):
            calendar_year_confirm(actor=former, year=draft_year)

    def test_a_confirmed_year_is_not_confirmed_again(self, draft_year, superuser):
        calendar_year_confirm(actor=superuser, year=draft_year)
        with pytest.raises(DomainError, match="already confirmed"):
            calendar_year_confirm(actor=UserFactory(is_superuser=True), year=draft_year)
        draft_year.refresh_from_db()
        assert draft_year.confirmed_by == superuser

    def test_an_empty_year_cannot_be_confirmed(self, superuser):
        empty = CalendarYearFactory(year=2027)
        with pytest.raises(DomainError, match="no days yet"):
            calendar_year_confirm(actor=superuser, year=empty)


class TestCalendarYearConfirmByRole:
    """The cast of tests/conftest.py: only the county administrator may confirm."""

    @pytest.mark.parametrize(
        ("person", "allowed"),
        [
            ("county_admin", True),
            ("township_admin_a", False),
            ("editor", False),
            ("clerk_a", False),
            ("outsider", False),
        ],
    )
    def test_only_a_county_administrator_may_confirm(self, world, draft_year, person, allowed):
        actor = world.people[person]
        if allowed:
            assert calendar_year_confirm(actor=actor, year=draft_year).is_confirmed
        else:
            with pytest.raises(NotPermitted):
                calendar_year_confirm(actor=actor, year=draft_year)

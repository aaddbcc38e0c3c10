"""Fixtures for the work calendar tests: a small cast of users and a way to load a real year."""

from io import StringIO

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.utils import translation

from portal.workdays.models import CalendarYear
from portal.workdays.services import calendar_year_confirm

from .factories import SuperuserFactory, UserFactory


@pytest.fixture(autouse=True)
def english(client):
    """Assertions read the English msgids, whatever catalog is installed: in the test thread
    (models, services, commands) and in requests (the language cookie and the admin profile ask for English)."""
    from django.conf import settings

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def superuser(db):
    """Passes `user_is_county_administrator` as a superuser."""
    return _prefers_english(SuperuserFactory(username="calendar_superuser"))


def _prefers_english(user):
    """The Wagtail admin speaks the language of the user's profile, not the cookie's."""
    from wagtail.users.models import UserProfile

    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()
    return user


@pytest.fixture
def plain_user(db):
    """An active account with no role and no back-office access."""
    return UserFactory(username="calendar_plain_user")


@pytest.fixture
def back_office_user(db):
    """May enter the Wagtail admin (an editor, say) but is no county administrator."""
    user = UserFactory(username="calendar_back_office_user")
    user.user_permissions.add(
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
    )
    return user


@pytest.fixture
def load_year(db):
    """Run `load_work_calendar` for a year, optionally confirm it, and return the year and output."""

    def load(year: int, *, notice: str = "", confirm_by=None) -> tuple[CalendarYear, str]:
        out = StringIO()
        args = [str(year)] + (["--notice", notice] if notice else [])
        call_command("load_work_calendar", *args, stdout=out)
        calendar_year = CalendarYear.objects.get(year=year)
        if confirm_by is not None:
            calendar_year = calendar_year_confirm(actor=confirm_by, year=calendar_year)
        return calendar_year, out.getvalue()

    return load

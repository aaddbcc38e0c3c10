"""Fixtures for catalogue import and export: a county home on the shared `world`, English
messages, and the cast's back-office users preferring English. Files are built in files.py."""

import pytest
from django.conf import settings
from django.utils import translation
from wagtail.models import Page

from cms.models import CountyHomePage

from .files import catalogue_data, workbook_bytes


@pytest.fixture(autouse=True)
def english(client):
    """Assertions read the English msgids whatever catalog is installed: in the test thread and
    in requests (the language cookie; admin users below also prefer English in their profile)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


def _prefers_english(user):
    """The Wagtail admin speaks the language of the user's profile, not the cookie's."""
    from wagtail.users.models import UserProfile

    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()
    return user


@pytest.fixture
def county_home(world) -> CountyHomePage:
    return Page.get_first_root_node().add_child(
        instance=CountyHomePage(title="宝坻区", slug="baodi", region=world.county)
    )


@pytest.fixture
def good_workbook() -> bytes:
    return workbook_bytes(catalogue_data())


@pytest.fixture
def login(client):
    """Log a user in to the back office, speaking English."""

    def _login(user):
        _prefers_english(user)
        client.force_login(user)
        return client

    return _login

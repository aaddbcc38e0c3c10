"""The back office's home panel: the years that lack a confirmed calendar, for county administrators only."""

import datetime

import pytest
from django.test import RequestFactory
from django.urls import reverse
from wagtail import hooks

from .factories import CalendarYearFactory

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))
PANEL_ID = "work-calendar-missing"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def early_december(time_machine):
    time_machine.move_to(datetime.datetime(2026, 12, 6, 10, 0, tzinfo=SHANGHAI), tick=False)
    CalendarYearFactory(year=2025, confirmed=True)
    CalendarYearFactory(year=2026, confirmed=True)


def dashboard(client, user) -> str:
    client.force_login(user)
    response = client.get(reverse("wagtailadmin_home"))
    assert response.status_code == 200
    return response.content.decode()


def test_the_county_administrator_is_told_to_enter_the_coming_year(client, world):
    content = dashboard(client, world.county_admin)
    assert PANEL_ID in content
    assert "2027 begins in 26 days and has no confirmed work calendar yet" in content
    assert "/admin/calendar_years/enter/?year=2027" in content


def test_a_draft_is_offered_for_confirming(client, world):
    draft = CalendarYearFactory(year=2027)
    content = dashboard(client, world.county_admin)
    assert reverse("calendar_years:confirm", args=[draft.pk]) in content
    assert "Check and confirm the 2027 draft" in content


@pytest.mark.parametrize("person", ["township_admin_a", "editor"])
def test_other_back_office_users_do_not_see_it(client, world, person):
    assert PANEL_ID not in dashboard(client, getattr(world, person))


def test_nothing_is_shown_when_every_year_is_confirmed(client, world):
    CalendarYearFactory(year=2027, confirmed=True)
    assert PANEL_ID not in dashboard(client, world.county_admin)


def test_it_costs_two_queries_at_most(world, django_assert_max_num_queries):
    """One to ask whether the user is a county administrator (cached for the request, so free
    when the menu asked first), one for the selector."""
    request = RequestFactory().get("/admin/")
    request.user = type(world.county_admin).objects.get(pk=world.county_admin.pk)  # nothing cached
    with django_assert_max_num_queries(2):
        panels = []
        for hook in hooks.get_hooks("construct_homepage_panels"):
            hook(request, panels)
        html = "".join(panel.render_html({"request": request}) for panel in panels)
    assert "2027" in html

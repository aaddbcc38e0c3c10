"""The back office (工作日历): county administrators only; confirming goes through the service."""

import datetime

import pytest
from django.urls import reverse

from portal.workdays.models import CalendarDay, CalendarYear

from .factories import CalendarDayFactory, CalendarYearFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft_year():
    year = CalendarYearFactory(year=2026, notice="国办发明电〔2025〕7号")
    CalendarDayFactory(date=datetime.date(2026, 6, 19), year=year, name="端午节")
    CalendarDayFactory(date=datetime.date(2026, 2, 14), year=year, is_workday=True, name="春节调休上班")
    return year


def confirm_url(year: CalendarYear) -> str:
    return reverse("calendar_years:confirm", args=[year.pk])


class TestAsSuperuser:
    @pytest.fixture(autouse=True)
    def _login(self, client, superuser):
        client.force_login(superuser)

    def test_the_menu_shows_the_work_calendar(self, client):
        response = client.get(reverse("wagtailadmin_home"))
        assert response.status_code == 200
        assert "Work calendar" in response.content.decode()

    def test_the_years_index_lists_years(self, client, draft_year):
        response = client.get(reverse("calendar_years:index"))
        assert response.status_code == 200
        assert "国办发明电〔2025〕7号" in response.content.decode()
        assert confirm_url(draft_year) in response.content.decode()

    def test_the_days_index_filters_by_year_and_kind(self, client, draft_year):
        CalendarDayFactory(date=datetime.date(2025, 10, 1), name="国庆节")
        response = client.get(reverse("calendar_days:index"), {"year": draft_year.pk, "is_workday": "false"})
        assert response.status_code == 200
        content = response.content.decode()
        assert "端午节" in content
        assert "春节调休上班" not in content
        assert "国庆节" not in content

    def test_the_edit_page_offers_confirming(self, client, draft_year):
        response = client.get(reverse("calendar_years:edit", args=[draft_year.pk]))
        assert response.status_code == 200
        assert confirm_url(draft_year) in response.content.decode()

    def test_the_confirm_page_lists_the_days(self, client, draft_year):
        response = client.get(confirm_url(draft_year))
        assert response.status_code == 200
        content = response.content.decode()
        assert "2026-06-19" in content
        assert "春节调休上班" in content

    def test_the_pages_render_in_chinese_too(self, client, draft_year):
        """The UI speaks Simplified Chinese first; whatever the catalog says must still render."""
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"
        for url in (
            reverse("calendar_years:index"),
            reverse("calendar_years:edit", args=[draft_year.pk]),
            reverse("calendar_days:index"),
            confirm_url(draft_year),
        ):
            assert client.get(url).status_code == 200, url

    def test_posting_confirms_the_year(self, client, draft_year, superuser):
        response = client.post(confirm_url(draft_year))
        assert response.status_code == 302
        draft_year.refresh_from_db()
        assert draft_year.is_confirmed
        assert draft_year.confirmed_by == superuser

    def test_a_refused_confirmation_becomes_a_message(self, client, superuser):
        empty = CalendarYearFactory(year=2027)
        response = client.post(confirm_url(empty), follow=True)
        assert "no days yet" in response.content.decode()
        empty.refresh_from_db()
        assert not empty.is_confirmed

    def test_adding_a_day_that_does_not_differ_shows_the_models_message(self, client, draft_year):
        response = client.post(
            reverse("calendar_days:add"),
            {"year": draft_year.pk, "date": "2026-06-18", "is_workday": "on", "name": "多余的"},
        )
        assert response.status_code == 200
        assert "already a working day" in response.content.decode()
        assert not CalendarDay.objects.filter(date=datetime.date(2026, 6, 18)).exists()


class TestAsOthers:
    def test_an_anonymous_visitor_is_sent_to_log_in(self, client):
        response = client.get(reverse("calendar_years:index"))
        assert response.status_code == 302
        assert "login" in response["Location"]

    def test_a_user_without_back_office_access_is_sent_away(self, client, plain_user, draft_year):
        client.force_login(plain_user)
        for url in (reverse("calendar_years:index"), reverse("calendar_days:index"), confirm_url(draft_year)):
            response = client.get(url)
            assert response.status_code in (302, 403), url
        assert client.post(confirm_url(draft_year)).status_code in (302, 403)
        draft_year.refresh_from_db()
        assert not draft_year.is_confirmed

    def test_a_back_office_user_who_is_no_county_administrator_is_refused(
        self, client, back_office_user, draft_year
    ):
        client.force_login(back_office_user)
        assert "Work calendar" not in client.get(reverse("wagtailadmin_home")).content.decode()
        # Wagtail's generic views answer a refusal with a redirect to the dashboard.
        assert client.get(reverse("calendar_years:index")).status_code == 302
        assert client.get(reverse("calendar_days:index")).status_code == 302
        assert client.get(reverse("calendar_years:edit", args=[draft_year.pk])).status_code == 302
        assert client.get(confirm_url(draft_year)).status_code == 403
        assert client.post(confirm_url(draft_year)).status_code == 403
        draft_year.refresh_from_db()
        assert not draft_year.is_confirmed

    def test_a_township_administrator_may_not_confirm(self, client, world, draft_year):
        client.force_login(world.township_admin_a)
        assert client.post(confirm_url(draft_year)).status_code == 403
        draft_year.refresh_from_db()
        assert not draft_year.is_confirmed

    def test_the_county_administrator_may_confirm(self, client, world, draft_year):
        client.force_login(world.county_admin)
        assert client.get(reverse("calendar_years:index")).status_code == 200
        assert client.post(confirm_url(draft_year)).status_code == 302
        draft_year.refresh_from_db()
        assert draft_year.confirmed_by == world.county_admin

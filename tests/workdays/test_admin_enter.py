"""Entering a year from the notice in the back office: paste, read, correct, preview, save, confirm.

County administrators only: every new page answers 403 to back-office users who are not (a
township administrator, an editor), before reading anything; people without back-office access
at all are sent to log in by Wagtail, like everywhere in /admin/.
"""

import datetime
import re

import pytest
from django.urls import reverse

from portal.workdays.models import CalendarDay, CalendarYear

from .factories import CalendarDayFactory, CalendarYearFactory
from .notices import INVENTED_2027, INVENTED_2027_NUMBER, NOTICE_2026, NOTICE_2026_AS_PUBLISHED

D = datetime.date

pytestmark = pytest.mark.django_db

ENTER_URL = "/admin/calendar_years/enter/"


def field_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def page_data(response, action: str, **changes) -> dict[str, str]:
    """What the browser would send back from the page in `response`, with `changes` typed in."""
    notice_form = response.context["notice_form"]
    formset = response.context["formset"]
    data = {name: field_value(notice_form[name].value()) for name in ("year", "notice", "text", "previewed")}
    data.update({field.html_name: field_value(field.value()) for field in formset.management_form})
    for form in formset:
        data.update({field.html_name: field_value(field.value()) for field in form})
    data.update(changes)
    data["action"] = action
    return data


def read(client, text: str, year="", notice=""):
    response = client.get(ENTER_URL)
    return client.post(ENTER_URL, page_data(response, "read", year=str(year), notice=notice, text=text))


class TestEnteringAYear:
    @pytest.fixture(autouse=True)
    def _login(self, client, superuser):
        client.force_login(superuser)

    def test_the_page_offers_the_notice_and_blank_holiday_rows(self, client):
        response = client.get(ENTER_URL, {"year": "2027"})
        assert response.status_code == 200
        content = response.content.decode()
        assert 'name="text"' in content
        assert 'value="2027"' in content
        assert response.context["formset"].total_form_count() == 7
        assert "Save 2027 as a draft" not in content

    def test_reading_the_notice_fills_the_rows_and_draws_the_year(self, client):
        response = read(client, NOTICE_2026_AS_PUBLISHED)

        assert response.status_code == 200
        content = response.content.decode()
        assert response.context["year"] == 2026
        assert response.context["notice_form"]["notice"].value() == "国办发明电〔2025〕7号"
        initial = [form.initial for form in response.context["formset"]]
        assert initial[1] == {
            "name": "春节",
            "first": "2026-02-15",
            "last": "2026-02-23",
            "workdays": "2026-02-14, 2026-02-28",
        }
        assert initial[-1] == {}  # one blank row to add a holiday
        assert content.count('class="wd-month"') == 12
        assert "wd-make-up" in content and "wd-holiday" in content
        assert "Save 2026 as a draft" in content
        assert "2026: 19 weekday rest days, 6 weekend days worked, 248 working days in the year." in content

    def test_saving_the_preview_stores_a_draft_and_opens_the_confirm_page(self, client, superuser):
        preview = read(client, NOTICE_2026_AS_PUBLISHED)

        response = client.post(ENTER_URL, page_data(preview, "save"))

        calendar_year = CalendarYear.objects.get(year=2026)
        assert response.status_code == 302
        assert response["Location"] == reverse("calendar_years:confirm", args=[calendar_year.pk])
        assert calendar_year.status == CalendarYear.Status.DRAFT
        assert calendar_year.notice == "国办发明电〔2025〕7号"
        assert calendar_year.days.count() == 25
        assert set(calendar_year.days.values_list("source", flat=True)) == {CalendarDay.Source.MANUAL}

        confirm_page = client.get(response["Location"])
        content = confirm_page.content.decode()
        assert content.count('class="wd-month"') == 12  # the same preview before confirming
        assert "19 weekday rest days, 6 weekend days worked" in content

        client.post(response["Location"])
        calendar_year.refresh_from_db()
        assert calendar_year.is_confirmed and calendar_year.confirmed_by == superuser

    def test_a_correction_in_the_rows_is_saved_only_after_its_preview(self, client):
        preview = read(client, NOTICE_2026)  # no year in these paragraphs: typed below
        assert preview.context["year"] is None
        preview = read(client, NOTICE_2026, year=2026, notice="国办发明电〔2025〕7号")
        changed = page_data(preview, "save", **{"holidays-6-workdays": "2026-09-20"})

        response = client.post(ENTER_URL, changed)
        assert response.status_code == 200
        assert "changed since the preview" in response.content.decode()
        assert not CalendarYear.objects.exists()

        response = client.post(ENTER_URL, page_data(response, "save"))
        assert response.status_code == 302
        assert not CalendarDay.objects.filter(date=D(2026, 10, 10)).exists()

    def test_a_cleared_row_is_removed(self, client):
        preview = read(client, NOTICE_2026, year=2026)
        cleared = {f"holidays-5-{name}": "" for name in ("name", "first", "last", "workdays")}
        response = client.post(ENTER_URL, page_data(preview, "preview", **cleared))
        # 中秋节 (9/25) is a statutory holiday: without its row the year is refused, and says why.
        content = response.content.decode()
        assert "2026-09-25 (Friday) is a statutory holiday (中秋节)" in content
        assert "Save 2026 as a draft" not in content

    def test_malformed_text_gives_a_message_and_keeps_the_text(self, client):
        text = "一、元旦：1月1日（周三）至3日放假，共3天。\n二、春节：二月十五日起放假"
        response = read(client, text, year=2026)
        assert response.status_code == 200
        content = response.content.decode()
        assert "but the notice says 周三" in content
        assert "春节: no days off found" in content
        assert response.context["notice_form"]["text"].value() == text
        assert "二月十五日起放假" in content

    def test_text_with_nothing_to_read_keeps_the_rows_as_typed(self, client):
        page = client.get(ENTER_URL)
        typed = page_data(page, "read", year="2026", text="随便写点什么", **{"holidays-0-name": "元旦"})
        response = client.post(ENTER_URL, typed)
        assert response.status_code == 200
        assert "No holiday found in the text" in response.content.decode()
        assert response.context["formset"].forms[0]["name"].value() == "元旦"

    def test_reading_without_text_says_to_paste_it(self, client):
        response = read(client, "", year=2026)
        assert response.context["problems"] == [
            "Paste the notice's text first, then press “Read the notice”."
        ]

    def test_a_bad_make_up_day_is_shown_on_its_row_with_what_was_typed(self, client):
        preview = read(client, NOTICE_2026, year=2026)
        response = client.post(
            ENTER_URL, page_data(preview, "preview", **{"holidays-0-workdays": "1月4日、下周六"})
        )
        assert response.status_code == 200
        content = response.content.decode()
        assert "Not a date: 下周六" in content
        assert 'value="1月4日、下周六"' in content

    @pytest.mark.parametrize(
        "data",
        [
            {"action": "preview"},
            {"action": "save", "year": "2026", "holidays-TOTAL_FORMS": "abc"},
            {"action": "read", "year": "二〇二六", "text": NOTICE_2026},
            {
                "action": "save",
                "year": "2026",
                "holidays-TOTAL_FORMS": "1",
                "holidays-INITIAL_FORMS": "0",
                "holidays-0-name": "元旦",
                "holidays-0-first": "2026-13-40",
                "holidays-0-last": "",
            },
            {"action": "unknown", "text": "x" * 30_000},
        ],
        ids=["nothing", "tampered-management-form", "year-in-words", "bad-dates", "unknown-action-long-text"],
    )
    def test_broken_or_tampered_posts_get_a_page_not_an_error(self, client, data):
        response = client.post(ENTER_URL, data)
        assert response.status_code == 200
        assert not CalendarYear.objects.exists()

    def test_a_year_out_of_range_is_a_field_error(self, client):
        response = read(client, NOTICE_2026, year=1999)
        assert response.status_code == 200
        assert response.context["notice_form"].errors["year"]

    def test_a_confirmed_year_is_not_overwritten_and_links_to_it(self, client):
        confirmed = CalendarYearFactory(year=2026, confirmed=True)
        CalendarDayFactory(date=D(2026, 6, 19), year=confirmed)
        confirm_url = reverse("calendar_years:confirm", args=[confirmed.pk])

        assert confirm_url in client.get(ENTER_URL, {"year": "2026"}).content.decode()
        preview = read(client, NOTICE_2026_AS_PUBLISHED)
        content = preview.content.decode()
        assert "The 2026 calendar is already confirmed and is not overwritten." in content
        assert confirm_url in content
        assert "Save 2026 as a draft" not in content

        response = client.post(ENTER_URL, page_data(preview, "save"))
        assert response.status_code == 200
        assert list(CalendarDay.objects.values_list("date", flat=True)) == [D(2026, 6, 19)]

    def test_a_year_the_package_does_not_know_goes_from_text_to_confirmed(self, client):
        """The invented 2027 text (tests only) walks the whole way."""
        preview = read(client, INVENTED_2027)
        assert preview.context["notice_form"]["notice"].value() == INVENTED_2027_NUMBER
        response = client.post(ENTER_URL, page_data(preview, "save"))
        assert response.status_code == 302
        client.post(response["Location"])
        assert CalendarYear.objects.get(year=2027).is_confirmed

    def test_the_pages_render_in_chinese(self, client):
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"
        from wagtail.users.models import UserProfile

        profile = UserProfile.get_for_user(response_user := client.get(ENTER_URL).wsgi_request.user)
        profile.preferred_language = "zh-hans"
        profile.save()
        client.force_login(response_user)
        response = read(client, NOTICE_2026_AS_PUBLISHED)
        assert response.status_code == 200
        content = response.content.decode()
        assert "从放假通知录入" in content
        assert re.search(r"<caption>2026年1月</caption>", content)


class TestTheYearsIndex:
    def test_it_offers_entering_from_the_notice_and_names_the_missing_years(
        self, client, superuser, time_machine
    ):
        time_machine.move_to(datetime.datetime(2026, 12, 6, 10, 0, tzinfo=datetime.UTC))
        CalendarYearFactory(year=2026, confirmed=True)
        client.force_login(superuser)
        content = client.get(reverse("calendar_years:index")).content.decode()
        assert ENTER_URL in content
        assert "2027 begins in 26 days and has no confirmed work calendar yet" in content
        assert f"{ENTER_URL}?year=2027" in content

    def test_a_draft_with_no_days_links_to_entering_it(self, client, superuser):
        empty = CalendarYearFactory(year=2027)
        client.force_login(superuser)
        content = client.get(reverse("calendar_years:confirm", args=[empty.pk])).content.decode()
        assert f"{ENTER_URL}?year=2027" in content


# The role × URL matrix of the pages added for entering a year, and the confirm page they lead to.
def new_urls(draft: CalendarYear) -> list[tuple[str, str]]:
    return [
        ("get", ENTER_URL),
        ("get", f"{ENTER_URL}?year=2027"),
        ("post", ENTER_URL),
        ("get", reverse("calendar_years:confirm", args=[draft.pk])),
        ("post", reverse("calendar_years:confirm", args=[draft.pk])),
    ]


def save_attempt() -> dict[str, str]:
    return {
        "action": "save",
        "year": "2026",
        "notice": "国办发明电〔2025〕7号",
        "text": NOTICE_2026,
        "holidays-TOTAL_FORMS": "1",
        "holidays-INITIAL_FORMS": "0",
        "holidays-0-name": "元旦",
        "holidays-0-first": "2026-01-01",
        "holidays-0-last": "2026-01-03",
    }


@pytest.mark.parametrize("person", ["township_admin_a", "editor", "back_office_user"])
def test_back_office_users_who_are_no_county_administrators_get_403_everywhere(
    client, world, person, request
):
    user = request.getfixturevalue(person) if person == "back_office_user" else getattr(world, person)
    draft = CalendarYearFactory(year=2027)
    client.force_login(user)
    for method, url in new_urls(draft):
        response = getattr(client, method)(url, save_attempt() if method == "post" else None)
        assert response.status_code == 403, (method, url)
    draft.refresh_from_db()
    assert not draft.is_confirmed
    assert not CalendarYear.objects.filter(year=2026).exists()


@pytest.mark.parametrize("person", ["plain_user", "outsider", "anonymous"])
def test_people_without_back_office_access_never_reach_the_pages(client, world, person, request):
    """Anonymous visitors are sent to log in; a logged-in user without back-office access gets
    the back-office gate's 403 (portal.people.views.back_office_gate), never the page."""
    if person == "plain_user":
        client.force_login(request.getfixturevalue("plain_user"))
    elif person == "outsider":
        client.force_login(world.outsider)
    draft = CalendarYearFactory(year=2027)
    for method, url in new_urls(draft):
        response = getattr(client, method)(url, save_attempt() if method == "post" else None)
        if person == "anonymous":
            assert response.status_code == 302, (method, url)
            assert "/login/" in response["Location"], (method, url)
        else:
            assert response.status_code == 403, (method, url)
    draft.refresh_from_db()
    assert not draft.is_confirmed
    assert not CalendarYear.objects.filter(year=2026).exists()


def test_the_county_administrator_may_use_every_new_page(client, world):
    draft = CalendarYearFactory(year=2027)
    CalendarDayFactory(date=D(2027, 1, 1), year=draft, name="元旦")
    client.force_login(world.county_admin)
    assert client.get(ENTER_URL).status_code == 200
    assert client.get(reverse("calendar_years:confirm", args=[draft.pk])).status_code == 200
    preview = read(client, NOTICE_2026_AS_PUBLISHED)
    assert client.post(ENTER_URL, page_data(preview, "save")).status_code == 302
    assert CalendarYear.objects.get(year=2026).days.count() == 25

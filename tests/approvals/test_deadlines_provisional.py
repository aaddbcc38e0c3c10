"""Deadlines through a year without a confirmed calendar: statutory holidays count, every place that
shows or sends the date says it is provisional, confirming the year moves the dates at once and
tells the villager only when a date moved, and deemed acceptance waits out the uncertainty.

2026 is confirmed here (with 国庆 only: enough for these weeks), 2027 is not: its statutory
holidays are certain (元旦 1/1, 春节 2/5–2/8 …) but not the notice's extra days.
"""

import datetime

import pytest
from django.conf import settings
from django.urls import reverse

from approvals import deadlines, services
from approvals.reminders import deadlines_sweep
from approvals.states import Act, State
from portal.outbox.models import OutboxMessage
from portal.workdays.models import CalendarDay, CalendarYear
from portal.workdays.services import calendar_year_confirm
from tests.approvals.test_deadlines import at
from tests.certificates.conftest import pdf_text

pytestmark = pytest.mark.django_db
D = datetime.date
NOTE_EN = "The 2027 holiday schedule is not settled yet: this date is provisional and may change."
NOTE_ZH = "2027年放假安排尚未确定，期限为暂定，可能调整。"


@pytest.fixture
def confirmed_2026(db):
    year = CalendarYear.objects.create(year=2026, status=CalendarYear.Status.CONFIRMED)
    for day in (1, 2, 5, 6, 7):
        CalendarDay.objects.create(year=year, date=D(2026, 10, day), is_workday=False, name="国庆节")
    return year


@pytest.fixture
def draft_2027(db):
    """A 2027 draft as an administrator might enter it: 元旦 1/1–1/3 with Monday 1/4 off in lieu."""
    year = CalendarYear.objects.create(year=2027, notice="国办发明电〔2026〕X号")
    CalendarDay.objects.create(year=year, date=D(2027, 1, 1), is_workday=False, name="元旦")
    CalendarDay.objects.create(year=year, date=D(2027, 1, 4), is_workday=False, name="元旦")
    return year


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def accepted_on_december_7(cases, world):
    with at(D(2026, 12, 7)):
        application = cases.accepted()
    return application


def test_a_due_date_through_new_year_skips_yuandan_and_is_provisional(cases, world, confirmed_2026):
    application = accepted_on_december_7(cases, world)
    # 20 working days from Monday 12/7: 12/8 … 12/31 are 18, 元旦 1/1 is a statutory holiday,
    # so Monday 1/4 and Tuesday 1/5 (a plain Monday–Friday count gave 1/4).
    assert application.due_on == D(2027, 1, 5)
    calendar = deadlines.calendar_around(D(2026, 12, 7))
    deadline = deadlines.deadline_of(application, D(2026, 12, 7), calendar, with_skipped=True)
    assert deadline.provisional_years == (2027,)
    assert [(day.name, day.provisional) for day in deadline.skipped] == [("元旦", True)]


def test_a_deadline_inside_a_confirmed_year_is_not_provisional(cases, world, confirmed_2026):
    with at(D(2026, 11, 2)):
        application = cases.accepted()
    calendar = deadlines.calendar_around(D(2026, 11, 2))
    assert deadlines.deadline_of(application, D(2026, 11, 2), calendar).provisional_years == ()
    assert deadlines.application_provisional_note(application) == ""


def test_the_clerk_sees_the_provisional_note(cases, world, confirmed_2026, english):
    application = accepted_on_december_7(cases, world)
    with at(D(2026, 12, 8)):
        english.force_login(world.clerk_a)
        page = english.get(reverse("approvals:detail", args=[application.pk])).content.decode()
        inbox = english.get(reverse("approvals:inbox")).content.decode()
    assert NOTE_EN in page
    assert "provisional (暂定)" in inbox


def test_the_villager_is_told_on_the_tracking_page_and_in_the_text_message(cases, world, confirmed_2026):
    application = accepted_on_december_7(cases, world)
    accepted_message = OutboxMessage.objects.get(topic=Act.ACCEPT, reference=application.number)
    assert "2027-01-05" in accepted_message.body
    assert NOTE_ZH in accepted_message.body

    from django.test import Client

    villager = Client()
    with at(D(2026, 12, 8)):
        villager.post(reverse("tracking:form"), {"number": application.number, "last4": "5678"})
        page = villager.get(reverse("tracking:detail", args=[application.number])).content.decode()
    assert NOTE_ZH in page


def test_the_receipt_says_the_acceptance_date_is_provisional(cases, world, confirmed_2026, english):
    with at(D(2026, 12, 28)):
        application = cases.submitted()
    # 12/29, 12/30, 12/31, (元旦), 1/4, 1/5
    assert application.accept_by == D(2027, 1, 5)
    with at(D(2026, 12, 28)):
        english.force_login(world.assistant_a1)
        page = english.get(reverse("approvals:receipt", args=[application.pk])).content.decode()
        pdf = english.get(reverse("approvals:receipt_pdf", args=[application.pk]))
    assert NOTE_EN in page
    assert pdf.status_code == 200
    assert NOTE_ZH in "".join(pdf_text(pdf.content).split())  # lines wrap with an indent


def test_the_receipt_of_accepted_work_gives_the_provisional_due_date(cases, world, confirmed_2026, english):
    application = accepted_on_december_7(cases, world)
    with at(D(2026, 12, 7)):
        english.force_login(world.assistant_a1)
        page = english.get(reverse("approvals:receipt", args=[application.pk])).content.decode()
        pdf = english.get(reverse("approvals:receipt_pdf", args=[application.pk]))
    assert "2027-01-05" in page and NOTE_EN in page
    text = "".join(pdf_text(pdf.content).split())
    assert "办结期限" in text and "2027年1月5日" in text and NOTE_ZH in text


def test_a_receipt_inside_a_confirmed_year_has_no_note(cases, world, confirmed_2026, english):
    with at(D(2026, 11, 2)):
        application = cases.submitted()
    with at(D(2026, 11, 2)):
        english.force_login(world.assistant_a1)
        page = english.get(reverse("approvals:receipt", args=[application.pk])).content.decode()
    assert "provisional" not in page and "holiday schedule" not in page


def test_confirming_the_year_moves_the_dates_at_once_and_tells_only_those_whose_date_moved(
    cases, world, confirmed_2026, draft_2027
):
    moving = accepted_on_december_7(cases, world)  # due 1/5 counts 1/4, a day off in the draft
    with at(D(2026, 11, 2)):
        staying = cases.accepted()  # due 11/30, nothing to do with 2027
    version = moving.version
    OutboxMessage.objects.all().delete()

    with at(D(2026, 12, 9)):
        calendar_year_confirm(actor=world.county_admin, year=draft_2027)

    moving.refresh_from_db()
    staying.refresh_from_db()
    assert moving.due_on == D(2027, 1, 6)
    assert moving.version == version + 1
    event = moving.events.get(act=Act.DEADLINE_MOVED)
    assert event.data == {"due_on": {"from": "2027-01-05", "to": "2027-01-06"}}
    assert event.actor == world.county_admin and event.actor_role == "system"
    assert staying.due_on == D(2026, 11, 30)
    assert not staying.events.filter(act=Act.DEADLINE_MOVED).exists()

    messages = list(OutboxMessage.objects.all())
    assert [(m.to_mobile, m.reference) for m in messages] == [(moving.applicant_mobile, moving.number)]
    assert "2027-01-06" in messages[0].body
    assert "暂定" not in messages[0].body  # 2027 is confirmed now
    calendar = deadlines.calendar_around(D(2026, 12, 9))
    assert deadlines.deadline_of(moving, D(2026, 12, 9), calendar).provisional_years == ()


def test_confirming_the_year_moves_an_open_rectification(cases, world, confirmed_2026, draft_2027):
    from ratings import services as ratings
    from ratings.models import RatingEvent, Rectification

    with at(D(2026, 12, 1)):
        application = cases.accepted()
        services.application_approve(actor=world.clerk_a, application=application)
    with at(D(2026, 12, 14)):
        ratings.rating_submit(application=application, level=1, reasons=["slow"], channel="tracking")
    rectification = Rectification.objects.get(rating__application=application)
    assert rectification.working_days == 15
    # 15 working days from Monday 12/14: 12/15 … 12/31 are 13, (元旦), 1/4, 1/5
    assert rectification.due_on == D(2027, 1, 5)
    with at(D(2026, 12, 15)):
        calendar_year_confirm(actor=world.county_admin, year=draft_2027)
    rectification.refresh_from_db()
    assert rectification.due_on == D(2027, 1, 6)
    moved = rectification.events.get(act=RatingEvent.Act.DEADLINE_MOVED)
    assert moved.data == {"due_on": {"from": "2027-01-05", "to": "2027-01-06"}}


def test_deemed_acceptance_waits_when_the_window_ran_through_an_unconfirmed_year(cases, confirmed_2026):
    with at(D(2026, 12, 28)):
        application = cases.submitted()
    assert application.accept_by == D(2027, 1, 5)
    for day in (D(2027, 1, 6), D(2027, 1, 8)):  # up to 3 working days past: a notice may add days
        with at(day):
            assert deadlines_sweep().deemed_accepted == 0
    with at(D(2027, 1, 11)):
        assert deadlines_sweep().deemed_accepted == 1
    application.refresh_from_db()
    assert application.state == State.ACCEPTED
    assert application.accepted_on == D(2026, 12, 28)  # from the day the materials arrived
    event = application.events.get(act=Act.DEEM_ACCEPTED)
    assert event.data["provisional_years"] == [2027]


def test_deemed_acceptance_in_a_confirmed_year_does_not_wait(cases, confirmed_2026):
    with at(D(2026, 11, 2)):
        cases.submitted()
    with at(D(2026, 11, 10)):
        assert deadlines_sweep().deemed_accepted == 1


def test_the_ledger_suggests_a_provisional_promise_date(world, confirmed_2026):
    from ledger.forms import PromiseForm

    with at(D(2026, 12, 28)):
        form = PromiseForm()
    assert form.fields["promised_on"].initial == D(2027, 1, 5)
    assert "2027" in str(form.fields["promised_on"].help_text)
    with at(D(2026, 11, 2)):
        form = PromiseForm()
    assert "2027" not in str(form.fields["promised_on"].help_text)


def test_work_is_overdue_on_the_rest_days_right_after_its_date(confirmed_2026):
    calendar = deadlines.calendar_around(D(2026, 11, 1))
    friday = D(2026, 11, 6)
    assert deadlines.days_left(D(2026, 11, 6), friday, calendar) == 0
    assert deadlines.days_left(D(2026, 11, 7), friday, calendar) == -1  # Saturday
    assert deadlines.days_left(D(2026, 11, 9), friday, calendar) == -1  # Monday
    assert deadlines.days_left(D(2026, 11, 10), friday, calendar) == -2

"""The villager's public tracking pages: the number and 4 digits open one application in this
browser; guessing is limited per number and per address; the page shows plain words, masked
personal data and no staff names."""

import datetime

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from approvals import services
from approvals.models import Application
from approvals.services import MissingItem
from approvals.tracking import ADDRESS_FAILURES_PER_DAY, FAILURES_IN_ALL, FAILURES_PER_DAY
from approvals.tracking_session import SESSION_KEY, SESSION_LIMIT
from portal.errors import NotPermitted
from portal.people.services import resident_register
from portal.throttle.limits import Scope
from portal.throttle.models import Attempt
from portal.workdays.models import CalendarDay, CalendarYear
from tests.factories import make_id_number
from tests.security import proxy

pytestmark = pytest.mark.django_db

client = proxy.client  # each test twice: straight, and behind the documented proxy

FORM = reverse("tracking:form")
MOBILE_LAST4 = "5678"  # residents["a1"].mobile is 13812345678
MAX_DETAIL_BYTES = 8 * 1024


@pytest.fixture
def villager(client):
    """A browser in English (the msgids), so the assertions read the page's own words."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def look_up(client, number, last4, **extra):
    return client.post(FORM, {"number": number, "last4": last4}, **extra)


def detail_url(application):
    return reverse("tracking:detail", args=[application.number])


def fail(client, application, times, **extra):
    for _ in range(times):
        response = look_up(client, application.number, "0000", **extra)
        assert response.status_code == 200


def lookups():
    return Attempt.objects.filter(scope=Scope.TRACKING_LOOKUP)


def age_attempts(days: int) -> None:
    lookups().update(at=timezone.now() - datetime.timedelta(days=days))


def id_last4(resident) -> str:
    return resident.id_number_masked[-4:]


# -- the form ------------------------------------------------------------------------------------


def test_form_is_private_and_made_for_thumbs(villager):
    response = villager.get(FORM + "?number=120115121-261122-007")
    assert response.status_code == 200
    assert "private" in response["Cache-Control"]
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    assert 'inputmode="numeric"' in html
    assert 'autocomplete="off"' in html
    assert 'value="120115121-261122-007"' in html
    assert "csrfmiddlewaretoken" in html


def test_the_form_works_with_csrf_checks_on(cases):
    from django.test import Client

    application = cases.submitted()
    browser = Client(enforce_csrf_checks=True)
    browser.get(FORM)
    token = browser.cookies[settings.CSRF_COOKIE_NAME].value
    response = browser.post(
        FORM, {"number": application.number, "last4": MOBILE_LAST4, "csrfmiddlewaretoken": token}
    )
    assert response["Location"] == detail_url(application)
    assert browser.post(FORM, {"number": application.number, "last4": MOBILE_LAST4}).status_code == 403


def test_last4_of_mobile_opens_the_application(villager, cases):
    application = cases.submitted()
    response = look_up(villager, application.number, MOBILE_LAST4)
    assert response.status_code == 302
    assert response["Location"] == detail_url(application)
    assert villager.session[SESSION_KEY] == [application.pk]
    page = villager.get(response["Location"])
    assert page.status_code == 200
    assert application.number in page.content.decode()


def test_last4_of_id_number_opens_the_application(villager, cases, residents):
    application = cases.submitted()
    response = look_up(villager, application.number, id_last4(residents["a1"]))
    assert response["Location"] == detail_url(application)


def test_number_with_spaces_full_width_digits_and_no_dashes_is_understood(villager, cases):
    application = cases.submitted()
    township, day, sequence = application.number.split("-")
    wide = str.maketrans("0123456789", "０１２３４５６７８９")
    typed = f" {township.translate(wide)} {day}{sequence} "
    response = look_up(villager, typed, "５６７８")
    assert response["Location"] == detail_url(application)


def test_small_x_at_the_end_of_the_id_number_matches(villager, cases, world):
    number = make_id_number(order=104)
    assert number.endswith("X")
    resident, _ = resident_register(
        actor=None, name="王小红", id_number=number, mobile="13700001111", village=world.village_a1
    )
    cases.residents["a1"] = resident
    application = cases.submitted()
    response = look_up(villager, application.number, number[-4:].lower())
    assert response["Location"] == detail_url(application)


def test_wrong_digits_give_the_message_and_keep_the_number_not_the_digits(villager, cases):
    application = cases.submitted()
    response = look_up(villager, application.number, "9911")
    assert response.status_code == 200
    html = response.content.decode()
    assert "No application matches that number and those 4 digits" in html
    assert f'value="{application.number}"' in html
    assert "9911" not in html
    assert SESSION_KEY not in villager.session


def test_an_unknown_number_gets_the_same_message(villager, cases):
    cases.submitted()
    response = look_up(villager, "120115121-000000-999", MOBILE_LAST4)
    assert "No application matches that number and those 4 digits" in response.content.decode()


def test_missing_or_short_digits_are_explained_at_the_field_and_not_counted(villager, cases):
    application = cases.submitted()
    response = look_up(villager, application.number, "12")
    assert response.status_code == 200
    assert "Enter exactly 4 characters" in response.content.decode()
    assert not lookups().exists()


@pytest.mark.parametrize(
    ("number", "last4"),
    [
        ("一二三\x00", "一二三四"),
        ("<script>", "１２３ｘ"),
        ("9" * 500, "9" * 500),
        ("120115121-261122-007", "\x00\x00\x00\x00"),
    ],
)
def test_junk_never_breaks_the_page(villager, cases, number, last4):
    cases.submitted()
    response = look_up(villager, number, last4)
    assert response.status_code == 200
    assert "<script>" not in response.content.decode()


def test_an_id_number_typed_as_the_number_is_explained_never_echoed_nor_stored(villager, cases, residents):
    cases.submitted()
    full = residents["a1"].id_number
    spaced = f"{full[:6]} {full[6:14]} {full[14:]}"
    response = look_up(villager, spaced, MOBILE_LAST4)
    html = response.content.decode()
    assert "That looks like an ID number" in html
    assert full not in html and spaced not in html
    assert not lookups().exists()
    assert villager.get(FORM + "?number=" + full)["Location"] == FORM


# -- limits --------------------------------------------------------------------------------------


def test_five_failures_in_a_day_refuse_even_the_right_digits_that_day(villager, cases):
    application = cases.submitted()
    fail(villager, application, FAILURES_PER_DAY)
    response = look_up(villager, application.number, MOBILE_LAST4)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Too many wrong tries for this number" in html
    assert application.station.phone not in html  # the same answer as for a number nobody has
    age_attempts(days=2)
    assert look_up(villager, application.number, MOBILE_LAST4).status_code == 302


def test_ten_failures_lock_the_number_until_the_assistant_unlocks_it(villager, cases, world):
    application = cases.submitted()
    fail(villager, application, FAILURES_PER_DAY)
    age_attempts(days=2)
    fail(villager, application, FAILURES_IN_ALL - FAILURES_PER_DAY)
    application.refresh_from_db()
    assert application.tracking_locked_at is not None

    age_attempts(days=2)  # a new day does not lift the lock
    response = look_up(villager, application.number, MOBILE_LAST4)
    assert "Too many wrong tries for this number" in response.content.decode()

    with pytest.raises(NotPermitted):
        services.tracking_unlock(actor=world.assistant_b1, application=application)
    services.tracking_unlock(actor=world.assistant_a1, application=application)
    # The old failures no longer count: one more typo does not lock it again at once.
    fail(villager, application, 1)
    response = look_up(villager, application.number, MOBILE_LAST4)
    assert response["Location"] == detail_url(application)
    application.refresh_from_db()
    assert application.tracking_locked_at is None


def test_unlock_the_same_day_lets_the_villager_in_at_once(villager, cases, world):
    application = cases.submitted()
    Application.objects.filter(pk=application.pk).update(tracking_locked_at=timezone.now())
    fail(villager, application, 1)  # refused while locked: not even counted
    Attempt.objects.bulk_create(
        [
            Attempt(scope=Scope.TRACKING_LOOKUP, key=application.number, client="10.0.0.9", outcome="failed")
            for _ in range(5)
        ]
    )
    services.tracking_unlock(actor=world.clerk_a, application=application)
    assert look_up(villager, application.number, MOBILE_LAST4).status_code == 302


def test_a_lock_does_not_stop_the_clerk(villager, cases, world):
    application = cases.submitted()
    fail(villager, application, FAILURES_PER_DAY)
    age_attempts(days=2)
    fail(villager, application, FAILURES_PER_DAY)
    application.refresh_from_db()
    assert application.tracking_locked_at is not None
    accepted = services.application_accept(actor=world.clerk_a, application=application)
    assert accepted.state == "accepted"


def test_one_address_may_not_guess_many_numbers(villager, cases):
    application = cases.submitted()
    for sequence in range(ADDRESS_FAILURES_PER_DAY):
        look_up(villager, f"120115121-000000-{sequence:03d}", "0000", REMOTE_ADDR="203.0.113.7")
    response = look_up(villager, application.number, MOBILE_LAST4, REMOTE_ADDR="203.0.113.7")
    assert "Too many wrong tries from this connection today" in response.content.decode()
    # A forged forwarding header does not make another address of it.
    forged = look_up(
        villager,
        application.number,
        MOBILE_LAST4,
        REMOTE_ADDR="203.0.113.7",
        HTTP_X_FORWARDED_FOR="198.51.100.1",
    )
    assert forged.status_code == 200
    assert look_up(villager, application.number, MOBILE_LAST4, REMOTE_ADDR="203.0.113.8").status_code == 302


def test_the_session_remembers_at_most_ten_applications(villager, cases):
    application = cases.submitted()
    session = villager.session
    session[SESSION_KEY] = list(range(100_000, 100_000 + SESSION_LIMIT))
    session.save()
    look_up(villager, application.number, MOBILE_LAST4)
    allowed = villager.session[SESSION_KEY]
    assert len(allowed) == SESSION_LIMIT
    assert allowed[-1] == application.pk


# -- the detail page -----------------------------------------------------------------------------


def open_detail(client, application, last4=MOBILE_LAST4):
    assert look_up(client, application.number, last4).status_code == 302
    return client.get(detail_url(application))


def test_detail_without_a_lookup_sends_to_the_form_with_the_number(villager, cases, client):
    application = cases.submitted()
    response = villager.get(detail_url(application))
    assert response.status_code == 302
    assert response["Location"] == FORM + "?number=" + application.number
    assert villager.get(reverse("tracking:detail", args=["no-such-number"])).status_code == 302


def test_detail_of_one_application_does_not_open_another(villager, cases):
    first = cases.submitted()
    second = cases.submitted()
    open_detail(villager, first)
    assert villager.get(detail_url(second)).status_code == 302


def test_submitted_application_says_when_the_centre_answers(villager, cases, residents):
    application = cases.submitted()
    response = open_detail(villager, application)
    html = response.content.decode()
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    assert "has your papers and will accept or return them by" in html
    assert "working days left" in html
    assert application.item_title in html
    assert "Your village assistant submitted the application to" in html


def test_detail_after_a_return_lists_the_one_time_notice(villager, cases, world):
    application = cases.submitted()
    services.application_return(
        actor=world.clerk_a,
        application=application,
        items=[
            MissingItem(material=None, name="户口簿", reason="复印件看不清，请重新复印"),
            MissingItem(material=None, name="收入证明", reason="缺少村委会盖章"),
        ],
    )
    html = open_detail(villager, application).content.decode()
    assert "Returned: your village assistant will bring what is needed" in html
    for text in ("户口簿", "复印件看不清，请重新复印", "收入证明", "缺少村委会盖章"):
        assert text in html
    assert "returned the application with a one-time notice" in html


def test_detail_after_acceptance_shows_the_due_date_and_the_holidays_skipped(villager, cases, world):
    today = timezone.localdate()
    holiday = today + datetime.timedelta(days=3)
    while holiday.weekday() >= 5:
        holiday += datetime.timedelta(days=1)
    year, _ = CalendarYear.objects.get_or_create(
        year=holiday.year,
        defaults={"status": CalendarYear.Status.CONFIRMED, "confirmed_at": timezone.now()},
    )
    CalendarDay.objects.create(date=holiday, year=year, is_workday=False, name="测试节")
    application = cases.accepted()
    html = open_detail(villager, application).content.decode()
    from django.utils.formats import date_format
    from django.utils.translation import override

    with override("en"):
        due = date_format(application.due_on)
    assert f"Accepted; promised by {due}." in html
    assert "Holidays not counted:" in html
    assert "测试节" in html
    assert "accepted the application (受理)" in html


def test_rejection_gives_the_reason_the_basis_and_the_way_to_appeal(villager, cases, world):
    application = cases.accepted()
    services.application_reject(
        actor=world.clerk_a,
        application=application,
        reason="家庭收入高于低保标准",
        basis="《社会救助暂行办法》第九条",
    )
    html = open_detail(villager, application).content.decode()
    assert "Not approved (不予)." in html
    assert "家庭收入高于低保标准" in html
    assert "《社会救助暂行办法》第九条" in html
    assert "行政复议" in html and "行政诉讼" in html


def test_detail_shows_offices_and_roles_never_staff_names(villager, cases, world):
    application = cases.accepted()
    services.application_reassign(actor=world.supervisor_a, application=application, to=world.supervisor_a)
    services.tracking_unlock(actor=world.assistant_a1, application=application)
    html = open_detail(villager, application).content.decode()
    for person in world.people.values():
        assert person.username not in html
        assert person.name not in html
    assert world.centre_a.short_name in html
    assert f'href="tel:{world.centre_a.phone}"' in html
    assert f'href="tel:{world.assistant_a1.mobile}"' in html
    assert "Reassigned" not in html and "unlocked" not in html


def test_detail_masks_the_villager(villager, cases, residents):
    application = cases.submitted()
    resident = residents["a1"]
    html = open_detail(villager, application).content.decode()
    assert "张*明" in html
    assert "张小明" not in html
    assert resident.id_number_masked in html
    assert resident.id_number not in html
    assert "138****5678" in html
    assert "13812345678" not in html


def test_the_full_id_number_is_in_no_tracking_response(villager, cases, residents, world):
    application = cases.submitted()
    full = residents["a1"].id_number
    services.application_return(
        actor=world.clerk_a,
        application=application,
        items=[MissingItem(material=None, name="户口簿", reason="缺页")],
    )
    responses = [
        villager.get(FORM),
        villager.get(detail_url(application)),
        look_up(villager, application.number, "0000"),
        look_up(villager, application.number, full),
        look_up(villager, application.number, id_last4(residents["a1"])),
        villager.get(detail_url(application)),
        villager.get(FORM + "?number=" + full),
    ]
    assert responses[-2].status_code == 200
    for response in responses:
        assert full not in response.content.decode()
        assert full not in response.get("Location", "")


def test_detail_page_is_a_few_queries_and_small(villager, cases, world, django_assert_max_num_queries):
    application = cases.submitted()
    notice = services.application_return(
        actor=world.clerk_a,
        application=application,
        items=[MissingItem(material=None, name="户口簿", reason="缺页")],
    )
    services.notice_item_answer(
        actor=world.assistant_a1,
        application=application,
        notice_item=notice.items.get(),
        answer="户口簿只有一页",
    )
    services.application_resubmit(actor=world.assistant_a1, application=application)
    application = services.application_accept(actor=world.clerk_a, application=application)
    look_up(villager, application.number, MOBILE_LAST4)
    # session; application with office, village, resident; station and centre; their assistants;
    # calendar; notices; notice items; timeline; session save (an UPDATE inside a savepoint: 3)
    with django_assert_max_num_queries(11):
        response = villager.get(detail_url(application))
    size = len(response.content)
    print(f"tracking detail page: {size} bytes")
    assert response.status_code == 200
    assert size < MAX_DETAIL_BYTES

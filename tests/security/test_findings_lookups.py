"""Issue 16, finding 9: the public lookups told which numbers exist (after 5 wrong tries a real
number answered "too many tries, call <station phone>", an invented one kept saying "not found")
and let anyone lock the real villager out. Now every limit counts the number as typed and the
address, the answers are the same for real and invented numbers, and the villager's own way in
(a code texted to the mobile on file, or the assistant) stays open whatever others guess."""

import datetime
import re

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from approvals import services as approval_services
from approvals import tracking
from approvals.models import Application, TrackingCode
from certificates import services as certificate_services
from ledger import public
from portal.outbox.models import OutboxMessage

pytestmark = pytest.mark.django_db

INVENTED = "120115121-261207-999"
INVENTED_LEDGER = "W120115121-2026-9999"
MOBILE_LAST4 = "5678"


def browser(address: str = "203.0.113.10") -> Client:
    client = Client(REMOTE_ADDR=address)
    client.cookies["django_language"] = "en"
    return client


def page(response, *numbers: str) -> str:
    """The page with the numbers and the CSRF token taken out, to compare two answers."""
    html = response.content.decode()
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)
    for number in numbers:
        html = html.replace(f'value="{number}"', 'value="N"').replace(f"?number={number}", "?number=N")
    return html


def track(client, number, last4):
    return client.post(reverse("tracking:form"), {"number": number, "last4": last4})


def texted_code(number: str) -> str:
    message = OutboxMessage.objects.filter(reference=number).latest("pk")
    return re.search(r"(?<![\d-])(\d{6})(?![\d-])", message.body.replace(number, "")).group(1)


# -- the same answer for every number ------------------------------------------------------------


def test_finding_09_tracking_answers_a_wrong_guess_the_same_for_real_and_invented_numbers(cases):
    application = cases.submitted()
    guesser = browser("198.51.100.20")
    for _ in range(tracking.FAILURES_PER_DAY + 2):
        real = track(guesser, application.number, "0000")
        invented = track(guesser, INVENTED, "0000")
        assert real.status_code == invented.status_code == 200
        assert page(real, application.number) == page(invented, INVENTED)
    html = real.content.decode()
    assert "Too many wrong tries for this number" in html
    assert application.station.phone not in html


def test_finding_09_the_locked_number_answers_like_any_other_after_ten_tries(cases):
    application = cases.submitted()
    with time_machine.travel(timezone.now() - datetime.timedelta(days=3)):
        for n in range(tracking.FAILURES_PER_DAY):
            track(browser(f"198.51.100.{n}"), application.number, "0000")
            track(browser(f"198.51.100.{n}"), INVENTED, "0000")
    for n in range(tracking.FAILURES_IN_ALL - tracking.FAILURES_PER_DAY + 1):
        real = track(browser(f"198.51.101.{n}"), application.number, "0000")
        invented = track(browser(f"198.51.101.{n}"), INVENTED, "0000")
        assert page(real, application.number) == page(invented, INVENTED)
    assert "Too many wrong tries for this number" in real.content.decode()


def test_finding_09_ledger_lookup_answers_the_same_for_real_and_invented_numbers(ledger):
    item = ledger.done("a1")
    guesser = browser("198.51.100.20")
    for _ in range(public.FAILURES_PER_DAY + 2):
        real = guesser.post(reverse("promises:track"), {"number": item.number, "last4": "0000"})
        invented = guesser.post(reverse("promises:track"), {"number": INVENTED_LEDGER, "last4": "0000"})
        assert real.status_code == invented.status_code
        assert page(real, item.number) == page(invented, INVENTED_LEDGER)
    assert "Too many wrong tries for this number" in real.content.decode()
    assert item.station.phone not in real.content.decode()


def test_finding_09_certificate_check_pauses_invented_serials_alike(client, approve):
    from certificates.tokens import check_code

    certificate = approve("dibao", "a1")
    serial = certificate.licence_number
    invented = serial[:-3] + "999"
    answers = {}
    for name, typed in (("real", serial), ("invented", invented)):
        for n in range(certificate_services.FAILURES_PER_SERIAL_PER_DAY):
            client.post(
                reverse("verify:form"), {"serial": typed, "code": f"{n:08d}"}, REMOTE_ADDR=f"10.1.{n}.1"
            )
        answers[name] = client.post(
            reverse("verify:form"), {"serial": typed, "code": check_code(typed)}, REMOTE_ADDR="10.2.0.1"
        )
    assert answers["real"].status_code == answers["invented"].status_code == 429
    assert page(answers["real"], serial) == page(answers["invented"], invented)
    # the holder's QR code still works
    assert client.get(reverse("verify:token", args=[certificate.token])).status_code == 200


# -- the villager's own way in -------------------------------------------------------------------


def test_finding_09_a_texted_code_opens_tracking_while_guessers_are_paused(cases):
    application = cases.submitted()
    for n in range(tracking.FAILURES_IN_ALL + 2):  # someone else's guesses, from many addresses
        track(browser(f"198.51.100.{n}"), application.number, "0000")
    villager = browser()
    assert "Too many wrong tries" in track(villager, application.number, MOBILE_LAST4).content.decode()
    response = villager.post(reverse("tracking:code"), {"number": application.number})
    assert response.status_code == 200
    message = OutboxMessage.objects.get(reference=application.number, topic="one-time-code")
    assert message.to_mobile == application.applicant_mobile
    opened = villager.post(
        reverse("tracking:code_enter"),
        {"number": application.number, "code": texted_code(application.number)},
    )
    assert opened.status_code == 302
    assert villager.get(opened["Location"]).status_code == 200
    # one use only
    again = browser()
    assert (
        again.post(
            reverse("tracking:code_enter"), {"number": application.number, "code": "000000"}
        ).status_code
        == 200
    )


def test_finding_09_asking_for_a_code_answers_the_same_for_every_number(cases):
    application = cases.submitted()
    client = browser()
    real = client.post(reverse("tracking:code"), {"number": application.number})
    invented = client.post(reverse("tracking:code"), {"number": INVENTED})
    assert real.status_code == invented.status_code == 200
    assert page(real, application.number) == page(invented, INVENTED)
    assert OutboxMessage.objects.filter(topic="one-time-code").count() == 1  # only the real mobile


def test_finding_09_a_code_works_only_in_the_browser_that_asked_and_others_cannot_burn_it(cases):
    application = cases.submitted()
    villager, attacker = browser(), browser("198.51.100.20")
    villager.post(reverse("tracking:code"), {"number": application.number})
    code = texted_code(application.number)
    for guess in ("000000", "111111", "222222", "333333", code):  # even the right code, elsewhere
        response = attacker.post(
            reverse("tracking:code_enter"), {"number": application.number, "code": guess}
        )
        assert response.status_code == 200
    opened = villager.post(reverse("tracking:code_enter"), {"number": application.number, "code": code})
    assert opened.status_code == 302


def test_finding_09_wrong_codes_use_up_only_the_asking_browsers_code(cases):
    application = cases.submitted()
    villager = browser()
    villager.post(reverse("tracking:code"), {"number": application.number})
    code = texted_code(application.number)
    for _ in range(tracking.CODE_TRIES):
        villager.post(reverse("tracking:code_enter"), {"number": application.number, "code": "000000"})
    used_up = villager.post(reverse("tracking:code_enter"), {"number": application.number, "code": code})
    assert used_up.status_code == 200 and "used up or expired" in used_up.content.decode()


def test_finding_09_codes_expire_after_ten_minutes(cases):
    application = cases.submitted()
    villager = browser()
    villager.post(reverse("tracking:code"), {"number": application.number})
    code = texted_code(application.number)
    with time_machine.travel(timezone.now() + tracking.CODE_VALID + datetime.timedelta(seconds=1)):
        late = villager.post(reverse("tracking:code_enter"), {"number": application.number, "code": code})
    assert late.status_code == 200


def test_finding_09_code_requests_are_limited_per_number_alike_and_per_address(cases):
    application = cases.submitted()
    answers = {}
    for name, number in (("real", application.number), ("invented", INVENTED)):
        stranger = browser("198.51.100.200")
        for _ in range(tracking.CODE_SENDS_PER_NUMBER_PER_HOUR):
            stranger.post(reverse("tracking:code"), {"number": number})
        answers[name] = stranger.post(reverse("tracking:code"), {"number": number})
    assert page(answers["real"], application.number) == page(answers["invented"], INVENTED)
    assert "in the last hour" in answers["real"].content.decode()
    # the stranger's requests do not use up the villager's own
    assert (
        "on its way"
        in browser().post(reverse("tracking:code"), {"number": application.number}).content.decode()
    )
    # the ceiling on texts to one phone holds, however many addresses ask
    for n in range(
        tracking.CODE_SENDS_PER_NUMBER_PER_HOUR_IN_ALL - 1 - tracking.CODE_SENDS_PER_NUMBER_PER_HOUR
    ):
        browser(f"198.51.100.{n}").post(reverse("tracking:code"), {"number": application.number})
    ceiling = browser("198.51.102.1").post(reverse("tracking:code"), {"number": application.number})
    assert "in the last hour" in ceiling.content.decode()
    assert (
        TrackingCode.objects.filter(number=application.number).count()
        == tracking.CODE_SENDS_PER_NUMBER_PER_HOUR_IN_ALL
    )
    # an hour later the villager may ask again
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=1, seconds=1)):
        again = browser().post(reverse("tracking:code"), {"number": application.number})
    assert "on its way" in again.content.decode()
    # one address may ask for CODE_SENDS_PER_ADDRESS_PER_DAY codes in a day, for any numbers
    flooder = browser("192.0.2.50")
    for n in range(tracking.CODE_SENDS_PER_ADDRESS_PER_DAY):
        flooder.post(reverse("tracking:code"), {"number": f"120115121-200101-{n:03d}"})
    assert (
        "from this connection"
        in flooder.post(reverse("tracking:code"), {"number": INVENTED}).content.decode()
    )
    assert (
        TrackingCode.objects.filter(address="192.0.2.50").count() == tracking.CODE_SENDS_PER_ADDRESS_PER_DAY
    )


def test_finding_09_the_assistant_path_stays_open(cases, world):
    application = cases.submitted()
    with time_machine.travel(timezone.now() - datetime.timedelta(days=3)):
        for n in range(tracking.FAILURES_PER_DAY):
            track(browser(f"198.51.100.{n}"), application.number, "0000")
    for n in range(tracking.FAILURES_IN_ALL - tracking.FAILURES_PER_DAY):
        track(browser(f"198.51.101.{n}"), application.number, "0000")
    application.refresh_from_db()
    assert application.tracking_locked_at is not None
    approval_services.tracking_unlock(actor=world.assistant_a1, application=application)
    assert track(browser(), application.number, MOBILE_LAST4).status_code == 302


def test_finding_09_a_texted_code_opens_the_ledger_item_while_guessers_are_paused(ledger):
    item = ledger.done("a1")
    for n in range(public.FAILURES_PER_DAY + 1):
        browser(f"198.51.100.{n}").post(reverse("promises:track"), {"number": item.number, "last4": "0000"})
    villager = browser()
    paused = villager.post(reverse("promises:track"), {"number": item.number, "last4": MOBILE_LAST4})
    assert "Too many wrong tries" in paused.content.decode()
    real = villager.post(reverse("promises:code"), {"number": item.number})
    invented = browser().post(reverse("promises:code"), {"number": INVENTED_LEDGER})
    assert page(real, item.number) == page(invented, INVENTED_LEDGER)
    opened = villager.post(
        reverse("promises:code_enter"), {"number": item.number, "code": texted_code(item.number)}
    )
    assert opened.status_code == 302 and opened["Location"] == reverse("promises:item", args=[item.number])


def test_finding_09_numbers_alone_never_open_anything(cases):
    application = cases.submitted()
    client = browser()
    assert client.get(reverse("tracking:detail", args=[application.number])).status_code == 302
    assert (
        client.post(reverse("tracking:code_enter"), {"number": application.number, "code": ""}).status_code
        == 200
    )
    assert not Application.objects.filter(tracking_locked_at__isnull=False).exists()

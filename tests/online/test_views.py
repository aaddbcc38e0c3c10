"""The pages of 网办 through the test client, as a phone without JavaScript would use them: plain
POST forms, the same page for an unknown token, the headers that keep the token private, small
pages; and the assistant's panel on the draft page (its queries do not grow with the links)."""

import re
import secrets

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from approvals.models import ApplicationFile
from online.models import Consent, RemoteLink
from tests.online.conftest import Phone, code_in, last_text, photo_upload

pytestmark = pytest.mark.django_db

PAGE_LIMIT = 30_000
PAGE_SIZES: dict[str, int] = {}


@pytest.fixture
def assistant(world):
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(world.assistant_a1)
    return client


@pytest.fixture
def phone():
    client = Client(HTTP_USER_AGENT="Mozilla/5.0 (Linux; Android 14; Phone)", REMOTE_ADDR="203.0.113.30")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def without_csrf(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def measured(name: str, response) -> str:
    html = response.content.decode()
    PAGE_SIZES[name] = len(response.content)
    assert len(response.content) < PAGE_LIMIT, (name, len(response.content))
    return html


def private(response) -> None:
    assert "no-store" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "same-origin"  # never sent to another site


def test_the_assistant_sends_and_withdraws_from_the_draft_page(assistant, draft, required_materials):
    page = assistant.get(reverse("approvals:edit", args=[draft.pk]))
    html = page.content.decode()
    assert 'id="remote"' in html and "Send the link by text message" in html
    response = assistant.post(
        reverse("online_work:send", args=[draft.pk]),
        {"materials": [str(m.pk) for m in required_materials], "consent": "on", "note": "请拍清楚"},
    )
    assert response.status_code == 302 and response["Location"].endswith("#remote")
    link = RemoteLink.objects.get()
    assert link.material_ids == [m.pk for m in required_materials] and link.asks_consent
    page = assistant.get(reverse("approvals:edit", args=[draft.pk])).content.decode()
    assert "Not opened yet" in page and "Withdraw this link" in page
    assistant.post(reverse("online_work:revoke", args=[draft.pk, link.pk]))
    link.refresh_from_db()
    assert link.revoked_at is not None
    assert "Withdrawn" in assistant.get(reverse("approvals:edit", args=[draft.pk])).content.decode()


def test_nothing_asked_is_said_and_nothing_sent(assistant, draft):
    response = assistant.post(reverse("online_work:send", args=[draft.pk]), {"mobile": ""}, follow=True)
    assert "Tick at least one thing" in response.content.decode()
    assert not RemoteLink.objects.exists()


def test_another_stations_assistant_gets_404(world, draft, send):
    send()
    link = RemoteLink.objects.get()
    other = Client()
    other.force_login(world.assistant_b1)
    assert other.post(reverse("online_work:send", args=[draft.pk]), {"consent": "on"}).status_code == 404
    assert other.post(reverse("online_work:revoke", args=[draft.pk, link.pk])).status_code == 404
    assert other.get(reverse("approvals:edit", args=[draft.pk])).status_code == 404
    assert RemoteLink.objects.count() == 1


def test_the_panels_queries_do_not_grow_with_links(
    assistant, draft, send, required_materials, django_assert_max_num_queries
):
    url = reverse("approvals:edit", args=[draft.pk])
    phone = Phone(send())
    phone.open()
    phone.upload(required_materials[0])
    assistant.get(url)
    with CaptureQueriesContext(connection) as one:
        assistant.get(url)
    for _ in range(4):
        other = Phone(send())
        other.open()
        other.upload(required_materials[1])
    other.sign()
    with django_assert_max_num_queries(len(one.captured_queries) + 1) as five:  # + the consent's file
        page = assistant.get(url)
    print(
        "draft page queries with 1 link:",
        len(one.captured_queries),
        "with 5 links:",
        len(five.captured_queries),
    )
    html = page.content.decode()
    assert html.count("Withdraw this link") == 5 and "Authorisation signed by 张小明" in html


def test_an_unknown_token_gets_the_same_page(phone, send):
    token = send()
    real = phone.get(reverse("online:open", args=[token]))
    invented = phone.get(reverse("online:open", args=[secrets.token_urlsafe(24)]))
    private(real)
    private(invented)
    assert real.status_code == invented.status_code == 200
    assert without_csrf(real.content.decode()).replace(token, "T") == without_csrf(
        invented.content.decode()
    ).replace(invented.wsgi_request.path.split("/")[2], "T")
    measured("code page", real)


def test_the_whole_way_without_javascript(phone, send, draft, required_materials, world):
    token = send()
    base = reverse("online:open", args=[token])
    sent = phone.post(base + "code/send/")
    private(sent)
    assert "is on its way" in sent.content.decode()
    code = code_in(last_text("one-time-code"))
    assert phone.post(base + "code/", {"code": "000000"}).status_code == 400
    opened = phone.post(base + "code/", {"code": code})
    assert opened.status_code == 302 and opened["Location"] == base
    page = phone.get(base)
    private(page)
    html = measured("main page", page)
    assert (
        'capture="environment"' in html
        and 'accept="image/*,application/pdf"' in html
        and "data-phone-photo" in html
    )
    assert f'href="tel:{world.assistant_a1.mobile}"' in html
    # the consent text, read before signing: in the county's language, as it is stored and printed
    assert "本人委托" in html and "assistant_a1" in html

    first, second = required_materials[0], required_materials[1]
    done = phone.post(f"{base}files/{first.pk}/", {"file": photo_upload("身份证.jpg")})
    assert done.status_code == 302
    bad = phone.post(
        f"{base}files/{second.pk}/",
        {"file": SimpleUploadedFile("户口簿.pdf", b"MZ\x90\x00" + b"\0" * 300, "application/pdf")},
    )
    assert bad.status_code == 400
    measured("main page with a refusal", bad)
    html = bad.content.decode()
    assert "身份证.jpg" in html  # the file before is still there …
    assert html.count('class="errorlist"') == 1  # … and the refusal is next to its material only
    assert draft.files.filter(origin=ApplicationFile.Origin.VILLAGER_PHONE).count() == 1

    phone.post(base + "sign/code/")
    sign_code = code_in(last_text("one-time-code"))
    signed = phone.post(base + "sign/", {"name": "张小明", "method": "typed", "code": sign_code})
    assert signed.status_code == 302
    assert Consent.objects.get().method == "typed"
    html = measured("main page signed", phone.get(base))
    assert "Signed by 张小明" in html
    finished = phone.post(base + "done/")
    assert "will check what you sent" in finished.content.decode()
    assert RemoteLink.objects.get().finished_at is not None


def test_a_file_larger_than_the_limit_is_refused_with_a_message(
    phone, send, draft, required_materials, settings
):
    settings.CUNBAN_UPLOAD_MAX_BYTES = 50_000
    token = send()
    p = Phone(token)  # the phone client's own session opens it below
    base = reverse("online:open", args=[token])
    phone.post(base + "code/send/")
    phone.post(base + "code/", {"code": code_in(last_text("one-time-code"))})
    big = SimpleUploadedFile("scan.pdf", b"%PDF-1.7\n" + b"0" * 120_000, "application/pdf")
    response = phone.post(f"{base}files/{required_materials[0].pk}/", {"file": big})
    assert response.status_code == 400
    assert "scan.pdf" in response.content.decode() and "500" not in str(response.status_code)
    assert not draft.files.exists()
    assert p.token == token


def test_a_second_phone_is_told_to_ask_for_a_new_link(send):
    token = send()
    base = reverse("online:open", args=[token])
    for address, expect in (("203.0.113.31", 302), ("203.0.113.32", 200)):
        client = Client(REMOTE_ADDR=address)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        client.post(base + "code/send/")
        response = client.post(base + "code/", {"code": code_in(last_text("one-time-code"))})
        assert response.status_code == expect
    assert "another phone or browser" in response.content.decode()


def test_the_clerks_page_shows_what_came_from_the_phone(send, draft, required_materials, world):
    from approvals import services as approvals_services

    phone = Phone(send())
    phone.open()
    for material in required_materials:
        phone.upload(material)
    phone.sign()
    approvals_services.application_submit(actor=world.assistant_a1, application=draft)
    clerk = Client()
    clerk.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    clerk.force_login(world.clerk_a)
    html = clerk.get(reverse("approvals:detail", args=[draft.pk])).content.decode()
    assert html.count("From the villager's own phone") == len(required_materials) + 1
    # the consent's line in the history is written once, in the county's language
    assert "the villager, on their own phone" in html and "张小明（" in html and "SHA-256" in html


def test_the_phone_shows_and_saves_only_the_asked_answers(phone, world, residents, items):
    from approvals import services as approvals_services
    from online import services as online_services
    from tests.item_forms import give_form

    give_form(items["dibao"])
    application = approvals_services.draft_start(
        actor=world.assistant_a1, item=items["dibao"], village=world.village_a1
    )
    approvals_services.draft_update(
        actor=world.assistant_a1, application=application, resident=residents["a1"]
    )
    approvals_services.item_data_save(
        actor=world.assistant_a1,
        application=application,
        raw={
            "bank.bank": "天津农商银行宝坻支行",
            "bank.account": "6217000011112222333",
            "bank.holder": "张小明",
        },
    )
    sent = online_services.remote_link_send(
        actor=world.assistant_a1, application=application, fields=["reason", "household"], consent=False
    )
    token = sent.url.rstrip("/").rsplit("/", 1)[1]
    base = reverse("online:open", args=[token])
    phone.post(base + "code/send/")
    phone.post(base + "code/", {"code": code_in(last_text("one-time-code"))})
    html = measured("main page with answers", phone.get(base))
    assert 'name="d-reason"' in html and 'name="d-household.0.member.name"' in html
    assert "6217000011112222333" not in html and "d-bank" not in html  # nothing not asked for is shown
    refused = phone.post(base + "answers/", {"d-reason": "不知道"})
    assert refused.status_code == 400 and "不知道" in refused.content.decode()
    saved = phone.post(base + "answers/", {"d-reason": "因残", "d-bank.account": "1"})
    assert saved.status_code == 302
    application.refresh_from_db()
    assert application.item_data["reason"] == "因残"
    assert application.item_data["bank"]["account"] != "1"


def test_the_phone_never_shows_a_household_members_full_id_number(phone, world, residents, items):
    """The link may reach a phone that is not the villager's: a member's ID number the assistant
    typed shows masked there, and answers sent back with it as shown keep the full number."""
    from approvals import item_data
    from approvals import services as approvals_services
    from online import services as online_services
    from tests.item_forms import give_form

    give_form(items["dibao"])
    application = approvals_services.draft_start(
        actor=world.assistant_a1, item=items["dibao"], village=world.village_a1
    )
    approvals_services.draft_update(
        actor=world.assistant_a1, application=application, resident=residents["a1"]
    )
    member = "11010519491231002X"
    typed = approvals_services.item_data_save(
        actor=world.assistant_a1,
        application=application,
        raw={
            "household.0.member.name": "张老汉",
            "household.0.member.id_number": member,
            "household.0.member.relation": "父母",
        },
    )
    assert not typed.errors
    application.refresh_from_db()
    assert item_data.full_data(application)["household"][0]["member"]["id_number"] == member
    sent = online_services.remote_link_send(
        actor=world.assistant_a1, application=application, fields=["household"], consent=False
    )
    token = sent.url.rstrip("/").rsplit("/", 1)[1]
    base = reverse("online:open", args=[token])
    phone.post(base + "code/send/")
    phone.post(base + "code/", {"code": code_in(last_text("one-time-code"))})
    html = phone.get(base).content.decode()
    assert member not in html and member[:14] not in html
    shown = re.search(r'name="d-household\.0\.member\.id_number"[^>]*value="([^"]*)"', html) or re.search(
        r'value="([^"]*)"[^>]*name="d-household\.0\.member\.id_number"', html
    )
    assert shown is not None and "*" in shown.group(1)
    saved = phone.post(
        base + "answers/",
        {
            "d-household.0.member.name": "张老汉",
            "d-household.0.member.id_number": shown.group(1),
            "d-household.0.member.relation": "祖父母",
        },
    )
    assert saved.status_code == 302
    application.refresh_from_db()
    kept = item_data.full_data(application)["household"][0]["member"]
    assert kept["id_number"] == member and kept["relation"] == "祖父母"

"""The public ledger pages: the wish form (rate-limited, keeps what was typed, never a 500), the
villager's lookup and answer, and the promise lists on screen and on A4 (masked names, red and
black, overdue marked in words, query count independent of the number of rows)."""

import re
import uuid

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ledger import public, services
from ledger.models import LedgerItem
from ledger.states import State
from portal.outbox.models import OutboxMessage
from portal.people.identity import mask_name
from portal.throttle.limits import Scope
from portal.throttle.models import Attempt
from tests.certificates.conftest import pdf_pages, pdf_text, qr_codes
from tests.ledger.conftest import VILLAGER_MOBILE, bulk_items, png_upload

pytestmark = pytest.mark.django_db

WISH = reverse("promises:wish_form")
TRACK = reverse("promises:track")


@pytest.fixture
def villager(client):
    """A browser in English (the msgids), so the assertions read the page's own words."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def wish_data(world, **changes) -> dict:
    data = {
        "client_token": str(uuid.uuid4()),
        "name": "赵玉兰",
        "mobile": "138 1234 5678",
        "village": world.village_a2.pk,
        "kind": "wish",
        "need": "孙子上学缺一个书包",
    }
    return {**data, **changes}


def body(response) -> str:
    return response.content.decode()


def list_url(region) -> str:
    return reverse("promises:list", args=[region.code])


# -- the wish form --------------------------------------------------------------------------------


class TestWishForm:
    def test_it_is_private_and_offers_the_villages(self, villager, world):
        response = villager.get(WISH + f"?township={world.township_a.code}&village={world.village_a2.code}")
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
        html = body(response)
        assert "csrfmiddlewaretoken" in html
        assert world.village_a1.name in html
        assert f'value="{world.village_a2.pk}" selected' in html
        assert world.village_b1.name not in html  # narrowed to township A

    def test_a_wish_gets_a_number_on_screen_and_by_text(self, villager, world):
        response = villager.post(WISH, wish_data(world))
        item = LedgerItem.objects.get()
        assert response.status_code == 302 and response["Location"] == reverse(
            "promises:item", args=[item.number]
        )
        page = villager.get(response["Location"])
        assert page.status_code == 200 and item.number in body(page)
        assert "孙子上学缺一个书包" in body(page)
        assert item.registered_by is None and item.villager_mobile == VILLAGER_MOBILE
        assert OutboxMessage.objects.filter(to_mobile=VILLAGER_MOBILE, body__contains=item.number).exists()

    def test_a_double_click_registers_one(self, villager, world):
        data = wish_data(world)
        villager.post(WISH, data)
        villager.post(WISH, data)
        assert LedgerItem.objects.count() == 1

    def test_it_keeps_what_was_typed_and_says_the_photo_must_be_chosen_again(self, villager, world):
        data = wish_data(world, mobile="1381234", photo=png_upload("书包.png"))
        response = villager.post(WISH, data)
        assert response.status_code == 400
        html = body(response)
        assert "A mobile number has 11 digits" in html
        assert 'value="赵玉兰"' in html and "孙子上学缺一个书包" in html and 'value="1381234"' in html
        assert "choose it again" in html
        assert not LedgerItem.objects.exists()

    def test_a_photo_goes_with_the_wish_and_stays_private(self, villager, world):
        villager.post(WISH, wish_data(world, photo=png_upload("书包.png")))
        item = LedgerItem.objects.get()
        assert item.photos.count() == 1
        page = body(villager.get(reverse("promises:item", args=[item.number])))
        listing = body(villager.get(list_url(world.village_a2)))
        for html in (page, listing):
            assert "/photos/" not in html and "<img" not in html

    @pytest.mark.parametrize(
        "changes",
        [
            {"village": "abc"},
            {"village": "999999"},
            {"village": ""},
            {"kind": "lottery"},
            {"name": ""},
            {"name": "张" * 80},
            {"need": ""},
            {"need": "x" * 5000},
            {"mobile": "一三八"},
        ],
    )
    def test_bad_input_gets_a_clear_message_never_a_500(self, villager, world, changes):
        response = villager.post(WISH, wish_data(world, **changes))
        assert response.status_code == 400
        assert 'role="alert"' in body(response)
        assert not LedgerItem.objects.exists()

    @pytest.mark.parametrize("token", ["not-a-uuid", "", "x" * 500])
    def test_a_mangled_form_token_does_not_stop_a_villager(self, villager, world, token):
        assert villager.post(WISH, wish_data(world, client_token=token)).status_code == 302
        assert LedgerItem.objects.count() == 1

    def test_a_file_that_is_not_a_photo_is_refused_in_words(self, villager, world):
        from django.core.files.uploadedfile import SimpleUploadedFile

        fake = SimpleUploadedFile("photo.jpg", b"MZ\x90\x00 not a picture", content_type="image/jpeg")
        response = villager.post(WISH, wish_data(world, photo=fake))
        assert response.status_code == 400 and "not a PDF, JPEG or PNG" in body(response)

    def test_garbage_in_the_address_bar_shows_the_form(self, villager):
        response = villager.get(WISH + "?village=%00abc&township=x")
        assert response.status_code == 200

    def test_an_address_is_limited_per_day_with_a_clear_message(self, villager, world, settings):
        settings.CUNBAN_LEDGER_SUBMISSIONS_PER_DAY = 2
        for _ in range(2):
            assert villager.post(WISH, wish_data(world)).status_code == 302
        response = villager.post(WISH, wish_data(world, name="王秀英"))
        assert response.status_code == 429
        html = body(response)
        assert "Try again tomorrow" in html and 'value="王秀英"' in html
        assert LedgerItem.objects.count() == 2
        other = villager.post(WISH, wish_data(world), REMOTE_ADDR="192.0.2.200")
        assert other.status_code == 302  # REMOTE_ADDR decides, nothing else
        forged = villager.post(WISH, wish_data(world), HTTP_X_FORWARDED_FOR="192.0.2.201")
        assert forged.status_code == 429


# -- the villager's lookup and answer --------------------------------------------------------------


class TestVillagerPage:
    def test_without_the_proof_the_page_sends_to_the_lookup(self, villager, ledger):
        item = ledger.done("a1")
        response = villager.get(reverse("promises:item", args=[item.number]))
        assert response.status_code == 302 and response["Location"].startswith(TRACK)
        answer = villager.post(reverse("promises:answer", args=[item.number]), {"answer": "done"})
        assert answer.status_code == 302 and answer["Location"].startswith(TRACK)
        item.refresh_from_db()
        assert item.state == State.DONE

    def test_the_number_and_the_mobiles_last_4_open_it(self, villager, ledger):
        item = ledger.done("a1")
        response = villager.post(TRACK, {"number": item.number.lower().replace("-", " "), "last4": "5678"})
        assert response.status_code == 302 and response["Location"] == reverse(
            "promises:item", args=[item.number]
        )
        html = body(villager.get(response["Location"]))
        assert mask_name(item.villager_name) in html and item.villager_name not in html
        assert VILLAGER_MOBILE not in html
        assert "clerk_a" not in html and "supervisor_a" not in html  # offices and roles, never staff
        assert "Yes, it is done" in html

    def test_digits_only_find_it_too(self, villager, ledger):
        item = ledger.registered("a1")
        digits = re.sub(r"\D", "", item.number)
        response = villager.post(TRACK, {"number": digits, "last4": "5678"})
        assert response.status_code == 302

    def test_wrong_digits_are_refused_and_counted(self, villager, ledger):
        item = ledger.done("a1")
        for _ in range(public.FAILURES_PER_DAY):
            response = villager.post(TRACK, {"number": item.number, "last4": "0000"})
            assert response.status_code == 400 and "No request matches" in body(response)
        response = villager.post(TRACK, {"number": item.number, "last4": "5678"})
        assert "Too many wrong tries" in body(response)
        assert (
            Attempt.objects.filter(scope=Scope.LEDGER_LOOKUP, outcome="failed").count()
            == public.FAILURES_PER_DAY
        )

    @pytest.mark.parametrize(
        "data", [{"number": "", "last4": ""}, {"number": "W1", "last4": "12x4"}, {"last4": "1234"}]
    )
    def test_bad_lookups_are_a_message(self, villager, data):
        response = villager.post(TRACK, data)
        assert response.status_code == 400

    def test_the_villager_confirms_and_it_turns_red(self, villager, ledger, world):
        item = ledger.done("a1")
        villager.post(TRACK, {"number": item.number, "last4": "5678"})
        response = villager.post(reverse("promises:answer", args=[item.number]), {"answer": "done"})
        assert response.status_code == 302
        item.refresh_from_db()
        assert item.state == State.CLOSED and item.closed_via == "online"
        html = body(villager.get(list_url(world.village_a1)))
        assert re.search(r'<li class="promise-closed">\s*<strong class="promise-state">Closed', html)

    def test_not_done_needs_words_and_reopens(self, villager, ledger):
        item = ledger.done("a1")
        villager.post(TRACK, {"number": item.number, "last4": "5678"})
        url = reverse("promises:answer", args=[item.number])
        response = villager.post(url, {"answer": "not_done", "comment": ""})
        assert response.status_code == 400 and "what is still not done" in body(response)
        response = villager.post(url, {"answer": "not_done", "comment": "灯还是不亮"})
        assert response.status_code == 302
        item.refresh_from_db()
        assert item.state == State.IN_PROGRESS and item.reopened_count == 1

    def test_answering_twice_is_a_message(self, villager, ledger):
        item = ledger.done("a1")
        villager.post(TRACK, {"number": item.number, "last4": "5678"})
        url = reverse("promises:answer", args=[item.number])
        villager.post(url, {"answer": "done"})
        response = villager.post(url, {"answer": "done"})
        assert response.status_code == 400 and "not possible now" in body(response)
        response = villager.post(url, {"answer": "maybe"})
        assert response.status_code == 400


# -- the promise lists ----------------------------------------------------------------------------


class TestPromiseList:
    def test_red_black_and_overdue_in_words(self, villager, ledger, world):
        ledger.closed("a1", name="王建华")
        ledger.overdue("a1", name="刘秀英")
        ledger.done("a1", name="孙德福")
        ledger.in_progress("a1", name="陈志强")
        ledger.registered("a1", name="周桂芝")  # not taken on: no promise to list
        ledger.cancelled("a1", name="赵玉兰")
        html = body(villager.get(list_url(world.village_a1)))
        rows = re.findall(
            r'<li class="(promise-[^"]+)">\s*<strong class="promise-state">([^<]+)</strong>', html
        )
        assert rows == [
            ("promise-open promise-overdue", "Overdue (逾期)"),
            ("promise-open", "Done, waiting for the villager's confirmation (待确认)"),
            ("promise-open", "In progress (办理中)"),
            ("promise-closed", "Closed (已销号)"),
        ]  # overdue first, then the open ones by promised date, then the closed
        assert "4 promises: 1 closed, 3 open, of which 1 overdue." in html
        assert "1 request is waiting to be taken on." in html
        assert mask_name("周桂芝") not in html and mask_name("赵玉兰") not in html

    def test_it_masks_names_and_shows_no_mobile_number_or_own_words(self, villager, ledger, world):
        items = [
            ledger.closed("a1", name="王建华"),
            ledger.done("a1", name="刘秀英", need="家里的羊卖不出去"),
        ]
        volunteer = ledger.to_volunteer("a1", name="孙德福", helper_name="李志愿")
        html = body(villager.get(list_url(world.village_a1)))
        township = body(villager.get(list_url(world.township_a)))
        for page in (html, township):
            for item in [*items, volunteer]:
                assert item.villager_name not in page
                assert mask_name(item.villager_name) in page
                assert item.villager_mobile not in page and item.number not in page
            assert "家里的羊卖不出去" not in page
            assert "李志愿" not in page and "李*愿" in page  # a private volunteer, masked
            assert "clerk_a" not in page and "13900000003" not in page  # no staff name or phone
            assert world.centre_a.name in page  # the office that promised

    def test_an_organisation_and_an_assistant_are_named_by_role(self, villager, ledger, world):
        from ledger.models import Helper

        ledger.to_volunteer("a1", helper=Helper.ORGANISATION, helper_name="宝坻区青年志愿者协会")
        ledger.in_progress("a1", to=world.assistant_a1)
        html = body(villager.get(list_url(world.village_a1)))
        assert "宝坻区青年志愿者协会" in html
        assert f"{world.station_a1.short_name} village assistant (村级事务助理)" in html
        assert "assistant_a1" not in html and world.assistant_a1.mobile not in html

    def test_the_township_page_links_its_villages_and_back(self, villager, world, ledger):
        ledger.in_progress("b1")
        township = body(villager.get(list_url(world.township_a)))
        assert (
            f'href="{list_url(world.village_a1)}"' in township
            and f'href="{list_url(world.village_a2)}"' in township
        )
        assert f'href="{reverse("promises:print", args=[world.township_a.code])}"' in township
        assert mask_name("张小明") not in township  # B1's promise is not township A's
        village = body(villager.get(list_url(world.village_a1)))
        assert f'href="{list_url(world.township_a)}"' in village
        index = body(villager.get(reverse("promises:index")))
        assert (
            f'href="{list_url(world.township_a)}"' in index
            and f'href="{list_url(world.township_b)}"' in index
        )

    def test_shared_caches_may_keep_it_a_minute_browsers_ask_again(self, villager, world):
        response = villager.get(list_url(world.village_a1))
        assert sorted(response["Cache-Control"].split(", ")) == ["max-age=0", "public", "s-maxage=60"]
        assert "Cookie" in response["Vary"]
        assert "csrfmiddlewaretoken" not in body(response) and not response.cookies

    @pytest.mark.parametrize(
        "code", ["120115000000", "000000000000", "abc", "1201151212080", "120115121208x"]
    )
    def test_unknown_or_wrong_places_are_404(self, villager, code):
        assert villager.get(reverse("promises:list", args=[code])).status_code == 404
        assert villager.get(reverse("promises:print", args=[code])).status_code == 404

    def test_bad_query_strings_are_ignored(self, villager, world):
        for query in ("?page=x", "?page=999", "?show=<script>", "?page=-1"):
            assert villager.get(list_url(world.village_a1) + query).status_code == 200

    def test_filters(self, villager, world):
        bulk_items(world, 9)
        closed = body(villager.get(list_url(world.village_a1) + "?show=closed"))
        assert closed.count('<li class="promise-closed"') == 3 and '<li class="promise-open' not in closed
        overdue = body(villager.get(list_url(world.village_a1) + "?show=overdue"))
        assert overdue.count("promise-overdue") == 2  # of the 9: in progress are 1, 4, 7; 1 and 7 overdue

    @pytest.mark.parametrize("region", ["village_a1", "township_a"])
    def test_the_query_count_does_not_grow_with_the_rows(
        self, villager, world, region, django_assert_max_num_queries
    ):
        url = list_url(getattr(world, region))
        bulk_items(world, 10)
        villager.get(url)  # warm the language and the site's caches
        with CaptureQueriesContext(connection) as few:
            assert villager.get(url).status_code == 200
        bulk_items(world, 190, start=5000)
        with django_assert_max_num_queries(5), CaptureQueriesContext(connection) as many:
            response = villager.get(url)
        assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
        assert body(response).count('<li class="promise-') == 50  # one page
        assert "Page 1 of 4" in body(response)


# -- the A4 page ----------------------------------------------------------------------------------


class TestPrint:
    def test_one_a4_page_with_masked_names_and_a_qr_to_the_live_list(self, villager, ledger, world):
        from portal.web.site import site_url

        closed = ledger.closed("a1", name="王建华")
        open_item = ledger.overdue("a1", name="刘秀英")
        response = villager.get(reverse("promises:print", args=[world.village_a1.code]))
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        assert response["Cache-Control"] == "public, max-age=0, s-maxage=60"
        text = pdf_text(response.content)
        assert pdf_pages(response.content) == 1
        for item in (closed, open_item):
            assert mask_name(item.villager_name) in text and item.villager_name not in text
            assert item.villager_mobile not in text and item.number not in text
        assert "三天内修好路灯" in text
        assert timezone.localdate().isoformat() in text or str(timezone.localdate().year) in text
        assert qr_codes(response.content) == [site_url(list_url(world.village_a1))]

    def test_many_promises_still_make_one_page_saying_how_many_more(self, villager, world):
        bulk_items(world, 200)
        response = villager.get(reverse("promises:print", args=[world.township_a.code]))
        assert pdf_pages(response.content) == 1
        text = pdf_text(response.content)
        match = re.search(r"另有(\d+)项承诺见实时公示", text)  # the paper is in the notice board's language
        assert match and 100 < int(match.group(1)) < 200
        assert world.village_a1.name in text  # the township's page has a village column

    def test_an_empty_list_prints_too(self, villager, world):
        response = villager.get(reverse("promises:print", args=[world.village_b1.code]))
        assert pdf_pages(response.content) == 1 and "还没有承诺事项。" in pdf_text(response.content)


def red_pixels(data: bytes) -> int:
    """Pixels of the seal red on the page rendered at 100 dpi (what a person sees)."""
    import subprocess
    import tempfile
    from pathlib import Path

    from PIL import Image

    pdf_pages(data)  # skips when poppler is missing
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "list.pdf").write_bytes(data)
        subprocess.run(["pdftoppm", "-r", "100", "-png", f"{folder}/list.pdf", f"{folder}/page"], check=True)
        pixels = Image.open(next(Path(folder).glob("page*.png"))).convert("RGB").tobytes()
    return sum(
        1 for i in range(0, len(pixels), 3) if pixels[i] > 150 and pixels[i + 1] < 90 and pixels[i + 2] < 90
    )


def test_closed_promises_print_red_and_open_ones_black(villager, ledger, world):
    ledger.in_progress("a1", name="刘秀英")
    url = reverse("promises:print", args=[world.village_a1.code])
    assert red_pixels(villager.get(url).content) == 0
    ledger.closed("a1", name="王建华")
    assert red_pixels(villager.get(url).content) > 20


def test_the_live_list_updates_at_once(villager, ledger, world):
    """A villager's confirmation shows on the next look, cache or not (60 s at most elsewhere)."""
    item = ledger.done("a1")
    assert '<li class="promise-closed"' not in body(villager.get(list_url(world.village_a1)))
    services.ledger_item_villager_answer(item=item, done=True)
    assert '<li class="promise-closed"' in body(villager.get(list_url(world.village_a1)))

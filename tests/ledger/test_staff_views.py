"""The staff ledger pages: the list (filters, paging, no query per row), the register form (keeps
what was typed), an item's page and its step pages, photos, the CSV and the staff desk's link."""

import datetime
import uuid

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ledger.models import LedgerItem, LedgerPhoto
from ledger.states import Act, State
from tests.ledger.conftest import VILLAGER_MOBILE, bulk_items, png_upload

pytestmark = pytest.mark.django_db

LIST = reverse("ledger:list")


@pytest.fixture
def staff(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    def log_in(user):
        client.force_login(user)
        return client

    return log_in


def body(response) -> str:
    return response.content.decode()


class TestList:
    def test_open_items_by_default_closed_on_request(self, staff, ledger, world):
        registered, closed = ledger.registered("a1"), ledger.closed("a1", name="王建华")
        client = staff(world.clerk_a)
        html = body(client.get(LIST))
        assert registered.number in html and closed.number not in html
        html = body(client.get(LIST + "?state=closed"))
        assert closed.number in html and registered.number not in html

    def test_filters_for_overdue_village_and_mine(self, staff, ledger, world):
        overdue = ledger.overdue("a1")
        on_time = ledger.in_progress("a1", to=world.assistant_a1)
        elsewhere = ledger.registered("a2")
        client = staff(world.supervisor_a)
        html = body(client.get(LIST + "?overdue=on"))
        assert overdue.number in html and on_time.number not in html and "Overdue (逾期)" in html
        html = body(client.get(LIST + f"?village={world.village_a2.pk}"))
        assert elsewhere.number in html and overdue.number not in html
        html = body(staff(world.clerk_a).get(LIST + "?mine=on"))
        assert overdue.number in html and on_time.number not in html

    @pytest.mark.parametrize(
        "query", ["?state=nonsense", "?village=abc", "?village=999999", "?page=x", "?q=%00"]
    )
    def test_bad_filters_are_ignored(self, staff, world, query):
        assert staff(world.clerk_a).get(LIST + query).status_code == 200

    def test_no_query_per_row(self, staff, world, django_assert_max_num_queries):
        client = staff(world.supervisor_a)
        bulk_items(world, 10)
        client.get(LIST + "?state=all")
        with CaptureQueriesContext(connection) as few:
            client.get(LIST + "?state=all")
        bulk_items(world, 190, start=5000)
        with django_assert_max_num_queries(12), CaptureQueriesContext(connection) as many:
            response = client.get(LIST + "?state=all")
        assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
        assert body(response).count('<li><a href="/work/ledger/') == 50


class TestRegister:
    def data(self, world, **changes):
        return {
            "client_token": str(uuid.uuid4()),
            "name": "张小明",
            "mobile": VILLAGER_MOBILE,
            "village": world.village_a1.pk,
            "kind": "need",
            "need": "村东头的路灯坏了",
            **changes,
        }

    def test_the_assistant_registers_and_lands_on_the_item(self, staff, world):
        client = staff(world.assistant_a1)
        assert 'name="client_token"' in body(client.get(reverse("ledger:register")))
        response = client.post(reverse("ledger:register"), self.data(world, photo=png_upload()))
        item = LedgerItem.objects.get()
        assert response.status_code == 302 and response["Location"] == reverse(
            "ledger:detail", args=[item.pk]
        )
        assert item.registered_by == world.assistant_a1 and item.photos.count() == 1

    def test_it_keeps_what_was_typed(self, staff, world):
        client = staff(world.assistant_a1)
        response = client.post(
            reverse("ledger:register"), self.data(world, mobile="2345", photo=png_upload())
        )
        assert response.status_code == 400
        html = body(response)
        assert 'value="张小明"' in html and "村东头的路灯坏了" in html and "choose it again" in html
        assert not LedgerItem.objects.exists()


class TestItemPage:
    def test_history_actions_and_photos(self, staff, ledger, world):
        item = ledger.in_progress("a1")
        client = staff(world.clerk_a)
        response = client.post(
            reverse("ledger:act", args=[item.pk, Act.NOTE]),
            {"version": item.version, "comment": "已买好灯泡", "photo": png_upload("灯泡.png")},
        )
        assert response.status_code == 302
        photo = LedgerPhoto.objects.get(item=item)
        html = body(client.get(reverse("ledger:detail", args=[item.pk])))
        assert "已买好灯泡" in html and reverse("ledger:photo", args=[item.pk, photo.pk]) in html
        assert f'href="{reverse("ledger:act", args=[item.pk, Act.MARK_DONE])}"' in html
        assert f'href="{reverse("ledger:act", args=[item.pk, Act.ASSIGN])}"' not in html  # the supervisor's
        assert "On the public list:" in html and world.centre_a.name in html
        downloaded = client.get(reverse("ledger:photo", args=[item.pk, photo.pk]))
        assert downloaded.status_code == 200 and downloaded["Content-Type"] == "image/png"
        # the photo under another item's number is not found
        assert client.get(reverse("ledger:photo", args=[item.pk + 1, photo.pk])).status_code == 404

    def test_the_assign_form_offers_the_townships_staff_only(self, staff, ledger, world):
        item = ledger.registered("a1")
        html = body(staff(world.supervisor_a).get(reverse("ledger:act", args=[item.pk, Act.ASSIGN])))
        assert f'value="{world.clerk_a.pk}"' in html and f'value="{world.assistant_a1.pk}"' in html
        assert f'value="{world.clerk_b.pk}"' not in html and f'value="{world.assistant_b1.pk}"' not in html

    def test_a_step_form_keeps_what_was_typed_on_a_refusal(self, staff, ledger, world):
        item = ledger.registered("a1")
        yesterday = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
        response = staff(world.supervisor_a).post(
            reverse("ledger:act", args=[item.pk, Act.ASSIGN]),
            {
                "version": item.version,
                "to": world.clerk_a.pk,
                "helper": "staff",
                "promise": "修好路灯",
                "promised_on": yesterday,
            },
        )
        assert response.status_code == 400
        html = body(response)
        assert "cannot be in the past" in html and "修好路灯" in html and yesterday in html
        item.refresh_from_db()
        assert item.state == State.REGISTERED

    def test_a_volunteer_needs_a_name(self, staff, ledger, world):
        item = ledger.registered("a1")
        response = staff(world.supervisor_a).post(
            reverse("ledger:act", args=[item.pk, Act.ASSIGN]),
            {
                "version": item.version,
                "helper": "volunteer",
                "promise": "帮卖羊",
                "promised_on": timezone.localdate().isoformat(),
            },
        )
        assert response.status_code == 400 and "Name the volunteer" in body(response)

    def test_a_stale_form_is_refused(self, staff, ledger, world):
        item = ledger.in_progress("a1")
        response = staff(world.clerk_a).post(
            reverse("ledger:act", args=[item.pk, Act.MARK_DONE]), {"version": item.version - 1}
        )
        assert response.status_code == 400 and "has changed since you opened it" in body(response)

    @pytest.mark.parametrize("act", ["register", "confirm", "not_done", "nonsense"])
    def test_acts_without_a_staff_page_are_404(self, staff, ledger, world, act):
        item = ledger.done("a1")
        assert staff(world.assistant_a1).get(reverse("ledger:act", args=[item.pk, act])).status_code == 404

    def test_garbage_in_a_step_form_is_a_message(self, staff, ledger, world):
        item = ledger.registered("a1")
        url = reverse("ledger:act", args=[item.pk, Act.CLAIM])
        for data in (
            {},
            {"version": "x"},
            {"version": item.version, "promised_on": "tomorrow", "helper": "cat"},
        ):
            response = staff(world.clerk_a).post(url, data)
            assert response.status_code == 400 and 'role="alert"' in body(response)


class TestExport:
    def test_csv_with_masked_names_and_no_mobiles(self, staff, ledger, world):
        item = ledger.overdue("a1", name="王建华")
        response = staff(world.supervisor_a).get(reverse("ledger:export"))
        text = b"".join(response.streaming_content).decode()
        assert response["Content-Type"].startswith("text/csv")
        assert item.number in text and "王*华" in text and "王建华" not in text
        assert VILLAGER_MOBILE not in text and "三天内修好路灯" in text


def test_the_staff_desk_links_the_ledger(staff, world):
    html = body(staff(world.assistant_a1).get(reverse("web:staff_home")))
    assert f'href="{LIST}"' in html


def test_the_back_office_inspect_page_is_scoped(staff, ledger, world):
    a_item, b_item = ledger.registered("a1"), ledger.registered("b1")
    client = staff(world.township_admin_a)
    assert client.get(reverse("ledger_admin:inspect", args=[a_item.pk])).status_code == 200
    assert client.get(reverse("ledger_admin:inspect", args=[b_item.pk])).status_code == 404
    html = body(client.get(reverse("ledger_admin:inspect", args=[a_item.pk])))
    assert "张*明" in html and "张小明" not in html and VILLAGER_MOBILE not in html

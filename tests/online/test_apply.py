"""网上申请 from the item's page: name and mobile, a texted code, the village; then a draft at
the village station and a link already open in this browser (the same pages as a link from the
assistant). Handing it back hands the draft to the station's assistants."""

import datetime
import re

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from approvals.models import Application, TrackingCode
from approvals.tracking_session import BROWSER_KEY
from online import services
from online.models import RemoteLink
from portal.outbox.models import OutboxMessage
from services_catalog.models import ServiceItemPage
from tests.approvals.conftest import items, residents  # noqa: F401
from tests.services_catalog.conftest import delegate, dibao, guide  # noqa: F401

pytestmark = pytest.mark.django_db

MOBILE = "13712345678"


@pytest.fixture
def online_item(items):  # noqa: F811
    ServiceItemPage.objects.filter(pk=items["dibao"].pk).update(online=True, online_filing=True)
    return ServiceItemPage.objects.get(pk=items["dibao"].pk)


def url(name: str, item) -> str:
    return reverse(f"apply:{name}", args=[item.item_code])


def texted_code(mobile: str = MOBILE) -> str:
    message = OutboxMessage.objects.filter(to_mobile=mobile, topic="one-time-code").latest("pk")
    return re.search(r"(?<!\d)(\d{6})(?!\d)", message.body).group(1)


def prove(client, item, *, mobile: str = MOBILE, name: str = "王秀英", **extra):
    sent = client.post(url("start", item), {"name": name, "mobile": mobile}, **extra)
    assert sent.status_code == 302 and sent.url == url("code", item), sent.content.decode()[:500]
    opened = client.post(url("code", item), {"code": texted_code(mobile)}, **extra)
    assert opened.status_code == 302 and opened.url == url("village", item)


def test_the_item_page_shows_the_button_only_for_online_filing(client, items):  # noqa: F811
    item = items["dibao"]
    assert url("start", item) not in client.get(item.url).content.decode()
    ServiceItemPage.objects.filter(pk=item.pk).update(online=True, online_filing=True)
    cache.clear()  # a change of the flags is a publication, which makes the cached page stale
    assert url("start", item) in client.get(item.url).content.decode()


def test_an_item_not_open_to_online_filing_has_no_start_page(client, items):  # noqa: F811
    assert client.get(url("start", items["dibao"])).status_code == 404
    assert client.get(reverse("apply:start", args=["120115-JF-999"])).status_code == 404


def test_the_villager_starts_and_lands_on_the_link_pages(client, online_item, world):
    prove(client, online_item)
    page = client.get(url("village", online_item))
    assert page.status_code == 200
    html = page.content.decode()
    assert world.village_a1.name in html and world.village_b1.name in html

    response = client.post(url("village", online_item), {"village": world.village_a1.pk})

    application = Application.objects.get()
    assert application.origin == Application.Origin.VILLAGER_ONLINE and application.filed_by is None
    assert (application.applicant_name, application.applicant_mobile) == ("王秀英", MOBILE)
    assert application.station == world.station_a1
    link = RemoteLink.objects.get()
    assert link.sent_by is None and link.bound_at is not None and link.mobile == MOBILE
    assert link.asks_consent and set(link.material_ids) == set(
        online_item.materials.values_list("pk", flat=True)
    )
    token = response.url.split("/m/")[1].strip("/")
    assert response.url == reverse("online:open", args=[token])
    # Bound to this browser: the villager's pages open here without a code, nowhere else.
    browser = client.session[BROWSER_KEY]
    assert services.remote_access(token=token, browser=browser) == link
    with pytest.raises(services.NotOpened):
        services.remote_access(token=token, browser="another browser's value")
    # One proof, one draft: another needs a new code.
    assert client.get(url("village", online_item)).url == url("start", online_item)


def test_handing_back_hands_it_to_the_station_s_assistants(client, online_item, world):
    prove(client, online_item)
    landed = client.post(url("village", online_item), {"village": world.village_a1.pk})
    token = landed.url.split("/m/")[1].strip("/")

    page = client.get(reverse("online:open", args=[token]))
    assert page.status_code == 200  # open in this browser: no code asked
    assert 'name="file"' in page.content.decode()  # the materials to upload, not the code page
    assert client.post(reverse("online:done", args=[token])).status_code == 200

    application = Application.objects.get()
    assert application.handed_in_at is not None and application.awaits_taking
    told = OutboxMessage.objects.filter(topic="villager-handed-in")
    assert set(told.values_list("to_user", flat=True)) == {world.assistant_a1.pk}


def test_a_wrong_code_is_refused_and_the_right_one_still_works(client, online_item):
    client.post(url("start", online_item), {"name": "王秀英", "mobile": MOBILE})
    wrong = "000000" if texted_code() != "000000" else "111111"
    assert client.post(url("code", online_item), {"code": wrong}).status_code == 400
    assert client.get(url("village", online_item)).url == url("start", online_item)
    assert client.post(url("code", online_item), {"code": texted_code()}).url == url("village", online_item)


def test_a_bad_mobile_keeps_the_name_and_says_why(client, online_item):
    response = client.post(url("start", online_item), {"name": "王秀英", "mobile": "12345"})
    assert response.status_code == 400
    assert "王秀英" in response.content.decode()
    assert not TrackingCode.objects.exists()


def test_the_proof_lasts_thirty_minutes(client, online_item):
    prove(client, online_item)
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=31)):
        assert client.get(url("village", online_item)).url == url("start", online_item)


def test_codes_are_limited_per_number_and_client(client, online_item):
    for _ in range(3):
        assert client.post(url("start", online_item), {"name": "王", "mobile": MOBILE}).status_code == 302
    refused = client.post(url("start", online_item), {"name": "王", "mobile": MOBILE})
    assert refused.status_code == 429
    other = client.post(url("start", online_item), {"name": "王", "mobile": MOBILE}, REMOTE_ADDR="10.0.4.2")
    assert other.status_code == 302


def test_a_registered_number_gets_the_same_answer_as_any_other(client, online_item, residents):  # noqa: F811
    known = client.post(url("start", online_item), {"name": "张小明", "mobile": residents["a1"].mobile})
    unknown = client.post(url("start", online_item), {"name": "张小明", "mobile": "13700000000"})
    assert (known.status_code, known.url) == (unknown.status_code, unknown.url)
    assert OutboxMessage.objects.filter(topic="one-time-code").count() == 2


def test_a_tampered_village_is_refused(client, online_item, world):
    prove(client, online_item)
    response = client.post(url("village", online_item), {"village": world.township_a.pk})
    assert response.status_code == 400
    assert not Application.objects.exists()

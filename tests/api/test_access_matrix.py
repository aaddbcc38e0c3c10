"""The access table, extended to the API: every scope a client can hold × objects inside and
outside its office's jurisdiction × the endpoints (applications' status, ratings, Open311, the
catalogue), and clients bound at three levels (a township's centre, the county, a village's
station).

The expected cells come from the hand-written tables below (from the domain brief and
docs/api.md, docs/open311.md: a client sees the submitted work filed at, routed to, sitting at
or handled by an office within its office's region, a rating where its application is, and a
hotline only its own work orders), never from the selectors under test. Every cell checks the
status, and where an object must not show, that its number is not in the answer at all.

Built once for the module (tests/sharing.py), through the services:

  applications, each decided and rated by its villager:
  a1       village A1, 低保, decided by centre A
  relief   village A1, 临时救助 (not delegated): decided by department D1, a county office
  b1       village B1, 低保, decided by centre B
  unknown  a number (and a rating id) nothing has

  ledger (民情台账) of the requests:
  staff_a1  an item village A1's assistant registered (not a hotline order)
  order_a1  a work order another hotline posted, placed in village A1
  order_b1  a work order another hotline posted, placed in village B1

  a client for each office × scope (and one with no scope), each with a key.
"""

import json

import pytest

from api.models import ApiClient
from api.open311 import sender_of
from api.scopes import Scope
from approvals import services as application_services
from ledger import hotline
from ledger.models import HotlineOrder, LedgerItem
from ratings import services as rating_services
from ratings.models import Channel, Level
from tests.api.conftest import make_client
from tests.approvals.conftest import Cases
from tests.ledger.conftest import Ledger
from tests.sharing import shareable, shared

OFFICES = ("centre_a", "ds", "station_b1")
OBJECTS = ("a1", "relief", "b1", "unknown")
SCOPES = (*Scope.values, "none")

SEES = {
    "centre_a": {"a1", "relief"},  # township A: its centre and the stations of its villages
    "ds": {"a1", "relief", "b1"},  # the county: everything submitted
    "station_b1": {"b1"},  # village B1 only
}
"""Hand-written: which applications a client bound to each office reaches."""

RATINGS_SEEN = {
    # relief was decided by D1, a county office outside township A, yet filed at station A1:
    # a rating is seen where its application is, so township A sees it too
    "centre_a": {"a1", "relief"},
    "ds": {"a1", "relief", "b1"},
    "station_b1": {"b1"},
}
"""Hand-written: whose ratings a client bound to each office reads."""

PLACED = {
    "centre_a": {"a1"},  # an order for village B1 is outside: it waits in township A
    "ds": {"a1", "b1"},
    "station_b1": {"b1"},  # an order for village A1 is outside: it waits in village B1
}
"""Hand-written: in which villages a work order posted by each client lands at once."""

LEDGER_OBJECTS = ("staff_a1", "order_a1", "order_b1")
"""Nobody's own: a hotline reads only the orders it posted itself (docs/open311.md), so
none of these shows through Open311 to any client, inside its jurisdiction or not."""


def _decided(cases, world, where: str, item: str):
    application = cases.accepted(item, where)
    clerk = world.clerk_a if where == "a1" else world.clerk_b
    if application.current_office.kind == "department":
        clerk = world.officer_d1
    return application_services.application_approve(actor=clerk, application=application)


def build_matrix(get) -> dict:
    world = get("world")
    cases = Cases(world, get("items"), get("residents"))
    numbers, ratings = {}, {}
    for obj, where, item in (("a1", "a1", "dibao"), ("relief", "a1", "relief"), ("b1", "b1", "dibao")):
        application = _decided(cases, world, where, item)
        rating = rating_services.rating_submit(
            application=application, level=Level.DISSATISFIED, channel=Channel.TRACKING
        )
        numbers[obj], ratings[obj] = application.number, rating.pk
    numbers["unknown"], ratings["unknown"] = "120115121-261122-999", max(ratings.values()) + 1000

    other, _key = make_client(world.ds, name="another hotline", scopes=[Scope.REQUESTS_WRITE])
    ledger = {"staff_a1": Ledger(world).registered("a1")}
    for obj, village in (("order_a1", world.village_a1), ("order_b1", world.village_b1)):
        order, _created = hotline.ledger_item_from_hotline(
            sender=sender_of(other),
            reference=f"GD-MATRIX-{obj}",
            within=world.county,
            villager_name="王大妈",
            villager_mobile="13812345678",
            need="村口的路灯坏了三天",
            region_code=village.code,
        )
        ledger[obj] = LedgerItem.objects.get(pk=order.item_id)
    keys = {
        (office, scope): make_client(
            getattr(world, office), name=f"{office}-{scope}", scopes=[] if scope == "none" else [scope]
        )[1]
        for office in OFFICES
        for scope in SCOPES
    }
    orders = {
        obj: str(HotlineOrder.objects.get(item=item).public_id)
        for obj, item in ledger.items()
        if obj != "staff_a1"
    }
    return {
        "numbers": numbers,
        "ratings": ratings,
        "ledger": {obj: item.number for obj, item in ledger.items()},
        "orders": orders,
        "keys": keys,
    }


@pytest.fixture
def api_matrix(request, world, items, residents):
    """The module's data (above). The fixture's name is the name it is shared under: under
    another, tests/sharing.py would not know the tests use it and would build it for each."""
    return shared(request, "api_matrix")


shareable("api_matrix", api_matrix)(build_matrix)


def hidden(response, *numbers: str) -> bool:
    """None of `numbers` anywhere in the answer."""
    body = response.content.decode()
    return not any(number in body for number in numbers)


# -- applications' status ---------------------------------------------------------------------------


def expected_status(office: str, scope: str, obj: str) -> int:
    if scope != Scope.APPLICATIONS_READ_STATUS:
        return 403  # asked before anything is looked up: nothing about the number leaks
    return 200 if obj in SEES[office] else 404


@pytest.mark.parametrize("office", OFFICES)
@pytest.mark.parametrize("scope", SCOPES)
def test_status_by_key(api_matrix, call, office, scope):
    key, numbers = api_matrix["keys"][office, scope], api_matrix["numbers"]
    got = {}
    for obj in OBJECTS:
        response = call.get(f"/api/v1/applications/{numbers[obj]}/status", key)
        got[obj] = response.status_code
        if response.status_code != 200:
            assert hidden(response, numbers[obj]), (obj, response.content)
    assert got == {obj: expected_status(office, scope, obj) for obj in OBJECTS}


@pytest.mark.parametrize("obj", OBJECTS)
def test_without_a_key_only_the_last_4_digits_open_it(api_matrix, residents, call, obj):
    path = f"/api/v1/applications/{api_matrix['numbers'][obj]}/status"
    assert call.get(path).status_code == 401
    right = residents["b1" if obj == "b1" else "a1"].mobile[-4:]
    assert call.post(path, {"last4": right}).status_code == (404 if obj == "unknown" else 200)


# -- ratings ---------------------------------------------------------------------------------------


def expected_rating(office: str, scope: str, obj: str) -> int:
    if scope != Scope.RATINGS_READ:
        return 403
    return 200 if obj in RATINGS_SEEN[office] else 404


@pytest.mark.parametrize("office", OFFICES)
@pytest.mark.parametrize("scope", SCOPES)
def test_ratings_list(api_matrix, call, office, scope):
    key, numbers = api_matrix["keys"][office, scope], api_matrix["numbers"]
    response = call.get("/api/v1/ratings", key)
    if scope != Scope.RATINGS_READ:
        assert response.status_code == 403
        assert hidden(response, *numbers.values())
        return
    assert response.status_code == 200
    listed = {row["application_number"] for row in response.json()["ratings"]}
    assert listed == {numbers[obj] for obj in RATINGS_SEEN[office]}
    assert hidden(response, *(numbers[obj] for obj in OBJECTS if obj not in RATINGS_SEEN[office]))


@pytest.mark.parametrize("office", OFFICES)
@pytest.mark.parametrize("scope", SCOPES)
def test_rating_by_id(api_matrix, call, office, scope):
    key, numbers, ids = api_matrix["keys"][office, scope], api_matrix["numbers"], api_matrix["ratings"]
    got = {}
    for obj in OBJECTS:
        response = call.get(f"/api/v1/ratings/{ids[obj]}", key)
        got[obj] = response.status_code
        if response.status_code == 200:
            assert response.json()["application_number"] == numbers[obj]
        else:
            assert hidden(response, numbers[obj]), (obj, response.content)
    assert got == {obj: expected_rating(office, scope, obj) for obj in OBJECTS}


# -- Open311: the hotline's work orders --------------------------------------------------------------

REQUESTS = "/open311/v2/requests.json"


def _order(village_code: str, reference: str) -> dict:
    return {
        "service_code": "need",
        "description": "院墙被雨冲塌了一角",
        "name": "赵大爷",
        "phone": "13812345678",
        "address_id": village_code,
        "attribute": {"hotline_reference": reference},
    }


@pytest.mark.parametrize("office", OFFICES)
@pytest.mark.parametrize("scope", SCOPES)
def test_open311_reads_only_the_clients_own_orders(api_matrix, call, office, scope):
    key, ledger, orders = api_matrix["keys"][office, scope], api_matrix["ledger"], api_matrix["orders"]
    others = [*ledger.values(), *orders.values()]
    listed = call.get(REQUESTS, key)
    if scope != Scope.REQUESTS_WRITE:
        assert listed.status_code == 403 and hidden(listed, *others)
    else:
        assert listed.status_code == 200 and listed.json() == [] and hidden(listed, *others)
    for obj, public_id in orders.items():
        one = call.get(f"/open311/v2/requests/{public_id}.json", key)
        assert one.status_code == (403 if scope != Scope.REQUESTS_WRITE else 404), obj
        assert hidden(one, public_id, ledger[obj]), obj


@pytest.mark.parametrize("office", OFFICES)
@pytest.mark.parametrize("scope", SCOPES)
def test_open311_posts_land_only_inside_the_jurisdiction(world, api_matrix, call, office, scope):
    key = api_matrix["keys"][office, scope]
    before = HotlineOrder.objects.count()
    posted = {}
    for where, village in (("a1", world.village_a1), ("b1", world.village_b1)):
        response = call.post(REQUESTS, _order(village.code, f"GD-{office}-{where}"), key)
        if scope != Scope.REQUESTS_WRITE:
            assert response.status_code == 403, where
            continue
        assert response.status_code == 201, (where, response.content)
        [answer] = response.json()
        posted[where] = answer
        order = HotlineOrder.objects.select_related("item__village").get(
            public_id=answer["service_request_id"]
        )
        if where in PLACED[office]:
            assert order.item.village == village and answer["ledger_number"] == order.item.number
        else:
            assert order.item is None and answer["ledger_number"] is None
            assert not LedgerItem.objects.filter(village=village, need="院墙被雨冲塌了一角").exists()
    if scope != Scope.REQUESTS_WRITE:
        assert HotlineOrder.objects.count() == before
        return
    # what it posted, and nothing else, is what it reads back
    listed = call.get(REQUESTS, key)
    assert {row["service_request_id"] for row in listed.json()} == {
        answer["service_request_id"] for answer in posted.values()
    }
    assert hidden(listed, *api_matrix["ledger"].values(), *api_matrix["orders"].values())
    for answer in posted.values():
        one = call.get(f"/open311/v2/requests/{answer['service_request_id']}.json", key)
        assert one.status_code == 200 and one.json()[0]["hotline_reference"] == answer["hotline_reference"]


# -- the catalogue: public -------------------------------------------------------------------------

CATALOGUE = ("120115-JF-001", "120115-XK-002", "120115-JF-003")
"""The published items (tests/approvals/conftest.py): every client and nobody reads them all."""


@pytest.mark.parametrize("office", OFFICES)
@pytest.mark.parametrize("scope", SCOPES)
def test_the_catalogue_is_public_whatever_the_scope(api_matrix, call, office, scope):
    key = api_matrix["keys"][office, scope]
    for who in (key, None):
        items = call.get("/api/v1/catalogue/items", who)
        assert items.status_code == 200
        assert {row["item_code"] for row in items.json()["items"]} >= set(CATALOGUE)
        for code in CATALOGUE:
            one = call.get(f"/api/v1/catalogue/items/{code}", who)
            assert one.status_code == 200 and one.json()["item_code"] == code
        assert call.get("/api/v1/catalogue/changes", who).status_code == 200
    assert call.get("/open311/v2/services.json", key).status_code == 200
    assert call.get("/open311/v2/services.json").status_code == 200


# -- an inactive client --------------------------------------------------------------------------------


@pytest.mark.parametrize("office", OFFICES)
@pytest.mark.parametrize("scope", (Scope.APPLICATIONS_READ_STATUS, Scope.RATINGS_READ, Scope.REQUESTS_WRITE))
def test_an_inactive_client_reaches_nothing(api_matrix, call, office, scope):
    key, numbers = api_matrix["keys"][office, scope], api_matrix["numbers"]
    ApiClient.objects.filter(name=f"{office}-{scope}").update(is_active=False)
    responses = [
        *(call.get(f"/api/v1/applications/{numbers[obj]}/status", key) for obj in OBJECTS),
        call.get("/api/v1/ratings", key),
        *(call.get(f"/api/v1/ratings/{api_matrix['ratings'][obj]}", key) for obj in OBJECTS),
        call.get(REQUESTS, key),
        call.post(REQUESTS, _order("120115121208", "GD-INACTIVE-1"), key),
        call.get("/api/v1/catalogue/items", key),
    ]
    for response in responses:
        assert response.status_code == 401, response.request["PATH_INFO"]
        assert hidden(response, *numbers.values())
    assert json.loads(responses[-1].content)["code"] == "invalid_key"

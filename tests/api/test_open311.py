"""Open311 GeoReport v2 for hotline systems: services, posting a work order (idempotent on the
client's reference), reading its status, the client's jurisdiction, JSON only, Open311 errors.

The `hotline` client is bound to centre A (township A); `province` to the county."""

import pytest

from ledger import services
from ledger.models import HotlineOrder, LedgerItem, Source
from ledger.states import State
from tests.ledger.conftest import VILLAGER_MOBILE, in_days

pytestmark = pytest.mark.django_db

REQUESTS = "/open311/v2/requests.json"


def order_body(world, reference="GD-2026-0001", **overrides):
    return {
        "service_code": "need",
        "description": "村口的路灯坏了三天",
        "last_name": "王",
        "first_name": "大妈",
        "phone": VILLAGER_MOBILE,
        "address_id": world.village_a1.code,
        "address_string": "",
        "attribute": {"hotline_reference": reference},
        **overrides,
    }


def is_open311_error(response, status):
    body = response.json()
    return (
        response.status_code == status
        and isinstance(body, list)
        and body[0]["code"] == status
        and isinstance(body[0]["description"], str)
        and body[0]["description"]
    )


class TestServices:
    def test_the_ledgers_kinds_are_the_services(self, call):
        response = call.get("/open311/v2/services.json")
        assert response.status_code == 200
        assert [s["service_code"] for s in response.json()] == ["need", "wish"]

    @pytest.mark.parametrize("path", ["/open311/v2/services.xml", "/open311/v2/requests.xml"])
    def test_xml_is_a_clear_400(self, call, path, hotline):
        response = call.get(path, hotline[1])
        assert is_open311_error(response, 400) and ".json" in response.json()[0]["description"]


class TestPost:
    def test_a_work_order_lands_in_the_villages_ledger(self, world, call, hotline):
        response = call.post(REQUESTS, order_body(world), hotline[1])
        assert response.status_code == 201, response.content
        [answer] = response.json()
        order = HotlineOrder.objects.get(public_id=answer["service_request_id"])
        assert order.reference == "GD-2026-0001" and answer["ledger_number"] == order.item.number
        item = order.item
        assert item.village == world.village_a1 and item.source == Source.HOTLINE
        assert item.villager_name == "王大妈" and item.state == State.REGISTERED

    def test_form_encoded_as_open311_says(self, world, call, hotline):
        data = {k: v for k, v in order_body(world).items() if k != "attribute"}
        data["attribute[hotline_reference]"] = "GD-FORM-1"
        response = call.http.post(REQUESTS, data, headers={"Authorization": f"Bearer {hotline[1]}"})
        assert response.status_code == 201, response.content
        assert HotlineOrder.objects.get().reference == "GD-FORM-1"

    def test_a_repeated_post_returns_the_same_request(self, world, call, hotline):
        first = call.post(REQUESTS, order_body(world), hotline[1])
        again = call.post(REQUESTS, order_body(world, description="别的"), hotline[1])
        assert (first.status_code, again.status_code) == (201, 200)
        assert first.json()[0]["service_request_id"] == again.json()[0]["service_request_id"]
        assert LedgerItem.objects.count() == 1

    def test_an_address_naming_no_village_waits_in_the_township(self, world, call, hotline):
        body = order_body(world, address_id="", address_string="郝各庄镇 集市边上")
        answer = call.post(REQUESTS, body, hotline[1]).json()[0]
        order = HotlineOrder.objects.get(public_id=answer["service_request_id"])
        assert order.item is None and order.region == world.township_a
        assert answer["ledger_number"] is None

    def test_a_village_outside_the_clients_jurisdiction_is_not_reached(self, world, call, hotline):
        body = order_body(world, address_id=world.village_b1.code)
        call.post(REQUESTS, body, hotline[1])
        order = HotlineOrder.objects.get()
        assert order.item is None and order.region == world.township_a

    @pytest.mark.parametrize(
        "change",
        [
            {"service_code": "pothole"},
            {"phone": "12"},
            {"description": ""},
            {"attribute": {"hotline_reference": "工单"}},
        ],
    )
    def test_bad_input_is_an_open311_400_and_nothing_is_kept(self, world, call, hotline, change):
        response = call.post(REQUESTS, order_body(world, **change), hotline[1])
        assert is_open311_error(response, 400)
        assert not HotlineOrder.objects.exists()

    def test_no_key_no_scope(self, world, call, province, hotline):
        from api.models import ApiClient
        from api.scopes import Scope

        assert is_open311_error(call.post(REQUESTS, order_body(world)), 401)
        ApiClient.objects.filter(pk=hotline[0].pk).update(scopes=[Scope.APPLICATIONS_READ_STATUS])
        assert is_open311_error(call.post(REQUESTS, order_body(world), hotline[1]), 403)


class TestGet:
    def test_status_follows_the_promise_and_the_villagers_confirmation(self, world, call, hotline):
        answer = call.post(REQUESTS, order_body(world), hotline[1]).json()[0]
        path = f"/open311/v2/requests/{answer['service_request_id']}.json"
        [shown] = call.get(path, hotline[1]).json()
        assert shown["status"] == "open" and shown["expected_datetime"] is None
        assert (
            shown["agency_responsible"] == world.centre_a.name
            and shown["hotline_reference"] == "GD-2026-0001"
        )
        item = LedgerItem.objects.get()
        item = services.ledger_item_assign(
            actor=world.supervisor_a,
            item=item,
            to=world.clerk_a,
            promise="三天内修好",
            promised_on=in_days(3),
        )
        [shown] = call.get(path, hotline[1]).json()
        assert shown["expected_datetime"].startswith(in_days(3).isoformat())
        assert "三天内修好" in shown["status_notes"]
        item = services.ledger_item_mark_done(actor=world.clerk_a, item=item)
        [shown] = call.get(path, hotline[1]).json()
        assert shown["status"] == "open" and shown["service_notice"]
        services.ledger_item_villager_answer(item=item, done=True)
        [shown] = call.get(path, hotline[1]).json()
        assert shown["status"] == "closed"

    def test_the_list_filters_and_costs_the_same_few_queries(
        self, world, call, hotline, django_assert_max_num_queries
    ):
        for n in range(5):
            call.post(
                REQUESTS, order_body(world, f"R{n}", service_code="wish" if n % 2 else "need"), hotline[1]
            )
        item = LedgerItem.objects.order_by("pk").first()
        services.ledger_item_cancel(actor=world.supervisor_a, item=item, reason="重复登记")
        assert len(call.get(REQUESTS, hotline[1]).json()) == 5
        assert len(call.get(REQUESTS, hotline[1], service_code="wish").json()) == 2
        assert len(call.get(REQUESTS, hotline[1], status="closed").json()) == 1
        assert len(call.get(REQUESTS, hotline[1], status="open").json()) == 4
        assert call.get(REQUESTS, hotline[1], start_date="2999-01-01T00:00:00+08:00").json() == []
        with django_assert_max_num_queries(100) as five:
            call.get(REQUESTS, hotline[1])
        queries = len(five)  # read now: the next request resets the connection's log
        for n in range(5, 15):
            call.post(REQUESTS, order_body(world, f"R{n}"), hotline[1])
        with django_assert_max_num_queries(queries):
            assert len(call.get(REQUESTS, hotline[1]).json()) == 15

    @pytest.mark.parametrize("params", [{"status": "pending"}, {"start_date": "yesterday"}])
    def test_bad_filters_are_400(self, call, hotline, params):
        assert is_open311_error(call.get(REQUESTS, hotline[1], **params), 400)

    def test_another_clients_request_is_a_404_like_none(self, world, call, hotline, province):
        answer = call.post(REQUESTS, order_body(world), hotline[1]).json()[0]
        other = call.get(f"/open311/v2/requests/{answer['service_request_id']}.json", province[1])
        missing = call.get("/open311/v2/requests/00000000-0000-0000-0000-000000000000.json", province[1])
        assert is_open311_error(other, 404) and other.json() == missing.json()
        assert call.get(REQUESTS, province[1]).json() == []

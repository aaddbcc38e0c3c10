"""12345 hotline work orders into the ledger: placing by division code or address text, waiting
orders and who places them, idempotence on (sender, reference), and the status the hotline sees.

World: county 宝坻区; township A 郝各庄镇 (villages A1 西郝各庄村, A2 东郝各庄村), township B
霍各庄镇 (village B1 西霍各庄村)."""

import pytest

from ledger import hotline, selectors, services
from ledger.models import HotlineOrder, HotlinePlacing, LedgerItem, Source
from ledger.policies import hotline_orders_visible_to
from ledger.states import Act, State
from portal.errors import DomainError, NotPermitted
from portal.outbox.models import OutboxMessage
from tests.ledger.conftest import VILLAGER_MOBILE, in_days

pytestmark = pytest.mark.django_db

SENDER = "api-client:1"


def receive(world, reference="GD20261207-0001", **overrides):
    fields = {
        "sender": SENDER,
        "reference": reference,
        "within": world.county,
        "villager_name": "王大妈",
        "villager_mobile": VILLAGER_MOBILE,
        "need": "村口的路灯坏了三天",
        **overrides,
    }
    return hotline.ledger_item_from_hotline(**fields)


class TestPlacing:
    def test_a_village_code_lands_in_that_villages_ledger(self, world):
        order, created = receive(world, region_code=world.village_a1.code)
        assert created and order.placing == HotlinePlacing.REGION_CODE
        item = order.item
        assert item.village == world.village_a1 and item.office == world.centre_a
        assert item.source == Source.HOTLINE and item.registered_by is None
        assert item.state == State.REGISTERED
        event = item.events.get()
        assert event.act == Act.REGISTER and event.actor_role == "hotline"
        assert event.data["hotline_reference"] == "GD20261207-0001"
        assert OutboxMessage.objects.filter(reference=item.number, to_mobile=VILLAGER_MOBILE).exists()

    @pytest.mark.parametrize(
        ("address", "village"),
        [
            ("天津市宝坻区郝各庄镇西郝各庄村东头第三户", "village_a1"),
            ("东郝各庄村委会旁边", "village_a2"),
            ("西霍各庄 小学门口", "village_b1"),
        ],
    )
    def test_a_village_named_in_the_address(self, world, address, village):
        order, _created = receive(world, address=address)
        assert order.placing == HotlinePlacing.ADDRESS
        assert order.item.village == getattr(world, village)

    def test_only_a_township_named_waits_in_the_township(self, world):
        order, _created = receive(world, address="霍各庄镇政府对面")
        assert order.item is None and order.region == world.township_b
        assert order.placing == HotlinePlacing.WAITING
        assert not LedgerItem.objects.exists()

    def test_nothing_recognisable_waits_in_the_county(self, world):
        order, _created = receive(world, address="不知道在哪里")
        assert order.item is None and order.region == world.county

    def test_a_code_outside_the_jurisdiction_is_not_followed(self, world):
        order, _created = receive(world, within=world.township_a, region_code=world.village_b1.code)
        assert order.item is None and order.region == world.township_a

    def test_a_township_code_waits_there_unless_the_address_names_a_village(self, world):
        waiting, _ = receive(world, "R1", region_code=world.township_a.code)
        placed, _ = receive(world, "R2", region_code=world.township_a.code, address="东郝各庄")
        assert waiting.item is None and waiting.region == world.township_a
        assert placed.item.village == world.village_a2


class TestIdempotence:
    def test_a_repeated_post_returns_the_same_order(self, world):
        first, created = receive(world, region_code=world.village_a1.code)
        again, created_again = receive(world, region_code=world.village_b1.code, need="别的")
        assert created and not created_again
        assert again.pk == first.pk and again.item == first.item
        assert LedgerItem.objects.count() == 1 and HotlineOrder.objects.count() == 1

    def test_the_same_reference_from_another_sender_is_another_order(self, world):
        first, _ = receive(world, region_code=world.village_a1.code)
        other, created = receive(world, sender="api-client:2", region_code=world.village_a1.code)
        assert created and other.pk != first.pk

    @pytest.mark.parametrize("reference", ["", " ", "工单一", "a" * 65, "x y"])
    def test_a_bad_reference_is_refused_and_nothing_is_kept(self, world, reference):
        with pytest.raises(DomainError):
            receive(world, reference=reference, region_code=world.village_a1.code)
        assert not HotlineOrder.objects.exists()

    def test_a_bad_mobile_is_refused(self, world):
        with pytest.raises(DomainError):
            receive(world, villager_mobile="123", region_code=world.village_a1.code)
        assert not HotlineOrder.objects.exists()


class TestWaitingOrders:
    def test_who_sees_an_order_waiting_in_a_township(self, world):
        order, _ = receive(world, address="郝各庄镇")
        seeing = {
            name for name, user in world.people.items() if hotline_orders_visible_to(user).filter(pk=order.pk)
        }
        assert seeing == {"supervisor_a", "township_admin_a", "county_admin"}

    def test_who_sees_an_order_waiting_in_the_county(self, world):
        order, _ = receive(world, address="不知道")
        seeing = {
            name for name, user in world.people.items() if hotline_orders_visible_to(user).filter(pk=order.pk)
        }
        assert seeing == {"county_admin"}

    def test_the_supervisor_places_it_in_a_village_of_the_township(self, world):
        order, _ = receive(world, address="郝各庄镇")
        placed = hotline.hotline_order_place(actor=world.supervisor_a, order=order, village=world.village_a2)
        item = placed.item
        assert item.village == world.village_a2 and placed.placing == HotlinePlacing.BY_HAND
        event = item.events.get()
        assert event.actor == world.supervisor_a and event.actor_role == "supervisor"
        assert item.registered_by is None and item.source == Source.HOTLINE
        assert list(order.events.values_list("act", flat=True)) == ["receive", "place"]

    def test_nobody_places_outside_their_township_or_the_orders_region(self, world):
        order, _ = receive(world, address="郝各庄镇")
        with pytest.raises(NotPermitted):
            hotline.hotline_order_place(actor=world.supervisor_a, order=order, village=world.village_b1)
        with pytest.raises(NotPermitted):
            hotline.hotline_order_place(actor=world.clerk_a, order=order, village=world.village_a1)
        county_order, _ = receive(world, "R9", address="不知道")
        with pytest.raises(NotPermitted):
            hotline.hotline_order_place(
                actor=world.supervisor_a, order=county_order, village=world.village_a1
            )
        placed = hotline.hotline_order_place(
            actor=world.county_admin, order=county_order, village=world.village_b1
        )
        assert placed.item.village == world.village_b1

    def test_an_order_is_placed_once(self, world):
        order, _ = receive(world, address="郝各庄镇")
        hotline.hotline_order_place(actor=world.supervisor_a, order=order, village=world.village_a1)
        with pytest.raises(services.LedgerItemChanged):
            hotline.hotline_order_place(actor=world.county_admin, order=order, village=world.village_a2)
        assert LedgerItem.objects.count() == 1


class TestStatus:
    def test_the_hotline_follows_the_item_to_the_villagers_confirmation(self, world):
        order, _ = receive(world, region_code=world.village_a1.code)
        status = selectors.hotline_status(order)
        assert status.status == "open" and status.expected_at is None
        assert status.agency_responsible == world.centre_a.name
        item = services.ledger_item_assign(
            actor=world.supervisor_a,
            item=order.item,
            to=world.clerk_a,
            promise="三天内修好",
            promised_on=in_days(3),
        )
        order.refresh_from_db()
        status = selectors.hotline_status(order)
        assert status.status == "open" and "三天内修好" in status.status_notes
        assert status.expected_at.date() == in_days(3)
        item = services.ledger_item_mark_done(actor=world.clerk_a, item=item)
        order.refresh_from_db()
        status = selectors.hotline_status(order)
        assert status.status == "open" and status.service_notice
        services.ledger_item_villager_answer(item=item, done=True)
        listed = selectors.hotline_orders_of(SENDER, status="closed").get()
        assert selectors.hotline_status(listed).status == "closed"
        assert not selectors.hotline_orders_of(SENDER, status="open").exists()

    def test_a_waiting_order_is_open_and_names_where_it_waits(self, world):
        order, _ = receive(world, address="霍各庄镇")
        status = selectors.hotline_status(order)
        assert status.status == "open" and status.agency_responsible == world.township_b.name

    def test_the_list_costs_one_query(self, world, django_assert_max_num_queries):
        for n in range(6):
            receive(world, f"R{n}", region_code=world.village_a1.code if n % 2 else "", address="霍各庄镇")
        with django_assert_max_num_queries(1):
            statuses = [selectors.hotline_status(order) for order in selectors.hotline_orders_of(SENDER)]
        assert len(statuses) == 6


def test_the_staff_page_shows_the_hotline_reference(world, client):
    from django.urls import reverse

    order, _ = receive(world, region_code=world.village_a1.code)
    client.force_login(world.supervisor_a)
    page = client.get(reverse("ledger:detail", args=[order.item.pk])).content.decode()
    assert "GD20261207-0001" in page


class TestPlacingPages:
    @pytest.fixture(autouse=True)
    def _english(self, client):
        """The pages' words are matched in English (their default language is Chinese)."""
        from django.conf import settings as django_settings

        client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"

    def test_the_supervisor_sees_the_waiting_order_and_places_it(self, world, client):
        from django.urls import reverse

        order, _ = receive(world, address="郝各庄镇 南街")
        client.force_login(world.supervisor_a)
        assert "1 hotline order to place" in client.get(reverse("ledger:list")).content.decode()
        page = client.get(reverse("ledger:hotline_waiting")).content.decode()
        assert order.reference in page and world.village_a2.name in page
        assert world.village_b1.name not in page
        response = client.post(
            reverse("ledger:hotline_place", args=[order.pk]), {"village": world.village_a2.pk, "version": 0}
        )
        order.refresh_from_db()
        assert response.status_code == 302 and response["Location"] == reverse(
            "ledger:detail", args=[order.item_id]
        )
        assert order.item.village == world.village_a2

    @pytest.mark.parametrize("who", ["clerk_a", "assistant_a1", "supervisor_a", "outsider"])
    def test_who_may_not_place_gets_a_404_and_nothing_changes(self, world, client, who):
        from django.urls import reverse

        order, _ = receive(world, address="霍各庄镇")  # waits in township B: only county_admin
        client.force_login(getattr(world, who))
        assert order.reference not in client.get(reverse("ledger:hotline_waiting")).content.decode()
        response = client.post(
            reverse("ledger:hotline_place", args=[order.pk]), {"village": world.village_b1.pk}
        )
        assert response.status_code == 404
        order.refresh_from_db()
        assert order.item is None

    def test_a_village_outside_the_order_is_refused_with_a_message(self, world, client):
        from django.urls import reverse

        order, _ = receive(world, address="郝各庄镇")
        client.force_login(world.county_admin)
        response = client.post(
            reverse("ledger:hotline_place", args=[order.pk]), {"village": world.village_b1.pk}, follow=True
        )
        order.refresh_from_db()
        assert order.item is None and "may not place" in response.content.decode()

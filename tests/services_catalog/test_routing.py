"""One selector decides where an item is handled: delegated centre, else the holding department."""

import datetime

import pytest

from services_catalog.models import DelegationMode
from services_catalog.selectors import service_item_route

DAY = datetime.date(2026, 6, 1)


def test_not_delegated_goes_to_the_holding_department(world, dibao):
    route = service_item_route(item=dibao, township=world.township_a, on=DAY)
    assert route.office == world.d1
    assert route.delegation is None and route.mode is None


def test_delegated_goes_to_the_townships_centre_with_mode_and_record(world, dibao, delegate):
    record = delegate(dibao, [world.centre_a], mode=DelegationMode.AUTHORISATION)
    route = service_item_route(item=dibao, township=world.township_a, on=DAY)
    assert (route.office, route.mode, route.delegation) == (
        world.centre_a,
        DelegationMode.AUTHORISATION,
        record,
    )
    assert service_item_route(item=dibao, township=world.township_b, on=DAY).office == world.d1


def test_a_village_routes_through_its_township(world, dibao, delegate):
    delegate(dibao, [world.centre_a])
    assert service_item_route(item=dibao, township=world.village_a1, on=DAY).office == world.centre_a


@pytest.mark.parametrize(
    ("fields", "routes_to_centre"),
    [
        ({"valid_until": datetime.date(2026, 5, 31)}, False),  # expired the day before
        ({"valid_until": DAY}, True),  # last valid day
        ({"revoked_on": DAY}, False),  # revoked that day
        ({"revoked_on": datetime.date(2026, 6, 2)}, True),  # revoked later
        ({"valid_from": datetime.date(2026, 6, 2)}, False),  # not yet in force
        ({"valid_from": DAY}, True),  # first day
    ],
)
def test_expired_revoked_and_future_records_do_not_route(world, dibao, delegate, fields, routes_to_centre):
    delegate(dibao, [world.centre_a], **fields)
    route = service_item_route(item=dibao, township=world.township_a, on=DAY)
    assert (route.office == world.centre_a) is routes_to_centre


def test_the_newest_record_in_force_wins(world, dibao, delegate):
    delegate(
        dibao,
        [world.centre_a],
        mode=DelegationMode.ENTRUSTMENT,
        valid_from=datetime.date(2023, 1, 1),
        number="旧",
    )
    newer = delegate(
        dibao,
        [world.centre_a],
        mode=DelegationMode.AUTHORISATION,
        valid_from=datetime.date(2025, 1, 1),
        number="新",
    )
    assert service_item_route(item=dibao, township=world.township_a, on=DAY).delegation == newer


def test_routing_is_one_query_when_the_centre_is_known(world, dibao, delegate, django_assert_num_queries):
    delegate(dibao, [world.centre_a])
    with django_assert_num_queries(1):
        service_item_route(item=dibao, township=world.township_a, on=DAY, centre=world.centre_a)

"""service_item_routes: many items routed in one query, by service_item_route's rule."""

import datetime

import pytest
from django.utils import timezone

from services_catalog.models import Delegation, DelegationMode, ServiceItemPage
from services_catalog.search.routing import service_item_routes
from services_catalog.selectors import service_item_route

from .conftest import DISABILITY, HOUSING, LOW_INCOME, MEDICAL, OLD_AGE, TEMPORARY_RELIEF

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


def delegate(item, world, *, centres=None, mode=DelegationMode.ENTRUSTMENT, **dates) -> Delegation:
    delegation = Delegation.objects.create(
        item=item,
        department=item.department,
        mode=mode,
        document_number=f"宝坻政发〔2024〕{item.pk}号",
        valid_from=dates.pop("valid_from", TODAY - 30 * DAY),
        **dates,
    )
    delegation.centres.set(centres or [world.centre_a])
    return delegation


@pytest.fixture
def delegations(catalogue, world):
    items = catalogue.items
    return [
        delegate(items[LOW_INCOME], world),  # in force, township A only
        delegate(
            items[HOUSING], world, mode=DelegationMode.AUTHORISATION, centres=[world.centre_a, world.centre_b]
        ),
        delegate(items[MEDICAL], world, valid_until=TODAY - DAY),  # expired
        delegate(items[DISABILITY], world, revoked_on=TODAY),  # revoked today
        delegate(items[TEMPORARY_RELIEF], world, valid_from=TODAY + DAY),  # not yet
        delegate(items[OLD_AGE], world, valid_from=TODAY - 90 * DAY, valid_until=TODAY),  # last day
        # two records for one item: the latest-starting one routes
        delegate(items[OLD_AGE], world, valid_from=TODAY - 10 * DAY, mode=DelegationMode.AUTHORISATION),
    ]


@pytest.mark.parametrize("township", ["township_a", "township_b", "village_a1"])
def test_routes_agree_with_service_item_route(
    catalogue, world, delegations, township, django_assert_num_queries
):
    region = getattr(world, township)
    items = list(ServiceItemPage.objects.select_related("department").order_by("pk"))
    with django_assert_num_queries(1):
        routes = service_item_routes(items=items, township=region)
    for item in items:
        expected = service_item_route(item=item, township=region)
        assert routes[item.pk] == expected, item.title


def test_an_entrusted_item_goes_to_the_township_centre(catalogue, world, delegations):
    routes = service_item_routes(items=[catalogue.items[LOW_INCOME]], township=world.township_a)
    route = routes[catalogue.items[LOW_INCOME].pk]
    assert route.office == world.centre_a and route.mode == DelegationMode.ENTRUSTMENT


def test_no_items_no_query(world, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert service_item_routes(items=[], township=world.township_a) == {}

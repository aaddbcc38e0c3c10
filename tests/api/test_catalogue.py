"""The catalogue: the list by cursor, an item's whole guide, the change log since a time."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from api.models import CatalogueChange
from services_catalog.models import DelegationMode
from tests.services_catalog.conftest import delegate_item, make_item

ITEMS = "/api/v1/catalogue/items"
CHANGES = "/api/v1/catalogue/changes"


@pytest.fixture
def catalogue(world, guide, dibao):
    delegate_item(dibao, [world.centre_a])
    housing = make_item(guide, world.d1, code="120115-XK-002", title="农村宅基地建房审批")
    relief = make_item(guide, world.d1, code="120115-JF-003", title="临时救助审批")
    return {"dibao": dibao, "housing": housing, "relief": relief}


def test_the_list_needs_no_key_and_pages_by_cursor(catalogue, call):
    first = call.get(ITEMS, limit=2)
    assert first.status_code == 200
    page = first.json()
    assert [item["item_code"] for item in page["items"]] == ["120115-JF-001", "120115-XK-002"]
    assert page["next_cursor"]
    second = call.get(ITEMS, limit=2, cursor=page["next_cursor"]).json()
    assert [item["item_code"] for item in second["items"]] == ["120115-JF-003"]
    assert second["next_cursor"] is None


def test_a_forged_cursor_is_a_clear_400(catalogue, call):
    response = call.get(ITEMS, cursor="eyJrIjpudWxsfQ")
    assert response.status_code == 400
    assert response.json()["code"] == "bad_cursor"
    # a cursor of another listing is refused too
    changes_cursor = call.get(CHANGES, limit=1).json()["next_cursor"]
    assert call.get(ITEMS, cursor=changes_cursor).status_code == 400


def test_invalid_input_is_a_422_naming_the_field(catalogue, call):
    response = call.get(ITEMS, limit=0)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid"
    assert any("limit" in detail["where"] for detail in body["details"])


def test_the_list_costs_the_same_queries_for_any_number_of_items(
    catalogue, guide, world, call, django_assert_max_num_queries
):
    call.get(ITEMS)  # warm the site's root paths
    with django_assert_max_num_queries(8) as few:
        call.get(ITEMS)
    for n in range(6):
        make_item(guide, world.d2, code=f"120115-QT-1{n:02d}", title=f"其他事项{n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(call.get(ITEMS).json()["items"]) == 9


def test_an_item_has_its_whole_guide_and_who_handles_it_where(catalogue, world, call):
    response = call.get(f"{ITEMS}/120115-JF-001")
    assert response.status_code == 200
    item = response.json()
    assert item["title"] == "最低生活保障审核确认"
    assert item["department"] == world.d1.name
    assert item["conditions"] == ["具有本区户籍", "家庭人均收入低于当地低保标准"]
    assert [m["name"] for m in item["materials"]] == ["居民身份证", "户口簿", "家庭收入情况声明"]
    assert item["materials"][2]["may_be_missing"] is True
    assert item["legal_bases"] == ["《社会救助暂行办法》第九条"]
    assert item["delegations"][0]["mode"] == DelegationMode.ENTRUSTMENT
    assert item["delegations"][0]["centres"] == [world.centre_a.name]
    handled = {row["township"]: row["office"]["name"] for row in item["handled_by"]}
    assert handled == {world.township_a.name: world.centre_a.name, world.township_b.name: world.d1.name}
    assert item["last_published_at"].endswith("+08:00")


def test_an_unknown_or_unpublished_item_is_a_404(catalogue, call):
    assert call.get(f"{ITEMS}/120115-XX-999").json()["code"] == "not_found"
    catalogue["relief"].unpublish()
    assert call.get(f"{ITEMS}/120115-JF-003").status_code == 404


def test_changes_since_a_time_in_order_with_withdrawn_items(catalogue, world, call):
    everything = call.get(CHANGES).json()["changes"]
    assert {row["item_code"] for row in everything} >= {"120115-JF-001", "120115-XK-002", "120115-JF-003"}
    later = timezone.now() + datetime.timedelta(hours=1)
    with time_machine.travel(later):
        catalogue["relief"].unpublish()
        catalogue["housing"].save_revision().publish()
    since = (later - datetime.timedelta(minutes=1)).isoformat()
    rows = call.get(CHANGES, since=since).json()["changes"]
    assert [(row["item_code"], row["withdrawn"]) for row in rows] == [
        ("120115-JF-003", True),
        ("120115-XK-002", False),
    ]
    assert rows[0]["url"] is None
    assert rows[0]["changed_at"].endswith("+08:00")


def test_a_deleted_item_stays_in_the_changes_as_withdrawn(catalogue, call):
    item_id = catalogue["relief"].pk
    catalogue["relief"].delete()
    assert CatalogueChange.objects.get(item_id=item_id).withdrawn


def test_a_delegation_is_a_change_of_its_item(catalogue, world, call):
    later = timezone.now() + datetime.timedelta(hours=2)
    with time_machine.travel(later):
        delegate_item(catalogue["relief"], [world.centre_b], mode=DelegationMode.AUTHORISATION)
    rows = call.get(CHANGES, since=(later - datetime.timedelta(seconds=1)).isoformat()).json()["changes"]
    assert [row["item_code"] for row in rows] == ["120115-JF-003"]


def test_since_needs_a_time_zone(catalogue, call):
    response = call.get(CHANGES, since="2026-12-01T00:00:00")
    assert response.status_code == 422
    assert response.json()["code"] == "invalid"


def test_changes_page_by_cursor_without_repeats(catalogue, call):
    seen, cursor = [], None
    while True:
        params = {"limit": 1, **({"cursor": cursor} if cursor else {})}
        page = call.get(CHANGES, **params).json()
        seen += [row["item_code"] for row in page["changes"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == CatalogueChange.objects.count()


def test_anonymous_calls_are_limited_per_address(catalogue, call, settings):
    settings.CUNBAN_API_ANONYMOUS_PER_MINUTE = 2
    assert [call.get(ITEMS).status_code for _ in range(3)] == [200, 200, 429]
    assert call.get(ITEMS).json()["code"] == "rate_limited"


def test_since_with_any_offset_is_read_in_utc(catalogue, call):
    # found by schemathesis: PostgreSQL refuses offsets beyond ±15:59 in a literal
    response = call.get(CHANGES, since="1798-10-20T14:08:05-17:36")
    assert response.status_code == 200
    assert call.get(CHANGES, since="0001-01-01T00:00:00+05:00").status_code == 422

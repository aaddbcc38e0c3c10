"""找代办员: three public pages, plain links, a tel: link, a fixed number of queries."""

import pytest
from django.urls import reverse

from portal.people.services import membership_end, staff_set_active


def test_townships_list_links_to_each_township(client, world, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        response = client.get(reverse("offices:find_assistant"))
    assert response.status_code == 200
    body = response.content.decode()
    assert reverse("offices:find_assistant_villages", args=[world.township_a.code]) in body
    assert reverse("offices:find_assistant_villages", args=[world.township_b.code]) in body


def test_villages_list(client, world, django_assert_max_num_queries):
    url = reverse("offices:find_assistant_villages", args=[world.township_a.code])
    with django_assert_max_num_queries(2):
        response = client.get(url)
    body = response.content.decode()
    assert world.village_a1.name in body and world.village_a2.name in body
    assert world.village_b1.name not in body


def test_station_page_shows_the_assistant_with_a_tel_link(client, world, django_assert_max_num_queries):
    url = reverse("offices:find_assistant_station", args=[world.township_a.code, world.village_a1.code])
    with django_assert_max_num_queries(4):
        response = client.get(url)
    body = response.content.decode()
    assert response.status_code == 200
    assert "assistant_a1" in body
    assert 'href="tel:13900000001"' in body
    assert world.station_a1.name in body
    assert world.centre_a.name in body  # the township centre as a fallback


def test_station_page_query_count_does_not_grow_with_assistants(client, world, django_assert_max_num_queries):
    from portal.people.roles import Role
    from portal.people.services import membership_create
    from tests.factories import UserFactory

    for n in range(5):
        membership_create(
            actor=None,
            user=UserFactory(username=f"extra{n}", mobile=f"1390000010{n}"),
            office=world.station_a1,
            role=Role.VILLAGE_ASSISTANT,
        )
    url = reverse("offices:find_assistant_station", args=[world.township_a.code, world.village_a1.code])
    with django_assert_max_num_queries(4):
        response = client.get(url)
    assert response.content.decode().count('class="tel"') == 6


def test_former_and_disabled_assistants_are_not_shown(client, world):
    membership_end(actor=None, membership=world.assistant_a1.memberships.get())
    staff_set_active(actor=None, user=world.assistant_b1, active=False)
    for township, village in ((world.township_a, world.village_a1), (world.township_b, world.village_b1)):
        body = client.get(
            reverse("offices:find_assistant_station", args=[township.code, village.code])
        ).content.decode()
        assert "assistant_" not in body
        assert "No assistant is on duty" in body or "暂无" in body or "没有" in body


@pytest.mark.parametrize(
    "args",
    [["999999999000"], ["120115121000", "120115111201"], ["120115121208"], ["not-a-code"]],
)
def test_unknown_or_mismatched_codes_are_404(client, world, args):
    name = "offices:find_assistant_villages" if len(args) == 1 else "offices:find_assistant_station"
    assert client.get(reverse(name, args=args)).status_code == 404


def test_the_pages_work_without_javascript(client, world):
    """Every step is a plain link: no form needs a script, and the only script is optional."""
    url = reverse("offices:find_assistant_station", args=[world.township_a.code, world.village_a1.code])
    body = client.get(url).content.decode()
    assert "onclick" not in body
    assert body.count("<script") == 1 and "defer" in body

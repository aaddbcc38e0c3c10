"""Search synonyms in the back office: county administrators only."""

import pytest
from django.urls import reverse

from services_catalog.models import Synonym
from services_catalog.search.selectors import guide_search

from .conftest import EXTREME_POVERTY


def test_a_county_administrator_lists_and_adds_synonyms(client, catalogue, world):
    client.force_login(world.county_admin)
    index = client.get(reverse("search_synonyms:index"))
    assert index.status_code == 200
    assert "盖房子" in index.content.decode()
    response = client.post(reverse("search_synonyms:add"), {"phrase": "五保", "means": "特困人员"})
    assert response.status_code == 302
    assert guide_search("五保")[0].page.title == EXTREME_POVERTY


def test_the_menu_shows_search_synonyms_to_a_county_administrator_only(client, world):
    client.force_login(world.county_admin)
    assert reverse("search_synonyms:index") in client.get(reverse("wagtailadmin_home")).content.decode()
    client.force_login(world.township_admin_a)
    assert reverse("search_synonyms:index") not in client.get(reverse("wagtailadmin_home")).content.decode()


@pytest.mark.parametrize("person", ["township_admin_a", "editor", "clerk_a", "officer_d1"])
def test_others_cannot_open_or_change_synonyms(client, catalogue, world, person):
    client.force_login(world.people[person])
    synonym = Synonym.objects.get(phrase="低保")
    assert client.get(reverse("search_synonyms:index")).status_code in (302, 403)
    assert client.get(reverse("search_synonyms:edit", args=[synonym.pk])).status_code in (302, 403, 404)
    client.post(reverse("search_synonyms:edit", args=[synonym.pk]), {"phrase": "低保", "means": "临时救助"})
    client.post(reverse("search_synonyms:delete", args=[synonym.pk]))
    synonym.refresh_from_db()
    assert synonym.means == "最低生活保障"

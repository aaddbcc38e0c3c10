"""The county's remedies (救济途径) printed on every refusal: a county administrator sets them for
their own county in the back office; nobody else may (issue 18, gap 7)."""

import pytest
from django.urls import reverse

from portal.errors import NotPermitted
from portal.places.models import Remedies
from portal.places.policies import remedies_policy
from portal.places.selectors import remedies_for
from portal.places.services import remedies_save

pytestmark = pytest.mark.django_db

FIELDS = {
    "review_body": "天津市宝坻区人民政府",
    "review_contact": "区司法局",
    "review_days": 60,
    "court": "天津市宝坻区人民法院",
    "court_contact": "",
    "litigation_months": 6,
}


def test_only_a_county_administrator_sets_them(world):
    for person in ("township_admin_a", "clerk_a", "supervisor_a", "officer_d1", "editor", "outsider"):
        with pytest.raises(NotPermitted):
            remedies_save(actor=world.people[person], remedies=Remedies(county=world.county, **FIELDS))
        assert not remedies_policy.user_has_permission(world.people[person], "add"), person
    saved = remedies_save(actor=world.county_admin, remedies=Remedies(county=world.county, **FIELDS))
    assert remedies_for(world.village_a1) == (world.county, saved)


def test_the_time_limits_are_at_least_the_law_s(world):
    with pytest.raises(Exception, match="60|60"):
        remedies_save(
            actor=world.county_admin, remedies=Remedies(county=world.county, **{**FIELDS, "review_days": 30})
        )


def test_the_back_office_form(client, world):
    client.force_login(world.township_admin_a)
    assert client.get(reverse("remedies_admin:add")).status_code in (302, 403)
    client.force_login(world.county_admin)
    response = client.post(reverse("remedies_admin:add"), {"county": world.county.pk, **FIELDS})
    assert response.status_code == 302, response.content.decode()[:2000]
    remedies = Remedies.objects.get(county=world.county)
    assert remedies.court == "天津市宝坻区人民法院"
    edit = reverse("remedies_admin:edit", args=[remedies.pk])
    assert client.get(edit).status_code == 200
    client.force_login(world.township_admin_a)
    assert client.get(edit).status_code in (302, 403, 404)

"""The back office's read-only list of applications: the same jurisdiction as the staff pages,
masked names, no ID numbers, no changes, and a fixed number of queries however long the list."""

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.test import RequestFactory
from django.urls import NoReverseMatch, reverse

from approvals.states import State
from portal.people.identity import mask_name

pytestmark = pytest.mark.django_db

INDEX = "application_admin:index"


def admin_get(client, user, url, data=None):
    client.force_login(user)
    return client.get(url, data or {})


def test_a_county_administrator_lists_the_countys_submitted_work(client, cases, world):
    a1 = cases.submitted()
    b1 = cases.submitted(where="b1")
    draft = cases.draft()
    response = admin_get(client, world.county_admin, reverse(INDEX))
    assert response.status_code == 200
    html = response.content.decode()
    assert a1.number in html and b1.number in html
    assert reverse("application_admin:inspect", args=[draft.pk]) not in html  # drafts stay at the station
    for application in (a1, b1):
        assert application.item_title in html
        assert application.village.name in html
        assert application.handling_office.name in html
        assert mask_name(application.applicant_name) in html
        assert application.applicant_name not in html
        assert application.resident.id_number not in html
        assert application.resident.id_number_masked not in html  # no ID numbers at all


def test_a_township_administrator_lists_only_their_township(client, cases, world):
    a1 = cases.submitted()
    b1 = cases.submitted(where="b1")
    html = admin_get(client, world.township_admin_a, reverse(INDEX)).content.decode()
    assert a1.number in html
    assert b1.number not in html


def test_another_townships_application_is_404(client, cases, world):
    b1 = cases.submitted(where="b1")
    response = admin_get(client, world.township_admin_a, reverse("application_admin:inspect", args=[b1.pk]))
    assert response.status_code == 404
    assert b1.number not in response.content.decode()


def test_the_inspect_page_shows_the_facts_masked_and_links_to_the_staff_page(client, cases, world):
    application = cases.accepted()
    response = admin_get(
        client, world.county_admin, reverse("application_admin:inspect", args=[application.pk])
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert application.number in html
    assert mask_name(application.applicant_name) in html
    assert application.applicant_name not in html
    assert application.resident.id_number not in html
    assert application.applicant_mobile not in html
    assert world.centre_a.name in html
    assert f'href="{reverse("approvals:detail", args=[application.pk])}"' in html


@pytest.mark.parametrize("name", ["add", "edit", "delete", "history", "usage", "copy"])
def test_nothing_can_be_added_changed_or_deleted(name):
    with pytest.raises(NoReverseMatch):
        reverse(f"application_admin:{name}", args=[] if name == "add" else [1])


def test_the_list_offers_no_add_button_and_no_edit_links(client, cases, world):
    application = cases.submitted()
    html = admin_get(client, world.county_admin, reverse(INDEX)).content.decode()
    assert "/admin/application_admin/new/" not in html
    assert f"/admin/application_admin/edit/{application.pk}/" not in html
    assert reverse("application_admin:inspect", args=[application.pk]) in html


def test_a_post_to_the_list_or_inspect_page_changes_nothing(client, cases, world):
    application = cases.submitted()
    client.force_login(world.county_admin)
    client.post(reverse("application_admin:inspect", args=[application.pk]), {"state": State.APPROVED})
    application.refresh_from_db()
    assert application.state == State.SUBMITTED


def test_filters_by_state(client, cases, world):
    submitted = cases.submitted()
    accepted = cases.accepted()
    html = admin_get(client, world.county_admin, reverse(INDEX), {"state": State.ACCEPTED}).content.decode()
    assert accepted.number in html and submitted.number not in html


def test_filters_by_office_and_offers_only_offices_of_visible_work(client, cases, world):
    a1 = cases.submitted()
    b1 = cases.submitted(where="b1")
    relief = cases.submitted(item="relief")
    client.force_login(world.county_admin)
    html = client.get(reverse(INDEX), {"office": world.centre_b.pk}).content.decode()
    assert b1.number in html and a1.number not in html and relief.number not in html
    html = client.get(reverse(INDEX), {"office": world.d1.pk}).content.decode()
    assert relief.number in html and a1.number not in html

    client.force_login(world.township_admin_a)
    html = client.get(reverse(INDEX)).content.decode()
    assert 'name="office"' in html and 'name="state"' in html
    assert world.centre_a.name in html and world.d1.name in html  # a1 at the centre, relief at D1
    assert world.centre_b.name not in html  # township B's office is not even a choice
    response = client.get(reverse(INDEX), {"office": world.centre_b.pk})
    assert b1.number not in response.content.decode()


def test_search_by_number(client, cases, world):
    first = cases.submitted()
    second = cases.submitted(where="b1")
    html = admin_get(client, world.county_admin, reverse(INDEX), {"q": second.number}).content.decode()
    assert second.number in html and first.number not in html


def _menu_labels(user) -> list[str]:
    from wagtail.admin.menu import admin_menu

    request = RequestFactory().get("/admin/")
    request.user = user
    return [str(item.label) for item in admin_menu.menu_items_for_request(request)]


def test_the_menu_item_shows_for_administrators_only(world):
    from approvals.admin_views import ApplicationViewSet

    label = str(ApplicationViewSet.menu_label)
    assert label in _menu_labels(world.county_admin)
    assert label in _menu_labels(world.township_admin_a)
    assert label not in _menu_labels(world.editor)


@pytest.mark.parametrize("person", ["editor", "clerk_a", "assistant_a1", "officer_d1", "outsider"])
def test_others_cannot_open_the_list(client, cases, world, person):
    """Staff without back-office access meet the gate's 403 (portal.people.views.back_office_gate);
    an editor, who may use the back office but not this list, is turned away by Wagtail (302)."""
    application = cases.submitted()
    refused = (302,) if person == "editor" else (403,)
    response = admin_get(client, world.people[person], reverse(INDEX))
    assert response.status_code in refused
    assert application.number not in response.content.decode()
    response = admin_get(
        client, world.people[person], reverse("application_admin:inspect", args=[application.pk])
    )
    assert response.status_code in (*refused, 404)
    assert application.number not in response.content.decode()


def test_anonymous_visitors_are_sent_to_the_login(client, cases):
    cases.submitted()
    response = client.get(reverse(INDEX))
    assert response.status_code == 302
    assert response["Location"].startswith(resolve_url(settings.LOGIN_URL))


def test_the_list_has_a_fixed_number_of_queries(client, cases, world, django_assert_max_num_queries):
    """Wagtail's admin frame (session, user, permissions, menu) costs a fixed dozen or so; the rows
    come in one query with their village and office, whatever their number."""
    cases.submitted()
    cases.accepted()
    client.force_login(world.county_admin)
    client.get(reverse(INDEX))  # warm per-process caches (content types, site)
    with django_assert_max_num_queries(30) as few:
        assert client.get(reverse(INDEX)).status_code == 200
    for where in ("a1", "b1", "a1", "b1", "a1", "b1"):
        cases.submitted(where=where)
    cases.submitted(item="relief")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse(INDEX))
    assert response.content.decode().count("/admin/application_admin/inspect/") >= 9

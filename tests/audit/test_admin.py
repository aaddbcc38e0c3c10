"""The back office audit list (审计日志): county administrators and superusers read it; nobody
adds, changes or deletes an entry."""

import pytest
from django.conf import settings
from django.urls import reverse
from wagtail.users.models import UserProfile

from portal.audit.models import AuditEntry
from portal.audit.services import audit_record
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

INDEX = "audit_entries:index"


@pytest.fixture
def as_user(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    def login(user):
        profile = UserProfile.get_for_user(user)
        profile.preferred_language = "en"
        profile.save()
        client.force_login(user)
        return client

    return login


@pytest.fixture
def entries(world) -> list[AuditEntry]:
    return [
        audit_record(event="login_failed", outcome="failed", username="somebody"),
        audit_record(
            event="id_number_view", user=world.clerk_a, object_type="approvals.application", object_id="42"
        ),
    ]


def test_a_county_administrator_reads_the_log_and_filters_it(as_user, world, entries):
    client = as_user(world.county_admin)
    content = client.get(reverse(INDEX)).content.decode()
    assert "somebody" in content and "clerk_a" in content
    filtered = client.get(reverse(INDEX), {"event": "id_number_view"}).content.decode()
    assert "clerk_a" in filtered and "somebody" not in filtered


def test_a_superuser_may_inspect_an_entry(as_user, entries):
    superuser = UserFactory(username="root", is_superuser=True, is_staff=True)
    response = as_user(superuser).get(reverse("audit_entries:inspect", args=[entries[1].pk]))
    assert response.status_code == 200
    assert "approvals.application" in response.content.decode()


def test_the_menu_shows_the_log_to_county_administrators_only(as_user, world):
    assert "Audit log" in as_user(world.county_admin).get(reverse("wagtailadmin_home")).content.decode()
    assert "Audit log" not in as_user(world.clerk_a).get(reverse("wagtailadmin_home")).content.decode()


@pytest.mark.parametrize("name", ["township_admin_a", "editor", "clerk_a", "supervisor_a"])
def test_other_staff_are_refused(as_user, world, entries, name):
    client = as_user(getattr(world, name))
    for url in (reverse(INDEX), reverse("audit_entries:inspect", args=[entries[0].pk])):
        response = client.get(url)
        assert response.status_code in (302, 403), url
        assert "somebody" not in response.content.decode()


def test_nobody_may_add_change_or_delete_an_entry(as_user, world, entries):
    client = as_user(world.county_admin)
    pk = entries[0].pk
    assert client.get(reverse("audit_entries:add")).status_code in (302, 403)
    assert client.post(reverse("audit_entries:edit", args=[pk]), {"event": "login_ok"}).status_code in (
        302,
        403,
    )
    assert client.post(reverse("audit_entries:delete", args=[pk])).status_code in (302, 403)
    assert AuditEntry.objects.get(pk=pk).event == "login_failed"


def test_the_list_runs_no_query_per_row(as_user, world, entries, django_assert_max_num_queries):
    client = as_user(world.county_admin)
    client.get(reverse(INDEX))
    with django_assert_max_num_queries(30) as few:
        client.get(reverse(INDEX))
    for i in range(20):
        audit_record(event="material_download", user=world.clerk_a, object_id=str(i))
    with django_assert_max_num_queries(len(few)):
        client.get(reverse(INDEX))

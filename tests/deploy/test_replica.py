"""The read replica: public read-only pages read from it, staff pages, writes and transactions
never do. "replica" is a second alias on the same test database (TEST MIRROR, portal/settings/
test.py), so the pages work and the query logs of the two connections show where each read went."""

import pytest
from django.db import connections, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ledger.models import LedgerItem
from portal.dbrouting import ReplicaRouter, replica_reads
from portal.people.models import User
from tests.guide_search.conftest import LOW_INCOME, catalogue, synonyms  # noqa: F401

pytestmark = pytest.mark.django_db(
    transaction=True, serialized_rollback=True, databases=["default", "replica"]
)


@pytest.fixture
def replica_on(settings):
    settings.CUNBAN_READ_REPLICA = "replica"


def get_logged(client, url, **kwargs):
    """GET url; return the response and the SQL each alias ran for it."""
    with (
        CaptureQueriesContext(connections["default"]) as on_default,
        CaptureQueriesContext(connections["replica"]) as on_replica,
    ):
        response = client.get(url, **kwargs)
    return response, [q["sql"] for q in on_default], [q["sql"] for q in on_replica]


def test_public_guide_pages_read_from_the_replica(replica_on, client, catalogue):  # noqa: F811
    item = catalogue.items[LOW_INCOME]
    for url, data, queries in (
        (item.url, {}, True),
        (reverse("guide_search:results"), {"q": "低保"}, True),
        (reverse("promises:index"), {}, True),
        (reverse("verify:form"), {}, False),  # the empty form needs no query at all
    ):
        response, on_default, on_replica = get_logged(client, url, data=data)
        assert response.status_code == 200, url
        assert bool(on_replica) is queries, url
        assert on_default == [], (url, on_default)
    assert item.title in client.get(item.url).content.decode()


def test_staff_pages_read_from_default(replica_on, client, world):
    client.force_login(world.clerk_a)
    response, on_default, on_replica = get_logged(client, reverse("approvals:inbox"))
    assert response.status_code == 200
    assert on_replica == []
    assert any("django_session" in sql for sql in on_default)


def test_a_logged_in_visitor_on_a_guide_page_loads_session_and_account_from_default(
    replica_on,
    client,
    catalogue,  # noqa: F811
    world,
):
    client.force_login(world.clerk_a)
    response, on_default, on_replica = get_logged(client, catalogue.items[LOW_INCOME].url)
    assert response.status_code == 200
    assert any("django_session" in sql for sql in on_default)
    assert any('"people_user"' in sql for sql in on_default)
    assert not any("django_session" in sql for sql in on_replica)
    assert on_replica  # the page's own content still came from the replica


def test_writes_and_transactions_stay_on_default(replica_on, world):
    router = ReplicaRouter()
    with replica_reads():
        assert router.db_for_read(User) == "replica"
        assert router.db_for_write(User) == "default"
        with transaction.atomic():
            assert router.db_for_read(User) == "default"
        with CaptureQueriesContext(connections["replica"]) as on_replica:
            user = User.objects.get(username="clerk_a")
            assert user._state.db == "replica"
            user.name = "changed"
            user.save(update_fields=["name"])
        assert all(sql.lstrip().upper().startswith("SELECT") for sql in (q["sql"] for q in on_replica))
    assert User.objects.get(username="clerk_a").name == "changed"
    assert router.db_for_read(LedgerItem) is None  # outside replica_reads: Django's default


def test_without_a_replica_configured_nothing_changes(client, catalogue):  # noqa: F811
    router = ReplicaRouter()
    with replica_reads():
        assert router.db_for_read(User) is None
    response, on_default, on_replica = get_logged(client, catalogue.items[LOW_INCOME].url)
    assert response.status_code == 200
    assert on_replica == []
    assert on_default

"""The access table, extended to the API: every scope a client can hold × applications inside
and outside its office's jurisdiction × the endpoints, and clients bound at three levels (a
township's centre, the county, a village's station).

The expected cells come from the hand-written tables below (who sees which application, from
the domain brief: a client sees the submitted work filed at, routed to, sitting at or handled by
an office within its office's region), never from the selectors under test.

Applications (built once for the module through the services):

  a1      village A1, submitted, routed to centre A
  relief  village A1, 临时救助 (not delegated): routed straight to department D1
  b1      village B1, submitted, routed to centre B
  unknown a number no application has
"""

import pytest

from api.models import ApiClient
from api.scopes import Scope
from tests.api.conftest import make_client
from tests.sharing import shareable, shared

OFFICES = ("centre_a", "ds", "station_b1")
OBJECTS = ("a1", "relief", "b1", "unknown")

SEES = {
    "centre_a": {"a1", "relief"},  # township A: its centre and the stations of its villages
    "ds": {"a1", "relief", "b1"},  # the county: everything submitted
    "station_b1": {"b1"},  # village B1 only
}
"""Hand-written: which applications a client bound to each office reaches."""

SCOPES = (*Scope.values, "none")


def build_applications(get) -> dict[str, str]:
    from tests.approvals.conftest import Cases

    cases = Cases(get("world"), get("items"), get("residents"))
    return {
        "a1": cases.submitted().number,
        "relief": cases.submitted(item="relief").number,
        "b1": cases.submitted(where="b1").number,
        "unknown": "120115121-261122-999",
    }


@pytest.fixture
def applications(request, world, items, residents):
    return shared(request, "api_matrix_applications")


shareable("api_matrix_applications", applications)(build_applications)


def client_for(world, office: str, scope: str) -> str:
    scopes = [] if scope == "none" else [scope]
    return make_client(getattr(world, office), name=f"{office}-{scope}", scopes=scopes)[1]


def expected_status(office: str, scope: str, obj: str) -> int:
    if scope != Scope.APPLICATIONS_READ_STATUS:
        return 403  # asked before anything is looked up: nothing about the number leaks
    return 200 if obj in SEES[office] else 404


@pytest.mark.parametrize("office", OFFICES)
@pytest.mark.parametrize("scope", SCOPES)
def test_status_by_key(world, applications, call, office, scope):
    key = client_for(world, office, scope)
    got = {
        obj: call.get(f"/api/v1/applications/{applications[obj]}/status", key).status_code for obj in OBJECTS
    }
    assert got == {obj: expected_status(office, scope, obj) for obj in OBJECTS}


@pytest.mark.parametrize("office", OFFICES)
@pytest.mark.parametrize("scope", SCOPES)
def test_the_catalogue_is_public_whatever_the_scope(world, applications, call, office, scope):
    key = client_for(world, office, scope)
    for path in (
        "/api/v1/catalogue/items",
        "/api/v1/catalogue/items/120115-JF-001",
        "/api/v1/catalogue/changes",
    ):
        assert call.get(path, key).status_code == 200, path
        assert call.get(path).status_code == 200, path


@pytest.mark.parametrize("office", OFFICES)
def test_an_inactive_client_reaches_nothing(world, applications, call, office):
    key = client_for(world, office, Scope.APPLICATIONS_READ_STATUS)
    ApiClient.objects.filter(name=f"{office}-{Scope.APPLICATIONS_READ_STATUS}").update(is_active=False)
    for obj in OBJECTS:
        assert call.get(f"/api/v1/applications/{applications[obj]}/status", key).status_code == 401
    assert call.get("/api/v1/catalogue/items", key).status_code == 401


@pytest.mark.parametrize("obj", OBJECTS)
def test_without_a_key_only_the_last_4_digits_open_it(world, applications, residents, call, obj):
    path = f"/api/v1/applications/{applications[obj]}/status"
    assert call.get(path).status_code == 401
    right = residents["b1" if obj == "b1" else "a1"].mobile[-4:]
    assert call.post(path, {"last4": right}).status_code == (404 if obj == "unknown" else 200)

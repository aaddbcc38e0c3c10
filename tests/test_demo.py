"""`make demo`'s data: real names and codes, one login per role, idempotent, demo mode only."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from portal.offices.models import Office, OfficeKind
from portal.people.models import Membership, Resident, User
from portal.people.roles import Role
from portal.places.models import Region, RegionLevel

COUNTS = (Region, Office, User, Membership, Resident)


def counts():
    return {model.__name__: model.objects.count() for model in COUNTS}


@pytest.mark.django_db
def test_demo_refuses_outside_demo_mode():
    with override_settings(CUNBAN_DEMO=False), pytest.raises(CommandError, match="CUNBAN_DEMO"):
        call_command("load_demo")
    assert User.objects.count() == 0


@pytest.mark.django_db
@override_settings(CUNBAN_DEMO=True)
def test_demo_loads_a_real_county_once(client):
    call_command("load_demo", stdout=StringIO())
    first = counts()
    assert Region.objects.filter(level=RegionLevel.TOWNSHIP).count() >= 3
    assert Region.objects.filter(level=RegionLevel.VILLAGE).count() >= 8
    assert Office.objects.filter(kind=OfficeKind.DEPARTMENT).count() >= 3
    assert (
        Office.objects.filter(kind=OfficeKind.CENTRE).count()
        == Region.objects.filter(level="township").count()
    )
    assert (
        Office.objects.filter(kind=OfficeKind.STATION).count()
        == Region.objects.filter(level="village").count()
    )
    for region in Region.objects.exclude(level=RegionLevel.COUNTY):
        region.full_clean()  # every code obeys the division-code rules
    call_command("load_demo", stdout=StringIO())
    assert counts() == first

    from portal.demo.loader import DEMO_PASSWORD

    for role in Role:
        login = Membership.objects.filter(role=role, user__username__startswith="demo_").first()
        assert login is not None, role
        client.post("/accounts/login/", {"username": login.user.username, "password": DEMO_PASSWORD})
        assert client.get("/staff/").status_code == 200, role
        client.post("/accounts/logout/")


@pytest.mark.django_db
@override_settings(CUNBAN_DEMO=True)
def test_demo_confirms_the_2025_and_2026_calendars():
    from portal.workdays.models import CalendarYear

    call_command("load_demo", stdout=StringIO())
    assert set(CalendarYear.objects.values_list("year", flat=True)) >= {2025, 2026}
    assert all(year.status == CalendarYear.Status.CONFIRMED for year in CalendarYear.objects.all())

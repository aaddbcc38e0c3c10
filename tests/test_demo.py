"""`make demo`'s data: real names and codes, one login per role, idempotent, demo mode only."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from portal.offices.models import Office, OfficeKind
from portal.people.models import Membership, Resident, User
from portal.people.roles import Role
from portal.places.models import Region, RegionLevel

pytestmark = pytest.mark.usefixtures("demo_day")

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
def test_demo_confirms_the_calendars_of_the_years_its_stories_touch():
    """Each year the stories touch whose State Council schedule the holidays package carries;
    the others (the notice is not out yet) stay without a calendar: the demo invents none."""
    from django.utils import timezone

    from portal.demo.loader import story_years
    from portal.workdays.holiday_package import package_has_schedule
    from portal.workdays.models import CalendarYear

    call_command("load_demo", stdout=StringIO())
    years = story_years(timezone.localdate())
    assert set(CalendarYear.objects.values_list("year", flat=True)) == {
        year for year in years if package_has_schedule(year)
    }
    assert all(year.status == CalendarYear.Status.CONFIRMED for year in CalendarYear.objects.all())


DEMO_SEARCHES = {
    "低保": "最低生活保障审核确认",
    "dibao": "最低生活保障审核确认",
    "db": "最低生活保障审核确认",
    "盖房子": "农村宅基地和建房（规划许可）审批",
    "gaifangzi": "农村宅基地和建房（规划许可）审批",
    "医保": "城乡居民基本医疗保险参保登记",
    "残疾证": "残疾人证办理（申请受理）",
}


@pytest.mark.django_db
@override_settings(CUNBAN_DEMO=True)
def test_villagers_words_find_the_intended_demo_item_first(client):
    from services_catalog.search.selectors import guide_search

    call_command("load_demo", stdout=StringIO())
    for query, title in DEMO_SEARCHES.items():
        hits = guide_search(query, limit=5)
        assert hits and hits[0].page.title == title, (query, [hit.page.title for hit in hits])
    body = client.get("/search/", {"q": "盖房子"}).content.decode()
    results = body[body.index('<ol class="results">') :]
    first = results[: results.index("</li>")]
    assert 'href="/guide/120115-xk-001/"' in first  # 农村宅基地和建房（规划许可）审批

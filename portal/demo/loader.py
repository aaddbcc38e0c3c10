"""Load the demo county: regions, offices, one login per role, residents and the calendar.

Everything is keyed by a natural key (division code, office name, username, ID digest), so
running it again updates rows in place and never duplicates them.

Two parts: the base does not depend on the date; the stories (applications, certificates,
ratings, ledger) are told on working days before today, so they come out on other dates each
day, and load on any date. The work calendars loaded are those of the years the stories touch
for which the installed holidays package has the State Council's schedule; a year without one
(the notice comes out late in the year before) is left without a confirmed calendar, as a real
county would have it, and its deadlines count as `WorkCalendar` counts such a year.
"""

import datetime
from collections.abc import Callable, Collection
from dataclasses import dataclass
from io import StringIO

from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from portal.offices.models import Office, OfficeKind
from portal.offices.services import office_save
from portal.people.models import User
from portal.people.roles import Role
from portal.people.services import membership_create, resident_register
from portal.places.models import Region, RegionLevel, Remedies
from portal.places.services import remedies_save
from portal.workdays.holiday_package import package_has_schedule, package_version
from portal.workdays.models import CalendarYear
from portal.workdays.services import calendar_year_confirm
from services_catalog.models import ServiceItemPage

from . import county_data
from .api_clients import DEMO_CLIENTS, HOTLINE, PROVINCE, demo_api_key, load_demo_api_clients
from .applications import Days, load_demo_applications
from .content import load_demo_pages
from .ledger import load_demo_ledger
from .ratings import load_demo_ratings

DEMO_PASSWORD = "cunban-demo-2026"  # noqa: S105 - the demo's shared password, printed in the README

__all__ = ["DEMO_CLIENTS", "DEMO_PASSWORD", "HOTLINE", "PROVINCE", "DemoLogin", "demo_api_key", "load_demo"]


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    office: str


def _region(code: str, name: str, level: str, parent: Region | None) -> Region:
    region, _ = Region.objects.update_or_create(
        code=code, defaults={"name": name, "level": level, "parent": parent}
    )
    region.full_clean()
    return region


def _office(region: Region, kind: str, data: dict) -> Office:
    office = Office.objects.filter(region=region, name=data["name"]).first() or Office(region=region)
    office.name = data["name"]
    office.kind = kind
    office.short_name = data.get("short_name") or data["name"][:30]
    office.phone = data.get("phone", "")
    office.address = data.get("address", "")
    office.opening_hours = data.get("hours", county_data.OFFICE_HOURS)
    return office_save(actor=None, office=office)


def _login(username: str, name: str, mobile: str | None, *, usable: bool = True) -> User:
    user, _ = User.objects.get_or_create(username=username)
    user.name = name
    user.mobile = mobile
    user.email = f"{username}@demo.cunban.invalid"  # workflow notifications go to the console
    if usable:
        user.set_password(DEMO_PASSWORD)
    else:
        user.set_unusable_password()
    user.save()
    return user


def _id_number(area: str, birth: str, order: int) -> str:
    from stdnum.cn import ric

    body = f"{area}{birth}{order:03d}"
    return body + ric.calc_check_digit(body + "0")


@transaction.atomic
def load_demo(progress: Callable[[str], None] = print) -> list[DemoLogin]:
    """Load the whole demo; return the demo logins."""
    logins = load_demo_base(progress=progress)
    load_demo_stories(progress=progress)
    return logins


def load_demo_base(progress: Callable[[str], None] = print) -> list[DemoLogin]:
    """What does not depend on the date: the county, its offices and logins, the residents, the
    service guide and the pages. The stories told relative to today come after it."""
    county = _region(county_data.COUNTY["code"], county_data.COUNTY["name"], RegionLevel.COUNTY, None)
    departments = [_office(county, OfficeKind.DEPARTMENT, d) for d in county_data.DEPARTMENTS]
    progress(f"county {county.name}: {len(departments)} departments")
    centres, stations = [], []
    first_village = None
    for township_data in county_data.TOWNSHIPS:
        township = _region(township_data["code"], township_data["name"], RegionLevel.TOWNSHIP, county)
        centres.append(_office(township, OfficeKind.CENTRE, township_data["centre"]))
        for village_data in township_data["villages"]:
            village = _region(village_data["code"], village_data["name"], RegionLevel.VILLAGE, township)
            first_village = first_village or village
            station = _office(
                village,
                OfficeKind.STATION,
                {
                    "name": f"{village.name}便民服务站",
                    "short_name": village.name,
                    "phone": village_data.get("station_phone", ""),
                    "address": f"{village.name.removesuffix('村')}村委会",
                },
            )
            stations.append(station)
            assistant = village_data.get("assistant")
            if assistant:
                # The first village's assistant is the demo login; the others cannot log in.
                is_demo_login = len(stations) == 1
                user = _login(
                    "demo_assistant" if is_demo_login else f"assistant_{village.code}",
                    assistant["name"],
                    assistant["mobile"],
                    usable=is_demo_login,
                )
                membership_create(actor=None, user=user, office=station, role=Role.VILLAGE_ASSISTANT)
    progress(f"{len(centres)} township centres, {len(stations)} village stations")

    service_office, civil_affairs = departments[0], departments[1]
    home_centre, home_station = centres[0], stations[0]
    logins = [
        (
            DemoLogin("demo_clerk", Role.TOWNSHIP_CLERK, home_centre.name),
            "王建国",
            "13900001002",
            home_centre,
        ),
        (
            DemoLogin("demo_supervisor", Role.CENTRE_SUPERVISOR, home_centre.name),
            "赵淑芬",
            "13900001003",
            home_centre,
        ),
        (
            DemoLogin("demo_officer", Role.COUNTY_OFFICER, civil_affairs.name),
            "孙志强",
            "13900001004",
            civil_affairs,
        ),
        (DemoLogin("demo_editor", Role.EDITOR, service_office.name), "周晓燕", "13900001005", service_office),
        (
            DemoLogin("demo_editor2", Role.EDITOR, service_office.name),
            "吴文静",
            "13900001008",
            service_office,
        ),
        (
            DemoLogin("demo_admin", Role.ADMINISTRATOR, service_office.name),
            "陈立新",
            "13900001006",
            service_office,
        ),
        (
            DemoLogin("demo_township_admin", Role.ADMINISTRATOR, home_centre.name),
            "刘海燕",
            "13900001007",
            home_centre,
        ),
    ]
    for login, name, mobile, office in logins:
        if name is not None:
            user = _login(login.username, name, mobile)
            membership_create(actor=None, user=user, office=office, role=login.role)
    logins.insert(
        0, (DemoLogin("demo_assistant", Role.VILLAGE_ASSISTANT, home_station.name), None, None, home_station)
    )
    progress(f"{len(logins)} demo logins")

    assistant = User.objects.get(username="demo_assistant")
    residents = [
        ("王景云", _id_number("120224", "19520314", 31)),
        ("张桂英", _id_number("120224", "19480922", 42)),
        ("刘德胜", _id_number("120115", "20030105", 57)),
    ]
    for name, number in residents:
        resident_register(
            actor=assistant, name=name, id_number=number, mobile="13900002000", village=first_village
        )
    progress(f"{len(residents)} residents in {first_village.name}")

    admin = User.objects.get(username="demo_admin")

    load_demo_pages(county=county, admin=admin, progress=progress)
    load_demo_api_clients(office=service_office, progress=progress)
    remedies = Remedies.objects.filter(county=county).first() or Remedies(county=county)
    for name, value in county_data.REMEDIES.items():
        setattr(remedies, name, value)
    remedies_save(actor=None, remedies=remedies)
    for code, basis in county_data.PROCEDURE_BASIS.items():
        ServiceItemPage.objects.filter(item_code=code).update(procedure_basis=basis)
    progress(f"remedies: {county_data.REMEDIES['review_body']}, {county_data.REMEDIES['court']}")
    return [login for login, *_rest in logins]


def load_demo_stories(
    progress: Callable[[str], None] = print, *, ledger_villages: Collection[str] | None = None
) -> None:
    """What is told relative to today, after `load_demo_base`: the work calendars, the
    applications with their certificates, the ratings and the requests ledger (in every village,
    or only in `ledger_villages`, by code)."""
    admin = User.objects.get(username="demo_admin")
    for year in story_years(timezone.localdate()):
        if package_has_schedule(year):
            _load_calendar(year, admin, progress)
        else:
            progress(
                f"work calendar {year}: the holidays package {package_version()} has no State Council "
                "schedule for it yet; left unconfirmed"
            )

    load_demo_applications(progress=progress)

    load_demo_ratings(progress=progress)

    load_demo_ledger(progress=progress, village_codes=ledger_villages)


def story_years(today: datetime.date) -> list[int]:
    """The calendar years the stories told on `today` touch, from their first step to their
    last deadline (`Days.span`)."""
    first, last = Days.span(today)
    return list(range(first.year, last.year + 1))


def _load_calendar(year: int, admin: User, progress: Callable[[str], None]) -> None:
    call_command("load_work_calendar", str(year), stdout=StringIO())
    calendar_year = CalendarYear.objects.get(year=year)
    if calendar_year.status != CalendarYear.Status.CONFIRMED:
        calendar_year_confirm(actor=admin, year=calendar_year)
    progress(f"work calendar {year}: confirmed")

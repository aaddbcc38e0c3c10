"""The cast every test can use, drawn here once:

county 宝坻区 120115000000
├── department 区民政局 (D1), department 区人社局 (D2), department 区政务服务办 (DS)
├── township A 郝各庄镇 120115121000 ── centre A
│   ├── village A1 西郝各庄村 120115121208 ── station A1
│   └── village A2 东郝各庄村 120115121207 ── station A2
└── township B 霍各庄镇 120115111000 ── centre B
    └── village B1 西霍各庄村 120115111201 ── station B1

people: assistant_a1 (station A1), assistant_b1 (station B1), clerk_a, supervisor_a
(centre A), clerk_b (centre B), officer_d1 (D1), editor (DS), county_admin (DS),
township_admin_a (centre A), outsider (no membership).
"""

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest
import time_machine

from portal.offices.models import Office, OfficeKind
from portal.people.models import User
from portal.people.roles import Role
from portal.people.services import membership_create
from portal.places.models import Region, RegionLevel
from tests import sharing
from tests.factories import OfficeFactory, RegionFactory, UserFactory
from tests.sharing import _module_data, shareable, shared  # noqa: F401 (the module fixture)

pytest_plugins = ["tests.id_sweep", "pytester"]  # the ID-number leak sweep; pytester for its self-test


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    sharing.before_test(item)


def pytest_terminal_summary(terminalreporter):
    if sharing.builds:
        terminalreporter.write_line(f"shared test data (tests/sharing.py) built {sharing.builds} times")


PASSWORD = "correct horse battery"


WORLD_PEOPLE = (
    "assistant_a1",
    "assistant_b1",
    "clerk_a",
    "supervisor_a",
    "clerk_b",
    "officer_d1",
    "editor",
    "county_admin",
    "township_admin_a",
    "outsider",
)
"""The world's people by name: everyone of `World.people`."""


@dataclass
class World:
    county: Region
    township_a: Region
    township_b: Region
    village_a1: Region
    village_a2: Region
    village_b1: Region
    d1: Office
    d2: Office
    ds: Office
    centre_a: Office
    centre_b: Office
    station_a1: Office
    station_a2: Office
    station_b1: Office
    assistant_a1: User
    assistant_b1: User
    clerk_a: User
    supervisor_a: User
    clerk_b: User
    officer_d1: User
    editor: User
    county_admin: User
    township_admin_a: User
    outsider: User

    @property
    def offices(self) -> dict[str, Office]:
        return {
            name: getattr(self, name)
            for name in ("d1", "d2", "ds", "centre_a", "centre_b", "station_a1", "station_a2", "station_b1")
        }

    @property
    def people(self) -> dict[str, User]:
        return {name: getattr(self, name) for name in WORLD_PEOPLE}


def build_world() -> World:
    county = RegionFactory(code="120115000000", name="宝坻区", level=RegionLevel.COUNTY)
    township_a = RegionFactory(
        code="120115121000", name="郝各庄镇", level=RegionLevel.TOWNSHIP, parent=county
    )
    township_b = RegionFactory(
        code="120115111000", name="霍各庄镇", level=RegionLevel.TOWNSHIP, parent=county
    )
    village_a1 = RegionFactory(
        code="120115121208", name="西郝各庄村", level=RegionLevel.VILLAGE, parent=township_a
    )
    village_a2 = RegionFactory(
        code="120115121207", name="东郝各庄村", level=RegionLevel.VILLAGE, parent=township_a
    )
    village_b1 = RegionFactory(
        code="120115111201", name="西霍各庄村", level=RegionLevel.VILLAGE, parent=township_b
    )
    dept = OfficeKind.DEPARTMENT
    d1 = OfficeFactory(name="宝坻区民政局", short_name="区民政局", kind=dept, region=county)
    d2 = OfficeFactory(name="宝坻区人力资源和社会保障局", short_name="区人社局", kind=dept, region=county)
    ds = OfficeFactory(name="宝坻区政务服务办公室", short_name="区政务服务办", kind=dept, region=county)
    centre_a = OfficeFactory(name="郝各庄镇便民服务中心", kind=OfficeKind.CENTRE, region=township_a)
    centre_b = OfficeFactory(name="霍各庄镇便民服务中心", kind=OfficeKind.CENTRE, region=township_b)
    station_a1 = OfficeFactory(name="西郝各庄村便民服务站", kind=OfficeKind.STATION, region=village_a1)
    station_a2 = OfficeFactory(name="东郝各庄村便民服务站", kind=OfficeKind.STATION, region=village_a2)
    station_b1 = OfficeFactory(name="西霍各庄村便民服务站", kind=OfficeKind.STATION, region=village_b1)

    def staff(username: str, office: Office | None, role: str | None, mobile: str | None = None) -> User:
        user = UserFactory(username=username, name=username, mobile=mobile)
        if office is not None:
            membership_create(actor=None, user=user, office=office, role=role)
        return user

    return World(
        county=county,
        township_a=township_a,
        township_b=township_b,
        village_a1=village_a1,
        village_a2=village_a2,
        village_b1=village_b1,
        d1=d1,
        d2=d2,
        ds=ds,
        centre_a=centre_a,
        centre_b=centre_b,
        station_a1=station_a1,
        station_a2=station_a2,
        station_b1=station_b1,
        assistant_a1=staff("assistant_a1", station_a1, Role.VILLAGE_ASSISTANT, "13900000001"),
        assistant_b1=staff("assistant_b1", station_b1, Role.VILLAGE_ASSISTANT, "13900000002"),
        clerk_a=staff("clerk_a", centre_a, Role.TOWNSHIP_CLERK, "13900000003"),
        supervisor_a=staff("supervisor_a", centre_a, Role.CENTRE_SUPERVISOR),
        clerk_b=staff("clerk_b", centre_b, Role.TOWNSHIP_CLERK),
        officer_d1=staff("officer_d1", d1, Role.COUNTY_OFFICER),
        editor=staff("editor", ds, Role.EDITOR),
        county_admin=staff("county_admin", ds, Role.ADMINISTRATOR),
        township_admin_a=staff("township_admin_a", centre_a, Role.ADMINISTRATOR),
        outsider=staff("outsider", None, None),
    )


MATRIX_ROLES = [
    "assistant_a1",
    "assistant_a2",
    "assistant_b1",
    "clerk_a",
    "supervisor_a",
    "clerk_b",
    "officer_d1",
    "editor",
    "county_admin",
    "township_admin_a",
    "outsider",
    "anonymous",
]
"""The permission matrices' cast: the world's people, assistant_a2 (station A2: the same
township as A1, none of its work) and anonymous."""


def build_matrix_cast() -> tuple[World, dict[str, User]]:
    """The world and the matrices' people (everyone of `MATRIX_ROLES` but anonymous)."""
    world = build_world()
    assistant_a2 = UserFactory(username="assistant_a2", name="assistant_a2", mobile="13900000009")
    membership_create(actor=None, user=assistant_a2, office=world.station_a2, role=Role.VILLAGE_ASSISTANT)
    return world, {**world.people, "assistant_a2": assistant_a2}


DEMO_DAY = datetime.datetime(2026, 12, 7, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def demo_day():
    """The day the demo tests load the demo on, whatever the real clock says: a Monday (its
    stories once failed on every Saturday, Sunday and Monday) near the year turn, with 2027 not
    confirmed. tests/test_demo_dates.py tells the stories on thirty other days."""
    with time_machine.travel(DEMO_DAY, tick=True):
        yield DEMO_DAY


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the site's default language: a request through LocaleMiddleware
    leaves its language active in the thread, and the next test (whichever runs next, in
    parallel runs) would inherit it."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache: cached public pages must not leak between tests."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def world(request, db) -> World:
    """The cast, built once per module (tests/sharing.py); each test has its own copy."""
    return shared(request, "world")


shareable("world", world)(lambda get: build_world())


CHROMIUM = "/usr/bin/chromium"

# What `make demo` depends on, run on SQLite (its embedded database) as well as on PostgreSQL:
# `make test-sqlite` runs the tests marked `embedded`. Node-id prefixes, each with its reason.
EMBEDDED = {
    "tests/test_demo.py": (
        "the demo loads, tells its stories, finds its items, leaves no task queued on the demo's "
        "database, and each login walks it"
    ),
    "tests/test_demo_dates.py": "the demo stories on eight dates, thirty in test-slow (SQLite only)",
    "tests/web/test_serve_demo.py": "serve_demo on a file copy of the database (SQLite only)",
    "tests/web/test_pages.py": "the page frame every demo page has",
    "tests/fuzz/": "fuzzing the forms (SQLite only: it exercises views, not the database)",
    "tests/backup/test_backup_commands.py": "the quick backup round trip (SQLite only)",
    "tests/approvals/test_sqlite_concurrent_submits.py": "simultaneous submits on a SQLite file",
    "tests/workdays/test_checks.py::TestWithoutADatabase": "the calendar check on a SQLite file",
}

# Every transactional test in this suite uses `serialized_rollback=True`: a transactional test
# without it flushes the database and lets post_migrate recreate content types, and the next one
# with it then fails to restore its snapshot (duplicate content types) on PostgreSQL.


@pytest.hookimpl(tryfirst=True)  # before `-m` selects on the markers added here
def pytest_collection_modifyitems(config, items):
    """The `EMBEDDED` tests are marked so. Tests marked `postgres` need PostgreSQL's locking; on SQLite they are reported as skipped.
    Tests marked `browser` need the system Chromium: skipped where it is missing, except under
    CI, where a missing browser is a failure (`.ci/run` installs it)."""
    import os

    from django.db import connection

    skip_postgres = pytest.mark.skip(reason="needs PostgreSQL (make test runs it there too)")
    browser_missing = not os.path.exists(CHROMIUM)
    if browser_missing and os.environ.get("CI") == "true":
        raise pytest.UsageError(f"{CHROMIUM} is missing under CI: .ci/run must install Debian's chromium")
    skip_browser = pytest.mark.skip(reason=f"needs {CHROMIUM} (apt-get install chromium)")
    sharing.group_by_shared_data(items)
    unserialized = [item.nodeid for item in items if sharing.flushes_without_restoring(item)]
    if unserialized:
        raise pytest.UsageError(
            "Tests that commit must be marked django_db(transaction=True, serialized_rollback=True) "
            f"(the comment below says why): {unserialized[:5]}"
        )
    embedded = pytest.mark.embedded
    for item in items:
        if any(item.nodeid.startswith(prefix) for prefix in EMBEDDED):
            item.add_marker(embedded)
        if "postgres" in item.keywords and connection.vendor != "postgresql":
            item.add_marker(skip_postgres)
        if "browser" in item.keywords and browser_missing:
            item.add_marker(skip_browser)


CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def chromium(monkeypatch):
    """The system Chromium (browser downloads are not possible here); a test opens one context
    (cookie jar) per person who logs in, or asks for `browser_page`."""
    from django.db import connections
    from playwright.sync_api import sync_playwright

    # Playwright runs an event loop in this thread; Django's async-safety check would refuse
    # the ORM calls the test makes around it.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
            # The live server's threads (and ORM calls made while Playwright's loop runs) keep
            # connections open; PostgreSQL cannot drop the test database at the end while they do.
            connections.close_all()


@pytest.fixture
def browser_page(chromium):
    """A Playwright page the size of a phone, in Chinese."""
    page = chromium.new_page(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page.set_default_timeout(15_000)
    return page

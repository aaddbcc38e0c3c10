"""`make demo`'s data: real names and codes, one login per role, idempotent, demo mode only;
its stories (applications in every state, the ledger, ratings) and a page walk as each login.

Loading the demo takes a while, so it is loaded once for this module (tests/sharing.py) and each
test runs in its own savepoint on it; the tests that check a second load adds nothing load it
again inside theirs. It runs on a fixed day (`demo_day`); tests/test_demo_dates.py tells the
stories on thirty others. It is loaded as `manage.py load_demo` loads it on a deployment, under
the database task backend, so that one load also shows that it leaves no task queued (issue 15).
"""

import datetime
import re
from io import StringIO
from typing import NamedTuple

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from wagtail.documents import get_document_model
from wagtail.models import Page, ReferenceIndex
from wagtail.search.models import IndexEntry

from approvals.decision_papers import paper_for, paper_title, papers_available
from approvals.models import (
    Application,
    ApplicationEvent,
    ApplicationFile,
    ApplicationSequence,
    Notice,
    NoticeItem,
)
from ledger.models import LedgerEvent, LedgerItem, LedgerSequence
from portal.demo.applications import case_token, load_demo_applications
from portal.demo.ledger import load_demo_ledger
from portal.demo.ratings import load_demo_ratings
from portal.offices.models import Office, OfficeKind
from portal.outbox.models import OutboxMessage
from portal.people.models import Membership, Resident, User
from portal.people.roles import Role
from portal.places.models import Region, RegionLevel
from portal.printing import layout
from ratings.models import Rating, RatingEvent
from services_catalog.models import Delegation, ServiceItemPage
from services_catalog.search.selectors import guide_search
from tests.certificates.conftest import pdf_pages, pdf_text
from tests.conftest import DEMO_DAY
from tests.demo_checks import check_applications, check_ledger, check_ratings
from tests.sharing import shareable, shared

pytestmark = pytest.mark.usefixtures("demo_day")


class Loaded(NamedTuple):
    at: datetime.datetime  # when the load ended
    output: str  # what `load_demo` printed


# The production backend, which keeps what is enqueued in a table for a worker (the suite's own
# backend runs each task at once, which would hide a task the load leaves behind).
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def load_demo() -> Loaded:
    """Loads the demo on `DEMO_DAY` as `manage.py load_demo` does on a deployment. The command
    first runs the system checks, which load the URLs, and so the back office's viewsets, which
    register their models with Wagtail's reference index; call_command skips the checks, so the
    URLs are loaded here as the command would have loaded them."""
    reverse("wagtailadmin_home")
    out = StringIO()
    with (
        time_machine.travel(DEMO_DAY, tick=True),
        override_settings(CUNBAN_DEMO=True, TASKS=DATABASE_TASKS),
    ):
        call_command("load_demo", stdout=out)
        return Loaded(timezone.now(), out.getvalue())


@pytest.fixture
def demo(request, db) -> Loaded:
    """The demo, loaded once per module: when its loading ended, and what it printed."""
    return shared(request, "demo")


@pytest.fixture
def demo_day(request):
    """The tests run on `DEMO_DAY`, just after the demo was loaded (its events may not lie in the
    future)."""
    loaded = request.getfixturevalue("demo").at if "demo" in request.fixturenames else DEMO_DAY
    with time_machine.travel(loaded + datetime.timedelta(seconds=1), tick=True):
        yield DEMO_DAY


shareable("demo", demo)(lambda get: load_demo())

COUNTS = (Region, Office, User, Membership, Resident)


def counts():
    return {model.__name__: model.objects.count() for model in COUNTS}


@pytest.mark.django_db
def test_demo_refuses_outside_demo_mode():
    users = User.objects.count()
    with override_settings(CUNBAN_DEMO=False), pytest.raises(CommandError, match="CUNBAN_DEMO"):
        call_command("load_demo")
    assert User.objects.count() == users


@pytest.mark.django_db
@override_settings(CUNBAN_DEMO=True)
def test_demo_loads_a_real_county_once(client, demo):
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
def test_demo_confirms_the_calendars_of_the_years_its_stories_touch(demo):
    """Each year the stories touch whose State Council schedule the holidays package carries;
    the others (the notice is not out yet) stay without a calendar: the demo invents none."""
    from django.utils import timezone

    from portal.demo.loader import story_years
    from portal.workdays.holiday_package import package_has_schedule
    from portal.workdays.models import CalendarYear

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
def test_villagers_words_find_the_intended_demo_item_first(client, demo):
    for query, title in DEMO_SEARCHES.items():
        hits = guide_search(query, limit=5)
        assert hits and hits[0].page.title == title, (query, [hit.page.title for hit in hits])
    body = client.get("/search/", {"q": "盖房子"}).content.decode()
    results = body[body.index('<ol class="results">') :]
    first = results[: results.index("</li>")]
    assert 'href="/guide/120115-xk-001/"' in first  # 农村宅基地和建房（规划许可）审批


SEARCH_FIELDS = ("content_type", "object_id", "title", "body")


def rows(model, fields) -> list[tuple]:
    return sorted(model.objects.values_list(*fields))


@pytest.mark.django_db
def test_the_demo_load_leaves_no_task_queued_and_its_indexes_are_right(demo):
    """Issue 15: the load used to leave about 1,470 index updates on the database queue, which a
    first catalogue upload waited behind. It runs them itself (portal/web/deferred_tasks.py): the
    queue is empty, and the indexes those tasks keep are right, Wagtail's reference index and
    search index."""
    assert not DBTaskResult.objects.exists(), list(
        DBTaskResult.objects.values_list("task_path", flat=True)[:5]
    )
    assert "background tasks:" in demo.output

    # The guide search villagers use.
    for query, title in {
        "低保": "最低生活保障审核确认",
        "dibao": "最低生活保障审核确认",
        "盖房子": "农村宅基地和建房（规划许可）审批",
    }.items():
        hits = guide_search(query, limit=3)
        assert hits and hits[0].page.title == title, (query, [hit.page.title for hit in hits])

    # Wagtail's reference index ("used by" in the back office): the guide item names its
    # department, its delegation record names the item, the department its county.
    item = ServiceItemPage.objects.get(title="最低生活保障审核确认")
    delegation = Delegation.objects.filter(item=item).first()
    assert {(ref.content_type.model, ref.object_id) for ref in ReferenceIndex.get_references_to(item)} >= {
        ("delegation", str(delegation.pk))
    }
    assert str(item.pk) in {ref.object_id for ref in ReferenceIndex.get_references_to(item.department)}
    assert ReferenceIndex.get_references_to(item.department.region).exists()

    # Wagtail's search index (the back office's search) holds every page and document (the
    # items' blank forms and samples) as rebuilding it would (a rebuild adds the tree's root,
    # which migrations made and no load saved).
    entries = rows(IndexEntry, SEARCH_FIELDS)
    pages = {(content_type, str(pk)) for content_type, pk in Page.objects.values_list("content_type", "pk")}
    document_type = ContentType.objects.get_for_model(get_document_model()).pk
    documents = {(document_type, str(pk)) for pk in get_document_model().objects.values_list("pk", flat=True)}
    assert documents, "the demo's items carry blank forms and samples"
    root = Page.get_first_root_node()
    assert {(content_type, pk) for content_type, pk, *_ in entries} == (pages | documents) - {
        (root.content_type_id, str(root.pk))
    }
    call_command("wagtail_update_index", stdout=StringIO())
    rebuilt = set(rows(IndexEntry, SEARCH_FIELDS))
    assert set(entries) <= rebuilt
    assert {row[:2] for row in rebuilt - set(entries)} <= {(root.content_type_id, str(root.pk))}


APPLICATIONS_COUNTED = (
    Application,
    ApplicationEvent,
    ApplicationFile,
    Notice,
    NoticeItem,
    ApplicationSequence,
    OutboxMessage,
    Resident,
)


def applications_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in APPLICATIONS_COUNTED}


@pytest.mark.django_db
@override_settings(CUNBAN_DEMO=True)
def test_demo_applications_cover_every_state_and_load_once(demo):
    check_applications()
    assert OutboxMessage.objects.exclude(status="pending").count() == 0  # messages wait in the outbox

    first = applications_counts()
    lines = []
    assert load_demo_applications(progress=lines.append) == 0
    assert applications_counts() == first
    assert "already loaded" in lines[0]


@pytest.mark.django_db
def test_demo_refused_and_approved_applications_produce_their_papers(demo, capsys):
    """受理通知书 and the refusal (with the demo county's remedies, 不予给付 for a benefit, never
    行政许可法), one A4 page each; the sizes are printed for the issue's note (`-s`)."""
    expected = {"xhgz-gaoling-rejected": ["acceptance", "refusal"], "xhgz-dibao-approved": ["acceptance"]}
    for key, kinds in expected.items():
        application = Application.objects.select_related("item").get(client_token=case_token(key))
        assert papers_available(application) == kinds, key
        for kind in kinds:
            data = layout.render([paper_for(application, kind)], title=application.number)
            text = "".join(pdf_text(data).split())
            assert pdf_pages(data) == 1 and "行政许可法" not in text, (key, kind)
            assert paper_title(application, kind) in text
            if kind == "refusal":
                assert "不予给付决定书" in text and "天津市宝坻区人民政府申请行政复议" in text
                assert "天津市宝坻区人民法院" in text
            if key == "xhgz-dibao-approved":
                assert "社会救助暂行办法》第十一条" in text  # the item's own law (程序依据)
            with capsys.disabled():
                print(
                    f"\n{key} {application.number} {paper_title(application, kind)}: {pdf_pages(data)} page, {len(data)} bytes"
                )


@pytest.mark.django_db
@override_settings(CUNBAN_DEMO=True)
def test_demo_ledger_covers_every_state_in_every_village_and_loads_once(client, demo):
    """In every demo village a request waiting, one in progress, one overdue, one done awaiting
    the villager's confirmation and one closed, built through the services."""
    check_ledger()
    counted = (LedgerItem, LedgerEvent, LedgerSequence)
    first = [model.objects.count() for model in counted]
    lines = []
    assert load_demo_ledger(progress=lines.append) == 0
    assert [model.objects.count() for model in counted] == first and "already loaded" in lines[0]
    township = Region.objects.get(code="120115121000")
    response = client.get(f"/promises/{township.code}/")
    assert response.status_code == 200 and 'class="promise-closed"' in response.content.decode()


@pytest.mark.django_db
@override_settings(CUNBAN_DEMO=True)
def test_demo_ratings_cover_every_level_and_state_and_load_once(demo):
    """Every level, a rectification in each state, an appeal waiting and one decided, an overdue
    rectification on the supervisor's list."""
    check_ratings()

    before = (Rating.objects.count(), RatingEvent.objects.count())
    lines = []
    assert load_demo_ratings(progress=lines.append) == 0
    assert (Rating.objects.count(), RatingEvent.objects.count()) == before
    assert "already loaded" in lines[0]


# -- a page walk as each demo login -----------------------------------------------------------------

# Where each demo login lands after logging in; links not followed change state or leave the pages.
LANDING = {
    "demo_assistant": "/staff/",
    "demo_clerk": "/staff/",
    "demo_supervisor": "/staff/",
    "demo_officer": "/staff/",
    "demo_editor": "/admin/",
    "demo_admin": "/admin/",
    "demo_township_admin": "/admin/",
    None: "/",
}
NOT_FOLLOWED = re.compile(r"^/(static|media)/|logout|/i18n/|/lang|\.(pdf|csv|xlsx)$|/download/|/export")


def links(body: str) -> list[str]:
    """The site's own links on a page, with the back office's menu (rendered from JSON)."""
    found = dict.fromkeys(
        re.findall(r'href="(/[^"#]*)"', body)
        + re.findall(r"&quot;url&quot;: &quot;(/[^&#]*)&quot;", body)
        + re.findall(r'"url": "(/[^"#]*)"', body)
    )
    return [href.replace("&amp;", "&") for href in found if not NOT_FOLLOWED.search(href)]


@pytest.mark.parametrize("username", list(LANDING), ids=lambda name: name or "anonymous")
def test_every_page_a_demo_login_reaches_from_where_it_lands_answers(client, demo, username):
    if username:
        client.force_login(User.objects.get(username=username))
    landing = client.get(LANDING[username], follow=True)
    assert landing.status_code == 200, LANDING[username]
    hrefs = links(landing.content.decode())
    assert len(hrefs) >= 3, f"the landing page links to {hrefs}"
    broken = {}
    for href in hrefs:
        status = client.get(href).status_code
        if status not in (200, 302):
            broken[href] = status
    assert not broken, f"{username or 'anonymous'} on {LANDING[username]}: {broken}"

"""The staff home (/staff/, issue 18 gaps 1-3): every login lands on it and finds its work.

- ONE table of role × link shown (`SHOWN`, written from the domain's rules, not from the code):
  every link on the home answers 200 for whoever sees it, and no one sees a link they may not
  open (gap 3: editors were shown 联席会议清单 and 满意度统计, which answered 404).
- The counts (待受理, 即将超期, 已超期, 待补正; the station's 待补正, 草稿, 待受理) are exactly the
  rows of the list each one links to, and the home asks a fixed number of queries.
- /admin/ answers staff without back-office access with a 403 page that leads to /staff/
  (gap 2), never a redirect and never the login page.
"""

import datetime
import re
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone

from approvals import services
from approvals.deadlines import calendar_around
from approvals.models import Application
from approvals.services import MissingItem
from tests.approvals.conftest import cases, items, residents  # noqa: F401
from tests.conftest import WORLD_PEOPLE
from tests.services_catalog.conftest import delegate, dibao, guide  # noqa: F401

pytestmark = pytest.mark.django_db

INBOX = "/work/"
STATION = "/work/station/"
NEW = "/work/new/"
PRINT = "/work/certificates/"
RECTIFICATIONS = "/work/rectifications/"
APPEALS = "/work/appeals/"
LEDGER = "/work/ledger/"
MEETING = "/work/meeting/"
FIGURES = "/work/satisfaction/"
BACK_OFFICE = "/admin/"

# What each person's home links to (paths, counts' filters aside), from the domain's rules: the
# office's handlers (clerks, supervisors, county officers) have the inbox and print certificates;
# a station's assistant files; whoever sees some application's work sees the rectifications, the
# ledger and the meeting sheet of their region; who answers for an office (a supervisor, a
# department's officers) and administrators see the satisfaction figures; the county
# administrator decides appeals; the back office is for administrators and editors. An editor
# sees no application, so no work link; the test world has no pages for them to edit.
HANDLER = {INBOX, PRINT, RECTIFICATIONS, LEDGER, MEETING}
SHOWN = {
    "assistant_a1": {NEW, STATION, RECTIFICATIONS, LEDGER, MEETING},
    "assistant_b1": {NEW, STATION, RECTIFICATIONS, LEDGER, MEETING},
    "clerk_a": HANDLER,
    "clerk_b": HANDLER,
    "supervisor_a": HANDLER | {FIGURES},
    "officer_d1": HANDLER | {FIGURES},
    "editor": {BACK_OFFICE},
    "county_admin": {RECTIFICATIONS, APPEALS, LEDGER, MEETING, FIGURES, BACK_OFFICE},
    "township_admin_a": {RECTIFICATIONS, LEDGER, MEETING, FIGURES, BACK_OFFICE},
    "outsider": set(),
}
FIRST = {  # the one primary action: the day's work
    "assistant_a1": NEW,
    "clerk_a": INBOX,
    "supervisor_a": INBOX,
    "officer_d1": INBOX,
    "editor": BACK_OFFICE,
    "county_admin": APPEALS,
}
NO_BACK_OFFICE = ["clerk_a", "supervisor_a", "assistant_a1", "officer_d1", "outsider"]


def test_the_table_names_every_person():
    assert set(SHOWN) == set(WORLD_PEOPLE)


def desk_links(body: str) -> list[str]:
    """The hrefs of the home's work links (titles and counts), in the page's order."""
    desk = re.search(r'<ul class="desk">(.*?)</ul>\s*(?:<form|\Z)', body, re.S)
    return re.findall(r'href="([^"]+)"', desk.group(1)) if desk else []


def home(client, user) -> str:
    client.force_login(user)
    response = client.get(reverse("web:staff_home"))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("person", WORLD_PEOPLE)
def test_each_person_sees_the_links_they_may_use_and_each_answers_200(client, world, person):
    links = desk_links(home(client, getattr(world, person)))
    assert {urlsplit(href).path for href in links} == SHOWN[person]
    for href in dict.fromkeys(links):
        response = client.get(href.replace("&amp;", "&"))
        assert response.status_code == 200, (person, href, response.status_code)


@pytest.mark.parametrize(("person", "first"), FIRST.items())
def test_the_first_link_is_the_primary_action(client, world, person, first):
    body = home(client, getattr(world, person))
    primary = re.search(r'<li class="desk-first"><a class="button primary go" href="([^"]+)"', body)
    assert primary and primary.group(1) == first


def test_someone_without_a_role_is_told_to_ask_their_administrator(client, world):
    body = home(client, world.outsider)
    assert "您还没有在任何服务机构担任角色，所以看不到任何工作。请联系管理员。" in body
    assert desk_links(body) == []


def test_the_footer_leads_every_login_to_the_home(client, world):
    client.force_login(world.clerk_a)
    body = client.get(reverse("approvals:inbox")).content.decode()
    assert f'<a href="{reverse("web:staff_home")}">工作台</a>' in body
    assert reverse("web:staff_home") == "/staff/"


# -- the counts -----------------------------------------------------------------------------------


def _set_due(application: Application, due_on: datetime.date) -> None:
    Application.objects.filter(pk=application.pk).update(due_on=due_on)


def _counts(body: str, *prefixes: str) -> dict[str, int]:
    """href -> the number shown on it, for the links under `prefixes`."""
    return {
        href.replace("&amp;", "&"): int(number)
        for href, number in re.findall(r'<li><a href="([^"]+)"[^>]*><strong>(\d+)</strong>', body)
        if href.startswith(prefixes)
    }


def _rows(client, href: str) -> int:
    return client.get(href).content.decode().count('<li><a href="/work/')


@pytest.fixture
def work(cases, world, items):  # noqa: F811
    """Centre A's work: two submitted, one returned, accepted ones due today, in two working days,
    in three, yesterday; and one of village A1's drafts."""
    today = timezone.localdate()
    calendar = calendar_around(today, working_days=10)
    cases.submitted()
    cases.submitted()
    returned = cases.submitted()
    material = next(m for m in returned.item.materials.all() if m.required)
    services.application_return(
        actor=world.clerk_a, application=returned, items=[MissingItem(material=material, reason="看不清")]
    )
    for due_on in (
        today,
        calendar.add_working_days(today, 2),
        calendar.add_working_days(today, 3),
        today - datetime.timedelta(days=1),
    ):
        _set_due(cases.accepted(), due_on)
    cases.draft()
    cases.submitted(where="b1")  # township B's: counted for nobody at centre A
    return today


def test_the_inbox_counts_are_the_rows_of_the_lists_they_link_to(client, world, work):
    counts = _counts(home(client, world.clerk_a), INBOX + "?", PRINT)
    assert counts == {
        f"{INBOX}?state=submitted": 2,
        f"{INBOX}?due=soon": 2,  # due today and in two working days
        f"{INBOX}?due=overdue": 1,
        f"{INBOX}?state=returned": 1,
        f"{PRINT}?days=1": 0,
    }
    for href, number in counts.items():
        if href.startswith(INBOX):
            assert _rows(client, href) == number, href


def test_the_station_counts_are_the_rows_of_the_lists_they_link_to(client, world, work):
    counts = _counts(home(client, world.assistant_a1), STATION)
    assert counts == {
        f"{STATION}?state=returned": 1,
        f"{STATION}?state=draft": 1,
        f"{STATION}?state=submitted": 2,
    }
    for href, number in counts.items():
        assert _rows(client, href) == number, href
    assert "只显示" in client.get(f"{STATION}?state=draft").content.decode()


def test_township_b_counts_none_of_township_a(client, world, work):
    counts = _counts(home(client, world.clerk_b), INBOX)
    assert counts[f"{INBOX}?state=submitted"] == 1
    assert counts[f"{INBOX}?due=overdue"] == 0


def test_a_paused_clock_is_neither_soon_nor_overdue(client, world, work):
    Application.objects.filter(due_on__lt=work).update(paused_since=work)
    counts = _counts(home(client, world.clerk_a), INBOX)
    assert counts[f"{INBOX}?due=overdue"] == 0
    assert _rows(client, f"{INBOX}?due=overdue") == 0


@pytest.mark.parametrize("person", ["clerk_a", "assistant_a1", "county_admin"])
def test_the_home_asks_a_fixed_number_of_queries(client, world, cases, person, django_assert_max_num_queries):  # noqa: F811
    user = getattr(world, person)
    client.force_login(user)
    with django_assert_max_num_queries(30) as few:  # about 5 are the session's and the login's
        client.get(reverse("web:staff_home"))
    for _ in range(3):
        cases.accepted()
        cases.draft()
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("web:staff_home"))


def test_the_home_shows_counts_and_no_application_or_villager(client, world, work):
    body = home(client, world.clerk_a)
    for application in Application.objects.exclude(number=None):
        assert application.number not in body
        assert application.applicant_name not in body


# -- gap 2: /admin/ without back-office access ----------------------------------------------------


@pytest.mark.parametrize("person", NO_BACK_OFFICE)
@pytest.mark.parametrize("path", ["/admin/", "/admin/pages/", "/admin/users/"])
def test_the_back_office_refuses_staff_without_access_with_a_page_that_leads_to_their_work(
    client, world, person, path
):
    client.force_login(getattr(world, person))
    response = client.get(path)
    assert response.status_code == 403
    body = response.content.decode()
    assert "您的账号不能进入管理后台" in body
    assert f'href="{reverse("web:staff_home")}">去我的工作台</a>' in body
    assert 'name="password"' not in body  # not the login page
    assert client.get(reverse("web:staff_home")).status_code == 200  # still logged in


@pytest.mark.parametrize("person", ["editor", "county_admin", "township_admin_a"])
def test_the_back_office_opens_for_who_may_use_it(client, world, person):
    client.force_login(getattr(world, person))
    assert client.get("/admin/").status_code == 200


def test_anonymous_visitors_are_still_sent_to_the_staff_login(client, db):
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("people:login"))


def test_the_refusal_is_in_english_for_who_chose_english(client, world):
    client.force_login(world.clerk_a)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    body = client.get("/admin/").content.decode()
    assert "Your account has no access to the back office" in body and "Go to my staff desk" in body


# -- gap 3: links only for who may open them ------------------------------------------------------


def test_editors_see_neither_the_meeting_sheet_nor_the_rectifications(client, world):
    links = desk_links(home(client, world.editor))
    assert MEETING not in links and RECTIFICATIONS not in links and LEDGER not in links
    assert client.get(MEETING).status_code == 404  # and indeed may not open it


@pytest.mark.parametrize(
    ("person", "shown"),
    [
        ("clerk_a", False),
        ("assistant_a1", False),
        ("editor", False),
        ("supervisor_a", True),
        ("officer_d1", True),
    ],
)
def test_the_rectification_list_links_the_figures_only_for_who_may_open_them(client, world, person, shown):
    client.force_login(getattr(world, person))
    body = client.get(reverse("ratings:rectifications")).content.decode()
    assert (f'href="{FIGURES}"' in body) is shown
    assert client.get(FIGURES).status_code == (200 if shown else 404)

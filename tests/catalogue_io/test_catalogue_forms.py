"""Issue 19: the catalogue file carries each item's application form (申请表 column, JSON).

Import writes it into the page and publishing keeps it as a form version; an unchanged form
makes no new version; export writes it back, so export → import is a no-op; a bad definition is
a problem of its row naming every fault; a file made before the column leaves forms alone. The
demo catalogue gives at least eight items a form, each readable.
"""

import copy
import json
from io import BytesIO
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation
from openpyxl import Workbook, load_workbook
from wagtail.models import Page

from cms.models import CountyHomePage
from services_catalog.catalogue_io import format as fmt
from services_catalog.catalogue_io.export import catalogue_export, catalogue_export_to_folder
from services_catalog.catalogue_io.reader import catalogue_read
from services_catalog.catalogue_io.services import catalogue_import
from services_catalog.catalogue_io.services.importing import ChangeKind
from services_catalog.item_forms.schema import Kind, parse_definition
from services_catalog.models import ItemFormVersion, ServiceItemPage
from tests.catalogue_io.files import catalogue_data, database_counts, import_data

DIBAO = "120115-JF-001"

FORM = {
    "sections": [
        {
            "title": "家庭成员",
            "intro": "填写共同生活的全部家庭成员。",
            "fields": [
                {
                    "key": "household",
                    "kind": "group",
                    "label": "家庭成员",
                    "required": True,
                    "max_items": 8,
                    "fields": [
                        {"key": "member", "kind": "person", "label": "成员", "required": True},
                        {"key": "monthly_income", "kind": "money", "label": "月收入", "min": "0"},
                    ],
                },
                {"key": "reason", "kind": "choice", "label": "申请原因", "choices": ["因病", "因残", "其他"]},
                {
                    "key": "reason_detail",
                    "kind": "text",
                    "label": "说明",
                    "max_length": 300,
                    "multiline": True,
                    "required_when": {"field": "reason", "value": "其他"},
                },
                {"key": "payment_account", "kind": "bank_account", "label": "发放账户", "required": True},
                {"key": "monthly_benefit", "kind": "money", "label": "月保障金额", "office_only": True},
            ],
        }
    ],
    "certificate": [
        {"label": "保障人数", "field": "household", "show": "count"},
        {"label": "月保障金额", "field": "monthly_benefit", "show": "value"},
    ],
}


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def county_home(world) -> CountyHomePage:
    return Page.get_first_root_node().add_child(
        instance=CountyHomePage(title="宝坻区", slug="baodi", region=world.county)
    )


def _with_form(form=FORM, code=DIBAO) -> dict:
    data = catalogue_data()
    for row in data[fmt.ITEMS]:
        if row["item_code"] == code:
            row["application_form"] = json.dumps(form, ensure_ascii=False, indent=1)
    return data


def _versions(code=DIBAO) -> list[ItemFormVersion]:
    return list(ItemFormVersion.objects.filter(item__item_code=code).order_by("number"))


def _item(code=DIBAO) -> ServiceItemPage:
    return ServiceItemPage.objects.get(item_code=code)


def _expected(form=FORM) -> dict:
    return parse_definition(form).to_json()


def test_an_imported_form_is_on_the_page_and_published_as_version_1(county_home, world):
    report = import_data(county_home, _with_form())

    assert report.ok, report.problems
    assert _item().form_spec().to_json() == _expected()
    (version,) = _versions()
    assert version.number == 1 and version.definition == _expected()
    # Items whose cell is empty ask nothing more, and have no version.
    assert _item("120115-JF-002").form_spec().is_empty and not _versions("120115-JF-002")


def test_a_bad_form_is_a_problem_of_its_row_naming_every_fault(county_home, world):
    bad = copy.deepcopy(FORM)
    bad["sections"][0]["fields"][1]["kind"] = "colour"  # 申请原因: unknown kind
    bad["certificate"][1]["field"] = "monthly_amount"  # names no field
    before = database_counts()

    report = import_data(county_home, _with_form(bad))

    assert not report.ok and database_counts() == before
    form_problems = [p for p in report.problems if p.column == "application_form"]
    assert {(p.sheet, p.row) for p in form_problems} == {(fmt.ITEMS, 2)}
    messages = " | ".join(p.message for p in form_problems)
    assert "unknown kind “colour”" in messages
    assert "“monthly_amount”, which is not a field of the form" in messages
    assert all(p.message.startswith("Application form (申请表): ") for p in form_problems)
    assert str(form_problems[0]).startswith("items, row 2, application_form: ")


def test_a_form_the_back_office_could_not_save_again_is_refused(county_home, world):
    """The editor's blocks limit a label to 60 characters; the file may not go beyond them."""
    long = copy.deepcopy(FORM)
    long["sections"][0]["fields"][1]["label"] = "申" * 61

    report = import_data(county_home, _with_form(long))

    (problem,) = report.problems
    assert (problem.row, problem.column) == (2, "application_form")
    assert "section 1 · fields 2 · label: Ensure this value has at most 60 characters" in problem.message


def test_a_cell_that_is_not_json_is_a_problem(county_home, world):
    data = catalogue_data()
    data[fmt.ITEMS][1]["application_form"] = "{sections: 家庭成员"

    report = import_data(county_home, data)

    (problem,) = report.problems
    assert (problem.row, problem.column) == (3, "application_form")
    assert "not valid JSON" in problem.message


def test_export_then_import_gives_the_same_definition_and_changes_nothing(county_home, world, tmp_path):
    import_data(county_home, _with_form())

    workbook = catalogue_export(county_home=county_home)

    sheet = list(load_workbook(BytesIO(workbook), read_only=True)[fmt.ITEMS].iter_rows(values_only=True))
    header = [fmt.header_key(cell) for cell in sheet[0]]
    assert sheet[0][-1] == "application_form/申请表"
    cells = {row[0]: dict(zip(header, row, strict=True)) for row in sheet[1:]}
    assert json.loads(cells[DIBAO]["application_form"]) == _expected()
    assert cells["120115-JF-002"]["application_form"] is None  # empty: no form
    again = catalogue_import(actor=None, source=workbook, county_home=county_home)
    assert again.ok and again.counts[fmt.ITEMS].unchanged == 3
    folder = tmp_path / "catalogue"
    catalogue_export_to_folder(county_home=county_home, path=folder)
    from_csv = catalogue_import(actor=None, source=folder, county_home=county_home)
    assert from_csv.ok and from_csv.counts[fmt.ITEMS].unchanged == 3
    assert _item().form_spec().to_json() == _expected()
    assert len(_versions()) == 1


def test_reimporting_an_unchanged_form_makes_no_new_version(county_home, world):
    import_data(county_home, _with_form())
    import_data(county_home, _with_form())
    assert len(_versions()) == 1

    # Another column of the row changes: the page is published again, the form is the same.
    data = _with_form()
    data[fmt.ITEMS][0]["promised_limit_days"] = 15
    report = import_data(county_home, data)

    assert report.counts[fmt.ITEMS].updated == 1
    assert _item().promised_limit_days == 15
    assert len(_versions()) == 1


def test_a_changed_form_is_a_new_version_and_the_dry_run_names_it(county_home, world):
    import_data(county_home, _with_form())
    changed = copy.deepcopy(FORM)
    changed["sections"][0]["fields"][1]["choices"].append("年老体弱")

    with translation.override("zh-hans"):
        dry = import_data(county_home, _with_form(changed), dry_run=True)
    (item,) = [c for c in dry.changes if c.sheet == fmt.ITEMS and c.key == DIBAO]
    assert item.kind == ChangeKind.CHANGED
    (field,) = [f for f in item.fields if f.field == "application_form"]
    assert "申请表已修改" in field.new
    assert len(_versions()) == 1

    import_data(county_home, _with_form(changed))

    assert [v.number for v in _versions()] == [1, 2]
    assert _versions()[-1].definition == _expected(changed)


def test_an_emptied_cell_removes_the_form(county_home, world):
    import_data(county_home, _with_form())

    report = import_data(county_home, catalogue_data())  # the column is there, every cell empty

    assert report.ok
    assert _item().form_spec().is_empty
    assert [v.definition for v in _versions()] == [_expected(), {}]


def _old_workbook(data: dict) -> bytes:
    """A file made before the 申请表 column: every other column, in the format's order."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for sheet, rows in data.items():
        worksheet = workbook.create_sheet(sheet)
        keys = [column.key for column in fmt.COLUMNS[sheet] if column.key != "application_form"]
        worksheet.append([column.header for column in fmt.COLUMNS[sheet] if column.key in keys])
        for row in rows:
            worksheet.append([row.get(key, "") for key in keys])
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_a_file_without_the_column_still_imports_and_leaves_forms_alone(county_home, world):
    old = _old_workbook(catalogue_data())

    report = catalogue_import(actor=None, source=old, county_home=county_home)

    assert report.ok, report.problems
    assert report.counts[fmt.ITEMS].created == 3

    import_data(county_home, _with_form())
    data = catalogue_data()
    data[fmt.ITEMS][0]["promised_limit_days"] = 15
    again = catalogue_import(actor=None, source=_old_workbook(data), county_home=county_home)

    assert again.ok and again.counts[fmt.ITEMS].updated == 1
    assert _item().form_spec().to_json() == _expected()
    assert len(_versions()) == 1


# -- the demo catalogue ----------------------------------------------------------------------------

DEMO_CATALOGUE = Path(settings.BASE_DIR) / "services_catalog" / "demo_catalogue"


def test_the_demo_catalogue_gives_at_least_eight_items_a_readable_form():
    raw = catalogue_read(DEMO_CATALOGUE)
    assert not raw.problems
    forms = {
        values["item_code"]: parse_definition(values["application_form"])
        for _row, values in raw.sheets[fmt.ITEMS].rows
        if values["application_form"]
    }

    assert len(forms) >= 8
    assert all(not spec.is_empty for spec in forms.values())
    dibao = forms[DIBAO]
    household = dibao.field("household")
    assert household is not None and household.kind == Kind.GROUP and household.max_items == 8
    assert {child.kind for child in household.fields} >= {Kind.PERSON, Kind.MONEY, Kind.CHOICE}
    benefit = dibao.field("monthly_benefit")
    assert benefit is not None and benefit.office_only and benefit.kind == Kind.MONEY
    assert [(line.label, line.show) for line in dibao.certificate] == [
        ("保障人数", "count"),
        ("月保障金额", "value"),
    ]
    for code in ("120115-XK-001", "120115-JF-006", "120115-GG-002", "120115-GG-013"):
        assert code in forms, code

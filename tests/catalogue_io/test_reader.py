"""`catalogue_read`: sheets and cells as a person sees them, whichever file type came in."""

import datetime
from io import BytesIO

from openpyxl import Workbook

from services_catalog.catalogue_io import format as fmt
from services_catalog.catalogue_io.reader import catalogue_read, cell_text

from .files import catalogue_data, csv_folder, workbook_bytes


def test_a_workbook_and_a_csv_folder_read_the_same(tmp_path):
    data = catalogue_data()

    from_workbook = catalogue_read(workbook_bytes(data))
    from_folder = catalogue_read(csv_folder(data, tmp_path / "csv"))

    assert from_workbook.problems == from_folder.problems == []
    for sheet in fmt.SHEETS:
        assert from_workbook.sheets[sheet].rows == from_folder.sheets[sheet].rows
    assert from_workbook.sheets[fmt.ITEMS].rows[0][1]["legal_limit_days"] == "30"


def test_blank_rows_are_skipped_but_counted(tmp_path):
    data = catalogue_data()
    folder = csv_folder(data, tmp_path)
    path = folder / "synonyms.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join([lines[0], ",", lines[1], "", lines[2]]) + "\n", encoding="utf-8")

    sheet = catalogue_read(folder).sheets[fmt.SYNONYMS]

    assert [(number, values["phrase"]) for number, values in sheet.rows] == [(3, "低保"), (5, "高龄补贴")]


def test_a_byte_order_mark_is_accepted(tmp_path):
    folder = csv_folder(catalogue_data(), tmp_path)
    path = folder / "items.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())

    raw = catalogue_read(folder)

    assert raw.problems == []
    assert raw.sheets[fmt.ITEMS].rows[0][1]["item_code"] == "120115-JF-001"


def test_a_csv_file_that_is_not_utf8_is_reported(tmp_path):
    folder = csv_folder(catalogue_data(), tmp_path)
    (folder / "synonyms.csv").write_bytes("phrase,means\n低保,最低生活保障\n".encode("gb18030"))

    raw = catalogue_read(folder)

    assert [(p.sheet, p.message) for p in raw.problems] == [
        ("synonyms", "The file is not UTF-8 text: save it as UTF-8 CSV.")
    ]


def test_a_missing_csv_file_is_reported(tmp_path):
    folder = csv_folder(catalogue_data(), tmp_path)
    (folder / "materials.csv").unlink()

    assert [(p.sheet, p.message) for p in catalogue_read(folder).problems] == [
        ("materials", "The folder has no file materials.csv.")
    ]


def test_a_value_under_an_empty_heading_is_reported_by_column_letter():
    workbook = Workbook()
    workbook.active.title = "synonyms"
    workbook.active.append(["phrase", "means", None])
    workbook.active.append(["低保", "最低生活保障", "多余"])
    for sheet in (fmt.ITEMS, fmt.MATERIALS, fmt.DELEGATIONS):
        workbook.create_sheet(sheet).append([column.key for column in fmt.COLUMNS[sheet]])
    buffer = BytesIO()
    workbook.save(buffer)

    raw = catalogue_read(buffer.getvalue())

    assert [(p.sheet, p.row, p.column) for p in raw.problems] == [("synonyms", 2, "C")]


def test_sheet_names_ignore_case_and_spaces():
    workbook = Workbook()
    workbook.remove(workbook.active)
    for sheet in fmt.SHEETS:
        workbook.create_sheet(f" {sheet.upper()} ").append([column.key for column in fmt.COLUMNS[sheet]])
    buffer = BytesIO()
    workbook.save(buffer)

    assert catalogue_read(buffer.getvalue()).problems == []


def test_cells_read_as_people_see_them():
    assert cell_text(None) == ""
    assert cell_text(30.0) == "30"
    assert cell_text(30) == "30"
    assert cell_text(2.5) == "2.5"
    assert cell_text(True) == "是"
    assert cell_text(datetime.datetime(2024, 3, 1)) == "2024-03-01"
    assert cell_text(datetime.date(2024, 3, 1)) == "2024-03-01"
    assert cell_text("  一\r\n二  ") == "一\n二"

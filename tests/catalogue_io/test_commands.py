"""`import_catalogue` and `export_catalogue`: exit codes, the progress line and the summary."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from services_catalog.catalogue_io import format as fmt
from services_catalog.models import ServiceItemPage

from .files import catalogue_data, csv_folder, database_counts, workbook_bytes


def run(*args) -> tuple[str, str]:
    stdout, stderr = StringIO(), StringIO()
    call_command(*args, stdout=stdout, stderr=stderr)
    return stdout.getvalue(), stderr.getvalue()


@pytest.fixture
def workbook_path(tmp_path):
    path = tmp_path / "catalogue.xlsx"
    path.write_bytes(workbook_bytes(catalogue_data()))
    return path


@pytest.fixture
def bad_workbook_path(tmp_path):
    data = catalogue_data()
    data[fmt.ITEMS][1]["department"] = "宝坻区教育局"
    data[fmt.DELEGATIONS][0]["valid_from"] = "2024年3月1日"
    path = tmp_path / "bad.xlsx"
    path.write_bytes(workbook_bytes(data))
    return path


class TestImportCatalogue:
    def test_it_imports_and_prints_a_summary(self, county_home, workbook_path):
        stdout, stderr = run("import_catalogue", str(workbook_path), "--county", "120115")

        assert ServiceItemPage.objects.count() == 3
        assert "Imported into 宝坻区:" in stdout
        assert "items: created 3, updated 0, unchanged 0" in stdout
        assert "materials: created 6, updated 0, unchanged 0, removed 0" in stdout
        assert "Checking rows" in stderr and "13/13" in stderr
        assert "Writing" in stderr and "7/7" in stderr

    def test_the_county_may_be_left_out_when_there_is_one(self, county_home, workbook_path):
        run("import_catalogue", str(workbook_path))

        assert ServiceItemPage.objects.count() == 3

    def test_it_reads_a_csv_folder(self, county_home, tmp_path):
        stdout, _ = run(
            "import_catalogue",
            str(csv_folder(catalogue_data(), tmp_path / "csv")),
            "--county",
            "120115000000",
        )

        assert "items: created 3" in stdout

    def test_a_dry_run_writes_nothing(self, county_home, workbook_path):
        before = database_counts()

        stdout, _ = run("import_catalogue", str(workbook_path), "--dry-run")

        assert "Dry run" in stdout and "items: created 3" in stdout
        assert database_counts() == before

    def test_a_bad_file_lists_every_problem_and_exits_with_status_1(self, county_home, bad_workbook_path):
        """`manage.py` turns a CommandError into its `returncode` as the exit status (the test
        calls the command directly: `run_from_argv` would close the test's database connection)."""
        before = database_counts()
        stderr = StringIO()

        with pytest.raises(CommandError) as error:
            call_command("import_catalogue", str(bad_workbook_path), stdout=StringIO(), stderr=stderr)

        assert error.value.returncode == 1
        assert str(error.value).startswith("2 problems in ") and str(error.value).endswith(
            "; nothing was imported."
        )
        lines = stderr.getvalue()
        assert "items, row 3, department: 宝坻区 has no county department named “宝坻区教育局”." in lines
        assert "delegations, row 2, valid_from: “2024年3月1日” is not a date written as YYYY-MM-DD." in lines
        assert database_counts() == before

    def test_a_missing_path_is_an_error(self, county_home, tmp_path):
        with pytest.raises(CommandError, match="There is no file or folder"):
            run("import_catalogue", str(tmp_path / "missing.xlsx"))

    def test_an_unknown_county_is_an_error(self, county_home, workbook_path):
        with pytest.raises(CommandError, match="No county home page for the county 120114"):
            run("import_catalogue", str(workbook_path), "--county", "120114")


class TestExportCatalogue:
    def test_it_writes_a_workbook_that_imports_back_unchanged(self, county_home, workbook_path, tmp_path):
        run("import_catalogue", str(workbook_path))
        target = tmp_path / "out" / "export.xlsx"

        stdout, _ = run("export_catalogue", str(target), "--county", "120115")

        assert "The catalogue of 宝坻区 is in" in stdout
        stdout, _ = run("import_catalogue", str(target))
        assert "items: created 0, updated 0, unchanged 3" in stdout

    def test_any_other_path_is_a_folder_of_csv_files(self, county_home, workbook_path, tmp_path):
        run("import_catalogue", str(workbook_path))

        run("export_catalogue", str(tmp_path / "csv"))

        assert sorted(path.name for path in (tmp_path / "csv").iterdir()) == [
            "delegations.csv",
            "items.csv",
            "materials.csv",
            "synonyms.csv",
        ]

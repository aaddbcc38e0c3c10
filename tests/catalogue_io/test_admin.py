"""The back office of catalogue import: upload, follow the run, download the export.

Who sees what: the county administrator uses every page; the township administrator of A,
the editor and a person with no role get 404 on each of them (the pages do not admit to
existing), and a visitor who is not logged in is sent to the login page.
"""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from services_catalog.catalogue_io import format as fmt
from services_catalog.catalogue_io.forms import MAX_UPLOAD_BYTES
from services_catalog.catalogue_io.models import ImportPhase, ImportRun
from services_catalog.models import ServiceItemPage

from .files import catalogue_data, workbook_bytes

IMPORT_URL = reverse("catalogue_io:import")


def xlsx(data=None, name="catalogue.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, workbook_bytes(data or catalogue_data()))


@pytest.fixture
def admin_client(login, world):
    return login(world.county_admin)


@pytest.fixture
def finished_run(world, county_home) -> ImportRun:
    return ImportRun.objects.create(
        county=world.county,
        created_by=world.county_admin,
        file=xlsx(),
        original_name="catalogue.xlsx",
        status=ImportRun.Status.DONE,
        report={
            "dry_run": False,
            "guide_created": True,
            "counts": {
                sheet: {"created": 1, "updated": 0, "unchanged": 0, "deleted": 0} for sheet in fmt.SHEETS
            },
        },
    )


class TestTheCountyAdministrator:
    def test_the_menu_offers_the_import(self, admin_client):
        response = admin_client.get(reverse("wagtailadmin_home"))

        assert response.status_code == 200
        assert "Import catalogue" in response.content.decode()

    def test_the_upload_page_has_the_form_and_the_export_link(self, admin_client, county_home):
        response = admin_client.get(IMPORT_URL)

        content = response.content.decode()
        assert response.status_code == 200
        assert 'enctype="multipart/form-data"' in content
        assert 'name="dry_run"' in content
        assert reverse("catalogue_io:export", args=[county_home.pk]) in content

    def test_uploading_imports_in_the_background_and_the_run_page_shows_the_report(
        self, admin_client, county_home, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            response = admin_client.post(IMPORT_URL, {"county": county_home.pk, "file": xlsx()})

        run = ImportRun.objects.get()
        assert response.status_code == 302
        assert response["Location"] == reverse("catalogue_io:run", args=[run.pk])
        assert ServiceItemPage.objects.filter(live=True).count() == 3

        response = admin_client.get(response["Location"])
        content = response.content.decode()
        assert response.status_code == 200
        assert "The catalogue is imported." in content
        assert "The service guide page was created." in content
        assert 'http-equiv="refresh"' not in content
        assert "<td>items (事项)</td>" in content
        assert reverse("catalogue_io:export", args=[county_home.pk]) in content
        assert run.created_by.username == "county_admin" and not run.dry_run

    def test_a_dry_run_upload_writes_nothing(
        self, admin_client, county_home, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            response = admin_client.post(
                IMPORT_URL, {"county": county_home.pk, "file": xlsx(), "dry_run": "on"}
            )
        response = admin_client.get(response["Location"])

        assert (
            "Every row passed the checks. This is what an import would change:" in response.content.decode()
        )
        assert not ServiceItemPage.objects.exists()

    def test_the_run_page_lists_every_problem_of_a_bad_file(
        self, admin_client, county_home, django_capture_on_commit_callbacks
    ):
        data = catalogue_data()
        data[fmt.ITEMS][0]["legal_limit_days"] = "三十"
        data[fmt.SYNONYMS][0]["means"] = ""

        with django_capture_on_commit_callbacks(execute=True):
            response = admin_client.post(IMPORT_URL, {"county": county_home.pk, "file": xlsx(data)})
        response = admin_client.get(response["Location"])

        content = response.content.decode()
        assert "The workbook has 2 problems, so nothing was written." in content
        assert "<td>items</td>" in content and "<td>legal_limit_days</td>" in content
        assert "“三十” is not a whole number from 0 to 32767." in content
        assert "<td>synonyms</td>" in content and "<td>means</td>" in content
        assert not ServiceItemPage.objects.exists()

    def test_a_running_import_shows_a_progress_bar_and_refreshes_itself(self, admin_client, finished_run):
        ImportRun.objects.filter(pk=finished_run.pk).update(
            status=ImportRun.Status.RUNNING,
            phase=ImportPhase.CHECK,
            progress_done=25,
            progress_total=130,
            report={},
        )

        response = admin_client.get(reverse("catalogue_io:run", args=[finished_run.pk]))

        content = response.content.decode()
        assert '<meta http-equiv="refresh" content="2">' in content
        assert '<progress value="25" max="130"' in content
        assert "25 of 130 rows checked." in content

    def test_a_queued_import_shows_an_empty_bar(self, admin_client, finished_run):
        ImportRun.objects.filter(pk=finished_run.pk).update(status=ImportRun.Status.QUEUED, report={})

        content = admin_client.get(reverse("catalogue_io:run", args=[finished_run.pk])).content.decode()

        assert '<progress value="0" max="1"' in content
        assert "Waiting for the import to start" in content

    def test_a_file_that_is_not_a_workbook_is_refused_and_the_dry_run_choice_kept(
        self, admin_client, county_home
    ):
        fake = SimpleUploadedFile("catalogue.xlsx", "item_code,name\n120115-JF-001,低保\n".encode())

        response = admin_client.post(IMPORT_URL, {"county": county_home.pk, "file": fake, "dry_run": "on"})

        content = response.content.decode()
        assert response.status_code == 200
        assert (
            "“catalogue.xlsx” is not an XLSX workbook. Save the spreadsheet as an Excel workbook (.xlsx)"
            in content
        )
        assert response.context["form"]["dry_run"].value() is True
        assert re.search(r'<input type="checkbox" name="dry_run"[^>]* checked>', content)
        assert not ImportRun.objects.exists()

    def test_a_zip_that_is_not_a_workbook_is_refused(self, admin_client, county_home):
        import io
        import zipfile

        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("word/document.xml", "<w:document/>")

        response = admin_client.post(
            IMPORT_URL,
            {"county": county_home.pk, "file": SimpleUploadedFile("catalogue.xlsx", buffer.getvalue())},
        )

        assert "is not an XLSX workbook" in response.content.decode()
        assert not ImportRun.objects.exists()

    def test_a_file_over_5_mb_is_refused(self, admin_client, county_home):
        big = SimpleUploadedFile("catalogue.xlsx", b"0" * (MAX_UPLOAD_BYTES + 1))

        response = admin_client.post(IMPORT_URL, {"county": county_home.pk, "file": big})

        assert "a catalogue workbook may be at most 5 MB" in response.content.decode()
        assert not ImportRun.objects.exists()

    def test_the_export_downloads_a_workbook(self, admin_client, county_home):
        response = admin_client.get(reverse("catalogue_io:export", args=[county_home.pk]))

        assert response.status_code == 200
        assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        assert 'filename="catalogue-120115-' in response["Content-Disposition"]
        assert response.content.startswith(b"PK")

    def test_the_upload_page_lists_recent_runs(self, admin_client, finished_run):
        content = admin_client.get(IMPORT_URL).content.decode()

        assert reverse("catalogue_io:run", args=[finished_run.pk]) in content


class TestEveryoneElse:
    """Back-office users who are not county administrators get 404; people without back-office
    access are turned away by Wagtail's admin check first, as on every /admin/ page."""

    @pytest.fixture(params=["township_admin_a", "editor"])
    def other_client(self, request, login, world):
        return login(getattr(world, request.param))

    def test_the_menu_does_not_offer_the_import(self, other_client):
        response = other_client.get(reverse("wagtailadmin_home"))

        assert response.status_code == 200
        assert "Import catalogue" not in response.content.decode()

    def test_the_upload_page_is_404(self, other_client, county_home):
        assert other_client.get(IMPORT_URL).status_code == 404
        assert other_client.post(IMPORT_URL, {"county": county_home.pk, "file": xlsx()}).status_code == 404
        assert not ImportRun.objects.exists()

    def test_the_run_page_is_404(self, other_client, finished_run):
        assert other_client.get(reverse("catalogue_io:run", args=[finished_run.pk])).status_code == 404

    def test_the_export_is_404(self, other_client, county_home):
        assert other_client.get(reverse("catalogue_io:export", args=[county_home.pk])).status_code == 404

    @pytest.mark.parametrize("name", ["clerk_a", "outsider"])
    def test_people_without_back_office_access_never_reach_the_pages(
        self, login, world, county_home, finished_run, name
    ):
        client = login(getattr(world, name))
        for url in (
            IMPORT_URL,
            reverse("catalogue_io:run", args=[finished_run.pk]),
            reverse("catalogue_io:export", args=[county_home.pk]),
        ):
            response = client.get(url)
            assert response.status_code == 403, url  # the back-office gate, not the login page
        client.post(IMPORT_URL, {"county": county_home.pk, "file": xlsx()})
        assert ImportRun.objects.count() == 1  # only `finished_run`

    def test_an_administrator_of_another_county_gets_404_for_this_countys_run_and_export(
        self, login, world, county_home, finished_run
    ):
        from portal.offices.models import OfficeKind
        from portal.people.roles import Role
        from portal.people.services import membership_create
        from tests.factories import OfficeFactory, RegionFactory, UserFactory

        other = RegionFactory(code="120114000000", name="武清区")
        office = OfficeFactory(name="武清区政务服务办公室", kind=OfficeKind.DEPARTMENT, region=other)
        admin = UserFactory(username="wuqing_admin")
        membership_create(actor=None, user=admin, office=office, role=Role.ADMINISTRATOR)
        client = login(admin)

        assert client.get(IMPORT_URL).status_code == 200
        assert client.get(reverse("catalogue_io:run", args=[finished_run.pk])).status_code == 404
        assert client.get(reverse("catalogue_io:export", args=[county_home.pk])).status_code == 404
        response = client.post(IMPORT_URL, {"county": county_home.pk, "file": xlsx()})
        assert response.status_code == 200 and not ImportRun.objects.filter(created_by=admin).exists()

    def test_a_visitor_is_sent_to_the_login_page(self, client, finished_run):
        for url in (IMPORT_URL, reverse("catalogue_io:run", args=[finished_run.pk])):
            response = client.get(url)
            assert response.status_code == 302
            assert response["Location"].startswith(reverse("people:login"))

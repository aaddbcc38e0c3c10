"""Back-office runs: `catalogue_import_run_create` queues the task once the upload commits, and
`catalogue_import_run` works a run, storing progress and the report on its row."""

from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from portal.errors import NotPermitted
from portal.people.models import Membership
from services_catalog.catalogue_io import format as fmt
from services_catalog.catalogue_io.models import ImportPhase, ImportRun
from services_catalog.catalogue_io.queue import catalogue_import_run_create
from services_catalog.catalogue_io.services import catalogue_import_run
from services_catalog.catalogue_io.services.runs import _ProgressRecorder
from services_catalog.models import ServiceItemPage

from .files import catalogue_data, workbook_bytes


def upload(data=None, name="catalogue.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, workbook_bytes(data or catalogue_data()))


def queued_run(world, county_home, data=None, *, dry_run=False, user=None) -> ImportRun:
    return ImportRun.objects.create(
        county=world.county,
        created_by=user or world.county_admin,
        file=upload(data),
        original_name="catalogue.xlsx",
        dry_run=dry_run,
    )


class TestCreate:
    def test_the_task_runs_once_the_upload_commits(
        self, world, county_home, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            run = catalogue_import_run_create(
                actor=world.county_admin, county_home=county_home, file=upload(), dry_run=False
            )
            assert run.status == ImportRun.Status.QUEUED
            assert not ServiceItemPage.objects.exists()

        assert len(callbacks) == 1
        run.refresh_from_db()
        assert run.status == ImportRun.Status.DONE
        assert ServiceItemPage.objects.count() == 3

    @pytest.mark.parametrize("name", ["township_admin_a", "editor", "outsider"])
    def test_only_county_administrators_may_upload(self, world, county_home, name):
        with pytest.raises(NotPermitted):
            catalogue_import_run_create(
                actor=getattr(world, name), county_home=county_home, file=upload(), dry_run=False
            )
        assert not ImportRun.objects.exists()

    def test_the_system_cannot_upload(self, world, county_home):
        with pytest.raises(NotPermitted):
            catalogue_import_run_create(actor=None, county_home=county_home, file=upload(), dry_run=False)


class TestRun:
    def test_a_clean_file_is_imported_and_reported(self, world, county_home):
        run = catalogue_import_run(run_id=queued_run(world, county_home).pk)

        assert run.status == ImportRun.Status.DONE
        assert run.imported
        assert run.report["counts"]["items"] == {"created": 3, "updated": 0, "unchanged": 0, "deleted": 0}
        assert run.problems == []
        assert (run.phase, run.progress_done, run.progress_total) == (ImportPhase.WRITE, 7, 7)
        assert run.started_at and run.finished_at
        assert (
            ServiceItemPage.objects.get(item_code="120115-JF-001").latest_revision.user == world.county_admin
        )

    def test_a_bad_file_ends_done_with_its_problems_and_writes_nothing(self, world, county_home):
        data = catalogue_data()
        data[fmt.MATERIALS][0]["form"] = "扫描件"

        run = catalogue_import_run(run_id=queued_run(world, county_home, data).pk)

        assert run.status == ImportRun.Status.DONE and not run.imported
        assert run.problems == [
            {
                "sheet": "materials",
                "row": 2,
                "column": "form",
                "message": "“扫描件” is not one of: 原件、复印件、原件和复印件.",
            }
        ]
        assert (run.phase, run.progress_done, run.progress_total) == (ImportPhase.CHECK, 13, 13)
        assert not ServiceItemPage.objects.exists()

    def test_a_dry_run_writes_nothing(self, world, county_home):
        run = catalogue_import_run(run_id=queued_run(world, county_home, dry_run=True).pk)

        assert run.status == ImportRun.Status.DONE and not run.imported
        assert run.report["dry_run"] and run.report["counts"]["items"]["created"] == 3
        assert not ServiceItemPage.objects.exists()

    def test_a_run_is_worked_once(self, world, county_home):
        run = queued_run(world, county_home)
        catalogue_import_run(run_id=run.pk)

        with mock.patch("services_catalog.catalogue_io.services.runs.catalogue_import") as importer:
            again = catalogue_import_run(run_id=run.pk)

        importer.assert_not_called()
        assert again.status == ImportRun.Status.DONE

    def test_an_uploader_who_lost_the_role_fails_the_run(self, world, county_home):
        run = queued_run(world, county_home)
        Membership.objects.filter(user=world.county_admin).update(ended_at="2025-01-01T00:00:00Z")

        run = catalogue_import_run(run_id=run.pk)

        assert run.status == ImportRun.Status.FAILED
        assert run.error == "Only an administrator of 宝坻区 may import its catalogue."
        assert not ServiceItemPage.objects.exists()

    def test_a_deleted_uploader_fails_the_run_instead_of_running_as_the_system(self, world, county_home):
        run = queued_run(world, county_home)
        ImportRun.objects.filter(pk=run.pk).update(created_by=None)

        run = catalogue_import_run(run_id=run.pk)

        assert run.status == ImportRun.Status.FAILED
        assert "no longer has an account" in run.error
        assert not ServiceItemPage.objects.exists()

    def test_an_unexpected_error_fails_the_run_and_is_raised_for_the_worker(self, world, county_home):
        run = queued_run(world, county_home)

        with (
            mock.patch(
                "services_catalog.catalogue_io.services.runs.catalogue_import",
                side_effect=RuntimeError("boom"),
            ),
            pytest.raises(RuntimeError),
        ):
            catalogue_import_run(run_id=run.pk)

        run.refresh_from_db()
        assert run.status == ImportRun.Status.FAILED
        assert "unexpected error" in run.error


class TestProgressRecorder:
    def test_it_stores_progress_every_few_rows_and_at_both_ends(self, world, county_home):
        run = queued_run(world, county_home)
        record = _ProgressRecorder(run.pk)

        for done, expected in ((0, 0), (1, 0), (24, 0), (25, 25), (26, 25), (30, 30)):
            record(done, 30, ImportPhase.CHECK)
            run.refresh_from_db()
            assert run.progress_done == expected, done

    def test_it_skips_calls_made_inside_the_write_transaction(self, world, county_home):
        run = queued_run(world, county_home)
        record = _ProgressRecorder(run.pk)

        with transaction.atomic():
            record(0, 10, ImportPhase.WRITE)
        run.refresh_from_db()

        assert (run.progress_done, run.progress_total, run.phase) == (0, 0, "")

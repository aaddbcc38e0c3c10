"""Two imports into one county at once, on PostgreSQL: the second waits for the first (the
county home row is locked for the write), then finds everything already there."""

import threading

import pytest
from django.db import connection
from wagtail.models import Page

from cms.models import CountyHomePage
from services_catalog.catalogue_io.services import catalogue_import
from services_catalog.models import Delegation, Material, ServiceGuideIndexPage, ServiceItemPage, Synonym
from tests.conftest import build_world

from .files import catalogue_data, workbook_bytes


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_imports_of_the_same_file_at_once_write_it_once():
    world = build_world()
    home = Page.get_first_root_node().add_child(
        instance=CountyHomePage(title="宝坻区", slug="baodi", region=world.county)
    )
    workbook = workbook_bytes(catalogue_data())
    barrier = threading.Barrier(2)
    reports = []
    errors = []

    def run():
        try:
            barrier.wait(timeout=10)
            reports.append(catalogue_import(actor=None, source=workbook, county_home=home))
        except Exception as error:  # the assertion below shows it
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sorted(report.counts["items"].created for report in reports) == [0, 3]
    assert sorted(report.counts["items"].unchanged for report in reports) == [0, 3]
    assert ServiceGuideIndexPage.objects.count() == 1
    assert ServiceItemPage.objects.count() == 3
    assert Material.objects.count() == 6
    assert Delegation.objects.count() == 2
    assert Synonym.objects.count() == 2

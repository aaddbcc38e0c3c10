"""Issue 15: the demo load leaves no task queued, and the indexes those tasks keep are right.

The load used to leave about 1,470 index updates on the database queue, which a first catalogue
upload waited behind. The test loads under the production backend (the suite normally runs tasks
immediately) on a Thursday, then checks what those tasks keep: Wagtail's reference index and search index.
"""

import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django_tasks_db.models import DBTaskResult
from wagtail.documents import get_document_model
from wagtail.models import Page, ReferenceIndex
from wagtail.search.models import IndexEntry

from services_catalog.models import Delegation, ServiceItemPage
from services_catalog.search.selectors import guide_search

THURSDAY = datetime.datetime(2026, 12, 3, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
SEARCH_FIELDS = ("content_type", "object_id", "title", "body")


def rows(model, fields) -> list[tuple]:
    return sorted(model.objects.values_list(*fields))


@pytest.mark.django_db
@override_settings(CUNBAN_DEMO=True, TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}})
def test_the_demo_load_leaves_no_task_queued_and_its_indexes_are_right():
    # `manage.py load_demo` runs the system checks first, which load the URLs, and so the back
    # office's viewsets, which register their models with the reference index; call_command
    # skips the checks, so load the URLs here as the command would have.
    reverse("wagtailadmin_home")
    out = StringIO()
    with time_machine.travel(THURSDAY, tick=False):
        call_command("load_demo", stdout=out)

    assert not DBTaskResult.objects.exists(), list(
        DBTaskResult.objects.values_list("task_path", flat=True)[:5]
    )
    assert "background tasks:" in out.getvalue()

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

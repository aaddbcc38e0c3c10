"""Who may write and who publishes a county's pages: set up once per county home.

A county's editors are the members of the group `county_editor_group_name(code)`, which
`portal.people.jurisdiction` fills from editor memberships. Here that group gets:

- add and change permission on the county home page, so its editors write anywhere in their own
  county's subtree and nowhere else. Never publish: publishing happens only when a second
  editor approves through the workflow below;
- a document collection of its own (add, choose), so attachments stay within the county;
- a workflow "两人审核发布 (<county>)" with one `TwoPersonApprovalTask` reviewed by the same
  group, assigned to the county home page, so every page below it goes through it.

`county_pages_setup` is idempotent: it adds what is missing and never removes or overwrites what
an administrator has changed since (extra groups on the task, a different workflow on the page).
It runs when a county home page is created (`cms.signals`) and from the demo loader.
"""

import logging

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from wagtail.models import (
    Collection,
    GroupCollectionPermission,
    GroupPagePermission,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)

from portal.people.jurisdiction import county_editor_group_name

from .models import CountyHomePage, TwoPersonApprovalTask

logger = logging.getLogger(__name__)

EDITOR_PAGE_PERMISSIONS = ("add_page", "change_page")
EDITOR_DOCUMENT_PERMISSIONS = ("add_document", "choose_document")


def _permissions(app_label: str, codenames: tuple[str, ...]) -> list[Permission]:
    return list(Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames))


def county_editor_group(county_home: CountyHomePage) -> Group:
    return Group.objects.get_or_create(name=county_editor_group_name(county_home.region.code))[0]


def _county_collection(group: Group, county_home: CountyHomePage, add_document: Permission) -> Collection:
    """The collection the county's editors add documents to, found through their own grant, so
    renaming it in the admin does not make a second one."""
    grant = (
        GroupCollectionPermission.objects.filter(group=group, permission=add_document)
        .select_related("collection")
        .first()
    )
    if grant is not None:
        return grant.collection
    region = county_home.region
    return Collection.get_first_root_node().add_child(name=f"{region.name} ({region.code[:6]})")


def _county_workflow(county_home: CountyHomePage) -> Workflow | None:
    """The workflow on the county home page, created and assigned when there is none.

    None when an administrator assigned a workflow that other pages share or that has no
    two-person task: giving its task this county's group could let these editors approve
    another county's pages, so it is left alone."""
    assignment = WorkflowPage.objects.filter(page=county_home).select_related("workflow").first()
    if assignment is None:
        workflow = Workflow.objects.create(name=f"两人审核发布 ({county_home.region.name})")
        WorkflowPage.objects.create(page=county_home, workflow=workflow)
        return workflow
    workflow = assignment.workflow
    shared = WorkflowPage.objects.filter(workflow=workflow).exclude(page=county_home).exists()
    if shared or not TwoPersonApprovalTask.objects.filter(workflow_tasks__workflow=workflow).exists():
        logger.warning(
            "County home %s has workflow %r, shared or without a two-person approval task; left unchanged.",
            county_home.pk,
            workflow.name,
        )
        return None
    return workflow


@transaction.atomic
def county_pages_setup(county_home: CountyHomePage) -> None:
    """Give the county's editor group its page, document and workflow set-up (see the module)."""
    group = county_editor_group(county_home)

    for permission in _permissions("wagtailcore", EDITOR_PAGE_PERMISSIONS):
        GroupPagePermission.objects.get_or_create(group=group, page=county_home, permission=permission)

    document_permissions = {p.codename: p for p in _permissions("wagtaildocs", EDITOR_DOCUMENT_PERMISSIONS)}
    collection = _county_collection(group, county_home, document_permissions["add_document"])
    for permission in document_permissions.values():
        GroupCollectionPermission.objects.get_or_create(
            group=group, collection=collection, permission=permission
        )

    workflow = _county_workflow(county_home)
    if workflow is None:
        return
    task = TwoPersonApprovalTask.objects.filter(workflow_tasks__workflow=workflow).first()
    if task is None:
        task = TwoPersonApprovalTask.objects.create(name=f"编辑互审 ({county_home.region.name})")
        WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    task.groups.add(group)

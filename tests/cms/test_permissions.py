"""Each county's editors write in their own county's pages only, and never publish directly."""

from django.contrib.auth.models import Group
from wagtail.models import (
    Collection,
    GroupCollectionPermission,
    GroupPagePermission,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)

from cms.models import CountyHomePage, PolicyPage, TwoPersonApprovalTask
from cms.permissions import county_pages_setup
from portal.people.jurisdiction import county_editor_group_name
from tests.cms.conftest import make_policy


def setup_rows(home):
    group = Group.objects.get(name=county_editor_group_name(home.region.code))
    return {
        "page permissions": sorted(
            GroupPagePermission.objects.filter(group=group).values_list("page_id", "permission__codename")
        ),
        "collection permissions": sorted(
            GroupCollectionPermission.objects.filter(group=group).values_list(
                "collection__name", "permission__codename"
            )
        ),
        "collections": Collection.objects.count(),
        "workflows": list(WorkflowPage.objects.filter(page=home).values_list("workflow__name", flat=True)),
        "tasks": list(
            TwoPersonApprovalTask.objects.filter(
                workflow_tasks__workflow__workflow_pages__page=home
            ).values_list("name", "groups__name")
        ),
        "workflow count": Workflow.objects.count(),
        "workflow tasks": WorkflowTask.objects.count(),
    }


def test_creating_a_county_home_sets_up_its_editors_and_workflow(tree):
    rows = setup_rows(tree.home)
    assert rows["page permissions"] == [(tree.home.pk, "add_page"), (tree.home.pk, "change_page")]
    assert rows["collection permissions"] == [
        ("宝坻区 (120115)", "add_document"),
        ("宝坻区 (120115)", "choose_document"),
    ]
    assert rows["workflows"] == ["两人审核发布 (宝坻区)"]
    assert rows["tasks"] == [("编辑互审 (宝坻区)", "Cunban editors of 120115")]


def test_the_set_up_can_run_any_number_of_times(tree):
    before = setup_rows(tree.home)
    county_pages_setup(tree.home)
    county_pages_setup(CountyHomePage.objects.get(pk=tree.home.pk))
    assert setup_rows(tree.home) == before


def test_the_set_up_survives_a_renamed_collection_and_keeps_extra_reviewers(tree):
    Collection.objects.filter(name="宝坻区 (120115)").update(name="宝坻区文件")
    task = TwoPersonApprovalTask.objects.get(workflow_tasks__workflow__workflow_pages__page=tree.home)
    moderators = Group.objects.create(name="County moderators")
    task.groups.add(moderators)
    county_pages_setup(tree.home)
    assert not Collection.objects.filter(name="宝坻区 (120115)").exists()
    assert set(task.groups.values_list("name", flat=True)) == {
        "Cunban editors of 120115",
        "County moderators",
    }


def test_a_shared_workflow_chosen_by_an_administrator_is_left_alone(tree, youjiang):
    """Giving youjiang's group the task of a workflow 宝坻区 also uses would let youjiang's
    editors approve 宝坻区's pages."""
    baodi_workflow = WorkflowPage.objects.get(page=tree.home).workflow
    WorkflowPage.objects.filter(page=youjiang).update(workflow=baodi_workflow)
    county_pages_setup(youjiang)
    task = TwoPersonApprovalTask.objects.get(workflow_tasks__workflow=baodi_workflow)
    assert list(task.groups.values_list("name", flat=True)) == ["Cunban editors of 120115"]


def test_each_county_has_its_own_group_workflow_and_collection(tree, youjiang):
    assert setup_rows(youjiang)["workflows"] == ["两人审核发布 (右江区)"]
    assert setup_rows(youjiang)["tasks"] == [("编辑互审 (右江区)", "Cunban editors of 451002")]
    assert setup_rows(youjiang)["collection permissions"][0][0] == "右江区 (451002)"


def test_an_editor_writes_in_their_county_but_cannot_publish(tree, editor):
    policy = make_policy(tree.policies)
    perms = policy.permissions_for_user(editor)
    assert perms.can_edit()
    assert tree.policies.permissions_for_user(editor).can_add_subpage()
    assert not perms.can_publish()
    assert not perms.can_unpublish()
    assert policy.has_workflow and perms.can_submit_for_moderation()


def test_an_editor_of_another_county_cannot_touch_these_pages(tree, youjiang_editor):
    policy = make_policy(tree.policies)
    assert not policy.permissions_for_user(youjiang_editor).can_edit()
    assert not tree.policies.permissions_for_user(youjiang_editor).can_add_subpage()


def test_an_editor_of_another_county_gets_no_edit_form(client, tree, youjiang, youjiang_editor):
    policy = make_policy(tree.policies)
    client.force_login(youjiang_editor)
    assert client.get(f"/admin/pages/{policy.pk}/edit/").status_code in (302, 403)
    add_url = f"/admin/pages/add/cms/policypage/{tree.policies.pk}/"
    assert client.get(add_url).status_code in (302, 403)
    # …while their own county's list takes new policies.
    own_index = youjiang.get_children().get()
    assert client.get(f"/admin/pages/add/cms/policypage/{own_index.pk}/").status_code == 200


def test_an_editor_who_presses_publish_only_saves_a_draft(client, tree, editor):
    policy = make_policy(tree.policies)
    client.force_login(editor)
    form = client.get(f"/admin/pages/{policy.pk}/edit/").context["form"]
    data = {k: v for k, v in form.initial.items() if isinstance(v, str)}
    data.update(_edit_post_data(policy, title="改过的标题"))
    data["action-publish"] = "action-publish"
    client.post(f"/admin/pages/{policy.pk}/edit/", data)
    policy.refresh_from_db()
    assert policy.title != "改过的标题"  # the live version is unchanged
    assert policy.get_latest_revision_as_object().title == "改过的标题"
    assert policy.has_unpublished_changes


def test_the_item_choices_offer_only_this_countys_items(client, tree, editor):
    client.force_login(editor)
    response = client.get(f"/admin/pages/add/cms/policypage/{tree.policies.pk}/")
    choices = list(response.context["form"].fields["related_items"].queryset)
    assert choices == [tree.item]


def _edit_post_data(policy: PolicyPage, **changes) -> dict:
    from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text

    values = {
        "title": policy.title,
        "slug": policy.slug,
        "summary": policy.summary,
        "body": rich_text(policy.body),
        "effective_date": policy.effective_date.isoformat(),
        "issuing_body": policy.issuing_body,
        "document_number": policy.document_number,
        "attachments": inline_formset([]),
        "comments": inline_formset([]),
    }
    values.update(changes)
    return nested_form_data(values)

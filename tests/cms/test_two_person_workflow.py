"""两人审核发布: the editor who wrote a change cannot publish it; a second editor approves it.

Cast: `editor` and `second_editor` edit 宝坻区 (one group, "Cunban editors of 120115");
`third_editor` joins them where a test needs someone who wrote nothing; `youjiang_editor`
edits another county.
"""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation
from wagtail.models import TaskState, WorkflowState
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text

from cms.models import PolicyPage, TwoPersonApprovalTask
from cms.workflows import SelfApprovalRefused
from portal.people.roles import Role
from portal.people.services import membership_create
from tests.cms.conftest import make_policy, with_email
from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def english():
    """Assertions read the English msgids, whatever the zh_Hans catalog says by then."""
    with translation.override("en"):
        yield


def prefers_english(user):
    """The Wagtail admin speaks the language of the user's profile."""
    from wagtail.users.models import UserProfile

    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()
    return user


@pytest.fixture
def third_editor(world):
    user = UserFactory(username="editor_3", name="第三编辑")
    membership_create(actor=None, user=user, office=world.ds, role=Role.EDITOR)
    return with_email(user)


def write(page: PolicyPage, user, **changes):
    """Save a draft of `page` as `user`, as the edit view does."""
    draft = page.get_latest_revision_as_object()
    for name, value in changes.items():
        setattr(draft, name, value)
    return draft.save_revision(user=user)


def submit(page: PolicyPage, user) -> TaskState:
    page.get_workflow().start(page, user)
    return page.current_workflow_task_state


def task_of(task_state: TaskState) -> TwoPersonApprovalTask:
    return task_state.task.specific


def action_names(task_state, page, user) -> set[str]:
    return {name for name, _label, _modal in task_of(task_state).get_actions(page, user)}


@pytest.fixture
def submitted(tree, editor, second_editor):
    """A new policy written and submitted by `editor`; nothing published yet."""
    policy = make_policy(tree.policies, publish=False)
    write(policy, editor, title="关于提高城乡低保标准的通知")
    task_state = submit(policy, editor)
    mail.outbox.clear()
    return policy, task_state


def test_the_workflow_task_is_the_two_person_task(submitted):
    _policy, task_state = submitted
    assert isinstance(task_of(task_state), TwoPersonApprovalTask)


def test_the_author_gets_no_workflow_buttons_and_a_second_editor_does(submitted, editor, second_editor):
    policy, task_state = submitted
    assert action_names(task_state, policy, editor) == set()
    assert action_names(task_state, policy, second_editor) == {"approve", "reject"}


def test_the_author_is_refused_when_approving_anyway(submitted, editor):
    policy, task_state = submitted
    with pytest.raises(SelfApprovalRefused, match="cannot approve"):
        task_of(task_state).on_action(task_state, editor, "approve")
    policy.refresh_from_db()
    assert not policy.live
    assert policy.current_workflow_state.status == WorkflowState.STATUS_IN_PROGRESS


def test_a_second_editor_approves_and_the_page_goes_live(submitted, second_editor):
    policy, task_state = submitted
    task_of(task_state).on_action(task_state, second_editor, "approve")
    policy.refresh_from_db()
    assert policy.live and policy.title == "关于提高城乡低保标准的通知"
    assert policy.live_revision.user.username == "editor"
    assert not policy.workflow_in_progress


def test_whoever_wrote_part_of_the_change_cannot_approve_it(submitted, editor, second_editor, third_editor):
    """`editor` wrote, `second_editor` only pressed submit: neither may approve."""
    policy, task_state = submitted
    policy.current_workflow_state.cancel(user=editor)
    task_state = submit(policy, second_editor)
    assert action_names(task_state, policy, editor) == set()
    assert action_names(task_state, policy, second_editor) == set()
    with pytest.raises(SelfApprovalRefused):
        task_of(task_state).on_action(task_state, editor, "approve")
    task_of(task_state).on_action(task_state, third_editor, "approve")
    policy.refresh_from_db()
    assert policy.live


def test_a_reviewer_who_edits_needs_a_third_editor(submitted, second_editor, third_editor):
    """Approval publishes the latest revision, so a reviewer's own edit would go live unreviewed."""
    policy, task_state = submitted
    write(policy, second_editor, summary="审核人改过的摘要。")
    assert action_names(task_state, policy, second_editor) == set()
    with pytest.raises(SelfApprovalRefused):
        task_of(task_state).on_action(task_state, second_editor, "approve")
    task_of(task_state).on_action(task_state, third_editor, "approve")
    policy.refresh_from_db()
    assert policy.summary == "审核人改过的摘要。"


def test_work_already_published_does_not_make_an_author(tree, editor, second_editor):
    policy = make_policy(tree.policies, publish=False)
    write(policy, second_editor, title="第一版")
    task_state = submit(policy, second_editor)
    task_of(task_state).on_action(task_state, editor, "approve")
    write(policy, editor, title="第二版")
    task_state = submit(policy, editor)
    assert action_names(task_state, policy, second_editor) == {"approve", "reject"}


def test_the_page_is_locked_for_its_author_with_the_reason(submitted, editor, second_editor):
    policy, _task_state = submitted
    lock = policy.get_lock()
    assert lock.for_user(editor)
    assert "You wrote this change" in str(lock.get_message(editor))
    assert not lock.for_user(second_editor)
    assert not policy.permissions_for_user(editor).can_lock()


def test_the_author_may_still_cancel_the_request(submitted, editor):
    policy, _task_state = submitted
    assert policy.current_workflow_state.user_can_cancel(editor)


def test_awaiting_review_lists_only_other_peoples_changes(submitted, editor, second_editor, youjiang_editor):
    _policy, task_state = submitted
    assert not TaskState.objects.reviewable_by(editor).filter(pk=task_state.pk).exists()
    assert TaskState.objects.reviewable_by(second_editor).filter(pk=task_state.pk).exists()
    assert not TaskState.objects.reviewable_by(youjiang_editor).exists()


def test_an_editor_of_another_county_cannot_review(submitted, youjiang_editor):
    policy, task_state = submitted
    assert action_names(task_state, policy, youjiang_editor) == set()
    assert policy.get_lock().for_user(youjiang_editor)
    assert not policy.permissions_for_user(youjiang_editor).can_edit()


# Through the admin, as the editors click it.


def create_post_data(tree, **changes) -> dict:
    values = {
        "title": "关于农村宅基地建房审批的通知",
        "slug": "zhaijidi",
        "summary": "建房审批改由镇便民服务中心受理。",
        "body": rich_text("<p>各镇人民政府：现将有关事项通知如下。</p>"),
        "effective_date": "2024-03-01",
        "issuing_body": "天津市宝坻区人民政府办公室",
        "document_number": "宝坻政办发〔2024〕3号",
        "attachments": inline_formset([]),
        "comments": inline_formset([]),
        "action-submit": "action-submit",
    }
    values.update(changes)
    data = nested_form_data(values)
    data["related_items"] = [str(tree.item.pk)]  # a multiple choice, which nested_form_data would number
    return data


def test_in_the_admin_the_author_submits_and_the_second_editor_publishes(client, tree, editor, second_editor):
    client.force_login(prefers_english(editor))
    response = client.post(
        reverse("wagtailadmin_pages:add", args=("cms", "policypage", tree.policies.pk)),
        create_post_data(tree),
    )
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    policy = PolicyPage.objects.get(slug="zhaijidi")
    task_state = policy.current_workflow_task_state
    assert not policy.live and task_state is not None

    approve_url = reverse("wagtailadmin_pages:workflow_action", args=(policy.pk, "approve", task_state.pk))
    assert client.post(approve_url).status_code in (302, 403)  # Wagtail sends refusals to the dashboard
    edit_page = client.get(reverse("wagtailadmin_pages:edit", args=(policy.pk,))).content.decode()
    assert 'data-workflow-action-name="approve"' not in edit_page
    assert "You wrote this change" in edit_page
    policy.refresh_from_db()
    assert not policy.live

    client.force_login(second_editor)
    edit_page = client.get(reverse("wagtailadmin_pages:edit", args=(policy.pk,))).content.decode()
    assert 'data-workflow-action-name="approve"' in edit_page
    assert client.post(approve_url).status_code == 302
    policy.refresh_from_db()
    assert policy.live and list(policy.related_items.all()) == [tree.item]
    assert policy in tree.item.related_policies.live()


# Notifications (Wagtail's own: the task's group but not the submitter; then the submitter).


def test_submitting_notifies_the_other_editors_of_the_county_only(
    tree, editor, second_editor, youjiang_editor
):
    policy = make_policy(tree.policies, publish=False)
    write(policy, editor, title="关于提高城乡低保标准的通知")
    mail.outbox.clear()
    submit(policy, editor)
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == [second_editor.email]
    assert "关于提高城乡低保标准的通知" in mail.outbox[0].body


def test_approval_notifies_the_author(submitted, editor, second_editor):
    policy, task_state = submitted
    task_of(task_state).on_action(task_state, second_editor, "approve")
    assert [message.to for message in mail.outbox] == [[editor.email]]
    assert policy.title in mail.outbox[0].subject + mail.outbox[0].body or "关于提高" in mail.outbox[0].body


def test_rejection_notifies_the_author_with_the_comment(submitted, editor, second_editor):
    policy, task_state = submitted
    task_of(task_state).on_action(task_state, second_editor, "reject", comment="请补充文号。")
    assert [message.to for message in mail.outbox] == [[editor.email]]
    assert "请补充文号。" in mail.outbox[0].body
    policy.refresh_from_db()
    assert policy.current_workflow_state.status == WorkflowState.STATUS_NEEDS_CHANGES


def test_someone_outside_the_reviewing_group_cannot_act_by_calling_the_task(submitted, youjiang_editor):
    """Approval publishes without asking for publish permission, so the task checks the group."""
    from django.core.exceptions import PermissionDenied

    policy, task_state = submitted
    for action in ("approve", "reject"):
        with pytest.raises(PermissionDenied):
            task_of(task_state).on_action(task_state, youjiang_editor, action)
    policy.refresh_from_db()
    assert not policy.live and policy.current_workflow_state.status == WorkflowState.STATUS_IN_PROGRESS


def test_a_superuser_may_approve_as_moderator(submitted):
    policy, task_state = submitted
    moderator = UserFactory(username="moderator", is_superuser=True)
    task_of(task_state).on_action(task_state, moderator, "approve")
    policy.refresh_from_db()
    assert policy.live


def test_a_reviewer_who_edits_and_approves_in_one_click_keeps_a_draft_but_publishes_nothing(
    client, submitted, second_editor
):
    from tests.cms.test_permissions import _edit_post_data

    policy, _task_state = submitted
    client.force_login(second_editor)
    data = _edit_post_data(policy.get_latest_revision_as_object(), summary="审核人改过的摘要。")
    data.update({"action-workflow-action": "true", "workflow-action-name": "approve"})
    response = client.post(reverse("wagtailadmin_pages:edit", args=(policy.pk,)), data)
    assert response.status_code == 302  # Wagtail turns the refusal into "no permission" on the dashboard
    policy.refresh_from_db()
    assert not policy.live
    assert policy.get_latest_revision().user == second_editor
    assert policy.current_workflow_state.status == WorkflowState.STATUS_IN_PROGRESS


def test_a_policy_whose_text_is_an_attachment_is_approved_from_its_editor_page(
    client, tree, editor, second_editor
):
    """The page editor shows an empty full text as one empty block and sends it back as an empty
    paragraph; read as a change, it would make the reviewer an author and refuse the approval."""
    from cms.models import PolicyPage as Policy

    untouched_body = Policy._meta.get_field("body").formfield().widget.format_value("")
    assert '"text": ""' in untouched_body  # what the browser sends back when nobody types
    client.force_login(prefers_english(editor))
    client.post(
        reverse("wagtailadmin_pages:add", args=("cms", "policypage", tree.policies.pk)),
        create_post_data(tree, body=untouched_body),
    )
    policy = Policy.objects.get(slug="zhaijidi")
    assert policy.get_latest_revision_as_object().body == ""
    data = create_post_data(tree, body=untouched_body)
    del data["action-submit"]
    data.update({"action-workflow-action": "true", "workflow-action-name": "approve"})
    client.force_login(prefers_english(second_editor))
    response = client.post(reverse("wagtailadmin_pages:edit", args=(policy.pk,)), data)

    assert response.status_code == 302
    policy.refresh_from_db()
    assert policy.live and policy.body == ""
    assert policy.live_revision.user == editor
    assert not policy.revisions.filter(user=second_editor).exists()


def test_a_full_text_that_is_not_the_editors_json_is_read_as_empty(client, tree, editor):
    client.force_login(prefers_english(editor))
    response = client.post(
        reverse("wagtailadmin_pages:add", args=("cms", "policypage", tree.policies.pk)),
        create_post_data(tree, body="<script>alert(1)</script>"),
    )
    assert response.status_code == 302
    assert PolicyPage.objects.get(slug="zhaijidi").get_latest_revision_as_object().body == ""

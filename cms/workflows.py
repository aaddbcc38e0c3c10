"""The two-person rule (两人审核发布): whoever wrote a change may not be the one who approves it.

One question lives here, `user_wrote_change`, and `cms.models.TwoPersonApprovalTask` asks it
everywhere Wagtail lets a task decide: which workflow buttons a user sees, whether the page is
locked to them while it waits, and whether an approval is accepted at all.

"The change" is every revision saved since the object was last published (all of them for an
object never published), not only the revision that was submitted. Approving publishes the
*latest* revision (`wagtail.workflows.publish_workflow_state`), so anyone who saved any part of
what would go live, including a reviewer who edits while reviewing, is an author of it.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail.locks import WorkflowLock
from wagtail.models import Page, Revision, WorkflowState

from portal.errors import NotPermitted
from portal.people import jurisdiction


class SelfApprovalRefused(NotPermitted, PermissionDenied):
    """An author tried to approve their own change.

    It is a `PermissionDenied` too, so that when a request gets past the hidden buttons (a
    crafted POST, or a reviewer who edits and approves in one click: their edit is saved as a
    draft first, then the approval is refused) Wagtail's admin refuses it as it refuses any
    missing permission, back to the dashboard, instead of failing with a server error.
    """


def user_wrote_change(obj, user) -> bool:
    """Did `user` save a revision of `obj` since it was last published, or ask for its approval?

    Two queries at most (the workflow state, then the revisions); nothing is cached, because the
    edit view saves a revision and then acts in the same request.
    """
    if user is None or not user.is_authenticated or obj is None or obj.pk is None:
        return False
    requested = WorkflowState.objects.for_instance(obj).active().filter(requested_by=user)
    if requested.exists():
        return True
    revisions = Revision.objects.for_instance(obj).filter(user=user)
    if hasattr(obj, "live_revision_id"):
        # Read the live revision from the database: `obj` may have been rebuilt from a
        # revision's JSON, which carries whatever was live when that revision was saved.
        live = type(obj)._default_manager.filter(pk=obj.pk).values("live_revision_id")[:1]
        revisions = revisions.filter(pk__gt=Coalesce(Subquery(live), 0))
    return revisions.exists()


def publish_approved_change(workflow_state, user=None) -> None:
    """Publish the latest revision once the workflow is approved, as the approver.

    Wagtail's own finishing step publishes with the approver's page permissions, but a county's
    editors hold no publish permission on purpose: the second editor's approval through
    `TwoPersonApprovalTask` is their permission, and the task checks it before it gets here."""
    workflow_state.content_object.get_latest_revision().publish(user=user, skip_permission_checks=True)


def refuse_self_approval(obj, user) -> None:
    """Raise `SelfApprovalRefused` when `user` wrote any part of the change waiting on `obj`."""
    if user_wrote_change(obj, user):
        raise SelfApprovalRefused(
            gettext(
                "You wrote part of this change, so you cannot approve it: another editor of this "
                "county must review and approve it."
            )
        )


def county_prefix_of(obj) -> str | None:
    """The 6-digit county part of the county whose site `obj` (a page) belongs to (one query).

    The county home is found through its table's link from `Page` (`countyhomepage`), not its
    class: the page models import this module for their workflow, so it cannot import them."""
    if not isinstance(obj, Page) or obj.pk is None:
        return None
    code = (
        Page.objects.ancestor_of(obj, inclusive=True)
        .filter(countyhomepage__isnull=False)
        .values_list("countyhomepage__region__code", flat=True)
        .first()
    )
    return code[:6] if code else None


def user_is_county_granted_editor(user, obj) -> bool:
    """Does `user` hold a current editor role in the county of `obj`, granted by a county
    administrator (or an operator's command)? A superuser moderates without one.

    The two people of the two-person rule must both be such editors: an editor role granted by
    anyone else (before township administrators were stopped from granting it) counts for
    writing, not for publishing."""
    return jurisdiction.user_is_county_granted_editor(user, county_prefix_of(obj))


class UngrantedEditorRefused(NotPermitted, PermissionDenied):
    """The approver or the requester is not an editor a county administrator granted."""


def refuse_ungranted_editors(workflow_state, user) -> None:
    """Raise `UngrantedEditorRefused` unless both the approver and whoever asked for the
    approval are editors of the page's county whose roles a county administrator granted."""
    obj = workflow_state.content_object
    if not user_is_county_granted_editor(user, obj):
        raise UngrantedEditorRefused(
            gettext(
                "Only an editor whose role a county administrator granted may approve a change "
                "to the county's site."
            )
        )
    requester = workflow_state.requested_by
    if requester is not None and not user_is_county_granted_editor(requester, obj):
        raise UngrantedEditorRefused(
            gettext(
                "This change was submitted by someone whose editor role no county administrator "
                "granted; it cannot be published through the two-person review."
            )
        )


class TwoPersonWorkflowLock(WorkflowLock):
    """Wagtail's workflow lock, with a message that tells an author why they cannot edit or approve."""

    def get_message(self, user):
        if user_wrote_change(self.object, user):
            return _(
                "You wrote this change, so another editor of this county must approve it before it "
                "is published. To change it again, cancel the workflow first."
            )
        return super().get_message(user)

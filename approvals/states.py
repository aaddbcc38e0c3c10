"""The application's life as one table: which action moves it from which state to which, and who.

Every service in `approvals.services` looks its transition up here, so "may this person do
this now?" has one answer for the buttons a page shows, the action views, the admin and the
tests. The steps follow the domain brief and 行政许可法 (第三十二条 acceptance or one-time notice,
第三十四条 decision, 第三十八条 a refusal gives reasons and the right to appeal).
"""

from enum import Enum

from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.workflow import Transition, TransitionTable


class State(models.TextChoices):
    DRAFT = "draft", _("Draft (草稿)")
    SUBMITTED = "submitted", _("Submitted (已提交)")
    RETURNED = "returned", _("Returned for supplement (退回补正)")
    ACCEPTED = "accepted", _("Accepted (已受理)")
    REVIEWED = "reviewed", _("Awaiting approval (待审批)")
    FORWARDED = "forwarded", _("Forwarded to the county (已上报)")
    APPROVED = "approved", _("Approved (准予)")
    REJECTED = "rejected", _("Rejected (不予)")
    WITHDRAWN = "withdrawn", _("Withdrawn (撤回)")
    TERMINATED = "terminated", _("Terminated (终止)")


OPEN_STATES = frozenset({State.SUBMITTED, State.RETURNED, State.ACCEPTED, State.REVIEWED, State.FORWARDED})
"""Submitted and not yet finished: the states an inbox, a deadline and a reminder care about."""

CLOCK_STATES = frozenset({State.ACCEPTED, State.REVIEWED, State.FORWARDED})
"""The promised time limit runs in these states (unless a special procedure pauses it)."""

FINAL_STATES = frozenset({State.APPROVED, State.REJECTED, State.WITHDRAWN, State.TERMINATED})


class Act(models.TextChoices):
    """Everything that can happen to an application; each is one event in its history."""

    CREATE = "create", _("Draft started (起草)")
    SUBMIT = "submit", _("Submitted (提交申请)")
    ASSIGN = "assign", _("Taken by a clerk (认领)")
    REASSIGN = "reassign", _("Reassigned (改派)")
    ACCEPT = "accept", _("Accepted (受理)")
    ACCEPT_WITH_PROMISE = "accept_with_promise", _("Accepted with materials to follow (容缺受理)")
    DEEM_ACCEPTED = "deem_accepted", _("Counted as accepted (视为受理)")
    RETURN = "return", _("Returned with a one-time notice (退回补正)")
    AGREE_SECOND_RETURN = "agree_second_return", _("Second return agreed by the supervisor (同意再次退回)")
    SECOND_RETURN = "second_return", _("Returned a second time (再次退回)")
    RESUBMIT = "resubmit", _("Supplemented and resubmitted (补正后重新提交)")
    SUPPLY = "supply", _("Promised material supplied (容缺材料补交)")
    PAUSE = "pause", _("Special procedure started (特别程序开始)")
    RESUME = "resume", _("Special procedure ended (特别程序结束)")
    REVIEW = "review", _("Reviewed, sent for approval (审核)")
    SEND_BACK = "send_back", _("Sent back to the clerk (退回经办人)")
    FORWARD = "forward", _("Forwarded to the county department (上报)")
    APPROVE = "approve", _("Approved (准予)")
    REJECT = "reject", _("Rejected (不予)")
    WITHDRAW = "withdraw", _("Withdrawn (撤回)")
    TERMINATE = "terminate", _("Terminated (终止)")
    UNLOCK_TRACKING = "unlock_tracking", _("Online tracking unlocked (解除查询锁定)")
    DEADLINE_MOVED = "deadline_moved", _("Due date moved by the work calendar (期限随日历调整)")
    ISSUE_CERTIFICATE = "issue_certificate", _("Certificate issued (出证)")
    REVOKE_CERTIFICATE = "revoke_certificate", _("Certificate revoked (证照撤销)")
    HAND_OVER = "hand_over", _("Certificate handed to the villager (送达)")
    FILE_REMOVED = "file_removed", _("File taken off (撤下材料)")
    DATA_SUPPLEMENTED = "data_supplemented", _("Application form supplemented (补正申请信息)")
    DATA_CORRECTED = "data_corrected", _("Application form corrected by the office (更正申请信息)")
    DATA_ASSESSED = "data_assessed", _("Entered by the office (核定)")
    REUSED = "reused", _("Earlier material or fact reused with consent (免提交)")
    # 网办 (the app `online`): the assistant's link to the villager's phone and what came back.
    REMOTE_LINK_SENT = "remote_link_sent", _("Link sent to the villager's phone (网办链接)")
    REMOTE_LINK_REVOKED = "remote_link_revoked", _("Link to the villager's phone withdrawn")
    VILLAGER_UPLOADED = "villager_uploaded", _("Material uploaded on the villager's phone")
    VILLAGER_ANSWERED = "villager_answered", _("Form answered on the villager's phone")
    VILLAGER_CONSENTED = "villager_consented", _("Authorisation signed on the villager's phone (授权委托书)")
    VILLAGER_FINISHED = "villager_finished", _("Villager handed back to the assistant")
    START_ONLINE = "start_online", _("Started online by the villager (网上申请)")
    HAND_IN = "hand_in", _("Handed in online by the villager (群众网上提交)")
    TAKE = "take", _("Taken by the village assistant for checking (代办员接手)")


class Who(Enum):
    """The capacity in which someone acts, checked as an object permission on an office."""

    FILER = "filer"  # file_application on the application's village station
    HANDLER = "handler"  # handle_application on the office where the work now sits
    SUPERVISOR = "supervisor"  # supervise_office on that office
    SYSTEM = "system"  # deadlines and reminders; never a person
    # The villager, who has no account: on their phone through a link (网办), or from the item page
    # (网上申请) after a texted code.
    VILLAGER = "villager"


def holder_of(who: Who, office_kind: str | None) -> str:
    """Who takes a step in capacity `who`, in words ("the window clerks of %(office)s"), for the
    refusal that tells someone the step is not theirs (issue 18, gap 12): the reason is the role
    or the office, so the sentence names them rather than the state. `%(office)s` is left for the
    caller; `office_kind` is the office's kind ("station", "centre", "department") or None when
    the application has not reached an office yet."""
    if who is Who.FILER:
        return str(_("the village assistant (村级事务助理) of %(office)s"))
    if who is Who.SUPERVISOR:
        return str(_("the supervisor (中心负责人) of %(office)s"))
    if who is Who.SYSTEM:
        return str(_("the system, on its deadline"))
    if who is Who.VILLAGER:
        return str(_("the villager, on their own phone"))
    if office_kind == "department":
        return str(_("the staff of %(office)s"))
    if office_kind is None:
        return str(_("the window clerks of the township service centre (乡镇便民服务中心窗口人员)"))
    return str(_("the window clerks (窗口人员) of %(office)s"))


BUTTON_LABELS = {
    Act.SUBMIT: _("Submit (提交)"),
    Act.ASSIGN: _("Take it: I will handle this (认领)"),
    Act.REASSIGN: _("Give it to another clerk (改派)"),
    Act.ACCEPT: _("Accept (受理)"),
    Act.ACCEPT_WITH_PROMISE: _("Accept, materials to follow (容缺受理)"),
    Act.RETURN: _("Return with a one-time notice (退回补正)"),
    Act.AGREE_SECOND_RETURN: _("Agree to a second return, with the reason (同意再次退回)"),
    Act.SECOND_RETURN: _("Return a second time (再次退回)"),
    Act.RESUBMIT: _("Hand in the supplement (补正)"),
    Act.SUPPLY: _("Hand in a promised material (补交)"),
    Act.PAUSE: _("Start a special procedure (公示, 勘查 …)"),
    Act.RESUME: _("End the special procedure"),
    Act.REVIEW: _("Review and send for approval (审核)"),
    Act.SEND_BACK: _("Send back to the clerk"),
    Act.FORWARD: _("Forward to the county department (上报)"),
    Act.APPROVE: _("Approve (准予)"),
    Act.REJECT: _("Refuse (不予)"),
    Act.WITHDRAW: _("Withdraw (撤回)"),
    Act.HAND_OVER: _("Record the hand-over to the villager (送达)"),
}

_open_working = (State.ACCEPTED, State.REVIEWED, State.FORWARDED)

_ROWS = (
    Transition(State.DRAFT, Act.SUBMIT, State.SUBMITTED, Who.FILER),
    Transition(State.DRAFT, Act.WITHDRAW, State.WITHDRAWN, Who.FILER),
    Transition(State.SUBMITTED, Act.ACCEPT, State.ACCEPTED, Who.HANDLER),
    Transition(State.SUBMITTED, Act.ACCEPT_WITH_PROMISE, State.ACCEPTED, Who.HANDLER),
    Transition(State.SUBMITTED, Act.RETURN, State.RETURNED, Who.HANDLER),
    # 一次性告知: a second return of the same application needs the supervisor's written reason,
    # given by someone other than the clerk who returns it (services.step_blocker).
    Transition(State.SUBMITTED, Act.AGREE_SECOND_RETURN, State.SUBMITTED, Who.SUPERVISOR),
    Transition(State.SUBMITTED, Act.SECOND_RETURN, State.RETURNED, Who.HANDLER),
    Transition(State.SUBMITTED, Act.DEEM_ACCEPTED, State.ACCEPTED, Who.SYSTEM),
    # 不予受理 (行政许可法 第三十二条): the matter is not this office's or needs no application; a
    # written decision with reasons and remedies (approvals.decision_papers), never a silent return.
    Transition(State.SUBMITTED, Act.REJECT, State.REJECTED, Who.HANDLER),
    Transition(State.RETURNED, Act.RESUBMIT, State.SUBMITTED, Who.FILER),
    Transition(State.ACCEPTED, Act.REVIEW, State.REVIEWED, Who.HANDLER),
    Transition(State.ACCEPTED, Act.FORWARD, State.FORWARDED, Who.HANDLER),
    Transition(State.ACCEPTED, Act.APPROVE, State.APPROVED, Who.HANDLER),
    Transition(State.ACCEPTED, Act.REJECT, State.REJECTED, Who.HANDLER),
    Transition(State.REVIEWED, Act.APPROVE, State.APPROVED, Who.SUPERVISOR),
    Transition(State.REVIEWED, Act.REJECT, State.REJECTED, Who.SUPERVISOR),
    Transition(State.REVIEWED, Act.SEND_BACK, State.ACCEPTED, Who.SUPERVISOR),
    Transition(State.FORWARDED, Act.APPROVE, State.APPROVED, Who.HANDLER),
    Transition(State.FORWARDED, Act.REJECT, State.REJECTED, Who.HANDLER),
    # 送达: the assistant records that the certificate reached the villager (certificates).
    Transition(State.APPROVED, Act.HAND_OVER, State.APPROVED, Who.FILER),
    *(Transition(state, Act.PAUSE, state, Who.HANDLER) for state in _open_working),
    *(Transition(state, Act.RESUME, state, Who.HANDLER) for state in _open_working),
    *(Transition(state, Act.SUPPLY, state, Who.FILER) for state in _open_working),
    *(Transition(state, Act.TERMINATE, State.TERMINATED, Who.SYSTEM) for state in _open_working),
    *(Transition(state, Act.ASSIGN, state, Who.HANDLER) for state in OPEN_STATES - {State.RETURNED}),
    *(Transition(state, Act.REASSIGN, state, Who.SUPERVISOR) for state in OPEN_STATES - {State.RETURNED}),
    *(
        Transition(state, Act.WITHDRAW, State.WITHDRAWN, Who.FILER)
        for state in (State.SUBMITTED, State.RETURNED, *_open_working)
    ),
)

# Acts that write an event without being a step in the table (anyone who may act on the work).
BOOKKEEPING_ACTS = frozenset(
    {
        Act.CREATE,
        Act.UNLOCK_TRACKING,
        Act.DEADLINE_MOVED,
        Act.ISSUE_CERTIFICATE,
        Act.REVOKE_CERTIFICATE,
        Act.FILE_REMOVED,
        Act.DATA_SUPPLEMENTED,
        Act.DATA_CORRECTED,
        Act.DATA_ASSESSED,
        Act.REUSED,
        Act.REMOTE_LINK_SENT,
        Act.REMOTE_LINK_REVOKED,
        Act.VILLAGER_UPLOADED,
        Act.VILLAGER_ANSWERED,
        Act.VILLAGER_CONSENTED,
        Act.VILLAGER_FINISHED,
        Act.START_ONLINE,
        Act.HAND_IN,
        Act.TAKE,
    }
)

TABLE = TransitionTable(_ROWS, buttons=BUTTON_LABELS, bookkeeping=BOOKKEEPING_ACTS)
"""The application's table for the workflow machine (`portal.workflow`); each row has one `Who`."""

TRANSITIONS: tuple[Transition, ...] = TABLE.transitions
transition_for = TABLE.transition_for
acts_from = TABLE.acts_from

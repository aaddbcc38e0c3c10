"""The lives of a rectification (差评整改) and of a rating appeal (差评申诉) as tables.

A bad rating opens a rectification for the office that decided the case: the office answers it
(整改反馈), then someone outside it, of the county, calls the villager back (回访). It is cancelled when the
villager changes the rating to a good one, or when the county sets the rating aside on appeal.
An appeal waits for the county administrator, who upholds the rating or sets it aside. Their
services (`ratings.services`) run each step through the workflow machine (`portal.workflow`);
both histories are lines of the rating's `RatingEvent` history.
"""

from enum import Enum

from portal.workflow import Transition, TransitionTable

from .models import RatingAppeal, RatingEvent, Rectification

Act = RatingEvent.Act


class Who(Enum):
    """The capacity written on a rectification's or an appeal's event (`actor_role`)."""

    OFFICE = "office"  # the handling office: its supervisor answers
    COUNTY = "county"  # the county: its revisit office calls back, a county administrator decides appeals
    SYSTEM = "system"  # a consequence of another step, the calendar, the overdue sweep


_State = Rectification.State

RECTIFICATION_TABLE = TransitionTable(
    (
        Transition(_State.OPEN, Act.ANSWER, _State.ANSWERED, Who.OFFICE),
        Transition(_State.ANSWERED, Act.REVISIT, _State.REVISITED, Who.COUNTY),
        # Cancelled as a consequence: the villager changed the rating, or it was set aside.
        Transition(_State.OPEN, Act.CANCEL, _State.CANCELLED, Who.SYSTEM),
        Transition(_State.ANSWERED, Act.CANCEL, _State.CANCELLED, Who.SYSTEM),
    ),
    bookkeeping={Act.OPEN, Act.REMIND, Act.DEADLINE_MOVED},
)

_Outcome = RatingAppeal.Outcome

APPEAL_TABLE = TransitionTable(
    (
        Transition(_Outcome.PENDING, Act.UPHOLD, _Outcome.UPHELD, Who.COUNTY),
        Transition(_Outcome.PENDING, Act.SET_ASIDE, _Outcome.SET_ASIDE, Who.COUNTY),
    ),
    bookkeeping={Act.APPEAL},
)

"""Who may send and withdraw links to a villager's phone (网办), and who may see them.

The assistant who may act on the application as its filer (approvals' `may_act_as`, FILER: a
village assistant of its station), while it is a draft or returned for supplement. Everyone
else is answered as if the application did not exist (the views give 404)."""

from approvals.models import Application
from approvals.policies import may_act_as
from approvals.states import State, Who
from portal.people.models import User

LINK_STATES = (State.DRAFT, State.RETURNED)
"""The states in which the villager may be asked to add to the application from their phone."""


def may_manage_links(user: User | None, application: Application) -> bool:
    """May `user` send, withdraw and follow links for this application now?"""
    return application.state in LINK_STATES and may_act_as(user, application, Who.FILER)

"""The one policy for applications: who may see one, act on it in which capacity, and who could.

Every question about an application comes here: the services before each step, the selectors
for lists, exports and downloads, the pages for their buttons, the back office for its menu, the
reminders for whom to tell. The policy asks `portal.people.jurisdiction.office_policy` about the
application's offices and never reads memberships or roles itself:

- FILE: the filing station's assistant (file_application on `application.station`);
- HANDLE: the office where the work now sits (handle_application on `current_office`);
- SUPERVISE: that office's supervisor (supervise_office on `current_office`);
- VIEW: the filing station's work, drafts included, and submitted work filed at, routed to,
  sitting at or handled by an office whose work the user views (`visibility_condition`).

A step of the table (`approvals.states.TRANSITIONS`: "accept", "return", "approve", "reject",
"hand_over" …) is an action too: it needs the capacity the table names for it in the
application's state, and nobody may take a step the state does not offer. The item's
conditions, the file's version and who took the file stay the services' questions
(`services._check`, `services.step_blocker`), with their own messages.

The rule "who answers for an office" (its supervisor; at a county department, which has no
supervisor role, its officers) is also here, once: certificates are revoked and bad ratings
answered and appealed by whoever answers for the office concerned.
"""

from collections.abc import Iterable
from typing import TypeGuard

from django.db.models import Q, QuerySet

from portal.offices.models import Office, OfficeKind
from portal.people.jurisdiction import office_policy
from portal.people.models import User
from portal.people.roles import Action

from .models import Application
from .states import TRANSITIONS, Act, State, Who, transition_for

# -- actions --------------------------------------------------------------------------------------

VIEW = "view"
"""See the application, its history, files and papers (the back office's "view" too)."""
FILE = "file"
"""Act as the filing station's assistant (Who.FILER): drafts, supplements, the hand-over."""
HANDLE = "handle"
"""Act as the office where the work sits (Who.HANDLER): accept, return, decide."""
SUPERVISE = "supervise"
"""Act as that office's supervisor (Who.SUPERVISOR): reassign, approve after review."""
DOWNLOAD = "download"
"""Download an uploaded material: whoever sees the application."""
PRINT = "print"
"""Print its papers (the receipt, a one-time notice): whoever sees the application."""
EXPORT = "export"
"""Take the inbox away as a spreadsheet: the work at offices the user handles."""
REVEAL_ID_NUMBER = "reveal_id_number"
"""See the villager's full ID number (logged): the office handling the application."""
UNLOCK_TRACKING = Act.UNLOCK_TRACKING.value
"""Let the villager look the application up online again: its assistant or its office."""

CAPACITY_ACTIONS: dict[Who, str] = {Who.FILER: FILE, Who.HANDLER: HANDLE, Who.SUPERVISOR: SUPERVISE}
_OFFICE_ACTIONS = {FILE: Action.FILE, HANDLE: Action.HANDLE, SUPERVISE: Action.SUPERVISE}
_AS = {VIEW: VIEW, DOWNLOAD: VIEW, PRINT: VIEW, EXPORT: HANDLE, REVEAL_ID_NUMBER: HANDLE}

STEP_ACTIONS = frozenset(str(t.act) for t in TRANSITIONS if t.who is not Who.SYSTEM)
"""The table's steps that people take, each an action of this policy."""

ACTIONS = frozenset({*_AS, *_OFFICE_ACTIONS, UNLOCK_TRACKING, *STEP_ACTIONS})


def _active(user) -> TypeGuard[User]:
    return bool(user and user.is_authenticated and user.is_active)


def office_for(application: Application, who: Who) -> Office | None:
    """The office whose permission decides whether someone may act in capacity `who`."""
    if who in (Who.FILER, Who.VILLAGER):
        return application.station
    return application.current_office


def _capacities(action: str, application: Application | None = None) -> tuple[Who, ...]:
    """The capacities that may do `action`, in the order they are tried (and recorded)."""
    if action in _OFFICE_ACTIONS:
        return (next(who for who, name in CAPACITY_ACTIONS.items() if name == action),)
    if action in (EXPORT, REVEAL_ID_NUMBER):
        return (Who.HANDLER,)
    if action == UNLOCK_TRACKING:
        return (Who.FILER, Who.HANDLER)
    if action in STEP_ACTIONS:
        if application is not None:  # the capacity the table names in the application's state
            step = transition_for(application.state, action)
            return (step.who,) if step is not None and step.who is not Who.SYSTEM else ()
        return tuple(dict.fromkeys(t.who for t in TRANSITIONS if t.act == action and t.who is not Who.SYSTEM))
    raise ValueError(f"unknown application action {action!r}")


def _states_for(action: str, who: Who) -> list[str] | None:
    """For a step: the states in which `who` takes it (None: any state)."""
    if action not in STEP_ACTIONS:
        return None
    return [t.source for t in TRANSITIONS if t.act == action and t.who is who]


class ApplicationPermissionPolicy:
    """Answers every permission question about applications, from the office policy."""

    # -- one application -------------------------------------------------------------------------

    def capacity_for(self, user: User | None, action: str, application: Application) -> Who | None:
        """The capacity in which `user` may do `action` to `application` (the one its event
        records), or None: may not. Not for VIEW-like actions, which need no capacity."""
        for who in _capacities(action, application):
            office = office_for(application, who)
            if (
                user is not None
                and office is not None
                and office_policy.user_has_permission_for_instance(
                    user, _OFFICE_ACTIONS[CAPACITY_ACTIONS[who]], office
                )
            ):
                return who
        return None

    def user_has_permission_for_instance(
        self, user: User | None, action: str, application: Application
    ) -> bool:
        """May `user` do `action` to `application`?"""
        if not _active(user):
            return False
        if _AS.get(action) == VIEW:
            if user.is_superuser:
                return True
            return self.instances_user_has_permission_for(user, VIEW).filter(pk=application.pk).exists()
        return self.capacity_for(user, action, application) is not None

    def user_may_act_as(self, user: User | None, application: Application, who: Who) -> bool:
        """The services' question for a step of the table: may `user` act in capacity `who`?
        The system's steps (deadlines, reminders) are taken by nobody (`user` None)."""
        if who is Who.SYSTEM:
            return user is None
        if who is Who.VILLAGER:  # the villager has no account: no staff member acts as them
            return False
        return self.user_has_permission_for_instance(user, CAPACITY_ACTIONS[who], application)

    def user_may_file_at(self, user: User | None, station: Office) -> bool:
        """May `user` start a draft for a villager of `station`'s village?"""
        return _active(user) and office_policy.user_has_permission_for_instance(user, Action.FILE, station)

    def user_may_take(self, user: User | None, application: Application) -> bool:
        """May `user` take a villager's online draft (接手)? An assistant of its village's
        station (the filer the draft lacks); nobody else."""
        return (
            _active(user)
            and application.origin == Application.Origin.VILLAGER_ONLINE
            and self.user_may_file_at(user, application.station)
        )

    # -- lists -----------------------------------------------------------------------------------

    def instances_user_has_permission_for(self, user: User | None, action: str) -> QuerySet[Application]:
        """The applications on which `user` may do `action` (a lazy queryset)."""
        if _AS.get(action) == VIEW:
            return Application.objects.filter(visibility_condition(user))
        if not _active(user):
            return Application.objects.none()
        condition = Q(pk__in=[])
        for who in _capacities(action):
            offices = office_policy.office_ids_user_has_permission_for(
                user, _OFFICE_ACTIONS[CAPACITY_ACTIONS[who]]
            )
            field = "station__in" if who is Who.FILER else "current_office__in"
            rows = Q(**{field: offices})
            states = _states_for(action, who)
            if states is not None:
                rows &= Q(state__in=states)
            condition |= rows
        return Application.objects.filter(visibility_condition(user)).filter(condition)

    def user_has_permission(self, user: User | None, action: str) -> bool:
        """May `user` do `action` to some application (the menu, "may see this page at all")?

        For VIEW the answer is remembered on the user object, which is rebuilt for every
        request: the back office asks for every menu it draws."""
        if not _active(user):
            return False
        if user.is_superuser:
            return True
        if _AS.get(action) == VIEW:
            cached = user.__dict__.get("_cunban_sees_applications")
            if cached is None:
                cached = office_policy.user_has_any_permission(user, [Action.FILE, Action.VIEW])
                user.__dict__["_cunban_sees_applications"] = cached
            return cached
        return office_policy.user_has_any_permission(
            user, [_OFFICE_ACTIONS[CAPACITY_ACTIONS[who]] for who in _capacities(action)]
        )

    # -- people ----------------------------------------------------------------------------------

    def users_with_permission_for_instance(self, action: str, application: Application) -> QuerySet[User]:
        """Who may do `action` to `application` by their roles (not superusers): who is told,
        who may be given the work."""
        if _AS.get(action) == VIEW:
            condition = Q(
                pk__in=office_policy.users_with_permission_for_instance(Action.FILE, application.station)
            )
            if application.state != State.DRAFT:
                for office in {application.station, application.current_office, application.handling_office}:
                    if office is not None:
                        condition |= Q(
                            pk__in=office_policy.users_with_permission_for_instance(Action.VIEW, office)
                        )
            return User.objects.filter(condition)
        condition = Q(pk__in=[])
        for who in _capacities(action, application):
            office = office_for(application, who)
            if office is not None:
                office_action = _OFFICE_ACTIONS[CAPACITY_ACTIONS[who]]
                condition |= Q(pk__in=office_policy.users_with_permission_for_instance(office_action, office))
        return User.objects.filter(condition)

    # -- fields ----------------------------------------------------------------------------------

    def assignees_for(self, application: Application) -> QuerySet[User]:
        """Whom the work may be given to (认领, 改派): the staff who handle its current office."""
        return self.users_with_permission_for_instance(HANDLE, application).order_by("name", "username")

    def user_may_set(self, user: User | None, field: str, value, application: Application) -> bool:
        """May `user` set `field` of `application` to `value`? "assignee": a clerk takes the
        work for themselves, a supervisor gives it to anyone who handles the office."""
        if field != "assignee":
            raise ValueError(f"no field rule for {field!r}")
        office = application.current_office
        if value is None or office is None:
            return False
        if not office_policy.user_has_permission_for_instance(value, Action.HANDLE, office):
            return False
        if value == user:
            return self.user_has_permission_for_instance(user, HANDLE, application)
        return self.user_has_permission_for_instance(user, SUPERVISE, application)


application_policy = ApplicationPermissionPolicy()


def visibility_condition(user: User | None, prefix: str = "", *, eager: bool = False) -> Q:
    """The VIEW rule as a condition, on the application reached through `prefix`
    ("rating__application__" from a rating's table, say). With `eager`, the user's offices are
    read first (two small queries; none within a request, which has them already) and the
    condition holds their ids: on a large table that is much cheaper than the permission
    subqueries joined to every row."""
    if not _active(user):
        return Q(pk__in=[])
    if user.is_superuser:
        return Q()
    filing = office_policy.office_ids_user_has_permission_for(user, Action.FILE)
    viewing = office_policy.office_ids_user_has_permission_for(user, Action.VIEW)
    if eager:
        filing, viewing = list(filing), list(viewing)

    return Q(**{f"{prefix}station__in": filing}) | submitted_visibility_condition(viewing, prefix)


def submitted_visibility_condition(viewing: QuerySet[Office] | list[int], prefix: str = "") -> Q:
    """The part of the VIEW rule that viewing offices' work gives: submitted applications
    (never drafts) filed at, routed to, sitting at or handled by one of `viewing`. An API
    client bound to an office sees exactly this over the offices of its region."""

    def field(name: str, value) -> Q:
        return Q(**{f"{prefix}{name}": value})

    return ~field("state", State.DRAFT) & (
        field("station__in", viewing)
        | field("current_office__in", viewing)
        | field("handling_office__in", viewing)
    )


def may_act_as(user: User | None, application: Application, who: Who) -> bool:
    """`application_policy.user_may_act_as`, as the steps' code and the pages call it."""
    return application_policy.user_may_act_as(user, application, who)


def supervisors_by_office(offices: Iterable[Office]) -> dict[int, list[User]]:
    """The supervisors of each office, for the deadline reminders (one query per office)."""
    return {
        office.pk: list(office_policy.users_with_permission_for_instance(Action.SUPERVISE, office))
        for office in offices
        if office is not None
    }


# -- who answers for an office -------------------------------------------------------------------


class AnsweringOfficePolicy:
    """Who answers for an office's work after the fact (a certificate it issued, a bad rating of
    its service): its supervisor; at a county department, which has no supervisor role, its
    officers. One rule for revoking certificates and for answering and appealing ratings."""

    @staticmethod
    def _action(office: Office) -> str:
        return Action.HANDLE if office.kind == OfficeKind.DEPARTMENT else Action.SUPERVISE

    def capacity_for(self, user: User | None, office: Office) -> Who | None:
        """The capacity in which `user` answers for `office` (recorded in the event), or None."""
        if user is None or not user.is_authenticated:
            return None
        action = self._action(office)
        if not office_policy.user_has_permission_for_instance(user, action, office):
            return None
        return Who.HANDLER if action == Action.HANDLE else Who.SUPERVISOR

    def user_has_permission_for_instance(self, user: User | None, office: Office) -> bool:
        return self.capacity_for(user, office) is not None

    def instances_user_has_permission_for(self, user: User | None) -> QuerySet[Office]:
        """The offices `user` answers for (a lazy queryset)."""
        supervised = office_policy.instances_user_has_permission_for(user, Action.SUPERVISE)
        handled = office_policy.instances_user_has_permission_for(user, Action.HANDLE)
        return Office.objects.filter(
            Q(pk__in=supervised.exclude(kind=OfficeKind.DEPARTMENT))
            | Q(pk__in=handled, kind=OfficeKind.DEPARTMENT)
        )

    def users_with_permission_for_instance(self, office: Office) -> QuerySet[User]:
        """Who answers for `office`: who is told of its bad ratings."""
        return office_policy.users_with_permission_for_instance(self._action(office), office)


answering_policy = AnsweringOfficePolicy()


__all__ = [
    "ACTIONS",
    "DOWNLOAD",
    "EXPORT",
    "FILE",
    "HANDLE",
    "PRINT",
    "REVEAL_ID_NUMBER",
    "SUPERVISE",
    "UNLOCK_TRACKING",
    "VIEW",
    "AnsweringOfficePolicy",
    "ApplicationPermissionPolicy",
    "answering_policy",
    "application_policy",
    "may_act_as",
    "office_for",
    "supervisors_by_office",
    "visibility_condition",
]

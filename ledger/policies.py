"""Who may do what to ledger items (民情台账 / 微心愿): the one policy every page, service,
selector, export, download and the back office ask.

It is built on the office policy (`portal.people.jurisdiction.office_policy`): an item belongs to
its village's station and to its township's centre, and each capacity in which someone acts
(`ledger.states.Who`) is an object permission on one of those offices, or being the item's
assignee. The policy never reads memberships or roles itself.

Actions:

- `VIEW` (the item's page, its photos, the lists, the export and the back office): the village's
  assistant, the township centre's clerks and supervisor, the administrators over them, and the
  staff member a promise names;
- `REGISTER` (on a station): its assistant;
- the staff steps of `ledger.states.Act` (assign, claim, note, mark_done, record_confirmation,
  record_not_done, cancel): the transition table's capacities, in the item's current state;
- `TAKE_ON` (being given the item by the supervisor): the active staff of the township's centre
  and village stations.
"""

from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, Q, QuerySet
from django.db.models.functions import Cast
from guardian.models import UserObjectPermission
from wagtail.permission_policies.base import BasePermissionPolicy

from portal.errors import required
from portal.offices.models import Office, OfficeKind
from portal.people.jurisdiction import office_policy
from portal.people.models import User
from portal.people.roles import Action
from portal.places.models import Region

from .models import HotlineOrder, LedgerItem
from .states import TRANSITIONS, Act, Who, acts_from, transition_for

VIEW = "view"
EXPORT = "export"
DOWNLOAD_PHOTO = "download_photo"
REGISTER = "register"
TAKE_ON = "take_on"
STEP_ACTIONS = frozenset(act.value for act in Act if act not in (Act.REGISTER, Act.CONFIRM, Act.NOT_DONE))
"""The staff steps: the villager's own two answers are never a login's."""
SEEING_ACTIONS = frozenset({VIEW, EXPORT, DOWNLOAD_PHOTO})

_OFFICE_ACTION = {
    Who.FILER: Action.FILE,
    Who.HANDLER: Action.HANDLE,
    Who.SUPERVISOR: Action.SUPERVISE,
    Who.MANAGER: Action.MANAGE,
}
# When a person holds several of a step's capacities, the event names the first of these.
PREFERENCE = (Who.ASSIGNEE, Who.SUPERVISOR, Who.HANDLER, Who.FILER, Who.MANAGER)
# Who works at a township's desks: the centre's clerks and supervisor handle its work, the
# stations' assistants file for their villages.
_DESK_ACTION = {OfficeKind.CENTRE: Action.HANDLE, OfficeKind.STATION: Action.FILE}


def _active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


class LedgerItemPolicy(BasePermissionPolicy):
    """Answers every permission question about ledger items from the office policy."""

    # -- capacities ------------------------------------------------------------------------------

    def office_for(self, item: LedgerItem, who: Who) -> Office | None:
        """The office whose permission decides capacity `who` (and which the event names)."""
        if who is Who.FILER:
            return item.station
        if who is Who.ASSIGNEE:
            return item.assignee_office
        if who is Who.VILLAGER:
            return None
        return item.office

    def user_may_act_as(self, user, item: LedgerItem, who: Who) -> bool:
        """Does `user` hold capacity `who` on `item`? The villager's capacity is never a login's."""
        if who is Who.VILLAGER or not _active(user):
            return False
        if who is Who.ASSIGNEE:
            return item.assignee_id is not None and item.assignee_id == user.pk
        office = self.office_for(item, who)
        return office is not None and office_policy.user_has_permission_for_instance(
            user, _OFFICE_ACTION[who], office
        )

    def capacities_of(self, user, item: LedgerItem) -> set[Who]:
        """Every capacity `user` holds on `item` (four permission checks at most)."""
        return {who for who in PREFERENCE if self.user_may_act_as(user, item, who)}

    def capacity_for_step(self, user, item: LedgerItem, act: str) -> Who | None:
        """The capacity in which `user` may take step `act` on `item` now (the preferred one when
        they hold several), or None when the state has no such step or they hold none of its
        capacities."""
        step = transition_for(item.state, act)
        if step is None or Who.VILLAGER in step.who:
            return None
        return next(
            (who for who in PREFERENCE if who in step.who and self.user_may_act_as(user, item, who)), None
        )

    def steps_for(self, user, item: LedgerItem) -> list:
        """The steps `user` may take on `item` now, in the table's order (the page's buttons)."""
        capacities = self.capacities_of(user, item)
        return [
            step for step in acts_from(item.state) if Who.VILLAGER not in step.who and step.who & capacities
        ]

    # -- Wagtail's questions ---------------------------------------------------------------------

    def user_has_permission(self, user, action: str) -> bool:
        """May `user` do `action` on some ledger item (or, for REGISTER, some station)? For the
        staff menu and the back office's list: whoever files for a station or views an office's
        work."""
        if not _active(user):
            return False
        if user.is_superuser:
            return True
        if action == REGISTER:
            return office_policy.user_has_permission(user, Action.FILE)
        if action in SEEING_ACTIONS:
            return office_policy.instances_user_has_any_permission_for(
                user, [Action.VIEW, Action.FILE]
            ).exists()
        return self.instances_user_has_permission_for(user, action).exists()

    def user_has_permission_for_instance(self, user, action: str, instance) -> bool:
        """May `user` do `action` to this item (for REGISTER: to this station)?"""
        if action == REGISTER:
            return _active(user) and office_policy.user_has_permission_for_instance(
                user, Action.FILE, instance
            )
        if action in SEEING_ACTIONS:
            return self.instances_user_has_permission_for(user, VIEW).filter(pk=instance.pk).exists()
        if action in STEP_ACTIONS:
            return self.capacity_for_step(user, instance, action) is not None
        if action == TAKE_ON:
            return self.township_office_of(user, instance) is not None
        return False

    def instances_user_has_permission_for(self, user, action: str) -> QuerySet[LedgerItem]:
        """The items on which `user` may do `action` (a lazy queryset; the permission subqueries
        run with it). VIEW is THE visibility rule of the ledger."""
        if not _active(user):
            return LedgerItem.objects.none()
        if action in SEEING_ACTIONS:
            if user.is_superuser:
                return LedgerItem.objects.all()
            viewing = office_policy.instances_user_has_any_permission_for(user, [Action.VIEW, Action.FILE])
            return LedgerItem.objects.filter(
                Q(office__in=viewing) | Q(station__in=viewing) | Q(assignee=user)
            )
        if action in STEP_ACTIONS:
            condition = Q(pk__in=[])
            for state, capacities in _step_capacities(action).items():
                condition |= Q(state=state) & self._capacity_condition(user, capacities)
            return LedgerItem.objects.filter(condition)
        return LedgerItem.objects.none()

    def instances_user_has_any_permission_for(self, user, actions) -> QuerySet[LedgerItem]:
        queryset = LedgerItem.objects.none()
        for action in actions:
            queryset = queryset | self.instances_user_has_permission_for(user, action)
        return queryset

    def users_with_permission_for_instance(self, action: str, instance: LedgerItem) -> QuerySet[User]:
        """Who may do `action` to `instance` (superusers, operators, not listed), from the same
        office permissions as `user_has_permission_for_instance`. TAKE_ON: the active staff of
        the item's township (its centre's clerks and supervisor, its stations' assistants), whom
        the supervisor may give it to."""
        if action == TAKE_ON:
            holders = _desk_permissions(required(instance.village.parent, "village.parent")).values("user_id")
            return User.objects.filter(is_active=True, pk__in=holders).order_by("name", "username")
        if action in SEEING_ACTIONS:
            offices = [office for office in (instance.office, instance.station) if office is not None]
            capacities = {Who.ASSIGNEE}
            users = self._office_users(offices, [Action.VIEW, Action.FILE])
        elif action in STEP_ACTIONS:
            step = transition_for(instance.state, action)
            capacities = set(step.who) - {Who.VILLAGER} if step is not None else set()
            users = User.objects.none()
            for who in capacities - {Who.ASSIGNEE}:
                office = self.office_for(instance, who)
                users = users | self._office_users([office] if office else [], [_OFFICE_ACTION[who]])
        else:
            return User.objects.none()
        if Who.ASSIGNEE in capacities and instance.assignee_id is not None:
            users = users | User.objects.filter(pk=instance.assignee_id, is_active=True)
        return users.distinct().order_by("name", "username")

    @staticmethod
    def _office_users(offices: list[Office], actions: list[str]) -> QuerySet[User]:
        users = User.objects.none()
        for office in offices:
            for action in actions:
                users = users | office_policy.users_with_permission_for_instance(action, office)
        return users

    def users_with_any_permission(self, actions):
        """Nobody is listed model-wide: who may act depends on the item (see
        `users_with_permission_for_instance`)."""
        return User.objects.none()

    # -- field-level questions -------------------------------------------------------------------

    def township_office_of(self, user, item: LedgerItem) -> Office | None:
        """The office of the item's township through which `user` works there, the office a
        promise given to them names: the centre (as a clerk or supervisor) before a village
        station (as its assistant); None when neither (they may not be given the item)."""
        if not _active(user):
            return None
        township = required(item.village.parent, "village.parent")
        held = _desk_permissions(township).filter(user=user).values("object_pk")
        offices = list(Office.objects.annotate(pk_text=Cast("pk", CharField())).filter(pk_text__in=held))
        return next((o for o in offices if o.kind == OfficeKind.CENTRE), None) or next(iter(offices), None)

    def villages_user_may_register_for(self, user) -> QuerySet[Region]:
        """Villages whose active station the user may register requests for (its assistant)."""
        stations = office_policy.instances_user_has_permission_for(user, Action.FILE).filter(
            kind=OfficeKind.STATION, is_active=True
        )
        return (
            Region.objects.filter(offices__in=stations).select_related("parent").distinct().order_by("code")
        )

    def _capacity_condition(self, user, capacities) -> Q:
        """Items on which `user` holds one of `capacities`, as a condition."""
        condition = Q(pk__in=[])
        for who in capacities:
            if who is Who.ASSIGNEE:
                condition |= Q(assignee=user)
            elif who in _OFFICE_ACTION:
                offices = office_policy.instances_user_has_permission_for(user, _OFFICE_ACTION[who])
                field = "station__in" if who is Who.FILER else "office__in"
                condition |= Q(**{field: offices})
        return condition


def _desk_permissions(township: Region):
    """The office permissions that put someone on the staff of `township`: handling at its
    active centre, filing at one of its active village stations. Read from the permissions
    themselves, not through the office policy, because a superuser, to whom the office policy
    answers yes everywhere, is on a township's staff only when they hold a role there."""
    desks = Q()
    for kind, office_action in _DESK_ACTION.items():
        offices = (
            Office.objects.filter(is_active=True, kind=kind, region__code__startswith=township.prefix)
            .annotate(pk_text=Cast("pk", CharField()))
            .values("pk_text")
        )
        desks |= Q(permission__codename=office_action, object_pk__in=offices)
    return UserObjectPermission.objects.filter(desks, content_type=ContentType.objects.get_for_model(Office))


def _step_capacities(act: str) -> dict[str, frozenset]:
    """For each state, the capacities that may take step `act` from it."""
    return {step.source: step.who for step in TRANSITIONS if step.act == act and Who.VILLAGER not in step.who}


ledger_policy = LedgerItemPolicy(LedgerItem)


# -- hotline work orders (12345工单) --------------------------------------------------------------
#
# A hotline order that named its village is a ledger item: whoever sees the item sees the order.
# One that did not waits where the hotline's text pointed, for a person there to place it:
# in a township, its centre's supervisor and the administrators over the township; in the
# county, the county's administrators (an administrator membership in a county department).
# Placing it makes the ledger item in the village chosen, which must lie in the order's region
# and in a township whose centre the person supervises or administers.

_PLACING_ACTIONS = (Action.SUPERVISE, Action.MANAGE)


def hotline_orders_visible_to(user) -> QuerySet[HotlineOrder]:
    """The hotline orders `user` may see (a lazy queryset): placed ones through their item's
    VIEW, waiting ones by the rule above."""
    if not _active(user):
        return HotlineOrder.objects.none()
    if user.is_superuser:
        return HotlineOrder.objects.all()
    placing = office_policy.instances_user_has_any_permission_for(user, _PLACING_ACTIONS)
    townships = placing.filter(kind=OfficeKind.CENTRE, is_active=True).values("region_id")
    counties = (
        office_policy.instances_user_has_permission_for(user, Action.MANAGE)
        .filter(kind=OfficeKind.DEPARTMENT, region__parent__isnull=True)
        .values("region_id")
    )
    waiting = Q(item__isnull=True) & (Q(region__in=townships) | Q(region__in=counties))
    return HotlineOrder.objects.filter(
        waiting | Q(item__in=ledger_policy.instances_user_has_permission_for(user, VIEW))
    )


def hotline_placing_capacity(user, order: HotlineOrder, village: Region) -> Who | None:
    """The capacity in which `user` may place the waiting `order` in `village` (the supervisor
    of the village's township centre, or an administrator over it), or None."""
    if not _active(user) or order.item_id is not None or not order.region.contains(village):
        return None
    if not hotline_orders_visible_to(user).filter(pk=order.pk).exists():
        return None
    centre = Office.objects.active().filter(kind=OfficeKind.CENTRE, region_id=village.parent_id).first()
    if centre is None:
        return None
    for who, action in ((Who.SUPERVISOR, Action.SUPERVISE), (Who.MANAGER, Action.MANAGE)):
        if office_policy.user_has_permission_for_instance(user, action, centre):
            return who
    return None


__all__ = [
    "DOWNLOAD_PHOTO",
    "EXPORT",
    "PREFERENCE",
    "REGISTER",
    "STEP_ACTIONS",
    "TAKE_ON",
    "VIEW",
    "LedgerItemPolicy",
    "hotline_orders_visible_to",
    "hotline_placing_capacity",
    "ledger_policy",
]

"""Who may see and change staff accounts, memberships and resident records in the back office,
and which values of their fields each person may set.

Every answer is built on the office policy (`jurisdiction.office_policy`, "manage" on an office)
and `jurisdiction.user_is_county_administrator`; the viewsets (`wagtail_hooks.py`) take these
objects as their `permission_policy`, the forms ask the field-level questions, and the services
(`people.services`) ask the same questions before they change anything.

The rules:

- staff: an account is managed by whoever manages every office where it holds a role (what one
  does to an account reaches all its offices); an account with no role, only by a county
  administrator;
- memberships: granted and ended in offices the actor manages; nobody grants or ends a role of
  their own (no self-elevation: a second person always decides who may do what); supervisor,
  editor and administrator (`roles.COUNTY_GRANTED_ROLES`) only by a county administrator;
- residents: seen by the villages' assistants and administrators, never edited here.
"""

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from wagtail.permission_policies.base import BasePermissionPolicy

from portal.offices.models import Office
from portal.places.models import Region

from .jurisdiction import office_policy, user_is_county_administrator
from .models import Membership, Resident, User
from .roles import COUNTY_GRANTED_ROLES, Action, Role, roles_grantable_by

ADD = "add"
CHANGE = "change"
VIEW = "view"
DELETE = "delete"
"""For memberships: ending one (they are ended and kept, never deleted)."""


def _active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


class JurisdictionPolicy(BasePermissionPolicy):
    """A Wagtail permission policy whose answers come from a jurisdiction queryset.

    Subclasses implement `scoped_queryset(user)` (what the user may manage) and may narrow
    `allowed_actions` (e.g. no "delete" where history must be kept)."""

    allowed_actions = frozenset({"add", "change", "view"})

    def scoped_queryset(self, user):
        raise NotImplementedError

    def _active(self, user) -> bool:
        return _active(user)

    def _scoped_pks(self, user) -> set:
        """The pks the user may manage, computed once per request: admin lists ask about every
        row (which buttons to show), and one query per row is what we never do. The cache
        lives on `request.user`, which is rebuilt for every request."""
        cache = user.__dict__.setdefault("_cunban_scoped_pks", {})
        key = type(self)
        if key not in cache:
            cache[key] = set(self.scoped_queryset(user).values_list("pk", flat=True))
        return cache[key]

    def user_may_add(self, user) -> bool:
        """Whether the user may create a row. By default: whoever manages some rows already;
        a policy whose list can start empty (delegation records) says who may add instead."""
        return bool(self._scoped_pks(user))

    def user_has_permission(self, user, action):
        """May `user` do `action` to some row (the menu, the list page, the add button)?"""
        if not self._active(user) or action not in self.allowed_actions:
            return False
        if user.is_superuser:
            return True
        return self.user_may_add(user) if action == "add" else bool(self._scoped_pks(user))

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)

    def instances_user_has_any_permission_for(self, user, actions):
        """The rows `user` may do one of `actions` to (a lazy queryset)."""
        if not self._active(user) or not set(actions) & self.allowed_actions:
            return self.model._default_manager.none()
        return self.scoped_queryset(user)

    def instances_user_has_permission_for(self, user, action):
        return self.instances_user_has_any_permission_for(user, [action])

    def user_has_permission_for_instance(self, user, action, instance):
        """May `user` do `action` to this row?"""
        return self.user_has_any_permission_for_instance(user, [action], instance)

    def user_has_any_permission_for_instance(self, user, actions, instance):
        if not self._active(user) or not set(actions) & self.allowed_actions:
            return False
        return instance.pk in self._scoped_pks(user)

    def users_with_any_permission(self, actions):
        return User.objects.none()

    def users_with_permission(self, action):
        return self.users_with_any_permission([action])


def offices_user_manages(user) -> QuerySet[Office]:
    """The offices whose staff `user` manages (a lazy queryset)."""
    return office_policy.instances_user_has_permission_for(user, Action.MANAGE)


class StaffPolicy(JurisdictionPolicy):
    """Staff accounts: listed for the administrators of an office where they hold a role."""

    def scoped_queryset(self, user):
        """Accounts with a current membership in an office the user administers."""
        if user.is_superuser:
            return User.objects.all()
        return User.objects.filter(
            memberships__ended_at__isnull=True, memberships__office__in=offices_user_manages(user)
        ).distinct()

    def member_offices(self, user: User) -> list[Office]:
        """The offices where `user` holds a current role: the account belongs to all of them."""
        return [membership.office for membership in user.memberships.current().select_related("office")]

    def refusal(self, actor, user: User) -> str | None:
        """Why `actor` may not disable `user`, change their contact details or remove their
        authenticator app, or None when they may: they must manage every office where `user`
        holds a role; an account holding no role belongs to the county's administrators."""
        offices = self.member_offices(user)
        if not offices and not user_is_county_administrator(actor):
            return _("Only a county administrator may manage an account that holds no role.")
        for office in offices:
            if not office_policy.user_has_permission_for_instance(actor, Action.MANAGE, office):
                return _("You may not manage the staff of %(office)s.") % {"office": office}
        return None

    def offices_user_may_place_staff_in(self, user) -> QuerySet[Office]:
        """Where a new account's first role may be: the offices the user manages."""
        return offices_user_manages(user)


class MembershipPolicy(JurisdictionPolicy):
    """Memberships: seen, granted and ended by the administrators of their office."""

    # Memberships are ended, never deleted: their history is the audit of who could do what.
    allowed_actions = frozenset({ADD, VIEW, DELETE})

    def scoped_queryset(self, user):
        """Memberships in offices the user administers, joined for a list page."""
        return Membership.objects.filter(office__in=offices_user_manages(user)).select_related(
            "user", "office__region"
        )

    # -- field-level questions ---------------------------------------------------------------

    def roles_user_may_grant(self, user) -> list[tuple[str, str]]:
        """The (value, label) role choices `user` may grant or end: every role for a county
        administrator (or a superuser), the roles of one office's own work for anyone else."""
        if user is not None and user.is_superuser:
            return [(str(value), str(label)) for value, label in Role.choices]
        return roles_grantable_by(county_administrator=user_is_county_administrator(user))

    def offices_user_may_grant_in(self, user) -> QuerySet[Office]:
        return offices_user_manages(user)

    def staff_user_may_grant_to(self, user) -> QuerySet[User]:
        """The accounts `user` may give a role: the staff they see, never themselves."""
        staff = staff_policy.scoped_queryset(user)
        return staff if user.is_superuser else staff.exclude(pk=user.pk)

    def user_may_set(self, user, field: str, value, instance=None) -> bool:
        """May `user` give the membership's `field` this `value`? (role, office or user)."""
        if field == "role":
            return value in dict(self.roles_user_may_grant(user))
        if field == "office":
            return office_policy.user_has_permission_for_instance(user, Action.MANAGE, value)
        if field == "user":
            return _active(user) and (user.is_superuser or value.pk != user.pk)
        return True

    def grant_refusal(self, actor, *, user: User, office: Office, role: str) -> str | None:
        """Why `actor` may not grant (or end) `role` in `office` for `user`, or None when they
        may: they manage the office, it is not their own role, and a role that reaches beyond
        one office's own work (`COUNTY_GRANTED_ROLES`) takes a county administrator."""
        if not office_policy.user_has_permission_for_instance(actor, Action.MANAGE, office):
            return _("You may not manage the staff of %(office)s.") % {"office": office}
        if actor.is_superuser:
            return None
        if actor.pk == user.pk:
            return _("You cannot grant or end a role of your own; ask another administrator.")
        if role in COUNTY_GRANTED_ROLES and not user_is_county_administrator(actor):
            return _("Only a county administrator may grant or end the role %(role)s.") % {
                "role": Role(role).label
            }
        return None


class ResidentPolicy(JurisdictionPolicy):
    """Residents are registered while filing; the back office only looks them up."""

    allowed_actions = frozenset({VIEW})

    def scoped_queryset(self, user):
        """Residents of villages within the user's jurisdiction (filing or administration)."""
        if user.is_superuser:
            return Resident.objects.select_related("village__parent")
        villages = Region.objects.filter(
            offices__in=office_policy.instances_user_has_any_permission_for(
                user, [Action.FILE, Action.MANAGE]
            )
        ).values("code")
        return Resident.objects.filter(village__code__in=villages).select_related("village__parent")

    def user_may_register_residents_of(self, user, village: Region) -> bool:
        """The village's own assistant (filing) or an administrator over it may register its people."""
        offices = office_policy.instances_user_has_any_permission_for(user, [Action.FILE, Action.MANAGE])
        return offices.filter(region=village).exists()


staff_policy = StaffPolicy(User)
membership_policy = MembershipPolicy(Membership)
resident_policy = ResidentPolicy(Resident)

__all__ = [
    "ADD",
    "CHANGE",
    "DELETE",
    "VIEW",
    "JurisdictionPolicy",
    "MembershipPolicy",
    "ResidentPolicy",
    "StaffPolicy",
    "membership_policy",
    "offices_user_manages",
    "resident_policy",
    "staff_policy",
]

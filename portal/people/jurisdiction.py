"""The jurisdiction layer: "may this person act on this office's work?".

Memberships are the source of truth; django-guardian object permissions on offices are their
materialised form, so that every path (views, admin, downloads, search, API) can ask guardian
the same question and get the same answer. `jurisdiction_sync` is the only writer of those
permissions: it recomputes a user's complete set from their current memberships and applies
the difference, so two memberships that grant the same permission never fight over it.

`OfficePermissionPolicy` has the shape of a Wagtail permission policy: services call
`user_has_permission_for_instance`, selectors call `instances_user_has_permission_for`.
"""

from collections.abc import Iterable

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import BigIntegerField, Q, QuerySet
from django.db.models.functions import Cast
from guardian.models import GroupObjectPermission, UserObjectPermission
from wagtail.permission_policies.base import BasePermissionPolicy

from portal.offices.models import Office
from portal.places.models import Region

from . import request_memo
from .models import Membership, User
from .roles import MANAGED_CODENAMES, ROLE_RULES, Action, Role, Scope


def _office_permission_ids() -> dict[str, int]:
    content_type = ContentType.objects.get_for_model(Office)
    return dict(
        Permission.objects.filter(content_type=content_type, codename__in=MANAGED_CODENAMES).values_list(
            "codename", "pk"
        )
    )


def granted_by_memberships(user) -> set[tuple[str, int]]:
    """The (action, office id) pairs a user's current memberships grant. Two queries at most."""
    memberships = list(user.memberships.current().select_related("office__region"))
    grants: set[tuple[str, int]] = set()
    region_scoped = []
    for membership in memberships:
        rule = ROLE_RULES[membership.role]
        if rule.scope is Scope.OWN:
            grants.update((action, membership.office_id) for action in rule.actions)
        else:
            region_scoped.append((membership.office.region.prefix, rule.actions))
    if region_scoped:
        condition = Q()
        for prefix, _actions in region_scoped:
            condition |= Q(region__code__startswith=prefix)
        for office_id, code in Office.objects.filter(condition).values_list("pk", "region__code"):
            for prefix, actions in region_scoped:
                if code.startswith(prefix):
                    grants.update((action, office_id) for action in actions)
    return grants


# Roles that work in the Wagtail back office get its access permission through a group; the
# group is derived from memberships exactly like the object permissions are.
BACK_OFFICE_GROUPS = {Role.ADMINISTRATOR: "Cunban administrators", Role.EDITOR: "Cunban editors"}


def back_office_group(role: str):
    """The group for a back-office role, created with Wagtail's admin access on first use."""
    group, created = Group.objects.get_or_create(name=BACK_OFFICE_GROUPS[role])
    if created:
        group.permissions.add(
            Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
        )
    return group


COUNTY_EDITOR_GROUP_PREFIX = "Cunban editors of "


def county_editor_group_name(county_code: str) -> str:
    """The group whose members edit (and review each other's changes to) one county's pages.

    `cms.permissions` gives it page permissions on the county's home page; membership in it
    is derived from editor memberships here, like everything else."""
    return f"{COUNTY_EDITOR_GROUP_PREFIX}{county_code[:6]}"


def _sync_groups(user, memberships: list) -> None:
    roles = {membership.role for membership in memberships}
    for role in BACK_OFFICE_GROUPS:
        group = back_office_group(role)
        if role in roles and user.is_active:
            user.groups.add(group)
        else:
            user.groups.remove(group)
    wanted = {
        county_editor_group_name(membership.office.region.code)
        for membership in memberships
        if membership.role == Role.EDITOR and user.is_active
    }
    current = set(
        user.groups.filter(name__startswith=COUNTY_EDITOR_GROUP_PREFIX).values_list("name", flat=True)
    )
    for name in wanted - current:
        user.groups.add(Group.objects.get_or_create(name=name)[0])
    if current - wanted:
        user.groups.remove(*Group.objects.filter(name__in=current - wanted))


@transaction.atomic
def jurisdiction_sync(user) -> tuple[int, int]:
    """Make the user's guardian permissions on offices equal what their memberships grant.

    Returns (added, removed). Safe to call any number of times; permissions on offices that no
    membership explains are removed, including ones granted by hand outside this module.
    """
    permission_ids = _office_permission_ids()
    codename_by_id = {pk: codename for codename, pk in permission_ids.items()}
    content_type = ContentType.objects.get_for_model(Office)
    wanted = granted_by_memberships(user) if user.is_active else set()
    existing = {
        (codename_by_id[perm_id], int(object_pk)): row_id
        for row_id, perm_id, object_pk in UserObjectPermission.objects.filter(
            user=user, content_type=content_type, permission_id__in=codename_by_id
        ).values_list("pk", "permission_id", "object_pk")
    }
    to_add = wanted - existing.keys()
    to_remove = [row_id for key, row_id in existing.items() if key not in wanted]
    UserObjectPermission.objects.bulk_create(
        [
            UserObjectPermission(
                user=user,
                content_type=content_type,
                permission_id=permission_ids[action],
                object_pk=str(office_id),
            )
            for action, office_id in sorted(to_add)
        ]
    )
    if to_remove:
        UserObjectPermission.objects.filter(pk__in=to_remove).delete()
    _sync_groups(user, list(user.memberships.current().select_related("office__region")))
    request_memo.forget()
    return len(to_add), len(to_remove)


def users_covering_office(office: Office) -> QuerySet:
    """Users whose region-scoped memberships reach `office` (they need a resync when it
    is created or moved)."""
    region_roles = [role for role, rule in ROLE_RULES.items() if rule.scope is Scope.REGION]
    prefixes = [office.region.code[:n] for n in (6, 9, 12)]
    return User.objects.filter(
        memberships__ended_at__isnull=True,
        memberships__role__in=region_roles,
        memberships__office__region__code__in=[p.ljust(12, "0") for p in prefixes],
    ).distinct()


def _offices_granted(user, codenames: list[str]) -> QuerySet[Office]:
    """The offices on which `user` holds any of `codenames` as a guardian object permission,
    directly or through a group: what guardian's `get_objects_for_user(..., any_perm=True,
    accept_global_perms=False)` answers for a non-superuser, as one subquery of office ids.

    Why not guardian's own query: it compares `offices.id::varchar IN (...)`, which no index
    serves, so each use scans the whole offices table. A province has 21,000 offices and a page
    asks several times (the inbox's count, an application's page): the scans, not the
    applications, were most of those pages' time (bench/province.py). Here the cast is on the few
    permission rows, and PostgreSQL reaches the offices by their primary key."""
    content_type = ContentType.objects.get_for_model(Office)

    def office_ids(model, **owner) -> QuerySet:
        return (
            model.objects.filter(
                content_type=content_type,
                permission__content_type=content_type,
                permission__codename__in=codenames,
                **owner,
            )
            .annotate(office_id=Cast("object_pk", BigIntegerField()))
            .values("office_id")
        )

    granted = office_ids(UserObjectPermission, user=user).union(
        office_ids(GroupObjectPermission, group__user=user)
    )
    return Office.objects.filter(pk__in=granted)


def _remembered_grants(user, *, read: bool = True) -> dict[str, frozenset[int]] | None:
    """Within a request (`request_memo`): every office permission the user holds, by codename,
    read in one query on first use (or, with `read` False, only if already read). Outside a
    request: None, and every question asks the database itself."""
    memo = request_memo.memo()
    if memo is None:
        return None
    grants = memo.get(user.pk)
    if grants is None and not read:
        return None
    if grants is None:
        codenames = list(MANAGED_CODENAMES)
        content_type = ContentType.objects.get_for_model(Office)

        def rows(model, **owner) -> QuerySet:
            return model.objects.filter(
                content_type=content_type,
                permission__content_type=content_type,
                permission__codename__in=codenames,
                **owner,
            ).values_list("permission__codename", "object_pk")

        found: dict[str, set[int]] = {}
        for codename, object_pk in rows(UserObjectPermission, user=user).union(
            rows(GroupObjectPermission, group__user=user)
        ):
            found.setdefault(codename, set()).add(int(object_pk))
        grants = {codename: frozenset(ids) for codename, ids in found.items()}
        memo[user.pk] = grants
    return grants


def _remembered_office_ids(user, codenames: Iterable[str], *, read: bool = True) -> frozenset[int] | None:
    grants = _remembered_grants(user, read=read)
    if grants is None:
        return None
    return frozenset().union(*(grants.get(codename, frozenset()) for codename in codenames))


class OfficePermissionPolicy:
    """Answers every permission question about offices, from guardian object permissions."""

    def user_has_permission_for_instance(self, user, action: str, office: Office) -> bool:
        """May `user` do `action` to the work of `office`?"""
        if not (user and user.is_authenticated and user.is_active):
            return False
        if user.is_superuser:
            return True
        remembered = _remembered_office_ids(user, [action])
        if remembered is not None:
            return office.pk in remembered
        # One query on the permission rows (direct and through groups), where guardian's
        # checker, made anew for each question, asked twice.
        return _offices_granted(user, [action]).filter(pk=office.pk).exists()

    def instances_user_has_permission_for(self, user, action: str) -> QuerySet[Office]:
        """The offices on whose work `user` may do `action` (a lazy queryset)."""
        if not (user and user.is_authenticated and user.is_active):
            return Office.objects.none()
        if user.is_superuser:
            return Office.objects.all()
        return self._granted(user, [action])

    def instances_user_has_any_permission_for(self, user, actions: Iterable[str]) -> QuerySet[Office]:
        if not (user and user.is_authenticated and user.is_active):
            return Office.objects.none()
        if user.is_superuser:
            return Office.objects.all()
        return self._granted(user, list(actions))

    def office_ids_user_has_permission_for(self, user, action: str) -> QuerySet | list[int]:
        """The ids of `instances_user_has_permission_for`, for `field__in=` conditions: a plain
        list within a request (the planner sees the few ids; nothing to compile), a subquery
        outside one."""
        if user and user.is_authenticated and user.is_active and not user.is_superuser:
            remembered = _remembered_office_ids(user, [action])
            if remembered is not None:
                return sorted(remembered)
        return self.instances_user_has_permission_for(user, action).values_list("pk", flat=True)

    @staticmethod
    def _granted(user, codenames: list[str]) -> QuerySet[Office]:
        # A lazy queryset is often only a subquery of a larger one: reading the rows for it
        # would add a query where none was needed. Use them only if a question already read them.
        remembered = _remembered_office_ids(user, codenames, read=False)
        if remembered is not None:
            return Office.objects.filter(pk__in=sorted(remembered))
        return _offices_granted(user, codenames)

    def user_has_permission(self, user, action: str) -> bool:
        """May `user` do `action` on at least one office?"""
        return self.user_has_any_permission(user, [action])

    def user_has_any_permission(self, user, actions: Iterable[str]) -> bool:
        """May `user` do at least one of `actions` on at least one office?"""
        actions = list(actions)
        if user and user.is_authenticated and user.is_active and not user.is_superuser:
            remembered = _remembered_office_ids(user, actions)
            if remembered is not None:
                return bool(remembered)
        return self.instances_user_has_any_permission_for(user, actions).exists()

    def users_with_permission_for_instance(self, action: str, office: Office) -> QuerySet:
        """The active users who may do `action` to the work of `office` (a lazy queryset).

        For "who is told" and "to whom may it be given": read from the same guardian rows as
        every other answer here, so a role reaches these lists exactly where it reaches the
        work. Superusers are not listed: they are operators, nobody's clerk or supervisor."""
        granted = UserObjectPermission.objects.filter(
            content_type=ContentType.objects.get_for_model(Office),
            permission__codename=action,
            object_pk=str(office.pk),
        )
        return User.objects.filter(is_active=True, pk__in=granted.values("user_id"))


office_policy = OfficePermissionPolicy()


def offices_within_region_of(office: Office) -> QuerySet[Office]:
    """Every office whose region lies within `office`'s region: the reach of a region-scoped
    role held there (`Scope.REGION`), and of an API client bound to the office."""
    return Office.objects.filter(region__code__startswith=office.region.prefix)


def administered_regions(user) -> list[Region]:
    """The regions of the user's current administrator memberships: the roots of the region
    trees they administer (`regions_managed_by` is everything below them). The field-level
    rules of regions and offices ask it: below the county, an administrator's own region keeps
    its level and code, and only what lies strictly below it is theirs to shape."""
    if not (user and user.is_authenticated and user.is_active):
        return []
    return [
        membership.office.region
        for membership in user.memberships.current()
        .filter(role=Role.ADMINISTRATOR)
        .select_related("office__region")
    ]


def regions_managed_by(user) -> QuerySet[Region]:
    """Regions an administrator may edit: the subtree of each administrator membership's region."""
    if not (user and user.is_authenticated and user.is_active):
        return Region.objects.none()
    if user.is_superuser:
        return Region.objects.all()
    prefixes = [
        m.office.region.prefix
        for m in user.memberships.current().filter(role=Role.ADMINISTRATOR).select_related("office__region")
    ]
    if not prefixes:
        return Region.objects.none()
    condition = Q()
    for prefix in prefixes:
        condition |= Q(code__startswith=prefix)
    return Region.objects.filter(condition)


# What makes an administrator membership county-wide. The region's level alone is not trusted:
# it is a field of a row that lower administrators once could edit. A county is the root of
# the region tree (no parent), its code ends in six zeros, and a county administrator sits in
# a county department, whose kind only a county administrator can set.
COUNTY_ADMINISTRATOR_MEMBERSHIP = Q(
    role=Role.ADMINISTRATOR,
    office__kind="department",
    office__region__level="county",
    office__region__parent__isnull=True,
    office__region__code__endswith="000000",
)


def county_administrators() -> QuerySet:
    """Active users with a current county administrator membership (superusers not included):
    `user_is_county_administrator` as a queryset, for listings of who could act."""
    memberships = Membership.objects.current().filter(COUNTY_ADMINISTRATOR_MEMBERSHIP)
    return User.objects.filter(is_active=True, pk__in=memberships.values("user_id"))


def user_is_county_granted_editor(user, county_prefix: str | None) -> bool:
    """Does `user` hold a current editor role, granted by a county administrator (or an
    operator's command), in the county whose codes start with `county_prefix` (in any county when
    None)? A superuser counts. The two-person publishing rule (cms.workflows) asks it of both
    people: an editor role granted by anyone else counts for writing, not for publishing."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    if user.is_superuser:
        return True
    grants = Membership.objects.current().filter(user=user, role=Role.EDITOR, county_granted=True)
    if county_prefix is not None:
        grants = grants.filter(office__region__code__startswith=county_prefix)
    return grants.exists()


def user_is_county_administrator(user) -> bool:
    """An administrator whose jurisdiction is a whole county (or a superuser).

    Remembered on the user object, which is rebuilt for every request: each back-office menu
    item asks, and one query per page is enough. This is the only cache of the answer: every
    county-administrator policy below asks here."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    if user.is_superuser:
        return True
    cached = user.__dict__.get("_cunban_is_county_administrator")
    if cached is None:
        cached = user.memberships.current().filter(COUNTY_ADMINISTRATOR_MEMBERSHIP).exists()
        user.__dict__["_cunban_is_county_administrator"] = cached
    return cached


class CountyAdministratorPolicy(BasePermissionPolicy):
    """Every action on the model is allowed to county administrators and superusers only: for
    records that belong to the whole county rather than to an office (the work calendar, the
    catalogue's imports). The answer is `user_is_county_administrator`, cached with it."""

    def user_has_permission(self, user, action):
        """May `user` do `action` (add, change, delete, view, confirm) on this model?"""
        return user_is_county_administrator(user)

    def user_has_any_permission(self, user, actions):
        """May `user` do at least one of `actions`? (The same answer for every action.)"""
        return user_is_county_administrator(user)

    def users_with_any_permission(self, actions):
        """Active superusers and active users with a current county administrator membership:
        `user_is_county_administrator` as a queryset, from the same condition
        (`COUNTY_ADMINISTRATOR_MEMBERSHIP`), for listings of who could act."""
        superusers = User.objects.filter(is_active=True, is_superuser=True)
        return (superusers | county_administrators()).distinct()

    def users_with_permission(self, action):
        return self.users_with_any_permission([action])


class CountyAdministratorReadOnlyPolicy(CountyAdministratorPolicy):
    """The same rule narrowed to viewing: for records nobody edits in the back office (the
    outbox, the audit log)."""

    def user_has_permission(self, user, action):
        """May `user` do `action`? Only "view", and only county administrators and superusers."""
        return action == "view" and super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return "view" in actions and super().user_has_any_permission(user, actions)

    def users_with_any_permission(self, actions):
        users = super().users_with_any_permission(actions)
        return users if "view" in actions else users.none()


__all__ = [
    "COUNTY_ADMINISTRATOR_MEMBERSHIP",
    "Action",
    "CountyAdministratorPolicy",
    "CountyAdministratorReadOnlyPolicy",
    "OfficePermissionPolicy",
    "county_administrators",
    "granted_by_memberships",
    "jurisdiction_sync",
    "administered_regions",
    "office_policy",
    "regions_managed_by",
    "user_is_county_administrator",
    "users_covering_office",
]

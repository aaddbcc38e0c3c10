"""Read-side questions about people: which offices a user may act on, which staff they see."""

from django.db.models import Prefetch, QuerySet

from portal.offices.models import Office

from . import policies
from .jurisdiction import office_policy, regions_managed_by
from .models import Membership, Resident, User
from .policies import VIEW, membership_policy, resident_policy, staff_policy
from .roles import Action


def offices_user_may_file_for(user: User) -> QuerySet[Office]:
    """Stations whose villagers this user may file applications for (代办)."""
    return office_policy.instances_user_has_permission_for(user, Action.FILE)


def offices_user_may_handle(user: User) -> QuerySet[Office]:
    """Centres and departments whose applications this user may accept and decide."""
    return office_policy.instances_user_has_permission_for(user, Action.HANDLE)


def offices_user_may_supervise(user: User) -> QuerySet[Office]:
    return office_policy.instances_user_has_permission_for(user, Action.SUPERVISE)


def offices_user_may_view(user: User) -> QuerySet[Office]:
    """Offices whose work this user may see."""
    return office_policy.instances_user_has_permission_for(user, Action.VIEW)


def offices_user_manages(user: User) -> QuerySet[Office]:
    """Offices whose staff this user manages."""
    return policies.offices_user_manages(user)


def memberships_visible_to(user: User) -> QuerySet[Membership]:
    """Memberships in offices the user administers, joined for a list page."""
    return membership_policy.instances_user_has_permission_for(user, VIEW)


def staff_visible_to(user: User) -> QuerySet[User]:
    """Accounts with a current membership in an office the user administers (`staff_policy`),
    with their current memberships for display."""
    return staff_policy.scoped_queryset(user).prefetch_related(
        Prefetch(
            "memberships",
            queryset=Membership.objects.current().select_related("office"),
            to_attr="current_memberships",
        )
    )


def residents_visible_to(user: User) -> QuerySet[Resident]:
    """Residents of villages within the user's jurisdiction (filing or administration)."""
    return resident_policy.scoped_queryset(user)


def current_memberships(user: User) -> QuerySet[Membership]:
    return user.memberships.current().select_related("office__region")


__all__ = [
    "current_memberships",
    "memberships_visible_to",
    "offices_user_manages",
    "offices_user_may_file_for",
    "offices_user_may_handle",
    "offices_user_may_supervise",
    "offices_user_may_view",
    "regions_managed_by",
    "residents_visible_to",
    "staff_visible_to",
]
